package mavenrepo

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeFollowsSymlinksAndCounts(t *testing.T) {
	dir := t.TempDir()
	for _, r := range required {
		if err := os.MkdirAll(filepath.Join(dir, r), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	real := filepath.Join(t.TempDir(), "lib.jar")
	os.WriteFile(real, []byte("jar bytes"), 0o644)
	jar := filepath.Join(dir, "org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar")
	if err := os.Symlink(real, jar); err != nil {
		t.Fatal(err)
	}
	r, err := Serve(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	resp, err := http.Get(r.URL + "/org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "jar bytes" {
		t.Fatalf("got %d %q", resp.StatusCode, b)
	}
	if n := r.Served()["org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar"]; n != 1 {
		t.Fatalf("served count %d, want 1", n)
	}
}

func TestCheckNamesMissingArtifactsAndPackages(t *testing.T) {
	err := Check(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "maven-dependency-plugin/3.5.0") || !strings.Contains(err.Error(), "apt-get install maven libmaven-resources-plugin-java") {
		t.Fatalf("err = %v", err)
	}
}

func TestCIInstallsTheDebianPackages(t *testing.T) {
	ci, err := os.ReadFile("../../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range DebianPackages {
		if !strings.Contains(string(ci), " "+p+" ") && !strings.Contains(string(ci), " "+p+" \\") {
			t.Errorf(".ci/run does not apt-get install %s", p)
		}
	}
}
