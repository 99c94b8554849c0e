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

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/registry"
)

// A detached registry server is this binary started again by
// registry.Open (any kiln command that needs the registry when none
// runs): it serves and exits here, before main.
func init() { registry.ServeIfSpawned() }

func runRegistry(args []string) error {
	fs := newFlagSet("registry", "registry serve [--background [--idle-exit D]] | address | stop [--force] | gc [--grace D] | du")
	regAddr := fs.String("registry-addr", "", "serve, address: listen address on loopback (default: remembered, else a free port; env KILN_REGISTRY_ADDR)")
	background := fs.Bool("background", false, "serve: start a detached server and return; it runs until kiln registry stop (or --idle-exit)")
	idle := fs.Duration("idle-exit", 0, "serve --background: exit after this long with no kiln process attached and no request (0: never)")
	force := fs.Bool("force", false, "stop: stop even while kiln processes use the registry")
	grace := fs.Duration("grace", time.Hour, "gc: keep blobs and untagged manifests younger than this (pushes in progress)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"kiln registry serve | address | stop | gc | du"}
	}
	h := home.Default()
	dir := h.Registry()
	addr := *regAddr
	if addr == "" {
		addr = os.Getenv("KILN_REGISTRY_ADDR")
	}
	switch pos[0] {
	case "serve":
		if *background {
			return serveBackground(dir, addr, *idle)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return registry.Serve(ctx, dir, registry.ServeOptions{Addr: addr, Ready: func(a string) {
			fmt.Printf("==> Serving the kiln registry (%s) on http://%s — Ctrl-C stops it\n", dir, a)
		}})
	case "address":
		reg, err := openRegistry(h, addr)
		if err != nil {
			return err
		}
		defer reg.Close()
		fmt.Println(reg.Addr)
		return nil
	case "stop":
		err := registry.Stop(dir, *force)
		if errors.Is(err, registry.ErrNotServed) {
			fmt.Printf("==> The kiln registry (%s) is not running\n", dir)
			return nil
		}
		if err == nil {
			fmt.Printf("==> Stopped the kiln registry (%s)\n", dir)
		}
		return err
	case "gc":
		reg, err := openRegistry(h, addr)
		if err != nil {
			return err
		}
		defer reg.Close()
		rep, err := reg.GC(*grace)
		if err != nil {
			return err
		}
		fmt.Print(gcSummary(rep, *grace))
		return nil
	case "du":
		u, err := registry.DiskUsage(dir)
		if err != nil {
			return err
		}
		printUsage(os.Stdout, dir, u)
		return nil
	}
	return usageError{fmt.Sprintf("unknown registry command %q: serve, address, stop, gc or du", pos[0])}
}

func serveBackground(dir, addr string, idle time.Duration) error {
	if at, ok := registry.Running(dir); ok {
		fmt.Printf("==> The kiln registry (%s) already serves on http://%s; kiln registry stop stops it\n", dir, at)
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
	fmt.Printf("==> The kiln registry (%s) serves on http://%s in the background (pid %d); %s\n", dir, reg.Addr, st.PID, until)
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
