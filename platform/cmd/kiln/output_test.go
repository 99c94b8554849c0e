package main

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"kiln.dev/kiln/platform/lifecycle"
)

// kiln build --output json prints one object: image, digest, size,
// durations per phase and the cache hits.
func TestBuildJSON(t *testing.T) {
	res := &lifecycle.Result{
		Image: "127.0.0.1:5000/hello", Digest: "sha256:" + string(bytes.Repeat([]byte("a"), 64)), Size: 12_345_678,
		Buildpacks: []string{"kiln/go@0.1.0"}, CacheHits: []string{"kiln/go:toolchain", "kiln/go:build-cache"},
		Phases:  []lifecycle.Phase{{Name: "detect", Duration: 120 * time.Millisecond}, {Name: "build", Duration: 2 * time.Second}},
		Flatten: 15 * time.Millisecond, Publish: 300 * time.Millisecond, Total: 2500 * time.Millisecond, BuilderHit: true,
	}
	var out bytes.Buffer
	if err := writeBuildJSON(&out, res); err != nil {
		t.Fatal(err)
	}
	golden(t, "../output/build.json", out.String())
}

func TestImageReference(t *testing.T) {
	for _, tc := range []struct{ image, digest, want string }{
		{"r/a", "sha256:1", "r/a@sha256:1"},
		{"r/a:v1", "sha256:1", "r/a:v1@sha256:1"},
		{"r/a", "", "r/a"},
	} {
		if got := imageReference(&lifecycle.Result{Image: tc.image, Digest: tc.digest}); got != tc.want {
			t.Errorf("imageReference(%q, %q) = %q, want %q", tc.image, tc.digest, got, tc.want)
		}
	}
}

// Piped or as JSON, the build's log goes to stderr; on a terminal to stdout.
func TestBuildLog(t *testing.T) {
	_, pipe, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	stderr := new(bytes.Buffer)
	for _, tc := range []struct {
		name   string
		stdout io.Writer
		output string
		quiet  bool
		want   io.Writer
	}{
		{"pipe", pipe, "text", false, stderr},
		{"buffer", new(bytes.Buffer), "text", false, stderr},
		{"json", pipe, "json", false, stderr},
		{"quiet", pipe, "text", true, io.Discard},
	} {
		c := &cli{stdout: tc.stdout, stderr: stderr, quiet: tc.quiet}
		if got := c.buildLog(tc.output); got != tc.want {
			t.Errorf("%s: the log goes to %T, want %T", tc.name, got, tc.want)
		}
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		c := &cli{stdout: tty, stderr: stderr}
		if c.buildLog("text") != io.Writer(tty) || c.buildLog("json") != io.Writer(stderr) {
			t.Error("on a terminal the text log goes to stdout, JSON's to stderr")
		}
	}
}
