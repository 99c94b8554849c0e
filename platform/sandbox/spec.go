package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Bind mounts Src (a host path) at Dst inside the sandbox.
type Bind struct {
	Src      string `json:"src"`
	Dst      string `json:"dst"`
	ReadOnly bool   `json:"readOnly,omitempty"`
}

// Spec describes one sandboxed program.
type Spec struct {
	// Lower is the read-only root file system (a flattened image).
	Lower string `json:"lower"`
	// State holds the overlay's writable layer (State/upper) and work dir.
	State string   `json:"state"`
	Binds []Bind   `json:"binds,omitempty"`
	Args  []string `json:"args"`
	Env   []string `json:"env"`
	Dir   string   `json:"dir,omitempty"`
	UID   int      `json:"uid"`
	GID   int      `json:"gid"`
}

// Upper is where files the program writes to its root end up on the host.
func (s Spec) Upper() string { return filepath.Join(s.State, "upper") }

// RequireRoot explains why what (e.g. "kiln build") needs root, if it is not.
func RequireRoot(what string) error {
	if os.Geteuid() == 0 {
		return nil
	}
	return fmt.Errorf("%s needs root: it runs images in mount and pid namespaces with chroot, so no Docker or other container engine is needed; run it with sudo (or as root)", what)
}

// HostNetworkBinds shares the host's name resolution with a sandbox that
// uses the host network, read-only.
func HostNetworkBinds() []Bind {
	var binds []Bind
	for _, f := range []string{"/etc/resolv.conf", "/etc/hosts"} {
		if _, err := os.Stat(f); err == nil {
			binds = append(binds, Bind{Src: f, Dst: f, ReadOnly: true})
		}
	}
	return binds
}

func (s Spec) validate() error {
	if err := RequireRoot("kiln"); err != nil {
		return err
	}
	if len(s.Args) == 0 || !filepath.IsAbs(s.Args[0]) {
		return fmt.Errorf("sandbox: the program must be an absolute path inside the image, got %q", s.Args)
	}
	if s.Lower == "" || s.State == "" {
		return fmt.Errorf("sandbox: rootfs and state directories are required")
	}
	for _, p := range []string{s.Lower, s.State} {
		if strings.ContainsAny(p, ",:\\") {
			return fmt.Errorf("directory %q holds a ',', ':' or '\\', which overlayfs mount options cannot carry: use another --state-dir or KILN_HOME", p)
		}
	}
	return nil
}
