package cluster

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
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

// fileLayer is a layer of one regular file at path (relative, no leading
// slash), owned by root, dated at the epoch.
func fileLayer(path string, mode int64, b []byte) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: path, Mode: mode, Size: int64(len(b)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(b); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
}
