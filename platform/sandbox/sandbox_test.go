package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	MaybeInit()
	if os.Getenv(outerEnv) != "" {
		os.Exit(outerMain())
	}
	os.Exit(m.Run())
}

// testRequest is what the test job runs: one container.
type testRequest struct {
	Rootfs, State string
	Mounts        []Mount
	UID, GID      int
	Args          []string
	Egress        bool
	HostPorts     []int
	// Publish is the container port the listener passed as file 0 forwards to.
	Publish int
	// Ready, when set, makes the job send "ready" once this port answers.
	Ready int
	Grace time.Duration
}

func init() { Register("sandbox-test", testJob) }

func testJob(ctx context.Context, in *Inside) (int, error) {
	var req testRequest
	if err := in.Decode(&req); err != nil {
		return 125, err
	}
	c := &Container{Rootfs: req.Rootfs, State: req.State, Mounts: req.Mounts, UID: req.UID, GID: req.GID,
		Args: req.Args, Env: []string{"PATH=/"}, Net: Network{Egress: req.Egress, HostPorts: req.HostPorts},
		Stdout: os.Stdout, Stderr: os.Stderr}
	if req.Publish != 0 {
		ln, err := net.FileListener(in.File(0))
		if err != nil {
			return 125, err
		}
		c.Net.Publish = []Publish{{Listener: ln, Port: req.Publish}}
	}
	r, err := c.Start()
	if err != nil {
		return 125, err
	}
	if req.Ready != 0 {
		go func() {
			for {
				if conn, err := r.Dial(req.Ready, time.Second); err == nil {
					conn.Close()
					in.Send("ready", req.Ready)
					return
				}
				select {
				case <-r.Done():
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
	}
	select {
	case <-ctx.Done():
		r.Stop(req.Grace)
	case <-r.Done():
	}
	return r.Wait()
}

var (
	helperOnce sync.Once
	helperBin  string
	helperErr  error
)

// testIDs is the mapping the tests' helpers use.
func testIDs(t *testing.T) IDMap {
	t.Helper()
	ids, err := CurrentIDMap()
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// sharedDir is a temp dir the helper (a mapped, unprivileged host uid when
// the tests run as root) can enter; t.TempDir's parent is 0700.
func sharedDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "kiln-sandbox-test-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(d, 0o755)
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// rootfs builds a root file system holding the static helper program (as
// /helper, and a setuid-root copy as /suid-helper), /tmp and /etc, owned
// by the container's root as an extracted image would be.
func rootfs(t *testing.T, ids IDMap) string {
	t.Helper()
	helperOnce.Do(func() {
		if p := os.Getenv("KILN_SANDBOX_TEST_HELPER"); p != "" {
			helperBin = p // built by the parent test run
			return
		}
		dir, err := os.MkdirTemp("", "kiln-sandbox-helper-")
		if err != nil {
			helperErr = err
			return
		}
		os.Chmod(dir, 0o755)
		helperBin = filepath.Join(dir, "helper")
		cmd := exec.Command("go", "build", "-o", helperBin, "./testdata/helper")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			helperErr = fmt.Errorf("building helper: %v\n%s", err, out)
		}
	})
	if helperErr != nil {
		t.Fatal(helperErr)
	}
	root := filepath.Join(sharedDir(t), "rootfs")
	b, err := os.ReadFile(helperBin)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"tmp", "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(root, "tmp"), 0o1777|os.ModeSticky)
	for _, f := range []string{"helper", "suid-helper"} {
		if err := os.WriteFile(filepath.Join(root, f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	owner := func(p string) {
		if err := os.Lchown(p, ids.HostUID(0), ids.HostGID(0)); err != nil && os.Geteuid() == 0 {
			t.Fatal(err)
		}
	}
	filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error { owner(p); return nil })
	syscall.Chmod(filepath.Join(root, "tmp"), 0o1777)
	if err := syscall.Chmod(filepath.Join(root, "suid-helper"), 0o4755); err != nil {
		t.Fatal(err)
	}
	return root
}

// stateDir is a container state directory owned by container root.
func stateDir(t *testing.T, ids IDMap) string {
	t.Helper()
	d := filepath.Join(sharedDir(t), "state")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Lchown(d, ids.HostUID(0), ids.HostGID(0))
	return d
}

type testRun struct {
	out    *syncBuffer
	helper *Helper
	events chan Event
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

func enterTest(t *testing.T, ids IDMap, req testRequest, files ...*os.File) *testRun {
	t.Helper()
	tr := &testRun{out: &syncBuffer{}, events: make(chan Event, 16)}
	h, err := Enter(Options{Job: "sandbox-test", Request: req, IDs: ids, Stdout: tr.out, Stderr: tr.out, Files: files,
		OnEvent: func(e Event) { tr.events <- e }})
	if err != nil {
		t.Fatal(err)
	}
	tr.helper = h
	t.Cleanup(func() { h.Stop(5 * time.Second) })
	return tr
}

// run runs args in a fresh container as uid:gid and returns its output.
func run(t *testing.T, uid, gid int, args ...string) string {
	t.Helper()
	ids := testIDs(t)
	tr := enterTest(t, ids, testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids), UID: uid, GID: gid, Args: args})
	code, err := tr.helper.Wait()
	if err != nil {
		t.Fatalf("code %d: %v\n%s", code, err, tr.out.String())
	}
	return tr.out.String()
}

func TestRunsAsTheUserAndWritesToTheUpperLayerOnly(t *testing.T) {
	ids := testIDs(t)
	req := testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids), UID: 1000, GID: 1000, Args: []string{"/helper", "whoami"}}
	tr := enterTest(t, ids, req)
	if code, err := tr.helper.Wait(); err != nil || code != 0 {
		t.Fatalf("code %d err %v\n%s", code, err, tr.out.String())
	}
	if got := tr.out.String(); got != "uid=1000 gid=1000 ppid=0\n" {
		t.Fatalf("helper said %q (want the user, as the first process of its own pid namespace)", got)
	}
	st, err := os.Stat(filepath.Join(req.State, "upper", "tmp", "written"))
	if err != nil {
		t.Fatalf("write did not land in the upper dir: %v", err)
	}
	if uid := st.Sys().(*syscall.Stat_t).Uid; int(uid) != ids.HostUID(1000) {
		t.Fatalf("the file is host uid %d, want %d (container uid 1000 mapped)", uid, ids.HostUID(1000))
	}
	if _, err := os.Stat(filepath.Join(req.Rootfs, "tmp", "written")); err == nil {
		t.Fatal("write leaked into the read-only rootfs")
	}
}

func TestExitCodePassesThrough(t *testing.T) {
	ids := testIDs(t)
	tr := enterTest(t, ids, testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids), Args: []string{"/helper", "exit", "42"}})
	if code, err := tr.helper.Wait(); err != nil || code != 42 {
		t.Fatalf("code %d err %v\n%s", code, err, tr.out.String())
	}
}

