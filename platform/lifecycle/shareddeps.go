package lifecycle

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"kiln.dev/kiln/buildpacks/go-dist/godist"
	"kiln.dev/kiln/platform/fsutil"
)

// The machine-wide dependency cache (home.Dir.Deps) is shared by the builds
// of every app, so no build may write it: a build's npm postinstall or
// go:generate step runs as the same user as the buildpacks and could
// otherwise trojan the Go toolchain every later app compiles with. A build
// sees the cache through an overlay instead (depsView): the shared cache is
// the read-only lower layer, the app's own directory the upper one. What the
// build writes (toolchains, GOMODCACHE, GOCACHE, npm, pip and Maven caches)
// lands in its app's layer, persists for that app's next build (warm
// rebuilds stay warm) and reaches no other app. After a successful build
// kiln, outside the container, fills the shared cache with what it can
// verify itself (promoteToolchains): the Go toolchains the build installed,
// downloaded again and checked against the checksum database, and the
// standard library kiln compiles with them (shareStd). Nothing a build wrote
// is shared: module zips, build caches and package caches stay per app.

// depsView is one build's view of the shared dependency cache.
type depsView struct {
	Shared string // lower layer: written only by kiln (promoteToolchains)
	Upper  string // the app's own layer, persistent
	Work   string // overlayfs's work dir, beside Upper
	Merged string // the mount point, bound into the build at DepsMount
}

// newDepsView is the view of shared for the app whose per-app state is
// appDeps, mounted under the build's state directory.
func newDepsView(shared, appDeps, state string) depsView {
	return depsView{Shared: shared, Upper: filepath.Join(appDeps, "upper"), Work: filepath.Join(appDeps, "work"),
		Merged: filepath.Join(state, "deps")}
}

// mount creates the directories (the upper layer owned by the build's user,
// who sees it as the cache's root) and mounts the overlay nosuid,nodev. It
// returns the unmount; call it before promoting.
func (v depsView) mount(uid, gid int) (func(), error) {
	if strings.ContainsAny(v.Shared+v.Upper+v.Work, ",:\\") {
		return nil, fmt.Errorf("dependency cache: %q holds a ',', ':' or '\\', which overlayfs mount options cannot carry: use another KILN_HOME", v.Shared+" "+v.Upper)
	}
	for _, d := range []string{v.Shared, v.Work, v.Merged} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("dependency cache: %w", err)
		}
	}
	if err := fsutil.MkdirOwned(uid, gid, v.Upper); err != nil {
		return nil, fmt.Errorf("dependency cache: %w", err)
	}
	opts := "lowerdir=" + v.Shared + ",upperdir=" + v.Upper + ",workdir=" + v.Work
	if err := unix.Mount("overlay", v.Merged, "overlay", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return nil, fmt.Errorf("dependency cache: mounting the overlay (%s): %w (build with --isolated-cache to do without it)", opts, err)
	}
	return func() { unix.Unmount(v.Merged, unix.MNT_DETACH) }, nil
}

// toolchainEntry is go-dist's name for a toolchain in the cache's go/
// folder: <Go version>-linux-<arch>.
var toolchainEntry = regexp.MustCompile(`^(1\.[0-9]+(?:\.[0-9]+)?(?:(?:rc|beta)[0-9]+)?)-linux-(amd64|arm64)$`)

// sharer fills shared entries unless they are complete; true when it did.
type sharer struct {
	// toolchain installs a verified Go version for arch at goroot.
	toolchain func(ctx context.Context, version, arch, goroot string) (bool, error)
	// std compiles the standard library with the (verified) goroot into
	// gocache, a GOCACHE owned by uid:gid.
	std func(ctx context.Context, goroot, gocache string, uid, gid int) (bool, error)
}

// verifiedInstaller installs through goproxyURL and checks against the
// checksum database kiln itself is configured with ($GOSUMDB of the kiln
// process, default sum.golang.org), never one the build's env names: a build
// could name a database it controls.
func verifiedInstaller(goproxyURL string) sharer {
	gosumdb := os.Getenv("GOSUMDB")
	return sharer{
		toolchain: func(ctx context.Context, version, arch, goroot string) (bool, error) {
			return godist.ShareToolchain(ctx, goproxyURL, gosumdb, version, arch, goroot)
		},
		std: godist.ShareStdCache,
	}
}

