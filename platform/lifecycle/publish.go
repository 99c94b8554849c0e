package lifecycle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/regclient"
)

// lifecycleMetadata is the label where the lifecycle records the run image.
const lifecycleMetadata = "io.buildpacks.lifecycle.metadata"

// withRunImageReference puts back what a registry export records as the run
// image: REPOSITORY@DIGEST of the run image. Exporting to a layout, the
// lifecycle writes a layout path and a digest of its own there instead
// ("/layout/<registry>/<repo>/<tag>@sha256:..."), which pack rebase and
// platforms cannot use. Only that field changes, so the image is the one a
// registry export makes (same config, same digest).
func withRunImageReference(img v1.Image, runImage, runDigest string) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	label := cf.Config.Labels[lifecycleMetadata]
	if label == "" || runImage == "" || runDigest == "" {
		return img, nil
	}
	var md struct {
		RunImage struct {
			Reference string `json:"reference"`
		} `json:"runImage"`
	}
	if err := json.Unmarshal([]byte(label), &md); err != nil {
		return nil, fmt.Errorf("the image's %s label: %w", lifecycleMetadata, err)
	}
	if !strings.HasPrefix(md.RunImage.Reference, "/layout/") {
		return img, nil
	}
	r, err := name.ParseReference(runImage)
	if err != nil {
		return nil, err
	}
	// Replace the one JSON string in place: re-encoding the label would
	// reorder its keys, and the config would differ from a registry export.
	old, _ := json.Marshal(md.RunImage.Reference)
	repl, _ := json.Marshal(r.Context().Name() + "@" + runDigest)
	if strings.Count(label, string(old)) != 1 {
		return nil, fmt.Errorf("the image's %s label names the run image %d times, want once", lifecycleMetadata, strings.Count(label, string(old)))
	}
	cf = cf.DeepCopy()
	cf.Config.Labels[lifecycleMetadata] = strings.Replace(label, string(old), string(repl), 1)
	return mutate.ConfigFile(img, cf)
}

// exported is what the build left in the app's layout: the image the
// lifecycle wrote, and the run image it is based on.
type exported struct {
	Dir                 string
	RunImage, RunDigest string
}

// publish pushes the exported image from the app's layout to ref, or, with
// layoutDir, writes it there as an OCI layout, after putting back the run
// image reference (withRunImageReference). The app's layout was written by
// the build (hostile input): it is refused if it holds anything but plain
// files and directories, every layer blob is checked against its digest on
// the way into a layout, and the registry checks what it receives. push
// carries the registry's credential (Options.Push); without it
// regclient.FromEnv answers (the Docker config's credentials,
// --insecure-registry).
func publish(e exported, ref, layoutDir string, push ...remote.Option) (string, int64, error) {
	if err := plainTree(e.Dir); err != nil {
		return "", 0, err
	}
	src, err := imageIn(e.Dir)
	if err != nil {
		return "", 0, fmt.Errorf("reading the exported image: %w", err)
	}
	img, err := withRunImageReference(src, e.RunImage, e.RunDigest)
	if err != nil {
		return "", 0, err
	}
	if img, err = withoutManifestAnnotations(img); err != nil {
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
	if layoutDir != "" {
		for _, h := range layerDigests(m) {
			if err := checkBlob(filepath.Join(e.Dir, "blobs", h.Algorithm, h.Hex), h); err != nil {
				return "", 0, err
			}
		}
		return d.String(), size, writeLayout(layoutDir, ref, img)
	}
	target := regclient.FromEnv()
	r, err := target.Ref(ref)
	if err != nil {
		return "", 0, err
	}
	if len(push) == 0 {
		push = target.RemoteOptions(context.Background())
	}
	if err := remote.Write(r, img, push...); err != nil {
		return "", 0, regclient.Explain("pushing "+ref, r, err)
	}
	return d.String(), size, nil
}

// withoutManifestAnnotations drops the annotations a layout export puts in
// the image manifest (org.opencontainers.image.ref.name: the tag, which
// belongs in a layout's index): a registry export has none, and the image
// is then byte for byte the one a registry export makes.
func withoutManifestAnnotations(img v1.Image) (v1.Image, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	if len(m.Annotations) == 0 {
		return img, nil
	}
	m = m.DeepCopy()
	m.Annotations = nil
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return &manifestOverride{Image: img, raw: raw, manifest: m}, nil
}

// manifestOverride is img with another manifest for the same config and
// layers.
type manifestOverride struct {
	v1.Image
	raw      []byte
	manifest *v1.Manifest
}

func (o *manifestOverride) RawManifest() ([]byte, error)    { return o.raw, nil }
func (o *manifestOverride) Manifest() (*v1.Manifest, error) { return o.manifest.DeepCopy(), nil }
func (o *manifestOverride) Size() (int64, error)            { return int64(len(o.raw)), nil }
func (o *manifestOverride) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(o.raw))
	return h, err
}

// plainTree refuses symlinks, devices, sockets and fifos under dir.
func plainTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if t := d.Type(); t != 0 && !t.IsDir() {
			return fmt.Errorf("the build left %s (%s) in its OCI layout: refusing to read it", p, t)
		}
		return nil
	})
}

// writeLayout writes img as a fresh OCI layout at layoutDir/<LayoutPath(ref)>,
// tagged like the lifecycle tags its exports.
func writeLayout(layoutDir, ref string, img v1.Image) error {
	rel, err := LayoutPath(ref)
	if err != nil {
		return err
	}
	r, err := name.ParseReference(ref, name.WeakValidation)
	if err != nil {
		return err
	}
	dst := filepath.Join(layoutDir, rel)
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	p, err := layout.Write(dst, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": r.Identifier()}))
}

func layerDigests(m *v1.Manifest) []v1.Hash {
	var hs []v1.Hash
	for _, l := range m.Layers {
		hs = append(hs, l.Digest)
	}
	return hs
}

// checkBlob hashes the blob file and compares it with want.
func checkBlob(p string, want v1.Hash) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); want.Algorithm != "sha256" || got != want.Hex {
		return fmt.Errorf("blob %s in the build's layout has digest sha256:%s: refusing it", want, got)
	}
	return nil
}
