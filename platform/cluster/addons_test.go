package cluster

import (
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestParseAddons(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"tekton", []string{"coredns", "tekton"}, ""},                   // build pods resolve names
		{"shipwright", []string{"coredns", "tekton", "shipwright"}, ""}, // shipwright needs tekton, transitively coredns
		{" Shipwright , tekton,", []string{"coredns", "tekton", "shipwright"}, ""},
		{"knative", []string{"coredns", "knative", "gateway-api", "traefik"}, ""}, // traefik after the KIngress CRD
		{"knative,shipwright", []string{"coredns", "tekton", "shipwright", "knative", "gateway-api", "traefik"}, ""},
		{"traefik", []string{"gateway-api", "traefik"}, ""},    // the Gateway API CRDs before Traefik watches them
		{"keda,dapr", []string{"coredns", "dapr", "keda"}, ""}, // sidecars and KEDA's adapter find their peers by DNS
		{"redis", []string{"redis"}, ""},
		{"kiln,keda,dapr,redis", []string{"coredns", "tekton", "shipwright", "knative", "gateway-api", "traefik", "dapr", "keda", "redis", "kiln"}, ""}, // the controller after the APIs it watches
		{"tekton,kourier", nil, `unknown addon "kourier"`},
	} {
		got, err := ParseAddons(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseAddons(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseAddons(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// Each input of the cache key changes it: a new module version, base
// digest (run-static's or an import path's own), registry or file list
// must rebuild.
func TestKoKeyCoversItsInputs(t *testing.T) {
	a := knativeAddon
	on := func(digest string) koBases { return koBases{def: koBase{"127.0.0.1:1/kiln/stack/run-static", digest}} }
	base := koKey(a, on("sha256:aa"), "127.0.0.1:1")
	b := a
	b.version = "v9.9.9"
	c := a
	c.files = append([]string{"config/extra.yaml"}, a.files...)
	m := a
	m.more = []moduleFiles{{module: knativeNetworking, version: "v0.0.1", files: a.more[0].files}}
	k := a
	k.manifest = "image: ko://example.com/other\n"
	withGit := on("sha256:aa")
	withGit.over = map[string]koBase{shipwrightGitImport: {"127.0.0.1:1/kiln/stack/git", "sha256:gg"}}
	otherGit := on("sha256:aa")
	otherGit.over = map[string]koBase{shipwrightGitImport: {"127.0.0.1:1/kiln/stack/git", "sha256:hh"}}
	for what, k := range map[string]string{
		"version": koKey(b, on("sha256:aa"), "127.0.0.1:1"), "files": koKey(c, on("sha256:aa"), "127.0.0.1:1"),
		"other module's version": koKey(m, on("sha256:aa"), "127.0.0.1:1"), "manifest's images": koKey(k, on("sha256:aa"), "127.0.0.1:1"),
		"base": koKey(a, on("sha256:bb"), "127.0.0.1:1"), "registry": koKey(a, on("sha256:aa"), "127.0.0.1:2"),
		"an import path's base": koKey(a, withGit, "127.0.0.1:1"),
	} {
		if k == base {
			t.Errorf("changing the %s kept the key %s", what, k)
		}
	}
	if koKey(a, withGit, "127.0.0.1:1") == koKey(a, otherGit, "127.0.0.1:1") {
		t.Error("a new digest of an import path's base kept the key")
	}
	if koKey(a, on("sha256:aa"), "127.0.0.1:1") != base {
		t.Error("the key is not stable")
	}
	// Without overrides the key is what it was before they existed: the
	// resolutions cached then are still found.
	if base != "91762f3558e782c5" {
		t.Errorf("the key of an addon without base overrides changed to %s: every cached resolution would be rebuilt", base)
	}
}

// A cached resolution is trusted only while every image it names by
// digest in kiln's registry is still there.
func TestMissingImages(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	reg := strings.TrimPrefix(srv.URL, "http://")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := name.ParseReference(reg+"/kiln/cluster/tekton/controller:v1", name.Insecure)
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	present := reg + "/kiln/cluster/tekton/controller@" + d.String()
	gone := reg + "/kiln/cluster/tekton/webhook@sha256:" + strings.Repeat("0", 64)
	other := "cgr.dev/chainguard/busybox@sha256:" + strings.Repeat("1", 64) // not ours: not checked
	yaml := "image: " + present + "\nargs: [\"-nop-image\", \"" + gone + "\", \"-shell-image\", \"" + other + "\"]\n"
	if got := missingImages([]byte(yaml), reg); !reflect.DeepEqual(got, []string{gone}) {
		t.Errorf("missingImages = %v, want [%s]", got, gone)
	}
	if got := missingImages([]byte("image: "+present+"\n"), reg); len(got) != 0 {
		t.Errorf("missingImages of a complete resolution = %v", got)
	}
}

// The node registry is one of the node's processes (so Running, Status and
// Down see it) only once the addons started it, and listens on the node
// address only.
func TestNodeRegistryIsAComponentOnceStarted(t *testing.T) {
	l := Layout{Dir: "/s", Tools: "/t"}
	for _, c := range components(l, &state{}) {
		if c.name == nodeRegistryName {
			t.Fatal("node registry listed before the addons started it")
		}
	}
	var found bool
	for _, c := range components(l, &state{NodeRegistryPort: 5123}) {
		if c.name == nodeRegistryName {
			found = true
			if got := strings.Join(c.args, " "); got != "-listen "+NodeIP+":5123 -blobs /s/node-registry" {
				t.Errorf("node registry args = %q", got)
			}
		}
	}
	if !found {
		t.Fatal("node registry missing from the components once started")
	}
}

// ko resolves only a manifest's images; the manifest (flags, RBAC) gets
// them afterwards, so editing it changes neither the key nor the images.
func TestManifestImages(t *testing.T) {
	manifest := "kind: Deployment\nimage: ko://example.com/b/cmd/b\n---\nimage: ko://example.com/a\nalso: ko://example.com/b/cmd/b\n"
	refs := koRefs(manifest)
	if !reflect.DeepEqual(refs, []string{"ko://example.com/a", "ko://example.com/b/cmd/b"}) {
		t.Fatalf("koRefs = %v", refs)
	}
	// What ko prints for the files and the images document.
	resolved := "kind: CustomResourceDefinition\n---\n" + koImagesKey + ":\n- reg/a@sha256:1\n- reg/b@sha256:2\n"
	got, err := withManifest([]byte(resolved), manifest)
	if err != nil {
		t.Fatal(err)
	}
	want := "kind: CustomResourceDefinition\n---\nkind: Deployment\nimage: reg/b@sha256:2\n---\nimage: reg/a@sha256:1\nalso: reg/b@sha256:2\n"
	if string(got) != want {
		t.Errorf("withManifest =\n%s\nwant\n%s", got, want)
	}
	if _, err := withManifest([]byte(koImagesKey+":\n- reg/a@sha256:1\n"), manifest); err == nil {
		t.Error("an images document shorter than the references was taken")
	}
	a := traefikAddon
	edited := a
	edited.manifest = strings.Replace(a.manifest, "--log.level=INFO", "--log.level=DEBUG", 1)
	if edited.manifest == a.manifest || koKey(edited, koBases{def: koBase{"r/x", "sha256:aa"}}, "r") != koKey(a, koBases{def: koBase{"r/x", "sha256:aa"}}, "r") {
		t.Error("a flag change in Traefik's manifest changed its key (a 20-minute ko build)")
	}
}

// The Gateway API CRDs on the node are the version Kiln's controller is
// built against (go.mod's pin).
func TestGatewayAPIVersionIsGoMods(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\t" + gatewayAPIModule + " " + gatewayAPIVersion + "\n"; !strings.Contains(string(b), want) {
		t.Errorf("go.mod does not require %q: the node's CRDs must match the controller's types", strings.TrimSpace(want))
	}
}

// An image ko pushed for the module version on the same base is taken
// instead of a new ko run; one on another base, or missing, is not.
func TestPushedImages(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	reg := strings.TrimPrefix(srv.URL, "http://")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	onBase := mutate.Annotations(img, map[string]string{koBaseDigestAnnotation: "sha256:base"}).(v1.Image)
	r, _ := name.ParseReference(reg+"/kiln/cluster/traefik/traefik:v3.6.9", name.Insecure)
	if err := remote.Write(r, onBase); err != nil {
		t.Fatal(err)
	}
	d, _ := onBase.Digest()
	a := traefikAddon
	refs := koRefs(a.manifest)
	doc, ok := pushedImages(reg, a, koBases{def: koBase{reg + "/kiln/stack/run-static", "sha256:base"}}, refs)
	if want := koImagesKey + ":\n- " + reg + "/kiln/cluster/traefik/traefik:v3.6.9@" + d.String() + "\n"; !ok || string(doc) != want {
		t.Errorf("pushedImages = %q %v, want %q", doc, ok, want)
	}
	if _, ok := pushedImages(reg, a, koBases{def: koBase{reg + "/kiln/stack/run-static", "sha256:other"}}, refs); ok {
		t.Error("an image on another base was taken")
	}
	b := a
	b.version = "v9.9.9"
	if _, ok := pushedImages(reg, b, koBases{def: koBase{reg + "/kiln/stack/run-static", "sha256:base"}}, refs); ok {
		t.Error("an image of another module version was taken")
	}
}
