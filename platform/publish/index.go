package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// archImage is one architecture's image of an artifact.
type archImage struct {
	Arch  string
	Image v1.Image
}

// makeIndex puts per-architecture images in one index: a Docker manifest
// list when they are Docker v2s2 images (as stacks and pack's images are),
// else an OCI index.
func makeIndex(imgs []archImage) (v1.ImageIndex, error) {
	mt := types.DockerManifestList
	for _, a := range imgs {
		m, err := a.Image.MediaType()
		if err != nil {
			return nil, err
		}
		if m != types.DockerManifestSchema2 {
			mt = types.OCIImageIndex
		}
	}
	idx := mutate.IndexMediaType(empty.Index, mt)
	for _, a := range imgs {
		cf, err := a.Image.ConfigFile()
		if err != nil {
			return nil, err
		}
		if cf.Architecture != a.Arch || cf.OS != "linux" {
			return nil, fmt.Errorf("image for linux/%s says it is %s/%s", a.Arch, cf.OS, cf.Architecture)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: a.Image,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: a.Arch}}})
	}
	return idx, nil
}

// pushIndex pushes idx to repo under every tag and describes it.
func pushIndex(ctx context.Context, t Target, kind, nm, repo string, tags []string, idx v1.ImageIndex) (Artifact, error) {
	var d v1.Hash
	var err error
	for _, tag := range tags {
		if d, err = t.WriteIndex(ctx, repo+":"+tag, idx); err != nil {
			return Artifact{}, err
		}
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return Artifact{}, err
	}
	a := Artifact{Kind: kind, Name: nm, Repository: repo, Tags: tags, Digest: d.String(), Reference: repo + "@" + d.String(), MediaType: string(im.MediaType)}
	for _, m := range im.Manifests {
		a.Platforms = append(a.Platforms, Platform{OS: m.Platform.OS, Architecture: m.Platform.Architecture, Digest: m.Digest.String()})
	}
	if _, err := name.ParseReference(a.Reference); err != nil {
		return Artifact{}, err
	}
	return a, nil
}
