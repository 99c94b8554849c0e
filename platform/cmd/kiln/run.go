package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"kiln.dev/kiln/platform/daprsidecar"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/imagefs"
	"kiln.dev/kiln/platform/registry"
	"kiln.dev/kiln/platform/runner"
	"kiln.dev/kiln/platform/sandbox"
)

func runRun(args []string) error {
	fs := newFlagSet("run", "run IMAGE [--port N] [--env K=V]... [--dapr COMPONENTS_DIR [--func-context FILE]] [-- ARGS]")
	port := fs.Int("port", 0, "host port the function listens on (sets PORT; default: a free port)")
	stateDir := fs.String("state-dir", "", "keep the run's writable layer here (default: a temp dir removed on exit)")
	grace := fs.Duration("grace", 10*time.Second, "how long to wait after SIGTERM before killing the function")
	regAddr := fs.String("registry-addr", "", "embedded registry address (env KILN_REGISTRY_ADDR)")
	var env envFlag
	fs.Var(&env, "env", "runtime env var K=V (repeatable)")
	var dapr daprFlags
	dapr.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := sandbox.RequireRoot("kiln run"); err != nil {
		return err
	}
	if len(pos) < 1 {
		return usageError{"kiln run needs an image: kiln run IMAGE (e.g. the name kiln build printed)"}
	}
	h := home.Default()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	// An image kiln already flattened starts from local storage, no registry
	// server needed; otherwise pull it through the embedded registry.
	var reg *registry.Registry
	local := localImage(h, pos[0])
	ref := pos[0]
	if local == nil {
		var err error
		if reg, err = openRegistry(h, *regAddr); err != nil {
			return err
		}
		defer reg.Close()
		ref = reg.Ref(pos[0])
	}
	keep := *stateDir != ""
	if !keep {
		if *stateDir, err = runner.StateDirFor(h.Runs()); err != nil {
			return err
		}
	}
	var sidecar *daprsidecar.Sidecar
	launchDapr := func() error { return nil }
	var daprFailed atomic.Value // the error that ended the run early, if daprd did
	if dapr.dir != "" {
		if sidecar, launchDapr, err = dapr.prepare(h, pos[0], *port, &env); err != nil {
			return err
		}
		defer sidecar.Stop(*grace)
		*port = sidecar.AppPort
	}
	fmt.Printf("==> Running %s\n", ref)
	code, err := runner.Run(ctx, runner.Options{Local: local,
		Image: ref, Port: *port, Env: env.kv, Args: pos[1:], RootfsDir: h.Rootfs(), StateDir: *stateDir, KeepState: keep,
		Grace: *grace, Out: os.Stdout, Stdout: os.Stdout, Stderr: os.Stderr,
		Ready: func(url string, d time.Duration) {
			fmt.Printf("==> Serving on %s (ready %s after start, %s after kiln run)\n", url, d.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
			if reg != nil {
				reg.Close() // the image is flattened: the registry is no longer needed
			}
			if err := launchDapr(); err != nil {
				daprFailed.Store(err)
				stop()
				return
			}
			if sidecar != nil {
				go func() { // daprd dying (a bad component, say) ends the run
					select {
					case <-sidecar.Done():
						daprFailed.Store(fmt.Errorf("daprd exited (%v); its log is above", sidecar.Err()))
						stop()
					case <-ctx.Done():
					}
				}()
			}
		},
	})
	if err != nil {
		return err
	}
	if err, ok := daprFailed.Load().(error); ok {
		return err
	}
	if ctx.Err() != nil {
		fmt.Println("==> Stopped")
		return nil
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "kiln: the function exited with code %d\n", code)
		return exitStatus{code}
	}
	return nil
}

// localImage resolves an unqualified name from the embedded registry's
// storage when its rootfs is already flattened; nil otherwise.
func localImage(h home.Dir, image string) func() (*imagefs.Image, bool) {
	if registry.IsQualified(image) || strings.Contains(image, "@") {
		return nil
	}
	repo, tag := image, "latest"
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		repo, tag = image[:i], image[i+1:]
	}
	digest, cfg, err := registry.Resolve(h.Registry(), repo, tag)
	if err != nil {
		return nil
	}
	ref, err := name.ParseReference("kiln.local/" + repo + ":" + tag)
	if err != nil {
		return nil
	}
	img, ok := imagefs.Cached(ref, digest, cfg, h.Rootfs())
	if !ok {
		return nil
	}
	return func() (*imagefs.Image, bool) { return img, true }
}
