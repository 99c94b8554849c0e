package lifecycle

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// entry makes a dependency-cache entry under dir; complete adds go-dist's
// marker (depcache's contract).
func entry(t *testing.T, dir string, complete bool) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "go"), []byte("the build's copy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if complete {
		if err := os.WriteFile(filepath.Join(dir, ".kiln-complete"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPromoteToolchains(t *testing.T) {
	for _, tc := range []struct {
		name       string
		own        map[string]bool // entry name under upper/go -> complete
		shared     []string        // complete entries already shared
		fail       bool            // the verified install fails
		wantShared []string        // versions kiln installs
		wantKept   []string        // entries left in the app's layer
		wantNote   string
	}{
		{name: "a new toolchain is installed by kiln and the app's copy dropped",
			own: map[string]bool{"1.26.8-linux-amd64": true}, wantShared: []string{"1.26.8/amd64"},
			wantNote: "Go 1.26.8 verified against the checksum database and shared"},
		{name: "std is compiled for a toolchain shared before",
			own: map[string]bool{"1.26.8-linux-amd64": true}, shared: []string{"1.26.8-linux-amd64"},
			wantNote: "Go 1.26.8: the standard library, compiled by kiln with it, shared"},
		{name: "std is compiled for the shared toolchain a build used",
			shared:   []string{"1.26.8-linux-amd64"},
			wantNote: "Go 1.26.8: the standard library, compiled by kiln with it, shared"},
		{name: "one kiln cannot verify stays the app's",
			own: map[string]bool{"1.26.8-linux-amd64": true}, fail: true, wantKept: []string{"1.26.8-linux-amd64"},
			wantNote: "Go 1.26.8 stays in this app's cache: sharing it: checksum mismatch"},

		{name: "incomplete entries and other names are left alone",
			own:      map[string]bool{"1.26.8-linux-amd64": false, "evil": true, "1.26.8-linux-amd64.zip": true, "1.26.8-windows-amd64": true},
			wantKept: []string{"1.26.8-linux-amd64", "1.26.8-linux-amd64.zip", "1.26.8-windows-amd64", "evil"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			v := newDepsView(filepath.Join(root, "shared"), filepath.Join(root, "app"), filepath.Join(root, "state"))
			for name, complete := range tc.own {
				entry(t, filepath.Join(v.Upper, "go", name), complete)
			}
			// The build compiled with Go 1.26.8: its own GOCACHE.
			os.MkdirAll(filepath.Join(v.Upper, "gocache", "go1.26.8"), 0o755)
			for _, name := range tc.shared {
				entry(t, filepath.Join(v.Shared, "go", name), true)
			}
			var installed, compiled []string
			toolchain := func(_ context.Context, version, arch, goroot string) (bool, error) {
				if tc.fail {
					return false, errors.New("checksum mismatch")
				}
				if goroot != filepath.Join(v.Shared, "go", version+"-linux-"+arch) {
					t.Errorf("installing into %s", goroot)
				}
				installed = append(installed, version+"/"+arch)
				entry(t, goroot, true)
				return true, nil
			}
			std := func(_ context.Context, goroot, gocache string, _, _ int) (bool, error) {
				if filepath.Dir(gocache) != filepath.Join(v.Shared, "gocache") || filepath.Dir(goroot) != filepath.Join(v.Shared, "go") {
					t.Errorf("compiling std of %s into %s", goroot, gocache)
				}
				compiled = append(compiled, filepath.Base(gocache))
				entry(t, gocache, true)
				return true, nil
			}
			notes := promoteToolchains(context.Background(), v, os.Getuid(), os.Getgid(), sharer{toolchain: toolchain, std: std})
			// The fixtures' toolchains are amd64: kiln runs only its own arch's.
			if runtime.GOARCH == "amd64" && len(tc.wantKept) == 0 && !reflect.DeepEqual(compiled, []string{"go1.26.8"}) {
				t.Errorf("std compiled for %v, want go1.26.8 once the toolchain is shared", compiled)
			}
			if len(tc.wantKept) > 0 && len(compiled) > 0 {
				t.Errorf("std compiled for %v with no toolchain shared", compiled)
			}
			if !reflect.DeepEqual(installed, tc.wantShared) {
				t.Errorf("kiln installed %v, want %v", installed, tc.wantShared)
			}
			var kept []string
			es, _ := os.ReadDir(filepath.Join(v.Upper, "go"))
			for _, e := range es {
				kept = append(kept, e.Name())
			}
			if !reflect.DeepEqual(kept, tc.wantKept) {
				t.Errorf("the app's layer keeps %v, want %v", kept, tc.wantKept)
			}
			if got := strings.Join(notes, "\n"); (tc.wantNote == "") != (got == "") || !strings.Contains(got, tc.wantNote) {
				t.Errorf("notes %q, want %q", got, tc.wantNote)
			}
		})
	}
}

func TestGoProxyPrefersTheBuildsOwn(t *testing.T) {
	t.Setenv("GOPROXY", "https://kiln.example")
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GOPROXY": "https://a", "FUNC_GOPROXY": "https://b"}, "https://a"},
		{map[string]string{"FUNC_GOPROXY": "https://b"}, "https://b"},
		{nil, "https://kiln.example"},
	} {
		if got := goProxy(tc.env); got != tc.want {
			t.Errorf("goProxy(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

// A build that replaces its layer's go (or gocache) with a symlink to the
// shared cache, or to another app's layer, must not make kiln list and
// delete the toolchains there.
func TestPromoteIgnoresPlantedSymlinks(t *testing.T) {
	for _, dir := range []string{"go", "gocache"} {
		t.Run(dir, func(t *testing.T) {
			root := t.TempDir()
			v := newDepsView(filepath.Join(root, "shared"), filepath.Join(root, "app"), filepath.Join(root, "state"))
			victim := filepath.Join(root, "other-app", dir)
			entry(t, filepath.Join(victim, "1.26.8-linux-amd64"), true)
			entry(t, filepath.Join(victim, "go1.26.8"), true)
			entry(t, filepath.Join(v.Shared, "go", "1.26.8-linux-amd64"), true)
			if err := os.MkdirAll(v.Upper, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, filepath.Join(v.Upper, dir)); err != nil {
				t.Fatal(err)
			}
			called := false
			share := sharer{
				toolchain: func(context.Context, string, string, string) (bool, error) { called = true; return true, nil },
				std:       func(context.Context, string, string, int, int) (bool, error) { called = true; return true, nil },
			}
			promoteToolchains(context.Background(), v, os.Getuid(), os.Getgid(), share)
			for _, name := range []string{"1.26.8-linux-amd64", "go1.26.8"} {
				if _, err := os.Stat(filepath.Join(victim, name, "bin", "go")); err != nil {
					t.Errorf("kiln followed the planted %s symlink and removed %s: %v", dir, name, err)
				}
			}
			if called {
				t.Error("kiln shared something on the strength of a planted symlink")
			}
		})
	}
}
