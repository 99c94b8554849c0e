package statedir

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ownerEnv makes the test binary an owner process: it creates a state dir
// (or marks itself writing into a cache dir), prints its path and waits to
// be killed.
const ownerEnv = "KILN_STATEDIR_TEST_OWNER"

// held keeps the owner's lock reachable while it waits to be killed.
var held any

func TestMain(m *testing.M) {
	if spec := os.Getenv(ownerEnv); spec != "" {
		mode, base, _ := strings.Cut(spec, ":")
		switch mode {
		case "state":
			d, err := New(base, "build-", -1, -1)
			if err != nil {
				os.Exit(2)
			}
			os.WriteFile(filepath.Join(d.Path, "workspace"), []byte("x"), 0o644)
			os.Stdout.WriteString(d.Path + "\n")
			held = d // the lock lives as long as d: keep it from the GC
		case "writing":
			release, err := Writing(base)
			if err != nil {
				os.Exit(2)
			}
			held = release
			os.MkdirAll(filepath.Join(base, "flatten-123"), 0o755)
			os.Stdout.WriteString(base + "\n")
		}
		for { // select{} would be a deadlock the runtime ends
			time.Sleep(time.Hour)
		}
	}
	os.Exit(m.Run())
}

// owner starts an owner process and returns what it printed and a kill func.
func owner(t *testing.T, mode, base string) (string, func()) {
	t.Helper()
	cmd := exec.Command("/proc/self/exe", "-test.run=^$")
	cmd.Env = append(os.Environ(), ownerEnv+"="+mode+":"+base)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("owner: %v", err)
	}
	kill := func() { cmd.Process.Kill(); cmd.Wait() }
	t.Cleanup(kill)
	return strings.TrimSpace(line), kill
}

func TestSweepRemovesOnlyDirsWhoseOwnerIsGone(t *testing.T) {
	base := t.TempDir()
	dead, kill := owner(t, "state", base)
	alive, _ := owner(t, "state", base)
	mine, err := New(base, "run-", -1, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Release()
	unlocked := filepath.Join(base, "build-nolock") // an owner still creating its lock
	other := filepath.Join(base, "builder-123")     // not ours to sweep
	for _, d := range []string{unlocked, other} {
		os.Mkdir(d, 0o755)
	}
	os.WriteFile(filepath.Join(other, LockFile), nil, 0o644)

	if removed, err := Sweep(base, "build-", "run-"); err != nil || len(removed) != 0 {
		t.Fatalf("every owner alive: removed %v, %v", removed, err)
	}
	kill() // SIGKILL: no cleanup
	removed, err := Sweep(base, "build-", "run-")
	if err != nil || len(removed) != 1 || removed[0] != dead {
		t.Fatalf("removed %v (%v), want only %s", removed, err, dead)
	}
	for _, d := range []string{alive, mine.Path, unlocked, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was swept: %v", d, err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(alive, LockFile))
	if !strings.HasPrefix(string(b), "pid ") || !strings.Contains(string(b), " start ") {
		t.Errorf("lock file says %q, want the owner's pid and start time", b)
	}
	mine.Release()
	if removed, _ := Sweep(base, "run-"); len(removed) != 1 || removed[0] != mine.Path {
		t.Fatalf("after Release: removed %v", removed)
	}
}

func TestAdoptRefusesADirInUse(t *testing.T) {
	base := t.TempDir()
	d, err := New(base, "run-", -1, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	if _, err := Adopt(d.Path); err == nil || !strings.Contains(err.Error(), "in use by another kiln process (pid ") {
		t.Fatalf("err = %v", err)
	}
}

func TestSweepTemporaryWaitsForWriters(t *testing.T) {
	dir := t.TempDir()
	_, kill := owner(t, "writing", dir)
	if removed, err := SweepTemporary(dir, "flatten-"); err != nil || len(removed) != 0 {
		t.Fatalf("a writer is alive: removed %v, %v", removed, err)
	}
	kill()
	os.Mkdir(filepath.Join(dir, "sha256-abc"), 0o755) // a finished image stays
	removed, err := SweepTemporary(dir, "flatten-")
	if err != nil || len(removed) != 1 || filepath.Base(removed[0]) != "flatten-123" {
		t.Fatalf("removed %v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sha256-abc")); err != nil {
		t.Fatal("swept a finished image")
	}
	if removed, err := SweepTemporary(filepath.Join(dir, "missing"), "flatten-"); err != nil || removed != nil {
		t.Fatalf("a missing dir: %v %v", removed, err)
	}
}
