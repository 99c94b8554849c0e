package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"kiln.dev/kiln/platform/fsutil"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/imagefs"
	"kiln.dev/kiln/platform/sandbox"
	"kiln.dev/kiln/platform/statedir"
)

const (
	buildJobName = "lifecycle.build"
	eventBuilder = "builder"
	eventBuilt   = "built"
)

func init() { sandbox.Register(buildJobName, buildJob) }

// buildRequest is what kiln build hands the helper.
type buildRequest struct {
	Store    string `json:"store"`
	Builder  string `json:"builder"`
	Image    string `json:"image"`
	StateDir string `json:"stateDir"`
	// CABundle is the host's CA bundle copied into the state ("" = none).
	CABundle  string `json:"caBundle,omitempty"`
	CacheDir  string `json:"cacheDir"`
	LayoutDir string `json:"layoutDir"`
	// DepsDir is the shared dependency cache and AppDeps the app's own
	// layer over it (see depsView); "" = --isolated-cache.
	DepsDir string `json:"depsDir,omitempty"`
	AppDeps string `json:"appDeps,omitempty"`
	// GoProxy is where kiln fetches the toolchains it shares.
	GoProxy    string `json:"goProxy,omitempty"`
	ClearCache bool   `json:"clearCache,omitempty"`
	HostPorts  []int  `json:"hostPorts,omitempty"`
	LogLevel   string `json:"logLevel,omitempty"`
}

type builderEvent struct {
	Repository string `json:"repository"`
	Digest     string `json:"digest"`
	Cached     bool   `json:"cached"`
}

type builtEvent struct {
	Buildpacks []string `json:"buildpacks"`
	// RunImage and RunDigest are the run image the app image is based on.
	RunImage  string `json:"runImage"`
	RunDigest string `json:"runDigest"`
}

// buildJob runs in the helper: it flattens the builder, hands the build's
// directories to the builder's CNB user, seeds the run image into the
// app's OCI layout and runs the creator as that user in a container with
// egress but no host loopback. The image lands in the layout; kiln
// publishes it from there.
func buildJob(ctx context.Context, in *sandbox.Inside) (int, error) {
	var req buildRequest
	if err := in.Decode(&req); err != nil {
		return 125, err
	}
	defer os.RemoveAll(req.StateDir)
	store := home.Dir(req.Store)
	statedir.Sweep(store.Runs(), "build-", "run-")
	statedir.SweepTemporary(store.Rootfs(), "flatten-")
	builder, err := pullBuilder(req.Builder, store.Rootfs())
	if err != nil {
		return 125, err
	}
	// In use while the lifecycle runs: kiln cache gc leaves it alone.
	release, err := imagefs.Use(builder.Rootfs)
	if err != nil {
		return 125, fmt.Errorf("%w: build again", err)
	}
	defer release()
	in.Send(eventBuilder, builderEvent{Repository: builder.Ref.Context().String(), Digest: builder.Digest.String(), Cached: builder.Cached})
	env := envMap(builder.Config.Config.Env)
	uid, gid, err := ids(env)
	if err != nil {
		return 125, fmt.Errorf("builder %s: %w", req.Builder, err)
	}
	if err := prepareDirs(req, uid, gid); err != nil {
		return 125, err
	}
	runRef, err := runImageRef(builder.Rootfs)
	if err != nil {
		return 125, err
	}
	runDigest, err := seedRunImage(req.LayoutDir, runRef)
	if err != nil {
		return 125, err
	}
	if err := fsutil.ChownTree(req.LayoutDir, uid, gid); err != nil {
		return 125, err
	}
	var deps depsView
	unmountDeps := func() {}
	if req.DepsDir != "" {
		deps = newDepsView(req.DepsDir, req.AppDeps, req.StateDir)
		if unmountDeps, err = deps.mount(uid, gid); err != nil {
			return 125, err
		}
	}
	defer unmountDeps()
	c := creator(req, deps.Merged, builder, uid, gid)
	r, err := c.Start()
	if err != nil {
		return 125, err
	}
	select {
	case <-ctx.Done():
		r.Stop(5 * time.Second)
	case <-r.Done():
	}
	code, err := r.Wait()
	if err != nil || code != 0 {
		return code, err
	}
	if req.DepsDir != "" {
		unmountDeps()
		printNotes(os.Stdout, promoteToolchains(ctx, deps, uid, gid, verifiedInstaller(req.GoProxy)))
	}
	image, err := LayoutPath(req.Image)
	if err != nil {
		return 125, err
	}
	if err := collectGarbage(filepath.Join(req.LayoutDir, image)); err != nil {
		return 125, err
	}
	// kiln reads the image from here as the user (rootless: not the CNB
	// user's owner), and the layout writer makes 0600 files.
	if err := fsutil.MakeReadable(filepath.Join(req.LayoutDir, image)); err != nil {
		return 125, err
	}
	in.Send(eventBuilt, builtEvent{Buildpacks: buildpacks(filepath.Join(req.StateDir, "layers")), RunImage: runRef, RunDigest: runDigest})
	return 0, nil
}

