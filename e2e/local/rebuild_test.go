package local

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"
)

func TestGoRebuildAndLayout(t *testing.T) {
	var src string
	f := features.New("go hello: edits, rebuilds and an OCI layout").
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			src = filepath.Join(t.TempDir(), "hello")
			if out, err := exec.Command("cp", "-r", filepath.Join(repo, "samples", "go", "hello"), src).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			if err := k.Run("build", src, "--image", "e2e-edit", "--target", "HelloWorld").Err(); err != nil {
				t.Fatal(err)
			}
			return ctx
		}).
		Assess("warm rebuild after a one-line change serves the change", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			p := filepath.Join(src, "hello.go")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"Hello, %s!\n"`, `"Hi there, %s!\n"`, 1)), 0o644)
			res := k.Run("build", src, "--image", "e2e-edit", "--target", "HelloWorld")
			if res.Err() != nil {
				t.Fatal(res.Err())
			}
			t.Logf("warm rebuild after a one-line change: %s", res.Took)
			r, err := k.Start("e2e-edit")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Stop(15 * time.Second)
			expectGet("/?name=Kiln", "Hi there, Kiln!\n")(t, r)
			return ctx
		}).
		Assess("export to an OCI layout", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := t.TempDir()
			res := k.Run("build", src, "--image", "e2e-layout", "--target", "HelloWorld", "--layout", dir)
			if res.Err() != nil {
				t.Fatal(res.Err())
			}
			p, err := layout.FromPath(filepath.Join(dir, "kiln.local", "e2e-layout", "latest"))
			if err != nil {
				t.Fatal(err)
			}
			idx, _ := p.ImageIndex()
			im, err := idx.IndexManifest()
			if err != nil || len(im.Manifests) != 1 {
				t.Fatalf("layout index: %v %v", im, err)
			}
			if got := im.Manifests[0].Digest.String(); got != res.Digest() {
				t.Fatalf("layout holds %s, kiln reported %s", got, res.Digest())
			}
			img, _ := idx.Image(im.Manifests[0].Digest)
			cf, err := img.ConfigFile()
			if err != nil || cf.Config.Labels["dev.kiln.function.target"] != "HelloWorld" {
				t.Fatalf("layout image config: %v", err)
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}
