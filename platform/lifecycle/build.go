package lifecycle

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/cachegc"
	"kiln.dev/kiln/platform/fsutil"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/hostports"
	"kiln.dev/kiln/platform/sandbox"
	"kiln.dev/kiln/platform/statedir"
)

// PlatformAPI is the CNB Platform API kiln speaks to the lifecycle.
const PlatformAPI = "0.14"

// DepsMount is where the shared dependency cache appears in builds.
const DepsMount = "/kiln/deps"

// Options configures one build.
type Options struct {
	AppDir string
	// Image is the fully qualified output reference: a registry (the
	// embedded one, or --image REG/...) or, with LayoutDir, any name.
	Image   string
	Builder string // fully qualified builder reference
	Env     map[string]string
	Home    home.Dir
	// SharedDeps gives the build the machine-wide dependency cache at
	// DepsMount, announced to buildpacks as KILN_DEPENDENCY_CACHE: read-only
	// under the app's own writable layer (see depsView).
	SharedDeps bool
	ClearCache bool
	// LayoutDir, when set, receives an OCI layout of the image instead of
	// a registry push.
	LayoutDir string
	// HostPorts are host loopback ports the build may reach at
	// 127.0.0.1:PORT (--allow-host-port): package mirrors on the host.
	HostPorts []int
	// Push are the options kiln pushes the image with: the embedded
	// registry's credential (registry.Registry.RemoteOptions) when Image is
	// in it; none means the default keychain.
	Push []remote.Option
	Out  io.Writer
	// Skip leaves source paths out of the build's workspace (.kilnignore,
	// project.toml include/exclude); nil copies the whole AppDir.
	Skip func(rel string, dir bool) bool
	// LogLevel is the lifecycle's -log-level (kiln --quiet: warn,
	// --verbose: debug); "" is info.
	LogLevel string
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
	Publish    time.Duration
}

// Error is a failed build with the lifecycle's exit code and an explanation.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Build runs the creator for opts in a sandbox and publishes the image.
// Cancelling ctx (Ctrl-C) stops the lifecycle and removes the build's state.
func Build(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	st, err := os.Stat(opts.AppDir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("source directory %q: not a directory (kiln build DIR)", opts.AppDir)
	}
	ids, err := sandbox.CurrentIDMap()
	if err != nil {
		return nil, err
	}
	store := opts.Home.IDStore(ids.Key())
	app := store.AppCache(opts.AppDir, repository(opts.Image))
	if err := sandbox.PrepareDirs(ids, store.Runs(), store.Rootfs(), store.Deps(), app); err != nil {
		return nil, err
	}
	unlock, err := cachegc.LockApp(app, opts.AppDir, func() {
		fmt.Fprintf(opts.Out, "==> Waiting for another build of %s from %s to finish (they would share one cache)\n", repository(opts.Image), opts.AppDir)
	})
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Again under the lock: kiln cache gc may have removed the cache between
	// the first PrepareDirs and the lock.
	if err := sandbox.PrepareDirs(ids, app); err != nil {
		return nil, err
	}
	state, err := statedir.New(store.Runs(), "build-", ids.HostUID(0), ids.HostGID(0))
	if err != nil {
		return nil, err
	}
	defer state.Release()
	req, err := prepareState(ids, state.Path, opts)
	if err != nil {
		return nil, err
	}
	req.Store, req.Builder, req.Image = string(store), opts.Builder, opts.Image
	req.CacheDir, req.LayoutDir = filepath.Join(app, "cache"), filepath.Join(app, "layout")
	req.ClearCache, req.HostPorts, req.LogLevel = opts.ClearCache, opts.HostPorts, opts.LogLevel
	if opts.SharedDeps {
		req.DepsDir, req.AppDeps, req.GoProxy = store.Deps(), filepath.Join(app, "deps"), goProxy(opts.Env)
	}
	for _, h := range unreachableHosts(opts.Env, opts.HostPorts) {
		fmt.Fprintf(opts.Out, "    note: %s names %s, which the build cannot reach: builds have no access to the host's loopback (add --allow-host-port %d to allow it)\n", h.Env, h.Addr, h.Port)
	}
	fmt.Fprintf(opts.Out, "==> Preparing builder %s\n", opts.Builder)
	res := &Result{Image: opts.Image}
	progress := NewProgress(opts.Out)
	pr, pw := io.Pipe()
	followed := make(chan struct{})
	go func() { progress.Follow(pr); close(followed) }()
	var built builtEvent
	h, err := sandbox.Enter(sandbox.Options{Job: buildJobName, Request: req, IDs: ids, Paths: []string{string(store)},
		Stdout: pw, Stderr: pw,
		OnEvent: func(e sandbox.Event) {
			switch e.Kind {
			case eventBuilder:
				var b builderEvent
				e.Decode(&b)
				how := "flattened"
				if b.Cached {
					how = "cached rootfs"
				}
				res.Flatten, res.BuilderHit = time.Since(start), b.Cached
				fmt.Fprintf(pw, "%s@%s (%s, %s)\n", b.Repository, shortDigest(b.Digest), how, res.Flatten.Round(time.Millisecond))
			case eventBuilt:
				e.Decode(&built)
			}
		}})
	if err != nil {
		pw.Close()
		<-followed
		return nil, err
	}
	interrupted := false
	select {
	case <-ctx.Done():
		interrupted = true
		h.Stop(15 * time.Second)
	case <-h.Done():
	}
	code, err := h.Wait()
	pw.Close()
	<-followed
	if interrupted {
		return nil, &Error{Code: 130, Message: "interrupted: the lifecycle was stopped and the build's state removed"}
	}
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
	res.Phases, res.CacheHits, res.Buildpacks = progress.Phases(), progress.CacheHits, built.Buildpacks
	published := time.Now()
	image, err := LayoutPath(opts.Image)
	if err != nil {
		return nil, err
	}
	if res.Digest, res.Size, err = publish(exported{Dir: filepath.Join(req.LayoutDir, image), RunImage: built.RunImage, RunDigest: built.RunDigest}, opts.Image, opts.LayoutDir, opts.Push...); err != nil {
		return nil, err
	}
	if opts.LayoutDir != "" {
		res.Layout = filepath.Join(opts.LayoutDir, image)
	}
	res.Publish = time.Since(published)
	res.Total = time.Since(start)
	return res, nil
}

