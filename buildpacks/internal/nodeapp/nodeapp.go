package nodeapp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// PackageJSON is the part of package.json the buildpacks use.
type PackageJSON struct {
	Name         string            `json:"name"`
	VersionField string            `json:"version"`
	Main         string            `json:"main"`
	Type         string            `json:"type"`
	Engines      map[string]string `json:"engines"`
	Dependencies map[string]string `json:"dependencies"`
	Scripts      map[string]string `json:"scripts"`
}

// Version is the package's version ("" for a nil package).
func (p *PackageJSON) Version() string {
	if p == nil {
		return ""
	}
	return p.VersionField
}

// Read parses dir/package.json; (nil, nil) when there is none.
func Read(dir string) (*PackageJSON, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p PackageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("package.json is not valid JSON (fix it; `npm pkg get` helps find the spot): %w", err)
	}
	return &p, nil
}

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
