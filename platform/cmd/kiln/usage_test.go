package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// cliResult is one in-process kiln invocation.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs kiln's command line in-process with a throwaway KILN_HOME.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	t.Setenv("KILN_HOME", t.TempDir())
	t.Setenv("KILN_REGISTRY_ADDR", "")
	var stdout, stderr bytes.Buffer
	code := execute(args, &stdout, &stderr)
	return cliResult{code, stdout.String(), stderr.String()}
}

// Every usage error exits 2 with a message on stderr that says what to type,
// and prints nothing on stdout.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Available Commands:"},
		{[]string{"bogus"}, `unknown command "bogus" (kiln --help lists the commands)`},
		{[]string{"--bogus"}, "kiln: unknown flag: --bogus (kiln --help lists its flags)"},
		{[]string{"registry", "gc", "--grace", "soon"}, `kiln registry gc: invalid argument "soon" for "--grace" flag`},
		{[]string{"biuld"}, `unknown command "biuld": did you mean build?`},
		{[]string{"build", "a", "b"}, `kiln build takes one directory, got ["a" "b"]`},
		{[]string{"build", "--signature", "bogus", "."}, `--signature "bogus": use http, cloudevent or openfunction`},
		{[]string{"build", "--output", "yaml", "."}, `--output "yaml": use text or json`},
		{[]string{"build", "--no-such-flag"}, "kiln build: unknown flag: --no-such-flag (kiln build --help lists its flags)"},
		{[]string{"build", "-x"}, "kiln build: unknown shorthand flag: 'x' in -x (kiln build --help lists its flags)"},
		{[]string{"build", "-q", "-v", "."}, "--quiet and --verbose: pick one"},
		{[]string{"run"}, "kiln run needs an image: kiln run IMAGE"},
		{[]string{"run", "--port"}, "kiln run: flag needs an argument: --port (kiln run --help lists its flags)"},
		{[]string{"run", "img", "-p", "eighty"}, `invalid argument "eighty" for "-p, --port"`},
		{[]string{"run", "img", "--env", "=x"}, `want KEY=VALUE`},
		{[]string{"run", "img", "--dapr", "components"}, "--dapr needs the function's FUNC_CONTEXT"},
		{[]string{"run", "img", "--dapr", "c", "--func-context", "{}", "--app-protocol", "tcp"}, `--app-protocol="tcp": use grpc or http`},
		{[]string{"render"}, "kiln render: -f FILE is required"},
		{[]string{"convert"}, "kiln convert: -f FILE is required"},
		{[]string{"stack"}, "kiln stack build | kiln stack lock"},
		{[]string{"stack", "bake"}, `unknown stack command "bake": build, lock`},
		{[]string{"registry"}, "kiln registry serve | address | stop | gc | du"},
		{[]string{"registry", "nuke"}, `unknown registry command "nuke"`},
		{[]string{"buildpack"}, "kiln buildpack package [--source DIR] [--out DIR]"},
		{[]string{"builder"}, "kiln builder create [go|node|python|java]"},
		{[]string{"builder", "create", "go", "node", "--tag", "x/y:z"}, "--tag names one builder"},
		{[]string{"completion"}, "kiln completion bash|zsh|fish: name one shell"},
		{[]string{"completion", "tcsh"}, "kiln completion bash|zsh|fish: name one shell"},
		{[]string{"version", "extra"}, "kiln version takes no arguments"},
	} {
		t.Run(strings.Join(append([]string{"kiln"}, tc.args...), " "), func(t *testing.T) {
			r := runCLI(t, tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d (usage); stderr:\n%s", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("a usage error printed on stdout:\n%s", r.stdout)
			}
		})
	}
}

// --help and -h exit 0 and print the help on stdout, for every command.
func TestHelpGoesToStdout(t *testing.T) {
	root := newRootCmd(&cli{})
	var paths [][]string
	paths = append(paths, nil)
	for _, c := range root.Commands() {
		paths = append(paths, []string{c.Name()})
		for _, s := range c.Commands() {
			paths = append(paths, []string{c.Name(), s.Name()})
		}
	}
	for _, p := range paths {
		for _, h := range []string{"--help", "-h"} {
			args := append(append([]string{}, p...), h)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r := runCLI(t, args...)
				if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "Usage:") {
					t.Errorf("exit %d; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
				}
			})
		}
	}
}

