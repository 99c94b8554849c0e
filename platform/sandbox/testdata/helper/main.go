// Command helper is run inside the sandbox by the sandbox tests: a static
// program that reports what the sandbox lets it see and do, one command per
// invocation, on stdout, so a test can assert on it.
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: helper COMMAND [ARGS]")
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	switch cmd {
	case "whoami":
		fmt.Printf("uid=%d gid=%d ppid=%d\n", os.Getuid(), os.Getgid(), os.Getppid())
		os.WriteFile("/tmp/written", []byte("hi"), 0o644)
	case "exit":
		n, _ := strconv.Atoi(args[0])
		os.Exit(n)
	case "orphan-then-wait":
		orphanThenWait(args[0])
	case "ignore-term":
		// select {} would be a deadlock the runtime kills; sleep instead.
		signal.Ignore(syscall.SIGTERM)
		for {
			time.Sleep(time.Hour)
		}
	case "status":
		status()
	case "exec":
		// exec PROGRAM ARGS...: replace this process (to run a setuid copy).
		if err := syscall.Exec(args[0], args, os.Environ()); err != nil {
			fmt.Println("exec:", err)
			os.Exit(1)
		}
	case "mount":
		report("mount", syscall.Mount("tmpfs", "/tmp", "tmpfs", 0, ""))
	case "unshare-user":
		report("unshare", syscall.Unshare(syscall.CLONE_NEWUSER))
	case "chroot":
		report("chroot", syscall.Chroot("/tmp"))
	case "escape":
		escape(args)
	case "pids":
		pids()
	case "interfaces":
		interfaces()
	case "dial":
		c, err := net.DialTimeout("tcp", args[0], 2*time.Second)
		if err == nil {
			c.Close()
		}
		report("dial "+args[0], err)
	case "serve":
		serve(args[0])
	case "serve-port":
		// serve-port: like an image's entrypoint, listen on :$PORT and
		// stop cleanly on SIGTERM.
		signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM)
		go func() {
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM)
			<-sig
			fmt.Println("stopping on SIGTERM")
			os.Exit(0)
		}()
		serve(":" + os.Getenv("PORT"))
	case "write":
		// write PATH: create a file (the test checks its owner on the host).
		report("write "+args[0], os.WriteFile(args[0], []byte("x"), 0o644))
	case "mounts":
		// mounts: "MOUNTPOINT OPTIONS" per line, from /proc/self/mountinfo.
		b, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			fmt.Println("mounts:", err)
			return
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			f := strings.Fields(l)
			fmt.Printf("%s %s\n", f[4], f[5])
		}
	case "read":
		b, err := os.ReadFile(args[0])
		if err != nil {
			report("read "+args[0], err)
			return
		}
		fmt.Printf("read %s: %q\n", args[0], b)
	default:
		fmt.Fprintln(os.Stderr, "helper: unknown command", cmd)
		os.Exit(2)
	}
}

func report(what string, err error) {
	if err != nil {
		fmt.Printf("%s: %v\n", what, err)
		return
	}
	fmt.Printf("%s: ok\n", what)
}

// status prints the lines of /proc/self/status that say what the process
// may do, plus its real and effective ids.
func status() {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Println("status:", err)
		return
	}
	for _, l := range strings.Split(string(b), "\n") {
		for _, k := range []string{"Uid:", "Gid:", "CapEff:", "CapPrm:", "CapBnd:", "NoNewPrivs:", "Seccomp:"} {
			if strings.HasPrefix(l, k) {
				fmt.Println(strings.Join(strings.Fields(l), " "))
			}
		}
	}
	fmt.Printf("euid=%d\n", os.Geteuid())
}

func orphanThenWait(marker string) {
	// Leave a grandchild behind that ignores SIGTERM, then wait for SIGTERM.
	c := exec.Command("/helper", "ignore-term", marker)
	if err := c.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "starting the grandchild:", err)
		os.Exit(3)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	fmt.Println("ready")
	<-sig
	fmt.Println("got SIGTERM")
}

// escape tries the classic ways out of a chroot to read a host file: walking
// up with "..", through /proc/1/root, and by chrooting into a subdirectory
// while holding a descriptor of the old root. It prints what it could read.
func escape(args []string) {
	target := args[0]
	tries := map[string]func() ([]byte, error){
		"dotdot":     func() ([]byte, error) { return os.ReadFile("/../../../../../../.." + target) },
		"proc1root":  func() ([]byte, error) { return os.ReadFile("/proc/1/root" + target) },
		"procppid":   func() ([]byte, error) { return os.ReadFile(fmt.Sprintf("/proc/%d/root%s", os.Getppid(), target)) },
		"heldfd":     func() ([]byte, error) { return heldFD(target) },
		"cwd-escape": func() ([]byte, error) { return cwdEscape(target) },
	}
	var names []string
	for n := range tries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := tries[n]()
		if err != nil {
			fmt.Printf("escape %s: blocked (%v)\n", n, err)
			continue
		}
		fmt.Printf("escape %s: READ %q\n", n, b)
	}
}

// heldFD chroots into /tmp while holding a descriptor of /, then walks up
// from that descriptor (works in a plain chroot for a process with
// CAP_SYS_CHROOT).
func heldFD(target string) ([]byte, error) {
	fd, err := syscall.Open("/", syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	os.MkdirAll("/tmp/jail", 0o755)
	if err := syscall.Chroot("/tmp/jail"); err != nil {
		return nil, fmt.Errorf("chroot: %w", err)
	}
	if err := syscall.Fchdir(fd); err != nil {
		return nil, err
	}
	for i := 0; i < 64; i++ {
		syscall.Chdir("..")
	}
	if err := syscall.Chroot("."); err != nil {
		return nil, fmt.Errorf("chroot .: %w", err)
	}
	return os.ReadFile(target)
}

// cwdEscape walks up from the working directory with relative paths.
func cwdEscape(target string) ([]byte, error) {
	return os.ReadFile(filepath.Join(strings.Repeat("../", 40), target))
}

// pids lists the process ids this process can see in /proc.
func pids() {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		fmt.Println("pids:", err)
		return
	}
	var ps []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			ps = append(ps, e.Name())
		}
	}
	fmt.Printf("pids: %d %s\n", len(ps), strings.Join(ps, ","))
}

func interfaces() {
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Println("interfaces:", err)
		return
	}
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	sort.Strings(names)
	fmt.Printf("interfaces: %s\n", strings.Join(names, ","))
}

// serve answers every TCP connection on addr with "hello from the sandbox".
func serve(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Println("serve:", err)
		os.Exit(1)
	}
	fmt.Println("serving", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		fmt.Fprintf(c, "hello from the sandbox\n")
		c.Close()
	}
}
