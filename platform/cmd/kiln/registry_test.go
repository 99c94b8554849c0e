package main

import (
	"bytes"
	"testing"
	"time"

	"kiln.dev/kiln/platform/registry"
)

func TestRegistryReports(t *testing.T) {
	var b bytes.Buffer
	printUsage(&b, "/h/registry", registry.Usage{
		Repos: []registry.RepoUsage{{Name: "kiln/builder-go", Tags: 1, Manifests: 2, Bytes: 412_345_678}, {Name: "hello", Tags: 3, Manifests: 3, Bytes: 4_900_000}},
		Blobs: 40, Bytes: 1_234_567_890, ManifestBytes: 45_000, Unreferenced: 2, UnreferencedBytes: 12_000,
	})
	want := `==> Kiln registry /h/registry
    REPOSITORY       TAGS  MANIFESTS  SIZE
    kiln/builder-go  1     2          412.3 MB
    hello            3     3          4.9 MB
    total: 1.2 GB in 40 blobs, 45.0 kB of manifests (blobs shared by repositories count once)
    2 blobs (12.0 kB) no manifest refers to: kiln registry gc removes them
`
	if b.String() != want {
		t.Errorf("du:\n%s\nwant:\n%s", b.String(), want)
	}
	got := gcSummary(registry.GCReport{Manifests: 7, ManifestsRemoved: 1, Blobs: 20, Bytes: 2_000_000, BlobsRemoved: 3, BytesFreed: 999}, time.Hour)
	if want := "==> Removed 3 blobs (999 B) and 1 untagged manifest; kept 20 blobs (2.0 MB) for 7 manifests (anything younger than 1h0m0s is kept)\n"; got != want {
		t.Errorf("gc: %q, want %q", got, want)
	}
}
