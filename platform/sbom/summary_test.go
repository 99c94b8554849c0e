package sbom

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// An app image as Kiln's buildpacks and the lifecycle leave it: each
// buildpack layer's CycloneDX SBOM in the SBOM layer, listed by buildpack and
// layer with the components' purls.
func TestWriteSummaryListsBuildpackLayerSBOMs(t *testing.T) {
	img := appImage(t, map[string]string{
		"layers/sbom/launch/kiln_go-build/app/sbom.cdx.json": `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
			{"type":"library","name":"github.com/google/uuid","version":"v1.6.0","purl":"pkg:golang/github.com/google/uuid@v1.6.0"},
			{"type":"platform","name":"go","version":"1.26.8","purl":"pkg:golang/golang.org/toolchain@v0.0.1-go1.26.8.linux-amd64",
			 "hashes":[{"alg":"SHA-256","content":"0f0f"}],"properties":[{"name":"golang:go.sum","value":"h1:tool="}]}]}`,
		"layers/sbom/launch/kiln_node-function/framework/sbom.cdx.json": `{"bomFormat":"CycloneDX","components":[
			{"type":"framework","name":"@kiln-dev/functions-framework","version":"0.1.0","purl":"pkg:npm/%40kiln-dev/functions-framework@0.1.0","properties":[{"name":"kiln:h1","value":"h1:fw="},{"name":"other","value":"h1:no"}]},
			{"name":"node","version":"22.1.0","hashes":[{"alg":"SHA-512","content":"aa"},{"alg":"SHA-1","content":"bb"}]},
			{"name":"npm","version":"10.0.0","hashes":[{"alg":"SHA-512","content":"cc"},{"alg":"SHA-256","content":"dd"}]}]}`,
		"layers/sbom/launch/kiln_java-function/jre/sbom.cdx.json": `{"bomFormat":"CycloneDX","components":[{"type":"platform","name":"openjdk","version":"17.0.21.1","purl":"pkg:generic/openjdk@17.0.21.1",
			"pedigree":{"ancestors":[{"name":"openjdk-17-jdk-headless","version":"17.0.21.1+2-1~deb12u1","purl":"pkg:deb/debian/openjdk-17-jdk-headless@17.0.21.1%2B2-1~deb12u1?arch=amd64","hashes":[{"alg":"SHA-256","content":"ac22"}]}]}}]}`,
		"layers/sbom/launch/kiln_npm-install/modules/sbom.cdx.json":         `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}`,
		"layers/sbom/launch/kiln_java-function/launch.sbom.cdx.json":        `{"bomFormat":"CycloneDX","components":[{"name":"x","version":"1"}]}`,
		"layers/sbom/launch/kiln_python-function/packages/sbom.cdx.json":    `{"bomFormat":"SPDX"}`,
		"layers/sbom/launch/buildpacksio_lifecycle/launcher/sbom.spdx.json": `{}`,
	}, true)
	r, err := Read(img)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteSummary(&buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join("testdata", "summary.golden")
	if *update {
		os.WriteFile(p, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("summary:\n%s\nwant\n%s", buf.Bytes(), want)
	}
}

func TestOrigin(t *testing.T) {
	for p, want := range map[string]string{
		"layers/sbom/launch/kiln_go-build/app/sbom.cdx.json":                "buildpack kiln/go-build, layer app",
		"layers/sbom/launch/my_org_bp/layer/sbom.cdx.json":                  "buildpack my/org_bp, layer layer",
		"layers/sbom/launch/kiln_go-build/launch.sbom.cdx.json":             "buildpack kiln/go-build",
		"layers/sbom/launch/buildpacksio_lifecycle/launcher/sbom.spdx.json": "the lifecycle, layer launcher",
		"stack/sbom.cdx.json":             "the stack",
		"layers/sbom/launch/a/b/c/d.json": "",
		"other":                           "",
	} {
		if got := Origin(p); got != want {
			t.Errorf("Origin(%q) = %q, want %q", p, got, want)
		}
	}
}
