package gobuild_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"kiln.dev/kiln/buildpacks/go-build/gobuild"
	"kiln.dev/kiln/buildpacks/internal/bptest"
	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// recorder fakes the go command: it answers `go env` and `go list` and
// records every invocation.
type recorder struct {
	goVersion string
	list      string
	calls     []command.Command
}

func (r *recorder) Run(c command.Command) error {
	r.calls = append(r.calls, c)
	switch c.Args[1] {
	case "env":
		io.WriteString(c.Stdout, r.goVersion+"\n")
	case "list":
		io.WriteString(c.Stdout, r.list)
	case "build":
		if strings.Contains(strings.Join(c.Args, " "), "broken") {
			return fmt.Errorf("./main.go:3:1: syntax error")
		}
		// a real Go binary at -o (this test binary: it has build info).
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(exe)
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Dir(c.Args[5]), 0o755)
		return os.WriteFile(c.Args[5], b, 0o755)
	}
	return nil
}

func (r *recorder) build() command.Command {
	for _, c := range r.calls {
		if c.Args[1] == "build" {
			return c
		}
	}
	return command.Command{}
}

func envValue(env []string, name string) string {
	v := ""
	for _, e := range env {
		if strings.HasPrefix(e, name+"=") {
			v = strings.TrimPrefix(e, name+"=")
		}
	}
	return v
}

