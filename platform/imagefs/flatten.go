package imagefs

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
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

// Cached returns the flattened rootfs of digest if it is already on disk.
func Cached(ref name.Reference, digest v1.Hash, cfg *v1.ConfigFile, cacheDir string) (*Image, bool) {
	out := &Image{Ref: ref, Digest: digest, Config: cfg, Rootfs: filepath.Join(cacheDir, digest.Algorithm+"-"+digest.Hex), Cached: true}
	_, err := os.Stat(out.Rootfs + ".complete")
	return out, err == nil
}

// Pull resolves ref in its registry and flattens it into cacheDir/<digest>.
func Pull(ref, cacheDir string) (*Image, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", ref, err)
	}
	img, err := remote.Image(r)
	if err != nil {
		return nil, fmt.Errorf("pulling %s: %w", ref, err)
	}
	return Flatten(r, img, cacheDir)
}

// Flatten unpacks img into cacheDir/<digest> unless it is there already.
func Flatten(r name.Reference, img v1.Image, cacheDir string) (*Image, error) {
	digest, err := img.Digest()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config of %s: %w", r, err)
	}
	out := &Image{Ref: r, Digest: digest, Config: cf, Rootfs: filepath.Join(cacheDir, digest.Algorithm+"-"+digest.Hex)}
	if _, err := os.Stat(out.Rootfs + ".complete"); err == nil {
		out.Cached = true
		return out, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(cacheDir, "flatten-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	rc := mutate.Extract(img)
	defer rc.Close()
	if err := Untar(rc, tmp); err != nil {
		return nil, fmt.Errorf("flattening %s: %w", r, err)
	}
	os.RemoveAll(out.Rootfs)
	if err := os.Rename(tmp, out.Rootfs); err != nil {
		return nil, err
	}
	if err := os.WriteFile(out.Rootfs+".complete", []byte(r.String()+"\n"), 0o644); err != nil {
		return nil, err
	}
	return out, nil
}

// Untar extracts a tar stream into dir, keeping owners, modes and links.
// Device nodes are skipped (the sandbox binds /dev).
func Untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	type dirMeta struct {
		path string
		hdr  *tar.Header
	}
	var dirs []dirMeta
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rel := filepath.Clean("/" + h.Name)
		if rel == "/" {
			continue
		}
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			dirs = append(dirs, dirMeta{p, h})
			continue
		case tar.TypeReg:
			if err := writeFile(p, tr, h); err != nil {
				return err
			}
		case tar.TypeSymlink:
			os.RemoveAll(p)
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
		case tar.TypeLink:
			target := filepath.Join(dir, filepath.Clean("/"+h.Linkname))
			if !strings.HasPrefix(target, dir) {
				return fmt.Errorf("hard link %s escapes the rootfs", h.Name)
			}
			os.RemoveAll(p)
			if err := os.Link(target, p); err != nil {
				return err
			}
		default:
			continue
		}
		os.Lchown(p, h.Uid, h.Gid)
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		d := dirs[i]
		os.Chown(d.path, d.hdr.Uid, d.hdr.Gid)
		os.Chmod(d.path, os.FileMode(d.hdr.Mode)&os.ModePerm|modeBits(d.hdr.Mode))
	}
	return nil
}

func writeFile(p string, r io.Reader, h *tar.Header) error {
	os.RemoveAll(p)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&os.ModePerm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(p, os.FileMode(h.Mode)&os.ModePerm|modeBits(h.Mode))
}

func modeBits(m int64) os.FileMode {
	var out os.FileMode
	if m&0o4000 != 0 {
		out |= os.ModeSetuid
	}
	if m&0o2000 != 0 {
		out |= os.ModeSetgid
	}
	if m&0o1000 != 0 {
		out |= os.ModeSticky
	}
	return out
}
