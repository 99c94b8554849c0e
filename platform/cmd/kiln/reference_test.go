package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// referenceDir is the checked-in command reference.
var referenceDir = filepath.Join("..", "..", "..", "docs", "cli")

// The checked-in docs/cli is what the CLI's help says today (make cli-docs,
// i.e. go test -run TestCommandReference -update, rewrites it).
func TestCommandReference(t *testing.T) {
	t.Setenv("KILN_PUBLISH_REGISTRY", "")
	pages := commandReference(newRootCmd(&cli{}))
	if *update {
		os.RemoveAll(referenceDir)
		if err := os.MkdirAll(referenceDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range pages {
			if err := os.WriteFile(filepath.Join(referenceDir, name), append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(referenceDir)
	if err != nil {
		t.Fatalf("%v (make cli-docs writes it)", err)
	}
	var stale []string
	for _, e := range entries {
		if _, ok := pages[e.Name()]; !ok {
			stale = append(stale, e.Name()+" (no such command)")
		}
	}
	for name, b := range pages {
		got, err := os.ReadFile(filepath.Join(referenceDir, name))
		if err != nil || string(got) != string(b)+"\n" {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("docs/cli is stale: %s; run make cli-docs (go test ./platform/cmd/kiln -run TestCommandReference -update)", strings.Join(stale, ", "))
	}
}
