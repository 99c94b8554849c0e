package sbom

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func layer(t *testing.T, files map[string]string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

const cdx = `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"zlib1g","version":"1:1.2.13"},{"name":"libc6","version":"2.36-9","purl":"pkg:deb/debian/libc6@2.36-9"}]}`

// appImage is a run image layer (old and new stack SBOMs), an app layer and
// the lifecycle's SBOM layer, labelled as the lifecycle and a Kiln stack do.
func appImage(t *testing.T, sbomLayer map[string]string, withLabel bool) v1.Image {
	base := layer(t, map[string]string{"cnb/stack/sbom.cdx.json": `{"bomFormat":"CycloneDX","components":[{"name":"old"}]}`})
	run := layer(t, map[string]string{"cnb/stack/sbom.cdx.json": cdx, "cnb/stack/sbom.spdx.json": `{"spdxVersion":"SPDX-2.3"}`})
	app := layer(t, map[string]string{"workspace/cnb/stack/sbom.cdx.json": "not the stack's", "cnb/stack/sbom.spdx.json": "above the run image"})
	sl := layer(t, sbomLayer)
	img, err := mutate.AppendLayers(empty.Image, base, run, app, sl)
	if err != nil {
		t.Fatal(err)
	}
	top, _ := run.DiffID()
	sbomID, _ := sl.DiffID()
	md, _ := json.Marshal(map[string]any{"sbom": map[string]string{"sha": sbomID.String()}, "runImage": map[string]string{"topLayer": top.String()}})
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config.Labels = map[string]string{LabelLifecycleMetadata: string(md)}
	if withLabel {
		cf.Config.Labels[LabelStackSBOM] = DefaultStackSBOM
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestReadFindsBuildpackAndStackSBOMs(t *testing.T) {
	img := appImage(t, map[string]string{
		"layers/sbom/launch/kiln_go-build/targets/sbom.cdx.json":            `{"bomFormat":"CycloneDX","components":[{"name":"github.com/x/y","version":"v1.2.3"}]}`,
		"layers/sbom/launch/buildpacksio_lifecycle/launcher/sbom.spdx.json": "{}",
		"/layers/sbom/launch/../../../../etc/evil.cdx.json":                 "escapes",
		"layers/sbom/launch/kiln_go-build/targets/notes.txt":                "ignored",
		"layers/config/metadata.toml":                                       "ignored",
	}, true)
	r, err := Read(img)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range r.Files {
		paths = append(paths, f.Path+"="+f.Format)
	}
	want := "layers/sbom/launch/buildpacksio_lifecycle/launcher/sbom.spdx.json=spdx layers/sbom/launch/kiln_go-build/targets/sbom.cdx.json=cyclonedx stack/sbom.cdx.json=cyclonedx stack/sbom.spdx.json=spdx"
	if got := strings.Join(paths, " "); got != want {
		t.Fatalf("files:\n %s\nwant\n %s", got, want)
	}
	for _, f := range r.Files {
		if f.Path == "stack/sbom.cdx.json" {
			comps, err := Components(f.Data)
			if err != nil {
				t.Fatal(err)
			}
			if len(comps) != 2 || comps[0].Name != "libc6" || comps[0].Version != "2.36-9" {
				t.Fatalf("stack components %+v: want the run image's, not the base's or the app's", comps)
			}
		}
		if f.Path == "stack/sbom.spdx.json" && string(f.Data) != `{"spdxVersion":"SPDX-2.3"}` {
			t.Fatalf("stack SPDX came from above the run image: %s", f.Data)
		}
	}
	dir := t.TempDir()
	if err := r.Extract(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "layers/sbom/launch/kiln_go-build/targets/sbom.cdx.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "etc")); err == nil {
		t.Fatal("a hostile path escaped the directory")
	}
}

func TestReadErrors(t *testing.T) {
	if _, err := Read(empty.Image); err == nil || !strings.Contains(err.Error(), "carries no SBOM") {
		t.Fatalf("empty image err = %v", err)
	}
	img := appImage(t, map[string]string{"x": "y"}, false)
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config.Labels[LabelLifecycleMetadata] = `{"sbom":{"sha":"sha256:` + strings.Repeat("0", 64) + `"}}`
	bad, _ := mutate.ConfigFile(img, cf)
	if _, err := Read(bad); err == nil || !strings.Contains(err.Error(), "SBOM layer sha256:000") {
		t.Fatalf("missing layer err = %v", err)
	}
	cf.Config.Labels[LabelLifecycleMetadata] = `{"sbom":`
	bad, _ = mutate.ConfigFile(img, cf)
	if _, err := Read(bad); err == nil || !strings.Contains(err.Error(), "label io.buildpacks.lifecycle.metadata") {
		t.Fatalf("bad label err = %v", err)
	}
	if _, err := Components([]byte(`{"spdxVersion":"SPDX-2.3"}`)); err == nil {
		t.Fatal("SPDX read as CycloneDX")
	}
	r := &Report{Files: []File{{Path: "../out.cdx.json"}}}
	if err := r.Extract(t.TempDir()); err == nil || !strings.Contains(err.Error(), "escapes") {
		t.Fatalf("extract err = %v", err)
	}
}
