package stacks

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"kiln.dev/kiln/platform/fsutil"
)

// CandidatePin asks the host's apt for the candidate version of name and its SHA-256.
func CandidatePin(name string) (Pin, error) {
	return (&apt{arch: arches[HostArch()]}).candidatePin(name)
}

func (a *apt) candidatePin(name string) (Pin, error) {
	out, err := a.command("apt-cache", "show", "--no-all-versions", a.qualify(name)).Output()
	if err != nil {
		return Pin{}, fmt.Errorf("apt-cache show %s: %w (run `apt-get update`; is it a Debian package name?)", a.qualify(name), err)
	}
	p := Pin{Name: name}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "Version: "); ok && p.Version == "" {
			p.Version = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "SHA256: "); ok && p.SHA256 == "" {
			p.SHA256 = strings.TrimSpace(v)
		}
	}
	if p.Version == "" || p.SHA256 == "" {
		return Pin{}, fmt.Errorf("apt-cache show %s: no Version/SHA256 fields", name)
	}
	return p, nil
}

// LockCandidates pins every package of the stack to apt's current candidate
// for the host's architecture.
func (s *Stack) LockCandidates() ([]Pin, error) {
	return s.LockCandidatesFor(HostArch(), "")
}

// LockCandidatesFor pins every package to apt's current candidate for arch;
// another architecture than the host's reads fresh package lists into a
// private apt configuration under cacheDir.
func (s *Stack) LockCandidatesFor(arch, cacheDir string) ([]Pin, error) {
	a, err := ArchNamed(arch)
	if err != nil {
		return nil, err
	}
	ap, err := aptFor(cacheDir, a)
	if err != nil {
		return nil, err
	}
	if err := ap.update(true); err != nil {
		return nil, err
	}
	var pins []Pin
	for _, name := range s.Packages() {
		p, err := ap.candidatePin(name)
		if err != nil {
			return nil, err
		}
		pins = append(pins, p)
	}
	return pins, nil
}

// debPath is where a pinned .deb is cached (amd64 ones keep the names they
// had before Kiln built other architectures).
func debPath(cacheDir string, p Pin, arch string) string {
	suffix := ".deb"
	if arch != "amd64" {
		suffix = "_" + arch + ".deb"
	}
	return filepath.Join(cacheDir, p.Name+"_"+strings.ReplaceAll(p.Version, ":", "%3a")+suffix)
}

// FetchDeb returns the cached host-architecture .deb for p, downloading it
// with apt-get when missing. The file's SHA-256 must equal the lock's.
func FetchDeb(cacheDir string, p Pin, progress io.Writer) (string, error) {
	return fetchDeb(cacheDir, p, arches[HostArch()], progress)
}

// prefetch downloads every pin missing from the cache with one apt-get
// call (one package list load, parallel downloads); fetchDeb then checks
// each file's SHA-256 as always.
func prefetch(cacheDir string, pins []Pin, a Arch, progress io.Writer) error {
	var missing []Pin
	for _, p := range pins {
		if sum, err := fsutil.FileSHA256(debPath(cacheDir, p, a.OCI)); err != nil || sum != p.SHA256 {
			missing = append(missing, p)
		}
	}
	if len(missing) < 2 {
		return nil
	}
	ap, err := aptFor(cacheDir, a)
	if err != nil {
		return err
	}
	if err := ap.update(false); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(cacheDir, "download-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	args := []string{"download", "-q"}
	for _, p := range missing {
		args = append(args, ap.qualify(p.Name)+"="+p.Version)
	}
	fmt.Fprintf(progress, "  downloading %d %s packages\n", len(missing), a.Debian)
	cmd := ap.command("apt-get", args...)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		// fetchDeb retries one by one and names the package at fault.
		fmt.Fprintf(progress, "  apt-get download of %d packages failed (%v); fetching one by one\n%s", len(missing), err, out)
		return nil
	}
	for _, p := range missing {
		matches, _ := filepath.Glob(filepath.Join(tmp, p.Name+"_*.deb"))
		if len(matches) != 1 {
			continue
		}
		if sum, err := fsutil.FileSHA256(matches[0]); err == nil && sum == p.SHA256 {
			if err := os.Rename(matches[0], debPath(cacheDir, p, a.OCI)); err != nil {
				return err
			}
		}
	}
	return nil
}

func fetchDeb(cacheDir string, p Pin, a Arch, progress io.Writer) (string, error) {
	dst := debPath(cacheDir, p, a.OCI)
	if sum, err := fsutil.FileSHA256(dst); err == nil && sum == p.SHA256 {
		return dst, nil
	}
	ap, err := aptFor(cacheDir, a)
	if err != nil {
		return "", err
	}
	if err := ap.update(false); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cacheDir, "download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(progress, "  downloading %s=%s\n", ap.qualify(p.Name), p.Version)
	cmd := ap.command("apt-get", "download", "-q", ap.qualify(p.Name)+"="+p.Version)
	cmd.Dir = tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("apt-get download %s=%s: %v: %s\nThe pinned version may have left the archive: run `kiln stack lock --arch %s` to re-pin, or `apt-get update`", ap.qualify(p.Name), p.Version, err, strings.TrimSpace(stderr.String()), a.OCI)
	}
	matches, _ := filepath.Glob(filepath.Join(tmp, p.Name+"_*.deb"))
	if len(matches) != 1 {
		return "", fmt.Errorf("apt-get download %s: expected one .deb, found %d", p.Name, len(matches))
	}
	sum, err := fsutil.FileSHA256(matches[0])
	if err != nil {
		return "", err
	}
	if sum != p.SHA256 {
		return "", fmt.Errorf("%s=%s: SHA-256 %s does not match %s in %s", ap.qualify(p.Name), p.Version, sum, p.SHA256, LockFileFor(a.OCI))
	}
	return dst, os.Rename(matches[0], dst)
}

// DataTar streams the data archive of a .deb as an uncompressed tar.
func DataTar(deb string) (io.ReadCloser, error) {
	cmd := exec.Command("dpkg-deb", "--fsys-tarfile", deb)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dpkg-deb (install the dpkg package): %w", err)
	}
	return &cmdReader{ReadCloser: out, cmd: cmd, stderr: &stderr, deb: deb}, nil
}

type cmdReader struct {
	io.ReadCloser
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	deb    string
}

func (c *cmdReader) Close() error {
	io.Copy(io.Discard, c.ReadCloser)
	if err := c.cmd.Wait(); err != nil {
		return fmt.Errorf("dpkg-deb --fsys-tarfile %s: %v: %s", c.deb, err, c.stderr.String())
	}
	return nil
}
