package stacks

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Stack is a parsed stack.toml plus its lock file.
type Stack struct {
	Dir           string
	ID            string           `toml:"id"`
	Distro        string           `toml:"distro"`
	DistroVersion string           `toml:"distro-version"`
	UID           int              `toml:"uid"`
	GID           int              `toml:"gid"`
	Images        map[string]Image `toml:"images"`
	// Lock is the host architecture's lock (Locks[HostArch()]).
	Lock map[string]Pin `toml:"-"`
	// Locks holds the pins of every architecture that has a lock file.
	Locks map[string]map[string]Pin `toml:"-"`
}

// Image is one image of the stack.
type Image struct {
	Description string   `toml:"description"`
	Packages    []string `toml:"packages"`
	// Only, when set, keeps just these path prefixes of the packages' files
	// (generated files such as the CA bundle and passwd are always added).
	Only []string `toml:"only"`
	// Exclude drops these path prefixes of the packages' files.
	Exclude   []string `toml:"exclude"`
	Shell     bool     `toml:"shell"`
	Rebasable bool     `toml:"rebasable"`
}

// Pin is one locked package.
type Pin struct {
	Name, Version, SHA256 string
}

// LockFile is the name of the amd64 lock file next to stack.toml; other
// architectures have packages.<arch>.lock (LockFileFor).
const LockFile = "packages.lock"

// LockFileFor names arch's lock file: packages.lock for amd64 (the file
// predates other architectures), packages.<arch>.lock for the others.
func LockFileFor(arch string) string {
	if arch == "amd64" {
		return LockFile
	}
	return "packages." + arch + ".lock"
}

// Load reads dir/stack.toml and dir/packages.lock.
func Load(dir string) (*Stack, error) {
	s := &Stack{Dir: dir}
	p := filepath.Join(dir, "stack.toml")
	if _, err := toml.DecodeFile(p, s); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if s.ID == "" || s.UID == 0 || s.GID == 0 || len(s.Images) == 0 {
		return nil, fmt.Errorf("%s: id, uid, gid and at least one [images.NAME] are required", p)
	}
	s.Locks = map[string]map[string]Pin{}
	for arch := range arches {
		lock, err := readLock(filepath.Join(dir, LockFileFor(arch)))
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		if lock != nil {
			s.Locks[arch] = lock
		}
	}
	s.Lock = s.Locks[HostArch()]
	return s, nil
}

// Packages lists every package any image needs, sorted.
func (s *Stack) Packages() []string {
	seen := map[string]bool{}
	var out []string
	for _, im := range s.Images {
		for _, p := range im.Packages {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ImageNames lists the stack's images, sorted.
func (s *Stack) ImageNames() []string {
	var names []string
	for n := range s.Images {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func readLock(path string) (map[string]Pin, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lock := map[string]Pin{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || len(f[2]) != 64 {
			return nil, fmt.Errorf("%s:%d: want `name version sha256`, got %q", path, n, line)
		}
		lock[f[0]] = Pin{f[0], f[1], f[2]}
	}
	return lock, sc.Err()
}

// WriteLock writes the host architecture's pins, sorted by name.
func WriteLock(dir string, pins []Pin) error {
	return WriteLockFor(dir, HostArch(), pins)
}

// WriteLockFor writes arch's pins to its lock file, sorted by name.
func WriteLockFor(dir, arch string, pins []Pin) error {
	sort.Slice(pins, func(i, j int) bool { return pins[i].Name < pins[j].Name })
	var b strings.Builder
	fmt.Fprintf(&b, "# Pinned Debian packages (%s) of this stack: name version sha256.\n# Regenerate with `kiln stack lock --arch %s` (apt-get update first).\n", arch, arch)
	for _, p := range pins {
		fmt.Fprintf(&b, "%s %s %s\n", p.Name, p.Version, p.SHA256)
	}
	return os.WriteFile(filepath.Join(dir, LockFileFor(arch)), []byte(b.String()), 0o644)
}
