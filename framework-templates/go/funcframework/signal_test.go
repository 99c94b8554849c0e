//go:build unix

package funcframework

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv makes TestSignalChild serve instead of skipping: it is set only in
// the process TestSIGTERMDrainsAndExits starts.
const childEnv = "KILN_FRAMEWORK_TEST_CHILD"

// TestSignalChild is the function process of TestSIGTERMDrainsAndExits: it
// serves on the listener it inherits (fd 3) until SIGTERM. GET /block tells
// the parent it arrived (a byte on fd 5), then waits for a byte on fd 4.
func TestSignalChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("the child process of TestSIGTERMDrainsAndExits")
	}
	f := os.NewFile(3, "listener")
	ln, err := net.FileListener(f)
	f.Close() // ln has its own descriptor; this one would keep the socket listening
	if err != nil {
		t.Fatal(err)
	}
	release, entered := os.NewFile(4, "release"), os.NewFile(5, "entered")
	err = serveUntilSignal(ln, HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			entered.Write([]byte{1})
			release.Read(make([]byte, 1))
		}
		io.WriteString(w, "finished "+r.URL.Path)
	}))
	if err != nil {
		t.Fatal(err)
	}
}

// TestSIGTERMDrainsAndExits runs a function in its own process, the way it
// runs in a container: SIGTERM arrives while a request is inside the function
// and 20 keep-alive connections sit idle; the listener closes at once, the
// request finishes, and the process exits 0 without waiting on the idle
// connections.
func TestSIGTERMDrainsAndExits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	lnFile, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	releaseR, releaseW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer releaseW.Close()
	enteredR, enteredW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer enteredR.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.ExtraFiles = []*os.File{lnFile, releaseR, enteredW}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []io.Closer{lnFile, ln, releaseR, enteredW} { // the child has its copies
		f.Close()
	}
	exited := make(chan struct{}) // closed when the child is gone; then exitErr is its status
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill() // a failed test must not leave the child behind
			<-exited
		}
		if t.Failed() {
			t.Logf("child output:\n%s", out.String())
		}
	}()

	var idle []net.Conn
	for i := 0; i < 20; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(wait))
		io.WriteString(c, "GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("keep-alive connection %d: %v %v", i, resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		idle = append(idle, c)
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/block", nil)
		got <- do(client(t), req)
	}()
	enteredR.SetReadDeadline(time.Now().Add(wait))
	if _, err := enteredR.Read(make([]byte, 1)); err != nil {
		t.Fatalf("the request did not reach the function: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	refused := make(chan struct{})
	go func() {
		for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				close(refused)
				return
			}
			c.Close()
		}
	}()
	await(t, refused, "refused connection after SIGTERM")
	select {
	case <-exited:
		t.Fatalf("the process exited (%v) with a request inside the function", exitErr)
	default:
	}
	releaseW.Write([]byte{1})
	if r := await(t, got, "response to the in-flight request"); r.err != nil || r.code != 200 || r.body != "finished /block" {
		t.Fatalf("in-flight request: %+v", r)
	}
	if await(t, exited, "exit after SIGTERM"); exitErr != nil {
		t.Fatalf("the process exited with %v", exitErr)
	}
	if !strings.Contains(out.String(), "kiln functions framework: stopped") {
		t.Fatal("no drain in the child's output")
	}
	for i, c := range idle {
		c.SetReadDeadline(time.Now().Add(wait))
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("idle connection %d after exit: %v, want EOF", i, err)
		}
	}
}
