package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/registry"
)

// A detached registry server is this binary started again by
// registry.Open (any kiln command that needs the registry when none
// runs): it serves and exits here, before main.
func init() { registry.ServeIfSpawned() }

func newRegistryCmd(c *cli) *cobra.Command {
	const usage = "kiln registry serve | address | stop | gc | du"
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "The embedded registry: serve, address, stop, gc, du",
		Args:  subcommandArgs(usage, "serve", "address", "stop", "gc", "du"),
		RunE:  needSubcommand(usage),
	}
	fs := cmd.PersistentFlags()
	regAddr := fs.String("registry-addr", "", "serve, address: listen address on loopback (default: remembered, else a free port; env KILN_REGISTRY_ADDR)")
	background := fs.Bool("background", false, "serve: start a detached server and return; it runs until kiln registry stop (or --idle-exit)")
	idle := fs.Duration("idle-exit", 0, "serve --background: exit after this long with no kiln process attached and no request (0: never)")
	force := fs.Bool("force", false, "stop: stop even while kiln processes use the registry")
	grace := fs.Duration("grace", time.Hour, "gc: keep blobs and untagged manifests younger than this (pushes in progress)")
	addr := func() string {
		if *regAddr != "" {
			return *regAddr
		}
		return os.Getenv("KILN_REGISTRY_ADDR")
	}
	sub := func(use, short string, run func(h home.Dir) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: exactArgs(0, usage),
			RunE: func(*cobra.Command, []string) error { return run(home.Default()) }}
	}
	cmd.AddCommand(
		sub("serve", "Serve the registry in the foreground (or --background)", func(h home.Dir) error {
			if *background {
				return c.serveBackground(h.Registry(), addr(), *idle)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return registry.Serve(ctx, h.Registry(), registry.ServeOptions{Addr: addr(), Ready: func(a string) {
				fmt.Fprintf(c.stdout, "==> Serving the kiln registry (%s) on http://%s — Ctrl-C stops it\n", h.Registry(), a)
			}})
		}),
		sub("address", "Print the registry's address, serving it if it is not running", func(h home.Dir) error {
			reg, err := openRegistry(h, addr())
			if err != nil {
				return err
			}
			defer reg.Close()
			fmt.Fprintln(c.stdout, reg.Addr)
			return nil
		}),
		sub("stop", "Stop the background registry", func(h home.Dir) error {
			err := registry.Stop(h.Registry(), *force)
			if errors.Is(err, registry.ErrNotServed) {
				fmt.Fprintf(c.stdout, "==> The kiln registry (%s) is not running\n", h.Registry())
				return nil
			}
			if err == nil {
				fmt.Fprintf(c.stdout, "==> Stopped the kiln registry (%s)\n", h.Registry())
			}
			return err
		}),
		sub("gc", "Remove blobs and untagged manifests nothing refers to", func(h home.Dir) error {
			reg, err := openRegistry(h, addr())
			if err != nil {
				return err
			}
			defer reg.Close()
			rep, err := reg.GC(*grace)
			if err != nil {
				return err
			}
			fmt.Fprint(c.stdout, gcSummary(rep, *grace))
			return nil
		}),
		sub("du", "Show what the registry holds, per repository", func(h home.Dir) error {
			u, err := registry.DiskUsage(h.Registry())
			if err != nil {
				return err
			}
			printUsage(c.stdout, h.Registry(), u)
			return nil
		}),
	)
	return cmd
}

func (c *cli) serveBackground(dir, addr string, idle time.Duration) error {
	if at, ok := registry.Running(dir); ok {
		fmt.Fprintf(c.stdout, "==> The kiln registry (%s) already serves on http://%s; kiln registry stop stops it\n", dir, at)
		return nil
	}
	reg, err := registry.ServeDetached(dir, addr, idle)
	if err != nil {
		return err
	}
	defer reg.Close()
	st, err := reg.Status()
	if err != nil {
		return err
	}
	until := "kiln registry stop stops it"
	if idle > 0 {
		until = fmt.Sprintf("it exits after %s unused, or with kiln registry stop", idle)
	}
	fmt.Fprintf(c.stdout, "==> The kiln registry (%s) serves on http://%s in the background (pid %d); %s\n", dir, reg.Addr, st.PID, until)
	return nil
}

func gcSummary(rep registry.GCReport, grace time.Duration) string {
	return fmt.Sprintf("==> Removed %s (%s) and %s; kept %s (%s) for %s (anything younger than %s is kept)\n",
		count(rep.BlobsRemoved, "blob"), humanBytes(rep.BytesFreed), count(rep.ManifestsRemoved, "untagged manifest"),
		count(rep.Blobs, "blob"), humanBytes(rep.Bytes), count(rep.Manifests, "manifest"), grace)
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func printUsage(w io.Writer, dir string, u registry.Usage) {
	fmt.Fprintf(w, "==> Kiln registry %s\n", dir)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "    REPOSITORY\tTAGS\tMANIFESTS\tSIZE")
	for _, r := range u.Repos {
		fmt.Fprintf(tw, "    %s\t%d\t%d\t%s\n", r.Name, r.Tags, r.Manifests, humanBytes(r.Bytes))
	}
	tw.Flush()
	fmt.Fprintf(w, "    total: %s in %s, %s of manifests (blobs shared by repositories count once)\n", humanBytes(u.Bytes), count(u.Blobs, "blob"), humanBytes(u.ManifestBytes))
	if u.Unreferenced > 0 {
		fmt.Fprintf(w, "    %s (%s) no manifest refers to: kiln registry gc removes them\n", count(u.Unreferenced, "blob"), humanBytes(u.UnreferencedBytes))
	}
}

// humanBytes prints n in decimal units, as the rest of kiln's output does.
func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
