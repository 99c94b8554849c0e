package localbuild

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/buildrequest"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/lifecycle"
	"kiln.dev/kiln/platform/regclient"
	"kiln.dev/kiln/platform/registry"
)

// Options is one local build of a resolved plan.
type Options struct {
	Plan *buildrequest.Plan
	Home home.Dir
	// RegistryAddr is the embedded registry's address ("" = remembered,
	// else KILN_REGISTRY_ADDR, else a free port).
	RegistryAddr string
	// LayoutDir exports to an OCI layout there instead of the registry.
	LayoutDir  string
	HostPorts  []int // host loopback ports the build may reach
	ClearCache bool
	Isolated   bool   // per-app caches instead of $KILN_HOME/deps
	LogLevel   string // the lifecycle's: warn, info, debug
	Log        io.Writer
}

// HostPortError is a --allow-host-port the build may not have.
type HostPortError struct {
	Port int
	Why  string
}

func (e *HostPortError) Error() string {
	return fmt.Sprintf("--allow-host-port %d: that is %s", e.Port, e.Why)
}

// Build runs the build and returns what it produced.
func Build(ctx context.Context, o Options) (*lifecycle.Result, error) {
	p := o.Plan
	addr := o.RegistryAddr
	if addr == "" {
		addr = os.Getenv("KILN_REGISTRY_ADDR")
	}
	reg, err := registry.Open(o.Home.Registry(), addr)
	if err != nil {
		return nil, err
	}
	defer reg.Close()
	if err := refusePort(reg.Addr, o.HostPorts); err != nil {
		return nil, err
	}
	out := reg.Ref(p.Image)
	layoutDir := o.LayoutDir
	if layoutDir != "" {
		if !registry.IsQualified(p.Image) {
			out = "kiln.local/" + strings.TrimPrefix(reg.Ref(p.Image), reg.Addr+"/")
		}
		if layoutDir, err = filepath.Abs(layoutDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(layoutDir, 0o755); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(o.Log, "==> Building %s from %s\n", out, p.Dir)
	fmt.Fprintf(o.Log, "    builder: %s (%s)\n", p.Builder, p.BuilderFrom)
	if len(p.Env) > 0 {
		fmt.Fprintf(o.Log, "    env: %s\n", strings.Join(p.EnvNames(), " "))
	}
	for _, n := range p.Notes {
		fmt.Fprintf(o.Log, "    %s\n", n)
	}
	if len(o.HostPorts) > 0 {
		var ps []string
		for _, n := range o.HostPorts {
			ps = append(ps, strconv.Itoa(n))
		}
		fmt.Fprintf(o.Log, "    host ports the build may reach: %s\n", strings.Join(ps, ","))
	}
	var push []remote.Option
	if strings.HasPrefix(out, reg.Addr+"/") { // the embedded registry: its write token
		push = reg.RemoteOptions()
	}
	// Other registries: the sandbox helper pulls the builder (and its run
	// image) with the Docker config's credentials, resolved here; kiln
	// pushes the image with them.
	builder := reg.Ref(p.Builder)
	var others []string
	for _, r := range []string{builder, out} {
		if !strings.HasPrefix(r, reg.Addr+"/") && (r != out || layoutDir == "") {
			others = append(others, r)
		}
	}
	if err := regclient.ExportAuth(others...); err != nil {
		return nil, err
	}
	return lifecycle.Build(ctx, lifecycle.Options{
		AppDir: p.Dir, Image: out, Builder: builder, Env: p.Env, Home: o.Home, LogLevel: o.LogLevel,
		Skip: p.Skip, SharedDeps: !o.Isolated, ClearCache: o.ClearCache, LayoutDir: layoutDir,
		HostPorts: o.HostPorts, Push: push, Out: o.Log,
	})
}

// refusePort is a HostPortError when ports hold the embedded registry's
// (addr host:port): builds never reach it.
func refusePort(addr string, ports []int) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	for _, n := range ports {
		if strconv.Itoa(n) == port {
			return &HostPortError{n, "the embedded registry: builds never get it; kiln pushes the image itself"}
		}
	}
	return nil
}