// promoteToolchains shares the Go toolchains the build installed in its
// app's layer: for each complete one the shared cache lacks, kiln installs
// its own verified copy there (the build's copy is never moved: the build
// may have changed it), then drops the app's copy so the app, too, reads
// the verified one. A toolchain kiln cannot verify stays the app's own. It
// returns a line per toolchain for the build's output. The overlay must be
// unmounted.
func promoteToolchains(ctx context.Context, v depsView, uid, gid int, share sharer) []string {
	// The build wrote the upper layer: a go (or gocache) there may be a
	// symlink it planted to make kiln, on the host, list and delete another
	// directory (the shared cache, another app's layer). Only a real
	// directory is read.
	if !realDir(filepath.Join(v.Upper, "go")) {
		return shareStdOfUsedToolchains(ctx, v, uid, gid, share)
	}
	entries, _ := os.ReadDir(filepath.Join(v.Upper, "go")) // none: the build used a shared toolchain
	var notes []string
	for _, e := range entries {
		m := toolchainEntry.FindStringSubmatch(e.Name())
		own := filepath.Join(v.Upper, "go", e.Name())
		if m == nil || !e.IsDir() || !godist.ToolchainComplete(own) {
			continue
		}
		shared := filepath.Join(v.Shared, "go", e.Name())
		filled := false
		if !godist.ToolchainComplete(shared) {
			// The folder is the build user's, so that a build can still add
			// a toolchain of its own (overlayfs copies the folder up with its
			// owner); the toolchain in it is kiln's.
			if err := fsutil.MkdirOwned(uid, gid, filepath.Dir(shared)); err != nil {
				notes = append(notes, fmt.Sprintf("Go %s stays in this app's cache: %v", m[1], err))
				continue
			}
			var err error
			if filled, err = share.toolchain(ctx, m[1], m[2], shared); err != nil {
				notes = append(notes, fmt.Sprintf("Go %s stays in this app's cache: sharing it: %v", m[1], err))
				continue
			}
		}
		if err := os.RemoveAll(own); err != nil {
			notes = append(notes, fmt.Sprintf("Go %s: removing this app's copy: %v", m[1], err))
			continue
		}
		if filled {
			notes = append(notes, fmt.Sprintf("Go %s verified against the checksum database and shared with every app's builds", m[1]))
		}
	}
	return append(notes, shareStdOfUsedToolchains(ctx, v, uid, gid, share)...)
}

// shareStdOfUsedToolchains runs shareStd for each shared toolchain the
// build compiled with (its layer has a GOCACHE for that Go).
func shareStdOfUsedToolchains(ctx context.Context, v depsView, uid, gid int, share sharer) []string {
	if !realDir(filepath.Join(v.Upper, "gocache")) {
		return nil
	}
	caches, err := os.ReadDir(filepath.Join(v.Upper, "gocache"))
	if err != nil {
		return nil
	}
	var notes []string
	for _, c := range caches {
		version, ok := strings.CutPrefix(c.Name(), "go")
		goroot := filepath.Join(v.Shared, "go", version+"-linux-"+runtime.GOARCH)
		if !ok || !c.IsDir() || !toolchainEntry.MatchString(version+"-linux-"+runtime.GOARCH) || !godist.ToolchainComplete(goroot) {
			continue
		}
		if note := shareStd(ctx, v, version, goroot, uid, gid, share); note != "" {
			notes = append(notes, note)
		}
	}
	return notes
}

// shareStd gives every app's builds the standard library compiled by kiln
// with the shared toolchain, in the GOCACHE kiln/go-build uses for that Go
// (gocache/go<version>): a new app's first build then compiles only its
// own code. Builds see it read-only under their own layer, like the rest.
func shareStd(ctx context.Context, v depsView, version, goroot string, uid, gid int, share sharer) string {
	gocache := filepath.Join(v.Shared, "gocache", "go"+version)
	if godist.ToolchainComplete(gocache) {
		return ""
	}
	if err := fsutil.MkdirOwned(uid, gid, filepath.Dir(gocache)); err != nil {
		return fmt.Sprintf("Go %s: std stays unshared: %v", version, err)
	}
	filled, err := share.std(ctx, goroot, gocache, uid, gid)
	if err != nil {
		return fmt.Sprintf("Go %s: std stays unshared: %v", version, err)
	}
	if filled {
		return fmt.Sprintf("Go %s: the standard library, compiled by kiln with it, shared with every app's builds", version)
	}
	return ""
}

// printNotes writes the promotion notes as the build's output.
func printNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		fmt.Fprintf(w, "    dependency cache: %s\n", n)
	}
}

// realDir reports whether p is a directory itself, not a symlink to one.
func realDir(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsDir()
}
