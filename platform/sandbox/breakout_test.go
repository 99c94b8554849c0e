package sandbox

// Breakout tests: what a hostile image or build must not be able to do.
// Each failed on the chroot sandbox this package replaced (see the commit
// message), except where a comment says it guards a regression.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSetuidRootBinaryCannotGainRoot(t *testing.T) {
	out := run(t, 1000, 1000, "/helper", "exec", "/suid-helper", "status")
	for _, want := range []string{"euid=1000", "Uid: 1000 1000 1000 1000", "CapEff: 0000000000000000"} {
		if !strings.Contains(out, want) {
			t.Errorf("a setuid-root binary run by uid 1000: status lacks %q:\n%s", want, out)
		}
	}
}

func TestNoPrivilegesForRootOrUser(t *testing.T) {
	for _, uid := range []int{0, 1000} {
		out := run(t, uid, uid, "/helper", "status")
		for _, want := range []string{"CapEff: 0000000000000000", "CapPrm: 0000000000000000", "CapBnd: 0000000000000000", "NoNewPrivs: 1", "Seccomp: 2"} {
			if !strings.Contains(out, want) {
				t.Errorf("status of uid %d lacks %q:\n%s", uid, want, out)
			}
		}
	}
}

func TestMountAndNewNamespacesFail(t *testing.T) {
	out := run(t, 0, 0, "/helper", "mount")
	if !strings.Contains(out, "mount: operation not permitted") {
		t.Errorf("mount() inside: %s", out)
	}
	// Regression guard: chroot blocked CLONE_NEWUSER by accident; with
	// pivot_root only seccomp does.
	out = run(t, 1000, 1000, "/helper", "unshare-user")
	if !strings.Contains(out, "unshare: operation not permitted") {
		t.Errorf("unshare(CLONE_NEWUSER) inside: %s", out)
	}
	out = run(t, 0, 0, "/helper", "chroot")
	if !strings.Contains(out, "chroot: operation not permitted") {
		t.Errorf("chroot() inside: %s", out)
	}
}

func TestCannotReadHostFiles(t *testing.T) {
	dir := sharedDir(t)
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("host secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := run(t, 0, 0, "/helper", "escape", secret)
	if strings.Contains(out, "READ") || strings.Count(out, "blocked") != 5 {
		t.Fatalf("escape attempts:\n%s", out)
	}
}

func TestSeesOnlyItsOwnProcesses(t *testing.T) {
	// Regression guard: the chroot sandbox had a pid namespace too.
	out := run(t, 1000, 1000, "/helper", "pids")
	if !strings.HasPrefix(out, "pids: 1 1\n") {
		t.Fatalf("want only itself as pid 1: %s", out)
	}
}

func TestSymlinkedMountTargetStaysInside(t *testing.T) {
	ids := testIDs(t)
	root := rootfs(t, ids)
	target := filepath.Join(sharedDir(t), "created-through-the-image")
	// An image whose /etc/hosts leads to a host path, as /etc/nologin would.
	if err := os.Symlink(target, filepath.Join(root, "etc", "hosts")); err != nil {
		t.Fatal(err)
	}
	os.Lchown(filepath.Join(root, "etc", "hosts"), ids.HostUID(0), ids.HostGID(0))
	tr := enterTest(t, ids, testRequest{Rootfs: root, State: stateDir(t, ids), Args: []string{"/helper", "read", "/etc/hosts"}})
	if code, err := tr.helper.Wait(); err != nil || code != 0 {
		t.Fatalf("code %d err %v\n%s", code, err, tr.out.String())
	}
	if _, err := os.Lstat(target); err == nil {
		t.Fatalf("mounting /etc/hosts through the image's symlink created %s on the host", target)
	}
	if !strings.Contains(tr.out.String(), "localhost") {
		t.Fatalf("the container's /etc/hosts is not kiln's: %s", tr.out.String())
	}
}

func TestImageRootIsNotHostRoot(t *testing.T) {
	ids := testIDs(t)
	req := testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids), Args: []string{"/helper", "write", "/tmp/owned"}}
	tr := enterTest(t, ids, req)
	if code, err := tr.helper.Wait(); err != nil || code != 0 {
		t.Fatalf("code %d err %v\n%s", code, err, tr.out.String())
	}
	st, err := os.Stat(filepath.Join(req.State, "upper", "tmp", "owned"))
	if err != nil {
		t.Fatal(err)
	}
	uid := int(st.Sys().(*syscall.Stat_t).Uid)
	if uid == 0 || uid != ids.HostUID(0) {
		t.Fatalf("a file written by the image's root is host uid %d, want %d (never 0)", uid, ids.HostUID(0))
	}
}

// hostListener accepts (and drops) connections on a host loopback port.
func hostListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("host\n"))
			c.Close()
		}
	}()
	return ln
}

func TestOwnNetworkWithoutHostLoopback(t *testing.T) {
	port := hostListener(t).Addr().(*net.TCPAddr).Port
	if out := run(t, 1000, 1000, "/helper", "interfaces"); out != "interfaces: lo\n" {
		t.Errorf("a run sees %q, want only lo", out)
	}
	if out := run(t, 1000, 1000, "/helper", "dial", fmt.Sprintf("127.0.0.1:%d", port)); !strings.Contains(out, "connection refused") {
		t.Errorf("reached a host loopback port: %s", out)
	}
}

