package nodeapp

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
)

// Lockfiles npm understands, in the order npm prefers them.
var Lockfiles = []string{"npm-shrinkwrap.json", "package-lock.json"}

// Lockfile returns the lockfile's name in dir, or "".
func Lockfile(dir string) string {
	for _, l := range Lockfiles {
		if _, err := os.Stat(filepath.Join(dir, l)); err == nil {
			return l
		}
	}
	return ""
}

// HashFiles returns the SHA-256 of the named files in dir (missing ones count as empty).
func HashFiles(dir string, names ...string) (string, error) {
	h := sha256.New()
	for _, n := range names {
		if n == "" {
			continue
		}
		io.WriteString(h, n+"\x00")
		f, err := os.Open(filepath.Join(dir, n))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HasNodeApp reports whether dir looks like a Node app: package.json,
// index.js or function.js.
func HasNodeApp(dir string) bool {
	for _, f := range []string{"package.json", "index.js", "function.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}
