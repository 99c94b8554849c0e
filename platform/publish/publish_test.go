package publish

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"sigs.k8s.io/yaml"
)

func archImg(t *testing.T, arch string, mt types.MediaType) v1.Image {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, mt)
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestMakeIndexAndPush(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	reg := strings.TrimPrefix(srv.URL, "http://")
	docker, err := makeIndex([]archImage{{"amd64", archImg(t, "amd64", types.DockerManifestSchema2)}, {"arm64", archImg(t, "arm64", types.DockerManifestSchema2)}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := pushIndex(context.Background(), Target{}, "stack", "run", reg+"/kiln/stack/run", []string{"1.0.0", "latest"}, docker)
	if err != nil {
		t.Fatal(err)
	}
	if a.MediaType != string(types.DockerManifestList) || len(a.Platforms) != 2 || a.Platforms[1].Architecture != "arm64" || a.Reference != a.Repository+"@"+a.Digest {
		t.Fatalf("artifact %+v", a)
	}
	for _, tag := range a.Tags {
		d, err := Target{}.Get(context.Background(), a.Repository+":"+tag)
		if err != nil || d.Digest.String() != a.Digest {
			t.Fatalf("%s: %v %v", tag, d, err)
		}
	}
	oci, err := makeIndex([]archImage{{"amd64", archImg(t, "amd64", types.OCIManifestSchema1)}})
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := oci.MediaType(); mt != types.OCIImageIndex {
		t.Fatalf("OCI children in a %s", mt)
	}
	if _, err := makeIndex([]archImage{{"arm64", archImg(t, "amd64", types.DockerManifestSchema2)}}); err == nil || !strings.Contains(err.Error(), "says it is linux/amd64") {
		t.Fatalf("mislabelled arch err = %v", err)
	}
}

func TestPinKustomization(t *testing.T) {
	in := []byte("namespace: kiln\nresources:\n  - crd\n  - manager\nimages:\n  - name: kiln-controller\n    newName: ghcr.io/kiln-dev/kiln-controller\n    newTag: latest\n")
	c := Artifact{Repository: "reg.example/kiln/kiln-controller", Digest: "sha256:" + strings.Repeat("c", 64)}
	b := Artifact{Reference: "reg.example/kiln/builder-go@sha256:" + strings.Repeat("b", 64)}
	node := Artifact{Reference: "reg.example/kiln/builder-node@sha256:" + strings.Repeat("d", 64)}
	out, err := pinKustomization(in, c, b, map[string]Artifact{"node": node})
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Namespace string
		Resources []string
		Images    []map[string]string
		Patches   []struct {
			Target map[string]string
			Patch  string
		}
	}
	if err := yaml.Unmarshal(out, &k); err != nil {
		t.Fatal(err)
	}
	if k.Namespace != "kiln" || len(k.Resources) != 2 || len(k.Images) != 1 || k.Images[0]["digest"] != c.Digest || k.Images[0]["newName"] != c.Repository || k.Images[0]["newTag"] != "" {
		t.Fatalf("kustomization:\n%s", out)
	}
	if len(k.Patches) != 1 || k.Patches[0].Target["name"] != "kiln-controller" || !strings.Contains(k.Patches[0].Patch, "value: --default-builder="+b.Reference) ||
		!strings.Contains(k.Patches[0].Patch, "value: --builder=nodejs="+node.Reference) {
		t.Fatalf("patch:\n%s", out)
	}
}

func TestReleaseRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "release-1.0.0.json")
	r := &Release{SchemaVersion: ReleaseSchema, Version: "1.0.0", Images: []Artifact{{Kind: "builder", Name: "go", Reference: "r/x@sha256:1"}}}
	if err := r.Write(path); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRelease(path)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := got.Find("builder", "go"); !ok || a.Reference != "r/x@sha256:1" {
		t.Fatalf("%+v", got)
	}
	r.SchemaVersion = 2
	r.Write(path)
	if _, err := ReadRelease(path); err == nil || !strings.Contains(err.Error(), "schemaVersion 2") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Registry: "r", Version: "v1"}, "no leading v"},
		{Options{Version: "1.0.0"}, "--registry"},
		{Options{Registry: "r", Version: "1.0.0", Arches: []string{"riscv64"}}, "--platforms"},
		{Options{Registry: "r", Version: "1.0.0", Skip: map[string]bool{"stacks": true}}, "--skip stacks"},
	} {
		if _, err := Run(context.Background(), tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.opts, err, tc.want)
		}
	}
}
