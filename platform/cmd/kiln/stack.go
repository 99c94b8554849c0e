package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/home"
	kilnregistry "kiln.dev/kiln/platform/registry"
	"kiln.dev/kiln/platform/stackpublish"
	"kiln.dev/kiln/stacks"
)

func newStackCmd(c *cli) *cobra.Command {
	const usage = "kiln stack build | kiln stack lock"
	cmd := &cobra.Command{
		Use:   "stack",
		Short: "Stack images from pinned .debs: build, lock",
		Args:  subcommandArgs(usage, "build", "lock"),
		RunE:  needSubcommand(usage),
	}
	fs := cmd.PersistentFlags()
	dir := fs.String("stack", "stacks/bookworm", "stack definition directory (stack.toml + packages.lock)")
	arch := fs.String("arch", stacks.HostArch(), "architecture to lock (packages.<arch>.lock; other than the host's, apt reads into a private configuration under $KILN_HOME/debs)")
	registry := fs.String("registry", "", "push to this registry (default: the embedded one)")
	lock := &cobra.Command{Use: "lock", Short: "Pin the stack's packages (packages.<arch>.lock)", Args: exactArgs(0, usage),
		RunE: func(*cobra.Command, []string) error {
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
			fmt.Fprintf(c.stdout, "pinned %d packages in %s\n", len(pins), filepath.Join(*dir, stacks.LockFileFor(*arch)))
			return nil
		}}
	build := &cobra.Command{Use: "build", Short: "Build the stack images from the pinned packages and push them", Args: exactArgs(0, usage),
		RunE: func(*cobra.Command, []string) error {
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
			fmt.Fprintf(c.stdout, "==> Building stack %s into %s\n", *dir, addr)
			push := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
			if *registry == "" { // the embedded registry: its write token
				auth, err := kilnregistry.Auth(h.Registry())
				if err != nil {
					return err
				}
				push = []remote.Option{remote.WithAuth(auth)}
			}
			if _, err := stackpublish.Publish(*dir, addr, h.Debs(), c.stdout, push...); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "==> Stack done in %s\n", time.Since(start).Round(time.Millisecond))
			return nil
		}}
	cmd.AddCommand(build, lock)
	return cmd
}
