package local

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/e2e/conformance"
)

// TestConformanceOfKilnImages runs the conformance harness against the
// framework as built into images by the Go builder.
func TestConformanceOfKilnImages(t *testing.T) {
	target := func(t *testing.T, lang, image, fn string, extra ...string) (conformance.Target, func()) {
		t.Helper()
		src := filepath.Join(repo, "e2e", "conformance", "functions", lang)
		if err := k.Run(append([]string{"build", src, "--image", image, "--target", fn}, extra...)...).Err(); err != nil {
			t.Fatal(err)
		}
		// Not t.TempDir: test names put commas in it, which overlayfs rejects.
		state, err := os.MkdirTemp("", "kiln-e2e-state-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(state) })
		r, err := k.Start(image, "--state-dir", state)
		if err != nil {
			t.Fatal(err)
		}
		// The function's working directory is /workspace; what it writes lands
		// in the run's writable layer.
		return conformance.Target{URL: r.URL, OutputFile: filepath.Join(state, "upper", "workspace", "function_output.json")},
			func() {
				r.Stop(15 * time.Second)
				if t.Failed() {
					t.Logf("kiln run output:\n%s", r.Output())
				}
			}
	}
	var feats []features.Feature
	for _, fw := range []struct{ lang, httpFn, ceFn string }{{"go", "HTTP", "CloudEvent"}, {"nodejs", "http", "cloudEvent"}, {"python", "http", "cloud_event"}, {"java", "conformance.Http", "conformance.CloudEventFn"}} {
		fw := fw
		feats = append(feats, features.New("functions-framework conformance, kiln-built "+fw.lang+" images").
			Assess("http: body echo and concurrency", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				tgt, stop := target(t, fw.lang, "e2e-conformance-http-"+fw.lang, fw.httpFn)
				defer stop()
				if err := conformance.HTTP(tgt); err != nil {
					t.Fatal(err)
				}
				d, err := conformance.Concurrency(tgt)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%d calls inside the function at once, all answered in %s", conformance.Parties, d)
				return ctx
			}).
			Assess("cloudevent: binary and structured", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				tgt, stop := target(t, fw.lang, "e2e-conformance-ce-"+fw.lang, fw.ceFn, "--signature", "cloudevent")
				defer stop()
				if err := conformance.CloudEvents(tgt); err != nil {
					t.Fatal(err)
				}
				return ctx
			}).Feature())
	}
	testenv.Test(t, feats...)
}
