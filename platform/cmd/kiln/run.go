package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"kiln.dev/kiln/platform/daprsidecar"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/regclient"
	"kiln.dev/kiln/platform/runner"
	"kiln.dev/kiln/platform/sandbox"
)

func runRun(args []string) error {
	fs := newFlagSet("run", "run IMAGE [--port N] [--publish-address ADDR] [--env K=V]... [--dapr COMPONENTS_DIR [--func-context FILE]] [--insecure-registry HOST:PORT]... [-- ARGS]")
	port := fs.Int("port", 0, "host port the function is published on; it listens on the same port in its own network namespace (sets PORT; default: a free port)")
	publish := fs.String("publish-address", "127.0.0.1", "host address the port is published on (0.0.0.0: every interface)")
	stateDir := fs.String("state-dir", "", "keep the run's writable layer here (default: a temp dir removed on exit)")
	grace := fs.Duration("grace", 10*time.Second, "how long to wait after SIGTERM before killing the function")
	regAddr := fs.String("registry-addr", "", "embedded registry address (env KILN_REGISTRY_ADDR)")
	var env envFlag
	fs.Var(&env, "env", "runtime env var K=V (repeatable); host loopback addresses in the values (http://127.0.0.1:4318) are forwarded into the function")
	var hostPorts portsFlag
	fs.Var(&hostPorts, "allow-host-port", "let the function reach this host loopback port at 127.0.0.1:PORT (repeatable)")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to pull IMAGE from over plain HTTP (repeatable; loopback registries need not be named). Credentials come from the Docker config (docker login)")
	var dapr daprFlags
	dapr.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := regclient.ExportInsecure(insecure); err != nil {
		return usageError{err.Error()}
	}
	if len(pos) < 1 {
		return usageError{"kiln run needs an image: kiln run IMAGE (e.g. the name kiln build printed)"}
	}
	// Say what is missing (subordinate ids, uidmap) before touching KILN_HOME.
	if _, err := sandbox.CurrentIDMap(); err != nil {
		return err
	}
	h := home.Default()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	var sidecar *daprsidecar.Sidecar
	launchDapr := func() error { return nil }
	var daprFailed atomic.Value // the error that ended the run early, if daprd did
	if dapr.dir != "" {
		if sidecar, launchDapr, err = dapr.prepare(h, pos[0], *port, &env); err != nil {
			return err
		}
		defer sidecar.Stop(*grace)
		*port = sidecar.AppPort
		hostPorts.ports = append(hostPorts.ports, sidecar.HTTPPort, sidecar.GRPCPort)
	}
	fmt.Printf("==> Running %s\n", pos[0])
	code, err := runner.Run(ctx, runner.Options{
		Image: pos[0], Home: h, Port: *port, PublishAddress: *publish, HostPorts: hostPorts.ports,
		Env: env.kv, Args: pos[1:], StateDir: *stateDir, Grace: *grace,
		Out: os.Stdout, Stdout: os.Stdout, Stderr: os.Stderr,
		// An image kiln already flattened starts from local storage; only
		// otherwise is the embedded registry served to pull it.
		Qualify: func(image string) (string, func(), error) {
			reg, err := openRegistry(h, *regAddr)
			if err != nil {
				return "", nil, err
			}
			ref := reg.Ref(image)
			if !strings.HasPrefix(ref, reg.Addr+"/") {
				// Another registry: the sandbox helper pulls with the
				// Docker config's credentials, resolved here.
				if err := regclient.ExportAuth(ref); err != nil {
					reg.Close()
					return "", nil, err
				}
			}
			return ref, func() { reg.Close() }, nil
		},
		Ready: func(url string, d time.Duration) {
			os.Unsetenv(regclient.AuthEnv) // pulled: daprd need not inherit credentials
			fmt.Printf("==> Serving on %s (ready %s after kiln run)\n", url, time.Since(start).Round(time.Millisecond))
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
		return err
	}
	if err, ok := daprFailed.Load().(error); ok {
		return err
	}
	if ctx.Err() != nil {
		fmt.Println("==> Stopped")
		return nil
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "kiln: the function exited with code %d\n", code)
		return exitStatus{code}
	}
	return nil
}
