package local

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/kiln/e2e/kiln"
)

// sample is one Go sample and how to check it answers.
type sample struct {
	lang                   string // samples/<lang>/<dir>; "" = go
	dir, target, signature string
	env                    []string
	// isolated builds with --isolated-cache: toolchain and Go caches in the
	// app's own CNB cache layers (the path pack and Shipwright take).
	isolated bool
	// pyIndex points pip at the suite's local package index.
	pyIndex bool
	// maven points Maven at the suite's repository (BP_MAVEN_MIRROR_URL).
	maven  bool
	invoke func(t *testing.T, r *kiln.Running)
}

func expectGet(path, want string) func(t *testing.T, r *kiln.Running) {
	return func(t *testing.T, r *kiln.Running) {
		code, body, err := kiln.Get(r.URL + path)
		if err != nil || code != 200 || body != want {
			t.Fatalf("GET %s = %d %q (%v), want 200 %q", path, code, body, err, want)
		}
	}
}

var samples = map[string]sample{
	"hello": {dir: "hello", target: "HelloWorld", signature: "http", isolated: true, invoke: func(t *testing.T, r *kiln.Running) {
		expectGet("/", "Hello, World!\n")(t, r)
		expectGet("/?name=Kiln", "Hello, Kiln!\n")(t, r)
		if code, _, _ := kiln.Get(r.URL + "/favicon.ico"); code != 404 {
			t.Fatalf("/favicon.ico = %d, want 404", code)
		}
	}},
	"cloudevent": {dir: "cloudevent", target: "OnEvent", signature: "cloudevent", invoke: invokeCloudEvent},
	"multi":      {dir: "multi", target: "Goodbye", signature: "http", invoke: expectGet("/", "goodbye from multi\n")},
	"dependency": {dir: "dependency", target: "NameID", signature: "http",
		invoke: expectGet("/?name=kiln", "53f8b315-3f19-5a81-9257-9fda522dfe5c\n")},
	"subdir": {dir: "subdir", target: "Greet", signature: "http", env: []string{"FUNC_SRC=function"},
		invoke: expectGet("/?name=Ada", "Greetings, Ada.\n")},
	"declarative": {dir: "declarative", target: "Version", signature: "http", invoke: expectGet("/", "declarative v1\n")},
	"app":         {dir: "app", invoke: expectGet("/", "plain Go app\n")},

	"node-hello": {lang: "nodejs", dir: "hello", target: "helloWorld", signature: "http", invoke: func(t *testing.T, r *kiln.Running) {
		expectGet("/", "Hello, World!\n")(t, r)
		expectGet("/?name=Kiln", "Hello, Kiln!\n")(t, r)
		if code, _, _ := kiln.Get(r.URL + "/robots.txt"); code != 404 {
			t.Fatalf("/robots.txt = %d, want 404", code)
		}
	}},
	"node-esm":        {lang: "nodejs", dir: "esm", target: "greet", signature: "http", invoke: expectGet("/?name=Kiln", `{"greeting":"Hello, Kiln!","method":"GET"}`)},
	"node-cloudevent": {lang: "nodejs", dir: "cloudevent", target: "onOrder", signature: "cloudevent", invoke: invokeCloudEvent},
	"node-multi":      {lang: "nodejs", dir: "multi", target: "goodbye", signature: "http", invoke: expectGet("/", "goodbye from multi\n")},
	"node-dependency": {lang: "nodejs", dir: "dependency", target: "check", signature: "http", invoke: expectGet("/?value=42", `{"value":"42","isNumber":true}`)},

	"python-hello": {lang: "python", dir: "hello", target: "hello", signature: "http", invoke: func(t *testing.T, r *kiln.Running) {
		expectGet("/", "Hello, World!\n")(t, r)
		expectGet("/?name=Kiln", "Hello, Kiln!\n")(t, r)
		if code, _, _ := kiln.Get(r.URL + "/favicon.ico"); code != 404 {
			t.Fatalf("/favicon.ico = %d, want 404", code)
		}
	}},
	"python-cloudevent": {lang: "python", dir: "cloudevent", target: "on_order", signature: "cloudevent", invoke: invokeCloudEvent},
	"python-multi":      {lang: "python", dir: "multi", target: "goodbye", signature: "http", invoke: expectGet("/", "goodbye from multi\n")},
	"python-dependency": {lang: "python", dir: "dependency", target: "greet", signature: "http", pyIndex: true,
		invoke: expectGet("/?name=Ada", "Greetings, Ada.\n")},

	"java-hello": {lang: "java", dir: "hello", target: "com.example.Hello", signature: "http", invoke: func(t *testing.T, r *kiln.Running) {
		expectGet("/", "Hello, World!\n")(t, r)
		expectGet("/?name=Kiln", "Hello, Kiln!\n")(t, r)
	}},
	"java-cloudevent": {lang: "java", dir: "cloudevent", target: "com.example.OnOrder", signature: "cloudevent", invoke: invokeCloudEvent},
	"java-multi": {lang: "java", dir: "multi", target: "com.example.Greetings.Goodbye", signature: "http",
		invoke: expectGet("/", "goodbye from multi\n")},
	"java-dependency": {lang: "java", dir: "dependency", target: "com.example.Initials", signature: "http", maven: true,
		invoke: expectGet("/?name=ada%20lovelace", "Ada Lovelace (AL)\n")},
}

