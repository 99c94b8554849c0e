package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestSplitRule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"INPUT -j KUBE-FIREWALL", []string{"INPUT", "-j", "KUBE-FIREWALL"}},
		{`OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
			[]string{"OUTPUT", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES"}},
		{`FORWARD -m comment --comment "" -j KUBE-FORWARD`, []string{"FORWARD", "-m", "comment", "--comment", "", "-j", "KUBE-FORWARD"}},
		{"  A   B ", []string{"A", "B"}},
		{`POSTROUTING -s 10.244.0.5/32 -m comment --comment "name: \"kiln\" id: \"ab\"" -j CNI-0f1`,
			[]string{"POSTROUTING", "-s", "10.244.0.5/32", "-m", "comment", "--comment", `name: "kiln" id: "ab"`, "-j", "CNI-0f1"}},
	} {
		if got := splitRule(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitRule(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		`/a/b`:             "/a/b",
		`/a\040b`:          "/a b",
		`/x\011y\134z`:     "/x\ty\\z",
		`/trailing\04`:     `/trailing\04`,
		`/not\999octal`:    `/not\999octal`,
		`/run/netns/cni-1`: "/run/netns/cni-1",
	} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}

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

func TestEnvQuotes(t *testing.T) {
	o := Options{Layout: Layout{Dir: "/h/it's", Tools: "/t"}}
	got := Env(o)
	want := "export KUBECONFIG='/h/it'\\''s/kubeconfig'\nexport PATH='/t/kube-node-v" + kubeVersion + "':\"$PATH\"\n"
	if got != want {
		t.Errorf("Env = %q, want %q", got, want)
	}
}

func TestMainRejectsUnknown(t *testing.T) {
	var out, errb strings.Builder
	for _, args := range [][]string{nil, {"sideways"}, {"up", "extra"}} {
		if err := Main(args, &out, &errb); err == nil {
			t.Errorf("Main(%q) = nil", args)
		}
	}
	if !strings.Contains(errb.String(), "usage: kiln cluster") {
		t.Errorf("no usage on stderr: %q", errb.String())
	}
}

func TestRestoreSysctlsSkipsUnrecorded(t *testing.T) {
	// Nothing recorded: nothing written (would fail without root otherwise).
	if err := restoreSysctls(map[string]string{}, changedSysctls); err != nil {
		t.Fatal(err)
	}
}

func TestOurs(t *testing.T) {
	for rule, want := range map[string]bool{
		"INPUT -j KUBE-FIREWALL": true,
		`POSTROUTING -s 10.244.0.5/32 -m comment --comment "name: \"kiln\" id: \"ab\"" -j CNI-0f1`:  true,
		`POSTROUTING -s 10.88.0.5/32 -m comment --comment "name: \"podman\" id: \"ab\"" -j CNI-0f1`: false,
		"FORWARD -j DOCKER": false,
	} {
		if got := ours(rule); got != want {
			t.Errorf("ours(%q) = %v, want %v", rule, got, want)
		}
	}
}

func TestPruneEmptyDirsKeepsFiles(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a/b/c", "a/keep", "e"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "a", "keep", "f"), []byte("x"), 0o644)
	pruneEmptyDirs(root)
	for p, want := range map[string]bool{"a/b": false, "e": false, "a/keep/f": true, "a": true} {
		_, err := os.Stat(filepath.Join(root, p))
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", p, got, want)
		}
	}
}
