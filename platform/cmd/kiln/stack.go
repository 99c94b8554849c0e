package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/home"
	kilnregistry "kiln.dev/kiln/platform/registry"
	"kiln.dev/kiln/platform/stackpublish"
	"kiln.dev/kiln/stacks"
)

func runStack(args []string) error {
	fs := newFlagSet("stack", "stack build|lock [--stack DIR] [--registry HOST:PORT] [--arch amd64|arm64]")
	dir := fs.String("stack", "stacks/bookworm", "stack definition directory (stack.toml + packages.lock)")
	arch := fs.String("arch", stacks.HostArch(), "architecture to lock (packages.<arch>.lock; other than the host's, apt reads into a private configuration under $KILN_HOME/debs)")
	registry := fs.String("registry", "", "push to this registry (default: the embedded one)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"kiln stack build | kiln stack lock"}
	}
	switch pos[0] {
	case "lock":
		s, err := stacks.Load(*dir)
		if err != nil {
			return err
		}
		debs := home.Default().Debs()
		if err := os.MkdirAll(debs, 0o755); err != nil {
			return err
		}
		pins, err := s.LockCandidatesFor(*arch, debs)
		if err != nil {
			return err
		}
		if err := stacks.WriteLockFor(*dir, *arch, pins); err != nil {
			return err
		}
		fmt.Printf("pinned %d packages in %s\n", len(pins), filepath.Join(*dir, stacks.LockFileFor(*arch)))
		return nil
	case "build":
		h := home.Default()
		addr, done, err := registryAddr(h, *registry)
		if err != nil {
			return err
		}
		defer done()
		if err := os.MkdirAll(h.Debs(), 0o755); err != nil {
			return err
		}
		start := time.Now()
		fmt.Printf("==> Building stack %s into %s\n", *dir, addr)
		push := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
		if *registry == "" { // the embedded registry: its write token
			auth, err := kilnregistry.Auth(h.Registry())
			if err != nil {
				return err
			}
			push = []remote.Option{remote.WithAuth(auth)}
		}
		if _, err := stackpublish.Publish(*dir, addr, h.Debs(), os.Stdout, push...); err != nil {
			return err
		}
		fmt.Printf("==> Stack done in %s\n", time.Since(start).Round(time.Millisecond))
		return nil
	}
	return usageError{fmt.Sprintf("unknown stack command %q: build or lock", pos[0])}
}
