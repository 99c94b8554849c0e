package gofunction_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	cnblog "github.com/buildpacks/libcnb/v2/log"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
)

const openFn = `package hello

import (
	"kiln.dev/functions-framework-go/ofctx"
)

func Echo(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	if _, err := ctx.Send("out", in); err != nil {
		return ctx.ReturnOnInternalError(), err
	}
	return ctx.ReturnOnSuccess().WithData(in), nil
}
`

const httpFn = `package hello

import (
	"fmt"
	"net/http"
)

func HelloWorld(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Hello, World!") }

func Other(w http.ResponseWriter, r *http.Request) {}

func NotAFunction(x int) {}
`

const declarativeFn = `package hello

import (
	"net/http"

	fx "kiln.dev/functions-framework-go/functions"
)

func init() { fx.HTTP("Greeter", greet) }

func greet(w http.ResponseWriter, r *http.Request) {}
`

const eventFn = `package hello

import (
	"context"

	"kiln.dev/functions-framework-go/cloudevents"
)

func OnEvent(ctx context.Context, e cloudevents.Event) error { return nil }
`

func TestBuild(t *testing.T) {
	spec.Run(t, "Build", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect = NewWithT(t).Expect
			ctx    libcnb.BuildContext
			b      = gofunction.Builder{Logger: log.NewDiscardLogger()}
			write  = func(name, content string) {
				p := filepath.Join(ctx.ApplicationPath, name)
				Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
				Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
			}
			read = func(name string) string {
				b, err := os.ReadFile(filepath.Join(ctx.ApplicationPath, name))
				Expect(err).NotTo(HaveOccurred())
				return string(b)
			}
		)
		it.Before(func() {
			// t.TempDir names can hold commas, which would split GOPROXY.
			bpDir, err := os.MkdirTemp("", "kiln-go-function")
			Expect(err).NotTo(HaveOccurred())
			t.Cleanup(func() { os.RemoveAll(bpDir) })
			_, err = gofunction.WriteCarriedProxy(filepath.Join("..", "..", "..", "framework-templates", "go"), filepath.Join(bpDir, "goproxy"), "v0.1.0")
			Expect(err).NotTo(HaveOccurred())
			ctx = libcnb.BuildContext{
				ApplicationPath: t.TempDir(),
				Layers:          libcnb.Layers{Path: t.TempDir()},
				Buildpack: libcnb.Buildpack{Path: bpDir, Info: libcnb.BuildpackInfo{Name: "Kiln Go Function", Version: "0.1.0"},
					Metadata: map[string]interface{}{"framework-version": "0.1.0"}},
			}
			write("go.mod", "module example.com/hello\n\ngo 1.22\n\nreplace example.com/x => ./x\n")
			t.Setenv("FUNC_NAME", "HelloWorld")
		})

		it("wraps an exported HTTP function and injects the carried framework", func() {
			write("hello.go", httpFn)
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring("funcframework.HTTPHandler(function.HelloWorld)"))
			Expect(read("go.mod")).To(MatchRegexp(`require kiln.dev/functions-framework-go v0\.1\.0-kiln\.[0-9a-f]{12}\n`))
			Expect(read("go.mod")).To(ContainSubstring("replace example.com/x => ./x"))
			Expect(read("go.sum")).To(MatchRegexp(`kiln.dev/functions-framework-go v0\.1\.0-kiln\.[0-9a-f]{12} h1:\S+=\n`))
			Expect(result.Labels).To(ConsistOf(
				libcnb.Label{Key: "dev.kiln.function.target", Value: "HelloWorld"},
				libcnb.Label{Key: "dev.kiln.function.signature", Value: "http"},
				libcnb.Label{Key: "dev.kiln.framework.version", Value: "0.1.0"}))
			l := result.Layers[0]
			Expect(l.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Launch: true}))
			Expect(l.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "HelloWorld"))
			Expect(l.LaunchEnvironment).To(HaveKeyWithValue("PORT.default", "8080"))
			Expect(l.BuildEnvironment).To(HaveKeyWithValue("KILN_GO_BUILD_PACKAGE.override", "./functions.local/app"))
			Expect(l.BuildEnvironment["GOPROXY.override"]).To(MatchRegexp(`^file:///\S+/goproxy,https://proxy.golang.org,direct$`))

			// the layer's SBOM: the injected framework, its module version, the
			// carried zip's SHA-256 and the h1 go.sum now holds.
			sum := regexp.MustCompile(`kiln.dev/functions-framework-go (v0\.1\.0-kiln\.[0-9a-f]{12}) (h1:\S+=)\n`).FindStringSubmatch(read("go.sum"))
			Expect(sum).To(HaveLen(3))
			zip, err := os.ReadFile(filepath.Join(ctx.Buildpack.Path, "goproxy", "kiln.dev", "functions-framework-go", "@v", sum[1]+".zip"))
			Expect(err).NotTo(HaveOccurred())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "function.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(fmt.Sprintf(`"type": "framework",
      "name": "kiln.dev/functions-framework-go",
      "version": "%s",
      "purl": "pkg:golang/kiln.dev/functions-framework-go@%s",
      "hashes": [
        {
          "alg": "SHA-256",
          "content": "%x"
        }
      ],
      "properties": [
        {
          "name": "golang:go.sum",
          "value": "%s"`, sum[1], sum[1], sha256.Sum256(zip), sum[2])))
		})

		it("compiles offline with the go command, framework served from the carried proxy", func() {
			write("hello.go", httpFn)
			write("x/go.mod", "module example.com/x\n\ngo 1.22\n")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			compileOffline(t, ctx.ApplicationPath, result)
		})

		it("keeps the user's GOPROXY behind the carried one", func() {
			t.Setenv("GOPROXY", "https://mirror.example/go,off")
			write("hello.go", httpFn)
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers[0].BuildEnvironment["GOPROXY.override"]).To(HaveSuffix("/goproxy,https://mirror.example/go,off"))
		})

		it("wraps an OpenFunction-signature function and compiles it offline", func() {
			t.Setenv("FUNC_NAME", "Echo")
			write("go.mod", "module example.com/hello\n\ngo 1.24\n")
			write("echo.go", openFn)
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring(`funcframework.MainOpenFunction("Echo", function.Echo)`))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.signature", Value: "openfunction"}))
			compileOffline(t, ctx.ApplicationPath, result)
		})

		it("finds an OpenFunction function registered declaratively", func() {
			t.Setenv("FUNC_NAME", "echo")
			t.Setenv("FUNC_SIGNATURE_TYPE", "openfunction")
			write("go.mod", "module example.com/hello\n\ngo 1.25\n")
			write("echo.go", strings.Replace(openFn, "import (", "import (\n\t\"kiln.dev/functions-framework-go/functions\"", 1)+
				"\nfunc init() { functions.OpenFunction(\"echo\", Echo) }\n")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring("funcframework.Main(nil)"))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.signature", Value: "openfunction"}))
		})

		it("stops an OpenFunction build when BP_GO_VERSION or the toolchain line picks a Go older than 1.24", func() {
			t.Setenv("FUNC_NAME", "Echo")
			write("echo.go", openFn)
			t.Setenv("BP_GO_VERSION", "1.23.4")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError("the OpenFunction signature needs Go 1.24 or newer (Dapr's gRPC protocol uses net/http's HTTP/2 without TLS), but BP_GO_VERSION says 1.23.4: raise it (e.g. BP_GO_VERSION=1.26), or remove it to build with the newest pinned Go"))
			t.Setenv("BP_GO_VERSION", "")
			write("go.mod", "module example.com/hello\n\ngo 1.22\n\ntoolchain go1.22.5\n")
			_, err = b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("but go.mod's toolchain line says 1.22.5")))
		})

		it("builds an OpenFunction function of a `go 1.22` module: the go line is a minimum, the newest pinned Go serves it", func() {
			t.Setenv("FUNC_NAME", "Echo")
			write("echo.go", openFn)
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
		})

		it("wraps a CloudEvent function", func() {
			t.Setenv("FUNC_NAME", "OnEvent")
			write("event.go", eventFn)
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring("CloudEventHandler(function.OnEvent)"))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.signature", Value: "cloudevent"}))
		})

		it("serves a declaratively registered function through FUNCTION_TARGET", func() {
			t.Setenv("FUNC_NAME", "Greeter")
			write("hello.go", declarativeFn)
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring(`_ "example.com/hello"`))
		})

		it("lists the exported functions when FUNC_NAME names none of them", func() {
			t.Setenv("FUNC_NAME", "Missing")
			write("hello.go", httpFn)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("FUNC_NAME=Missing: no such function in package hello")))
			Expect(err).To(MatchError(ContainSubstring("Functions it exports: HelloWorld, Other.")))
		})

		it("explains an unsupported signature", func() {
			t.Setenv("FUNC_NAME", "NotAFunction")
			write("hello.go", httpFn)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("has none of the supported signatures")))
		})

		it("rejects a signature type that does not match the source", func() {
			t.Setenv("FUNC_SIGNATURE_TYPE", "cloudevent")
			write("hello.go", httpFn)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("FUNC_SIGNATURE_TYPE=cloudevent, but HelloWorld is a http function")))
		})

		it("rejects package main", func() {
			write("main.go", "package main\n\nfunc main() {}\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("is package main")))
		})

		it("reports a syntax error with its position", func() {
			write("hello.go", "package hello\n\nfunc HelloWorld( {\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("hello.go:3")))
		})

		it("keeps the framework version the user pinned and does not touch go.mod", func() {
			write("go.mod", "module example.com/hello\n\ngo 1.22\n\nrequire kiln.dev/functions-framework-go v0.0.9\n")
			write("hello.go", httpFn)
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("go.mod")).To(Equal("module example.com/hello\n\ngo 1.22\n\nrequire kiln.dev/functions-framework-go v0.0.9\n"))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.framework.version", Value: "0.0.9"}))
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "function.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:golang/kiln.dev/functions-framework-go@v0.0.9"`))
			Expect(string(doc)).NotTo(ContainSubstring("hashes"), "not the carried copy: no checksum of ours to give")
		})

		it("finds the function in FUNC_SRC and imports it by its package path", func() {
			t.Setenv("FUNC_SRC", "function")
			write("function/hello.go", httpFn)
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring(`"example.com/hello/function"`))
		})

		it("builds a vendored module that vendors the framework, offline, without touching go.mod", func() {
			write("hello.go", httpFn)
			write("x/go.mod", "module example.com/x\n\ngo 1.22\n")
			carried := filepath.Join(ctx.Buildpack.Path, "goproxy")
			goEnv := append(os.Environ(), "GONOSUMDB="+gofunction.FrameworkModule, "GOMODCACHE="+t.TempDir(), "CGO_ENABLED=0", "GOWORK=off")
			run := func(env []string, args ...string) {
				cmd := exec.Command("go", args...)
				cmd.Dir, cmd.Env = ctx.ApplicationPath, env
				out, err := cmd.CombinedOutput()
				Expect(err).NotTo(HaveOccurred(), string(out))
			}
			// The user pins the framework and vendors (from the carried proxy here)...
			run(append(goEnv, "GOPROXY=file://"+carried, "GOFLAGS=-mod=mod"), "get", gofunction.FrameworkModule+"@v0.1.0")
			run(append(goEnv, "GOPROXY=file://"+carried, "GOFLAGS=-mod=mod"), "mod", "vendor")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("vendor/ lacks kiln.dev/functions-framework-go/funcframework")))
			Expect(err).To(MatchError(ContainSubstring(`import _ "kiln.dev/functions-framework-go/funcframework"`)))
			// ...following the error's advice makes it build offline.
			write("tools.go", "//go:build tools\n\npackage hello\n\nimport _ \"kiln.dev/functions-framework-go/funcframework\"\n")
			run(append(goEnv, "GOPROXY=file://"+carried, "GOFLAGS=-mod=mod"), "mod", "vendor")
			before := read("go.mod")
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("go.mod")).To(Equal(before))
			run(append(goEnv, "GOPROXY=off", "GOFLAGS=-mod=vendor"), "build", "-o", filepath.Join(t.TempDir(), "app"), "./functions.local/app")
		})

		it("asks to vendor the framework when the module vendors without it", func() {
			write("hello.go", httpFn)
			write("vendor/modules.txt", "# example.com/y v1.0.0\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("go mod vendor")))
		})
	})
}

