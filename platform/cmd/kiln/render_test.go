package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kiln.dev/kiln/controller/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/render/NAME (go test -update rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "render", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil || got != string(want) {
		t.Fatalf("differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

// installedGatewayConfig is the Gateway config Kiln installs, from the
// repository.
func installedGatewayConfig() string {
	return filepath.Join("..", "..", "..", filepath.FromSlash(render.DefaultGatewayConfigFile))
}

// TestRenderDefaultGateway: a Function with a route and no --gateway-config
// renders with the default Gateway config, says so once, and names a
// Function whose gatewayRef is another; the objects are those rendered with
// the installed config passed explicitly, which prints no note.
func TestRenderDefaultGateway(t *testing.T) {
	in := filepath.Join("testdata", "render", "route.yaml")
	var out, notes bytes.Buffer
	if err := cliTo([]string{"render", "-f", in}, &out, &notes); err != nil {
		t.Fatal(err)
	}
	golden(t, "route.out.yaml", out.String())
	golden(t, "route.notes.txt", notes.String())
	if n := strings.Count(notes.String(), "no --gateway-config"); n != 1 {
		t.Errorf("the default is noted %d times, want once", n)
	}

	var explicit, none bytes.Buffer
	if err := cliTo([]string{"render", "-f", in, "--gateway-config", installedGatewayConfig()}, &explicit, &none); err != nil {
		t.Fatal(err)
	}
	if explicit.String() != out.String() {
		t.Errorf("with --gateway-config %s the objects differ:\n%s", installedGatewayConfig(), explicit.String())
	}
	// Only the note that the route's backends come from the cluster.
	if strings.Contains(none.String(), "Gateway config") || strings.Count(none.String(), "\n") != 1 || !strings.Contains(none.String(), "status.traffic") {
		t.Errorf("notes with --gateway-config: %s", none.String())
	}
}

// TestRenderWithoutRouteHasNoNote: the default is only noted when a route
// uses it.
func TestRenderWithoutRouteHasNoNote(t *testing.T) {
	in := filepath.Join(t.TempDir(), "fn.yaml")
	fn := "apiVersion: core.kiln.dev/v1alpha1\nkind: Function\nmetadata: {name: a}\nspec: {image: r.example.com/a, serving: {triggers: {http: {port: 8080}}}}\n"
	if err := os.WriteFile(in, []byte(fn), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, notes bytes.Buffer
	if err := cliTo([]string{"render", "-f", in}, &out, &notes); err != nil {
		t.Fatal(err)
	}
	if notes.Len() != 0 || strings.Contains(out.String(), "HTTPRoute") {
		t.Fatalf("notes %q, objects:\n%s", notes.String(), out.String())
	}
}

// TestConvertThenRender: an OpenFunction v1beta2 manifest with a stray
// v1beta1 field converts (the field pruned, with a note on stderr) and what
// kiln convert prints renders without --gateway-config.
func TestConvertThenRender(t *testing.T) {
	var converted, notes bytes.Buffer
	if err := cliTo([]string{"convert", "-f", filepath.Join("testdata", "render", "openfunction-stray.yaml")}, &converted, &notes); err != nil {
		t.Fatal(err)
	}
	golden(t, "openfunction-stray.out.yaml", converted.String())
	golden(t, "openfunction-stray.notes.txt", notes.String())

	kiln := filepath.Join(t.TempDir(), "kiln.yaml")
	if err := os.WriteFile(kiln, converted.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, renderNotes bytes.Buffer
	if err := cliTo([]string{"render", "-f", kiln}, &out, &renderNotes); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "kind: HTTPRoute") || !strings.Contains(out.String(), "stray.default.fn.example.com") {
		t.Errorf("no route through the default Gateway config:\n%s", out.String())
	}
}

// cliTo runs kiln with args in-process, writing to stdout and stderr; a
// non-zero exit is an error.
func cliTo(args []string, stdout, stderr *bytes.Buffer) error {
	if code := execute(args, stdout, stderr); code != 0 {
		return fmt.Errorf("kiln %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return nil
}
