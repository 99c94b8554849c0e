package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/kiln/e2e/conformance"
	"kiln.dev/kiln/e2e/kiln"
)

// compatGo is one function of samples/compat/go, written against
// OpenFunction's or Google's Go framework, built with `kiln build`.
type compatGo struct {
	dir, target, image string
	env                []string // --env for kiln build
}

// build builds the fixture and checks the framework label it gets.
func (c compatGo) build(t *testing.T, wantFramework string) {
	t.Helper()
	args := []string{"build", filepath.Join(repo, "samples", "compat", "go", c.dir), "--image", c.image, "--target", c.target}
	for _, e := range c.env {
		args = append(args, "--env", e)
	}
	res := k.Run(args...)
	if res.Err() != nil {
		t.Fatal(res.Err())
	}
	t.Logf("built %s in %s", c.image, res.Took)
	cf, _, err := k.Image(c.image, res.Digest())
	if err != nil {
		t.Fatal(err)
	}
	if got := cf.Config.Labels["dev.kiln.function.framework"]; got != wantFramework {
		t.Fatalf("label dev.kiln.function.framework = %q, want %q", got, wantFramework)
	}
}

// start runs the image, its writable layer in a state dir the test reads
// function_output.json from.
func (c compatGo) start(t *testing.T, extra ...string) (*kiln.Running, string) {
	t.Helper()
	// Not t.TempDir: test names put commas in it, which overlayfs rejects.
	state, err := os.MkdirTemp("", "kiln-e2e-compat-")
	if err != nil {
		t.Fatal(err)
	}
	r, err := k.Start(c.image, append([]string{"--state-dir", state}, extra...)...)
	if err != nil {
		os.RemoveAll(state)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if code, err := r.Stop(15 * time.Second); err != nil || code != 0 {
			t.Errorf("kiln run stopped with %d %v", code, err)
		}
		if t.Failed() {
			t.Logf("kiln run output:\n%s", r.Output())
		}
		os.RemoveAll(state)
	})
	return r, filepath.Join(state, "upper", "workspace", "function_output.json")
}

const (
	goOFCompat  = "github.com/OpenFunction/functions-framework-go (Kiln compatibility layer)"
	goGCFCompat = "github.com/GoogleCloudPlatform/functions-framework-go (Kiln compatibility layer)"
)

// goCall makes one request and returns status and body.
func goCall(t *testing.T, method, url, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return goDo(t, req)
}

func goDo(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type goExchange struct {
	method, path, contentType, body string
	code                            int
	want                            string // "" checks the code only
}

func goExpect(t *testing.T, base string, xs ...goExchange) {
	t.Helper()
	for _, x := range xs {
		code, body := goCall(t, x.method, base+x.path, x.contentType, x.body)
		if code != x.code || (x.want != "" && body != x.want) {
			t.Errorf("%s %s = %d %q, want %d %q", x.method, x.path, code, body, x.code, x.want)
		}
	}
}

// goReadOutput polls function_output.json until it holds JSON with key=value.
func goReadOutput(t *testing.T, file, key, value string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := poll(10*time.Second, func() bool {
		b, err := os.ReadFile(file)
		m = nil
		return err == nil && json.Unmarshal(b, &m) == nil && fmt.Sprint(m[key]) == value
	}); err != nil {
		b, _ := os.ReadFile(file)
		t.Fatalf("function_output.json has no %s=%s: %s", key, value, b)
	}
	return m
}

// goCloudEventsAsSent is the conformance harness's CloudEvents check for
// functions that get sdk-go's event.Event: the fixture event, sent in binary
// and structured mode, must arrive intact. sdk-go writes the time in RFC 3339
// with as many fraction digits as it has (…:00Z for the fixture's
// …:00.000Z), so the time is compared as an instant; everything else exactly.
func goCloudEventsAsSent(t *testing.T, url, outputFile string) {
	t.Helper()
	for mode, mk := range map[string]func(string, cloudevents.Event) (*http.Request, error){
		"binary": cloudevents.NewBinaryRequest, "structured": cloudevents.NewStructuredRequest,
	} {
		ev := conformance.Fixture
		ev.ID = conformance.Fixture.ID + "-compat-" + mode
		wantJSON, _ := json.Marshal(ev)
		var want map[string]any
		json.Unmarshal(wantJSON, &want)
		req, err := mk(url, ev)
		if err != nil {
			t.Fatal(err)
		}
		if code, body := goDo(t, req); code != 200 {
			t.Fatalf("%s mode: %d %s", mode, code, body)
		}
		got := goReadOutput(t, outputFile, "id", ev.ID)
		for _, m := range []map[string]any{got, want} {
			ts, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["time"]))
			if err != nil {
				t.Fatalf("%s mode: time %v: %v", mode, m["time"], err)
			}
			m["time"] = ts.UTC().Format(time.RFC3339Nano)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s mode: function received\n  %v\nwant\n  %v", mode, got, want)
		}
	}
}

