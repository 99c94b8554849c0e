package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/e2e/kiln"
)

// copyRelease copies every artifact of a release manifest, under every tag,
// from one registry to another: what `crane copy` does for each line of the
// manifest, and what a platform team mirroring a release runs.
func copyRelease(t *testing.T, manifest, from, to string, opts ...remote.Option) {
	t.Helper()
	r, _ := readRelease(t, manifest)
	for _, a := range r.Images {
		src, err := name.ParseReference(a.Reference)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := remote.Index(src, opts...)
		if err != nil {
			t.Fatalf("reading %s: %v", a.Reference, err)
		}
		tags := a.Tags
		if a.Kind == "stack" {
			tags = append(tags, "bookworm")
		}
		for _, tag := range tags {
			dst, err := name.ParseReference(strings.Replace(a.Repository, from, to, 1) + ":" + tag)
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.WriteIndex(dst, idx, opts...); err != nil {
				t.Fatalf("copying %s to %s: %v", a.Reference, dst, err)
			}
		}
	}
}

// Published to one registry with a declared mirror, copied to the mirror,
// the first registry stopped: kiln build and pack build still work from the
// mirror, and the app records the mirror's run image.
func TestRelocatedReleaseWorksWithTheFirstRegistryGone(t *testing.T) {
	published(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "first"), 0o755)
	bin, err := registryBin()
	if err != nil {
		t.Fatal(err)
	}
	first, err := startRegistry(bin, filepath.Join(dir, "first"), nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Stop()
	out, err := publishTo(first.Addr, filepath.Join(dir, "release"), "--run-image-mirror", suite.mirror.Addr, "--platforms", "linux/amd64", "--skip", "controller")
	if err != nil {
		t.Fatalf("publish to %s: %v\n%s", first.Addr, err, out)
	}
	copyRelease(t, filepath.Join(dir, "release", "release-"+version+".json"), first.Addr, suite.mirror.Addr)
	first.Stop()

	builder := suite.mirror.Addr + "/kiln/builder-go:" + version
	out, err = runKiln(nil, "build", "samples/go/hello", "--target", "HelloWorld", "--builder", builder, "--image", "relocated-hello")
	if err != nil {
		t.Fatalf("kiln build --builder %s with %s gone: %v\n%s", builder, first.Addr, err, out)
	}
	k := &kiln.Kiln{Bin: suite.kilnBin, Home: suite.home, Env: []string{"KILN_TOOLS=" + suite.tools}, Log: os.Stdout}
	r, err := k.Start("relocated-hello")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop(5e9)
	if code, body, err := kiln.Get(r.URL + "/?name=Kiln"); err != nil || code != 200 || body != "Hello, Kiln!\n" {
		t.Fatalf("relocated hello: %d %q %v", code, body, err)
	}

	p := startPodman(t)
	image := "kiln-e2e.local/relocated-hello"
	if out, err := p.pack(append([]string{"build", image, "--path", "samples/go/hello", "--env", "FUNC_NAME=HelloWorld"}, buildArgs(builder)...)...); err != nil {
		t.Fatalf("pack build -B %s with %s gone: %v\n%s", builder, first.Addr, err, out)
	}
	inspect, err := p.podman("--url", "unix://"+p.sock, "image", "inspect", "--format", `{{index .Labels "io.buildpacks.lifecycle.metadata"}}`, image)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(inspect, suite.mirror.Addr+"/kiln/stack/run-static") {
		t.Errorf("the app does not record the mirror's run image:\n%s", inspect)
	}
	port, err := kiln.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.serve(t, image, port, "/?name=Kiln"); got != "Hello, Kiln!" {
		t.Fatalf("got %q", got)
	}
}
