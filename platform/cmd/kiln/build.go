package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/buildrequest"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/localbuild"
	"kiln.dev/kiln/platform/regclient"
	"kiln.dev/kiln/platform/sandbox"
)

func newBuildCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "build [DIR]",
		Short: "Build a function or app into an image",
		Long: "Build the source in DIR (default: the current directory) into an image with Cloud Native Buildpacks.\n\n" +
			"On a terminal the build's log goes to stdout; piped (or with --output json), stdout carries only the result\n" +
			"(the image reference with its digest, or one JSON object) and the log goes to stderr.",
		Example: "  kiln build samples/go/hello --target HelloWorld\n  kiln build . -t fn -e BP_GO_VERSION=1.25.12 -o json",
		Args: func(_ *cobra.Command, pos []string) error {
			if len(pos) > 1 {
				return usageError{fmt.Sprintf("kiln build takes one directory, got %q", pos)}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	target := fs.StringP("target", "t", "", "function to serve (sets FUNC_NAME); omit to build a plain program")
	signature := fs.String("signature", "", "function signature: http, cloudevent or openfunction (sets FUNC_SIGNATURE_TYPE; default: from the source)")
	builder := fs.String("builder", "", "builder image (default: picked from the source by platform/detect: kiln/builder-go, -node, -python or -java, in the embedded registry)")
	image := fs.String("image", "", "output image (default: the directory's name, in the embedded registry)")
	output := fs.StringP("output", "o", "text", "what stdout gets: text, or json (one object: image, digest, size, phases, cache hits)")
	clearCache := fs.Bool("clear-cache", false, "start from an empty build cache")
	isolated := fs.Bool("isolated-cache", false, "keep toolchains and Go caches in this app's own CNB cache layers, not the machine-wide $KILN_HOME/deps")
	layoutDir := fs.String("layout", "", "export to an OCI image layout in this directory instead of the registry")
	regAddr := fs.String("registry-addr", "", "embedded registry address (default: remembered, else a free loopback port; env KILN_REGISTRY_ADDR)")
	var env envFlag
	fs.VarP(&env, "env", "e", "build-time env var K=V for the buildpacks (repeatable), e.g. --env BP_GO_VERSION=1.25.12")
	var envFiles []string
	fs.StringArrayVar(&envFiles, "env-file", nil, "build-time env vars from `FILE`, one KEY=VALUE a line (repeatable; # comments; --env wins over it, it wins over project.toml)")
	var hostPorts portsFlag
	fs.Var(&hostPorts, "allow-host-port", "let the build reach this host loopback port at 127.0.0.1:PORT (repeatable; a package mirror on the host). Reduces isolation: the build can talk to whatever listens there")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to push to or pull the builder from over plain HTTP (repeatable; loopback registries need not be named). Credentials come from the Docker config (docker login)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		return c.build(cmd.Context(), buildFlags{
			pos: pos, target: *target, signature: *signature, builder: *builder, image: *image, output: *output,
			clearCache: *clearCache, isolated: *isolated, layoutDir: *layoutDir, regAddr: *regAddr,
			env: env, envFiles: envFiles, hostPorts: hostPorts, insecure: insecure,
		})
	}
	return cmd
}

// buildFlags are kiln build's parsed flags.
type buildFlags struct {
	pos                                                  []string
	target, signature, builder, image, output, layoutDir string
	regAddr                                              string
	clearCache, isolated                                 bool
	env                                                  envFlag
	envFiles                                             []string
	hostPorts                                            portsFlag
	insecure                                             listFlag
}

func (c *cli) build(ctx context.Context, f buildFlags) error {
	if f.output != "text" && f.output != "json" {
		return usageError{fmt.Sprintf("--output %q: use text or json", f.output)}
	}
	if err := regclient.ExportInsecure(f.insecure); err != nil {
		return usageError{err.Error()}
	}
	if f.signature != "" && !slices.Contains(buildrequest.Signatures, f.signature) {
		return usageError{fmt.Sprintf("--signature %q: use http, cloudevent or openfunction", f.signature)}
	}
	dir := "."
	if len(f.pos) == 1 {
		dir = f.pos[0]
	}
	plan, err := buildrequest.Resolve(buildrequest.Request{
		Dir: dir, Image: f.image, Builder: f.builder, Target: f.target, Signature: f.signature,
		Env: f.env.kv, EnvFiles: f.envFiles, LookupEnv: os.LookupEnv,
	})
	if err != nil {
		return err
	}
	// Say what is missing (subordinate ids, uidmap) before touching KILN_HOME.
	if _, err := sandbox.CurrentIDMap(); err != nil {
		return err
	}
	log := c.buildLog(f.output)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := localbuild.Build(ctx, localbuild.Options{
		Plan: plan, Home: home.Default(), RegistryAddr: f.regAddr, LayoutDir: f.layoutDir, HostPorts: f.hostPorts.ports,
		ClearCache: f.clearCache, Isolated: f.isolated, LogLevel: c.logLevel(), Log: log,
	})
	var hp *localbuild.HostPortError
	if errors.As(err, &hp) {
		return usageError{hp.Error()}
	}
	if err != nil {
		return err
	}
	fmt.Fprint(log, res.Summary())
	if res.Layout != "" {
		fmt.Fprintf(log, "    push it:    crane push %s REGISTRY/%s\n", res.Layout, plan.Image)
	} else {
		fmt.Fprintf(log, "    run it:     kiln run %s\n", plan.Image)
	}
	switch {
	case f.output == "json":
		return writeBuildJSON(c.stdout, res)
	case log != c.stdout:
		_, err := fmt.Fprintln(c.stdout, imageReference(res))
		return err
	}
	return nil
}

// buildLog is where kiln build's log goes: on a terminal the log is the
// output; piped or as JSON, stdout carries only the result and the log goes
// to stderr; --quiet drops it.
func (c *cli) buildLog(output string) io.Writer {
	switch {
	case c.quiet:
		return io.Discard
	case output == "json" || !isTerminal(c.stdout):
		return c.stderr
	}
	return c.stdout
}

func ensure(dir string) string {
	os.MkdirAll(dir, 0o755)
	return dir
}