func pullBuilder(ref, dir string) (*imagefs.Image, error) {
	done, err := statedir.Writing(dir)
	if err != nil {
		return nil, err
	}
	defer done()
	img, err := imagefs.Pull(ref, dir)
	if err != nil {
		var te *transport.Error
		if errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden) {
			return nil, err // the error says how to log in; the builder exists
		}
		return nil, fmt.Errorf("%w\n  create the builder first: kiln builder create (make builder)", err)
	}
	return img, nil
}

// prepareDirs gives the build's directories to the CNB user.
func prepareDirs(req buildRequest, uid, gid int) error {
	if req.ClearCache {
		for _, d := range []string{req.CacheDir, req.AppDeps} {
			if err := os.RemoveAll(d); d != "" && err != nil {
				return err
			}
		}
	}
	dirs := []string{filepath.Join(req.StateDir, "layers"), req.CacheDir, req.LayoutDir}
	if err := fsutil.MkdirOwned(uid, gid, dirs...); err != nil {
		return err
	}
	return fsutil.ChownTree(filepath.Join(req.StateDir, "workspace"), uid, gid)
}

// creator is the container that runs /cnb/lifecycle/creator as the CNB
// user: no capabilities, the workspace, layers, cache and layout mounted
// read-write, the platform env and CA bundle read-only, the app's view of
// the dependency cache (deps, a mounted depsView; "" = none) at DepsMount,
// exporting to the layout, with egress through slirp4netns and the allowed
// host ports.
func creator(req buildRequest, deps string, builder *imagefs.Image, uid, gid int) *sandbox.Container {
	state := req.StateDir
	mounts := []sandbox.Mount{
		{Source: filepath.Join(state, "workspace"), Destination: "/workspace"},
		{Source: filepath.Join(state, "layers"), Destination: "/layers"},
		{Source: filepath.Join(state, "platform"), Destination: "/platform", ReadOnly: true, NoExec: true},
		{Source: req.CacheDir, Destination: "/cache"},
		{Source: req.LayoutDir, Destination: "/layout", NoExec: true},
	}
	if deps != "" {
		mounts = append(mounts, sandbox.Mount{Source: deps, Destination: DepsMount})
	}
	if req.CABundle != "" {
		mounts = append(mounts, sandbox.Mount{Source: req.CABundle, Destination: "/etc/ssl/certs/ca-certificates.crt", ReadOnly: true, NoExec: true})
	}
	env := append(append([]string(nil), builder.Config.Config.Env...),
		"CNB_PLATFORM_API="+PlatformAPI,
		// The lifecycle still calls layout export experimental.
		"CNB_USE_LAYOUT=true", "CNB_LAYOUT_DIR=/layout", "CNB_EXPERIMENTAL_MODE=silent")
	return &sandbox.Container{
		Rootfs: builder.Rootfs, State: filepath.Join(state, "sandbox"), Mounts: mounts, UID: uid, GID: gid,
		Args: []string{"/cnb/lifecycle/creator", "-app", "/workspace", "-layers", "/layers", "-platform", "/platform",
			"-cache-dir", "/cache", "-uid", strconv.Itoa(uid), "-gid", strconv.Itoa(gid), "-log-level", logLevel(req.LogLevel), req.Image},
		Env: env, Dir: "/", Hostname: "kiln-build",
		Net:    sandbox.Network{Egress: true, HostPorts: req.HostPorts},
		Stdout: os.Stdout, Stderr: os.Stderr,
	}
}

// logLevel is the creator's -log-level: level if the lifecycle knows it,
// else info.
func logLevel(level string) string {
	switch level {
	case "debug", "info", "warn", "error":
		return level
	}
	return "info"
}

// buildpacks lists the group that ran (group.toml), as id@version.
func buildpacks(layers string) []string {
	var group struct {
		Group []struct{ ID, Version string } `toml:"group"`
	}
	if _, err := toml.DecodeFile(filepath.Join(layers, "group.toml"), &group); err != nil {
		return nil
	}
	var out []string
	for _, g := range group.Group {
		out = append(out, g.ID+"@"+g.Version)
	}
	return out
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
	}
	return m
}

func ids(env map[string]string) (int, int, error) {
	uid, err1 := strconv.Atoi(env["CNB_USER_ID"])
	gid, err2 := strconv.Atoi(env["CNB_GROUP_ID"])
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("image env lacks CNB_USER_ID/CNB_GROUP_ID: not a CNB builder")
	}
	return uid, gid, nil
}
