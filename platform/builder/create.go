package builder

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"text/template"
)

// Options configures `kiln builder create`.
type Options struct {
	Name          string // builders/<Name>/builder.toml
	Source        string // Kiln source tree
	BuildpacksDir string // output of buildpackage.Package
	LifecycleDir  string // holds lifecycle and launcher binaries
	Pack          string // pack binary
	PackHome      string
	Registry      string // host:port the stack images are in and the builder goes to
	Ref           string // builder image reference
	WorkDir       string
	// DockerConfig, when set, is a directory holding the config.json pack
	// reads credentials from (registry.WriteDockerConfig for the embedded one).
	DockerConfig string
	Out          io.Writer
}

// Create renders builder.toml and publishes the builder with pack.
func Create(opts Options) error {
	tmplPath := filepath.Join(opts.Source, "builders", opts.Name, "builder.toml")
	tmpl, err := template.ParseFiles(tmplPath)
	if err != nil {
		return fmt.Errorf("%s: %w", tmplPath, err)
	}
	if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
		return err
	}
	tgz := filepath.Join(opts.WorkDir, "lifecycle-v"+LifecycleVersion+"+linux.x86-64.tgz")
	if err := WriteLifecycleTarball(opts.LifecycleDir, tgz); err != nil {
		return err
	}
	bps, err := filepath.Abs(opts.BuildpacksDir)
	if err != nil {
		return err
	}
	var rendered bytes.Buffer
	if err := tmpl.Execute(&rendered, map[string]string{"Registry": opts.Registry, "Buildpacks": bps, "Lifecycle": tgz}); err != nil {
		return fmt.Errorf("%s: %w", tmplPath, err)
	}
	cfg := filepath.Join(opts.WorkDir, "builder.toml")
	if err := os.WriteFile(cfg, rendered.Bytes(), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(opts.Pack, "builder", "create", opts.Ref, "--config", cfg, "--publish", "--pull-policy", "if-not-present", "--quiet")
	cmd.Env = append(os.Environ(), "PACK_HOME="+opts.PackHome, "DOCKER_HOST=unix:///nonexistent/kiln-needs-no-docker.sock")
	if opts.DockerConfig != "" {
		cmd.Env = append(cmd.Env, "DOCKER_CONFIG="+opts.DockerConfig)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(opts.Out, &out), io.MultiWriter(opts.Out, &out)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pack builder create %s: %v\n%s", opts.Ref, err, out.String())
	}
	return nil
}
