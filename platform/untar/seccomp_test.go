package untar

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"kiln.dev/kiln/platform/untar/untartest"
)

// denyOpenat2 installs, in every thread of this process, a seccomp filter
// answering openat2 with errno, as a container runtime's profile may.
func denyOpenat2(errno unix.Errno) error {
	if runtime.GOARCH != "amd64" {
		return errors.New("the filter is written for amd64")
	}
	const (
		ld  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret = unix.BPF_RET | unix.BPF_K
	)
	prog := []unix.SockFilter{
		{Code: ld, K: 4}, // seccomp_data.arch
		{Code: jeq, K: unix.AUDIT_ARCH_X86_64, Jt: 1},
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
		{Code: ld, K: 0}, // seccomp_data.nr
		{Code: jeq, K: unix.SYS_OPENAT2, Jf: 1},
		{Code: ret, K: unix.SECCOMP_RET_ERRNO | uint32(errno)},
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		return e
	}
	return nil
}

// TestHelperUnderSeccomp runs the breakout table in a process where
// openat2 is refused (see TestFallsBackWhenOpenat2IsRefused).
func TestHelperUnderSeccomp(t *testing.T) {
	errno, _ := strconv.Atoi(os.Getenv("UNTAR_DENY_OPENAT2"))
	if errno == 0 {
		t.Skip("runs as a helper process")
	}
	if err := denyOpenat2(unix.Errno(errno)); err != nil {
		t.Fatalf("installing the seccomp filter: %v", err)
	}
	if _, err := unix.Openat2(unix.AT_FDCWD, ".", &unix.OpenHow{Flags: unix.O_PATH}); !errors.Is(err, unix.Errno(errno)) {
		t.Fatalf("openat2 still works under the filter: %v", err)
	}
	for _, c := range untartest.Breakouts() {
		t.Run(c.Name, func(t *testing.T) {
			s := untartest.NewSandbox(t)
			c := c.Bind(s, "")
			_, err := extract(t, s.Root, layer(false), c.Entries...)
			c.Check(t, s, err)
		})
	}
}

func TestFallsBackWhenOpenat2IsRefused(t *testing.T) {
	for _, errno := range []unix.Errno{unix.ENOSYS, unix.EPERM} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperUnderSeccomp$", "-test.v")
		cmd.Env = append(os.Environ(), "UNTAR_DENY_OPENAT2="+strconv.Itoa(int(errno)))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("with openat2 refused (%v): %v\n%s", errno, err, out)
		}
	}
}
