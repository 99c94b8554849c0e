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
