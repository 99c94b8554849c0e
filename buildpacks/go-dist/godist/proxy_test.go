package godist_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/go-dist/godist"
	"kiln.dev/kiln/buildpacks/internal/goproxy/goproxytest"
)

// The buildpack's real fetcher against an in-process proxy and checksum
// database: a verified toolchain lands in the layer, a tampered one stops
// the build with the SECURITY ERROR and leaves nothing behind.
func TestProxyFetcherVerifies(t *testing.T) {
	for _, tamper := range []bool{false, true} {
		t.Run(map[bool]string{false: "good zip", true: "tampered zip"}[tamper], func(t *testing.T) {
			Expect := NewWithT(t).Expect
			p := goproxytest.Serve(t, goproxytest.Options{Tamper: tamper}, "1.99.1")
			t.Setenv("GOPROXY", p.URL+",direct")
			t.Setenv("GOSUMDB", p.GOSUMDB)
			t.Setenv("BP_GO_VERSION", "1.99.1")
			ctx := libcnb.BuildContext{ApplicationPath: t.TempDir(), Layers: libcnb.Layers{Path: t.TempDir()},
				Buildpack: libcnb.Buildpack{Metadata: map[string]interface{}{"versions": []interface{}{"1.26.8"}}}}
			logger := log.NewDiscardLogger()
			result, err := godist.Builder{Logger: logger, Fetch: godist.ProxyFetcher(logger)}.Build(ctx)
			if tamper {
				Expect(err).To(HaveOccurred())
				Expect(strings.HasPrefix(err.Error(), "go 1.99.1: SECURITY ERROR: go 1.99.1: golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64 from GOPROXY "+p.URL+" has hash "+p.ServedHash("1.99.1"))).To(BeTrue(), err.Error())
				Expect(filepath.Join(ctx.Layers.Path, "go", "bin", "go")).NotTo(BeAnExistingFile())
				return
			}
			Expect(err).NotTo(HaveOccurred())
			b, err := os.ReadFile(filepath.Join(result.Layers[0].Path, "bin", "go"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b)).To(ContainSubstring("echo go1.99.1"))
		})
	}
}
