package builder

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestLifecycleTarballHasWhatPackChecks(t *testing.T) {
	tools := fakeLifecycle(t)
	a, b := filepath.Join(t.TempDir(), "a.tgz"), filepath.Join(t.TempDir(), "b.tgz")
	if err := WriteLifecycleTarball(tools, a); err != nil {
		t.Fatal(err)
	}
	WriteLifecycleTarball(tools, b)
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if string(ab) != string(bb) {
		t.Fatal("the tarball is not reproducible")
	}
	f, _ := os.Open(a)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for h, err := tr.Next(); err == nil; h, err = tr.Next() {
		names = append(names, h.Name)
	}
	sort.Strings(names)
	want := []string{"lifecycle.toml", "lifecycle/launcher", "lifecycle/detector", "lifecycle/analyzer", "lifecycle/restorer", "lifecycle/builder", "lifecycle/exporter", "lifecycle/creator"}
	// every SBOM the lifecycle's exporter copies from /cnb/lifecycle (it
	// warns "Did not find SBOM <name> in /cnb/lifecycle" for each one missing).
	for _, bin := range []string{"lifecycle", "launcher"} {
		for _, ext := range []string{"sbom.cdx.json", "sbom.spdx.json", "sbom.syft.json"} {
			want = append(want, "lifecycle/"+bin+"."+ext)
		}
	}
	for _, want := range want {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("tarball lacks %s (has %v)", want, names)
		}
	}
	if err := WriteLifecycleTarball(t.TempDir(), a); err == nil || !strings.Contains(err.Error(), "make tools") {
		t.Fatalf("missing tools err = %v", err)
	}
}

// fakeLifecycle stands testdata/probe (a Go binary whose build info names
// github.com/BurntSushi/toml) in for the lifecycle and the launcher.
func fakeLifecycle(t *testing.T) string {
	t.Helper()
	tools := t.TempDir()
	probe := filepath.Join(tools, "lifecycle")
	if out, err := exec.Command("go", "build", "-o", probe, "./testdata/probe").CombinedOutput(); err != nil {
		t.Fatalf("go build testdata/probe: %v\n%s", err, out)
	}
	b, err := os.ReadFile(probe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tools, "launcher"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	return tools
}

func TestBinarySBOMsListModules(t *testing.T) {
	tools := fakeLifecycle(t)
	docs, err := BinarySBOMs(filepath.Join(tools, "launcher"), "launcher", "0.21.14")
	if err != nil {
		t.Fatal(err)
	}
	var cdx struct {
		Metadata struct {
			Component struct {
				Hashes []struct{ Alg, Content string }
			}
		}
		Components []struct {
			Name, Version, PURL string
			Properties          []struct{ Name, Value string }
		}
	}
	if err := json.Unmarshal(docs["sbom.cdx.json"], &cdx); err != nil {
		t.Fatal(err)
	}
	// The main module comes first: for the real launcher that is
	// github.com/buildpacks/lifecycle at the pinned version; for the probe,
	// this checkout (no version).
	if len(cdx.Components) == 0 || cdx.Components[0].Name != "kiln.dev/kiln" || cdx.Components[0].Version != "" {
		t.Fatalf("first component %+v, want the main module kiln.dev/kiln without a version", cdx.Components)
	}
	// the binary itself with its SHA-256; each module with its go.sum hash.
	bin, err := os.ReadFile(filepath.Join(tools, "launcher"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cdx.Metadata.Component.Hashes, []struct{ Alg, Content string }{{"SHA-256", fmt.Sprintf("%x", sha256.Sum256(bin))}}; !reflect.DeepEqual(got, want) {
		t.Errorf("the launcher's hashes %+v, want %+v", got, want)
	}
	tomlSum := goSum(t, "github.com/BurntSushi/toml", "v1.6.0")
	found := false
	for _, c := range cdx.Components {
		if c.Name == "github.com/BurntSushi/toml" && c.Version == "v1.6.0" && c.PURL == "pkg:golang/github.com/BurntSushi/toml@v1.6.0" &&
			len(c.Properties) == 1 && c.Properties[0].Name == "golang:go.sum" && c.Properties[0].Value == tomlSum {
			found = true
		}
	}
	if !found {
		t.Fatalf("github.com/BurntSushi/toml v1.6.0 with go.sum hash %s not in %+v", tomlSum, cdx.Components)
	}
	for _, ext := range []string{"sbom.spdx.json", "sbom.syft.json"} {
		if !strings.Contains(string(docs[ext]), `"pkg:golang/github.com/BurntSushi/toml@v1.6.0"`) {
			t.Errorf("%s lacks the toml module", ext)
		}
	}
	again, _ := BinarySBOMs(filepath.Join(tools, "launcher"), "launcher", "0.21.14")
	if string(again["sbom.spdx.json"]) != string(docs["sbom.spdx.json"]) {
		t.Error("SBOM not reproducible")
	}
	os.WriteFile(filepath.Join(tools, "notgo"), []byte("#!/bin/sh\n"), 0o755)
	if _, err := BinarySBOMs(filepath.Join(tools, "notgo"), "x", "1"); err == nil || !strings.Contains(err.Error(), "no Go build info") {
		t.Fatalf("err = %v", err)
	}
}

// goSum is module@version's h1: hash in the repository's go.sum.
func goSum(t *testing.T, module, version string) string {
	t.Helper()
	b, err := os.ReadFile("../../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == module && f[1] == version {
			return f[2]
		}
	}
	t.Fatalf("go.sum has no %s %s", module, version)
	return ""
}
