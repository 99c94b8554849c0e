package stacks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testStack() *Stack {
	return &Stack{ID: "io.kiln.test", Distro: "debian", DistroVersion: "12", UID: 1000, GID: 1000}
}

var testPins = []Pin{
	{"tzdata", "2025b-0+deb12u2", strings.Repeat("b", 64)},
	{"libc6", "2.36-9+deb12u14", strings.Repeat("a", 64)},
	{"libattr1", "1:2.5.1-4", strings.Repeat("c", 64)},
}

func TestSBOMGolden(t *testing.T) {
	s := testStack()
	for _, tc := range []struct {
		file string
		make func(string, string, []Pin) ([]byte, error)
	}{{"run.sbom.cdx.json", s.CycloneDX}, {"run.sbom.spdx.json", s.SPDX}} {
		got, err := tc.make("run", "arm64", testPins)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := tc.make("run", "arm64", append([]Pin{testPins[2]}, testPins[:2]...))
		if string(got) != string(again) {
			t.Errorf("%s depends on the order of the pins", tc.file)
		}
		other, _ := tc.make("run", "amd64", testPins)
		if string(got) == string(other) {
			t.Errorf("%s: amd64 and arm64 documents are identical", tc.file)
		}
		var doc map[string]any
		if err := json.Unmarshal(got, &doc); err != nil {
			t.Fatalf("%s is not JSON: %v", tc.file, err)
		}
		path := filepath.Join("testdata", tc.file)
		if *update {
			os.WriteFile(path, got, 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from the golden file:\n%s", tc.file, got)
		}
	}
}

func TestPURLEscapesEpochs(t *testing.T) {
	got := testStack().purl(Pin{Name: "libattr1", Version: "1:2.5.1-4"}, "amd64")
	if want := "pkg:deb/debian/libattr1@1:2.5.1-4?arch=amd64&distro=debian-12"; got != want {
		t.Fatalf("purl = %s, want %s", got, want)
	}
}

func TestArchExpandsTriplet(t *testing.T) {
	for arch, want := range map[string]string{"amd64": "usr/lib/x86_64-linux-gnu/gconv/", "arm64": "usr/lib/aarch64-linux-gnu/gconv/"} {
		a, err := ArchNamed(arch)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.expand([]string{"usr/lib/{triplet}/gconv/"}); got[0] != want {
			t.Errorf("%s: %s, want %s", arch, got[0], want)
		}
	}
	if _, err := ArchNamed("s390x"); err == nil || !strings.Contains(err.Error(), "amd64, arm64") {
		t.Fatalf("unknown arch err = %v", err)
	}
}

func TestLockFileFor(t *testing.T) {
	if LockFileFor("amd64") != "packages.lock" || LockFileFor("arm64") != "packages.arm64.lock" {
		t.Fatal(LockFileFor("amd64"), LockFileFor("arm64"))
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "stack.toml"), []byte("id = \"x\"\nuid = 1\ngid = 1\n[images.run]\npackages = [\"libc6\"]\n"), 0o644)
	if err := WriteLockFor(dir, "arm64", []Pin{{"libc6", "2.36", strings.Repeat("d", 64)}}); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Locks["arm64"]["libc6"].Version != "2.36" || len(s.Locks["amd64"]) != 0 {
		t.Fatalf("locks = %v", s.Locks)
	}
	if _, err := s.pins("run", "amd64"); err == nil || !strings.Contains(err.Error(), "kiln stack lock --arch amd64") {
		t.Fatalf("missing amd64 pin err = %v", err)
	}
}
