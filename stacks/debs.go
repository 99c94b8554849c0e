package stacks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// CandidatePin asks apt for the candidate version of name and its SHA-256.
func CandidatePin(name string) (Pin, error) {
	out, err := exec.Command("apt-cache", "show", "--no-all-versions", name).Output()
	if err != nil {
		return Pin{}, fmt.Errorf("apt-cache show %s: %w (run `apt-get update`; is it a Debian package name?)", name, err)
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

// Lock pins every package of the stack to apt's current candidate.
func (s *Stack) LockCandidates() ([]Pin, error) {
	var pins []Pin
	for _, name := range s.Packages() {
		p, err := CandidatePin(name)
		if err != nil {
			return nil, err
		}
		pins = append(pins, p)
	}
	return pins, nil
}

// debPath is where a pinned .deb is cached.
func debPath(cacheDir string, p Pin) string {
	return filepath.Join(cacheDir, p.Name+"_"+strings.ReplaceAll(p.Version, ":", "%3a")+".deb")
}

// FetchDeb returns the cached .deb for p, downloading it with apt-get when
// missing. The file's SHA-256 must equal the lock's.
func FetchDeb(cacheDir string, p Pin, progress io.Writer) (string, error) {
	dst := debPath(cacheDir, p)
	if sum, err := fileSHA256(dst); err == nil && sum == p.SHA256 {
		return dst, nil
	}
	tmp, err := os.MkdirTemp(cacheDir, "download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(progress, "  downloading %s=%s\n", p.Name, p.Version)
	cmd := exec.Command("apt-get", "download", "-q", p.Name+"="+p.Version)
	cmd.Dir = tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("apt-get download %s=%s: %v: %s\nThe pinned version may have left the archive: run `kiln stack lock` to re-pin, or `apt-get update`", p.Name, p.Version, err, strings.TrimSpace(stderr.String()))
	}
	matches, _ := filepath.Glob(filepath.Join(tmp, p.Name+"_*.deb"))
	if len(matches) != 1 {
		return "", fmt.Errorf("apt-get download %s: expected one .deb, found %d", p.Name, len(matches))
	}
	sum, err := fileSHA256(matches[0])
	if err != nil {
		return "", err
	}
	if sum != p.SHA256 {
		return "", fmt.Errorf("%s=%s: SHA-256 %s does not match %s in %s", p.Name, p.Version, sum, p.SHA256, LockFile)
	}
	return dst, os.Rename(matches[0], dst)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
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
