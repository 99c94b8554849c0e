package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestPidOfOnlyTrustsTheRecordedBinary: a pid file naming a process of
// another program (a reused pid) or a dead one is not the node's process,
// so stop never signals it.
func TestPidOfOnlyTrustsTheRecordedBinary(t *testing.T) {
	l := Layout{Dir: t.TempDir()}
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	os.MkdirAll(filepath.Dir(l.pidFile("x")), 0o755)
	os.WriteFile(l.pidFile("x"), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
	exe, _ := os.Readlink("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/exe")
	if got := pidOf(l, "x", "/usr/bin/not-sleep"); got != 0 {
		t.Errorf("pidOf with another binary = %d, want 0", got)
	}
	if got := pidOf(l, "x", exe); got != cmd.Process.Pid {
		t.Errorf("pidOf with its binary = %d, want %d", got, cmd.Process.Pid)
	}
	if err := stop(l, "x", "/usr/bin/not-sleep", 0); err != nil || !alive(cmd.Process.Pid) {
		t.Errorf("stop signalled a process it does not own (err %v)", err)
	}
	os.WriteFile(l.pidFile("x"), []byte("999999999\n"), 0o644)
	if got := pidOf(l, "x", exe); got != 0 {
		t.Errorf("pidOf of a dead pid = %d", got)
	}
}

// TestStartAndStop: a detached component runs, is found by its pid file,
// and stop ends it.
func TestStartAndStop(t *testing.T) {
	l := Layout{Dir: t.TempDir()}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	sleep, _ = filepath.EvalSymlinks(sleep)
	c := component{name: "s", bin: sleep, args: []string{"60"}}
	if err := start(l, c); err != nil {
		t.Fatal(err)
	}
	pid := pidOf(l, "s", sleep)
	if pid == 0 {
		t.Fatal("started process not found by its pid file")
	}
	if err := stop(l, "s", sleep, 0); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatal("stop left the process running")
	}
	if _, err := os.Stat(l.pidFile("s")); err == nil {
		t.Error("stop left the pid file")
	}
}
