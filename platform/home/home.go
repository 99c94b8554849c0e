package home

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// Dir is a kiln state directory.
type Dir string

// Default returns $KILN_HOME, or $HOME/.cache/kiln.
func Default() Dir {
	if d := os.Getenv("KILN_HOME"); d != "" {
		return Dir(d)
	}
	if d, err := os.UserCacheDir(); err == nil {
		return Dir(filepath.Join(d, "kiln"))
	}
	return Dir(filepath.Join(os.TempDir(), "kiln"))
}

func (d Dir) path(elem ...string) string {
	return filepath.Join(append([]string{string(d)}, elem...)...)
}

// Registry is the embedded registry's storage.
func (d Dir) Registry() string { return d.path("registry") }

// Rootfs is the flattened image cache.
func (d Dir) Rootfs() string { return d.path("rootfs") }

// Deps is the machine-wide dependency cache builds share: written only by
// kiln with what it verified (Go toolchains), seen by builds read-only under
// their app's own layer (platform/lifecycle). An older kiln's "deps", which
// builds wrote, is not reused.
func (d Dir) Deps() string { return d.path("deps-shared") }

// Debs caches downloaded Debian packages.
func (d Dir) Debs() string { return d.path("debs") }

// Tools holds pinned tools (lifecycle, pack): $KILN_TOOLS, else <home>/tools.
func (d Dir) Tools() string {
	if t := os.Getenv("KILN_TOOLS"); t != "" {
		return t
	}
	return d.path("tools")
}

// Runs holds per-run state (overlay upper dirs), removed when a run stops.
func (d Dir) Runs() string { return d.path("runs") }

// IDStore is the part of the home whose files belong to the sandbox's ids
// under one id mapping (key: sandbox.IDMap.Key): flattened images, per-app
// caches, the dependency cache and build and run state, all owned by the
// mapped ids. A different mapping (another /etc/subuid line) gets a fresh
// store instead of files it could not read.
func (d Dir) IDStore(key string) Dir { return Dir(d.path("userns", key)) }

// AppCache is the persistent CNB cache of the app built from dir into image
// name: the key is the image repository plus the source path, so a new tag
// keeps a warm cache.
func (d Dir) AppCache(sourceDir, repository string) string {
	abs, _ := filepath.Abs(sourceDir)
	h := sha256.Sum256([]byte(repository + "\x00" + abs))
	return d.path("apps", hex.EncodeToString(h[:8]))
}

// FrameworkProxy is the file:// Go module proxy holding Kiln's Go framework
// for functions' own modules (go test, IDEs): platform/devproxy writes it.
func (d Dir) FrameworkProxy() string { return d.path("framework-proxy") }
