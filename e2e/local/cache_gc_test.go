package local

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCacheGC holds kiln cache gc's promise on real builds and runs: the
// rootfs of an image rebuilt since (its tag moved) goes, but never while a
// function runs from it, and the image still runs afterwards (flattened
// again). Tagged images (the builders, the other tests') stay: the policy
// asked for removes only untagged rootfs.
func TestCacheGC(t *testing.T) {
	src := filepath.Join(t.TempDir(), "gc")
	if out, err := exec.Command("cp", "-r", filepath.Join(repo, "samples", "go", "hello"), src).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	// Builds are reproducible: the sample as it is would be the same image
	// as other tests' (tagged there). A file of its own makes it this test's.
	own := fmt.Sprintf("package hello\n\nconst gcRun = %d\n", time.Now().UnixNano())
	if err := os.WriteFile(filepath.Join(src, "gc_run.go"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func() string {
		t.Helper()
		stdout, stderr, code := kilnSplit(t, "build", src, "--image", "e2e-gc", "-t", "HelloWorld")
		if code != 0 {
			t.Fatalf("kiln build exit %d\nstderr:\n%s", code, stderr)
		}
		return strings.TrimSpace(stdout)
	}
	gc := func(extra ...string) string {
		t.Helper()
		stdout, stderr, code := kilnSplit(t, append([]string{"cache", "gc", "--keep-untagged-for", "0"}, extra...)...)
		if code != 0 {
			t.Fatalf("kiln cache gc exit %d:\n%s%s", code, stdout, stderr)
		}
		return stdout + stderr
	}
	old := build()
	_, digest, _ := strings.Cut(old, "@sha256:")
	rootfs, _ := filepath.Glob(filepath.Join(k.Home, "userns", "*", "rootfs", "sha256-"+digest))
	r, err := k.Start(old)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop(15 * time.Second)
	if rootfs, _ = filepath.Glob(filepath.Join(k.Home, "userns", "*", "rootfs", "sha256-"+digest)); len(rootfs) != 1 {
		t.Fatalf("running %s flattened no rootfs sha256-%s under %s/userns/*/rootfs", old, digest, k.Home)
	}
	// A new build moves the tag: the running image is untagged now.
	if err := os.WriteFile(filepath.Join(src, "extra.go"), []byte("package hello\n\nconst rebuilt = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again := build(); again == old {
		t.Fatalf("the changed source built the same image %s", again)
	}
	if out := gc(); !strings.Contains(out, "in use by a running build or function") || strings.Contains(out, " 0 in use") {
		t.Fatalf("kiln cache gc with the untagged image running did not count it in use:\n%s", out)
	}
	if entries, err := os.ReadDir(rootfs[0]); err != nil || len(entries) == 0 {
		t.Fatalf("kiln cache gc removed the rootfs of a running function (%d entries left, %v)", len(entries), err)
	}
	expectGet("/?name=Kiln", "Hello, Kiln!\n")(t, r)
	r.Stop(15 * time.Second)
	if out := gc("--dry-run"); !strings.Contains(out, rootfs[0]) {
		t.Fatalf("kiln cache gc --dry-run does not list the stopped, untagged rootfs %s:\n%s", rootfs[0], out)
	}
	if _, err := os.Stat(rootfs[0]); err != nil {
		t.Fatalf("--dry-run removed %s: %v", rootfs[0], err)
	}
	out := gc()
	if _, err := os.Stat(rootfs[0]); !os.IsNotExist(err) {
		t.Fatalf("kiln cache gc kept the stopped, untagged rootfs %s (%v):\n%s", rootfs[0], err, out)
	}
	t.Logf("kiln cache gc: %s", strings.TrimSpace(out))
	// The image is still in the registry by digest: kiln run flattens it again.
	r2, err := k.Start(old)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Stop(15 * time.Second)
	expectGet("/?name=Kiln", "Hello, Kiln!\n")(t, r2)

	// The app's build cache records its source: kept while the source is
	// there, removed once it is gone (the key is the source's path).
	abs, _ := filepath.Abs(src)
	var app string
	locks, _ := filepath.Glob(filepath.Join(k.Home, "userns", "*", "apps", "*.lock"))
	for _, l := range locks {
		var rec struct{ Source string }
		if b, err := os.ReadFile(l); err == nil && json.Unmarshal(b, &rec) == nil && rec.Source == abs {
			app = strings.TrimSuffix(l, ".lock")
		}
	}
	if app == "" {
		t.Fatalf("no app cache under %s/userns/*/apps records the source %s", k.Home, abs)
	}
	// The suite's janitor collects the same way: not while this part runs.
	janitorPaused.Lock()
	defer janitorPaused.Unlock()
	gc("--keep-orphaned-for", "0")
	if _, err := os.Stat(app); err != nil {
		t.Fatalf("kiln cache gc removed the build cache %s of an app whose source %s is there: %v", app, abs, err)
	}
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	if out := gc("--keep-orphaned-for", "0"); !strings.Contains(out, "for a source directory that is gone") {
		t.Fatalf("kiln cache gc did not report removing the cache of a removed source:\n%s", out)
	}
	if _, err := os.Stat(app); !os.IsNotExist(err) {
		t.Fatalf("kiln cache gc kept the build cache %s of the removed source %s (%v)", app, abs, err)
	}
}
