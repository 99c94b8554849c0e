package godist

import (
	"context"
	"fmt"
	"os"
	"os/exec"
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
	if err := unpack(zipPath, hash, version, goarch, goroot); err != nil {
		return "", err
	}
	return hash, nil
}

// ShareStdCache fills the dependency-cache entry gocache (a GOCACHE) with
// the standard library compiled by the toolchain at goroot as kiln/go-build
// compiles it (CGO_ENABLED=0, -trimpath), unless it is complete already. The
// platform calls it outside any build, with a toolchain it verified: no
// build's code or env takes part, so every app may read the result (a
// build-written GOCACHE can map a package to any object and is never
// shared). The entry is owned by uid:gid, so a build that sees it through an
// overlay can add its own entries beside them (in its own upper layer).
func ShareStdCache(ctx context.Context, goroot, gocache string, uid, gid int) (bool, error) {
	return depcache.Populate(gocache, func(dir string) error {
		cmd := exec.CommandContext(ctx, filepath.Join(goroot, "bin", "go"), "build", "-trimpath", "std")
		cmd.Dir = dir
		cmd.Env = []string{"GOROOT=" + goroot, "GOCACHE=" + dir, "CGO_ENABLED=0", "GOTOOLCHAIN=local", "GOENV=off",
			"GOFLAGS=", "GOPATH=" + filepath.Join(dir, ".gopath"), "HOME=" + dir, "PATH=/usr/bin:/bin"}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("compiling std with %s: %w: %s", goroot, err, out)
		}
		if err := os.RemoveAll(filepath.Join(dir, ".gopath")); err != nil {
			return err
		}
		if err := os.Chmod(dir, 0o755); err != nil { // a temp dir: 0700
			return err
		}
		return filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, uid, gid)
		})
	})
}
