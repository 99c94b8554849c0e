package publish

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"kiln.dev/kiln/e2e/kiln"
)

// appState is what a rebase must keep (app layers) and move (run image).
type appState struct {
	digest    string
	runImage  string
	appLayers []v1.Hash
}

func readApp(t *testing.T, ref string) appState {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	var md struct {
		RunImage struct{ TopLayer, Reference string } `json:"runImage"`
	}
	if err := json.Unmarshal([]byte(cf.Config.Labels["io.buildpacks.lifecycle.metadata"]), &md); err != nil {
		t.Fatal(err)
	}
	s := appState{digest: d.String(), runImage: md.RunImage.Reference}
	for i, id := range cf.RootFS.DiffIDs {
		if id.String() == md.RunImage.TopLayer {
			s.appLayers = cf.RootFS.DiffIDs[i+1:]
		}
	}
	if len(s.appLayers) == 0 {
		t.Fatalf("%s: no app layers above the run image", ref)
	}
	return s
}

// updateRunImage pushes to ref (an index) a run image whose amd64 entry has
// one more layer: an updated CA bundle (the system's plus the suite's CA),
// as a stack update with new ca-certificates would. It returns the new
// amd64 image's digest.
func updateRunImage(t *testing.T, ref, marker string) string {
	t.Helper()
	r, _ := name.ParseReference(ref)
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	bundle, err := os.ReadFile(suite.sslCertFile)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"etc/", "etc/ssl/", "etc/ssl/certs/"} {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755})
	}
	body := append(bundle, []byte("\n# "+marker+"\n")...)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "etc/ssl/certs/ca-certificates.crt", Mode: 0o644, Size: int64(len(body))})
	tw.Write(body)
	tw.Close()
	b := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	out := mutate.IndexMediaType(empty.Index, im.MediaType)
	var newDigest string
	for _, m := range im.Manifests {
		img, err := idx.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if m.Platform.Architecture == "amd64" {
			if img, err = mutate.AppendLayers(img, layer); err != nil {
				t.Fatal(err)
			}
			d, _ := img.Digest()
			newDigest = d.String()
		}
		out = mutate.AppendManifests(out, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: m.Platform}})
	}
	if err := remote.WriteIndex(r, out); err != nil {
		t.Fatal(err)
	}
	return newDigest
}

