// Package local is Kiln's tier-1 e2e suite: on this machine, with no Docker
// and no cluster, it builds the stack and the builders, builds every Go, Node.js, Python and Java
// sample with `kiln build`, runs it with `kiln run` and invokes it. Python
// samples install from a package index the suite serves, Maven samples from
// Debian's Maven repository served over HTTP (PyPI and Maven Central are
// unreachable here).
//
// Env: KILN_E2E_HOME (default ~/.cache/kiln-e2e) keeps the suite's registry
// and caches apart from yours; KILN_TOOLS (default $KILN_HOME/tools, ~/.cache/kiln/tools) holds
// the pinned lifecycle and pack, built by platform/tools/build.sh if missing.
package local

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/env"
	"sigs.k8s.io/e2e-framework/pkg/envconf"

	"kiln.dev/kiln/buildpacks/java-function/mavenrepo"
	"kiln.dev/kiln/buildpacks/python-function/pyindex"
	"kiln.dev/kiln/e2e/kiln"
	kilnhome "kiln.dev/kiln/platform/home"
)

// servePackages publishes samples/python/packages/<pkg> as <pkg>==1.0.0 wheels.
func servePackages() (*pyindex.Index, error) {
	idx, err := pyindex.Serve()
	if err != nil {
		return nil, err
	}
	pkgs, _ := filepath.Glob(filepath.Join(repo, "samples", "python", "packages", "*"))
	for _, dir := range pkgs {
		files := map[string]string{}
		srcs, _ := filepath.Glob(filepath.Join(dir, "*.py"))
		for _, src := range srcs {
			b, err := os.ReadFile(src)
			if err != nil {
				return nil, err
			}
			files[filepath.Base(dir)+"/"+filepath.Base(src)] = string(b)
		}
		if err := idx.Add(strings.ReplaceAll(filepath.Base(dir), "_", "-"), "1.0.0", files); err != nil {
			return nil, err
		}
	}
	return idx, nil
}

var (
	testenv env.Environment
	k       *kiln.Kiln
	repo    string
	// pyIndex is the local Python package index (PyPI is unreachable here)
	// serving samples/python/packages as wheels.
	pyIndex *pyindex.Index
	// mavenRepo is the Maven mirror (Maven Central is unreachable here):
	// Debian's packaged repository served over HTTP.
	mavenRepo *mavenrepo.Repo
)

func TestMain(m *testing.M) {
	testenv = env.NewWithConfig(envconf.New())
	var stopRegistry, stopJanitor func()
	testenv.Setup(func(ctx context.Context, _ *envconf.Config) (context.Context, error) {
		var err error
		k, stopRegistry, err = setup()
		if err == nil {
			stopJanitor = janitor(k)
		}
		return ctx, err
	})
	testenv.Finish(func(ctx context.Context, _ *envconf.Config) (context.Context, error) {
		if stopJanitor != nil {
			stopJanitor()
		}
		if stopRegistry != nil {
			stopRegistry()
		}
		return ctx, nil
	})
	os.Exit(testenv.Run(m))
}

// janitorEvery is how often janitor collects.
const janitorEvery = 2 * time.Minute

// janitorPaused is held by the janitor while it collects, and by a test
// that must see what its own kiln cache gc removes.
var janitorPaused sync.Mutex

// janitor keeps the suite's disk use flat: most tests build from temporary
// directories, and every build leaves an app cache (its lifecycle cache and
// OCI layout, 50–200 MB) that nothing can use once the directory is gone,
// and every kiln run a flattened rootfs. Every janitorEvery it runs kiln
// cache gc for caches whose source is gone and untagged rootfs (never
// what a running build or function holds), as a user would from cron.
func janitor(kl *kiln.Kiln) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(janitorEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				janitorPaused.Lock()
				if res := kl.Run("cache", "gc", "--keep-orphaned-for", "0"); res.Code != 0 {
					fmt.Printf("==> e2e janitor: kiln cache gc exit %d: %s\n", res.Code, res.Output)
				}
				janitorPaused.Unlock()
			}
		}
	}()
	return func() { close(done); <-finished }
}

func run(name string, args ...string) error {
	c := exec.Command(name, args...)
	c.Dir, c.Stdout, c.Stderr = repo, os.Stdout, os.Stderr
	return c.Run()
}

func setup() (*kiln.Kiln, func(), error) {
	var err error
	if repo, err = filepath.Abs("../.."); err != nil {
		return nil, nil, err
	}
	userCache, _ := os.UserCacheDir()
	home := os.Getenv("KILN_E2E_HOME")
	if home == "" {
		home = filepath.Join(userCache, "kiln-e2e")
	}
	tools := kilnhome.Default().Tools() // where platform/tools/build.sh puts them
	os.Setenv("KILN_TOOLS", tools)
	bin, err := os.MkdirTemp("", "kiln-e2e-bin-")
	if err != nil {
		return nil, nil, err
	}
	os.Chmod(bin, 0o755) // the not-root test runs kiln as nobody
	kl := &kiln.Kiln{Bin: filepath.Join(bin, "kiln"), Home: home, Env: []string{"KILN_TOOLS=" + tools}, Log: os.Stdout}
	steps := []struct {
		what string
		do   func() error
	}{
		{"build kiln", func() error { return run("go", "build", "-o", kl.Bin, "./platform/cmd/kiln") }},
		{"pinned tools", func() error { return run("bash", "platform/tools/build.sh") }},
		{"buildpacks", func() error {
			return kl.Run("buildpack", "package", "--source", repo, "--out", filepath.Join(bin, "buildpacks")).Err()
		}},
	}
	for _, s := range steps {
		fmt.Printf("==> e2e setup: %s\n", s.what)
		if err := s.do(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.what, err)
		}
	}
	if pyIndex, err = servePackages(); err != nil {
		return nil, nil, err
	}
	if mavenRepo, err = mavenrepo.Serve(mavenrepo.DebianRepo); err != nil {
		return nil, nil, err
	}
	stop, err := kl.Serve()
	if err != nil {
		return nil, nil, err
	}
	for _, args := range [][]string{
		{"stack", "build", "--stack", filepath.Join(repo, "stacks", "bookworm")},
		{"builder", "create", "--source", repo, "--buildpacks", filepath.Join(bin, "buildpacks")},
	} {
		if err := kl.Run(args...).Err(); err != nil {
			stop()
			return nil, nil, fmt.Errorf("kiln %v: %w", args, err)
		}
	}
	return kl, stop, nil
}
