package nodefunction_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	cnblog "github.com/buildpacks/libcnb/v2/log"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"
	"golang.org/x/mod/sumdb/dirhash"

	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/node-function/nodefunction"
)

// These run the real node on PATH with the framework from framework-templates/nodejs.
func TestBuild(t *testing.T) {
	spec.Run(t, "Build", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect = NewWithT(t).Expect
			ctx    libcnb.BuildContext
			b      = nodefunction.Builder{Logger: log.NewDiscardLogger(), Executor: command.ExecExecutor{}}
			write  = func(name, content string) {
				p := filepath.Join(ctx.ApplicationPath, name)
				Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
				Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
			}
		)
		it.Before(func() {
			bp := t.TempDir()
			out, err := exec.Command("cp", "-r", "../../../framework-templates/nodejs", filepath.Join(bp, "framework")).CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(out))
			ctx = libcnb.BuildContext{ApplicationPath: t.TempDir(), Layers: libcnb.Layers{Path: t.TempDir()},
				Buildpack: libcnb.Buildpack{Path: bp, Metadata: map[string]interface{}{"framework-version": "0.1.0"}}}
			t.Setenv("FUNC_NAME", "hello")
		})

		it("serves an export of index.js with the carried framework", func() {
			write("index.js", "exports.hello = (req, res) => res.send('hi');\nexports.bye = (req, res) => res.send('bye');\n")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			l := result.Layers[0]
			fw := filepath.Join(l.Path, "functions-framework")
			Expect(filepath.Join(fw, "bin", "serve.js")).To(BeAnExistingFile())
			Expect(l.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))
			Expect(l.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SOURCE.default", filepath.Join(ctx.ApplicationPath, "index.js")))
			Expect(l.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "hello"))
			Expect(l.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SIGNATURE_TYPE.default", "http"))
			Expect(result.Processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{"node", filepath.Join(fw, "bin", "serve.js")}, Default: true}}))
			Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.framework.version", Value: "0.1.0"}))

			// the layer's SBOM: the framework copy with its version and the h1 of its files.
			h1, err := dirhash.HashDir(fw, "", dirhash.Hash1)
			Expect(err).NotTo(HaveOccurred())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "framework.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"type": "framework",
      "name": "@kiln-dev/functions-framework",
      "version": "0.1.0",
      "purl": "pkg:npm/%40kiln-dev/functions-framework@0.1.0",
      "properties": [
        {
          "name": "kiln:h1",
          "value": "` + h1 + `"`))
		})

		it("finds an ES module through package.json main", func() {
			write("package.json", `{"main":"src/fn.mjs"}`)
			write("src/fn.mjs", "export function hello(req, res) { res.send('esm'); }\n")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers[0].LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SOURCE.default", filepath.Join(ctx.ApplicationPath, "src", "fn.mjs")))
		})

		it("falls back to function.js", func() {
			write("function.js", "module.exports.hello = () => {};\n")
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
		})

		it("lists the exports when FUNC_NAME names none of them", func() {
			t.Setenv("FUNC_NAME", "nope")
			write("index.js", "exports.hello = () => {};\nexports.bye = () => {};\nexports.count = 3;\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(`FUNC_NAME=nope: index.js does not export a function "nope"; functions it exports: bye, hello`))
		})

		it("reports a syntax error with node's message", func() {
			write("index.js", "exports.hello = (req, res) => {\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("syntax error in index.js")))
			Expect(err).To(MatchError(ContainSubstring("SyntaxError")))
		})

		it("names every place it looked for the entry file", func() {
			write("package.json", `{"main":"lib/missing.js"}`)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring(`no function source file: tried package.json main ("lib/missing.js", not found), index.js, function.js`)))
		})

		it("rejects a signature the framework does not serve", func() {
			t.Setenv("FUNC_SIGNATURE_TYPE", "grpc")
			write("index.js", "exports.hello = () => {};\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("FUNC_SIGNATURE_TYPE=grpc is not supported")))
		})

		when("the function is written against Google's or OpenFunction's framework", func() {
			gcfIndex := `const functions = require('@google-cloud/functions-framework');
functions.http('helloHttp', (req, res) => res.send('hi'));
functions.cloudEvent('onEvent', (ev) => {});
exports.exported = (req, res) => res.send('e');
`
			it.Before(func() {
				write("package.json", `{"main":"index.js","dependencies":{"@google-cloud/functions-framework":"^3.4.0"}}`)
				write("index.js", gcfIndex)
			})

			it("serves a registered function on Kiln's framework with the compatibility layer; the registration sets the signature", func() {
				t.Setenv("FUNC_NAME", "onEvent")
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				l := result.Layers[0]
				fw := filepath.Join(l.Path, "functions-framework")
				Expect(l.LaunchEnvironment).To(Equal(libcnb.Environment{
					"KILN_FUNCTION_COMPAT.default":    "google",
					"FUNCTION_SOURCE.default":         filepath.Join(ctx.ApplicationPath, "index.js"),
					"FUNCTION_TARGET.default":         "onEvent",
					"FUNCTION_SIGNATURE_TYPE.default": "cloudevent",
					"PORT.default":                    "8080",
				}))
				Expect(result.Processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{"node", filepath.Join(fw, "bin", "serve.js")}, Default: true}}))
				Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.signature", Value: "cloudevent"}))
			})

			it("lets the registration win over FUNC_SIGNATURE_TYPE, and serves exports too", func() {
				t.Setenv("FUNC_NAME", "helloHttp")
				t.Setenv("FUNC_SIGNATURE_TYPE", "cloudevent")
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(result.Layers[0].LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SIGNATURE_TYPE.default", "http"))
				t.Setenv("FUNC_NAME", "exported")
				result, err = b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(result.Layers[0].LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SIGNATURE_TYPE.default", "cloudevent"))
			})

			it("lists what the module exports and registers when FUNC_NAME is neither", func() {
				t.Setenv("FUNC_NAME", "nope")
				_, err := b.Build(ctx)
				Expect(err).To(MatchError(`FUNC_NAME=nope: index.js does not export or register a function "nope"; functions it exports: exported; functions it registers: helloHttp, onEvent`))
			})

			it("finds OpenFunction's framework by its import when package.json does not list it", func() {
				write("package.json", `{"main":"index.js"}`)
				write("index.js", "const { openfunction } = require('@openfunction/functions-framework');\nopenfunction('hello', async (ctx, data) => data);\n")
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(result.Layers[0].LaunchEnvironment).To(HaveKeyWithValue("KILN_FUNCTION_COMPAT.default", "openfunction"))
				Expect(result.Layers[0].LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SIGNATURE_TYPE.default", "openfunction"))
			})

			it("wires nothing in for a Kiln-native function", func() {
				write("package.json", `{"main":"index.js"}`)
				write("index.js", "exports.hello = (req, res) => res.send('hi');\n")
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(result.Layers[0].LaunchEnvironment).NotTo(HaveKey("KILN_FUNCTION_COMPAT.default"))
			})

			when("BP_FUNCTION_FRAMEWORK=native", func() {
				install := func(pkgJSON string, files ...string) string {
					dir := filepath.Join(ctx.ApplicationPath, "node_modules", "@google-cloud", "functions-framework")
					Expect(os.MkdirAll(filepath.Join(dir, "build", "src"), 0o755)).To(Succeed())
					Expect(os.WriteFile(filepath.Join(dir, "package.json"), []byte(pkgJSON), 0o644)).To(Succeed())
					for _, f := range files {
						Expect(os.WriteFile(filepath.Join(dir, f), []byte("// server"), 0o644)).To(Succeed())
					}
					return dir
				}
				it.Before(func() {
					t.Setenv("BP_FUNCTION_FRAMEWORK", "native")
					t.Setenv("FUNC_NAME", "helloHttp")
				})

				it("runs the package's own server, configured by env, without Kiln's framework", func() {
					dir := install(`{"name":"@google-cloud/functions-framework","version":"3.4.0","bin":{"functions-framework":"./build/src/main.js","functions-framework-nodejs":"./build/src/main.js"}}`, "build/src/main.js")
					result, err := b.Build(ctx)
					Expect(err).NotTo(HaveOccurred())
					l := result.Layers[0]
					Expect(filepath.Join(l.Path, "functions-framework")).NotTo(BeAnExistingFile())
					Expect(filepath.Join(ctx.Layers.Path, "framework.sbom.cdx.json")).NotTo(BeAnExistingFile(), "the layer holds no framework: npm-install's SBOM lists the app's")
					Expect(l.LaunchEnvironment).To(Equal(libcnb.Environment{
						"FUNCTION_SOURCE.default":         filepath.Join(ctx.ApplicationPath, "index.js"),
						"FUNCTION_TARGET.default":         "helloHttp",
						"FUNCTION_SIGNATURE_TYPE.default": "http",
						"PORT.default":                    "8080",
					}))
					Expect(result.Processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{"node", filepath.Join(dir, "build", "src", "main.js")}, Default: true}}))
					Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.framework.version", Value: "@google-cloud/functions-framework@3.4.0 (native)"}))
				})

				it("names what is missing or wrong", func() {
					_, err := b.Build(ctx)
					Expect(err).To(MatchError("BP_FUNCTION_FRAMEWORK=native: @google-cloud/functions-framework: not installed in node_modules (kiln/npm-install installs it from package.json)"))
					install(`{"version":"3.4.0","bin":"./build/src/main.js"}`)
					_, err = b.Build(ctx)
					Expect(err).To(MatchError(ContainSubstring("its bin build/src/main.js is missing")))
					install(`{"version":"3.4.0","bin":{"x":"../../evil.js"}}`)
					_, err = b.Build(ctx)
					Expect(err).To(MatchError(ContainSubstring(`its package.json has no "functions-framework" bin to run`)))
					install(`{"version":"3.4.0","bin":{"functions-framework":"../../evil.js"}}`)
					_, err = b.Build(ctx)
					Expect(err).To(MatchError(ContainSubstring(`its bin "../../evil.js" points outside the package`)))
					t.Setenv("FUNC_SIGNATURE_TYPE", "openfunction")
					_, err = b.Build(ctx)
					Expect(err).To(MatchError("FUNC_SIGNATURE_TYPE=openfunction: @google-cloud/functions-framework serves http, cloudevent"))
					t.Setenv("FUNC_SIGNATURE_TYPE", "")
					write("package.json", `{"dependencies":{"@google-cloud/functions-framework":"3","@openfunction/functions-framework":"0.6"}}`)
					_, err = b.Build(ctx)
					Expect(err).To(MatchError("BP_FUNCTION_FRAMEWORK=native: package.json depends on both @google-cloud/functions-framework and @openfunction/functions-framework; keep the one whose server should run"))
					write("package.json", `{"main":"index.js"}`)
					_, err = b.Build(ctx)
					Expect(err).To(MatchError(ContainSubstring("BP_FUNCTION_FRAMEWORK=native: package.json does not depend on @google-cloud/functions-framework or @openfunction/functions-framework")))
					t.Setenv("BP_FUNCTION_FRAMEWORK", "nativ")
					_, err = b.Build(ctx)
					Expect(err).To(MatchError(ContainSubstring("BP_FUNCTION_FRAMEWORK=nativ is not a framework mode")))
				})
			})
		})

		it("uses the framework the app depends on", func() {
			write("package.json", `{"dependencies":{"@kiln-dev/functions-framework":"^0.1.0"}}`)
			write("index.js", "exports.hello = () => {};\n")
			own := filepath.Join(ctx.ApplicationPath, "node_modules", "@kiln-dev", "functions-framework")
			Expect(os.MkdirAll(filepath.Dir(own), 0o755)).To(Succeed())
			out, err := exec.Command("cp", "-r", filepath.Join(ctx.Buildpack.Path, "framework"), own).CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(out))
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Processes[0].Command[1]).To(Equal(filepath.Join(own, "bin", "serve.js")))
		})
	})
}

func TestDetect(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(dir, "index.js"), nil, 0o644)).To(Succeed())
	t.Setenv("FUNC_NAME", "")
	res, _ := nodefunction.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeFalse())
	t.Setenv("FUNC_NAME", "f")
	res, _ = nodefunction.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeTrue())
}
