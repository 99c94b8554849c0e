//go:build go1.24 && unix

package funcframework

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/ofctx"
)

// childEnv makes TestChild act as a function process instead of skipping; it
// is set only in the processes the tests below start.
const childEnv = "KILN_FRAMEWORK_TEST_CHILD"

// TestChild is the function process of the tests below, selected by childEnv:
//
//	listener: serveUntilSignal on the listener inherited as fd 3; GET /block
//	          writes a byte to fd 5, then waits for one on fd 4
//	main:     Main(nil) with a function registered as ChildHello
//	open:     MainOpenFunction (FUNC_CONTEXT from the env)
func TestChild(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "":
		t.Skip("the function process of the signal tests")
	case "listener":
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
	case "main":
		functions.HTTP("ChildHello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello from main") })
		functions.OpenFunction("ChildOpen", func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
			return (&ofctx.FunctionOut{}).WithData([]byte("open " + ctx.GetName())), nil
		})
		Main(nil)
	case "open":
		MainOpenFunction("child-open", func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
			return (&ofctx.FunctionOut{}).WithData([]byte("open " + ctx.GetName())), nil
		})
	}
}

// child is a running function process.
type child struct {
	cmd     *exec.Cmd
	lines   chan string   // its output, line by line
	exited  chan struct{} // closed when it is gone; then err is its status
	err     error
	mu      sync.Mutex
	output  strings.Builder
	t       *testing.T
	stopped bool
}

// startChild runs TestChild in mode with env added and files as fd 3, 4, ...
func startChild(t *testing.T, mode string, env []string, files ...*os.File) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.count=1", "-test.v")
	cmd.Env = append(append(os.Environ(), childEnv+"="+mode), env...)
	cmd.ExtraFiles = files
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1000), exited: make(chan struct{}), t: t}
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			c.mu.Lock()
			c.output.WriteString(s.Text() + "\n")
			c.mu.Unlock()
			select {
			case c.lines <- s.Text():
			default:
			}
		}
		c.err = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			cmd.Process.Kill() // a failed test must not leave its child behind
			<-c.exited
		}
		if t.Failed() {
			t.Logf("child output:\n%s", c.out())
		}
	})
	return c
}

func (c *child) out() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.output.String()
}

// addr waits for the framework's "serving ... on ADDR" line.
func (c *child) addr() string {
	c.t.Helper()
	re := regexp.MustCompile(`(?:serving function ".*"|Dapr app protocol \w+) on (?:\[::\]|0\.0\.0\.0):(\d+)`)
	deadline := time.After(wait)
	for {
		select {
		case line := <-c.lines:
			if m := re.FindStringSubmatch(line); m != nil {
				return "127.0.0.1:" + m[1]
			}
		case <-c.exited:
			c.t.Fatalf("the child exited (%v) before serving", c.err)
		case <-deadline:
			c.t.Fatalf("the child did not say where it serves within %s", wait)
		}
	}
}

// exit waits for the child to end and returns its exit code.
func (c *child) exit() int {
	c.t.Helper()
	await(c.t, c.exited, "child's exit")
	if c.err == nil {
		return 0
	}
	if ee, ok := c.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	c.t.Fatalf("child: %v", c.err)
	return -1
}

// refusedWithin polls until addr refuses connections.
func refusedWithin(t *testing.T, addr string) {
	t.Helper()
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
	await(t, refused, "refused connection on "+addr)
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
	c := startChild(t, "listener", nil, lnFile, releaseR, enteredW)
	for _, f := range []io.Closer{lnFile, ln, releaseR, enteredW} { // the child has its copies
		f.Close()
	}
	var idle []net.Conn
	for i := 0; i < 20; i++ {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(wait))
		io.WriteString(conn, "GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("keep-alive connection %d: %v %v", i, resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		idle = append(idle, conn)
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
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	refusedWithin(t, addr)
	select {
	case <-c.exited:
		t.Fatalf("the process exited (%v) with a request inside the function", c.err)
	default:
	}
	releaseW.Write([]byte{1})
	if r := await(t, got, "response to the in-flight request"); r.err != nil || r.code != 200 || r.body != "finished /block" {
		t.Fatalf("in-flight request: %+v", r)
	}
	if code := c.exit(); code != 0 {
		t.Fatalf("the process exited %d", code)
	}
	if !strings.Contains(c.out(), "kiln functions framework: stopped") {
		t.Fatal("no drain in the child's output")
	}
	for i, conn := range idle {
		conn.SetReadDeadline(time.Now().Add(wait))
		if _, err := conn.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("idle connection %d after exit: %v, want EOF", i, err)
		}
	}
}

// TestMainEntryPoints runs the entry points generated main packages call, in
// child processes on a port the kernel picks (PORT=0): each serves, and ends
// with exit 0 on SIGTERM, or exits 1 with the error on a bad setting.
func TestMainEntryPoints(t *testing.T) {
	for _, tt := range []struct {
		name, mode string
		env        []string
		path, body string
	}{
		{"Main(nil), HTTP function", "main", []string{"FUNCTION_TARGET=ChildHello"}, "/", "hello from main"},
		{"Main(nil), OpenFunction", "main", []string{"FUNCTION_TARGET=ChildOpen", "FUNC_CONTEXT="}, "/", "open ChildOpen"},
		{"MainOpenFunction, Knative", "open", []string{`FUNC_CONTEXT={"name":"ctx-name","runtime":"Knative"}`}, "/", "open ctx-name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := startChild(t, tt.mode, append(tt.env, "PORT=0", "GOGC="))
			addr := c.addr()
			if r := get(t, "http://"+addr+tt.path); r.code != 200 || r.body != tt.body {
				t.Fatalf("GET %s: %+v", tt.path, r)
			}
			c.cmd.Process.Signal(syscall.SIGTERM)
			if code := c.exit(); code != 0 {
				t.Fatalf("exit %d after SIGTERM", code)
			}
		})
	}
	for _, tt := range []struct{ name, mode, env, stderr string }{
		{"Main(nil), unknown target", "main", "FUNCTION_TARGET=Nope", `kiln functions framework: FUNCTION_TARGET="Nope" is not registered; registered functions: ChildHello, ChildOpen`},
		{"Main(nil), bad PORT", "main", "PORT=eighty", `kiln functions framework: env PORT="eighty" is not a TCP port number (0-65535); unset it to use 8080`},
		{"MainOpenFunction, bad FUNC_CONTEXT", "open", `FUNC_CONTEXT={"name":"f"}`, "kiln functions framework: FUNC_CONTEXT: runtime: missing; want Knative (HTTP) or Async (Dapr inputs)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := startChild(t, tt.mode, []string{"FUNCTION_TARGET=ChildHello", tt.env})
			if code := c.exit(); code != 1 || !strings.Contains(c.out(), tt.stderr+"\n") {
				t.Fatalf("exit %d, output does not hold %q", code, tt.stderr)
			}
		})
	}
}
