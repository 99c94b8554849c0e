// Command helper is run inside the sandbox by the sandbox tests.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	switch os.Args[1] {
	case "whoami":
		fmt.Printf("uid=%d gid=%d ppid=%d\n", os.Getuid(), os.Getgid(), os.Getppid())
		os.WriteFile("/tmp/written", []byte("hi"), 0o644)
	case "exit":
		n, _ := strconv.Atoi(os.Args[2])
		os.Exit(n)
	case "orphan-then-wait":
		// Leave a grandchild behind that ignores SIGTERM, then wait for SIGTERM.
		c := exec.Command("/helper", "ignore-term", os.Args[2])
		if err := c.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "starting the grandchild:", err)
			os.Exit(3)
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		fmt.Println("ready")
		<-sig
		fmt.Println("got SIGTERM")
	case "ignore-term":
		// select {} would be a deadlock the runtime kills; sleep instead.
		signal.Ignore(syscall.SIGTERM)
		for {
			time.Sleep(time.Hour)
		}
	}
}
