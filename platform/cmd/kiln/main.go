// Command kiln builds functions into OCI images with Cloud Native Buildpacks
// and runs them, with no Docker daemon and no cluster.
package main

import (
	"errors"
	"fmt"
	"os"

	"kiln.dev/kiln/platform/lifecycle"
	"kiln.dev/kiln/platform/sandbox"
)

// Exit codes (documented in the README).
const (
	exitError = 1
	exitUsage = 2
)

type command struct {
	name, summary string
	run           func(args []string) error
}

var commands = []command{
	{"build", "build a function or app into an image: kiln build [DIR] --target NAME", runBuild},
	{"run", "serve an image locally: kiln run IMAGE [--port N] [--env K=V]", runRun},
	{"registry", "the embedded registry: kiln registry serve|address|stop|gc|du", runRegistry},
	{"stack", "stack images from pinned .debs: kiln stack build|lock", runStack},
	{"buildpack", "compile Kiln's buildpacks: kiln buildpack package", runBuildpack},
	{"builder", "create a builder image: kiln builder create [go node python java]", runBuilder},
	{"publish", "push stacks, buildpacks, builders and the controller: kiln publish --registry REG --version V", runPublish},
	{"rebase", "move an app image onto a new run image: kiln rebase IMAGE [--run-image REF]", runRebase},
	{"sbom", "list or extract an image's SBOMs: kiln sbom IMAGE [--output-dir DIR]", runSBOM},
	{"version", "print kiln's version and its pinned lifecycle and pack", runVersion},
	{"render", "print the Kubernetes objects the controller makes of a Function: kiln render -f fn.yaml", runRender},
	{"convert", "turn an OpenFunction Function into a Kiln Function: kiln convert -f of.yaml", runConvert},
}

func main() {
	sandbox.MaybeInit()
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(exitUsage)
	}
	for _, c := range commands {
		if c.name == os.Args[1] {
			os.Exit(exitCode(c.run(os.Args[2:])))
		}
	}
	fmt.Fprintf(os.Stderr, "kiln: unknown command %q\n\n", os.Args[1])
	usage()
	os.Exit(exitUsage)
}

func usage() {
	fmt.Fprintln(os.Stderr, "kiln: build serverless functions into OCI images and run them, no Docker needed.\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(os.Stderr, "\nState lives in $KILN_HOME (default ~/.cache/kiln). See README.md for flags, env vars and exit codes.")
}

// usageError is a bad invocation (exit 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// exitStatus carries a specific exit code (the lifecycle's, the function's).
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit %d", e.code) }

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ue usageError
	var es exitStatus
	var le *lifecycle.Error
	switch {
	case errors.As(err, &es):
		return es.code
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "kiln:", err)
		return exitUsage
	case errors.As(err, &le):
		fmt.Fprintln(os.Stderr, "kiln: build failed:", le.Message)
		return le.Code
	}
	fmt.Fprintln(os.Stderr, "kiln:", err)
	return exitError
}
