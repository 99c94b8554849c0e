package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// diskBlobs stores blobs as <dir>/<algorithm>/<hex>, written durably
// (fsync, rename, fsync of the directory) before the upload is answered.
// A blob seen by a client (HEAD, GET, mount) gets a fresh mtime: gc keeps
// blobs younger than its grace period, so a push that found a blob present
// and skipped uploading it still finds it when it puts its manifest.
type diskBlobs struct{ dir string }

func (d diskBlobs) path(h v1.Hash) string { return filepath.Join(d.dir, h.Algorithm, h.Hex) }

// touchAfter bounds how often a read refreshes a blob's mtime.
const touchAfter = time.Minute

// Stat verifies the blob against its digest (a damaged one reads as absent,
// so a client uploads it again) and refreshes its mtime.
func (d diskBlobs) Stat(_ context.Context, _ string, h v1.Hash) (int64, error) {
	p := d.path(h)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, ggcr.ErrNotFound
	} else if err != nil {
		return 0, err
	}
	defer f.Close()
	got, size, err := v1.SHA256(f)
	if err != nil {
		return 0, err
	}
	if got != h {
		return 0, fmt.Errorf("%w: blob %s holds %s", ggcr.ErrNotFound, h, got)
	}
	if st, err := f.Stat(); err == nil && time.Since(st.ModTime()) > touchAfter {
		now := time.Now()
		os.Chtimes(p, now, now)
	}
	return size, nil
}

func (d diskBlobs) Get(_ context.Context, _ string, h v1.Hash) (io.ReadCloser, error) {
	f, err := os.Open(d.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ggcr.ErrNotFound
	}
	return f, err
}

// Put stores rc (which go-containerregistry verifies against h as it is
// read) under h; a failed or mismatched upload leaves nothing behind.
func (d diskBlobs) Put(_ context.Context, _ string, h v1.Hash, rc io.ReadCloser) error {
	defer rc.Close()
	dir := filepath.Join(d.dir, h.Algorithm)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, "upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = io.Copy(f, rc)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), d.path(h))
	}
	if err == nil {
		err = syncDir(dir)
	}
	return err
}

func (d diskBlobs) Delete(_ context.Context, _ string, h v1.Hash) error {
	err := os.Remove(d.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return ggcr.ErrNotFound
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(d.path(h)))
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
