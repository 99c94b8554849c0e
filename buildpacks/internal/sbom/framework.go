package sbom

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"

	"kiln.dev/kiln/platform/fsutil"
)

// TreeHashProperty names the CycloneDX property that carries a go.sum-style
// h1: hash (golang.org/x/mod/sumdb/dirhash Hash1: SHA-256 over the sorted
// list of each file's SHA-256 and path) of the files a component that is
// not a Go module is made of, as the layer holds them (a Go module's is
// GoSumProperty). It is a hash of a file tree, not of one file, so it is a
// property and not a CycloneDX hash; dirhash.HashDir(dir, "",
// dirhash.Hash1) recomputes it.
const TreeHashProperty = "kiln:h1"

// Framework is the functions framework a function buildpack put in a layer
// (CycloneDX type framework), with the hashes of its artifact (a jar, a
// module zip) the caller knows and properties (TreeHash, GoSum).
func Framework(name, version, purl string, props []Property, hashes ...Hash) Component {
	return Component{Type: "framework", Name: name, Version: version, PURL: purl, Hashes: hashes, Properties: props}
}

// TreeHash is the TreeHashProperty of h1 (TreeH1's result).
func TreeHash(h1 string) []Property { return []Property{{Name: TreeHashProperty, Value: h1}} }

// GoSum is the GoSumProperty of a Go module's go.sum hash.
func GoSum(h1 string) []Property { return []Property{{Name: GoSumProperty, Value: h1}} }

// FileHash is the SHA-256 of the file at path as a CycloneDX hash.
func FileHash(path string) (Hash, error) {
	sum, err := fsutil.FileSHA256(path)
	return Hash{Alg: "SHA-256", Content: sum}, err
}

// TreeH1 is the h1: hash of every file under dir, named by its slash path
// relative to dir. Anything but a directory or a regular file (a symlink, a
// device) is refused: a layer's copy of a framework holds neither.
func TreeH1(dir string) (string, error) {
	files, err := dirhash.DirFiles(dir, "")
	if err != nil {
		return "", fmt.Errorf("sbom: listing %s: %w", dir, err)
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		info, err := os.Lstat(p)
		if err != nil {
			return "", err
		}
		if !info.Mode().IsRegular() {
			return "", fmt.Errorf("sbom: %s is not a regular file (%s): refusing to hash it", p, info.Mode().Type())
		}
	}
	if len(files) == 0 {
		return "", fmt.Errorf("sbom: %s holds no files", dir)
	}
	h, err := dirhash.Hash1(files, func(name string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(name, "/"))))
	})
	if err != nil {
		return "", fmt.Errorf("sbom: hashing %s: %w", dir, err)
	}
	return h, nil
}
