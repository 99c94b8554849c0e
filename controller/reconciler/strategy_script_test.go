package reconciler

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrategyScript runs the ClusterBuildStrategy's step script with sh,
// the lifecycle's creator replaced by a fake that prints a build's output:
// a failed build reports its error lines (the compiler's) as
// shp-error-message, bounded; a good one reports the digest.
func TestStrategyScript(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	s := kilnStrategy(t)
	if len(s.Spec.Steps) != 1 || len(s.Spec.Steps[0].Args) != 2 {
		t.Fatalf("want one step running sh -c SCRIPT, got %+v", s.Spec.Steps)
	}
	script := s.Spec.Steps[0].Args[1]
	long := strings.Repeat("x", 3000)
	for _, c := range []struct {
		name, output string
		exit         int
		wantRC       int
		wantMsg      []string
		notMsg       []string
		wantDigest   string
	}{{
		name: "a Go compile error",
		output: "===> BUILDING\nKiln Go Function Buildpack\n  go build ./...\n# example.com/hello\n./hello.go:12:2: undefined: fmt.Printx\n" +
			"./hello.go:14:5: declared and not used: x\nERROR: failed to build: exit status 1\n",
		exit: 1, wantRC: 1,
		wantMsg: []string{"./hello.go:12:2: undefined: fmt.Printx\n./hello.go:14:5: declared and not used: x\nERROR: failed to build: exit status 1"},
		notMsg:  []string{"===> BUILDING", "go build ./..."},
	}, {
		name: "a Python traceback", output: "===> BUILDING\nTraceback (most recent call last):\n  File \"/workspace/main.py\", line 3\nSyntaxError: invalid syntax\n",
		exit: 51, wantRC: 51,
		wantMsg: []string{"File \"/workspace/main.py\", line 3\nSyntaxError: invalid syntax"},
	}, {
		name: "no error lines: the last lines", output: "one\ntwo\nthree\n", exit: 2, wantRC: 2,
		wantMsg: []string{"one\ntwo\nthree"},
	}, {
		name: "a huge error line is bounded", output: "error: " + long + "\n", exit: 1, wantRC: 1,
		wantMsg: []string{strings.Repeat("x", 1500)},
	}, {
		name: "success: the digest", output: "===> EXPORTING\n", exit: 0, wantRC: 0,
		wantDigest: "sha256:" + strings.Repeat("a", 64),
	}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"env", "layers"} {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "out.txt"), []byte(c.output), 0o644); err != nil {
				t.Fatal(err)
			}
			creator := "#!/bin/sh\ncat " + filepath.Join(dir, "out.txt") + "\n" +
				"printf '[image]\\n  digest = \"sha256:" + strings.Repeat("a", 64) + "\"\\n' > " + filepath.Join(dir, "layers", "report.toml") + "\n" +
				"exit " + string(rune('0'+c.exit%10)) + "\n"
			if c.exit == 51 {
				creator = strings.Replace(creator, "exit 1\n", "exit 51\n", 1)
			}
			if err := os.WriteFile(filepath.Join(dir, "creator"), []byte(creator), 0o755); err != nil {
				t.Fatal(err)
			}
			sc := strings.NewReplacer(
				"/cnb/lifecycle/creator", filepath.Join(dir, "creator"),
				"/platform/env", filepath.Join(dir, "env"),
				"/layers/report.toml", filepath.Join(dir, "layers", "report.toml"),
				"$(results.shp-error-reason.path)", filepath.Join(dir, "reason"),
				"$(results.shp-error-message.path)", filepath.Join(dir, "message"),
				"$(results.shp-image-digest.path)", filepath.Join(dir, "digest"),
			).Replace(script)
			cmd := exec.Command("sh", "-c", sc)
			cmd.Env = append(os.Environ(), "ENV_VARS=FUNC_NAME=Hello\n", "RUN_IMAGE=", "PROCESS_TYPE=web", "SOURCE_DIR=/workspace/source", "OUTPUT_IMAGE=reg.example/fn")
			out, err := cmd.CombinedOutput()
			rc := 0
			if ee, ok := err.(*exec.ExitError); ok {
				rc = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if rc != c.wantRC {
				t.Fatalf("exit %d, want %d; output:\n%s", rc, c.wantRC, out)
			}
			if !strings.Contains(string(out), strings.TrimSpace(c.output[:min(len(c.output), 40)])) {
				t.Errorf("the build's output is not in the step's log:\n%s", out)
			}
			if env, _ := os.ReadFile(filepath.Join(dir, "env", "FUNC_NAME")); string(env) != "Hello" {
				t.Errorf("platform env FUNC_NAME %q", env)
			}
			msg, _ := os.ReadFile(filepath.Join(dir, "message"))
			reason, _ := os.ReadFile(filepath.Join(dir, "reason"))
			if c.wantRC == 0 {
				if len(msg) != 0 || len(reason) != 0 {
					t.Errorf("a good build reported %q: %q", reason, msg)
				}
			} else if string(reason) != "BuildFailed" || len(msg) > 1500 {
				t.Errorf("reason %q, message of %d bytes (want BuildFailed, ≤ 1500)", reason, len(msg))
			}
			for _, w := range c.wantMsg {
				if !strings.Contains(string(msg), w) {
					t.Errorf("message %q, want it to contain %q", msg, w)
				}
			}
			for _, n := range c.notMsg {
				if strings.Contains(string(msg), n) {
					t.Errorf("message %q has %q", msg, n)
				}
			}
			if d, _ := os.ReadFile(filepath.Join(dir, "digest")); string(d) != c.wantDigest {
				t.Errorf("digest %q, want %q", d, c.wantDigest)
			}
		})
	}
}
