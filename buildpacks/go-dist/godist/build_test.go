package godist_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	cnblog "github.com/buildpacks/libcnb/v2/log"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"kiln.dev/kiln/buildpacks/go-dist/godist"
	"kiln.dev/kiln/buildpacks/internal/bptest"
	"kiln.dev/kiln/buildpacks/internal/sbom"
	"kiln.dev/kiln/platform/fsutil"
)

// fakeToolchain writes a zip laid out like golang.org/toolchain's.
func fakeToolchain(dir, version string) (string, error) {
	p := filepath.Join(dir, "tc.zip")
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	zw := zip.NewWriter(f)
	prefix := "golang.org/toolchain@v0.0.1-go" + version + ".linux-amd64/"
	for name, body := range map[string]string{
		"bin/go": "#!/bin/sh\necho go" + version + "\n", "VERSION": "go" + version,
		"src/fmt/print.go": "package fmt", "src/fmt/print_test.go": "package fmt", "test/x.go": "x",
		"src/cmd/go/main.go": "package main", "pkg/tool/linux_amd64/compile": "bin",
	} {
		w, _ := zw.Create(prefix + name)
		io.WriteString(w, body)
	}
	zw.Close()
	return p, f.Close()
}

func TestBuild(t *testing.T) {
	spec.Run(t, "Build", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect  = NewWithT(t).Expect
			ctx     libcnb.BuildContext
			fetches []string
			zipSums map[string]string
			builder godist.Builder
		)
		it.Before(func() {
			fetches = nil
			ctx = libcnb.BuildContext{
				ApplicationPath: t.TempDir(),
				Layers:          libcnb.Layers{Path: t.TempDir()},
				Buildpack: libcnb.Buildpack{
					Info:     libcnb.BuildpackInfo{Name: "Kiln Go Distribution", Version: "0.1.0"},
					Metadata: map[string]interface{}{"versions": []interface{}{"1.25.12", "1.26.8"}},
				},
			}
			zipSums = map[string]string{}
			builder = godist.Builder{Logger: log.NewDiscardLogger(), Fetch: func(_ context.Context, v, dir string) (string, string, error) {
				fetches = append(fetches, v)
				p, err := fakeToolchain(dir, v)
				if err == nil {
					zipSums[v], err = fsutil.FileSHA256(p)
				}
				return p, "h1:fake", err
			}}
		})

		it("installs the newest pinned Go that satisfies go.mod's go line into a cached build layer, trimmed", func() {
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "go.mod"), []byte("module a.b/c\n\ngo 1.25\n"), 0o644)).To(Succeed())
			result, err := builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(fetches).To(Equal([]string{"1.26.8"}))
			Expect(result.Layers).To(HaveLen(1))
			l := result.Layers[0]
			Expect(l.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Cache: true}))
			Expect(l.BuildEnvironment).To(HaveKeyWithValue("GOTOOLCHAIN.override", "local"))
			info, err := os.Stat(filepath.Join(l.Path, "bin", "go"))
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Mode().Perm() & 0o111).NotTo(BeZero())
			Expect(filepath.Join(l.Path, "src", "fmt", "print.go")).To(BeAnExistingFile())
			Expect(filepath.Join(l.Path, "src", "fmt", "print_test.go")).NotTo(BeAnExistingFile())
			Expect(filepath.Join(l.Path, "src", "cmd")).NotTo(BeAnExistingFile())
			Expect(filepath.Join(l.Path, "test")).NotTo(BeAnExistingFile())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "go.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:golang/golang.org/toolchain@v0.0.1-go1.26.8.linux-` + runtime.GOARCH + `"`))
			// the checksums it verified: the zip's SHA-256 and the checksum database's h1.
			Expect(string(doc)).To(ContainSubstring(`"alg": "SHA-256",
          "content": "` + zipSums["1.26.8"] + `"`))
			Expect(string(doc)).To(ContainSubstring(`"name": "golang:go.sum",
          "value": "h1:fake"`))
			rec, ok, err := sbom.ReadGoToolchain(l.Path)
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeTrue(), "go-build reads the record from GOROOT")
			Expect(rec).To(Equal(sbom.GoToolchain{GoVersion: "1.26.8", Module: "golang.org/toolchain",
				Version: "v0.0.1-go1.26.8.linux-" + runtime.GOARCH, H1: "h1:fake", SHA256: zipSums["1.26.8"]}))
		})

		it("reuses the cached layer on the next build (cache hit) and downloads again when the version changes (miss)", func() {
			result, err := builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
			_, err = builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(fetches).To(Equal([]string{"1.26.8"}))

			t.Setenv("BP_GO_VERSION", "1.25.1")
			_, err = builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(fetches).To(Equal([]string{"1.26.8", "1.25.1"}))
		})

		it("with the platform's shared dependency cache, downloads once per machine and exports nothing", func() {
			shared := t.TempDir()
			t.Setenv("KILN_DEPENDENCY_CACHE", shared)
			result, err := builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			l := result.Layers[0]
			Expect(l.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true}), "not cached, not launched: nothing to restore or export")
			goroot := filepath.Join(shared, "go", "1.26.8-linux-amd64")
			Expect(l.BuildEnvironment).To(HaveKeyWithValue("GOROOT.override", goroot))
			Expect(l.BuildEnvironment).To(HaveKeyWithValue("PATH.prepend", filepath.Join(goroot, "bin")))
			Expect(filepath.Join(goroot, "bin", "go")).To(BeAnExistingFile())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "go.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred(), "the build-only layer still says which Go built the app")
			Expect(string(doc)).To(ContainSubstring(`"value": "h1:fake"`), "with the checksum it was verified against")

			other := ctx
			other.ApplicationPath, other.Layers = t.TempDir(), libcnb.Layers{Path: t.TempDir()}
			_, err = builder.Build(other)
			Expect(err).NotTo(HaveOccurred())
			Expect(fetches).To(Equal([]string{"1.26.8"}), "a second app on the machine downloads nothing")

			// an entry an older Kiln filled has no record: version only, never a made-up checksum.
			Expect(os.Remove(filepath.Join(goroot, sbom.GoToolchainRecordFile))).To(Succeed())
			_, err = builder.Build(other)
			Expect(err).NotTo(HaveOccurred())
			doc, err = os.ReadFile(filepath.Join(other.Layers.Path, "go.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"version": "1.26.8"`))
			Expect(string(doc)).NotTo(ContainSubstring("hashes"))
		})

		it("builds a `go 1.17` module with the newest pinned Go, not 1.17, and says why", func() {
			var out bytes.Buffer
			builder.Logger = log.NewPaketoLogger(&out)
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "go.mod"), []byte("module a.b/c\n\ngo 1.17\n"), 0o644)).To(Succeed())
			_, err := builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(fetches).To(Equal([]string{"1.26.8"}))
			Expect(out.String()).To(ContainSubstring("Go 1.26.8 (the newest pinned; go.mod's go 1.17 is a minimum)"))
		})

		it("takes a BP_GO_VERSION minor as its pinned patch, and go.mod's toolchain line as it is", func() {
			t.Setenv("BP_GO_VERSION", "1.25")
			_, err := builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			t.Setenv("BP_GO_VERSION", "")
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "go.mod"), []byte("module a.b/c\n\ngo 1.22\n\ntoolchain go1.24.2\n"), 0o644)).To(Succeed())
			_, err = builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(fetches).To(Equal([]string{"1.25.12", "1.24.2"}))
		})

		it("refuses a go line newer than every pinned Go, naming go.mod and BP_GO_VERSION", func() {
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "go.mod"), []byte("module a.b/c\n\ngo 1.30\n"), 0o644)).To(Succeed())
			_, err := builder.Build(ctx)
			Expect(err).To(MatchError("go.mod says `go 1.30`, newer than every Go kiln/go-dist pins (newest: 1.26.8): set BP_GO_VERSION to a Go release of at least 1.30 that your GOPROXY serves, or update kiln/go-dist"))
			Expect(fetches).To(BeEmpty())
		})

		it("names the file at fault when go.mod is broken", func() {
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "go.mod"), []byte("go 1.25\n"), 0o644)).To(Succeed())
			_, err := builder.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("go.mod")))
			Expect(fetches).To(BeEmpty())
		})
	})
}

func TestDetect(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	res, err := godist.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Pass).To(BeFalse())
	g.Expect(os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x.y/z\n"), 0o644)).To(Succeed())
	res, _ = godist.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeTrue())
	g.Expect(res.Plans[0].Provides[0].Name).To(Equal("go"))
}
