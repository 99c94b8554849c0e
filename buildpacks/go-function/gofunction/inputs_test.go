package gofunction_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
)

// Malformed inputs of kiln/go-function: each message names the file or env
// var at fault and the fix.
func TestBuildInputErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		env   map[string]string
		gomod string
		src   string
		want  string // APP is the app directory
	}{
		{"FUNC_NAME with a space", map[string]string{"FUNC_NAME": "Hello World"}, "module a.b/c\n", httpFn,
			`FUNC_NAME="Hello World" is not a Go function name: give an exported function's name (e.g. FUNC_NAME=HelloWorld) or the name a functions.HTTP/CloudEvent/OpenFunction registration uses, without spaces, quotes or control characters`},
		{"GOOGLE_FUNCTION_TARGET with a quote", map[string]string{"GOOGLE_FUNCTION_TARGET": `Hello"`}, "module a.b/c\n", httpFn,
			`GOOGLE_FUNCTION_TARGET="Hello\"" is not a Go function name: give an exported function's name (e.g. GOOGLE_FUNCTION_TARGET=HelloWorld) or the name a functions.HTTP/CloudEvent/OpenFunction registration uses, without spaces, quotes or control characters`},
		{"FUNC_SIGNATURE_TYPE against the source", map[string]string{"FUNC_NAME": "HelloWorld", "FUNC_SIGNATURE_TYPE": "cloudevent"}, "module a.b/c\n", httpFn,
			"FUNC_SIGNATURE_TYPE=cloudevent, but HelloWorld is a http function; set FUNC_SIGNATURE_TYPE=http or leave it unset"},
		{"GOOGLE_FUNCTION_SIGNATURE_TYPE against the source", map[string]string{"FUNC_NAME": "HelloWorld", "GOOGLE_FUNCTION_SIGNATURE_TYPE": "cloudevent"}, "module a.b/c\n", httpFn,
			"GOOGLE_FUNCTION_SIGNATURE_TYPE=cloudevent, but HelloWorld is a http function; set GOOGLE_FUNCTION_SIGNATURE_TYPE=http or leave it unset"},
		{"FUNC_SIGNATURE_TYPE bogus", map[string]string{"FUNC_NAME": "HelloWorld", "FUNC_SIGNATURE_TYPE": "grpc"}, "module a.b/c\n", httpFn,
			"FUNC_SIGNATURE_TYPE=grpc is not supported for Go functions (want one of: http, cloudevent, openfunction)"},
		{"FUNC_TYPE bogus", map[string]string{"FUNC_NAME": "HelloWorld", "FUNC_TYPE": "background"}, "module a.b/c\n", httpFn,
			"FUNC_TYPE=background is not supported for Go functions (want one of: http, cloudevent, openfunction)"},
		{"go.mod syntax error", map[string]string{"FUNC_NAME": "HelloWorld"}, "module a.b/c\nrequire (\n", httpFn,
			"go.mod is not valid: APP/go.mod:3: syntax error (unterminated block started at APP/go.mod:2:1); fix the line named (`go mod edit -fmt` checks the whole file)"},
		{"go.mod without module", map[string]string{"FUNC_NAME": "HelloWorld"}, "go 1.26\n", httpFn,
			"APP/go.mod has no module line: add `module example.com/yourfunction` at the top"},
		{"go.mod bad toolchain", map[string]string{"FUNC_NAME": "HelloWorld"}, "module a.b/c\ntoolchain 1.26\n", httpFn,
			"go.mod is not valid: APP/go.mod:2: invalid toolchain version '1.26': must match format go1.23.0 or default; write the toolchain line as `toolchain go1.26.0` (or `toolchain default`), or remove it"},
		{"FUNC_SRC outside the module", map[string]string{"FUNC_NAME": "HelloWorld", "FUNC_SRC": "../elsewhere"}, "module a.b/c\n", httpFn,
			`FUNC_SRC="../elsewhere" must be a directory inside the module (relative, e.g. FUNC_SRC=function)`},
		{"function source syntax error", map[string]string{"FUNC_NAME": "HelloWorld"}, "module a.b/c\n", "package hello\n\nfunc HelloWorld( {\n",
			"the function package does not parse: APP/hello.go:3:18: expected ')', found '{': fix the source there (`go vet` reports the same)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			Expect := NewWithT(t).Expect
			for _, k := range []string{"FUNC_NAME", "GOOGLE_FUNCTION_TARGET", "FUNC_SIGNATURE_TYPE", "FUNC_TYPE", "GOOGLE_FUNCTION_SIGNATURE_TYPE", "FUNC_SRC"} {
				t.Setenv(k, tt.env[k])
			}
			app := t.TempDir()
			Expect(os.WriteFile(filepath.Join(app, "go.mod"), []byte(tt.gomod), 0o644)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(app, "hello.go"), []byte(tt.src), 0o644)).To(Succeed())
			ctx := libcnb.BuildContext{ApplicationPath: app, Layers: libcnb.Layers{Path: t.TempDir()}, Buildpack: libcnb.Buildpack{Path: t.TempDir()}}
			_, err := gofunction.Builder{Logger: log.NewDiscardLogger()}.Build(ctx)
			Expect(err).To(MatchError(strings.ReplaceAll(tt.want, "APP", app)))
		})
	}
}

