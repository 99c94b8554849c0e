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

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/daprsidecar"
	"kiln.dev/kiln/platform/envfile"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/regclient"
	"kiln.dev/kiln/platform/runner"
	"kiln.dev/kiln/platform/sandbox"
)

func newRunCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run IMAGE [-- ARGS...]",
		Short: "Serve an image locally",
		Long: "Run IMAGE (a name kiln build printed, or any registry reference) in a sandbox and publish its port.\n" +
			"Arguments after -- go to the function unparsed. kiln run exits with the function's exit code.",
		Example: "  kiln run hello -p 8080\n  kiln run hello -e GREETING=hi -- --flag-for-the-app",
		Args: func(_ *cobra.Command, pos []string) error {
			if len(pos) < 1 {
				return usageError{"kiln run needs an image: kiln run IMAGE (e.g. the name kiln build printed)"}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	o := runFlags{}
	fs.IntVarP(&o.port, "port", "p", 0, "host port the function is published on; it listens on the same port in its own network namespace (sets PORT; default: a free port)")
	fs.StringVar(&o.publish, "publish-address", "127.0.0.1", "host address the port is published on (0.0.0.0: every interface)")
	fs.VarP(&o.env, "env", "e", "runtime env var K=V (repeatable); host loopback addresses in the values (http://127.0.0.1:4318) are forwarded into the function")
	fs.StringArrayVar(&o.envFiles, "env-file", nil, "runtime env vars from `FILE`, one KEY=VALUE a line (repeatable; # comments; --env wins over it)")
	fs.StringVar(&o.stateDir, "state-dir", "", "keep the run's writable layer here (default: a temp dir removed on exit)")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "how long to wait after SIGTERM before killing the function")
	fs.StringVar(&o.regAddr, "registry-addr", "", "embedded registry address (env KILN_REGISTRY_ADDR)")
	fs.Var(&o.hostPorts, "allow-host-port", "let the function reach this host loopback port at 127.0.0.1:PORT (repeatable)")
	fs.Var(&o.insecure, "insecure-registry", "registry (host:port) to pull IMAGE from over plain HTTP (repeatable; loopback registries need not be named). Credentials come from the Docker config (docker login)")
	o.dapr.register(fs)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error { return c.run(pos, o) }
	return cmd
}

// runFlags are kiln run's parsed flags.
type runFlags struct {
	port                       int
	publish, stateDir, regAddr string
	grace                      time.Duration
	env                        envFlag
	envFiles                   []string
	hostPorts                  portsFlag
	insecure                   listFlag
	dapr                       daprFlags
}

func (c *cli) run(pos []string, o runFlags) error {
	if err := regclient.ExportInsecure(o.insecure); err != nil {
		return usageError{err.Error()}
	}
	var fromFiles []string
	for _, f := range o.envFiles {
		vars, err := envfile.ReadFile(f, os.LookupEnv)
		if err != nil {
			return err
		}
		for _, v := range vars {
			fromFiles = append(fromFiles, v.Name+"="+v.Value)
		}
	}
	o.env.kv = lastWins(append(fromFiles, o.env.kv...))
	// Say what is missing (subordinate ids, uidmap) before touching KILN_HOME.
	if _, err := sandbox.CurrentIDMap(); err != nil {
		return err
	}
	h := home.Default()
	var err error
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	var sidecar *daprsidecar.Sidecar
	launchDapr := func() error { return nil }
	var daprFailed atomic.Value // the error that ended the run early, if daprd did
	if o.dapr.dir != "" {
		if sidecar, launchDapr, err = o.dapr.prepare(h, pos[0], o.port, &o.env); err != nil {
			return err
		}
		defer sidecar.Stop(o.grace)
		o.port = sidecar.AppPort
		o.hostPorts.ports = append(o.hostPorts.ports, sidecar.HTTPPort, sidecar.GRPCPort)
	}
	fmt.Fprintf(c.stdout, "%s %s\n", c.paint(c.stdout, bold, "==> Running"), pos[0])
	code, err := runner.Run(ctx, runner.Options{
		Image: pos[0], Home: h, Port: o.port, PublishAddress: o.publish, HostPorts: o.hostPorts.ports,
		Env: o.env.kv, Args: pos[1:], StateDir: o.stateDir, Grace: o.grace,
		Out: c.stdout, Stdout: os.Stdout, Stderr: os.Stderr,
		// An image kiln already flattened starts from local storage; only
		// otherwise is the embedded registry served to pull it.
		Qualify: func(image string) (string, func(), error) {
			reg, err := openRegistry(h, o.regAddr)
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
			fmt.Fprintf(c.stdout, "%s %s (ready %s after kiln run)\n", c.paint(c.stdout, green, "==> Serving on"), url, time.Since(start).Round(time.Millisecond))
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
		fmt.Fprintln(c.stdout, "==> Stopped")
		return nil
	}
	if code != 0 {
		fmt.Fprintf(c.stderr, "kiln: the function exited with code %d\n", code)
		return exitStatus{code}
	}
	return nil
}

// lastWins drops earlier K=V entries whose K comes again (an --env over an
// --env-file line), keeping the order of the survivors.
func lastWins(kv []string) []string {
	last := map[string]int{}
	for i, e := range kv {
		k, _, _ := strings.Cut(e, "=")
		last[k] = i
	}
	var out []string
	for i, e := range kv {
		if k, _, _ := strings.Cut(e, "="); last[k] == i {
			out = append(out, e)
		}
	}
	return out
}
