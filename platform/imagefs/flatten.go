package imagefs

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/fsutil"
	"kiln.dev/kiln/platform/regclient"
	"kiln.dev/kiln/platform/untar"
)

// Image is a pulled image with its flattened rootfs.
type Image struct {
	Ref    name.Reference
	Digest v1.Hash
	Config *v1.ConfigFile
	Rootfs string
	// Cached is true when the rootfs was already on disk.
	Cached bool
}

// Options tune Pull and Flatten; the zero value is the default.
type Options struct {
	// Limits bound the whole image (TotalSize and Entries over all its
	// layers; FileSize per file); zero fields take untar.DefaultLimits'.
	Limits untar.Limits
	// Remote options for Pull (auth, transport).
	Remote []remote.Option
}

// rootfsOf is where digest's rootfs lives in cacheDir.
func rootfsOf(cacheDir string, digest v1.Hash) string {
	return filepath.Join(cacheDir, digest.Algorithm+"-"+digest.Hex)
}

// Cached returns the flattened rootfs of digest if it is already on disk.
func Cached(ref name.Reference, digest v1.Hash, cfg *v1.ConfigFile, cacheDir string) (*Image, bool) {
	out := &Image{Ref: ref, Digest: digest, Config: cfg, Rootfs: rootfsOf(cacheDir, digest), Cached: true}
	_, err := os.Stat(out.Rootfs + ".complete")
	return out, err == nil
}

// Pull resolves ref in its registry and flattens it into cacheDir/<digest>.
// It reaches the registry as regclient.FromEnv does: credentials from the
// Docker config, plain HTTP for loopback and $KILN_INSECURE_REGISTRIES.
func Pull(ref, cacheDir string) (*Image, error) { return PullWith(ref, cacheDir, Options{}) }

// PullWith is Pull with options; Remote replaces the default credentials
// and transport (regclient.FromEnv's).
func PullWith(ref, cacheDir string, opts Options) (*Image, error) {
	target := regclient.FromEnv()
	r, err := target.Ref(ref)
	if err != nil {
		return nil, err
	}
	remoteOpts := opts.Remote
	if len(remoteOpts) == 0 {
		remoteOpts = target.RemoteOptions(context.Background())
	}
	img, err := remote.Image(r, remoteOpts...)
	if err != nil {
		return nil, regclient.Explain("pulling "+ref, r, err)
	}
	return FlattenWith(r, img, cacheDir, opts)
}

// Flatten unpacks img into cacheDir/<digest> unless it is there already.
func Flatten(r name.Reference, img v1.Image, cacheDir string) (*Image, error) {
	return FlattenWith(r, img, cacheDir, Options{})
}

// FlattenWith is Flatten with options. Layers are applied in order, each
// with untar's policy (paths resolved inside the rootfs, whiteouts, no
// devices, no setuid bits); kiln processes flattening the same image at
// once take turns on a lock, and the loser reuses the winner's rootfs.
func FlattenWith(r name.Reference, img v1.Image, cacheDir string, opts Options) (*Image, error) {
	digest, err := img.Digest()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config of %s: %w", r, err)
	}
	out := &Image{Ref: r, Digest: digest, Config: cf, Rootfs: rootfsOf(cacheDir, digest)}
	if _, err := os.Stat(out.Rootfs + ".complete"); err == nil {
		out.Cached = true
		return out, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lock(out.Rootfs + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(out.Rootfs + ".complete"); err == nil {
		out.Cached = true // another kiln process flattened it meanwhile
		return out, nil
	}
	tmp, err := os.MkdirTemp(cacheDir, "flatten-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	if err := applyLayers(r, img, tmp, opts.Limits); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(out.Rootfs); err != nil { // a crash's leftover: no .complete
		return nil, err
	}
	if err := os.Rename(tmp, out.Rootfs); err != nil {
		return nil, err
	}
	if err := os.WriteFile(out.Rootfs+".complete", []byte(r.String()+"\n"), 0o644); err != nil {
		return nil, err
	}
	return out, nil
}

// applyLayers extracts img's layers into dir, bottom first, within lim.
func applyLayers(r name.Reference, img v1.Image, dir string, lim untar.Limits) error {
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("flattening %s: listing layers: %w", r, err)
	}
	lim = untar.Limits{FileSize: lim.FileSize, TotalSize: orDefault(lim.TotalSize, untar.DefaultLimits.TotalSize),
		Entries: int(orDefault(int64(lim.Entries), int64(untar.DefaultLimits.Entries)))}
	for i, l := range layers {
		if i > 0 && (lim.TotalSize <= 0 || lim.Entries <= 0) {
			return fmt.Errorf("flattening %s: layer %d of %d: the layers below used up the image's size or entry limit (imagefs.Options.Limits)", r, i+1, len(layers))
		}
		d, err := l.Digest()
		if err != nil {
			return fmt.Errorf("flattening %s: layer %d: %w", r, i+1, err)
		}
		what := fmt.Sprintf("flattening %s: layer %d of %d (%s)", r, i+1, len(layers), d)
		rc, err := l.Uncompressed()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		st, err := untar.Extract(rc, dir, layerOptions(what, lim))
		if err == nil {
			// Read to the end: the layer's digest is checked at EOF.
			if _, err = io.Copy(io.Discard, rc); err != nil {
				err = fmt.Errorf("%s: %w", what, err)
			}
		}
		if cerr := rc.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("%s: %w", what, cerr)
		}
		if err != nil {
			return err
		}
		lim.TotalSize -= st.Read
		lim.Entries -= st.Entries
	}
	return nil
}

func orDefault(v, def int64) int64 {
	if v <= 0 {
		return def
	}
	return v
}

// lock takes an exclusive flock on path until the returned func is called.
func lock(path string) (func(), error) {
	release, _, err := fsutil.Lock(path, true, true)
	return release, err
}

// Untar extracts one image layer's tar stream into dir with the layer
// policy of FlattenWith and untar.DefaultLimits.
func Untar(r io.Reader, dir string) error { return untarLayer(r, dir, untar.Limits{}) }

func untarLayer(r io.Reader, dir string, lim untar.Limits) error {
	_, err := untar.Extract(r, dir, layerOptions("layer", lim))
	return err
}

// layerOptions is how every image layer is extracted: owners kept when
// running as root, whiteouts applied.
func layerOptions(what string, lim untar.Limits) untar.Options {
	return untar.Options{Name: what, Limits: lim, Owners: os.Geteuid() == 0, Whiteouts: true}
}
