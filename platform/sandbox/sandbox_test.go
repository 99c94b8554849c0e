package sandbox

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	MaybeInit()
	os.Exit(m.Run())
}

// rootfs builds a root file system holding only the static helper program.
func rootfs(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(root, "helper"), "./testdata/helper")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building helper: %v\n%s", err, out)
	}
	os.MkdirAll(filepath.Join(root, "tmp"), 0o1777)
	os.Chmod(filepath.Join(root, "tmp"), 0o1777)
	return root
}

func TestRunAsUserWritesToUpperOnly(t *testing.T) {
	lower := rootfs(t)
	spec := Spec{Lower: lower, State: t.TempDir(), Args: []string{"/helper", "whoami"}, UID: 1000, GID: 1000}
	var out bytes.Buffer
	code, err := Run(spec, nil, &out, os.Stderr)
	if err != nil || code != 0 {
		t.Fatalf("code %d err %v", code, err)
	}
	if got := out.String(); got != "uid=1000 gid=1000 ppid=1\n" {
		t.Fatalf("helper said %q (want the user, and the sandbox init as pid 1 of a fresh pid namespace)", got)
	}
	if _, err := os.Stat(filepath.Join(spec.Upper(), "tmp", "written")); err != nil {
		t.Fatalf("write did not land in the upper dir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(lower, "tmp", "written")); err == nil {
		t.Fatal("write leaked into the read-only rootfs")
	}
	assertNoMounts(t, spec.State)
}

func TestExitCodePassesThrough(t *testing.T) {
	code, err := Run(Spec{Lower: rootfs(t), State: t.TempDir(), Args: []string{"/helper", "exit", "42"}}, nil, io.Discard, io.Discard)
	if err != nil || code != 42 {
		t.Fatalf("code %d err %v", code, err)
	}
}

func TestStopLeavesNoProcessesOrMounts(t *testing.T) {
	marker := "marker-" + strings.ReplaceAll(t.Name(), "/", "-") + time.Now().Format("150405.000")
	spec := Spec{Lower: rootfs(t), State: t.TempDir(), Args: []string{"/helper", "orphan-then-wait", marker}, UID: 1000, GID: 1000}
	pr, pw := io.Pipe()
	p, err := Start(spec, nil, pw, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(pr)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("helper did not start: %q", lines.Text())
	}
	if n := processesWith("ignore-term\x00" + marker); n != 1 {
		t.Fatalf("%d grandchildren that ignore SIGTERM run before stop, want 1", n)
	}
	go io.Copy(io.Discard, pr)
	p.Stop(5 * time.Second)
	code, _ := p.Wait()
	if code != 0 {
		t.Fatalf("helper should exit 0 after SIGTERM, got %d", code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for processesWith(marker) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the grandchild that ignores SIGTERM outlived the sandbox")
		}
		time.Sleep(20 * time.Millisecond)
	}
	assertNoMounts(t, spec.State)
}

func TestRejectsPathsOverlayCannotMount(t *testing.T) {
	_, err := Start(Spec{Lower: "/", State: "/tmp/a,b", Args: []string{"/helper"}}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "overlayfs mount options") {
		t.Fatalf("err = %v", err)
	}
}

func TestNeedsAbsoluteProgram(t *testing.T) {
	_, err := Start(Spec{Lower: "/", State: t.TempDir(), Args: []string{"helper"}}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "absolute path") {
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

func assertNoMounts(t *testing.T, state string) {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), state) {
		t.Fatalf("a mount under %s is left on the host", state)
	}
}
