// Command kiln builds functions into OCI images with Cloud Native Buildpacks
// and runs them, with no Docker daemon and no cluster.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"kiln.dev/kiln/platform/lifecycle"
	"kiln.dev/kiln/platform/sandbox"
)

// Exit codes (documented in the README): 0 ok, 1 error, 2 usage; a failed
// build exits with the lifecycle's code, kiln run with the function's.
const (
	exitError = 1
	exitUsage = 2
)

func main() {
	sandbox.MaybeInit()
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs the CLI with args and returns the exit code; tests call it
// with buffers for stdout and stderr.
func execute(args []string, stdout, stderr io.Writer) int {
	c := &cli{stdout: stdout, stderr: stderr}
	root := newRootCmd(c)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err != nil && !c.ran {
		// cobra refused the invocation (an unknown command, flag or
		// argument count) before any command ran: a usage error.
		var ue usageError
		if !errors.As(err, &ue) {
			err = usageError{err.Error()}
		}
	}
	return c.exitCode(err)
}

// usageError is a bad invocation (exit 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// exitStatus carries a specific exit code (the lifecycle's, the function's).
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exitCode prints err (if any) on stderr and says what kiln exits with.
func (c *cli) exitCode(err error) int {
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
		fmt.Fprintln(c.stderr, c.paint(c.stderr, red, "kiln:"), err)
		return exitUsage
	case errors.As(err, &le):
		fmt.Fprintln(c.stderr, c.paint(c.stderr, red, "kiln: build failed:"), le.Message)
		return le.Code
	}
	fmt.Fprintln(c.stderr, c.paint(c.stderr, red, "kiln:"), err)
	return exitError
}
