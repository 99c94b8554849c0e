package gofunction

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"

	"kiln.dev/kiln/platform/fsutil"
)

// CarriedProxy is the file:// module proxy inside the buildpack that holds the
// framework copy it injects.
type CarriedProxy struct {
	Dir     string // <buildpack>/goproxy
	Version string // e.g. v0.1.0
}

func (c CarriedProxy) path(ext string) string {
	esc, _ := module.EscapePath(FrameworkModule)
	return filepath.Join(c.Dir, esc, "@v", c.Version+ext)
}

// URL is the GOPROXY entry for this proxy.
func (c CarriedProxy) URL() string { return "file://" + c.Dir }

// SumLines computes the go.sum lines for the carried framework version.
func (c CarriedProxy) SumLines() ([]string, error) {
	zh, err := dirhash.HashZip(c.path(".zip"), dirhash.Hash1)
	if err != nil {
		return nil, fmt.Errorf("buildpack is missing its framework copy (%s): %w", c.path(".zip"), err)
	}
	modPath := c.path(".mod")
	mh, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) { return os.Open(modPath) })
	if err != nil {
		return nil, err
	}
	return []string{
		fmt.Sprintf("%s %s %s", FrameworkModule, c.Version, zh),
		fmt.Sprintf("%s %s/go.mod %s", FrameworkModule, c.Version, mh),
	}, nil
}

// AppendSums adds lines missing from dir/go.sum (or dir/<name>).
func AppendSums(dir string, lines []string, name ...string) error {
	p := filepath.Join(dir, "go.sum")
	if len(name) > 0 {
		p = filepath.Join(dir, name[0])
	}
	old, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		have[l] = true
	}
	out := string(old)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	for _, l := range lines {
		if !have[l] {
			out += l + "\n"
		}
	}
	return os.WriteFile(p, []byte(out), 0o644)
}

// ServerPackage is the framework package every generated main imports.
const ServerPackage = FrameworkModule + "/funcframework"

// VendoredFramework reports whether dir/vendor/modules.txt lists the
// framework's server package (go mod vendor only vendors imported packages).
func VendoredFramework(dir string) (vendored, hasVendor bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, "vendor", "modules.txt"))
	if os.IsNotExist(err) {
		return false, false, nil
	}
	if err != nil {
		return false, true, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == ServerPackage {
			return true, true, nil
		}
	}
	return false, true, nil
}

// WriteCarriedProxy packages the framework module at frameworkDir into a
// file:// module proxy at proxyDir, as release (e.g. v0.1.0, for apps that pin
// it) and as release-kiln.<content hash>, the version injected into apps: a
// framework change is a new version, so no module cache can serve stale bits.
// It also copies the compatibility modules beside the framework
// (<frameworkDir>/../go-compat/<name>, their sources without tests) to
// <proxyDir>/../compat/<name>, where Build finds them.
func WriteCarriedProxy(frameworkDir, proxyDir, release string) (CarriedProxy, error) {
	c, err := writeVersion(frameworkDir, proxyDir, release)
	if err != nil {
		return c, err
	}
	if err := copyCompatSources(filepath.Join(filepath.Dir(frameworkDir), "go-compat"), filepath.Join(filepath.Dir(proxyDir), CompatDir)); err != nil {
		return c, err
	}
	sum, err := fsutil.FileSHA256(c.path(".zip"))
	if err != nil {
		return c, err
	}
	injected := release + "-kiln." + sum[:12]
	if c, err = writeVersion(frameworkDir, proxyDir, injected); err != nil {
		return c, err
	}
	list := release + "\n" + injected + "\n"
	return c, os.WriteFile(filepath.Join(filepath.Dir(c.path(".zip")), "list"), []byte(list), 0o644)
}

// InjectedVersion finds the content-addressed version in the proxy at dir.
func InjectedVersion(dir string) (string, error) {
	esc, _ := module.EscapePath(FrameworkModule)
	b, err := os.ReadFile(filepath.Join(dir, esc, "@v", "list"))
	if err != nil {
		return "", err
	}
	for _, v := range strings.Fields(string(b)) {
		if strings.Contains(v, "-kiln.") {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s lists no -kiln. version", dir)
}

func writeVersion(frameworkDir, proxyDir, version string) (CarriedProxy, error) {
	c := CarriedProxy{Dir: proxyDir, Version: version}
	if err := os.MkdirAll(filepath.Dir(c.path(".zip")), 0o755); err != nil {
		return c, err
	}
	f, err := os.Create(c.path(".zip"))
	if err != nil {
		return c, err
	}
	if err := modzip.CreateFromDir(f, module.Version{Path: FrameworkModule, Version: version}, frameworkDir); err != nil {
		f.Close()
		return c, fmt.Errorf("zipping framework %s: %w", frameworkDir, err)
	}
	if err := f.Close(); err != nil {
		return c, err
	}
	gomodBytes, err := os.ReadFile(filepath.Join(frameworkDir, "go.mod"))
	if err != nil {
		return c, err
	}
	for p, b := range map[string][]byte{
		c.path(".mod"):  gomodBytes,
		c.path(".info"): []byte(`{"Version":"` + version + `","Time":"1980-01-01T00:00:01Z"}` + "\n"),
	} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return c, err
		}
	}
	return c, nil
}

// copyCompatSources copies each compatibility module's .go sources and
// go.mod (not tests, not go.sum) from src to dst; a missing src is fine.
func copyCompatSources(src, dst string) error {
	if _, err := os.Stat(src); os.IsNotExist(err) {
		return nil
	}
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasSuffix(p, "_test.go") || !(strings.HasSuffix(p, ".go") || d.Name() == "go.mod") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
