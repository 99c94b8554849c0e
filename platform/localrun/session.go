package localrun

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"kiln.dev/kiln/platform/daprsidecar"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/regclient"
	"kiln.dev/kiln/platform/registry"
	"kiln.dev/kiln/platform/runner"
)

// Session is one kiln run.
type Session struct {
	Image string
	Args  []string
	Home  home.Dir
	// RegistryAddr is the embedded registry's address ("" = remembered,
	// else KILN_REGISTRY_ADDR, else a free port).
	RegistryAddr   string
	Port           int
	PublishAddress string
	HostPorts      []int
	Env            []string // K=V (MergeEnv)
	StateDir       string
	Grace          time.Duration
	Dapr           *Dapr // nil: no daprd
	Out            io.Writer
	Stdout, Stderr io.Writer // the function's
	// Ready is called once the function accepts connections, with its URL.
	Ready func(url string)
}

// Result is how a run ended.
type Result struct {
	Code    int  // the function's exit code
	Stopped bool // ctx ended it (Ctrl-C), not the function
}

// Run runs the session until the function exits or ctx ends.
func (s *Session) Run(ctx context.Context) (Result, error) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	out := func(format string, a ...any) { fmt.Fprintf(s.Out, format, a...) }
	env, hostPorts, port := s.Env, append([]int(nil), s.HostPorts...), s.Port
	var sidecar *daprsidecar.Sidecar
	launchDapr := func() error { return nil }
	var daprFailed atomic.Value // the error that ended the run early, if daprd did
	if s.Dapr != nil {
		var err error
		if sidecar, env, launchDapr, err = s.Dapr.prepare(s.Home, s.Image, s.Port, s.Env, out); err != nil {
			return Result{}, err
		}
		defer sidecar.Stop(s.Grace)
		port = sidecar.AppPort
		hostPorts = append(hostPorts, sidecar.HTTPPort, sidecar.GRPCPort)
	}
	code, err := runner.Run(ctx, runner.Options{
		Image: s.Image, Home: s.Home, Port: port, PublishAddress: s.PublishAddress, HostPorts: hostPorts,
		Env: env, Args: s.Args, StateDir: s.StateDir, Grace: s.Grace,
		Out: s.Out, Stdout: s.Stdout, Stderr: s.Stderr,
		// An image kiln already flattened starts from local storage; only
		// otherwise is the embedded registry served to pull it.
		Qualify: s.qualify,
		Ready: func(url string, _ time.Duration) {
			os.Unsetenv(regclient.AuthEnv) // pulled: daprd need not inherit credentials
			if s.Ready != nil {
				s.Ready(url)
			}
			if err := launchDapr(); err != nil {
				daprFailed.Store(err)
				stop()
				return
			}
			if sidecar != nil {
				go func() { // daprd dying (a bad component, say) ends the run
					select {
					case <-sidecar.Done():
						daprFailed.Store(fmt.Errorf("daprd exited (%v); its log is above", sidecar.Err()))
						stop()
					case <-ctx.Done():
					}
				}()
			}
		},
	})
	if err != nil {
		return Result{}, err
	}
	if err, ok := daprFailed.Load().(error); ok {
		return Result{}, err
	}
	return Result{Code: code, Stopped: ctx.Err() != nil}, nil
}

// qualify serves (or attaches to) the embedded registry and names image in
// it; another registry's image gets the Docker config's credentials,
// resolved here for the sandbox helper that pulls it.
func (s *Session) qualify(image string) (string, func(), error) {
	addr := s.RegistryAddr
	if addr == "" {
		addr = os.Getenv("KILN_REGISTRY_ADDR")
	}
	reg, err := registry.Open(s.Home.Registry(), addr)
	if err != nil {
		return "", nil, err
	}
	ref := reg.Ref(image)
	if !strings.HasPrefix(ref, reg.Addr+"/") {
		if err := regclient.ExportAuth(ref); err != nil {
			reg.Close()
			return "", nil, err
		}
	}
	return ref, func() { reg.Close() }, nil
}
