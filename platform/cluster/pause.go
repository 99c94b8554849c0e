package cluster

import (
	"fmt"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/stacks"
)

// BinaryImage is a linux/amd64 image of one static binary: a single layer
// holding it at /<name>, which is the entrypoint. The sandbox (pause) image
// is one: no image can be pulled from the internet here, so the node gets
// its sandbox image from kiln's registry.
func BinaryImage(bin, name string) (v1.Image, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("cluster: image of %s: %w", bin, err)
	}
	epoch := time.Unix(0, 0)
	layer, err := fileLayer(name, 0o755, b)
	if err != nil {
		return nil, fmt.Errorf("cluster: layer of %s: %w", bin, err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = "amd64", "linux"
	cf.Config.Entrypoint = []string{"/" + name}
	cf.Created = v1.Time{Time: epoch}
	return mutate.ConfigFile(img, cf)
}

// pushPause pushes the pause image to ref unless the registry already has
// the same digest.
func pushPause(bin, ref string, opts []remote.Option) error {
	if bin == "" {
		return fmt.Errorf("cluster: no pause binary in the tools dir: run `bash platform/tools/build.sh cluster`")
	}
	img, err := BinaryImage(bin, "pause")
	if err != nil {
		return err
	}
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return fmt.Errorf("cluster: pause image reference %s: %w", ref, err)
	}
	want, err := img.Digest()
	if err != nil {
		return err
	}
	if d, err := remote.Head(r, opts...); err == nil && d.Digest == want {
		return nil
	}
	if err := remote.Write(r, img, opts...); err != nil {
		return fmt.Errorf("cluster: pushing the pause image to %s: %w", ref, err)
	}
	return nil
}

// fileLayer is a layer of one regular file at path, owned by root, with
// its parent directories (0755), dated at stacks.Epoch.
func fileLayer(path string, mode int64, b []byte) (v1.Layer, error) {
	t := stacks.NewTree()
	t.File(path, mode, 0, 0, b)
	return t.Layer()
}
