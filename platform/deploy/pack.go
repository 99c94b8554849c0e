package deploy

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Limits bound what PackSource reads from a source directory.
type Limits struct {
	MaxBytes int64 // total size of the files packed
	MaxFiles int   // files and directories packed
}

// DefaultLimits are kiln deploy's: 256 MiB in at most 50,000 entries.
var DefaultLimits = Limits{MaxBytes: 256 << 20, MaxFiles: 50_000}

// Bundle is a packed source directory.
type Bundle struct {
	Image v1.Image
	Files int   // regular files packed
	Bytes int64 // their total size
	// tar is the layer's uncompressed tar, a temporary file Close removes.
	tar string
}

// Close removes the bundle's temporary tar.
func (b *Bundle) Close() error { return os.Remove(b.tar) }

// epoch is every entry's mtime: the same source packs to the same digest,
// so deploying it again changes nothing.
var epoch = time.Unix(0, 0).UTC()

// PackSource packs dir, leaving out what skip names (rel is slash-separated
// and relative to dir; nil keeps everything), into a Shipwright source
// bundle. Entries are sorted, owned by root, dated at the epoch, mode 0755
// for directories and executables and 0644 for other files.
func PackSource(dir string, skip func(rel string, isDir bool) bool, lim Limits) (*Bundle, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if root, err = filepath.EvalSymlinks(root); err != nil {
		return nil, fmt.Errorf("source directory %s: %w", dir, err)
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("source directory %s: not a directory", dir)
	}
	f, err := os.CreateTemp("", "kiln-source-*.tar")
	if err != nil {
		return nil, err
	}
	b := &Bundle{tar: f.Name()}
	p := &packer{root: root, skip: skip, lim: lim, tw: tar.NewWriter(f), b: b}
	err = filepath.WalkDir(root, p.visit)
	if err == nil {
		err = p.tw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(b.tar)
		return nil, err
	}
	layer, err := tarball.LayerFromFile(b.tar)
	if err != nil {
		os.Remove(b.tar)
		return nil, err
	}
	img, err := mutate.Time(empty.Image, epoch)
	if err == nil {
		img, err = mutate.AppendLayers(img, layer)
	}
	if err != nil {
		os.Remove(b.tar)
		return nil, err
	}
	b.Image = img
	return b, nil
}

type packer struct {
	root    string
	skip    func(string, bool) bool
	lim     Limits
	tw      *tar.Writer
	b       *Bundle
	entries int
}

// visit packs one entry of the walk.
func (p *packer) visit(path string, d fs.DirEntry, err error) error {
	if err != nil {
		return fmt.Errorf("reading the source: %w", err)
	}
	if path == p.root {
		return nil
	}
	rel, err := filepath.Rel(p.root, path)
	if err != nil {
		return err
	}
	rel = filepath.ToSlash(rel)
	isDir := d.IsDir()
	if p.skip != nil && p.skip(rel, isDir) {
		if isDir {
			return filepath.SkipDir
		}
		return nil
	}
	if p.entries++; p.lim.MaxFiles > 0 && p.entries > p.lim.MaxFiles {
		return fmt.Errorf("source: more than %d files and directories (at %s): list what the build does not need in .kilnignore", p.lim.MaxFiles, rel)
	}
	info, err := d.Info()
	if err != nil {
		return err
	}
	src := path
	switch mode := info.Mode(); {
	case mode.IsDir():
		return p.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: rel + "/", Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX})
	case mode&fs.ModeSymlink != 0:
		if src, info, err = p.resolve(path, rel); err != nil {
			return err
		}
	case !mode.IsRegular():
		return fmt.Errorf("source: %s is a %s, not a file or directory: Shipwright's source bundles hold only those; list it in .kilnignore", rel, kind(mode))
	}
	return p.file(rel, src, info)
}

// resolve follows a symlink to the regular file inside the source it
// names; anything else is an error naming the link.
func (p *packer) resolve(path, rel string) (string, fs.FileInfo, error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", nil, fmt.Errorf("source: symlink %s: %w (list it in .kilnignore)", rel, err)
	}
	if in, err := filepath.Rel(p.root, target); err != nil || in == ".." || strings.HasPrefix(in, "../") || filepath.IsAbs(in) {
		return "", nil, fmt.Errorf("source: symlink %s points out of the source directory (to %s): copy the file in, or list the link in .kilnignore", rel, target)
	}
	info, err := os.Stat(target)
	if err != nil {
		return "", nil, err
	}
	if !info.Mode().IsRegular() {
		return "", nil, fmt.Errorf("source: symlink %s points to a %s: only links to files are packed (as the file); list it in .kilnignore", rel, kind(info.Mode()))
	}
	return target, info, nil
}

// file packs src's content as rel, bounded by what it said its size was.
func (p *packer) file(rel, src string, info fs.FileInfo) error {
	size := info.Size()
	if p.b.Bytes += size; p.lim.MaxBytes > 0 && p.b.Bytes > p.lim.MaxBytes {
		return fmt.Errorf("source: more than %d MiB (at %s, %d bytes): list what the build does not need in .kilnignore", p.lim.MaxBytes>>20, rel, size)
	}
	mode := int64(0o644)
	if info.Mode().Perm()&0o111 != 0 {
		mode = 0o755
	}
	// Non-blocking, then checked again on the open file: a file swapped
	// for a named pipe after the walk saw it must not hang the pack.
	in, err := os.OpenFile(src, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("source: %s changed while being packed (not a regular file now)", rel)
	}
	if err := p.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: rel, Mode: mode, Size: size, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
		return err
	}
	n, err := io.Copy(p.tw, io.LimitReader(in, size))
	if err == nil && n != size {
		err = errors.New("it shrank while being packed")
	}
	if err != nil {
		return fmt.Errorf("source: packing %s: %w", rel, err)
	}
	p.b.Files++
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "special file"
}