func TestCompatGo(t *testing.T) {
	ofHello := features.New("OpenFunction hello-world-go (functions.HTTP at /{greeting}, ofctx.VarsFromCtx) on Kiln's compatibility layer").
		Assess("builds from a go 1.17 module, serves the path variable", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c := compatGo{dir: "of-hello", target: "HelloWorld", image: "e2e-compat-of-hello"}
			c.build(t, goOFCompat)
			r, _ := c.start(t)
			goExpect(t, r.URL,
				goExchange{"GET", "/World", "", "", 200, "Hello, World!\n"},
				goExchange{"GET", "/OpenFunction", "", "", 200, "Hello, OpenFunction!\n"},
				goExchange{"GET", "/", "", "", 404, ""},
				goExchange{"GET", "/a/b", "", "", 404, ""})
			return ctx
		}).Feature()

	ofMulti := features.New("OpenFunction multiple functions at their paths, FUNC_NAME naming none of them").
		Assess("HTTP, CloudEvent and OpenFunction functions each at its path", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c := compatGo{dir: "of-multi", target: "MultipleFunctions", image: "e2e-compat-of-multi"}
			c.build(t, goOFCompat)
			r, out := c.start(t)
			if !strings.Contains(r.Output(), `FUNCTION_TARGET="MultipleFunctions" names no registered function; serving every function registered with a path (6)`) {
				t.Errorf("the start-up log does not say it serves every function:\n%s", r.Output())
			}
			goExpect(t, r.URL,
				goExchange{"GET", "/foo", "", "", 200, `{"hello":"foo!"}` + "\n"},
				goExchange{"GET", "/bar", "", "", 200, "hello, bar!"},
				goExchange{"POST", "/hello/openfunction", "text/plain", "", 200, `{"hello":"openfunction"}` + "\n"},
				goExchange{"GET", "/hello/kiln", "", "", 200, `{"hello":"kiln"}` + "\n"},
				goExchange{"PUT", "/hello/kiln", "", "", 405, ""},
				goExchange{"GET", "/articles/go/42", "", "", 200, "go #42"},
				goExchange{"GET", "/articles/go/x42", "", "", 404, ""},
				goExchange{"GET", "/echo/openfunction", "text/plain", "hello", 200, `{"hello":"openfunction"}`},
				goExchange{"GET", "/nowhere", "", "", 404, ""})
			// An OpenFunction function called with a CloudEvent gets its data.
			for mode, mk := range map[string]func(string, cloudevents.Event) (*http.Request, error){
				"binary": cloudevents.NewBinaryRequest, "structured": cloudevents.NewStructuredRequest} {
				req, _ := mk(r.URL+"/echo/openfunction", cloudevents.Event{SpecVersion: "1.0", ID: "e-" + mode, Source: "io.openfunction.samples/helloworldsource",
					Type: "io.openfunction.samples.helloworld", DataContentType: "application/json", Data: []byte(`{"data":"hello"}`)})
				if code, body := goDo(t, req); code != 200 || body != `{"{\"data\":\"hello\"}":"openfunction"}` {
					t.Errorf("%s CloudEvent to /echo/openfunction = %d %q", mode, code, body)
				}
				// A CloudEvent function gets sdk-go's event and the path variable.
				req, _ = mk(r.URL+"/event/kiln", cloudevents.Event{SpecVersion: "1.0", ID: "ce-" + mode, Source: "s", Type: "io.openfunction.samples.helloworld",
					DataContentType: "application/json", Data: []byte(`{"data":"hello"}`)})
				if code, body := goDo(t, req); code != 200 {
					t.Fatalf("%s CloudEvent to /event/kiln = %d %q", mode, code, body)
				}
				m := goReadOutput(t, out, "id", "ce-"+mode)
				if m["name"] != "kiln" || m["type"] != "io.openfunction.samples.helloworld" || fmt.Sprint(m["data"]) != "map[data:hello]" {
					t.Errorf("%s: the CloudEvent function recorded %v", mode, m)
				}
			}
			return ctx
		}).Feature()

	ofAsync := features.New("OpenFunction async function (ofctx.Context, GetBindingEvent, Send) beside a real daprd").
		Assess("a cron binding triggers it, an http binding carries its output", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c := compatGo{dir: "of-async", target: "Upper", image: "e2e-compat-of-async"}
			c.build(t, goOFCompat)
			got := make(chan string, 16)
			sink := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				select {
				case got <- r.URL.Path + " " + string(b):
				default:
				}
			})}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go sink.Serve(ln)
			defer sink.Close()
			// Not t.TempDir: its name holds commas, and daprd splits
			// --resources-path on them.
			comps, err := os.MkdirTemp("", "kiln-e2e-compat-dapr-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(comps)
			yaml := fmt.Sprintf(`apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: tick
spec:
  type: bindings.cron
  version: v1
  metadata:
  - name: schedule
    value: "@every 1s"
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: sink
spec:
  type: bindings.http
  version: v1
  metadata:
  - name: url
    value: http://%s/sink
`, ln.Addr())
			if err := os.WriteFile(filepath.Join(comps, "components.yaml"), []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			fc := `{"name":"upper","version":"v1","runtime":"Async","inputs":{"tick":{"componentName":"tick","componentType":"bindings.cron"}},` +
				`"outputs":{"out":{"componentName":"sink","componentType":"bindings.http","operation":"post"}}}`
			r, err := k.StartAsync(c.image, "--dapr", comps, "--func-context", fc)
			if err != nil {
				t.Fatal(err)
			}
			defer stop(t, r)
			select {
			case s := <-got:
				if !strings.HasPrefix(s, "/sink ") || !strings.Contains(s, `"from":"binding (`) || !strings.Contains(s, `"input":"tick"`) {
					t.Fatalf("the http binding got %q", s)
				}
				t.Logf("output binding received %s", s)
			case <-r.Done():
				t.Fatalf("kiln run exited before any output:\n%s", r.Output())
			case <-time.After(60 * time.Second):
				t.Fatalf("no output within 60s:\n%s", r.Output())
			}
			return ctx
		}).Feature()

	gcfHTTP := features.New("Google functions.HTTP on Kiln's compatibility layer").
		Assess("the documented sample answers", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c := compatGo{dir: "gcf-http", target: "HelloHTTP", image: "e2e-compat-gcf-http"}
			c.build(t, goGCFCompat)
			r, _ := c.start(t)
			goExpect(t, r.URL,
				goExchange{"POST", "/", "application/json", `{"name":"Kiln"}`, 200, "Hello, Kiln!"},
				goExchange{"GET", "/any/path", "", "", 200, "Hello, World!"})
			return ctx
		}).
		Assess("conformance: body echo and concurrency", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c := compatGo{dir: "gcf-http", target: "Conformance", image: "e2e-compat-gcf-conformance"}
			c.build(t, goGCFCompat)
			r, out := c.start(t)
			tgt := conformance.Target{URL: r.URL, OutputFile: out}
			if err := conformance.HTTP(tgt); err != nil {
				t.Fatal(err)
			}
			d, err := conformance.Concurrency(tgt)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("10 concurrent calls in %s", d)
			return ctx
		}).Feature()

	gcfCloudEvent := features.New("Google functions.CloudEvent with sdk-go's event.Event on Kiln's compatibility layer").
		Assess("conformance: the event arrives intact in binary and structured mode", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c := compatGo{dir: "gcf-cloudevent", target: "HelloCloudEvent", image: "e2e-compat-gcf-cloudevent"}
			c.build(t, goGCFCompat)
			r, out := c.start(t)
			goCloudEventsAsSent(t, r.URL, out)
			if !strings.Contains(r.Output(), "Event ID: "+conformance.Fixture.ID+"-compat-binary, type: google.cloud.storage.object.v1.finalized, bucket: some-bucket, file: folder/Test.cs") {
				t.Errorf("the function did not log e.ID() and the data it decoded:\n%s", r.Output())
			}
			ev := conformance.Fixture
			ev.Data = []byte("not json")
			req, _ := cloudevents.NewBinaryRequest(r.URL, ev)
			if code, _ := goDo(t, req); code != 500 {
				t.Errorf("an event the function fails on = %d, want 500", code)
			}
			return ctx
		}).Feature()

	native := features.New("BP_FUNCTION_FRAMEWORK=native: the function's own framework").
		Assess("OpenFunction's v0.5.0 serves hello-world-go", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c := compatGo{dir: "of-hello", target: "HelloWorld", image: "e2e-compat-of-hello-native", env: []string{"BP_FUNCTION_FRAMEWORK=native"}}
			c.build(t, "github.com/OpenFunction/functions-framework-go (native)")
			r, _ := c.start(t)
			goExpect(t, r.URL, goExchange{"GET", "/World", "", "", 200, "Hello, World!\n"})
			return ctx
		}).
		Assess("Google's v1.8.1 serves functions.HTTP", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c := compatGo{dir: "gcf-http", target: "HelloHTTP", image: "e2e-compat-gcf-http-native", env: []string{"BP_FUNCTION_FRAMEWORK=native"}}
			c.build(t, "github.com/GoogleCloudPlatform/functions-framework-go (native)")
			r, _ := c.start(t)
			goExpect(t, r.URL, goExchange{"POST", "/", "application/json", `{"name":"Kiln"}`, 200, "Hello, Kiln!"})
			return ctx
		}).
		Assess("a wrong BP_FUNCTION_FRAMEWORK stops the build, naming it", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			res := k.Run("build", filepath.Join(repo, "samples", "compat", "go", "of-hello"), "--image", "e2e-compat-bad", "--target", "HelloWorld",
				"--env", "BP_FUNCTION_FRAMEWORK=openfunction")
			if res.Code == 0 || !strings.Contains(res.Output, `BP_FUNCTION_FRAMEWORK="openfunction": want kiln`) {
				t.Fatalf("exit %d:\n%s", res.Code, res.Output)
			}
			return ctx
		}).Feature()

	testenv.Test(t, ofHello, ofMulti, ofAsync, gcfHTTP, gcfCloudEvent, native)
}