func TestStopLeavesNoProcesses(t *testing.T) {
	marker := fmt.Sprintf("marker-%d-%d", os.Getpid(), time.Now().UnixNano())
	ids := testIDs(t)
	pr, pw := io.Pipe()
	h, err := Enter(Options{Job: "sandbox-test", IDs: ids, Stdout: pw, Stderr: os.Stderr, Request: testRequest{
		Rootfs: rootfs(t, ids), State: stateDir(t, ids), UID: 1000, GID: 1000, Grace: 5 * time.Second,
		Args: []string{"/helper", "orphan-then-wait", marker}}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { <-h.Done(); pw.Close() }()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("helper did not start: %q", lines.Text())
	}
	if n := processesWith("ignore-term\x00" + marker); n != 1 {
		t.Fatalf("%d grandchildren that ignore SIGTERM run before stop, want 1", n)
	}
	go io.Copy(io.Discard, pr)
	h.Stop(10 * time.Second)
	if code, err := h.Wait(); code != 0 || err != nil {
		t.Fatalf("the program should exit 0 after SIGTERM, got %d %v", code, err)
	}
	waitNoProcesses(t, marker)
}

func TestRejectsPathsOverlayCannotMount(t *testing.T) {
	ids := testIDs(t)
	tr := enterTest(t, ids, testRequest{Rootfs: "/", State: filepath.Join(sharedDir(t), "a,b"), Args: []string{"/helper"}})
	_, err := tr.helper.Wait()
	if err == nil || !strings.Contains(err.Error(), "overlayfs mount options") {
		t.Fatalf("err = %v", err)
	}
}

func TestNeedsAbsoluteProgram(t *testing.T) {
	ids := testIDs(t)
	tr := enterTest(t, ids, testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids), Args: []string{"helper"}})
	_, err := tr.helper.Wait()
	if err == nil || !strings.Contains(err.Error(), "absolute path") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnknownJobIsAnError(t *testing.T) {
	h, err := Enter(Options{Job: "no-such-job", IDs: testIDs(t), Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Wait(); err == nil || !strings.Contains(err.Error(), `no job "no-such-job"`) {
		t.Fatalf("err = %v", err)
	}
}

func processesWith(marker string) int {
	n := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		if b, err := os.ReadFile(d); err == nil && strings.Contains(string(b), marker) {
			n++
		}
	}
	return n
}

func waitNoProcesses(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for processesWith(marker) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("processes with %s outlived the sandbox", marker)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitEvent(t *testing.T, tr *testRun, kind string) {
	t.Helper()
	select {
	case e := <-tr.events:
		if e.Kind != kind {
			t.Fatalf("event %q, want %q", e.Kind, kind)
		}
	case <-tr.helper.Done():
		_, err := tr.helper.Wait()
		t.Fatalf("the helper exited before %q: %v\n%s", kind, err, tr.out.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("no %q event within 30s\n%s", kind, tr.out.String())
	}
}

var errTimeout = errors.New("timeout")

// RootlessUserEnv names the normal user (with /etc/subuid and /etc/subgid
// lines) the rootless tests run as when the tests run as root; CI creates
// kiln-rootless.
const RootlessUserEnv = "KILN_ROOTLESS_USER"

func rootlessUser() string {
	if u := os.Getenv(RootlessUserEnv); u != "" {
		return u
	}
	return "kiln-rootless"
}

// TestAsNormalUser reruns this package's container tests as a normal user:
// the path a laptop user takes, with newuidmap/newgidmap.
func TestAsNormalUser(t *testing.T) {
	if os.Getenv("KILN_SANDBOX_TEST_CHILD") != "" {
		t.Skip("already the rootless child")
	}
	if os.Geteuid() != 0 {
		t.Skip("runs as root, to switch to the rootless user")
	}
	u, err := user.Lookup(rootlessUser())
	if err != nil {
		t.Skipf("no user %s to run as (create it with subordinate ids: see .ci/run)", rootlessUser())
	}
	rootfs(t, testIDs(t)) // builds the helper program once, as root
	dir := sharedDir(t)
	exe, _ := os.Executable()
	bin := filepath.Join(dir, "sandbox.test")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cmd := exec.Command(bin, "-test.v", "-test.count=1",
		"-test.run=^(TestRunsAsTheUser|TestNoPrivileges|TestImageRoot|TestSetuid|TestMountAndNew|TestOwnNetwork|TestEgress|TestPublished|TestKilling|TestStop|TestSymlinked)")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KILN_SANDBOX_TEST_CHILD=1", "KILN_SANDBOX_TEST_HELPER="+helperBin, "HOME="+u.HomeDir, "USER="+u.Username)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nPASS\n") {
		t.Fatalf("as %s: %v\n%s", u.Username, err, out)
	}
	t.Logf("as %s:\n%s", u.Username, out)
}

func TestReachesStoresUnderClosedDirectories(t *testing.T) {
	ids := testIDs(t)
	if ids.Rootless {
		t.Skip("as a normal user the helper has the user's own access")
	}
	// Like /root/.cache/kiln: the store is below a directory only root may
	// search, and the helper is an unprivileged host uid.
	closed := filepath.Join(sharedDir(t), "closed")
	store := filepath.Join(closed, "home", "store")
	if err := os.MkdirAll(store, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(closed, 0o700)
	if err := PrepareDirs(ids, filepath.Join(store, "state")); err != nil {
		t.Fatal(err)
	}
	root := rootfs(t, ids)
	if err := os.Rename(root, filepath.Join(store, "rootfs")); err != nil {
		t.Fatal(err)
	}
	req := testRequest{Rootfs: filepath.Join(store, "rootfs"), State: filepath.Join(store, "state"), UID: 1000, GID: 1000, Args: []string{"/helper", "whoami"}}
	out := &syncBuffer{}
	h, err := Enter(Options{Job: "sandbox-test", Request: req, IDs: ids, Stdout: out, Stderr: out, Paths: []string{store}})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := h.Wait(); err != nil || code != 0 || !strings.Contains(out.String(), "uid=1000") {
		t.Fatalf("code %d err %v\n%s", code, err, out.String())
	}
	if _, err := os.Stat(filepath.Join(store, "state", "upper", "tmp", "written")); err != nil {
		t.Fatal(err)
	}
}

func TestPrepareDirsGivesThemToContainerRoot(t *testing.T) {
	ids := testIDs(t)
	base := sharedDir(t)
	d := filepath.Join(base, "a", "b", "c")
	if err := PrepareDirs(ids, d); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(base, "a"), filepath.Join(base, "a", "b"), d} {
		st, _ := os.Stat(p)
		if uid := int(st.Sys().(*syscall.Stat_t).Uid); uid != ids.HostUID(0) {
			t.Errorf("%s is host uid %d, want container root %d", p, uid, ids.HostUID(0))
		}
	}
	if st, _ := os.Stat(base); int(st.Sys().(*syscall.Stat_t).Uid) != os.Geteuid() {
		t.Error("an existing parent changed owner")
	}
}
