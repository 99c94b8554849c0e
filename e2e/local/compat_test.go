package local

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/e2e/conformance"
	"kiln.dev/kiln/e2e/kiln"
)

// compatCase is one fixture of samples/compat: a function written in Google's
// or OpenFunction's documented style, built unchanged with `kiln build`.
type compatCase struct {
	lang, dir, target string
	env               []string // build env
	// What the build must show: the buildpacks that ran, the signature the
	// registration gave (no --signature is passed), the framework label, log lines.
	buildpacks, signature, framework string
	logs                             []string
	// runArgs are extra `kiln run` args (a fake daprd's address); stop ends what they started.
	runArgs     func(t *testing.T) (args []string, stop func())
	invoke      func(t *testing.T, r *kiln.Running)
	conformance []conformanceRun
}

// conformanceRun runs the same image with another registered function as
// FUNCTION_TARGET and drives it with the conformance harness.
type conformanceRun struct{ target, kind string }

const (
	nodeCompatBPs   = "buildpacks: kiln/node-engine@0.1.0, kiln/node-function@0.1.0"
	pythonCompatBPs = "buildpacks: kiln/python-function@0.1.0"
	googleLayer     = "Serving it on Kiln's framework with the compatibility layer for @google-cloud/functions-framework"
	gcfNotInstalled = "Not installing functions-framework==3.* (requirements.txt line 1)"
)

var compatCases = map[string]compatCase{
	"node-google-http": {lang: "nodejs", dir: "google-http", target: "helloHttp", buildpacks: nodeCompatBPs, signature: "http", framework: "0.1.0",
		logs: []string{googleLayer}, invoke: invokeGoogleHTTP, conformance: []conformanceRun{{"conformanceHttp", "http"}}},
	"node-google-native": {lang: "nodejs", dir: "google-http", target: "helloHttp", env: []string{"BP_FUNCTION_FRAMEWORK=native"},
		buildpacks: "buildpacks: kiln/node-engine@0.1.0, kiln/npm-install@0.1.0, kiln/node-function@0.1.0", signature: "http", framework: "@google-cloud/functions-framework@3.",
		logs: []string{"BP_FUNCTION_FRAMEWORK=native: the web process is @google-cloud/functions-framework"}, invoke: func(t *testing.T, r *kiln.Running) {
			expectBody(t, r, "GET", "/?name=Kiln", "", nil, 200, "Hello Kiln!")
			expectBody(t, r, "POST", "/", `{"name":"Json"}`, js, 200, "Hello Json!")
		}},
	"node-google-cloudevent": {lang: "nodejs", dir: "google-cloudevent", target: "helloCloudEvent", buildpacks: nodeCompatBPs, signature: "cloudevent", framework: "0.1.0",
		logs: []string{googleLayer}, invoke: invokeCloudEvent, conformance: []conformanceRun{{"conformanceCloudEvent", "cloudevent"}}},
	"node-openfunction-http": {lang: "nodejs", dir: "openfunction-http", target: "tryKnativeAsync", buildpacks: nodeCompatBPs, signature: "openfunction", framework: "0.1.0",
		logs: []string{"Serving it on Kiln's framework with the compatibility layer for @openfunction/functions-framework"}},
	"node-multi": {lang: "nodejs", dir: "multi", target: "goodbye", buildpacks: nodeCompatBPs, signature: "http", framework: "0.1.0", logs: []string{googleLayer},
		invoke: func(t *testing.T, r *kiln.Running) { expectBody(t, r, "GET", "/", "", nil, 200, "goodbye from multi") }},
	"python-gcf-http": {lang: "python", dir: "gcf-http", target: "hello_http", buildpacks: pythonCompatBPs, signature: "http", framework: "0.1.0",
		logs:   []string{gcfNotInstalled, "Nothing else in requirements.txt: no pip install", "compatibility layer for Google's functions_framework"},
		invoke: invokeGCFHTTP, conformance: []conformanceRun{{"conformance_http", "http"}}},
	"python-gcf-cloudevent": {lang: "python", dir: "gcf-cloudevent", target: "hello_cloud_event", buildpacks: pythonCompatBPs, signature: "cloudevent", framework: "0.1.0",
		logs: []string{gcfNotInstalled}, invoke: invokeCloudEvent, conformance: []conformanceRun{{"conformance_cloud_event", "cloudevent"}}},
	"python-flask-return": {lang: "python", dir: "flask-return", target: "respond", buildpacks: pythonCompatBPs, signature: "http", framework: "0.1.0",
		logs: []string{gcfNotInstalled}, invoke: invokeFlaskReturn},
}