// language holds what differs per language family.
type language struct {
	buildpacks, runImage string
	maxSize              int64
}

var languages = map[string]language{
	"go":     {"buildpacks: kiln/go-dist@0.1.0, kiln/go-function@0.1.0, kiln/go-build@0.1.0", "run-static", 10_000_000},
	"nodejs": {"buildpacks: kiln/node-engine@0.1.0, kiln/node-function@0.1.0", "run-node", 60_000_000},
	"python": {"buildpacks: kiln/python-function@0.1.0", "run-python", 45_000_000},
	"java":   {"buildpacks: kiln/java-function@0.1.0", "run-java", 90_000_000},
}

func (s sample) language() language {
	if s.lang == "" {
		return languages["go"]
	}
	return languages[s.lang]
}

func (s sample) sourceDir() string {
	lang := s.lang
	if lang == "" {
		lang = "go"
	}
	return filepath.Join(repo, "samples", lang, s.dir)
}

func invokeCloudEvent(t *testing.T, r *kiln.Running) {
	ev := cloudevents.Event{SpecVersion: "1.0", ID: "evt-1", Source: "/orders", Type: "order.created",
		DataContentType: "application/json", Data: []byte(`{"id":"o-42","items":3}`)}
	for mode, mk := range map[string]func(string, cloudevents.Event) (*http.Request, error){
		"binary": cloudevents.NewBinaryRequest, "structured": cloudevents.NewStructuredRequest} {
		ev.ID = "evt-" + mode
		req, _ := mk(r.URL, ev)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s event: %v %v", mode, resp, err)
		}
		resp.Body.Close()
		if err := poll(5*time.Second, func() bool {
			return strings.Contains(r.Output(), "received order.created event evt-"+mode+" from /orders: order o-42 with 3 items")
		}); err != nil {
			t.Fatalf("%s event not logged by the function:\n%s", mode, r.Output())
		}
	}
	ev.Data = []byte(`{"items":1}`)
	req, _ := cloudevents.NewBinaryRequest(r.URL, ev)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 500 {
		t.Fatalf("an event the function rejects should be a 500: %v %v", resp, err)
	}
	resp.Body.Close()
}

