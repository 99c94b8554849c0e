package gofunction_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"
	"golang.org/x/mod/sumdb/dirhash"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
)

// fixture is a function of samples/compat/go, written against OpenFunction's
// or Google's framework.
func fixture(name string) string {
	return filepath.Join("..", "..", "..", "samples", "compat", "go", name)
}

// copyDir copies a fixture into the app directory.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCompat(t *testing.T) {
	spec.Run(t, "Compat", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect = NewWithT(t).Expect
			ctx    libcnb.BuildContext
			b      = gofunction.Builder{Logger: log.NewDiscardLogger()}
			app    = func(name string) string { return filepath.Join(ctx.ApplicationPath, name) }
			read   = func(name string) string {
				bs, err := os.ReadFile(app(name))
				Expect(err).NotTo(HaveOccurred())
				return string(bs)
			}
			write = func(name, content string) {
				Expect(os.MkdirAll(filepath.Dir(app(name)), 0o755)).To(Succeed())
				Expect(os.WriteFile(app(name), []byte(content), 0o644)).To(Succeed())
			}
		)
		it.Before(func() {
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
			t.Setenv("FUNC_NAME", "HelloWorld")
			t.Setenv(gofunction.FrameworkEnv, "")
		})

		it("substitutes Kiln's compatibility module for OpenFunction's framework, go.mod and go.sum untouched", func() {
			copyDir(t, fixture("of-hello"), ctx.ApplicationPath)
			gomod, gosum := read("go.mod"), read("go.sum")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("go.mod")).To(Equal(gomod))
			Expect(read("go.sum")).To(Equal(gosum))
			kilnMod := read(gofunction.Modfile)
			Expect(kilnMod).To(ContainSubstring("go 1.17"))
			Expect(kilnMod).To(ContainSubstring("replace github.com/OpenFunction/functions-framework-go => ./functions.local/compat/openfunction"))
			Expect(kilnMod).To(MatchRegexp(`kiln.dev/functions-framework-go v0\.1\.0-kiln\.[0-9a-f]{12}`))
			Expect(read("functions.local/kiln.sum")).To(HavePrefix(gosum))
			Expect(read("functions.local/kiln.sum")).To(MatchRegexp(`kiln.dev/functions-framework-go v0\.1\.0-kiln\.[0-9a-f]{12} h1:`))
			compatMod := read("functions.local/compat/openfunction/go.mod")
			Expect(compatMod).To(HavePrefix("module github.com/OpenFunction/functions-framework-go\n\ngo 1.21\n"))
			Expect(compatMod).To(ContainSubstring("github.com/cloudevents/sdk-go/v2 v2.4.1\n")) // what the function's go.mod requires
			Expect(compatMod).NotTo(ContainSubstring("replace"))
			Expect(app("functions.local/compat/openfunction/functions/functions.go")).To(BeARegularFile())
			Expect(app("functions.local/compat/openfunction/functions/functions_test.go")).NotTo(BeAnExistingFile())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring("funcframework.Main(nil)"))
			l := result.Layers[0]
			Expect(l.BuildEnvironment).To(HaveKeyWithValue("KILN_GO_MODFILE.override", gofunction.Modfile))
			Expect(l.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "HelloWorld"))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.framework", Value: "github.com/OpenFunction/functions-framework-go (Kiln compatibility layer)"}))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.framework.version", Value: "0.1.0"}))
			// the layer's SBOM: Kiln's framework and the compatibility module, with the h1 of its copy.
			h1, err := dirhash.HashDir(app("functions.local/compat/openfunction"), "", dirhash.Hash1)
			Expect(err).NotTo(HaveOccurred())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "function.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(MatchRegexp(`"purl": "pkg:golang/kiln.dev/functions-framework-go@v0\.1\.0-kiln\.[0-9a-f]{12}"`))
			Expect(string(doc)).To(ContainSubstring(`"name": "Kiln compatibility module for github.com/OpenFunction/functions-framework-go",`))
			Expect(string(doc)).To(ContainSubstring(`"value": "` + h1 + `"`))
		})

		it("compiles the OpenFunction function against the compatibility module, with a go 1.17 go.mod", func() {
			copyDir(t, fixture("of-hello"), ctx.ApplicationPath)
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			compileWithModfile(t, ctx.ApplicationPath, result)
		})

		it("serves every function with a path when FUNC_NAME names none, as OpenFunction's samples need", func() {
			t.Setenv("FUNC_NAME", "MultipleFunctions")
			copyDir(t, fixture("of-multi"), ctx.ApplicationPath)
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring("FUNC_NAME=MultipleFunctions names no registered function"))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.signature", Value: "multiple"}))
			compileWithModfile(t, ctx.ApplicationPath, result)
		})

		it("still refuses an unknown FUNC_NAME when nothing is registered with a path", func() {
			t.Setenv("FUNC_NAME", "Nope")
			copyDir(t, fixture("gcf-http"), ctx.ApplicationPath)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("FUNC_NAME=Nope: no such function in package hello")))
			Expect(err).To(MatchError(ContainSubstring("Conformance (registered), HelloHTTP (registered)")))
		})

		it("substitutes the module for Google's framework and registers an exported sdk-go CloudEvent function through it", func() {
			t.Setenv("FUNC_NAME", "On")
			copyDir(t, fixture("gcf-cloudevent"), ctx.ApplicationPath)
			write("exported.go", "package storage\n\nimport (\n\t\"context\"\n\n\tcloudevents \"github.com/cloudevents/sdk-go/v2\"\n)\n\nfunc On(ctx context.Context, e cloudevents.Event) error { return nil }\n")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			main := read("functions.local/app/main.go")
			Expect(main).To(ContainSubstring(`compat "github.com/GoogleCloudPlatform/functions-framework-go/functions"`))
			Expect(main).To(ContainSubstring(`compat.CloudEvent("On", function.On)`))
			Expect(read(gofunction.Modfile)).To(ContainSubstring("replace github.com/GoogleCloudPlatform/functions-framework-go => ./functions.local/compat/google"))
			compileWithModfile(t, ctx.ApplicationPath, result)
		})

		it("builds with the function's own framework when BP_FUNCTION_FRAMEWORK=native", func() {
			t.Setenv(gofunction.FrameworkEnv, "native")
			copyDir(t, fixture("of-hello"), ctx.ApplicationPath)
			gomod := read("go.mod")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("go.mod")).To(Equal(gomod))
			Expect(app(gofunction.Modfile)).NotTo(BeAnExistingFile())
			main := read("functions.local/app/main.go")
			Expect(main).To(ContainSubstring(`"github.com/OpenFunction/functions-framework-go/framework"`))
			Expect(main).NotTo(ContainSubstring("kiln.dev"))
			l := result.Layers[0]
			Expect(l.BuildEnvironment).NotTo(HaveKey("KILN_GO_MODFILE.override"))
			Expect(l.BuildEnvironment).NotTo(HaveKey("GOPROXY.override"))
			Expect(l.LaunchEnvironment).NotTo(HaveKey("FUNCTION_TARGET.default")) // OpenFunction serves every registered function
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.framework", Value: "github.com/OpenFunction/functions-framework-go (native)"}))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.framework.version", Value: "0.5.0"}))
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "function.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:golang/github.com/OpenFunction/functions-framework-go@v0.5.0"`), "the user's own framework")
			Expect(string(doc)).NotTo(ContainSubstring("kiln.dev"))

			t.Setenv(gofunction.FrameworkEnv, "native")
			t.Setenv("FUNC_NAME", "HelloHTTP")
			Expect(os.RemoveAll(ctx.ApplicationPath)).To(Succeed())
			copyDir(t, fixture("gcf-http"), ctx.ApplicationPath)
			result, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/app/main.go")).To(ContainSubstring("funcframework.Start(port)"))
			Expect(result.Layers[0].LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "HelloHTTP"))
		})

		it("treats a go.mod that replaces the framework with a fork as native", func() {
			copyDir(t, fixture("of-hello"), ctx.ApplicationPath)
			write("go.mod", read("go.mod")+"\nreplace github.com/OpenFunction/functions-framework-go => ../fork\n")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.framework", Value: "github.com/OpenFunction/functions-framework-go (native)"}))
		})

		it("refuses what it cannot do, saying what to change", func() {
			copyDir(t, fixture("of-hello"), ctx.ApplicationPath)
			t.Setenv(gofunction.FrameworkEnv, "openfunction")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(`BP_FUNCTION_FRAMEWORK="openfunction": want kiln (serve OpenFunction's and Google's APIs on Kiln's framework, the default) or native (build with the framework your go.mod requires)`))
			t.Setenv(gofunction.FrameworkEnv, "")

			write("vendor/modules.txt", "# github.com/OpenFunction/functions-framework-go v0.5.0\n")
			_, err = b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("the module vendors its dependencies (vendor/), so Kiln cannot put its compatibility module in place of github.com/OpenFunction/functions-framework-go: build with BP_FUNCTION_FRAMEWORK=native")))
			Expect(os.RemoveAll(app("vendor"))).To(Succeed())

			write("go.work", "go 1.22\n\nuse .\n")
			_, err = b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("Go workspace (go.work)")))
			Expect(os.Remove(app("go.work"))).To(Succeed())

			write("go.mod", "module example.com/hello\n\ngo 1.17\n\nrequire github.com/OpenFunction/functions-framework-go v0.5.0\n")
			write("go.sum", "")
			_, err = b.Build(ctx)
			Expect(err).To(MatchError("go.mod and go.sum do not mention github.com/cloudevents/sdk-go/v2, which OpenFunction's and Google's frameworks require (Kiln's compatibility module uses its event type): run `go mod tidy` so go.mod lists it"))
			write("go.sum", "github.com/cloudevents/sdk-go/v2 v2.3.0/go.mod h1:x=\ngithub.com/cloudevents/sdk-go/v2 v2.10.0 h1:y=\ngithub.com/cloudevents/sdk-go/v2 v2.9.0 h1:z=\n")
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(read("functions.local/compat/openfunction/go.mod")).To(ContainSubstring("github.com/cloudevents/sdk-go/v2 v2.10.0\n"))

			write("go.mod", "module example.com/hello\n\ngo 1.17\n")
			_, err = b.Build(ctx)
			Expect(err).To(MatchError("package hello imports github.com/OpenFunction/functions-framework-go, which go.mod does not require: run `go mod tidy`"))

			write("go.mod", "module example.com/hello\n\ngo 1.22\n")
			write("hello.go", httpFn)
			t.Setenv(gofunction.FrameworkEnv, "native")
			_, err = b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("BP_FUNCTION_FRAMEWORK=native serves a function with OpenFunction's or Google's framework, but go.mod requires neither")))
		})
	})
}

// compileWithModfile builds the generated main as kiln/go-build does with
// KILN_GO_MODFILE: the carried framework from its file:// proxy, the
// function's own dependencies (sdk-go) from the module cache or GOPROXY. The
// binary must hold the compatibility module, not the real framework.
func compileWithModfile(t *testing.T, app string, result libcnb.BuildResult) {
	t.Helper()
	env := result.Layers[0].BuildEnvironment
	bin := filepath.Join(t.TempDir(), "app")
	cmd := exec.Command("go", "build", "-modfile="+env["KILN_GO_MODFILE.override"], "-o", bin, "./functions.local/app")
	cmd.Dir = app
	cmd.Env = append(os.Environ(), "GOPROXY="+env["GOPROXY.override"], "GONOSUMDB="+gofunction.FrameworkModule, "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -modfile: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "=>\t./functions.local/compat/") || strings.Contains(string(out), "github.com/dapr/") {
		t.Fatalf("the binary does not hold Kiln's compatibility module in place of the framework:\n%s", out)
	}
}
