package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// ANSI colours kiln uses.
const (
	red   = "31"
	green = "32"
	bold  = "1"
)

// isTerminal says whether w is a terminal (a file whose termios reads).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// colourOn says whether to colour what goes to w: only on a terminal, never
// with NO_COLOR set (https://no-color.org) or TERM=dumb.
func colourOn(w io.Writer, env func(string) (string, bool)) bool {
	if v, set := env("NO_COLOR"); set && v != "" {
		return false
	}
	if t, _ := env("TERM"); t == "dumb" {
		return false
	}
	return isTerminal(w)
}

// paint wraps s in the colour code when w takes colour.
func (c *cli) paint(w io.Writer, code, s string) string {
	if !colourOn(w, os.LookupEnv) {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
