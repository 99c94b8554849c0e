package cluster

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Kiln's .ko.yaml names every base by digest: run-static as the default,
// the addon's own bases by import path, sorted.
func TestKoBasesConfig(t *testing.T) {
	rs := koBase{"r:1/kiln/stack/run-static", "sha256:aa"}
	for _, c := range []struct {
		name string
		b    koBases
		want string
	}{
		{"run-static only", koBases{def: rs}, "defaultBaseImage: r:1/kiln/stack/run-static@sha256:aa\n"},
		{"overrides sorted", koBases{def: rs, over: map[string]koBase{
			"example.com/z/cmd/z": {"r:1/kiln/stack/z", "sha256:zz"},
			shipwrightGitImport:   {"r:1/kiln/stack/git", "sha256:gg"},
		}}, "defaultBaseImage: r:1/kiln/stack/run-static@sha256:aa\nbaseImageOverrides:\n" +
			"  example.com/z/cmd/z: r:1/kiln/stack/z@sha256:zz\n" +
			"  github.com/shipwright-io/build/cmd/git: r:1/kiln/stack/git@sha256:gg\n"},
	} {
		if got := c.b.config(); got != c.want {
			t.Errorf("%s: config() =\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
	b := koBases{def: rs, over: map[string]koBase{shipwrightGitImport: {"r:1/kiln/stack/git", "sha256:gg"}}}
	for imp, want := range map[string]string{shipwrightGitImport: "sha256:gg", "github.com/shipwright-io/build/cmd/bundle": "sha256:aa"} {
		if got := b.digestFor(imp); got != want {
			t.Errorf("digestFor(%s) = %s, want %s", imp, got, want)
		}
	}
}

// resolveBases finds each base in kiln's registry by digest; a missing one
// names the command that builds it.
func TestResolveBases(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	reg := strings.TrimPrefix(srv.URL, "http://")
	push := func(repoTag string) string {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := name.ParseReference(reg+"/"+repoTag, name.Insecure)
		if err := remote.Write(r, img); err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		return d.String()
	}
	shipwright, _ := addonNamed(AddonShipwright)
	if shipwright.bases[shipwrightGitImport] != gitServiceRepo {
		t.Fatalf("the shipwright addon builds its git step on %q, want %s", shipwright.bases[shipwrightGitImport], gitServiceRepo)
	}

	if _, err := resolveBases(reg, shipwright); err == nil || !strings.Contains(err.Error(), "run `kiln stack build`") {
		t.Errorf("no run-static: %v, want the command that builds it", err)
	}
	rs := push(runStaticRepo)
	if _, err := resolveBases(reg, shipwright); err == nil || !strings.Contains(err.Error(), "kiln stack build --stack stacks/services") ||
		!strings.Contains(err.Error(), shipwrightGitImport) {
		t.Errorf("no git service image: %v, want the command that builds it and what needs it", err)
	}
	tekton, _ := addonNamed(AddonTekton)
	b, err := resolveBases(reg, tekton)
	if err != nil || b.def != (koBase{reg + "/kiln/stack/run-static", rs}) || len(b.over) != 0 {
		t.Errorf("tekton's bases = %+v, %v; want run-static %s only", b, err, rs)
	}
	git := push(gitServiceRepo)
	b, err = resolveBases(reg, shipwright)
	if err != nil || b.def.digest != rs || b.over[shipwrightGitImport] != (koBase{reg + "/kiln/stack/git", git}) {
		t.Errorf("shipwright's bases = %+v, %v; want the git step on %s", b, err, git)
	}
}

// An image ko pushed for an import path with its own base is taken only
// on that base.
func TestPushedImagesOnOverriddenBase(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	reg := strings.TrimPrefix(srv.URL, "http://")
	a := addon{name: "x", version: "v1", manifest: "image: ko://example.com/x/cmd/git\n"}
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	onGit := mutate.Annotations(img, map[string]string{koBaseDigestAnnotation: "sha256:git"}).(v1.Image)
	r, _ := name.ParseReference(reg+"/kiln/cluster/x/git:v1", name.Insecure)
	if err := remote.Write(r, onGit); err != nil {
		t.Fatal(err)
	}
	def := koBase{reg + "/kiln/stack/run-static", "sha256:static"}
	if _, ok := pushedImages(reg, a, koBases{def: def}, koRefs(a.manifest)); ok {
		t.Error("an image on the git base was taken for run-static")
	}
	over := koBases{def: def, over: map[string]koBase{"example.com/x/cmd/git": {reg + "/kiln/stack/git", "sha256:git"}}}
	if _, ok := pushedImages(reg, a, over, koRefs(a.manifest)); !ok {
		t.Error("the image on its own base was not taken")
	}
}
