package sandbox

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const helperArg = "__kiln-helper"

// File descriptors of the helper (ExtraFiles index + 3).
const (
	fdEvents   = 3 // helper → kiln: JSON events, one per line
	fdLifeline = 4 // kiln holds the write end; EOF means kiln is gone
	fdRequest  = 5 // kiln → helper: the envelope (ids + job request)
	fdSync     = 6 // rootless: a byte once newuidmap/newgidmap are done
	fdExe      = 7 // rootless: the kiln binary, for sh to exec
	fdFiles    = 8 // Options.Files from here on
)

// Options configure one helper.
type Options struct {
	// Job names a function registered with Register.
	Job     string
	Request any
	IDs     IDMap
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// Files are handed to the job (Inside.File), e.g. a listening socket.
	Files []*os.File
	// Paths are directories the helper and its containers must reach at the
	// same path (the kiln store, a --state-dir): see openExposed.
	Paths []string
	// OnEvent receives the job's events, in order, on one goroutine.
	OnEvent func(Event)
}

type envelope struct {
	IDs     IDMap `json:"ids"`
	Request any   `json:"request"`
}

// Helper is kiln re-executed as the init of new user, mount and pid
// namespaces, running one job. The user namespace maps the image's ids to
// the user's subordinate ids (see IDMap): inside, the helper is root with
// every capability over its own namespaces and none over the host's. When
// kiln dies, however it dies, the helper dies and with it its pid namespace
// (every container, slirp4netns, forwarder) and its mount namespace.
type Helper struct {
	cmd      *exec.Cmd
	lifeline *os.File
	done     chan struct{}
	code     int
	err      error
	jobErr   error
}

// Enter starts o.Job in a new helper.
func Enter(o Options) (*Helper, error) {
	var closeAfterStart []*os.File
	defer func() {
		for _, f := range closeAfterStart {
			f.Close()
		}
	}()
	exposed, covers, err := exposedPaths(o.IDs, o.Paths)
	if err != nil {
		return nil, err
	}
	env, err := json.Marshal(envelope{IDs: o.IDs, Request: o.Request})
	if err != nil {
		return nil, err
	}
	pipe := func() (r, w *os.File) {
		if err != nil {
			return nil, nil
		}
		r, w, err = os.Pipe()
		return r, w
	}
	eventsR, eventsW := pipe()
	lifeR, lifeW := pipe()
	reqR, reqW := pipe()
	syncR, syncW := pipe()
	if err != nil {
		return nil, err
	}
	closeAfterStart = append(closeAfterStart, eventsW, lifeR, reqR, syncR)
	extra := []*os.File{eventsW, lifeR, reqR, nil, nil}
	cmd := &exec.Cmd{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID,
		Pdeathsig:  syscall.SIGKILL,
	}
	args := []string{helperArg, o.Job, strconv.Itoa(len(o.Files)), BuildID}
	helper := helperPath()
	// wait: kiln must act on the child before it runs kiln's code.
	wait := o.IDs.Rootless || covers
	if wait {
		// A shell waits for kiln (newuidmap/newgidmap, covering closed
		// directories), then execs kiln, which starts as root of the
		// namespace with its capabilities.
		exe, err := os.Open(helper)
		if err != nil {
			return nil, fmt.Errorf("sandbox: opening the helper binary %s: %w", helper, err)
		}
		closeAfterStart = append(closeAfterStart, exe)
		extra[fdSync-3], extra[fdExe-3] = syncR, exe
		cmd.Path = "/bin/sh"
		cmd.Args = append([]string{"sh", "-c", `read -r _ <&6 || exit 125; exec 6<&-; exec /proc/self/fd/7 "$@"`, "kiln"}, args...)
	} else {
		cmd.Path = helper
		cmd.Args = append([]string{"kiln"}, args...)
	}
	if !o.IDs.Rootless {
		// As root, Go writes the mapping before the child execs, and the
		// child switches to the namespace's root: host uid 0 is not mapped.
		cmd.SysProcAttr.UidMappings = sysMaps(o.IDs.UIDs)
		cmd.SysProcAttr.GidMappings = sysMaps(o.IDs.GIDs)
		cmd.SysProcAttr.GidMappingsEnableSetgroups = true
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 0, Gid: 0, Groups: []uint32{}}
	}
	cmd.ExtraFiles = append(extra, o.Files...)
	waited, err := startPinned(cmd)
	if err != nil {
		for _, f := range []*os.File{eventsR, lifeW, reqW, syncW} {
			f.Close()
		}
		return nil, fmt.Errorf("sandbox: starting the helper: %w", err)
	}
	trace("helper process started")
	h := &Helper{cmd: cmd, lifeline: lifeW, done: make(chan struct{})}
	if wait {
		prep := func() error {
			if o.IDs.Rootless {
				return writeMaps(cmd.Process.Pid, o.IDs)
			}
			return coverClosedAncestors(cmd.Process.Pid, exposed)
		}
		if err := prep(); err != nil {
			cmd.Process.Kill()
			<-waited
			for _, f := range []*os.File{eventsR, lifeW, reqW, syncW} {
				f.Close()
			}
			return nil, err
		}
		syncW.Write([]byte("\n"))
		trace("helper mappings written")
	}
	syncW.Close()
	go func() { reqW.Write(env); reqW.Close() }()
	eventsDone := make(chan struct{})
	go h.readEvents(eventsR, o.OnEvent, eventsDone)
	go func() {
		werr := <-waited
		<-eventsDone
		h.code = cmd.ProcessState.ExitCode()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			h.code = 128 + int(ws.Signal())
		}
		var ee *exec.ExitError
		if werr != nil && !errors.As(werr, &ee) {
			h.err = werr
		}
		h.lifeline.Close()
		close(h.done)
	}()
	return h, nil
}

