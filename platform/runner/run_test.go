package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.MaybeInit()
	os.Exit(m.Run())
}

func TestParseUser(t *testing.T) {
	for _, c := range []struct {
		in       string
		uid, gid int
		err      string
	}{
		{"", 0, 0, ""}, {"1000", 1000, 1000, ""}, {"1000:1001", 1000, 1001, ""},
		{"cnb", 0, 0, "numeric uid"}, {"1000:cnb", 0, 0, "numeric gid"},
	} {
		uid, gid, err := parseUser(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || uid != c.uid || gid != c.gid {
			t.Errorf("%q: %d:%d %v", c.in, uid, gid, err)
		}
	}
}

func TestContainerFromImageConfig(t *testing.T) {
	cfg := &v1.ConfigFile{Config: v1.Config{Entrypoint: []string{"/cnb/process/web"}, Cmd: []string{"--flag"},
		Env: []string{"PATH=/bin", "PORT=8080"}, User: "1000:1000", WorkingDir: "/workspace"}}
	req := runRequest{Ref: "127.0.0.1:5000/my_func.v2:latest", Port: 4321, Env: []string{"A=1"}, StateDir: "/state", HostPorts: []int{50001}}
	c, err := container(req, "/rootfs", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Args, " "); got != "/cnb/process/web --flag" {
		t.Errorf("args %q", got)
	}
	if got := strings.Join(c.Env, " "); got != "PATH=/bin PORT=8080 PORT=4321 A=1" {
		t.Errorf("env %q: PORT must follow the image's, --env last", got)
	}
	if c.UID != 1000 || c.GID != 1000 || c.Dir != "/workspace" || c.Hostname != "myfuncv2" || c.State != "/state" {
		t.Errorf("container %+v", c)
	}
	if c.Net.Egress || !reflect.DeepEqual(c.Net.HostPorts, []int{50001}) {
		t.Errorf("network %+v: a run has no egress", c.Net)
	}
	req.Args = []string{"serve"}
	if c, _ := container(req, "/rootfs", cfg); strings.Join(c.Args, " ") != "/cnb/process/web serve" {
		t.Errorf("args with -- ARGS: %q", c.Args)
	}
	if _, err := container(req, "/rootfs", &v1.ConfigFile{Config: v1.Config{User: "cnb", Entrypoint: []string{"/x"}}}); err == nil {
		t.Error("a named user is refused")
	}
	if _, err := container(runRequest{Ref: "x"}, "/rootfs", &v1.ConfigFile{}); err == nil || !strings.Contains(err.Error(), "no entrypoint") {
		t.Errorf("no entrypoint: %v", err)
	}
}

func TestReachableHostPorts(t *testing.T) {
	h := home.Dir(t.TempDir())
	os.MkdirAll(h.Registry(), 0o755)
	os.WriteFile(filepath.Join(h.Registry(), "address"), []byte("127.0.0.1:5000\n"), 0o644)
	var out bytes.Buffer
	got, err := reachable(Options{Home: h, HostPorts: []int{50001, 50002}, Out: &out,
		Env: []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318", "REG=http://127.0.0.1:5000", "DB=127.0.0.1:50001"}})
	if err != nil || !reflect.DeepEqual(got, []int{50001, 50002, 4318}) {
		t.Fatalf("%v %v", got, err)
	}
	if !strings.Contains(out.String(), "reaches host 127.0.0.1:4318 (named in OTEL_EXPORTER_OTLP_ENDPOINT)") || strings.Contains(out.String(), "5000)") {
		t.Fatalf("said %q", out.String())
	}
	if _, err := reachable(Options{Home: h, HostPorts: []int{5000}}); err == nil || !strings.Contains(err.Error(), "embedded registry") {
		t.Fatalf("the registry's port: %v", err)
	}
}

// helperImage is an image whose entrypoint is the sandbox tests' static
// helper, serving "hello from the sandbox" on $PORT as uid 1000.
func helperImage(t *testing.T) v1.Image {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "helper")
	cmd := exec.Command("go", "build", "-o", bin, "../sandbox/testdata/helper")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777})
	tw.WriteHeader(&tar.Header{Name: "helper", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(b))})
	tw.Write(b)
	tw.Close()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, _ := mutate.AppendLayers(empty.Image, layer)
	img, err = mutate.Config(img, v1.Config{Entrypoint: []string{"/helper", "serve-port"}, User: "1000:1000"})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunPullsServesAndStops(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	ref := strings.TrimPrefix(srv.URL, "http://") + "/helper:latest"
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, helperImage(t)); err != nil {
		t.Fatal(err)
	}
	h := home.Dir(t.TempDir()) // 0700, as ~/.cache is for root: the helper must still reach its store
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	var released atomic.Bool
	out := &syncBuffer{}
	done := make(chan struct{})
	var code int
	var err error
	go func() {
		defer close(done)
		code, err = Run(ctx, Options{Image: ref, Home: h, Grace: 5 * time.Second, Out: out, Stdout: out, Stderr: out,
			Qualify: func(image string) (string, func(), error) { return image, func() { released.Store(true) }, nil },
			Ready:   func(url string, _ time.Duration) { ready <- url }})
	}()
	var url string
	select {
	case url = <-ready:
	case <-done:
		t.Fatalf("run ended before ready: %d %v\n%s", code, err, out.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("not ready within 60s\n%s", out.String())
	}
	if !released.Load() {
		t.Error("the registry was not released once the image was flattened")
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(c)
	c.Close()
	if string(b) != "hello from the sandbox\n" {
		t.Fatalf("the function answered %q", b)
	}
	cancel()
	<-done
	if err != nil || code != 0 || !strings.Contains(out.String(), "stopping on SIGTERM") {
		t.Fatalf("stop: code %d err %v\n%s", code, err, out.String())
	}
	runs, _ := filepath.Glob(filepath.Join(string(h), "userns", "*", "runs", "run-*"))
	if len(runs) != 0 {
		t.Fatalf("run state left behind: %v", runs)
	}

	// --state-dir keeps the writable layer at STATE/upper.
	keep := filepath.Join(t.TempDir(), "state")
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go func() {
		<-ready
		cancel2()
	}()
	if code, err := Run(ctx2, Options{Image: ref, Home: h, StateDir: keep, Grace: 5 * time.Second, Out: out, Stdout: out, Stderr: out,
		Qualify: func(image string) (string, func(), error) { return image, func() {}, nil },
		Ready:   func(url string, _ time.Duration) { ready <- url }}); err != nil || code != 0 {
		t.Fatalf("with --state-dir: %d %v\n%s", code, err, out.String())
	}
	if _, err := os.Stat(filepath.Join(keep, "upper")); err != nil {
		t.Fatalf("the writable layer is not kept in the state dir: %v", err)
	}
}
