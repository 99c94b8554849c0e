package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

// MaybeInit turns this process into the sandbox init when it was started by
// Start; it never returns then. Call it first thing in main (and TestMain).
func MaybeInit() {
	if len(os.Args) < 2 || os.Args[1] != initArg {
		return
	}
	code, err := initMain()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiln sandbox:", err)
		if code == 0 {
			code = 125
		}
	}
	os.Exit(code)
}

func initMain() (int, error) {
	var spec Spec
	if err := json.Unmarshal([]byte(os.Getenv(specEnv)), &spec); err != nil {
		return 125, fmt.Errorf("bad %s: %w", specEnv, err)
	}
	root, err := mountRoot(spec)
	if err != nil {
		return 125, err
	}
	cmd := &exec.Cmd{Path: spec.Args[0], Args: spec.Args, Env: spec.Env, Dir: spec.Dir,
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root,
		Credential: &syscall.Credential{Uid: uint32(spec.UID), Gid: uint32(spec.GID), Groups: []uint32{}}}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT)
	if err := cmd.Start(); err != nil {
		return 127, fmt.Errorf("starting %s in the image: %w", spec.Args[0], err)
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	return reap(cmd.Process.Pid), nil
}

// reap waits for every child (pid 1 adopts orphans) until the program exits.
func reap(main int) int {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 125
		}
		if pid != main {
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}

// mountRoot builds the sandbox root and returns its path.
func mountRoot(spec Spec) (string, error) {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return "", fmt.Errorf("making mounts private: %w", err)
	}
	upper, work, root := spec.Upper(), filepath.Join(spec.State, "work"), filepath.Join(spec.State, "root")
	for _, d := range []string{upper, work, root} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	opts := "lowerdir=" + spec.Lower + ",upperdir=" + upper + ",workdir=" + work
	if err := syscall.Mount("overlay", root, "overlay", 0, opts); err != nil {
		return "", fmt.Errorf("mounting overlay root (%s): %w", opts, err)
	}
	mounts := []struct {
		src, dst, fstype string
		flags            uintptr
	}{
		{"proc", "proc", "proc", syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC},
		{"/dev", "dev", "", syscall.MS_BIND | syscall.MS_REC},
	}
	for _, m := range mounts {
		dst := filepath.Join(root, m.dst)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return "", err
		}
		if err := syscall.Mount(m.src, dst, m.fstype, m.flags, ""); err != nil {
			return "", fmt.Errorf("mounting %s: %w", m.dst, err)
		}
	}
	for _, b := range spec.Binds {
		if err := bind(root, b); err != nil {
			return "", err
		}
	}
	return root, nil
}

func bind(root string, b Bind) error {
	dst := filepath.Join(root, filepath.Clean("/"+b.Dst))
	if !strings.HasPrefix(dst, root+"/") {
		return fmt.Errorf("bind target %s escapes the root", b.Dst)
	}
	st, err := os.Stat(b.Src)
	if err != nil {
		return fmt.Errorf("bind source: %w", err)
	}
	if st.IsDir() {
		err = os.MkdirAll(dst, 0o755)
	} else {
		if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
			var f *os.File
			if f, err = os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				f.Close()
			}
		}
	}
	if err != nil {
		return err
	}
	if err := syscall.Mount(b.Src, dst, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return fmt.Errorf("binding %s at %s: %w", b.Src, b.Dst, err)
	}
	if b.ReadOnly {
		if err := syscall.Mount("", dst, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("making %s read-only: %w", b.Dst, err)
		}
	}
	return nil
}
