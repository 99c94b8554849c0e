package sandbox

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestSpecGolden pins the config.json kiln hands the runtime: namespaces,
// empty capability sets, no_new_privs, masked and read-only paths, mount
// options and the seccomp profile. Review a diff here like a security
// change; regenerate with go test -run TestSpecGolden -update.
func TestSpecGolden(t *testing.T) {
	c := &Container{UID: 1000, GID: 1000, Args: []string{"/cnb/process/web"}, Env: []string{"PORT=8080"}, Hostname: "hello",
		Mounts: []Mount{{Source: "/state/workspace", Destination: "/workspace"}, {Source: "/state/ca.crt", Destination: "/etc/ssl/certs/ca-certificates.crt", ReadOnly: true, NoExec: true}}}
	spec, err := c.ociSpec("/state/root", "/state/netns")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(spec, "", " ")
	golden := filepath.Join("testdata", "config.golden.json")
	if *update {
		os.WriteFile(golden, append(got, '\n'), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got)+"\n" {
		t.Fatalf("config.json differs from %s (run with -update after reviewing):\n%s", golden, got)
	}
}

func TestSeccompDeniesWhatContainersMustNotDo(t *testing.T) {
	p := defaultSeccomp()
	allowed := map[string]bool{}
	for _, s := range p.Syscalls {
		if s.Action == "SCMP_ACT_ALLOW" && len(s.Args) == 0 {
			for _, n := range s.Names {
				allowed[n] = true
			}
		}
	}
	for _, n := range []string{"mount", "umount2", "pivot_root", "setns", "unshare", "clone", "clone3", "keyctl", "add_key",
		"request_key", "bpf", "perf_event_open", "userfaultfd", "ptrace", "process_vm_readv", "process_vm_writev",
		"kexec_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "io_uring_setup",
		"open_by_handle_at", "chroot", "personality", "fsopen", "move_mount", "open_tree"} {
		if allowed[n] {
			t.Errorf("%s is allowed unconditionally", n)
		}
	}
	for _, n := range deniedSyscalls {
		if allowed[n] {
			t.Errorf("%s is both allowed and denied", n)
		}
	}
	if p.DefaultAction != "SCMP_ACT_ERRNO" || p.DefaultErrnoRet == nil || *p.DefaultErrnoRet != 38 {
		t.Errorf("default action %s %v: unknown calls must fail with ENOSYS", p.DefaultAction, p.DefaultErrnoRet)
	}
}

func TestSpecRejectsBadMountsAndPrograms(t *testing.T) {
	for _, c := range []struct {
		c    Container
		want string
	}{
		{Container{Args: []string{"web"}}, "absolute path"},
		{Container{}, "absolute path"},
		{Container{Args: []string{"/web"}, Mounts: []Mount{{Source: "/x", Destination: "etc"}}}, "absolute path without .."},
		{Container{Args: []string{"/web"}, Mounts: []Mount{{Source: "/x", Destination: "/etc/../.."}}}, "absolute path without .."},
	} {
		if _, err := c.c.ociSpec("/r", "/n"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.c, err, c.want)
		}
	}
}
