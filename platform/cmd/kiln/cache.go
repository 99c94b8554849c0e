package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/cachegc"
	"kiln.dev/kiln/platform/home"
)

func newCacheCmd(c *cli) *cobra.Command {
	const usage = "kiln cache gc [--unused-for DURATION] [--keep-untagged-for DURATION] [--keep-orphaned-for DURATION] [--dry-run]"
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Kiln's local caches: gc removes flattened images and app build caches nothing uses",
		Args:  subcommandArgs(usage, "gc"),
		RunE:  needSubcommand(usage),
	}
	gc := &cobra.Command{
		Use:   "gc",
		Short: "Remove flattened rootfs and app build caches no build or run has used lately (never one in use)",
		Long: "Removes from $KILN_HOME the flattened rootfs of images and the per-app build caches that no build or run\n" +
			"has used for --unused-for, and sooner (--keep-untagged-for after their last use) the rootfs of images no tag\n" +
			"of the embedded registry names any more (rebuilt since, or pulled from another registry) and (--keep-orphaned-for\n" +
			"after their last build) the caches of apps whose source directory is gone (a deleted checkout or temporary\n" +
			"directory: the cache key is the source's path, so nothing can use them again). What a running\n" +
			"build or function uses is never removed. The registry's blobs: kiln registry gc.",
		Args: exactArgs(0, usage),
	}
	unused := gc.Flags().Duration("unused-for", 7*24*time.Hour, "remove what no build or run used for this long (0: everything not in use)")
	untagged := gc.Flags().Duration("keep-untagged-for", cachegc.DefaultUntaggedGrace, "keep the rootfs of images no tag names (rebuilt since, or from another registry) this long after their last use")
	orphaned := gc.Flags().Duration("keep-orphaned-for", cachegc.DefaultOrphanGrace, "keep the build cache of an app whose source directory is gone this long after its last build")
	dry := gc.Flags().Bool("dry-run", false, "list what would be removed; remove nothing")
	gc.RunE = func(*cobra.Command, []string) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		rep, err := cachegc.Collect(ctx, cachegc.Options{Home: home.Default(), UnusedFor: *unused, UntaggedGrace: untagged, OrphanGrace: orphaned, DryRun: *dry, Stderr: c.stderr})
		if err != nil {
			return err
		}
		verb := "Removed"
		if *dry {
			verb = "Would remove"
		}
		if c.verbose || *dry {
			for _, p := range rep.Removed {
				fmt.Fprintf(c.stderr, "    %s\n", p)
			}
		}
		orphans := ""
		if rep.Apps.Orphaned > 0 {
			orphans = fmt.Sprintf(", %d of them for a source directory that is gone", rep.Apps.Orphaned)
		}
		fmt.Fprintf(c.stdout, "==> %s %d flattened rootfs (%s) and %s (%s%s); kept %d rootfs and %s; %d in use by a running build or function\n",
			verb, rep.Rootfs.Removed, humanBytes(rep.Rootfs.BytesFreed),
			count(rep.Apps.Removed, "app cache"), humanBytes(rep.Apps.BytesFreed), orphans,
			rep.Rootfs.Kept, count(rep.Apps.Kept, "app cache"), rep.Rootfs.InUse+rep.Apps.InUse)
		return nil
	}
	cmd.AddCommand(gc)
	return cmd
}