func TestBuild(t *testing.T) {
	spec.Run(t, "Build", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect = NewWithT(t).Expect
			ctx    libcnb.BuildContext
			rec    *recorder
			b      gobuild.Builder
		)
		it.Before(func() {
			ctx = libcnb.BuildContext{ApplicationPath: t.TempDir(), Layers: libcnb.Layers{Path: t.TempDir()}}
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "go.mod"), []byte("module a.b/c\n"), 0o644)).To(Succeed())
			rec = &recorder{goVersion: "go1.26.8", list: "main a.b/c " + ctx.ApplicationPath + "\n"}
			b = gobuild.Builder{Logger: log.NewDiscardLogger(), Executor: rec}
		})

		it("compiles the package go-function asked for, static and reproducible, as the web process", func() {
			t.Setenv("KILN_GO_BUILD_PACKAGE", "./functions.local/app")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			c := rec.build()
			Expect(c.Args).To(Equal([]string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o",
				filepath.Join(ctx.Layers.Path, "app", "bin", "app"), "./functions.local/app"}))
			Expect(envValue(c.Env, "CGO_ENABLED")).To(Equal("0"))
			Expect(envValue(c.Env, "GOCACHE")).To(Equal(filepath.Join(ctx.Layers.Path, "gocache")))
			Expect(envValue(c.Env, "GOMODCACHE")).To(Equal(filepath.Join(ctx.Layers.Path, "gomodcache")))
			Expect(envValue(c.Env, "GOFLAGS")).To(Equal("-buildvcs=false -mod=mod"))
			Expect(result.Processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{filepath.Join(ctx.Layers.Path, "app", "bin", "app")}, Default: true}}))
			Expect(result.Layers[0].LayerTypes).To(Equal(libcnb.LayerTypes{Cache: true}))
			Expect(result.Layers[2].LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))
		})

		it("writes the app layer's CycloneDX SBOM from the binary's build info", func() {
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "app.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"bomFormat": "CycloneDX"`))
			Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:golang/golang.org/toolchain@v0.0.1-` + runtime.Version() + `"`))
			Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:golang/kiln.dev/kiln"`))
		})

		it("gives the toolchain in the app SBOM kiln/go-dist's version, zip SHA-256 and checksum-database hash", func() {
			goroot := t.TempDir()
			t.Setenv("GOROOT", goroot)
			goVersion := strings.TrimPrefix(runtime.Version(), "go")
			record := sbom.GoToolchain{GoVersion: goVersion, Module: "golang.org/toolchain", Version: "v0.0.1-go" + goVersion + ".linux-amd64",
				H1: "h1:6pY1cQ9kQ+f7iP3C4uK3J2Qp1z0mHq2Y5o8jv0w1fCs=", SHA256: strings.Repeat("ab", 32)}
			Expect(sbom.WriteGoToolchain(goroot, record)).To(Succeed())
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "app.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"name": "go",
      "version": "` + goVersion + `",
      "purl": "pkg:golang/golang.org/toolchain@v0.0.1-go` + goVersion + `.linux-amd64",
      "hashes": [
        {
          "alg": "SHA-256",
          "content": "` + strings.Repeat("ab", 32) + `"
        }
      ],
      "properties": [
        {
          "name": "golang:go.sum",
          "value": "h1:6pY1cQ9kQ+f7iP3C4uK3J2Qp1z0mHq2Y5o8jv0w1fCs="
        }
      ]`))

			// a record of another Go is not this binary's toolchain: version only.
			record.GoVersion = "1.0.1"
			Expect(sbom.WriteGoToolchain(goroot, record)).To(Succeed())
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			doc, err = os.ReadFile(filepath.Join(ctx.Layers.Path, "app.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:golang/golang.org/toolchain@v0.0.1-` + runtime.Version() + `"`))
			Expect(string(doc)).NotTo(ContainSubstring("golang:go.sum"))
		})

		it("finds the module's only main package for a plain Go program", func() {
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(rec.build().Args).To(HaveLen(7))
			Expect(rec.build().Args[6]).To(Equal("."))
		})

		it("keeps GOCACHE for the same Go version and starts it afresh for a new one", func() {
			marker := filepath.Join(ctx.Layers.Path, "gocache", "marker")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
			Expect(os.WriteFile(marker, []byte("x"), 0o644)).To(Succeed())

			result, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(marker).To(BeAnExistingFile(), "cache hit keeps the content")
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())

			rec.goVersion = "go1.27.0"
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(marker).NotTo(BeAnExistingFile(), "cache miss on a new Go version")
		})

		it("uses the platform's shared GOCACHE and module cache instead of cache layers", func() {
			shared := t.TempDir()
			t.Setenv("KILN_DEPENDENCY_CACHE", shared)
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			c := rec.build()
			Expect(envValue(c.Env, "GOCACHE")).To(Equal(filepath.Join(shared, "gocache", "go1.26.8")))
			Expect(envValue(c.Env, "GOMODCACHE")).To(Equal(filepath.Join(shared, "gomodcache")))
			Expect(result.Layers).To(HaveLen(1))
			Expect(result.Layers[0].Name).To(Equal("app"))
		})

		it("does not add -mod=mod when the module vendors", func() {
			Expect(os.MkdirAll(filepath.Join(ctx.ApplicationPath, "vendor"), 0o755)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "vendor", "modules.txt"), nil, 0o644)).To(Succeed())
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(envValue(rec.build().Env, "GOFLAGS")).To(Equal("-buildvcs=false"))
		})

		it("empties the workspace after compiling with BP_CLEAR_SOURCE=true, and only then", func() {
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(os.ReadDir(ctx.ApplicationPath)).NotTo(BeEmpty())
			t.Setenv("BP_CLEAR_SOURCE", "true")
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(os.ReadDir(ctx.ApplicationPath)).To(BeEmpty())
			Expect(ctx.ApplicationPath).To(BeADirectory())
		})

		it("builds with go-function's go.mod copy when KILN_GO_MODFILE names one", func() {
			t.Setenv("KILN_GO_MODFILE", "functions.local/kiln.mod")
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(envValue(rec.build().Env, "GOFLAGS")).To(Equal("-buildvcs=false -modfile=" + filepath.Join(ctx.ApplicationPath, "functions.local/kiln.mod") + " -mod=mod"))
		})

		it("does not add -mod=mod in a workspace (go.work), where go refuses it", func() {
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "go.work"), []byte("go 1.26\n\nuse .\n"), 0o644)).To(Succeed())
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(envValue(rec.build().Env, "GOFLAGS")).To(Equal("-buildvcs=false"))
		})

		it("asks for FUNC_NAME when a library has no main package, listing its functions", func() {
			rec.list = "hello a.b/c " + ctx.ApplicationPath + "\n"
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "hello.go"), []byte("package hello\n\nimport \"net/http\"\n\nfunc Hi(w http.ResponseWriter, r *http.Request) {}\n"), 0o644)).To(Succeed())
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("no main package and FUNC_NAME is not set")))
			Expect(err).To(MatchError(ContainSubstring("exports: Hi")))
		})

		it("names BP_GO_TARGETS when there are several main packages", func() {
			rec.list = "main a.b/c/cmd/x " + ctx.ApplicationPath + "/cmd/x\nmain a.b/c/cmd/y " + ctx.ApplicationPath + "/cmd/y\n"
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("set BP_GO_TARGETS")))
		})

		it("passes the compiler's error through", func() {
			Expect(os.MkdirAll(filepath.Join(ctx.ApplicationPath, "broken"), 0o755)).To(Succeed())
			t.Setenv("BP_GO_TARGETS", "./broken")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("syntax error")))
		})
	})
}

