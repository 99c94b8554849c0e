package npminstall_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	cnblog "github.com/buildpacks/libcnb/v2/log"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"kiln.dev/kiln/buildpacks/internal/bptest"
	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/internal/npmreg/npmtest"
	"kiln.dev/kiln/buildpacks/npm-install/npminstall"
)

// counting runs commands for real and counts npm installs.
type counting struct {
	command.ExecExecutor
	installs int
}

func (c *counting) Run(cmd command.Command) error {
	if cmd.Args[0] == "npm" && len(cmd.Args) > 1 && (cmd.Args[1] == "ci" || cmd.Args[1] == "install") {
		c.installs++
	}
	return c.ExecExecutor.Run(cmd)
}

// These tests run the real node and npm on PATH against a real in-process registry.
func TestBuild(t *testing.T) {
	spec.Run(t, "Build", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect = NewWithT(t).Expect
			ctx    libcnb.BuildContext
			reg    *npmtest.Registry
			exe    *counting
			b      npminstall.Builder
			write  = func(name, content string) {
				Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, name), []byte(content), 0o644)).To(Succeed())
			}
		)
		it.Before(func() {
			reg = npmtest.Serve(t)
			reg.Publish("kiln-greet", "1.2.0", map[string]string{"index.js": "module.exports = (n) => `hi ${n}`;"})
			reg.Publish("kiln-dev-only", "1.0.0", map[string]string{"index.js": ""})
			t.Setenv("NPM_CONFIG_REGISTRY", reg.URL)
			t.Setenv("HOME", t.TempDir()) // no user .npmrc
			ctx = libcnb.BuildContext{ApplicationPath: t.TempDir(), Layers: libcnb.Layers{Path: t.TempDir()}}
			exe = &counting{}
			b = npminstall.Builder{Logger: log.NewDiscardLogger(), Executor: exe}
			write("package.json", `{"name":"app","version":"1.0.0","dependencies":{"kiln-greet":"^1.0.0"},"devDependencies":{"kiln-dev-only":"1.0.0"}}`)
		})

		it("installs production dependencies into a cached launch layer and links node_modules", func() {
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			l := result.Layers[len(result.Layers)-1]
			Expect(l.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Launch: true, Cache: true}))
			Expect(filepath.Join(l.Path, "node_modules", "kiln-greet", "index.js")).To(BeAnExistingFile())
			Expect(filepath.Join(l.Path, "node_modules", "kiln-dev-only")).NotTo(BeAnExistingFile(), "dev dependencies stay out")
			Expect(os.Readlink(filepath.Join(ctx.ApplicationPath, "node_modules"))).To(Equal(filepath.Join(l.Path, "node_modules")))
			cmd := exec.Command("node", "-e", `console.log(require("kiln-greet")("kiln"))`)
			cmd.Dir = ctx.ApplicationPath
			out, err := cmd.CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(out))
			Expect(string(out)).To(Equal("hi kiln\n"))
		})

		it("lists every installed package with its version and integrity in the layer's SBOM", func() {
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "modules.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:npm/kiln-greet@1.2.0"`))
			Expect(string(doc)).To(ContainSubstring(`"alg": "SHA-512"`))
			Expect(string(doc)).NotTo(ContainSubstring("kiln-dev-only"), "dev dependencies are not installed")
		})

		it("does not run npm again for unchanged manifests (hit), and does for a changed one (miss)", func() {
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(exe.installs).To(Equal(1))
			write("package.json", `{"name":"app","version":"1.0.1","dependencies":{"kiln-greet":"1.2.0"}}`)
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(exe.installs).To(Equal(2))
		})

		it("uses npm ci when there is a lockfile", func() {
			lockgen := exec.Command("npm", "install", "--package-lock-only", "--no-audit", "--no-fund")
			lockgen.Dir = ctx.ApplicationPath
			out, err := lockgen.CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(out))
			var seen []string
			b.Executor = recordArgs{exe, &seen}
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(strings.Join(seen, "\n")).To(ContainSubstring("npm ci --omit=dev"))
		})

		when("the app depends on a functions framework Kiln serves itself", func() {
			const gcf = "@google-cloud/functions-framework"
			it.Before(func() {
				reg.Publish(gcf, "3.4.0", map[string]string{"index.js": "module.exports = 'the real one';"})
				write("package.json", `{"name":"app","version":"1.0.0","dependencies":{"@google-cloud/functions-framework":"^3.4.0","kiln-greet":"^1.0.0"}}`)
			})

			it("installs everything else and never downloads the framework", func() {
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				l := result.Layers[len(result.Layers)-1]
				Expect(filepath.Join(l.Path, "node_modules", "kiln-greet", "index.js")).To(BeAnExistingFile())
				Expect(filepath.Join(l.Path, "node_modules", "@google-cloud")).NotTo(BeAnExistingFile())
				Expect(reg.Tarballs[gcf]).To(Equal(0))
				Expect(l.Metadata).To(HaveKeyWithValue("not-installed", gcf))
			})

			it("runs npm install instead of npm ci when the lockfile names the framework", func() {
				lockgen := exec.Command("npm", "install", "--package-lock-only", "--no-audit", "--no-fund")
				lockgen.Dir = ctx.ApplicationPath
				out, err := lockgen.CombinedOutput()
				Expect(err).NotTo(HaveOccurred(), string(out))
				Expect(os.ReadFile(filepath.Join(ctx.ApplicationPath, "package-lock.json"))).To(ContainSubstring(gcf))
				var seen []string
				b.Executor = recordArgs{exe, &seen}
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(strings.Join(seen, "\n")).To(ContainSubstring("npm install --omit=dev"))
				Expect(strings.Join(seen, "\n")).NotTo(ContainSubstring("npm ci"))
				l := result.Layers[len(result.Layers)-1]
				Expect(filepath.Join(l.Path, "node_modules", "kiln-greet", "index.js")).To(BeAnExistingFile())
				Expect(filepath.Join(l.Path, "node_modules", "@google-cloud")).NotTo(BeAnExistingFile())
				Expect(reg.Tarballs[gcf]).To(Equal(0))
			})

			it("installs the framework with BP_FUNCTION_FRAMEWORK=native, in a layer of its own key", func() {
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
				t.Setenv("BP_FUNCTION_FRAMEWORK", "native")
				result, err = b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(exe.installs).To(Equal(2), "switching modes is a cache miss")
				l := result.Layers[len(result.Layers)-1]
				Expect(os.ReadFile(filepath.Join(l.Path, "node_modules", gcf, "index.js"))).To(ContainSubstring("the real one"))
				Expect(reg.Tarballs[gcf]).To(Equal(1))
				Expect(l.Metadata).NotTo(HaveKey("not-installed"))
			})

			it("names a bad BP_FUNCTION_FRAMEWORK", func() {
				t.Setenv("BP_FUNCTION_FRAMEWORK", "google")
				_, err := b.Build(ctx)
				Expect(err).To(MatchError(ContainSubstring("BP_FUNCTION_FRAMEWORK=google is not a framework mode")))
			})
		})

		it("shows npm's error when a dependency cannot be installed", func() {
			write("package.json", `{"name":"app","dependencies":{"kiln-no-such-package":"^1.0.0"}}`)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("installing dependencies failed")))
			Expect(err).To(MatchError(ContainSubstring("404")))
			Expect(err).To(MatchError(ContainSubstring("kiln-no-such-package")))
		})
	})
}

type recordArgs struct {
	inner command.Executor
	seen  *[]string
}

func (r recordArgs) Run(c command.Command) error {
	*r.seen = append(*r.seen, strings.Join(c.Args, " "))
	return r.inner.Run(c)
}

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		packageJSON, mode string
		pass              bool
	}{
		{`{"devDependencies":{"x":"1"}}`, "", false},
		{`{"dependencies":{"x":"1"}}`, "", true},
		{`{"optionalDependencies":{"x":"1"}}`, "", true},
		{`{"dependencies":{"@google-cloud/functions-framework":"^3","@openfunction/functions-framework":"^0.6"}}`, "", false},
		{`{"dependencies":{"@google-cloud/functions-framework":"^3"}}`, "native", true},
		{`{"dependencies":{"@google-cloud/functions-framework":"^3","x":"1"}}`, "", true},
		{`{"dependencies":{"@google-cloud/functions-framework":"^3"}}`, "bogus", false},
	} {
		g := NewWithT(t)
		dir := t.TempDir()
		t.Setenv("BP_FUNCTION_FRAMEWORK", tt.mode)
		g.Expect(os.WriteFile(filepath.Join(dir, "package.json"), []byte(tt.packageJSON), 0o644)).To(Succeed())
		res, err := npminstall.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(res.Pass).To(Equal(tt.pass), "%s with BP_FUNCTION_FRAMEWORK=%q", tt.packageJSON, tt.mode)
	}
}