func TestEgressWithoutHostLoopback(t *testing.T) {
	port := hostListener(t).Addr().(*net.TCPAddr).Port
	ids := testIDs(t)
	root := rootfs(t, ids)
	for _, c := range []struct{ args, want string }{
		{"interfaces", "interfaces: lo,tap0\n"},
		{fmt.Sprintf("dial 127.0.0.1:%d", port), "connection refused"},
		{fmt.Sprintf("dial 10.0.2.2:%d", port), "dial 10.0.2.2"}, // slirp's host alias, disabled
	} {
		tr := enterTest(t, ids, testRequest{Rootfs: root, State: stateDir(t, ids), UID: 1000, GID: 1000, Egress: true,
			Args: append([]string{"/helper"}, strings.Fields(c.args)...)})
		code, err := tr.helper.Wait()
		out := tr.out.String()
		if err != nil || code != 0 || !strings.Contains(out, c.want) || strings.Contains(out, ": ok") {
			t.Errorf("%s with egress: code %d err %v: %q, want %q", c.args, code, err, out, c.want)
		}
	}
}

func TestPublishedAndExposedPorts(t *testing.T) {
	ids := testIDs(t)
	host := hostListener(t)
	hostPort := host.Addr().(*net.TCPAddr).Port
	// Reaching an exposed host port from inside.
	tr := enterTest(t, ids, testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids), UID: 1000, GID: 1000,
		HostPorts: []int{hostPort}, Args: []string{"/helper", "dial", fmt.Sprintf("127.0.0.1:%d", hostPort)}})
	if code, err := tr.helper.Wait(); err != nil || code != 0 || !strings.Contains(tr.out.String(), ": ok") {
		t.Fatalf("exposed host port: code %d err %v: %s", code, err, tr.out.String())
	}
	// Reaching a published container port from the host.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := ln.(*net.TCPListener).File()
	ln.Close()
	addr := ln.Addr().String()
	tr = enterTest(t, ids, testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids), UID: 1000, GID: 1000,
		Publish: 8080, Ready: 8080, Grace: 5 * time.Second, Args: []string{"/helper", "serve", ":8080"}}, f)
	f.Close() // the helper has its own copy now
	waitEvent(t, tr, "ready")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 64)
	n, _ := c.Read(b)
	c.Close()
	if got := string(b[:n]); got != "hello from the sandbox\n" {
		t.Fatalf("published port answered %q", got)
	}
	tr.helper.Stop(10 * time.Second)
	if _, err := tr.helper.Wait(); err != nil {
		t.Fatalf("stop: %v\n%s", err, tr.out.String())
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Fatal("the published port is still open after the sandbox stopped")
	}
}

// outerEnv makes the test binary act as a kiln process that enters a
// helper running a long program, for the SIGKILL test.
const outerEnv = "KILN_SANDBOX_TEST_OUTER"

func outerMain() int {
	var req testRequest
	if err := json.Unmarshal([]byte(os.Getenv(outerEnv)), &req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ids, err := CurrentIDMap()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	h, err := Enter(Options{Job: "sandbox-test", Request: req, IDs: ids, Stdout: os.Stdout, Stderr: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	code, _ := h.Wait()
	return code
}

func TestKillingKilnLeavesNothingBehind(t *testing.T) {
	ids := testIDs(t)
	marker := fmt.Sprintf("marker-%d-%d", os.Getpid(), time.Now().UnixNano())
	req := testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids), UID: 1000, GID: 1000, Egress: true,
		Args: []string{"/helper", "orphan-then-wait", marker}}
	b, _ := json.Marshal(req)
	cmd := exec.Command("/proc/self/exe", "-test.run=^$")
	cmd.Env = append(os.Environ(), outerEnv+"="+string(b))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 6)
	if _, err := out.Read(line); err != nil || string(line) != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("the program did not start: %q %v", line, err)
	}
	if n := processesWith(marker); n != 2 {
		t.Fatalf("%d processes with the marker before the kill, want 2", n)
	}
	cmd.Process.Kill() // SIGKILL: no chance to clean up
	cmd.Wait()
	waitNoProcesses(t, marker)
	deadline := time.Now().Add(10 * time.Second)
	for processesWith(req.State) != 0 { // slirp4netns names the state dir
		if time.Now().After(deadline) {
			t.Fatal("slirp4netns outlived kiln")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), req.State) {
		t.Fatal("a mount of the sandbox is left on the host")
	}
}

func TestKernelPathsMaskedAndMountsRestricted(t *testing.T) {
	out := run(t, 0, 0, "/helper", "read", "/proc/timer_list")
	if out != "read /proc/timer_list: \"\"\n" {
		t.Errorf("/proc/timer_list is not masked: %.200s", out)
	}
	out = run(t, 0, 0, "/helper", "mounts")
	opts := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(l); len(f) == 2 {
			opts[f[0]] = f[1]
		}
	}
	rootOpts := []string{"nosuid", "nodev"}
	if rt, _ := findRuntime(); rt.Name == "crun" {
		rootOpts = nil // crun remounts the root without them (see RuntimeEnv)
	}
	for mp, want := range map[string][]string{
		"/":          rootOpts,
		"/proc/sys":  {"ro"},
		"/sys":       {"ro", "nosuid", "nodev", "noexec"},
		"/dev":       {"nosuid", "noexec"},
		"/dev/shm":   {"nosuid", "nodev", "noexec"},
		"/etc/hosts": {"ro", "nosuid", "nodev", "noexec"},
	} {
		got := "," + opts[mp] + ","
		for _, w := range want {
			if !strings.Contains(got, ","+w+",") {
				t.Errorf("%s is mounted %q, want %s; mounts:\n%s", mp, opts[mp], w, out)
			}
		}
	}
}
