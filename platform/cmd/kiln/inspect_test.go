package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
	"kiln.dev/kiln/platform/inspect"
)

// kiln inspect against an image in an in-process registry.
func TestInspect(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	cf, _ := empty.Image.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Labels = map[string]string{
		gofunction.LabelTarget: "HelloWorld", gofunction.LabelSignature: "cloudevent",
		inspect.LabelBuildMetadata:     `{"buildpacks":[{"id":"kiln/go-function","version":"1.2.3"}]}`,
		inspect.LabelLifecycleMetadata: `{"runImage":{"image":"reg/kiln/run-go:latest"}}`,
	}
	img, err := mutate.ConfigFile(empty.Image, cf)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(host + "/team/hello:v1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "inspect", ref.String())
	for _, want := range []string{"Target:", "HelloWorld", "cloudevent", "kiln/go-function@1.2.3", "reg/kiln/run-go:latest", "SBOM:\n  none: the image carries no SBOM"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("exit %d; stdout does not say %q:\n%s\nstderr: %s", r.code, want, r.stdout, r.stderr)
		}
	}
	r = runCLI(t, "inspect", ref.String(), "-o", "json")
	var rep inspect.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Target != "HelloWorld" || rep.Signature != "cloudevent" {
		t.Errorf("json: %v, %+v\n%s", err, rep, r.stdout)
	}
	if r := runCLI(t, "inspect", host+"/team/nothing:v1"); r.code != 1 || !strings.Contains(r.stderr, "team/nothing") {
		t.Errorf("a missing image: exit %d, stderr %s", r.code, r.stderr)
	}
	if r := runCLI(t, "inspect"); r.code != 2 {
		t.Errorf("no image: exit %d", r.code)
	}
}
