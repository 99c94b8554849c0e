package godist

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"kiln.dev/kiln/buildpacks/internal/depcache"
	"kiln.dev/kiln/buildpacks/internal/goproxy"
)

// ShareToolchain fills the dependency-cache entry goroot with
// InstallVerified unless it is complete already (depcache.Populate: atomic,
// never replacing a complete entry); it returns true when it filled it. The
// entry is readable by everyone and writable by its owner only: kiln owns
// it, builds run as another user.
func ShareToolchain(ctx context.Context, goproxyURL, gosumdb, version, goarch, goroot string) (bool, error) {
	return depcache.Populate(goroot, func(dir string) error {
		if _, err := InstallVerified(ctx, goproxyURL, gosumdb, version, goarch, dir); err != nil {
			return err
		}
		return os.Chmod(dir, 0o755) // a temp dir: 0700
	})
}

// ToolchainComplete reports whether goroot is a complete dependency-cache
// entry (go-dist finished filling it).
func ToolchainComplete(goroot string) bool { return depcache.Complete(goroot) }

// InstallVerified is how the kiln platform itself fills the machine-wide
// toolchain cache, outside any build: it downloads Go version for goarch
// through goproxyURL (a GOPROXY value), refuses it unless the checksum
// database gosumdb (a GOSUMDB value; "" is sum.golang.org) vouches for its
// hash, and unpacks it into goroot as go-dist's own layer would. Unlike a
// build, GOSUMDB=off is an error here: an unverified toolchain is never
// shared. It returns the verified h1: hash. The zip is downloaded beside
// goroot and removed.
func InstallVerified(ctx context.Context, goproxyURL, gosumdb, version, goarch, goroot string) (string, error) {
	c, err := goproxy.NewClient(goproxyURL)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(goroot), ".download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	zipPath, hash, err := c.FetchToolchain(ctx, version, goarch, gosumdb, tmp)
	if err != nil {
		return "", err
	}
	if hash == "" {
		return "", fmt.Errorf("go %s: GOSUMDB=off: only toolchains verified against a checksum database are shared between apps (unset GOSUMDB)", version)
	}
	if err := goproxy.ExtractToolchain(zipPath, goroot); err != nil {
		return "", err
	}
	return hash, nil
}