// TestCompat builds every fixture of samples/compat with the Node.js and
// Python builders, runs it and invokes it, and runs the conformance harness
// against the fixtures' conformance functions.
func TestCompat(t *testing.T) {
	c := compatCases["node-openfunction-http"]
	c.runArgs, c.invoke = openFunctionDapr()
	compatCases["node-openfunction-http"] = c
	var feats []features.Feature
	for _, name := range []string{"node-google-http", "node-google-native", "node-google-cloudevent", "node-openfunction-http", "node-multi",
		"python-gcf-http", "python-gcf-cloudevent", "python-flask-return"} {
		name, c := name, compatCases[name]
		image := "e2e-compat-" + name
		f := features.New("compat fixture "+name).
			Assess("kiln build", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				args := []string{"build", filepath.Join(repo, "samples", "compat", c.lang, c.dir), "--image", image, "--target", c.target}
				for _, e := range c.env {
					args = append(args, "--env", e)
				}
				res := k.Run(args...)
				if res.Err() != nil {
					t.Fatal(res.Err())
				}
				for _, want := range append([]string{c.buildpacks}, c.logs...) {
					if !strings.Contains(res.Output, want) {
						t.Fatalf("build output lacks %q", want)
					}
				}
				cf, _, err := k.Image(image, res.Digest())
				if err != nil {
					t.Fatal(err)
				}
				labels := cf.Config.Labels
				if labels["dev.kiln.function.target"] != c.target || labels["dev.kiln.function.signature"] != c.signature || !strings.HasPrefix(labels["dev.kiln.framework.version"], c.framework) {
					t.Fatalf("labels target %q signature %q framework %q, want %q %q %q…", labels["dev.kiln.function.target"],
						labels["dev.kiln.function.signature"], labels["dev.kiln.framework.version"], c.target, c.signature, c.framework)
				}
				t.Logf("build %s, framework %s", res.Took, labels["dev.kiln.framework.version"])
				return ctx
			}).
			Assess("run and invoke", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				var extra []string
				if c.runArgs != nil {
					var stop func()
					extra, stop = c.runArgs(t)
					defer stop()
				}
				r, err := k.Start(image, extra...)
				if err != nil {
					t.Fatal(err)
				}
				c.invoke(t, r)
				if code, err := r.Stop(15 * time.Second); err != nil || code != 0 {
					t.Fatalf("stop: code %d err %v\n%s", code, err, r.Output())
				}
				return ctx
			})
		for _, cr := range c.conformance {
			cr := cr
			f = f.Assess("conformance: "+cr.target, func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				runConformance(t, image, cr)
				return ctx
			})
		}
		feats = append(feats, f.Feature())
	}
	feats = append(feats, features.New("compat: an unknown target lists what the module registers").
		Assess("kiln build --target nope", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			res := k.Run("build", filepath.Join(repo, "samples", "compat", "nodejs", "multi"), "--image", "e2e-compat-node-multi-nope", "--target", "nope")
			want := `FUNC_NAME=nope: index.js does not export or register a function "nope"; functions it registers: goodbye, hello, onEvent`
			if res.Code == 0 || !strings.Contains(res.Output, want) {
				t.Fatalf("exit %d, want a failure saying %q:\n%s", res.Code, want, res.Output)
			}
			return ctx
		}).Feature())
	testenv.Test(t, feats...)
}

// runConformance runs image with cr.target and drives it with the harness.
func runConformance(t *testing.T, image string, cr conformanceRun) {
	// Not t.TempDir: test names put commas in it, which overlayfs rejects.
	state, err := os.MkdirTemp("", "kiln-e2e-state-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(state)
	r, err := k.Start(image, "--state-dir", state, "--env", "FUNCTION_TARGET="+cr.target)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		r.Stop(15 * time.Second)
		if t.Failed() {
			t.Logf("kiln run output:\n%s", r.Output())
		}
	}()
	tgt := conformance.Target{URL: r.URL, OutputFile: filepath.Join(state, "upper", "workspace", "function_output.json")}
	switch cr.kind {
	case "http":
		if err := conformance.HTTP(tgt); err != nil {
			t.Fatal(err)
		}
		d, err := conformance.Concurrency(tgt)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("10 concurrent calls in %s", d)
	case "cloudevent":
		if err := conformance.CloudEvents(tgt); err != nil {
			t.Fatal(err)
		}
	}
}

// call sends one request and returns status, headers and body.
func call(t *testing.T, r *kiln.Running, method, path, body string, headers map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, r.Output())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func expectBody(t *testing.T, r *kiln.Running, method, path, body string, headers map[string]string, status int, want string) http.Header {
	t.Helper()
	code, h, got := call(t, r, method, path, body, headers)
	if code != status || got != want {
		t.Fatalf("%s %s = %d %q, want %d %q\n%s", method, path, code, got, status, want, r.Output())
	}
	return h
}

