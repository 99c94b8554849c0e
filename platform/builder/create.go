package builder

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/template"

	"github.com/BurntSushi/toml"
)

// Options configures one `pack builder create --publish`.
type Options struct {
	Name          string // builders/<Name>/builder.toml
	Source        string // Kiln source tree
	BuildpacksDir string // output of buildpackage.Package for Arch
	LifecycleDir  string // holds the lifecycle and launcher binaries for Arch
	Pack          string // pack binary
	PackHome      string
	// StackImage names the stack image NAME ("build", "run-static", ...) the
	// builder uses: {{stack "NAME"}} in builder.toml.
	StackImage func(name string) string
	// RunImageMirrors lists mirrors of run image NAME: {{mirrors "NAME"}}.
	RunImageMirrors func(name string) []string
	// Arch is the builder's architecture ("" = the host's).
	Arch string
	// Labels are added to the builder image (e.g. its version).
	Labels map[string]string
	// Env is added to pack's environment (e.g. DOCKER_CONFIG).
	Env     []string
	Ref     string // builder image reference
	WorkDir string
	Out     io.Writer
}

// Registry renders StackImage for the stack images kiln stack build pushed
// to registry (REGISTRY/kiln/stack/NAME:bookworm), with no mirrors.
func (o *Options) Registry(registry string) {
	o.StackImage = func(name string) string { return registry + "/kiln/stack/" + name + ":bookworm" }
}

// Create renders builder.toml and publishes the builder with pack.
func Create(opts Options) error {
	if opts.Arch == "" {
		opts.Arch = runtime.GOARCH
	}
	if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
		return err
	}
	tgz := filepath.Join(opts.WorkDir, "lifecycle-v"+LifecycleVersion+"+linux."+opts.Arch+".tgz")
	if err := WriteLifecycleTarball(opts.LifecycleDir, tgz); err != nil {
		return err
	}
	rendered, err := Render(opts, tgz)
	if err != nil {
		return err
	}
	cfg := filepath.Join(opts.WorkDir, "builder-"+opts.Name+"-"+opts.Arch+".toml")
	if err := os.WriteFile(cfg, rendered, 0o644); err != nil {
		return err
	}
	args := []string{"builder", "create", opts.Ref, "--config", cfg, "--publish", "--pull-policy", "if-not-present", "--quiet",
		"--target", "linux/" + opts.Arch}
	for _, k := range sortedKeys(opts.Labels) {
		args = append(args, "--label", k+"="+opts.Labels[k])
	}
	return RunPack(opts.Pack, opts.PackHome, opts.Env, opts.Out, args...)
}

// RunPack runs pack with no Docker daemon (every command kiln uses works
// without one), its output to out and, on failure, in the error.
func RunPack(pack, packHome string, env []string, out io.Writer, args ...string) error {
	cmd := exec.Command(pack, args...)
	cmd.Env = append(append(os.Environ(), "PACK_HOME="+packHome, "DOCKER_HOST=unix:///nonexistent/kiln-needs-no-docker.sock"), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(out, &buf), io.MultiWriter(out, &buf)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pack %s: %v\n%s", strings.Join(args[:min(3, len(args))], " "), err, buf.String())
	}
	return nil
}

// Render executes builders/<Name>/builder.toml for opts with the lifecycle
// tarball lifecycle. Its functions: {{stack "NAME"}} (a stack image
// reference), {{mirrors "NAME"}} (a TOML array of that run image's mirrors),
// {{version "ID"}} (the packaged version of buildpack ID), {{.Buildpacks}},
// {{.Lifecycle}}, {{.Arch}}.
func Render(opts Options, lifecycle string) ([]byte, error) {
	tmplPath := filepath.Join(opts.Source, "builders", opts.Name, "builder.toml")
	bps, err := filepath.Abs(opts.BuildpacksDir)
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"stack": func(name string) (string, error) {
			if opts.StackImage == nil {
				return "", fmt.Errorf("no stack registry given for %q", name)
			}
			return opts.StackImage(name), nil
		},
		"mirrors": func(name string) string {
			var m []string
			if opts.RunImageMirrors != nil {
				m = opts.RunImageMirrors(name)
			}
			quoted := make([]string, len(m))
			for i, s := range m {
				quoted[i] = fmt.Sprintf("%q", s)
			}
			return "[" + strings.Join(quoted, ", ") + "]"
		},
		"version": func(id string) (string, error) { return PackagedVersion(bps, id) },
	}
	tmpl, err := template.New(filepath.Base(tmplPath)).Funcs(funcs).ParseFiles(tmplPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tmplPath, err)
	}
	var out bytes.Buffer
	data := map[string]string{"Buildpacks": bps, "Lifecycle": lifecycle, "Arch": opts.Arch}
	if err := tmpl.Execute(&out, data); err != nil {
		return nil, fmt.Errorf("%s: %w", tmplPath, err)
	}
	var check map[string]any
	if _, err := toml.Decode(out.String(), &check); err != nil {
		return nil, fmt.Errorf("%s renders to invalid TOML: %w", tmplPath, err)
	}
	return out.Bytes(), nil
}

// PackagedVersion is the one version of buildpack id packaged in dir
// (<dir>/<id with / as _>/<version>/).
func PackagedVersion(dir, id string) (string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, strings.ReplaceAll(id, "/", "_")))
	if err != nil {
		return "", fmt.Errorf("buildpack %s is not packaged in %s (kiln buildpack package): %w", id, dir, err)
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) != 1 {
		return "", fmt.Errorf("buildpack %s: want one packaged version in %s, found %v", id, dir, versions)
	}
	return versions[0], nil
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
