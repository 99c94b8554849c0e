package lifecycle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/regclient"
)

// LayoutPath is where the lifecycle keeps ref inside an OCI layout export
// directory: <registry>/<repository>/<tag>, or .../<algorithm>/<hex> for a
// digest (the lifecycle's own scheme).
func LayoutPath(ref string) (string, error) {
	r, err := name.ParseReference(ref, name.WeakValidation)
	if err != nil {
		return "", err
	}
	p := filepath.Join(r.Context().RegistryStr(), r.Context().RepositoryStr())
	if alg, hex, ok := strings.Cut(r.Identifier(), ":"); ok {
		return filepath.Join(p, alg, hex), nil
	}
	return filepath.Join(p, r.Identifier()), nil
}

// runImageRef reads the first run image of the builder's /cnb/run.toml.
func runImageRef(builderRootfs string) (string, error) {
	var run struct {
		Images []struct {
			Image string `toml:"image"`
		} `toml:"images"`
	}
	p := filepath.Join(builderRootfs, "cnb", "run.toml")
	if _, err := toml.DecodeFile(p, &run); err != nil {
		return "", fmt.Errorf("builder has no readable /cnb/run.toml: %w", err)
	}
	if len(run.Images) == 0 || run.Images[0].Image == "" {
		return "", fmt.Errorf("builder's /cnb/run.toml names no run image")
	}
	return run.Images[0].Image, nil
}

// seedRunImage puts the run image into the layout, where the lifecycle
// looks for it when exporting to a layout, unless the same digest is there.
// It returns the run image's digest.
func seedRunImage(layoutDir, runRef string) (string, error) {
	target := regclient.FromEnv()
	ref, err := target.Ref(runRef)
	if err != nil {
		return "", err
	}
	img, err := remote.Image(ref, target.RemoteOptions(context.Background())...)
	if err != nil {
		return "", regclient.Explain("pulling run image "+runRef, ref, err)
	}
	rel, err := LayoutPath(runRef)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(layoutDir, rel)
	want, err := img.Digest()
	if err != nil {
		return "", err
	}
	if got, _, err := layoutImage(dst); err == nil && got == want.String() {
		return want.String(), nil
	}
	if err := os.RemoveAll(dst); err != nil {
		return "", err
	}
	p, err := layout.Write(dst, empty.Index)
	if err != nil {
		return "", err
	}
	return want.String(), p.AppendImage(img)
}

// layoutImage reads the image's digest and size back from a layout.
func layoutImage(dir string) (string, int64, error) {
	img, err := imageIn(dir)
	if err != nil {
		return "", 0, err
	}
	d, err := img.Digest()
	if err != nil {
		return "", 0, err
	}
	m, err := img.Manifest()
	if err != nil {
		return "", 0, err
	}
	size := m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	return d.String(), size, nil
}

// imageIn is the one image a lifecycle layout directory holds.
func imageIn(dir string) (v1.Image, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) == 0 {
		return nil, fmt.Errorf("no image in the layout at %s", dir)
	}
	return idx.Image(im.Manifests[0].Digest)
}

// collectGarbage removes the blobs of earlier exports from an image's
// layout directory: the lifecycle rewrites index.json but keeps old blobs.
func collectGarbage(dir string) error {
	img, err := imageIn(dir)
	if err != nil {
		return fmt.Errorf("reading the exported image: %w", err)
	}
	keep := map[string]bool{}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	keep[d.Hex] = true
	keep[m.Config.Digest.Hex] = true
	for _, l := range m.Layers {
		keep[l.Digest.Hex] = true
	}
	blobs := filepath.Join(dir, "blobs", "sha256")
	ents, err := os.ReadDir(blobs)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !keep[e.Name()] {
			if err := os.Remove(filepath.Join(blobs, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