// GOOGLE_FUNCTION_SIGNATURE_TYPE is honoured like GOOGLE_FUNCTION_TARGET,
// and FUNC_SIGNATURE_TYPE wins when both are set.
func TestGoogleSignatureAlias(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		err  string
	}{
		{"alias matches the source", map[string]string{"GOOGLE_FUNCTION_TARGET": "OnEvent", "GOOGLE_FUNCTION_SIGNATURE_TYPE": "cloudevent"}, ""},
		{"alias against the source", map[string]string{"GOOGLE_FUNCTION_TARGET": "OnEvent", "GOOGLE_FUNCTION_SIGNATURE_TYPE": "http"},
			"GOOGLE_FUNCTION_SIGNATURE_TYPE=http, but OnEvent is a cloudevent function; set GOOGLE_FUNCTION_SIGNATURE_TYPE=cloudevent or leave it unset"},
		{"FUNC_SIGNATURE_TYPE wins over the alias", map[string]string{"FUNC_NAME": "OnEvent", "FUNC_SIGNATURE_TYPE": "cloudevent", "GOOGLE_FUNCTION_SIGNATURE_TYPE": "http"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			Expect := NewWithT(t).Expect
			for _, k := range []string{"FUNC_NAME", "GOOGLE_FUNCTION_TARGET", "FUNC_SIGNATURE_TYPE", "FUNC_TYPE", "GOOGLE_FUNCTION_SIGNATURE_TYPE", "FUNC_SRC"} {
				t.Setenv(k, tt.env[k])
			}
			bpDir, err := os.MkdirTemp("", "kiln-go-function")
			Expect(err).NotTo(HaveOccurred())
			t.Cleanup(func() { os.RemoveAll(bpDir) })
			_, err = gofunction.WriteCarriedProxy(filepath.Join("..", "..", "..", "framework-templates", "go"), filepath.Join(bpDir, "goproxy"), "v0.1.0")
			Expect(err).NotTo(HaveOccurred())
			app := t.TempDir()
			Expect(os.WriteFile(filepath.Join(app, "go.mod"), []byte("module a.b/c\n"), 0o644)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(app, "event.go"), []byte(eventFn), 0o644)).To(Succeed())
			ctx := libcnb.BuildContext{ApplicationPath: app, Layers: libcnb.Layers{Path: t.TempDir()},
				Buildpack: libcnb.Buildpack{Path: bpDir, Metadata: map[string]interface{}{"framework-version": "0.1.0"}}}
			result, err := gofunction.Builder{Logger: log.NewDiscardLogger()}.Build(ctx)
			if tt.err != "" {
				Expect(err).To(MatchError(tt.err))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: gofunction.LabelSignature, Value: "cloudevent"}))
			Expect(result.Layers[0].LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SIGNATURE_TYPE.default", "cloudevent"))
		})
	}
}