func sysMaps(rs []IDRange) []syscall.SysProcIDMap {
	var m []syscall.SysProcIDMap
	for _, r := range rs {
		m = append(m, syscall.SysProcIDMap{ContainerID: r.ContainerID, HostID: r.HostID, Size: r.Size})
	}
	return m
}

// writeMaps runs newuidmap and newgidmap for pid.
func writeMaps(pid int, ids IDMap) error {
	for _, m := range []struct {
		tool string
		rs   []IDRange
	}{{"newuidmap", ids.UIDs}, {"newgidmap", ids.GIDs}} {
		args := append([]string{strconv.Itoa(pid)}, mapArgs(m.rs)...)
		if out, err := exec.Command(m.tool, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("sandbox: %s %s: %v: %s (check your lines in /etc/subuid and /etc/subgid)", m.tool, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// readEvents delivers events until the helper closes its end; an "error"
// event becomes the helper's error.
func (h *Helper) readEvents(r *os.File, on func(Event), done chan<- struct{}) {
	defer close(done)
	defer r.Close()
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 16<<20)
	for s.Scan() {
		var ev Event
		if json.Unmarshal(s.Bytes(), &ev) != nil {
			continue
		}
		if ev.Kind == eventError {
			var msg string
			ev.Decode(&msg)
			h.jobErr = errors.New(msg)
			continue
		}
		if on != nil {
			on(ev)
		}
	}
}

const eventError = "kiln.error"

// Pid is the helper's pid on the host.
func (h *Helper) Pid() int { return h.cmd.Process.Pid }

// Done is closed when the helper has exited.
func (h *Helper) Done() <-chan struct{} { return h.done }

// Wait returns the job's exit code and its error, if it returned one.
func (h *Helper) Wait() (int, error) {
	<-h.done
	if h.jobErr != nil {
		return h.code, h.jobErr
	}
	return h.code, h.err
}

// Signal forwards sig to the helper (SIGTERM/SIGINT cancel the job).
func (h *Helper) Signal(sig os.Signal) {
	select {
	case <-h.done:
	default:
		h.cmd.Process.Signal(sig)
	}
}

// Stop asks the job to stop (SIGTERM; it stops its container within its
// own grace) and kills the helper if it has not exited after grace: that
// ends every process in it.
func (h *Helper) Stop(grace time.Duration) {
	h.Signal(syscall.SIGTERM)
	select {
	case <-h.done:
	case <-time.After(grace):
		h.cmd.Process.Kill()
		<-h.done
	}
}