// BP_GO_TARGETS and BP_CLEAR_SOURCE: what is accepted, and the message for
// what is not.
func TestBuildEnvInputs(t *testing.T) {
	for _, tt := range []struct {
		name, env, value, built, err string
	}{
		{"relative package", "BP_GO_TARGETS", "./cmd/server", "./cmd/server", ""},
		{"relative package, unclean", "BP_GO_TARGETS", "./cmd/../cmd/server/", "./cmd/server", ""},
		{"module root", "BP_GO_TARGETS", ".", ".", ""},
		{"import path in the module", "BP_GO_TARGETS", "a.b/c/cmd/server", "a.b/c/cmd/server", ""},
		{"outside the module", "BP_GO_TARGETS", "../other/cmd", "", `BP_GO_TARGETS="../other/cmd" is outside the module: name a package directory inside it, e.g. BP_GO_TARGETS=./cmd/server`},
		{"escaping through the module", "BP_GO_TARGETS", "./cmd/../../x", "", `BP_GO_TARGETS="./cmd/../../x" is outside the module: name a package directory inside it, e.g. BP_GO_TARGETS=./cmd/server`},
		{"absolute", "BP_GO_TARGETS", "/usr/local/go/src/cmd/go", "", `BP_GO_TARGETS="/usr/local/go/src/cmd/go" is an absolute path: name a package directory relative to the module root, e.g. BP_GO_TARGETS=./cmd/server`},
		{"another module's package", "BP_GO_TARGETS", "golang.org/x/tools/cmd/stringer", "", `BP_GO_TARGETS="golang.org/x/tools/cmd/stringer" is not a package of module a.b/c: name a package directory inside it, e.g. BP_GO_TARGETS=./cmd/server`},
		{"missing directory", "BP_GO_TARGETS", "./cmd/missing", "", `BP_GO_TARGETS="./cmd/missing": no such directory in the module: name a package directory inside it, e.g. BP_GO_TARGETS=./cmd/server`},
		{"several targets", "BP_GO_TARGETS", "./cmd/a:./cmd/b", "", `BP_GO_TARGETS="./cmd/a:./cmd/b": Kiln builds one program per image; name one package, e.g. BP_GO_TARGETS=./cmd/server`},
		{"BP_CLEAR_SOURCE bogus", "BP_CLEAR_SOURCE", "yes", "", `BP_CLEAR_SOURCE="yes": want true or false`},
		{"BP_CLEAR_SOURCE false", "BP_CLEAR_SOURCE", "FALSE", ".", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			Expect := NewWithT(t).Expect
			app := t.TempDir()
			Expect(os.WriteFile(filepath.Join(app, "go.mod"), []byte("module a.b/c\n"), 0o644)).To(Succeed())
			Expect(os.MkdirAll(filepath.Join(app, "cmd", "server"), 0o755)).To(Succeed())
			t.Setenv(tt.env, tt.value)
			rec := &recorder{goVersion: "go1.26.8", list: "main a.b/c " + app + "\n"}
			_, err := gobuild.Builder{Logger: log.NewDiscardLogger(), Executor: rec}.Build(libcnb.BuildContext{ApplicationPath: app, Layers: libcnb.Layers{Path: t.TempDir()}})
			if tt.err != "" {
				Expect(err).To(MatchError(tt.err))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			args := rec.build().Args
			Expect(args[len(args)-1]).To(Equal(tt.built))
		})
	}
}

// GOFLAGS suit the Go that compiles: -buildvcs exists since Go 1.18, and an
// older go fails on a flag it does not know.
func TestFlagsSuitTheGoVersion(t *testing.T) {
	for _, tt := range []struct{ goVersion, want string }{
		{"go1.17.13", ""},
		{"go1.17", ""},
		{"go1.18", "-buildvcs=false"},
		{"go1.27.4", "-buildvcs=false"},
		{"go1.26.8 X:nocoverageredesign", "-buildvcs=false"},
		{"devel go1.28-abcdef Mon Nov 30 2026", "-buildvcs=false"},
		{"", "-buildvcs=false"},
	} {
		if got := strings.Join(gobuild.Flags(tt.goVersion), " "); got != tt.want {
			t.Errorf("Flags(%q) = %q, want %q", tt.goVersion, got, tt.want)
		}
	}
	app := t.TempDir()
	os.WriteFile(filepath.Join(app, "go.mod"), []byte("module a.b/c\n\ngo 1.17\n"), 0o644)
	rec := &recorder{goVersion: "go1.17.13", list: "main a.b/c " + app + "\n"}
	t.Setenv("GOFLAGS", "-tags=netgo")
	if _, err := (gobuild.Builder{Logger: log.NewDiscardLogger(), Executor: rec}).Build(libcnb.BuildContext{ApplicationPath: app, Layers: libcnb.Layers{Path: t.TempDir()}}); err != nil {
		t.Fatal(err)
	}
	if got := envValue(rec.build().Env, "GOFLAGS"); got != "-tags=netgo -mod=mod" {
		t.Fatalf("GOFLAGS for go1.17 = %q", got)
	}
}

func TestDetectRequiresGo(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module a.b/c\n"), 0o644)).To(Succeed())
	res, err := gobuild.Detect(libcnb.DetectContext{ApplicationPath: dir})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Pass).To(BeTrue())
	g.Expect(res.Plans[0].Requires[0].Name).To(Equal("go"))
}
