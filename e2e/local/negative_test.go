package local

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/e2e/kiln"
)

// writeTree creates files (path -> content) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func expectFailure(t *testing.T, res kiln.Result, code int, wants ...string) {
	t.Helper()
	if res.Code != code {
		t.Fatalf("exit code %d, want %d\n%s", res.Code, code, res.Output)
	}
	for _, w := range wants {
		if !strings.Contains(res.Output, w) {
			t.Fatalf("output lacks %q:\n%s", w, res.Output)
		}
	}
}

func TestNegativeCases(t *testing.T) {
	hello := filepath.Join(repo, "samples", "go", "hello")
	f := features.New("build failures explain themselves").
		Assess("library without FUNC_NAME", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			expectFailure(t, k.Run("build", hello, "--image", "e2e-neg"), 51,
				"kiln: build failed: a buildpack failed (lifecycle exit 51)",
				"the module has no main package and FUNC_NAME is not set", "package hello exports: HelloWorld")
			return ctx
		}).
		Assess("FUNC_NAME naming a missing function lists the exported ones", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"go.mod": "module example.com/two\n\ngo 1.26\n",
				"two.go": "package two\n\nimport \"net/http\"\n\nfunc Alpha(w http.ResponseWriter, r *http.Request) {}\n\nfunc Beta(w http.ResponseWriter, r *http.Request) {}\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "Gamma"), 51,
				"FUNC_NAME=Gamma: no such function in package two", "Functions it exports: Alpha, Beta.")
			return ctx
		}).
		Assess("a compile error shows the compiler output", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"go.mod": "module example.com/broken\n\ngo 1.26\n",
				"fn.go": "package broken\n\nimport \"net/http\"\n\nfunc Fn(w http.ResponseWriter, r *http.Request) { undefinedThing() }\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "Fn"), 51,
				"./fn.go:5:51: undefined: undefinedThing")
			return ctx
		}).
		Assess("a directory with no Go code", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"index.html": "<p>not a function</p>\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "Fn"), 20,
				"no buildpack group passed detection (lifecycle exit 20)", "the directory needs a go.mod")
			return ctx
		}).
		Assess("node: missing entry file", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"package.json": `{"name":"x","main":"lib/missing.js"}`})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "fn"), 51,
				`no function source file: tried package.json main ("lib/missing.js", not found), index.js, function.js`)
			return ctx
		}).
		Assess("node: unknown function name lists the exports", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"index.js": "exports.alpha = () => {};\nexports.beta = () => {};\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "gamma"), 51,
				`FUNC_NAME=gamma: index.js does not export a function "gamma"; functions it exports: alpha, beta`)
			return ctx
		}).
		Assess("node: syntax error", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"index.js": "exports.fn = (req, res) => {\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "fn"), 51, "syntax error in index.js", "SyntaxError")
			return ctx
		}).
		Assess("node: failing dependency install", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"index.js": "exports.fn = () => {};\n",
				"package.json": `{"name":"x","dependencies":{"kiln-e2e-no-such-package-4711":"1.0.0"}}`})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "fn"), 51,
				"installing dependencies failed: `npm install --omit=dev", "404", "kiln-e2e-no-such-package-4711")
			return ctx
		}).
		Assess("python: missing entry file", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"requirements.txt": "", "app.py": "def fn(r):\n    pass\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "fn"), 51,
				"no function source file main.py: put the function in main.py, or set FUNC_SRC to its file")
			return ctx
		}).
		Assess("python: unknown function name lists the functions", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"main.py": "def alpha(r):\n    pass\n\ndef beta(r):\n    pass\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "gamma"), 51,
				`FUNC_NAME=gamma: main.py has no function "gamma"; functions it defines: alpha, beta`)
			return ctx
		}).
		Assess("python: syntax error", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"main.py": "def fn(r)\n    pass\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "fn"), 51, "syntax error (python3 -m compileall)", "main.py")
			return ctx
		}).
		Assess("python: failing dependency install", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"main.py": "def fn(r):\n    pass\n", "requirements.txt": "kiln-not-in-the-index==1.0\n"})
			expectFailure(t, k.Run(append([]string{"build", dir, "--image", "e2e-neg", "--target", "fn"}, pyIndexArgs()...)...), 51,
				"installing requirements.txt failed", "kiln-not-in-the-index")
			return ctx
		}).
		Assess("java: unknown class names the compiled ones", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"src/main/java/com/example/Hi.java": "package com.example;\npublic class Hi implements dev.kiln.functions.HttpFunction {\n  public void service(dev.kiln.functions.HttpRequest q, dev.kiln.functions.HttpResponse r) {}\n}\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "com.example.Nope"), 51,
				"no such class on the classpath", "Classes compiled: com.example.Hi")
			return ctx
		}).
		Assess("java: compile error", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{"src/main/java/com/example/Hi.java": "package com.example;\npublic class Hi { void f() { nope(); } }\n"})
			expectFailure(t, k.Run("build", dir, "--image", "e2e-neg", "--target", "com.example.Hi"), 51, "compiling failed (javac)", "cannot find symbol")
			return ctx
		}).
		Assess("java: failing dependency download (Maven)", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			dir := writeTree(t, map[string]string{
				"pom.xml": `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>com.example</groupId><artifactId>hi</artifactId><version>1</version>
<dependencies><dependency><groupId>com.example</groupId><artifactId>kiln-not-in-the-repository</artifactId><version>1.0</version></dependency></dependencies>
</project>`,
				"src/main/java/com/example/Hi.java": "package com.example;\npublic class Hi {}\n"})
			expectFailure(t, k.Run(append([]string{"build", dir, "--image", "e2e-neg", "--target", "com.example.Hi"}, mavenArgs()...)...), 51,
				"Maven could not download the plugins or dependencies the build needs from the repositories from BP_MAVEN_MIRROR_URL",
				"kiln-not-in-the-repository", "BP_MAVEN_SETTINGS_PATH=settings.xml")
			return ctx
		}).
		Assess("a user without subordinate ids is told which line to add", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			for _, cmd := range [][]string{{"build", hello, "--target", "HelloWorld"}, {"run", "e2e-hello"}} {
				c := exec.Command(k.Bin, cmd...)
				c.Env = []string{"KILN_HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
				c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
				out, err := c.CombinedOutput()
				ee, ok := err.(*exec.ExitError)
				if !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "nobody has no 65536 subordinate ids in /etc/subuid") ||
					!regexp.MustCompile(`Add the line nobody:\d+:65536 to /etc/subuid and to /etc/subgid, or run: sudo usermod --add-subuids \d+-\d+ --add-subgids \d+-\d+ nobody`).Match(out) {
					t.Fatalf("kiln %s as nobody: %v\n%s", cmd[0], err, out)
				}
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}