func TestDetect(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module a.b/c\n"), 0o644)).To(Succeed())
	for _, tt := range []struct {
		env  map[string]string
		pass bool
	}{
		{map[string]string{}, false},
		{map[string]string{"FUNC_NAME": "F"}, true},
		{map[string]string{"GOOGLE_FUNCTION_TARGET": "F"}, true},
	} {
		t.Setenv("FUNC_NAME", tt.env["FUNC_NAME"])
		t.Setenv("GOOGLE_FUNCTION_TARGET", tt.env["GOOGLE_FUNCTION_TARGET"])
		res, err := gofunction.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(res.Pass).To(Equal(tt.pass), strings.Join([]string{tt.env["FUNC_NAME"], tt.env["GOOGLE_FUNCTION_TARGET"]}, "/"))
	}
}

// compileOffline builds the generated main with only the buildpack's carried
// framework proxy (no network), as the go-build buildpack would.
func compileOffline(t *testing.T, app string, result libcnb.BuildResult) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", filepath.Join(t.TempDir(), "app"), "./functions.local/app")
	cmd.Dir = app
	cmd.Env = append(os.Environ(), "GOPROXY="+strings.Split(result.Layers[0].BuildEnvironment["GOPROXY.override"], ",")[0]+",off",
		"GONOSUMDB="+gofunction.FrameworkModule, "GOFLAGS=-mod=mod", "GOMODCACHE="+t.TempDir(), "CGO_ENABLED=0", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("offline go build: %v\n%s", err, out)
	}
}
