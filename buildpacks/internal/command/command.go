package command

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Command is one program run by the buildpack.
type Command struct {
	Args   []string
	Dir    string
	Env    []string
	Stdout io.Writer
	Stderr io.Writer
}

// Executor runs commands; tests record them instead.
type Executor interface {
	Run(c Command) error
}

// ExecExecutor runs commands for real.
type ExecExecutor struct{}

// Run executes c and returns an error carrying its stderr tail.
func (ExecExecutor) Run(c Command) error {
	cmd := exec.Command(c.Args[0], c.Args[1:]...)
	cmd.Dir, cmd.Env, cmd.Stdout = c.Dir, c.Env, c.Stdout
	var tail bytes.Buffer
	cmd.Stderr = io.MultiWriter(c.Stderr, &tail)
	if c.Stdout == c.Stderr {
		// One writer for both, so exec serializes the writes.
		cmd.Stdout = cmd.Stderr
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("`%s` failed (%v):\n%s", strings.Join(c.Args, " "), err, strings.TrimSpace(tail.String()))
	}
	return nil
}

// Output runs args in dir with env and returns stdout and stderr combined;
// on failure the error carries that output (or the exec error when there is
// none), so callers can wrap it into a message for the user.
func Output(e Executor, dir string, env []string, args ...string) (string, error) {
	var out bytes.Buffer
	if err := e.Run(Command{Args: args, Dir: dir, Env: env, Stdout: &out, Stderr: &out}); err != nil {
		detail := strings.TrimSpace(out.String())
		if detail == "" {
			detail = err.Error()
		}
		return out.String(), fmt.Errorf("%s", detail)
	}
	return out.String(), nil
}
