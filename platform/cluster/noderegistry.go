package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// The node registry is where build pods push and the kubelet pulls what
// they built: kiln's own registry stays on loopback (pods cannot reach
// it), so the node gets a second, separate registry (node-registry, go-
// containerregistry's; blobs under the state dir, manifests in memory)
// bound to NodeIP only: the host and the pods reach it, nothing off the
// machine does (kiln0 has no ports). It takes anonymous pushes. Up seeds
// it with the images builds need (the Go builder and its run image) from
// kiln's registry; it goes away with the node on Down.
const nodeRegistryName = "node-registry"

// NodeRegistry is host:port of the node registry, or "" before addons
// started it.
func NodeRegistry(o Options) string {
	s, err := loadState(o.Layout)
	if err != nil || s.NodeRegistryPort == 0 {
		return ""
	}
	return s.nodeRegistry()
}

func (s *state) nodeRegistry() string {
	return net.JoinHostPort(NodeIP, strconv.Itoa(s.NodeRegistryPort))
}

// nodeRegistryBin is the newest node-registry-<hash>/node-registry build.sh made.
func (l Layout) nodeRegistryBin() string {
	return newest(filepath.Join(l.Tools, "node-registry-*", "node-registry"))
}

func nodeRegistryComponent(l Layout, s *state) component {
	return component{name: nodeRegistryName, bin: l.nodeRegistryBin(), args: []string{
		"-listen", s.nodeRegistry(), "-blobs", l.p("node-registry"),
	}}
}

// seededRepos are copied from kiln's registry to the node registry (under
// the same names) when present: the Go builder and its run image.
var seededRepos = []string{"kiln/builder-go:latest", runStaticRepo}

// ensureNodeRegistry starts the node registry when it does not run, lets
// containerd pull from it over plain HTTP, and seeds it.
func ensureNodeRegistry(o Options, s *state) error {
	l := o.Layout
	if s.NodeRegistryPort == 0 {
		p, err := freePort(NodeIP)
		if err != nil {
			return err
		}
		s.NodeRegistryPort = p
		if err := saveState(l, s); err != nil {
			return err
		}
	}
	c := nodeRegistryComponent(l, s)
	if c.bin == "" {
		return fmt.Errorf("cluster: no node-registry binary in %s: run `KILN_TOOLS=%s bash platform/tools/build.sh cluster`", l.Tools, l.Tools)
	}
	if pidOf(l, c.name, c.bin) == 0 {
		if err := start(l, c); err != nil {
			return err
		}
	}
	if err := poll("the node registry on "+s.nodeRegistry(), 30*time.Second, diedFunc(l, c), func() (bool, error) {
		return httpOK("http://" + s.nodeRegistry() + "/v2/")
	}); err != nil {
		return err
	}
	hosts, err := render("hosts.toml", hostsTOML, Config{Registry: s.nodeRegistry()})
	if err != nil {
		return err
	}
	p := l.p("containerd", "certs.d", s.nodeRegistry(), "hosts.toml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, []byte(hosts), 0o644); err != nil {
		return fmt.Errorf("cluster: writing %s: %w", p, err)
	}
	for _, repo := range seededRepos {
		ok, err := copyImage(s.Registry+"/"+repo, s.nodeRegistry()+"/"+repo, strings.HasPrefix(repo, "kiln/builder-"))
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(o.Out, "    %s is not in kiln's registry (%s): builds that need it will fail (`kiln stack build`, `kiln builder create`)\n", repo, s.Registry)
		}
	}
	return nil
}

// hostCABundle is the host's CA bundle: builders in the node registry get
// it (as `kiln build` mounts it into its build container), so a build pod
// fetching a toolchain or modules through a TLS-intercepting network
// trusts what the host trusts.
const hostCABundle = "/etc/ssl/certs/ca-certificates.crt"

// copyImage copies an image or index from kiln's registry (reads are open
// on loopback) to the node registry, with the host's CA bundle as a last
// layer when withCA (single images only); false when src does not exist.
func copyImage(src, dst string, withCA bool) (bool, error) {
	sr, err := name.ParseReference(src, name.Insecure)
	if err != nil {
		return false, fmt.Errorf("cluster: image reference %s: %w", src, err)
	}
	dr, err := name.ParseReference(dst, name.Insecure)
	if err != nil {
		return false, fmt.Errorf("cluster: image reference %s: %w", dst, err)
	}
	desc, err := remote.Get(sr)
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cluster: reading %s from kiln's registry: %w", src, err)
	}
	if !withCA {
		if h, err := remote.Head(dr); err == nil && h.Digest == desc.Digest {
			return true, nil
		}
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err == nil {
			err = remote.WriteIndex(dr, idx)
		}
		if err != nil {
			return false, fmt.Errorf("cluster: copying %s to the node registry: %w", src, err)
		}
		return true, nil
	}
	img, err := desc.Image()
	if err == nil && withCA {
		img, err = withFile(img, hostCABundle)
	}
	if err == nil {
		if h, herr := remote.Head(dr); herr == nil {
			if d, derr := img.Digest(); derr == nil && d == h.Digest {
				return true, nil
			}
		}
		err = remote.Write(dr, img)
	}
	if err != nil {
		return false, fmt.Errorf("cluster: copying %s to the node registry: %w", src, err)
	}
	return true, nil
}

// withFile appends a layer holding the host file path (0644, root) at the
// same path; an image without it stays as it is when the host has none.
func withFile(img v1.Image, path string) (v1.Image, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return img, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: reading %s: %w", path, err)
	}
	layer, err := fileLayer(strings.TrimPrefix(path, "/"), 0o644, b)
	if err != nil {
		return nil, err
	}
	return mutate.AppendLayers(img, layer)
}
