package stacks

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// apt runs apt-get and apt-cache for one architecture. For the host's
// architecture that is the host's own apt; for another one it is a private
// configuration under <cache>/apt-<arch>: the host's Debian sources with only
// that architecture, its own package lists and archive cache, so the host's
// dpkg and apt state are never touched (no `dpkg --add-architecture`).
type apt struct {
	arch Arch
	opts []string
	dir  string
}

// hostSources are the files apt reads its sources from.
const hostSources = "/etc/apt/sources.list.d"

func aptFor(cacheDir string, a Arch) (*apt, error) {
	if a.OCI == HostArch() {
		return &apt{arch: a}, nil
	}
	dir, err := filepath.Abs(filepath.Join(cacheDir, "apt-"+a.Debian))
	if err != nil {
		return nil, err
	}
	parts := filepath.Join(dir, "sources")
	for _, d := range []string{parts, filepath.Join(dir, "lists", "partial"), filepath.Join(dir, "archives", "partial")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("private apt configuration for %s: %w", a.Debian, err)
		}
	}
	srcs, _ := filepath.Glob(filepath.Join(hostSources, "*.sources"))
	lists, _ := filepath.Glob(filepath.Join(hostSources, "*.list"))
	srcs = append(srcs, lists...)
	if main, err := os.ReadFile("/etc/apt/sources.list"); err == nil && len(bytes.TrimSpace(main)) > 0 {
		if err := os.WriteFile(filepath.Join(parts, "00-sources.list"), main, 0o644); err != nil {
			return nil, err
		}
	}
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(parts, filepath.Base(s)), b, 0o644); err != nil {
			return nil, err
		}
	}
	return &apt{arch: a, dir: dir, opts: []string{
		"-o", "APT::Architecture=" + a.Debian, "-o", "APT::Architectures::=" + a.Debian,
		"-o", "Dir::Etc::SourceList=/dev/null", "-o", "Dir::Etc::SourceParts=" + parts,
		"-o", "Dir::State::Lists=" + filepath.Join(dir, "lists"), "-o", "Dir::Cache=" + dir,
	}}, nil
}

// qualify names a package of this architecture for apt ("libc6:arm64").
func (p *apt) qualify(name string) string {
	if p.dir == "" {
		return name
	}
	return name + ":" + p.arch.Debian
}

// command builds an apt-get/apt-cache invocation with the private options.
func (p *apt) command(tool string, args ...string) *exec.Cmd {
	return exec.Command(tool, append(append([]string(nil), p.opts...), args...)...)
}

// update fetches the package lists of a private configuration: always when
// force, else only when there are none yet.
func (p *apt) update(force bool) error {
	if p.dir == "" {
		return nil
	}
	if !force {
		if m, _ := filepath.Glob(filepath.Join(p.dir, "lists", "*_Packages*")); len(m) > 0 {
			return nil
		}
	}
	var stderr bytes.Buffer
	cmd := p.command("apt-get", "update", "-q")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apt-get update for %s (private lists in %s): %v: %s", p.arch.Debian, p.dir, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
