package publish

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The CI workflow passes actionlint; a broken one does not (the linter runs).
func TestWorkflowsLint(t *testing.T) {
	al := filepath.Join(suite.tools, "actionlint-v1.7.12", "actionlint")
	files, _ := filepath.Glob(filepath.Join(suite.repo, ".github", "workflows", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no workflow in .github/workflows")
	}
	c := exec.Command(al, append([]string{"-no-color", "-shellcheck=", "-pyflakes="}, files...)...)
	c.Dir = suite.repo
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), ".github", "workflows", "broken.yml")
	os.MkdirAll(filepath.Dir(broken), 0o755)
	os.WriteFile(broken, []byte(strings.Replace(string(b), "runs-on:", "runs-onn:", 1)), 0o644)
	c = exec.Command(al, "-no-color", "-shellcheck=", "-pyflakes=", broken)
	if out, err := c.CombinedOutput(); err == nil || !strings.Contains(string(out), "runs-onn") {
		t.Fatalf("actionlint accepted a broken workflow: %v\n%s", err, out)
	}
}

// The workflow publishes on tags with the registry login from secrets, and
// runs .ci/run on pushes.
func TestWorkflowPublishesOnTags(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(suite.repo, ".github", "workflows", "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bash .ci/run", "tags:", "secrets.REGISTRY_USERNAME", "secrets.REGISTRY_PASSWORD", "make publish"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("ci.yml lacks %q", want)
		}
	}
}
