package sandbox

import (
	"fmt"
	"path/filepath"
	"strings"
)

// The OCI runtime spec (opencontainers/runtime-spec config.json), only the
// fields kiln sets. Kiln writes its own types rather than depend on the spec
// module; the golden test pins the JSON.

type ociConfig struct {
	Version  string     `json:"ociVersion"`
	Process  ociProcess `json:"process"`
	Root     ociRoot    `json:"root"`
	Hostname string     `json:"hostname"`
	Mounts   []ociMount `json:"mounts"`
	Linux    ociLinux   `json:"linux"`
}

type ociProcess struct {
	Terminal        bool     `json:"terminal"`
	User            ociUser  `json:"user"`
	Args            []string `json:"args"`
	Env             []string `json:"env"`
	Cwd             string   `json:"cwd"`
	Capabilities    ociCaps  `json:"capabilities"`
	NoNewPrivileges bool     `json:"noNewPrivileges"`
}

type ociUser struct {
	UID            int   `json:"uid"`
	GID            int   `json:"gid"`
	AdditionalGids []int `json:"additionalGids"`
}

// ociCaps are always written, as empty lists: a missing capabilities object
// would leave the process the runtime's own (full) set.
type ociCaps struct {
	Bounding    []string `json:"bounding"`
	Effective   []string `json:"effective"`
	Inheritable []string `json:"inheritable"`
	Permitted   []string `json:"permitted"`
	Ambient     []string `json:"ambient"`
}

type ociRoot struct {
	Path     string `json:"path"`
	Readonly bool   `json:"readonly"`
}

type ociMount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type"`
	Source      string   `json:"source"`
	Options     []string `json:"options"`
}

type ociLinux struct {
	Namespaces    []ociNamespace `json:"namespaces"`
	MaskedPaths   []string       `json:"maskedPaths"`
	ReadonlyPaths []string       `json:"readonlyPaths"`
	Seccomp       *ociSeccomp    `json:"seccomp"`
}

type ociNamespace struct {
	Type string `json:"type"`
	Path string `json:"path,omitempty"`
}

// maskedPaths hide kernel state a container has no business reading (the
// list container runtimes mask by default).
var maskedPaths = []string{
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/firmware",
	"/sys/devices/virtual/powercap",
}

// readonlyPaths are kernel knobs a container may read but never write.
var readonlyPaths = []string{
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
}

// baseMounts are the kernel file systems every sandbox gets: its own /proc
// (of its pid namespace), a private /dev with only the standard device nodes
// (the runtime creates null, zero, full, random, urandom, tty and ptmx), its
// own /dev/pts, /dev/shm and /dev/mqueue, and /sys read-only.
func baseMounts() []ociMount {
	return []ociMount{
		{"/proc", "proc", "proc", []string{"nosuid", "noexec", "nodev"}},
		{"/dev", "tmpfs", "tmpfs", []string{"nosuid", "noexec", "strictatime", "mode=755", "size=65536k"}},
		{"/dev/pts", "devpts", "devpts", []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
		{"/dev/shm", "tmpfs", "shm", []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{"/dev/mqueue", "mqueue", "mqueue", []string{"nosuid", "noexec", "nodev"}},
		{"/sys", "sysfs", "sysfs", []string{"nosuid", "noexec", "nodev", "ro"}},
	}
}

// ociSpec renders c as the runtime's config.json. root is the mounted
// root file system; netns the network namespace to join.
func (c *Container) ociSpec(root, netns string) (ociConfig, error) {
	if len(c.Args) == 0 || !filepath.IsAbs(c.Args[0]) {
		return ociConfig{}, fmt.Errorf("sandbox: the program must be an absolute path inside the image, got %q", c.Args)
	}
	dir := c.Dir
	if dir == "" {
		dir = "/"
	}
	mounts := baseMounts()
	for _, m := range c.Mounts {
		if !filepath.IsAbs(m.Destination) || strings.Contains(m.Destination, "..") {
			return ociConfig{}, fmt.Errorf("sandbox: mount destination %q must be an absolute path without ..", m.Destination)
		}
		opts := []string{"rbind", "nosuid", "nodev"}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		if m.NoExec {
			opts = append(opts, "noexec")
		}
		mounts = append(mounts, ociMount{Destination: m.Destination, Type: "bind", Source: m.Source, Options: opts})
	}
	none := []string{}
	hostname := c.Hostname
	if hostname == "" {
		hostname = "kiln"
	}
	return ociConfig{
		Version: "1.0.2",
		Process: ociProcess{
			User: ociUser{UID: c.UID, GID: c.GID, AdditionalGids: []int{}},
			Args: c.Args, Env: nonNil(c.Env), Cwd: dir,
			Capabilities:    ociCaps{none, none, none, none, none},
			NoNewPrivileges: true,
		},
		Root:     ociRoot{Path: root},
		Hostname: hostname,
		Mounts:   mounts,
		Linux: ociLinux{
			// The user namespace is the helper's (kiln's), inherited.
			Namespaces: []ociNamespace{
				{Type: "pid"}, {Type: "ipc"}, {Type: "uts"}, {Type: "mount"}, {Type: "cgroup"},
				{Type: "network", Path: netns},
			},
			MaskedPaths:   maskedPaths,
			ReadonlyPaths: readonlyPaths,
			Seccomp:       defaultSeccomp(),
		},
	}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
