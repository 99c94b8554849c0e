package registry

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// detached opens dir's registry served by a detached process (this test
// binary, see TestMain), stopped at cleanup.
func detached(t *testing.T, dir string, o Options) *Registry {
	t.Helper()
	o.Detach = true
	r, err := OpenWith(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); stopIfServed(t, dir) })
	return r
}

func stopIfServed(t *testing.T, dir string) {
	if err := Stop(dir, true); err != nil && !errors.Is(err, ErrNotServed) {
		t.Errorf("stopping the server of %s: %v", dir, err)
	}
}

// eventually polls cond until it holds or 20 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func served(dir string) bool {
	release, free, err := flock(dir, serveLock, true, false)
	if err == nil && free {
		release()
	}
	return err == nil && !free
}

// TestHelperFirstClient is the first kiln process of
// TestDetachedServerOutlivesTheClientThatStartedIt: it starts the server,
// pushes and exits without detaching.
func TestHelperFirstClient(t *testing.T) {
	dir := os.Getenv("KILN_TEST_FIRST_CLIENT_DIR")
	if dir == "" {
		t.Skip("runs as a helper process")
	}
	r, err := OpenWith(dir, Options{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(256, 1)
	if err := remote.Write(mustRef(t, r.Ref("first:v1")), img, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	fmt.Printf("pushed %s\n", d)
}

func TestDetachedServerOutlivesTheClientThatStartedIt(t *testing.T) {
	dir := t.TempDir()
	first := exec.Command(os.Args[0], "-test.run=^TestHelperFirstClient$", "-test.v")
	first.Env = append(os.Environ(), "KILN_TEST_FIRST_CLIENT_DIR="+dir)
	out, err := first.CombinedOutput()
	t.Cleanup(func() { stopIfServed(t, dir) })
	m := regexp.MustCompile(`pushed (sha256:[0-9a-f]{64})`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("first client: %v\n%s", err, out)
	}
	second := detached(t, dir, Options{})
	st, err := second.Status()
	if err != nil || st.PID == first.Process.Pid || st.PID == os.Getpid() {
		t.Fatalf("server pid %d (first client %d, us %d): %v", st.PID, first.Process.Pid, os.Getpid(), err)
	}
	if got := digestAt(t, second, "first:v1"); got != string(m[1]) {
		t.Fatalf("first:v1 = %q after the first client exited, want %s", got, m[1])
	}
	pushed(t, second, "second:v1")
}

func TestIdleExitWaitsForAttachedClients(t *testing.T) {
	dir := t.TempDir()
	// Polls of the status (every 10 ms) must not count as activity: with
	// them counted, 200 ms of idleness would never come.
	r := detached(t, dir, Options{IdleExit: 200 * time.Millisecond})
	before, err := r.Status()
	if err != nil || before.IdleExit != 200*time.Millisecond {
		t.Fatalf("status %+v: %v", before, err)
	}
	eventually(t, "three idle checks found a client attached", func() bool {
		st, err := r.Status()
		return err == nil && st.IdleBusy >= 3
	})
	addr := r.Addr
	r.Close()
	eventually(t, "the idle server exited", func() bool { return !served(dir) })
	// The next client starts a new server at the remembered address.
	again := detached(t, dir, Options{IdleExit: time.Hour})
	st, err := again.Status()
	if err != nil || again.Addr != addr || st.PID == before.PID {
		t.Fatalf("new server: %s pid %d (old %s pid %d): %v", again.Addr, st.PID, addr, before.PID, err)
	}
}

func TestStopRefusesWhileClientsAreAttached(t *testing.T) {
	dir := t.TempDir()
	r, err := ServeDetached(dir, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); stopIfServed(t, dir) })
	if st, err := r.Status(); err != nil || st.IdleExit != 0 {
		t.Fatalf("a background server's idle exit: %v %v, want none", st.IdleExit, err)
	}
	if err := Stop(dir, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("stop with a client attached: %v", err)
	}
	r.Close()
	if !served(dir) {
		t.Fatal("a background server (no idle exit) stopped when its client left")
	}
	if err := Stop(dir, false); err != nil {
		t.Fatal(err)
	}
	if served(dir) || answers(r.Addr, mustToken(t, dir)) {
		t.Fatal("still serving after stop")
	}
	if err := Stop(dir, false); !errors.Is(err, ErrNotServed) {
		t.Fatalf("stop with nothing running: %v", err)
	}
}

func mustToken(t *testing.T, dir string) string {
	tok, err := token(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestConcurrentOpensShareOneServer(t *testing.T) {
	dir := t.TempDir()
	t.Cleanup(func() { stopIfServed(t, dir) })
	var wg sync.WaitGroup
	regs := make([]*Registry, 4)
	errs := make([]error, 4)
	for i := range regs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			regs[i], errs[i] = OpenWith(dir, Options{Detach: true})
		}()
	}
	wg.Wait()
	pids := map[int]bool{}
	for i, r := range regs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		st, err := r.Status()
		if err != nil || r.Addr != regs[0].Addr {
			t.Fatalf("client %d: %s %v", i, r.Addr, err)
		}
		pids[st.PID] = true
		r.Close()
	}
	if len(pids) != 1 {
		t.Fatalf("%d servers for one dir: %v", len(pids), pids)
	}
}
