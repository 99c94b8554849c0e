package cluster

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/buildpacks/python-function/pyindex"
	"kiln.dev/kiln/platform/cluster"
)

// languagesNS keeps the samples apart from the other features' objects.
const languagesNS = "languages"

// languagesFeature: `kiln deploy` of the Node.js, Python and Java hello
// samples (the Go one is the pipeline feature's) with only kiln cluster
// env's exports: each builds in a BuildRun of Kiln's strategy with the
// node registry's builder for its language, becomes Ready, and its printed
// URL answers through Traefik. None needs a package index: the Node.js
// sample has no dependencies, the Python framework is injected and uses
// only the standard library, the Java sample is plain sources compiled
// against the framework the buildpack carries. Then a Python function with
// a requirements.txt, its package served by a PEP 503 index (pyindex, as
// e2e/local does) on the node address that build pods reach.
func languagesFeature() features.Feature {
	var kiln string
	samples := []struct{ lang, dir, target string }{
		{"nodejs", "samples/nodejs/hello", "helloWorld"},
		{"python", "samples/python/hello", "hello"},
		{"java", "samples/java/hello", "com.example.Hello"},
	}
	f := features.New("languages: kiln deploy of the Node.js, Python and Java samples").
		Assess("up --with kiln", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			kiln = upWithKiln(t, 1)
			if _, err := kubectl("apiVersion: v1\nkind: Namespace\nmetadata: {name: "+languagesNS+"}\n", "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			return ctx
		})
	for _, s := range samples {
		f = f.Assess(s.lang, func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			in, err := url.Parse(cluster.Ingress(o))
			if err != nil || in.Port() == "" {
				t.Fatalf("no ingress: %q %v", cluster.Ingress(o), err)
			}
			name := "hello-" + s.lang
			want := "http://" + name + "." + languagesNS + "." + cluster.KnativeDomain + ":" + in.Port()
			d := deployAndServe(t, kiln, deployArgs{dir: filepath.Join(repoRoot, s.dir), target: s.target, name: name, ns: languagesNS}, want, "Hello, World!")
			t.Logf("%s: kiln deploy %s --target %s: apply -> Ready %s (kiln deploy in all %s), first 200 through Traefik %s after apply, image %s",
				s.lang, s.dir, s.target, d.applyToReady.Round(time.Millisecond), d.total.Round(time.Millisecond), d.firstOK.Round(time.Millisecond), d.digest)
			if _, err := kubectl("", "-n", languagesNS, "delete", "function", name, "--wait=false"); err != nil {
				t.Fatal(err)
			}
			return ctx
		})
	}
	f = f.Assess("python with requirements from a package index on the node", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
		// PyPI is not reachable: samples/python/packages served as wheels
		// on the node address, which build pods reach (as the node
		// registry), named by the pip env the Function's build passes on.
		idx, err := pyindex.ServeOn(cluster.NodeIP + ":0")
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		if err := idx.AddPackages(filepath.Join(repoRoot, "samples", "python", "packages"), "1.0.0"); err != nil {
			t.Fatal(err)
		}
		in, err := url.Parse(cluster.Ingress(o))
		if err != nil || in.Port() == "" {
			t.Fatalf("no ingress: %q %v", cluster.Ingress(o), err)
		}
		name := "python-dependency"
		want := "http://" + name + "." + languagesNS + "." + cluster.KnativeDomain + ":" + in.Port()
		d := deployAndServe(t, kiln, deployArgs{dir: filepath.Join(repoRoot, "samples", "python", "dependency"), target: "greet", name: name, ns: languagesNS,
			flags: []string{"--env", "PIP_INDEX_URL=" + idx.URL, "--env", "PIP_TRUSTED_HOST=" + cluster.NodeIP}}, want, "Greetings, friend.")
		t.Logf("python with requirements.txt (kiln-greeting from %s): apply -> Ready %s, first 200 through Traefik %s after apply",
			idx.URL, d.applyToReady.Round(time.Millisecond), d.firstOK.Round(time.Millisecond))
		if _, err := kubectl("", "-n", languagesNS, "delete", "function", name, "--wait=false"); err != nil {
			t.Fatal(err)
		}
		return ctx
	})
	return f.Feature()
}
