package lifecycle

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/fsutil"
	"kiln.dev/kiln/platform/imagefs"
	"kiln.dev/kiln/platform/sandbox"
)

// PlatformAPI is the CNB Platform API kiln speaks to the lifecycle.
const PlatformAPI = "0.14"

// DepsMount is where the shared dependency cache appears in builds.
const DepsMount = "/kiln/deps"

// Options configures one build.
type Options struct {
	AppDir    string
	Image     string // fully qualified output reference
	Builder   string // fully qualified builder reference
	Env       map[string]string
	RootfsDir string // flattened image cache
	StateDir  string // scratch for this build (removed afterwards)
	CacheDir  string // persistent CNB cache of this app
	// DepsDir, when set, is shared by all builds on the machine: mounted at
	// DepsMount and announced to buildpacks as KILN_DEPENDENCY_CACHE.
	DepsDir    string
	ClearCache bool
	// LayoutDir, when set, exports an OCI layout there instead of pushing.
	LayoutDir string
	// RegistryAuth is CNB_REGISTRY_AUTH for the export (registry.ImageAuth).
	RegistryAuth string
	Out          io.Writer
}

// Result is what a successful build produced.
type Result struct {
	Image      string
	Digest     string
	Size       int64
	Buildpacks []string
	Phases     []Phase
	CacheHits  []string
	Total      time.Duration
	// Layout is the OCI layout holding the image, for layout exports.
	Layout     string
	Flatten    time.Duration
	BuilderHit bool
}

// Error is a failed build with the lifecycle's exit code and an explanation.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Build runs the creator for opts.
func Build(opts Options) (*Result, error) {
	start := time.Now()
	if err := sandbox.RequireRoot("kiln build"); err != nil {
		return nil, err
	}
	st, err := os.Stat(opts.AppDir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("source directory %q: not a directory (kiln build DIR)", opts.AppDir)
	}
	fmt.Fprintf(opts.Out, "==> Preparing builder %s\n", opts.Builder)
	builder, err := imagefs.Pull(opts.Builder, opts.RootfsDir)
	if err != nil {
		return nil, fmt.Errorf("%w\n  create the builder first: kiln builder create (make builder)", err)
	}
	flatten := time.Since(start)
	how := "flattened"
	if builder.Cached {
		how = "cached rootfs"
	}
	fmt.Fprintf(opts.Out, "    %s@%s (%s, %s)\n", builder.Ref.Context(), builder.Digest.Hex[:12], how, flatten.Round(time.Millisecond))
	env := envMap(builder.Config.Config.Env)
	uid, gid, err := ids(env)
	if err != nil {
		return nil, fmt.Errorf("builder %s: %w", opts.Builder, err)
	}

	ws, layers, platform := filepath.Join(opts.StateDir, "workspace"), filepath.Join(opts.StateDir, "layers"), filepath.Join(opts.StateDir, "platform")
	if opts.ClearCache {
		os.RemoveAll(opts.CacheDir)
	}
	if err := fsutil.MkdirOwned(uid, gid, ws, layers, opts.CacheDir); err != nil {
		return nil, err
	}
	binds := hostNetworkFiles()
	if opts.DepsDir != "" {
		if err := fsutil.MkdirOwned(uid, gid, opts.DepsDir); err != nil {
			return nil, err
		}
		binds = append(binds, sandbox.Bind{Src: opts.DepsDir, Dst: DepsMount})
		env := map[string]string{"KILN_DEPENDENCY_CACHE": DepsMount}
		for k, v := range opts.Env {
			env[k] = v
		}
		opts.Env = env
	}
	if err := fsutil.CopyTree(opts.AppDir, ws, uid, gid); err != nil {
		return nil, fmt.Errorf("copying %s into the workspace: %w", opts.AppDir, err)
	}
	if err := writePlatformEnv(filepath.Join(platform, "env"), opts.Env); err != nil {
		return nil, err
	}
	runEnv := append(builder.Config.Config.Env, "CNB_PLATFORM_API="+PlatformAPI, "HOME=/root")
	if opts.RegistryAuth != "" {
		runEnv = append(runEnv, "CNB_REGISTRY_AUTH="+opts.RegistryAuth)
	}
	if opts.LayoutDir != "" {
		runRef, err := runImageRef(builder.Rootfs)
		if err != nil {
			return nil, err
		}
		if err := seedRunImage(opts.LayoutDir, runRef); err != nil {
			return nil, err
		}
		if err := fsutil.ChownTree(opts.LayoutDir, uid, gid); err != nil {
			return nil, err
		}
		binds = append(binds, sandbox.Bind{Src: opts.LayoutDir, Dst: "/layout"})
		// The lifecycle still calls layout export experimental.
		runEnv = append(runEnv, "CNB_USE_LAYOUT=true", "CNB_LAYOUT_DIR=/layout", "CNB_EXPERIMENTAL_MODE=silent")
	}
	spec := sandbox.Spec{
		Lower: builder.Rootfs, State: filepath.Join(opts.StateDir, "sandbox"),
		Binds: append(binds,
			sandbox.Bind{Src: ws, Dst: "/workspace"}, sandbox.Bind{Src: layers, Dst: "/layers"},
			sandbox.Bind{Src: platform, Dst: "/platform", ReadOnly: true}, sandbox.Bind{Src: opts.CacheDir, Dst: "/cache"}),
		Args: []string{"/cnb/lifecycle/creator", "-app", "/workspace", "-layers", "/layers", "-platform", "/platform",
			"-cache-dir", "/cache", "-uid", strconv.Itoa(uid), "-gid", strconv.Itoa(gid), "-log-level", "info", opts.Image},
		Env: runEnv,
		Dir: "/",
	}
	pr, pw := io.Pipe()
	progress := NewProgress(opts.Out)
	done := make(chan struct{})
	go func() { progress.Follow(pr); close(done) }()
	code, err := sandbox.Run(spec, nil, pw, pw)
	pw.Close()
	<-done
	if err != nil {
		return nil, err
	}
	if code != 0 {
		msg := Explain(code, opts.Builder)
		if len(progress.Failure) > 0 && code >= 50 && code < 60 {
			msg += "\n  " + strings.Join(progress.Failure, "\n  ")
		}
		return nil, &Error{Code: code, Message: msg}
	}
	res := &Result{Image: opts.Image, Phases: progress.Phases(), CacheHits: progress.CacheHits, Flatten: flatten, BuilderHit: builder.Cached}
	if err := res.readReport(layers, opts.LayoutDir); err != nil {
		return nil, err
	}
	res.Total = time.Since(start)
	return res, nil
}