func poll(timeout time.Duration, ok func() bool) error {
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			return context.DeadlineExceeded
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

func buildArgs(name string, s sample, extra ...string) []string {
	args := []string{"build", s.sourceDir(), "--image", "e2e-" + name}
	if s.target != "" {
		args = append(args, "--target", s.target)
	}
	if s.signature == "cloudevent" {
		args = append(args, "--signature", s.signature)
	}
	for _, e := range s.env {
		args = append(args, "--env", e)
	}
	if s.isolated {
		args = append(args, "--isolated-cache")
	}
	if s.pyIndex {
		args = append(args, "--env", "PIP_INDEX_URL="+pyIndex.URL, "--env", "PIP_TRUSTED_HOST=127.0.0.1")
	}
	if s.maven {
		args = append(args, "--env", "BP_MAVEN_MIRROR_URL="+mavenRepo.URL)
	}
	return append(args, extra...)
}

type digestKey struct{}

var cacheHits = regexp.MustCompile(`cache hits: (\d+)`)

func TestSamples(t *testing.T) {
	var feats []features.Feature
	for _, name := range []string{"hello", "cloudevent", "multi", "dependency", "subdir", "declarative", "app",
		"node-hello", "node-esm", "node-cloudevent", "node-multi", "node-dependency",
		"python-hello", "python-cloudevent", "python-multi", "python-dependency",
		"java-hello", "java-cloudevent", "java-multi", "java-dependency"} {
		name, s := name, samples[name]
		feats = append(feats, features.New("sample "+name).
			Assess("cold build", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				res := k.Run(buildArgs(name, s, "--clear-cache")...)
				if res.Err() != nil {
					t.Fatal(res.Err())
				}
				wantBPs := s.language().buildpacks
				switch {
				case s.target == "":
					wantBPs = "buildpacks: kiln/go-dist@0.1.0, kiln/go-build@0.1.0"
				case name == "node-dependency":
					wantBPs = "buildpacks: kiln/node-engine@0.1.0, kiln/npm-install@0.1.0, kiln/node-function@0.1.0"
				}
				wants := []string{wantBPs, "==> BUILDING", "phases:", "size:"}
				if s.isolated {
					// A cold isolated build really downloads and verifies the toolchain.
					wants = append(wants, "Downloading golang.org/toolchain@v0.0.1-go1.27.4.linux-amd64", "against the checksum database")
				}
				for _, want := range wants {
					if !strings.Contains(res.Output, want) {
						t.Fatalf("build output lacks %q", want)
					}
				}
				t.Logf("cold build %s", res.Took)
				return context.WithValue(ctx, digestKey{}, res.Digest())
			}).
			Assess("labels and run image", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				checkImage(t, name, s, ctx.Value(digestKey{}).(string))
				return ctx
			}).
			Assess("unchanged rebuild reuses the cache and keeps the digest", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				res := k.Run(buildArgs(name, s)...)
				if res.Err() != nil {
					t.Fatal(res.Err())
				}
				if got, want := res.Digest(), ctx.Value(digestKey{}).(string); got != want {
					t.Fatalf("unchanged rebuild digest %s, first build %s", got, want)
				}
				hits := cacheHits.FindStringSubmatch(res.Output)
				if hits == nil || hits[1] == "0" || !strings.Contains(res.Output, "Reusing layer 'kiln/") {
					t.Fatalf("warm build did not reuse its cached layers (cache hits %v)", hits)
				}
				t.Logf("unchanged rebuild %s", res.Took)
				return ctx
			}).
			Assess("run and invoke", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				r, err := k.Start("e2e-" + name)
				if err != nil {
					t.Fatal(err)
				}
				s.invoke(t, r)
				code, err := r.Stop(15 * time.Second)
				if err != nil || code != 0 || !strings.Contains(r.Output(), "==> Stopped") {
					t.Fatalf("stop: code %d err %v\n%s", code, err, r.Output())
				}
				return ctx
			}).Feature())
	}
	testenv.Test(t, feats...)
}

func checkImage(t *testing.T, sampleName string, s sample, digest string) {
	t.Helper()
	cf, m, err := k.Image("e2e-"+sampleName, digest)
	if err != nil {
		t.Fatal(err)
	}
	labels := cf.Config.Labels
	if s.target != "" {
		for k, want := range map[string]string{"dev.kiln.function.target": s.target, "dev.kiln.function.signature": s.signature, "dev.kiln.framework.version": "0.1.0"} {
			if labels[k] != want {
				t.Errorf("label %s = %q, want %q", k, labels[k], want)
			}
		}
	}
	if labels["io.buildpacks.stack.id"] != "io.kiln.stacks.bookworm" {
		t.Errorf("stack id label = %q", labels["io.buildpacks.stack.id"])
	}
	var meta struct {
		RunImage struct{ Reference string } `json:"runImage"`
	}
	json.Unmarshal([]byte(labels["io.buildpacks.lifecycle.metadata"]), &meta)
	runRef, _ := name.ParseReference(k.Registry + "/kiln/stack/" + s.language().runImage + ":bookworm")
	runImg, err := remote.Image(runRef)
	if err != nil {
		t.Fatal(err)
	}
	runDigest, _ := runImg.Digest()
	if !strings.HasSuffix(meta.RunImage.Reference, runDigest.String()) {
		t.Errorf("run image %q, want %s %s", meta.RunImage.Reference, s.language().runImage, runDigest)
	}
	rm, _ := runImg.Manifest()
	if m.Layers[0].Digest != rm.Layers[0].Digest {
		t.Errorf("the image's base layer is not %s's", s.language().runImage)
	}
	size := m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	if max := s.language().maxSize; size > max {
		t.Errorf("image is %d bytes, want <= %d", size, max)
	}
	t.Logf("image size %.1f MB", float64(size)/1e6)
	if cf.Config.Entrypoint[0] != "/cnb/process/web" {
		t.Errorf("entrypoint %q", cf.Config.Entrypoint)
	}
}
