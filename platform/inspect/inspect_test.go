package inspect

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
)

var update = flag.Bool("update", false, "rewrite golden files")

func layer(t testing.TB, files map[string]string) v1.Layer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
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

// appImage is a function image labelled as Kiln's buildpacks and the
// lifecycle label one, with an SBOM layer.
func appImage(t testing.TB, extra map[string]string) v1.Image {
	sl := layer(t, map[string]string{
		"layers/sbom/launch/kiln_go-function/sbom.cdx.json": `{"bomFormat":"CycloneDX","components":[{"name":"a","version":"1"},{"name":"b"}]}`,
		"layers/sbom/launch/kiln_go-dist/go/sbom.syft.json": `{}`,
	})
	img, err := mutate.AppendLayers(empty.Image, sl)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := sl.DiffID()
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: time.Date(1980, 1, 1, 0, 0, 1, 0, time.UTC)}
	cf.Config.Labels = map[string]string{
		gofunction.LabelTarget: "HelloWorld", gofunction.LabelSignature: "http", gofunction.LabelFrameworkVersion: "0.4.0",
		LabelStackID:           "io.kiln.stacks.bookworm",
		LabelBuildMetadata:     `{"buildpacks":[{"id":"kiln/go-dist","version":"0.4.0"},{"id":"kiln/go-function","version":"0.4.0","homepage":"https://kiln.dev"}],"processes":[{"type":"web","command":["/workspace/bin/fn"],"args":[],"default":true}]}`,
		LabelLifecycleMetadata: `{"sbom":{"sha":"` + id.String() + `"},"runImage":{"topLayer":"sha256:0","reference":"reg/run@sha256:1","image":"reg/kiln/run-go:latest"}}`,
	}
	for k, v := range extra {
		cf.Config.Labels[k] = v
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

func TestReport(t *testing.T) {
	r, err := Read("127.0.0.1:5000/hello", appImage(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	r.Digest = "sha256:(varies)"
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	js, _ := json.MarshalIndent(r, "", "  ")
	for name, got := range map[string]string{"report.txt": text.String(), "report.json": string(js) + "\n"} {
		p := filepath.Join("testdata", name)
		if *update {
			os.WriteFile(p, []byte(got), 0o644)
		}
		if want, err := os.ReadFile(p); err != nil || string(want) != got {
			t.Errorf("differs from %s (go test -update rewrites it):\n%s", p, got)
		}
	}
}

// An image without SBOM still reports, saying why there is none; a label
// that does not parse fails naming it.
func TestPlainAndBadImages(t *testing.T) {
	r, err := Read("plain", empty.Image)
	if err != nil || !strings.Contains(r.SBOMError, "no SBOM") || r.Target != "" {
		t.Errorf("plain image: %+v, %v", r, err)
	}
	_, err = Read("bad", appImage(t, map[string]string{LabelBuildMetadata: "{not json"}))
	if err == nil || !strings.Contains(err.Error(), "bad: label io.buildpacks.build.metadata: not the JSON") {
		t.Errorf("bad label: %v", err)
	}
	_, err = Read("huge", appImage(t, map[string]string{LabelLifecycleMetadata: strings.Repeat(" ", maxLabel+1)}))
	if err == nil || !strings.Contains(err.Error(), "label io.buildpacks.lifecycle.metadata: larger than") {
		t.Errorf("huge label: %v", err)
	}
}