func expectJSON(t *testing.T, r *kiln.Running, method, path, body string, headers map[string]string, status int, want any) {
	t.Helper()
	code, _, got := call(t, r, method, path, body, headers)
	var v, w any
	if err := json.Unmarshal([]byte(got), &v); err != nil || code != status {
		t.Fatalf("%s %s = %d %q, want %d and JSON", method, path, code, got, status)
	}
	b, _ := json.Marshal(want)
	json.Unmarshal(b, &w)
	if !reflect.DeepEqual(v, w) {
		t.Fatalf("%s %s = %s, want %s", method, path, got, b)
	}
}

var (
	form = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	text = map[string]string{"Content-Type": "text/plain"}
	js   = map[string]string{"Content-Type": "application/json"}
)

// invokeGoogleHTTP: Google's helloHttp sample, and what req carries (the
// inspect function, as FUNCTION_TARGET of another run of the same image).
func invokeGoogleHTTP(t *testing.T, r *kiln.Running) {
	expectBody(t, r, "GET", "/?name=Kiln", "", nil, 200, "Hello Kiln!")
	expectBody(t, r, "GET", "/", "", nil, 200, "Hello World!")
	expectBody(t, r, "POST", "/", `{"name":"Json"}`, js, 200, "Hello Json!")
	expectBody(t, r, "POST", "/", "name=Form", form, 200, "Hello Form!")
	if code, _, _ := call(t, r, "GET", "/favicon.ico", "", nil); code != 404 {
		t.Fatalf("/favicon.ico = %d, want 404", code)
	}
	inspect, err := k.Start("e2e-compat-node-google-http", "--env", "FUNCTION_TARGET=inspect")
	if err != nil {
		t.Fatal(err)
	}
	defer inspect.Stop(15 * time.Second)
	expectJSON(t, inspect, "POST", "/x?q=1&q=2", "a=1&a=2&b[c]=3", form, 200, map[string]any{"method": "POST", "path": "/x", "query": map[string]any{"q": []string{"1", "2"}},
		"contentType": "application/x-www-form-urlencoded", "body": map[string]any{"a": []string{"1", "2"}, "b": map[string]any{"c": "3"}}, "rawBody": "a=1&a=2&b[c]=3"})
	expectJSON(t, inspect, "POST", "/", "héllo", text, 200, map[string]any{"method": "POST", "path": "/", "query": map[string]any{},
		"contentType": "text/plain", "body": "héllo", "rawBody": "héllo"})
	expectJSON(t, inspect, "PUT", "/", "\x00\x01", map[string]string{"Content-Type": "application/octet-stream"}, 200, map[string]any{"method": "PUT", "path": "/", "query": map[string]any{},
		"contentType": "application/octet-stream", "body": map[string]any{"buffer": "AAE="}, "rawBody": "\x00\x01"})
}

// invokeGCFHTTP: Google's hello_http sample reads JSON, args, a form or the raw body.
func invokeGCFHTTP(t *testing.T, r *kiln.Running) {
	expectBody(t, r, "GET", "/?name=%3Cb%3EKiln", "", nil, 200, "Hello &lt;b&gt;Kiln!")
	expectBody(t, r, "POST", "/", `{"name":"Json"}`, js, 200, "Hello Json!")
	expectBody(t, r, "POST", "/", "name=Form", form, 200, "Hello Form!")
	expectBody(t, r, "POST", "/", "Raw body", text, 200, "Hello Raw body!")
	expectBody(t, r, "GET", "/", "", nil, 200, "Hello World!")
	inspect, err := k.Start("e2e-compat-python-gcf-http", "--env", "FUNCTION_TARGET=inspect")
	if err != nil {
		t.Fatal(err)
	}
	defer inspect.Stop(15 * time.Second)
	multipart := "--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi\r\n--B\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n--B--\r\n"
	expectJSON(t, inspect, "POST", "/p?a=1&a=2", multipart, map[string]string{"Content-Type": "multipart/form-data; boundary=B", "X-Kiln": "yes"}, 200, map[string]any{
		"method": "POST", "path": "/p", "args": map[string]any{"a": []string{"1", "2"}}, "form": map[string]any{"title": "hi"}, "files": map[string]any{"doc": "file body"},
		"json": nil, "text": multipart, "data": "", "header": "yes"})
	expectJSON(t, inspect, "POST", "/", `{"n":1}`, js, 200, map[string]any{"method": "POST", "path": "/", "args": map[string]any{}, "form": map[string]any{}, "files": map[string]any{},
		"json": map[string]any{"n": 1}, "text": `{"n":1}`, "data": `{"n":1}`, "header": nil})
}