// goProxy is the module proxy kiln fetches the toolchains it shares from:
// the build's (GOPROXY, else FUNC_GOPROXY), else kiln's own $GOPROXY. Which
// proxy does not matter for trust: kiln checks what it serves against the
// checksum database.
func goProxy(env map[string]string) string {
	for _, v := range []string{env["GOPROXY"], env["FUNC_GOPROXY"], os.Getenv("GOPROXY")} {
		if v != "" {
			return v
		}
	}
	return ""
}

// unreachableHosts are the host loopback addresses the build env names on
// ports the build may not reach.
func unreachableHosts(env map[string]string, allowed []int) []hostports.Named {
	ok := map[int]bool{}
	for _, p := range allowed {
		ok[p] = true
	}
	var out []hostports.Named
	for _, n := range hostports.Find(env) {
		if !ok[n.Port] {
			out = append(out, n)
		}
	}
	return out
}

// prepareState fills the build's state directory with what kiln (not the
// helper) can read: the source, the platform env and the CA bundle, all
// owned by container root so the helper can hand them on.
func prepareState(ids sandbox.IDMap, dir string, opts Options) (buildRequest, error) {
	req := buildRequest{StateDir: dir}
	uid, gid := ids.HostUID(0), ids.HostGID(0)
	ws := filepath.Join(dir, "workspace")
	if err := fsutil.CopyTreeExcept(opts.AppDir, ws, uid, gid, opts.Skip); err != nil {
		return req, fmt.Errorf("copying %s into the workspace: %w", opts.AppDir, err)
	}
	env := map[string]string{}
	if opts.SharedDeps {
		env["KILN_DEPENDENCY_CACHE"] = DepsMount
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	platform := filepath.Join(dir, "platform")
	if err := writePlatformEnv(filepath.Join(platform, "env"), env); err != nil {
		return req, err
	}
	if ca := HostCABundle(); ca != "" {
		req.CABundle = filepath.Join(dir, "ca-certificates.crt")
		if err := fsutil.CopyFile(ca, req.CABundle, 0o644); err != nil {
			return req, fmt.Errorf("copying the CA bundle %s: %w", ca, err)
		}
	}
	if !ids.Rootless {
		if err := fsutil.ChownTree(platform, uid, gid); err != nil {
			return req, err
		}
		if req.CABundle != "" {
			os.Lchown(req.CABundle, uid, gid)
		}
	}
	return req, nil
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

// HostCABundle is $SSL_CERT_FILE or the Debian bundle path, if it exists.
// Builds trust it (a mirror or an intercepting proxy with a private CA then
// just works); it is mounted read-only, never part of the image.
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

// repository is the image's repository without registry or tag: the build
// cache key survives new tags and a moved registry.
func repository(ref string) string {
	r, err := name.ParseReference(ref, name.WeakValidation)
	if err != nil {
		return ref
	}
	return r.Context().RepositoryStr()
}

func shortDigest(d string) string {
	if _, hex, ok := strings.Cut(d, ":"); ok && len(hex) >= 12 {
		return hex[:12]
	}
	return d
}

// Summary renders the end-of-build report.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "==> Done in %s\n", r.Total.Round(10*time.Millisecond))
	var parts []string
	for _, p := range r.Phases {
		parts = append(parts, fmt.Sprintf("%s %s", p.Name, p.Duration.Round(10*time.Millisecond)))
	}
	if r.Publish > 0 {
		parts = append(parts, fmt.Sprintf("publish %s", r.Publish.Round(10*time.Millisecond)))
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