func (r *Result) readReport(layers, layoutDir string) error {
	var report struct {
		Image struct {
			Digest string `toml:"digest"`
		} `toml:"image"`
	}
	if _, err := toml.DecodeFile(filepath.Join(layers, "report.toml"), &report); err != nil {
		return fmt.Errorf("reading the lifecycle's report.toml: %w", err)
	}
	r.Digest = report.Image.Digest
	var group struct {
		Group []struct{ ID, Version string } `toml:"group"`
	}
	if _, err := toml.DecodeFile(filepath.Join(layers, "group.toml"), &group); err == nil {
		for _, g := range group.Group {
			r.Buildpacks = append(r.Buildpacks, g.ID+"@"+g.Version)
		}
	}
	if layoutDir != "" {
		rel, err := LayoutPath(r.Image)
		if err != nil {
			return err
		}
		r.Layout = filepath.Join(layoutDir, rel)
		r.Digest, r.Size, err = layoutImage(r.Layout)
		return err
	}
	ref, err := name.ParseReference(r.Image)
	if err != nil {
		return err
	}
	img, err := remote.Image(ref.Context().Digest(r.Digest))
	if err != nil {
		return fmt.Errorf("reading the built image back: %w", err)
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	r.Size = m.Config.Size
	for _, l := range m.Layers {
		r.Size += l.Size
	}
	return nil
}

// writePlatformEnv writes one file per variable, as the CNB platform spec says.
func writePlatformEnv(dir string, env map[string]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for k, v := range env {
		if k == "" || strings.ContainsAny(k, "/=") {
			return fmt.Errorf("--env %q: not a valid variable name", k)
		}
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// hostNetworkFiles lets the build resolve names and trust TLS like the host
// (a mirror or an intercepting proxy with a private CA then just works). They
// are bind mounts: nothing of the host ends up in the image.
func hostNetworkFiles() []sandbox.Bind {
	binds := sandbox.HostNetworkBinds()
	if ca := HostCABundle(); ca != "" {
		binds = append(binds, sandbox.Bind{Src: ca, Dst: "/etc/ssl/certs/ca-certificates.crt", ReadOnly: true})
	}
	return binds
}

// HostCABundle is $SSL_CERT_FILE or the Debian bundle path, if it exists.
func HostCABundle() string {
	for _, f := range []string{os.Getenv("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt"} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	return ""
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

// Summary renders the end-of-build report.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "==> Done in %s\n", r.Total.Round(10*time.Millisecond))
	var parts []string
	for _, p := range r.Phases {
		parts = append(parts, fmt.Sprintf("%s %s", p.Name, p.Duration.Round(10*time.Millisecond)))
	}
	fmt.Fprintf(&b, "    phases:     %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(&b, "    buildpacks: %s\n", strings.Join(r.Buildpacks, ", "))
	hits := append([]string(nil), r.CacheHits...)
	sort.Strings(hits)
	fmt.Fprintf(&b, "    cache hits: %d\n", len(hits))
	fmt.Fprintf(&b, "    image:      %s\n", r.Image)
	if r.Layout != "" {
		fmt.Fprintf(&b, "    oci layout: %s\n", r.Layout)
	}
	fmt.Fprintf(&b, "    digest:     %s\n", r.Digest)
	where := "in the registry"
	if r.Layout != "" {
		where = "in the layout"
	}
	fmt.Fprintf(&b, "    size:       %.1f MB (compressed, %s)\n", float64(r.Size)/1e6, where)
	return b.String()
}
