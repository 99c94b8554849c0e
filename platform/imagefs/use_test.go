package imagefs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeRootfs makes a complete flattened rootfs for digest hex in dir.
func fakeRootfs(t *testing.T, dir, hex string) string {
	t.Helper()
	p := filepath.Join(dir, "sha256-"+hex)
	if err := os.MkdirAll(filepath.Join(p, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "etc", "os-release"), []byte("ID=kiln\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p+".complete", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRemoveSparesARootfsInUse: a rootfs held by Use is not removed; once
// released it is, marker first; a later Use says ErrRemoved.
func TestRemoveSparesARootfsInUse(t *testing.T) {
	dir := t.TempDir()
	p := fakeRootfs(t, dir, strings.Repeat("a", 64))
	release, err := Use(p)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := Entries(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("Entries = %v, %v; want the one rootfs", entries, err)
	}
	if removed, err := Remove(entries[0]); err != nil || removed {
		t.Fatalf("Remove while in use = %v, %v; want false, nil", removed, err)
	}
	if _, err := os.Stat(filepath.Join(p, "etc", "os-release")); err != nil {
		t.Fatalf("the rootfs in use lost a file: %v", err)
	}
	release()
	if removed, err := Remove(entries[0]); err != nil || !removed {
		t.Fatalf("Remove after release = %v, %v; want true, nil", removed, err)
	}
	for _, gone := range []string{p, p + ".complete"} {
		if _, err := os.Lstat(gone); !os.IsNotExist(err) {
			t.Fatalf("%s still exists after Remove (%v)", gone, err)
		}
	}
	if _, err := Use(p); !errors.Is(err, ErrRemoved) {
		t.Fatalf("Use of a removed rootfs = %v; want ErrRemoved", err)
	}
}

// TestEntries lists complete sha256 rootfs only, with Use's time as the
// last use.
func TestEntries(t *testing.T) {
	dir := t.TempDir()
	used := fakeRootfs(t, dir, strings.Repeat("b", 64))
	idle := fakeRootfs(t, dir, strings.Repeat("c", 64))
	os.MkdirAll(filepath.Join(dir, "flatten-123"), 0o755)                                       // half-flattened: statedir's
	os.MkdirAll(filepath.Join(dir, "sha256-"+strings.Repeat("d", 64)), 0o755)                   // no marker: incomplete
	os.WriteFile(filepath.Join(dir, "sha512-"+strings.Repeat("e", 64)+".complete"), nil, 0o644) // not a digest kiln writes
	old := time.Now().Add(-48 * time.Hour)
	for _, p := range []string{used, idle} {
		os.Chtimes(p+".complete", old, old)
	}
	release, err := Use(used)
	if err != nil {
		t.Fatal(err)
	}
	release()
	entries, err := Entries(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Time{}
	for _, e := range entries {
		got[e.Path] = e.LastUsed
	}
	if len(got) != 2 {
		t.Fatalf("Entries = %v; want exactly the two complete sha256 rootfs", entries)
	}
	if time.Since(got[used]) > time.Hour {
		t.Errorf("LastUsed of the rootfs just used = %v; want Use's time", got[used])
	}
	if !got[idle].Equal(old) {
		t.Errorf("LastUsed of the idle rootfs = %v; want its marker's time %v", got[idle], old)
	}
}
