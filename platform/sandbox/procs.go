package sandbox

import (
	"os/exec"
	"runtime"
)

// startPinned starts cmd from an OS thread that stays alive until cmd has
// exited, and returns cmd.Wait's result on the channel. The kernel sends a
// parent-death signal (SysProcAttr.Pdeathsig) when the thread that forked
// the child exits, not the process: kiln ends threads on purpose (those it
// moved into other namespaces), and one of them must never be the parent.
func startPinned(cmd *exec.Cmd) (<-chan error, error) {
	started := make(chan error, 1)
	waited := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		waited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return waited, nil
}
