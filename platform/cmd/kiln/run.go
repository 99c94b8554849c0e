package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/envfile"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/localrun"
	"kiln.dev/kiln/platform/regclient"
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
	var files [][]envfile.Var
	for _, f := range o.envFiles {
		vars, err := envfile.ReadFile(f, os.LookupEnv)
		if err != nil {
			return err
		}
		files = append(files, vars)
	}
	env := localrun.MergeEnv(files, o.env.kv)
	dapr := o.dapr.session()
	if dapr != nil {
		if err := dapr.Check(env); err != nil {
			return usageError{err.Error()}
		}
	}
	// Say what is missing (subordinate ids, uidmap) before touching KILN_HOME.
	if _, err := sandbox.CurrentIDMap(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	fmt.Fprintf(c.stdout, "%s %s\n", c.paint(c.stdout, bold, "==> Running"), pos[0])
	s := &localrun.Session{
		Image: pos[0], Args: pos[1:], Home: home.Default(), RegistryAddr: o.regAddr,
		Port: o.port, PublishAddress: o.publish, HostPorts: o.hostPorts.ports, Env: env,
		StateDir: o.stateDir, Grace: o.grace, Dapr: dapr,
		Out: c.stdout, Stdout: os.Stdout, Stderr: os.Stderr,
		Ready: func(url string) {
			fmt.Fprintf(c.stdout, "%s %s (ready %s after kiln run)\n", c.paint(c.stdout, green, "==> Serving on"), url, time.Since(start).Round(time.Millisecond))
		},
	}
	res, err := s.Run(ctx)
	switch {
	case err != nil:
		return err
	case res.Stopped:
		fmt.Fprintln(c.stdout, "==> Stopped")
		return nil
	case res.Code != 0:
		fmt.Fprintf(c.stderr, "kiln: the function exited with code %d\n", res.Code)
		return exitStatus{res.Code}
	}
	return nil
}