// invokeFlaskReturn: every way the function answers, by Flask's rules.
func invokeFlaskReturn(t *testing.T, r *kiln.Running) {
	h := expectBody(t, r, "GET", "/", "", nil, 200, "Hello World!")
	if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("tuple headers: %v", h)
	}
	h = expectBody(t, r, "OPTIONS", "/", "", nil, 204, "")
	if h.Get("Access-Control-Allow-Methods") != "GET" || h.Get("Access-Control-Max-Age") != "3600" {
		t.Fatalf("preflight headers: %v", h)
	}
	expectBody(t, r, "POST", "/created", `{"name":"x"}`, js, 201, `{"created":"x"}`+"\n")
	expectBody(t, r, "POST", "/created", `{"other":"x"}`, js, 422, `{"error":"missing field 'name'"}`+"\n")
	h = expectBody(t, r, "GET", "/response", "", nil, 202, "plain text")
	if h.Get("X-Kiln") != "compat" || h.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.Contains(h.Get("Set-Cookie"), "session=abc123") {
		t.Fatalf("Response headers: %v", h)
	}
	if h = expectBody(t, r, "GET", "/make", "", nil, 203, "made"); h.Get("X-Made") != "yes" {
		t.Fatalf("make_response headers: %v", h)
	}
	expectBody(t, r, "GET", "/json", "", nil, 200, `{"items":[1,2],"ok":true}`+"\n")
	if code, _, _ := call(t, r, "GET", "/teapot", "", nil); code != 418 {
		t.Fatalf("abort(418) = %d", code)
	}
}

// fakeDapr stands in for daprd's HTTP API (output bindings, publish, state)
// and records what the function sent.
type fakeDapr struct {
	mu    sync.Mutex
	calls []string
	state map[string]json.RawMessage
}

func (d *fakeDapr) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, req.Method+" "+req.URL.Path+" "+string(b))
	switch {
	case strings.HasPrefix(req.URL.Path, "/v1.0/bindings/"):
		w.Write([]byte(`{"ok":true}`))
	case req.Method == http.MethodPost && strings.HasPrefix(req.URL.Path, "/v1.0/state/"):
		var items []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		}
		json.Unmarshal(b, &items)
		for _, it := range items {
			d.state[it.Key] = it.Value
		}
		w.WriteHeader(http.StatusNoContent)
	case req.Method == http.MethodGet && strings.HasPrefix(req.URL.Path, "/v1.0/state/"):
		w.Write(d.state[filepath.Base(req.URL.Path)])
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// openFunctionDapr runs the OpenFunction fixture beside a fake daprd: an
// output binding and a state store in FUNC_CONTEXT, as the controller writes it.
func openFunctionDapr() (func(t *testing.T) ([]string, func()), func(t *testing.T, r *kiln.Running)) {
	d := &fakeDapr{state: map[string]json.RawMessage{}}
	var srv *httptest.Server
	runArgs := func(t *testing.T) ([]string, func()) {
		srv = httptest.NewServer(d)
		u, _ := url.Parse(srv.URL)
		funcContext := `{"name":"openfunction-http","version":"v1","runtime":"Knative","port":"8080",` +
			`"outputs":{"out":{"componentName":"http-out","componentType":"bindings.http","operation":"create"}},` +
			`"states":{"store":{"componentName":"statestore","componentType":"state.redis"}}}`
		return []string{"--env", "FUNC_CONTEXT=" + funcContext, "--env", "DAPR_HTTP_PORT=" + u.Port(), "--env", "DAPR_WAIT_TIMEOUT=5"}, srv.Close
	}
	invoke := func(t *testing.T, r *kiln.Running) {
		expectJSON(t, r, "POST", "/?x=1", `{"hello":"world"}`, js, 200, map[string]any{
			"received": map[string]any{"hello": "world"}, "last": map[string]any{"hello": "world"}, "outputs": []string{"out"}, "query": map[string]any{"x": "1"}})
		d.mu.Lock()
		calls := strings.Join(d.calls, "\n")
		d.mu.Unlock()
		for _, want := range []string{`POST /v1.0/bindings/http-out {"data":{"hello":"world"},"metadata":{},"operation":"create"}`,
			`POST /v1.0/state/statestore [{"key":"last","value":{"hello":"world"}}]`, "GET /v1.0/state/statestore/last"} {
			if !strings.Contains(calls, want) {
				t.Fatalf("daprd did not get %q; it got:\n%s\nfunction output:\n%s", want, calls, r.Output())
			}
		}
		plain, err := k.Start("e2e-compat-node-openfunction-http", "--env", "FUNCTION_TARGET=tryKnative")
		if err != nil {
			t.Fatal(err)
		}
		defer plain.Stop(15 * time.Second)
		expectBody(t, plain, "GET", "/?u=OpenFunction", "", nil, 200, "Hello, OpenFunction!")
	}
	return runArgs, invoke
}
