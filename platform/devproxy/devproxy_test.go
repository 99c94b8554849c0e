package devproxy

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
)

// srcRoot is the Kiln source tree this test lives in.
func srcRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// TestUserModuleResolvesFramework is the promise: a function's own module that
// requires the framework passes `go mod tidy` and `go test` with no replace
// and no network, and its go.sum carries the hashes a build injects.
func TestUserModuleResolvesFramework(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	p, err := Write(srcRoot(t), filepath.Join(t.TempDir(), "proxy"))
	if err != nil {
		t.Fatal(err)
	}
	app := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/hello\n\ngo 1.21\n\nrequire " + p.Module + " " + p.Version + "\n",
		"hello.go": `package hello

import (
	"fmt"
	"net/http"

	"kiln.dev/functions-framework-go/functions"
)

func init() { functions.HTTP("Hello", hello) }

func hello(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Hello, Kiln!") }
`,
		"hello_test.go": `package hello

import (
	"net/http/httptest"
	"testing"

	"kiln.dev/functions-framework-go/functions"
)

func TestHello(t *testing.T) {
	if _, ok := functions.Lookup("Hello"); !ok {
		t.Fatal("Hello is not registered")
	}
	rec := httptest.NewRecorder()
	hello(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Body.String() != "Hello, Kiln!" {
		t.Fatalf("body %q", rec.Body.String())
	}
}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(app, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-modcacherw",
		"GOMODCACHE="+filepath.Join(t.TempDir(), "modcache"))
	// "off" after the proxy: the test proves nothing else is consulted.
	env = append(env, p.Env("off")...)
	env = append(env, "GOPROXY=file://"+p.Dir+",off")
	for _, args := range [][]string{{"mod", "tidy"}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = app, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	sum, err := os.ReadFile(filepath.Join(app, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := gofunction.CarriedProxy{Dir: p.Dir, Version: p.Version}.SumLines()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range want {
		if !strings.Contains(string(sum), l+"\n") {
			t.Errorf("go.sum lacks the line a build injects: %s\ngo.sum:\n%s", l, sum)
		}
	}
}

func TestEnv(t *testing.T) {
	p := Proxy{Dir: "/x/proxy", Module: "kiln.dev/functions-framework-go", Version: "v0.1.0"}
	for _, tc := range []struct{ upstream, want string }{
		{"", "GOPROXY=file:///x/proxy,https://proxy.golang.org,direct"},
		{"off", "GOPROXY=file:///x/proxy,https://proxy.golang.org,direct"},
		{"https://goproxy.example|direct", "GOPROXY=file:///x/proxy,https://goproxy.example|direct"},
	} {
		got := p.Env(tc.upstream)
		if got[0] != tc.want || got[1] != "GONOSUMDB=kiln.dev" {
			t.Errorf("Env(%q) = %q, want [%s GONOSUMDB=kiln.dev]", tc.upstream, got, tc.want)
		}
	}
}

func TestFrameworkRelease(t *testing.T) {
	for _, tc := range []struct{ name, toml, want, err string }{
		{"plain", "[metadata]\nframework-version = \"0.1.0\"\n", "v0.1.0", ""},
		{"v prefix", "[metadata]\nframework-version = \"v1.2.3\"\n", "v1.2.3", ""},
		{"missing", "[metadata]\n", "", "framework-version is \"\""},
		{"path", "[metadata]\nframework-version = \"../x\"\n", "", "want a version"},
		{"not toml", "[metadata\n", "", "run kiln from a Kiln source tree"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			p := filepath.Join(src, descriptorPath)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(tc.toml), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := FrameworkRelease(src)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// The release an IDE resolves is the one the buildpack carries.
func TestFrameworkReleaseOfThisTree(t *testing.T) {
	got, err := FrameworkRelease(srcRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "v0.") && !strings.HasPrefix(got, "v1.") {
		t.Fatalf("release %q", got)
	}
}
