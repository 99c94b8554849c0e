package local

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"
)

// kilnSplit runs kiln with stdout and stderr apart (Kiln.Run merges them).
func kilnSplit(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	c := exec.Command(k.Bin, args...)
	c.Env = append(append(os.Environ(), "KILN_HOME="+k.Home), k.Env...)
	var o, e bytes.Buffer
	c.Stdout, c.Stderr = &o, &e
	err := c.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestCLIBuildOutputAndSourceFilters holds the README's CLI promises on a
// real build: piped stdout is the image reference alone, -o json is one
// object describing the pushed image, .kilnignore and project.toml's exclude
// keep files out of the build (each excluded file here would break it), and
// kiln inspect reads the result.
func TestCLIBuildOutputAndSourceFilters(t *testing.T) {
	var src, ref string
	f := features.New("kiln build: output and source filters").
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			src = filepath.Join(t.TempDir(), "filtered")
			if out, err := exec.Command("cp", "-r", filepath.Join(repo, "samples", "go", "hello"), src).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			files := map[string]string{
				// Both would fail go build if they reached the workspace.
				"ignored_by_kilnignore.go": "package hello\n\nthis does not compile\n",
				"drafts/excluded.go":       "package drafts\n\nneither does this\n",
				".kilnignore":              "# scratch files\nignored_by_kilnignore.go\n",
				"project.toml":             "[_]\nschema-version = \"0.2\"\n\n[io.buildpacks]\nexclude = [\"/drafts\"]\n",
			}
			for name, text := range files {
				p := filepath.Join(src, name)
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			return ctx
		}).
		Assess("piped: stdout is the image reference alone, the log on stderr", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			stdout, stderr, code := kilnSplit(t, "build", src, "--image", "e2e-cli", "-t", "HelloWorld")
			if code != 0 {
				t.Fatalf("kiln build exit %d\nstderr:\n%s", code, stderr)
			}
			ref = strings.TrimSpace(stdout)
			if strings.Count(stdout, "\n") != 1 || !strings.Contains(ref, "/e2e-cli:latest@sha256:") {
				t.Fatalf("stdout %q, want one line IMAGE@sha256:…", stdout)
			}
			if !strings.Contains(stderr, "==>") {
				t.Fatalf("the build log is not on stderr:\n%s", stderr)
			}
			return ctx
		}).
		Assess("-o json: one object naming the pushed image", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			stdout, stderr, code := kilnSplit(t, "build", src, "--image", "e2e-cli", "-t", "HelloWorld", "-o", "json")
			if code != 0 {
				t.Fatalf("kiln build -o json exit %d\nstderr:\n%s", code, stderr)
			}
			var r struct {
				Image, Digest, Reference string
				Size                     int64
				Buildpacks               []string
				Durations                map[string]int `json:"durationsMs"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
			}
			if r.Reference != r.Image+"@"+r.Digest || r.Reference != ref {
				t.Errorf("reference %q (image %q digest %q); the piped build printed %q (same source, same image)", r.Reference, r.Image, r.Digest, ref)
			}
			if _, m, err := k.Image("e2e-cli", r.Digest); err != nil || m == nil {
				t.Errorf("digest %s is not in the registry: %v", r.Digest, err)
			}
			if r.Size <= 0 || r.Durations["total"] <= 0 {
				t.Errorf("size %d, total %d ms: want both > 0", r.Size, r.Durations["total"])
			}
			if !strings.Contains(strings.Join(r.Buildpacks, " "), "kiln/go-function") {
				t.Errorf("buildpacks %q lack kiln/go-function", r.Buildpacks)
			}
			return ctx
		}).
		Assess("the built image serves, and kiln inspect reads it", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			r, err := k.Start(ref)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Stop(15 * time.Second)
			expectGet("/?name=Kiln", "Hello, Kiln!\n")(t, r)
			stdout, stderr, code := kilnSplit(t, "inspect", ref)
			if code != 0 || !strings.Contains(stdout, "HelloWorld") || !strings.Contains(stdout, "kiln/go-function") {
				t.Fatalf("kiln inspect exit %d:\n%s\n%s", code, stdout, stderr)
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}
