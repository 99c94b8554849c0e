package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// TestMain lets a test run this binary as kiln itself: with KILN_CLI_TEST=1
// it is main() with the arguments after the test flags.
func TestMain(m *testing.M) {
	if os.Getenv("KILN_CLI_TEST") == "1" {
		os.Args = append([]string{"kiln"}, os.Args[len(os.Args)-cliArgCount():]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func cliArgCount() int {
	n := 0
	for _, a := range os.Args {
		if a == "--kiln-args" {
			return len(os.Args) - n - 1
		}
		n++
	}
	return 0
}

// kiln runs the CLI in a child process with a throwaway KILN_HOME and
// returns its exit code and stderr.
func kiln(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--kiln-args"}, args...)...)
	cmd.Env = append(os.Environ(), "KILN_CLI_TEST=1", "KILN_HOME="+t.TempDir(), "KILN_REGISTRY_ADDR=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stderr.String()
	}
	t.Fatal(err)
	return 0, ""
}

// Every usage error exits 2 with a message that says what to type.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Commands:"},
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"build", "a", "b"}, `kiln build takes one directory, got ["a" "b"]`},
		{[]string{"build", "--signature", "bogus", "."}, `--signature "bogus": use http, cloudevent or openfunction`},
		{[]string{"build", "--no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"run"}, "kiln run needs an image: kiln run IMAGE"},
		{[]string{"run", "--port"}, "flag needs an argument: -port"},
		{[]string{"render"}, "kiln render: -f FILE is required"},
		{[]string{"convert"}, "kiln convert: -f FILE is required"},
		{[]string{"stack"}, "kiln stack build | kiln stack lock"},
		{[]string{"stack", "bake"}, `unknown stack command "bake": build or lock`},
		{[]string{"registry"}, "kiln registry serve | address | stop | gc | du"},
		{[]string{"registry", "nuke"}, `unknown registry command "nuke"`},
		{[]string{"buildpack"}, "kiln buildpack package [--source DIR] [--out DIR]"},
		{[]string{"builder"}, "kiln builder create [go|node|python|java]"},
		{[]string{"builder", "create", "go", "node", "--tag", "x/y:z"}, "--tag names one builder"},
	} {
		t.Run(strings.Join(append([]string{"kiln"}, tc.args...), " "), func(t *testing.T) {
			code, stderr := kiln(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (usage); stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, stderr)
			}
		})
	}
}

func TestParseKeepsArgumentsAfterTheTerminator(t *testing.T) {
	for _, tc := range []struct {
		args, pos []string
		port      string
	}{
		{[]string{"img"}, []string{"img"}, ""},
		{[]string{"img", "--port", "9"}, []string{"img"}, "9"},
		{[]string{"--port", "9", "img", "a"}, []string{"img", "a"}, "9"},
		{[]string{"img", "--", "-x", "--port", "7"}, []string{"img", "-x", "--port", "7"}, ""},
		{[]string{"--port", "9", "--", "img", "-x"}, []string{"img", "-x"}, "9"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		port := fs.String("port", "", "")
		pos, err := parse(fs, tc.args)
		if err != nil || !reflect.DeepEqual(pos, tc.pos) || *port != tc.port {
			t.Errorf("parse(%q) = %q, port %q, %v; want %q, port %q", tc.args, pos, *port, err, tc.pos, tc.port)
		}
	}
}