// The short flags people expect from pack and func.
func TestShortFlags(t *testing.T) {
	root := newRootCmd(&cli{})
	for _, tc := range []struct{ cmd, short, long string }{
		{"build", "t", "target"}, {"build", "e", "env"}, {"build", "o", "output"},
		{"run", "p", "port"}, {"run", "e", "env"},
		{"build", "q", "quiet"}, {"run", "v", "verbose"},
		{"render", "f", "file"}, {"convert", "f", "file"},
	} {
		cmd, _, err := root.Find([]string{tc.cmd})
		if err != nil {
			t.Fatal(err)
		}
		f := cmd.Flags().ShorthandLookup(tc.short)
		if f == nil {
			f = cmd.InheritedFlags().ShorthandLookup(tc.short)
		}
		if f == nil || f.Name != tc.long {
			t.Errorf("kiln %s -%s is %v, want --%s", tc.cmd, tc.short, f, tc.long)
		}
	}
}

// Arguments after -- stay positional: kiln run IMAGE -- -x hands -x to the
// function, never to kiln's flag parser.
func TestRunKeepsArgumentsAfterTheTerminator(t *testing.T) {
	for _, tc := range []struct {
		args, pos []string
		port      int
	}{
		{[]string{"img"}, []string{"img"}, 0},
		{[]string{"img", "--port", "9"}, []string{"img"}, 9},
		{[]string{"-p", "9", "img", "a"}, []string{"img", "a"}, 9},
		{[]string{"img", "--", "-x", "--port", "7"}, []string{"img", "-x", "--port", "7"}, 0},
		{[]string{"--port", "9", "--", "img", "-x", "--help"}, []string{"img", "-x", "--help"}, 9},
	} {
		cmd := newRunCmd(&cli{})
		var got []string
		port := cmd.Flags().Lookup("port")
		cmd.RunE = func(_ *cobra.Command, pos []string) error { got = pos; return nil }
		cmd.SetArgs(tc.args)
		cmd.SetOut(new(bytes.Buffer))
		if err := cmd.Execute(); err != nil || strings.Join(got, " ") != strings.Join(tc.pos, " ") || port.Value.String() != strconv.Itoa(tc.port) {
			t.Errorf("kiln run %q: args %q, port %s, %v; want %q, port %d", tc.args, got, port.Value, err, tc.pos, tc.port)
		}
	}
}

// Colour only on a terminal and never with NO_COLOR: a buffer or a pipe is
// no terminal, and NO_COLOR or TERM=dumb win even on one.
func TestColour(t *testing.T) {
	env := func(kv map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
	}
	_, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	cases := []struct {
		name string
		w    io.Writer
		env  map[string]string
		want bool
	}{
		{"buffer", new(bytes.Buffer), nil, false},
		{"pipe", pw, nil, false},
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil { // only where the test has a terminal
		defer tty.Close()
		cases = append(cases, []struct {
			name string
			w    io.Writer
			env  map[string]string
			want bool
		}{
			{"tty", tty, nil, true},
			{"tty with NO_COLOR", tty, map[string]string{"NO_COLOR": "1"}, false},
			{"tty with TERM=dumb", tty, map[string]string{"TERM": "dumb"}, false},
		}...)
	}
	for _, tc := range cases {
		if got := colourOn(tc.w, env(tc.env)); got != tc.want {
			t.Errorf("%s: colour %v, want %v", tc.name, got, tc.want)
		}
	}
}

// kiln init writes the scaffold and says how to test and build it; bad
// languages and signatures are usage errors.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hello")
	r := runCLI(t, "init", "python", dir, "--signature", "cloudevent")
	if r.code != 0 || !strings.Contains(r.stdout, "main.py") || !strings.Contains(r.stdout, "--target on_event --signature cloudevent") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "test_main.py")); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"init"}, 2, "kiln init LANG [DIR]"},
		{[]string{"init", "cobol", dir}, 2, `language "cobol"`},
		{[]string{"init", "java", dir, "--signature", "openfunction"}, 2, "java functions take http or cloudevent"},
		{[]string{"init", "python", dir}, 1, "already exists"},
	} {
		if r := runCLI(t, tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("kiln %q: exit %d, stderr %q; want %d, %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
}