// A new run image with updated CA certificates, applied with kiln rebase and
// then pack rebase: app layers keep their diff IDs, the run image digest
// moves, the image still serves. Then the image's SBOMs, with kiln sbom and
// pack sbom download.
func TestRebaseAndSBOM(t *testing.T) {
	published(t)
	p := startPodman(t)
	mirror := suite.mirror.Addr
	runRef := mirror + "/kiln/stack/run-static:bookworm"
	src, _ := name.ParseReference(suite.reg.Addr + "/kiln/stack/run-static:bookworm")
	idx, err := remote.Index(src, remoteOpts()...)
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := name.ParseReference(runRef)
	if err := remote.WriteIndex(dst, idx); err != nil {
		t.Fatal(err)
	}
	app := mirror + "/kiln-e2e/rebase-hello:1"
	if out, err := p.pack(append([]string{"build", app, "--path", "samples/go/hello", "--env", "FUNC_NAME=HelloWorld", "--publish"},
		buildArgs(suite.reg.Addr+"/kiln/builder-go:"+version)...)...); err != nil {
		t.Fatalf("pack build --publish: %v\n%s", err, out)
	}
	before := readApp(t, app)
	if !strings.HasPrefix(before.runImage, mirror+"/kiln/stack/run-static@") {
		t.Fatalf("the app records run image %s, want the mirror's (same registry as the app)", before.runImage)
	}

	for _, how := range []string{"kiln rebase", "pack rebase"} {
		newRun := updateRunImage(t, runRef, how)
		var out string
		if how == "kiln rebase" {
			out, err = runKiln(nil, "rebase", app)
		} else {
			out, err = p.pack("rebase", app, "--publish")
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", how, err, out)
		}
		after := readApp(t, app)
		if after.digest == before.digest || !strings.HasSuffix(after.runImage, "@"+newRun) {
			t.Fatalf("%s: image %s → %s, run image %s → %s (want @%s)", how, before.digest, after.digest, before.runImage, after.runImage, newRun)
		}
		if len(after.appLayers) != len(before.appLayers) {
			t.Fatalf("%s: app layers %d → %d", how, len(before.appLayers), len(after.appLayers))
		}
		for i := range after.appLayers {
			if after.appLayers[i] != before.appLayers[i] {
				t.Fatalf("%s: app layer %d changed: %s → %s", how, i, before.appLayers[i], after.appLayers[i])
			}
		}
		port, err := kiln.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if got := p.serve(t, app, port, "/?name=Kiln"); got != "Hello, Kiln!" {
			t.Fatalf("%s: rebased image answers %q", how, got)
		}
		before = after
	}

	out, err := runKiln(nil, "sbom", app)
	if err != nil {
		t.Fatalf("kiln sbom: %v\n%s", err, out)
	}
	tzdata, tzdataSHA := lockedVersion(t, "tzdata"), lockedSHA256(t, "tzdata")
	for _, want := range []string{"stack/sbom.cdx.json (cyclonedx", "    tzdata " + tzdata, "layers/sbom/launch/buildpacksio_lifecycle/launcher/sbom.cdx.json", "github.com/buildpacks/lifecycle v0.21.14",
		// Kiln's own buildpacks: the app binary's modules (the framework it was built with).
		"layers/sbom/launch/kiln_go-build/app/sbom.cdx.json", "pkg:golang/kiln.dev/functions-framework-go@",
		// the layer that wired the framework in.
		"layers/sbom/launch/kiln_go-function/function/sbom.cdx.json (cyclonedx", "buildpack kiln/go-function, layer function"} {
		if !strings.Contains(out, want) {
			t.Errorf("kiln sbom lacks %q:\n%s", want, out)
		}
	}
	// Versions with their checksums: a Debian package with its .deb's
	// SHA-256, the Go toolchain with its zip's SHA-256 and the h1 the
	// checksum database lists, a module with its go.sum hash, the framework.
	for _, want := range []string{
		`(?m)^    tzdata ` + regexp.QuoteMeta(tzdata) + `  \S+  SHA-256:` + tzdataSHA + `$`,
		`(?m)^    go 1\.\d+\.\d+  pkg:golang/golang.org/toolchain@v0\.0\.1-go1\.\d+\.\d+\.linux-amd64  SHA-256:[0-9a-f]{64}  h1:\S+=$`,
		`(?m)^    kiln.dev/functions-framework-go v0\.1\.0-kiln\.[0-9a-f]{12}  \S+  SHA-256:[0-9a-f]{64}  h1:\S+=$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("kiln sbom has no line matching %s:\n%s", want, out)
		}
	}
	dir := t.TempDir()
	if out, err := p.pack("sbom", "download", app, "--remote", "--output-dir", dir); err != nil {
		t.Fatalf("pack sbom download --remote: %v\n%s", err, out)
	}
	for _, f := range [][]string{{"buildpacksio_lifecycle", "launcher"}, {"kiln_go-build", "app"}, {"kiln_go-function", "function"}} {
		if _, err := os.Stat(filepath.Join(dir, "layers", "sbom", "launch", f[0], f[1], "sbom.cdx.json")); err != nil {
			t.Errorf("pack sbom download: %v", err)
		}
	}
}

// lockedVersion is pkg's version in the amd64 lock of the bookworm stack.
func lockedVersion(t *testing.T, pkg string) string { return lockedField(t, pkg, 1) }

// lockedSHA256 is the SHA-256 of pkg's .deb in that lock.
func lockedSHA256(t *testing.T, pkg string) string { return lockedField(t, pkg, 2) }

func lockedField(t *testing.T, pkg string, i int) string {
	b, err := os.ReadFile(filepath.Join(suite.repo, "stacks", "bookworm", "packages.lock"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == pkg {
			return f[i]
		}
	}
	t.Fatalf("%s not in packages.lock", pkg)
	return ""
}
