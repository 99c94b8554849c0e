package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"kiln.dev/kiln/platform/devproxy"
)

// repo is the Kiln checkout (for the frameworks the Go and Java scaffolds
// compile against).
func repo(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// run runs a shell command in dir and returns its output and error.
func run(t *testing.T, dir string, env []string, command string) (string, error) {
	t.Helper()
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Every scaffold's own test passes with its language's tools, and fails
// when the function is broken (for http: the greeting changed).
func TestScaffoldsPassTheirOwnTests(t *testing.T) {
	tools := map[string]string{"go": "go", "node": "node", "python": "python3", "java": "javac"}
	for lang, sigs := range targets {
		for sig := range sigs {
			t.Run(lang+"/"+sig, func(t *testing.T) {
				if _, err := exec.LookPath(tools[lang]); err != nil {
					t.Skipf("no %s here", tools[lang])
				}
				dir := filepath.Join(t.TempDir(), "my-fn")
				opts := Options{Language: lang, Signature: sig, Dir: dir}
				if lang == "go" {
					p, err := devproxy.Write(repo(t), filepath.Join(t.TempDir(), "proxy"))
					if err != nil {
						t.Fatal(err)
					}
					opts.GoFramework = &p
				}
				res, err := Write(opts)
				if err != nil {
					t.Fatal(err)
				}
				// No network, no workspace, no -mod=mod: the scaffold's go.mod and
				// go.sum are complete, and the framework comes from the file://
				// proxy alone (an empty module cache proves it is fetched there).
				env := []string{"GOPROXY=off", "GOWORK=off", "GOFLAGS=-modcacherw", "GOTOOLCHAIN=local", "PYTHONDONTWRITEBYTECODE=1",
					"GOMODCACHE=" + filepath.Join(t.TempDir(), "modcache"), "GONOSUMDB=", "GONOSUMCHECK=", "GOPRIVATE="}
				if lang == "go" && sig != "http" {
					if len(res.Env) != 1 || !strings.HasPrefix(res.Env[0], "GOPROXY=file://") {
						t.Fatalf("Result.Env = %q, want the framework's GOPROXY", res.Env)
					}
					env = append(env, "GOPROXY="+strings.SplitN(strings.TrimPrefix(res.Env[0], "GOPROXY="), ",", 2)[0]+",off")
				}
				test := res.Test
				if lang == "go" {
					test = "go vet ./... && " + test
				}
				if out, err := run(t, dir, env, test); err != nil {
					t.Fatalf("%s: %v\n%s", test, err, out)
				}
				if lang == "java" {
					// The function class itself compiles against the framework.
					fw := filepath.Join(repo(t), "framework-templates", "java", "src", "main", "java")
					c := "javac -d out2 $(find src/main -name '*.java') $(find " + fw + " -name '*.java')"
					if out, err := run(t, dir, nil, c); err != nil {
						t.Fatalf("%s: %v\n%s", c, err, out)
					}
				}
				if sig != "http" {
					return
				}
				main := map[string]string{"go": "function.go", "node": "index.js", "python": "main.py", "java": "src/main/java/com/example/Greeting.java"}[lang]
				p := filepath.Join(dir, main)
				b, _ := os.ReadFile(p)
				os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "Hello, ", "Bye, ")), 0o644)
				os.RemoveAll(filepath.Join(dir, "out"))
				if out, err := run(t, dir, env, test); err == nil {
					t.Errorf("the scaffold's test passes with a broken function:\n%s", out)
				}
			})
		}
	}
}

func TestWriteRefusesAndNames(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.js"), []byte("mine"), 0o644)
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Language: "cobol", Dir: dir}, `language "cobol": kiln init takes go, node, python, java`},
		{Options{Language: "java", Signature: "openfunction", Dir: dir}, `--signature "openfunction": java functions take http or cloudevent`},
		{Options{Language: "go", Signature: "grpc", Dir: dir}, `--signature "grpc": go functions take http or cloudevent or openfunction`},
		{Options{Language: "nodejs", Dir: dir}, "index.js: already exists"},
	} {
		if _, err := Write(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error saying %q", tc.opts, err, tc.want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "index.js")); string(b) != "mine" {
		t.Error("overwrote index.js")
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err == nil {
		t.Error("wrote package.json before refusing")
	}
}

func TestNames(t *testing.T) {
	for dir, want := range map[string][2]string{
		"/x/My Fn":     {"my-fn", "myfn"},
		"/x/main":      {"main", "function"},
		"/x/2cool":     {"2cool", "function2cool"},
		"/x/__":        {"app", "app"},
		"/x/Go.App_v2": {"go.app_v2", "goappv2"},
	} {
		if n, p := name(dir), goPackage(dir); n != want[0] || p != want[1] {
			t.Errorf("%s: name %q package %q, want %q", dir, n, p, want)
		}
	}
}
