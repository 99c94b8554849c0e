package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// MaybeInit turns this process into the helper when Enter started it; it
// never returns then. Call it first thing in main (and in TestMain of
// packages whose tests enter helpers).
func MaybeInit() {
	if len(os.Args) < 4 || os.Args[1] != helperArg {
		return
	}
	n, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiln sandbox: bad helper arguments", os.Args[1:])
		os.Exit(125)
	}
	if len(os.Args) > 4 {
		if err := checkBuildID(os.Args[4]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(125)
		}
	}
	os.Exit(helperMain(os.Args[2], n))
}

func helperMain(job string, nfiles int) int {
	trace("helper main")
	// The parent-death signal does not survive gaining capabilities on exec
	// (the rootless path); set it again, and also watch the lifeline, which
	// covers kiln dying before this line.
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	for fd := fdEvents; fd < fdFiles+nfiles; fd++ {
		unix.CloseOnExec(fd) // never leak them into slirp4netns or the runtime
	}
	unix.Close(fdSync)
	unix.Close(fdExe)
	events := os.NewFile(fdEvents, "events")
	in := &Inside{events: json.NewEncoder(events)}
	go func() {
		io.Copy(io.Discard, os.NewFile(fdLifeline, "lifeline"))
		os.Exit(137) // kiln is gone: take everything down with us
	}()
	code, err := runJob(job, nfiles, in)
	if err != nil {
		in.Send(eventError, err.Error())
		if code == 0 {
			code = 1
		}
	}
	events.Close()
	return code
}

func runJob(job string, nfiles int, in *Inside) (int, error) {
	fn, err := lookupJob(job)
	if err != nil {
		return 125, err
	}
	b, err := io.ReadAll(os.NewFile(fdRequest, "request"))
	if err != nil {
		return 125, fmt.Errorf("sandbox: reading the job request: %w", err)
	}
	var env struct {
		IDs     IDMap           `json:"ids"`
		Request json.RawMessage `json:"request"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return 125, fmt.Errorf("sandbox: decoding the job request: %w", err)
	}
	in.IDs, in.request = env.IDs, env.Request
	for i := 0; i < nfiles; i++ {
		in.files = append(in.files, os.NewFile(uintptr(fdFiles+i), "file"+strconv.Itoa(i)))
	}
	if err := setupHelper(); err != nil {
		return 125, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	trace("helper set up")
	return fn(ctx, in)
}

// setupHelper checks the mapping took and makes the helper's mount
// namespace its own: no mount propagates to the host, and /proc shows the
// helper's pid namespace (the runtime reads /proc/PID of what it starts).
func setupHelper() error {
	if os.Getuid() != 0 {
		return fmt.Errorf("sandbox: the helper is uid %d in its user namespace, not 0: the id mapping was not written", os.Getuid())
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("sandbox: making the helper's mounts private: %w", err)
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("sandbox: mounting /proc for the helper's pid namespace: %w (is kiln itself running in a container that masks parts of /proc?)", err)
	}
	return nil
}
