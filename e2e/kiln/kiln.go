package kiln

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Kiln is a kiln binary with its environment.
type Kiln struct {
	Bin  string
	Home string
	Env  []string
	// Registry is the embedded registry's address once served.
	Registry string
	Log      io.Writer
	// Credential, when set, runs kiln as that user (the rootless tests).
	Credential *syscall.Credential
}

// Result is one finished kiln command.
type Result struct {
	Output string
	Code   int
	Took   time.Duration
}

var digestLine = regexp.MustCompile(`(?m)^\s+digest:\s+(sha256:[0-9a-f]{64})`)

// Digest is the image digest a successful build printed.
func (r Result) Digest() string {
	m := digestLine.FindStringSubmatch(r.Output)
	if m == nil {
		return ""
	}
	return m[1]
}

func (k *Kiln) cmd(args ...string) *exec.Cmd {
	c := exec.Command(k.Bin, args...)
	c.Env = append(append(os.Environ(), "KILN_HOME="+k.Home), k.Env...)
	if k.Credential != nil {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: k.Credential}
	}
	return c
}

// Run runs kiln to completion.
func (k *Kiln) Run(args ...string) Result {
	c := k.cmd(args...)
	var out bytes.Buffer
	w := io.Writer(&out)
	if k.Log != nil {
		w = io.MultiWriter(&out, k.Log)
	}
	c.Stdout, c.Stderr = w, w
	start := time.Now()
	err := c.Run()
	res := Result{Output: out.String(), Took: time.Since(start)}
	if err != nil {
		res.Code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			res.Code = ee.ExitCode()
		}
	}
	return res
}

// Serve makes sure the suite's registry runs (kiln starts it as a
// detached server on first use: `kiln registry address` does) and returns
// a func that stops it.
func (k *Kiln) Serve() (func(), error) {
	addr := k.Run("registry", "address")
	if addr.Code != 0 {
		return nil, fmt.Errorf("kiln registry address: %s", addr.Output)
	}
	k.Registry = strings.TrimSpace(addr.Output)
	if err := WaitHTTP("http://"+k.Registry+"/v2/", 30*time.Second); err != nil {
		return nil, err
	}
	return func() { k.Run("registry", "stop", "--force") }, nil
}

// Image reads a built image's config from the registry.
func (k *Kiln) Image(repo, digest string) (*v1.ConfigFile, *v1.Manifest, error) {
	ref, err := name.ParseReference(k.Registry + "/" + repo + "@" + digest)
	if err != nil {
		return nil, nil, err
	}
	img, err := remote.Image(ref)
	if err != nil {
		return nil, nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, err
	}
	m, err := img.Manifest()
	return cf, m, err
}

// Running is a `kiln run` in the background.
type Running struct {
	URL    string
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan struct{}
	waitFn func() error
}

// Output is what kiln run and the function printed so far.
func (r *Running) Output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

func (r *Running) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.Write(b)
}

// launch begins `kiln run IMAGE --port P` with extra args.
func (k *Kiln) launch(image string, extra []string) (*Running, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	r := &Running{URL: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{})}
	r.cmd = k.cmd(append([]string{"run", image, "--port", fmt.Sprint(port)}, extra...)...)
	r.cmd.Stdout, r.cmd.Stderr = r, r
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	return r, nil
}

// Start begins `kiln run IMAGE --port P` with extra args, and waits until the
// function answers HTTP.
func (k *Kiln) Start(image string, extra ...string) (*Running, error) {
	r, err := k.launch(image, extra)
	if err != nil {
		return nil, err
	}
	if err := waitHTTPWhile(r.URL+"/robots.txt", 60*time.Second, r.done); err != nil {
		r.Stop(5 * time.Second)
		return nil, fmt.Errorf("%w\nkiln run output:\n%s", err, r.Output())
	}
	return r, nil
}

// StartAsync begins `kiln run IMAGE --port P` with extra args (e.g. --dapr)
// and waits until kiln reports the function's port open: an async function
// speaks Dapr's gRPC protocol, not HTTP/1.
func (k *Kiln) StartAsync(image string, extra ...string) (*Running, error) {
	r, err := k.launch(image, extra)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(r.Output(), "==> Serving on") {
		select {
		case <-r.done:
			return r, fmt.Errorf("kiln run exited before the function was ready:\n%s", r.Output())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.Stop(5 * time.Second)
			return nil, fmt.Errorf("the function was not ready within 60s:\n%s", r.Output())
		}
	}
	return r, nil
}

// Done is closed when kiln run has exited.
func (r *Running) Done() <-chan struct{} { return r.done }

// ExitCode is kiln run's exit code, after Done.
func (r *Running) ExitCode() int { return r.cmd.ProcessState.ExitCode() }

// Stop sends SIGTERM to kiln run and waits (SIGKILL after grace).
func (r *Running) Stop(grace time.Duration) (int, error) {
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(grace):
		r.cmd.Process.Kill()
		<-r.done
		return -1, fmt.Errorf("kiln run did not stop within %s of SIGTERM", grace)
	}
	return r.cmd.ProcessState.ExitCode(), nil
}

// WaitHTTP polls url until it answers (any status) or the deadline passes.
func WaitHTTP(url string, timeout time.Duration) error {
	return waitHTTPWhile(url, timeout, nil)
}

// waitHTTPWhile is WaitHTTP that gives up as soon as exited is closed.
func waitHTTPWhile(url string, timeout time.Duration, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s: %v", url, timeout, err)
		case <-exited:
			return fmt.Errorf("the process exited before %s answered", url)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Get returns status and body of a GET.
func Get(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// Err is nil for a zero exit code.
func (r Result) Err() error {
	if r.Code == 0 {
		return nil
	}
	return fmt.Errorf("exit %d:\n%s", r.Code, r.Output)
}
