package stacks

import (
	"io"
	"os/exec"
	"testing"
)

// Builds the real run-static image from the pinned .debs (apt-get download
// from the Debian mirror) twice, into two empty caches: same digest.
func TestRunStaticImageIsReproducible(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Fatal("apt-get is required to build stacks (Debian/Ubuntu host)")
	}
	s, err := Load("bookworm")
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		// amd64: two empty caches. arm64: one cache for both builds (its
		// private apt lists take minutes to fetch); the second build still
		// assembles the image anew from the SHA-checked .debs.
		first, second := t.TempDir(), t.TempDir()
		if arch == "arm64" {
			second = first
		}
		a, err := s.ImageFor("run-static", arch, first, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.ImageFor("run-static", arch, second, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		da, _ := a.Digest()
		db, _ := b.Digest()
		if da != db {
			t.Fatalf("%s: digests differ: %s vs %s", arch, da, db)
		}
		cf, _ := a.ConfigFile()
		if cf.OS != "linux" || cf.Architecture != arch || cf.Config.User != "1000:1000" {
			t.Fatalf("os/arch/user = %s/%s/%s, want linux/%s/1000:1000", cf.OS, cf.Architecture, cf.Config.User, arch)
		}
		if cf.Config.Labels[LabelSBOM] != "/"+SBOMCycloneDX {
			t.Errorf("%s: label %s = %q", arch, LabelSBOM, cf.Config.Labels[LabelSBOM])
		}
	}
	a, err := s.Image("run-static", t.TempDir(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := a.ConfigFile()
	for k, want := range map[string]string{LabelStackID: "io.kiln.stacks.bookworm", LabelDistroName: "debian", LabelDistroVersion: "12", LabelRebasable: "true"} {
		if cf.Config.Labels[k] != want {
			t.Errorf("label %s = %q, want %q", k, cf.Config.Labels[k], want)
		}
	}
	env := map[string]bool{}
	for _, e := range cf.Config.Env {
		env[e] = true
	}
	if !env["CNB_USER_ID=1000"] || !env["CNB_GROUP_ID=1000"] {
		t.Errorf("env %v lacks CNB_USER_ID/CNB_GROUP_ID", cf.Config.Env)
	}
	m, _ := a.Manifest()
	if m.MediaType != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Errorf("media type %s, want Docker v2s2", m.MediaType)
	}
}
