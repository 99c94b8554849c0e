package registry

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// A detached server is this executable started again with these variables
// set (and nothing else to do): ServeIfSpawned finds them and serves.
const (
	envServeDir  = "KILN_REGISTRY_SERVE_DIR"
	envServeAddr = "KILN_REGISTRY_SERVE_ADDR"
	envServeIdle = "KILN_REGISTRY_SERVE_IDLE_EXIT"
)

// ServeIfSpawned lets Open start missing servers as detached processes of
// this executable. Call it first thing in main (and in TestMain): in a
// process Open started as a server it serves until idle or stopped, then
// exits; anywhere else it returns at once.
func ServeIfSpawned() {
	dir, ok := os.LookupEnv(envServeDir)
	if !ok {
		spawnable.Store(true)
		return
	}
	addr, idleS := os.Getenv(envServeAddr), os.Getenv(envServeIdle)
	for _, k := range []string{envServeDir, envServeAddr, envServeIdle} {
		os.Unsetenv(k)
	}
	idle, err := time.ParseDuration(idleS)
	if err != nil {
		idle = DefaultIdleExit
	}
	os.Exit(serveDetached(dir, addr, idle))
}

// ServeDetached starts a detached server for dir (what `kiln registry serve
// --background` does); idle 0 keeps it until `kiln registry stop`. It
// returns once the server answers.
func ServeDetached(dir, addr string, idle time.Duration) (*Registry, error) {
	if idle <= 0 {
		idle = -1 // Options' "never"
	}
	return OpenWith(dir, Options{Addr: addr, Detach: true, IdleExit: idle})
}

func serveDetached(dir, addr string, idle time.Duration) int {
	logger := log.New(os.Stderr, "", log.LstdFlags)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	err := Serve(ctx, dir, ServeOptions{Addr: addr, IdleExit: idle, Ready: func(a string) {
		logger.Printf("kiln registry: pid %d serves %s on %s (idle exit: %v)", os.Getpid(), dir, a, idle)
	}})
	switch {
	case errors.Is(err, ErrServed):
		return 0 // another process won the race: the client attaches to it
	case err != nil:
		logger.Printf("kiln registry: %v", err)
		return 1
	}
	logger.Printf("kiln registry: pid %d stopped", os.Getpid())
	return 0
}

// spawned is a server process this one started; done gets its exit.
type spawned struct {
	pid  int
	done chan error
}

// spawn starts this executable as a detached server of dir (own session,
// output appended to <dir>/server.log).
func spawn(dir string, o Options) (*spawned, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("registry: finding this executable to start the server: %w", err)
	}
	idle := o.IdleExit
	switch {
	case idle == 0:
		idle = DefaultIdleExit
	case idle < 0:
		idle = 0 // never
	}
	logf, err := os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envServeDir+"="+dir, envServeAddr+"="+o.Addr, envServeIdle+"="+idle.String())
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("registry: starting the server (%s): %w", exe, err)
	}
	child := &spawned{pid: cmd.Process.Pid, done: make(chan error, 1)}
	go func() { child.done <- cmd.Wait() }()
	return child, nil
}
