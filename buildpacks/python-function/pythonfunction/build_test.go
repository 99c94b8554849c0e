package pythonfunction_test

import (
	"crypto/sha256"
	"fmt"
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
	"golang.org/x/mod/sumdb/dirhash"

	"kiln.dev/kiln/buildpacks/internal/bptest"
	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/python-function/pyindex"
	"kiln.dev/kiln/buildpacks/python-function/pythonfunction"
)

type countingPip struct {
	command.ExecExecutor
	installs int
}

func (c *countingPip) Run(cmd command.Command) error {
	if strings.Contains(strings.Join(cmd.Args, " "), "-m pip install") {
		c.installs++
	}
	return c.ExecExecutor.Run(cmd)
}

// These run the host's real python3 (with venv/ensurepip) and pip against a
// local package index the test serves.
func TestBuild(t *testing.T) {
	spec.Run(t, "Build", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect = NewWithT(t).Expect
			ctx    libcnb.BuildContext
			exe    *countingPip
			b      pythonfunction.Builder
			index  *pyindex.Index
			write  = func(name, content string) {
				Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, name), []byte(content), 0o644)).To(Succeed())
			}
		)
		it.Before(func() {
			var err error
			index, err = pyindex.Serve()
			Expect(err).NotTo(HaveOccurred())
			Expect(index.Add("kiln-greeting", "1.0.0", map[string]string{"kiln_greeting/__init__.py": "def greet(n):\n    return f'Greetings, {n}.'\n"})).To(Succeed())
			t.Setenv("PIP_INDEX_URL", index.URL)
			t.Setenv("PIP_TRUSTED_HOST", "127.0.0.1")
			t.Setenv("FUNC_NAME", "hello")
			bp := t.TempDir()
			out, err := exec.Command("cp", "-r", "../../../framework-templates/python", filepath.Join(bp, "framework")).CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(out))
			ctx = libcnb.BuildContext{ApplicationPath: t.TempDir(), Layers: libcnb.Layers{Path: t.TempDir()},
				Buildpack: libcnb.Buildpack{Path: bp, Metadata: map[string]interface{}{"framework-version": "0.1.0"}}}
			exe = &countingPip{}
			b = pythonfunction.Builder{Logger: log.NewDiscardLogger(), Executor: exe}
		})
		it.After(func() { index.Close() })

		it("serves main.py with the carried framework, compiled reproducibly", func() {
			write("main.py", "def hello(request):\n    return 'hi'\n\ndef other(request):\n    return 'x'\n")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{"python3", "-m", "kiln_functions_framework"}, Default: true}}))
			launch := result.Layers[len(result.Layers)-1]
			Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "hello"))
			Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SOURCE.default", filepath.Join(ctx.ApplicationPath, "main.py")))
			Expect(launch.LaunchEnvironment["PYTHONPATH.default"]).To(Equal(filepath.Join(ctx.Layers.Path, "framework")))
			Expect(filepath.Join(ctx.Layers.Path, "framework", "kiln_functions_framework", "__main__.py")).To(BeAnExistingFile())
			// the layer's SBOM: the framework with its version and the h1 of its files.
			h1, err := dirhash.HashDir(filepath.Join(ctx.Layers.Path, "framework", "kiln_functions_framework"), "", dirhash.Hash1)
			Expect(err).NotTo(HaveOccurred())
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "framework.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"type": "framework",
      "name": "kiln_functions_framework",
      "version": "0.1.0",
      "purl": "pkg:generic/kiln_functions_framework@0.1.0",
      "properties": [
        {
          "name": "kiln:h1",
          "value": "` + h1 + `"`))
			Expect(string(doc)).NotTo(ContainSubstring("kiln_compat"), "no compatibility modules were injected")
			pycs, _ := filepath.Glob(filepath.Join(ctx.ApplicationPath, "__pycache__", "main.*.pyc"))
			Expect(pycs).To(HaveLen(1))
			pyc, _ := os.ReadFile(pycs[0])
			Expect(pyc[4]).To(Equal(byte(1)), "hash-based .pyc (PEP 552 flags=1), no source mtime inside")
			Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("PYTHONPYCACHEPREFIX.default", filepath.Join(launch.Path, "pycache")))
			var stdlib []string
			filepath.Walk(filepath.Join(launch.Path, "pycache"), func(p string, _ os.FileInfo, _ error) error {
				if strings.HasSuffix(filepath.Dir(p), filepath.Join("python3.11", "http")) && strings.HasPrefix(filepath.Base(p), "server.") {
					stdlib = append(stdlib, p)
				}
				return nil
			})
			Expect(stdlib).NotTo(BeEmpty(), "the stdlib modules the server imports are precompiled")
		})

		it("installs requirements.txt from the configured index into a cached layer, once", func() {
			write("requirements.txt", "kiln-greeting==1.0.0\n")
			write("main.py", "from kiln_greeting import greet\n\ndef hello(request):\n    return greet('x')\n")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			pkgs := filepath.Join(ctx.Layers.Path, "packages", "lib")
			Expect(filepath.Join(pkgs, "kiln_greeting", "__init__.py")).To(BeAnExistingFile())
			var packages libcnb.Layer
			for _, l := range result.Layers {
				if l.Name == "packages" {
					packages = l
				}
			}
			Expect(packages.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Launch: true, Cache: true}))
			Expect(filepath.Join(ctx.Layers.Path, "packages", "lib", "pip")).NotTo(BeAnExistingFile(), "pip stays out of the image")
			doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "packages.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:pypi/kiln-greeting@1.0.0"`), "the layer's SBOM lists what pip installed")
			// with the SHA-256 of the wheel it came from (pip's report), on a cache hit too.
			whl, _, err := pyindex.Wheel("kiln-greeting", "1.0.0", map[string]string{"kiln_greeting/__init__.py": "def greet(n):\n    return f'Greetings, {n}.'\n"})
			Expect(err).NotTo(HaveOccurred())
			withHash := fmt.Sprintf(`"purl": "pkg:pypi/kiln-greeting@1.0.0",
      "hashes": [
        {
          "alg": "SHA-256",
          "content": "%x"`, sha256.Sum256(whl))
			Expect(string(doc)).To(ContainSubstring(withHash))
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(exe.installs).To(Equal(1), "unchanged requirements: cache hit, no pip")
			doc, err = os.ReadFile(filepath.Join(ctx.Layers.Path, "packages.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(doc)).To(ContainSubstring(withHash))
			write("requirements.txt", "kiln-greeting>=1.0\n")
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(exe.installs).To(Equal(2), "changed requirements: miss")
		})

		it("shows pip's error when a requirement cannot be installed", func() {
			write("requirements.txt", "kiln-not-in-the-index==9.9\n")
			write("main.py", "def hello(request):\n    pass\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("installing requirements.txt failed")))
			Expect(err).To(MatchError(ContainSubstring("kiln-not-in-the-index")))
		})

		it("lists the functions when FUNC_NAME names none of them", func() {
			t.Setenv("FUNC_NAME", "nope")
			write("main.py", "import os\n\ndef hello(request):\n    pass\n\ndef bye(request):\n    pass\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(`FUNC_NAME=nope: main.py has no function "nope"; functions it defines: bye, hello`))
		})

		it("reports a syntax error", func() {
			write("main.py", "def hello(request)\n    pass\n")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("syntax error")))
			Expect(err).To(MatchError(ContainSubstring("main.py")))
		})

		it("asks for main.py or FUNC_SRC when the entry file is missing", func() {
			write("requirements.txt", "")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("no function source file main.py")))
		})

		when("the function is written for Google's functions_framework or OpenFunction's", func() {
			gcfMain := "import functions_framework\nfrom kiln_greeting import greet\n\n@functions_framework.http\ndef hello(request):\n    return greet(request.get_data(as_text=True))\n\n" +
				"@functions_framework.cloud_event\ndef on_event(cloud_event):\n    print(cloud_event['id'])\n"
			launchOf := func(result libcnb.BuildResult) libcnb.Layer {
				for _, l := range result.Layers {
					if l.Name == "function" {
						return l
					}
				}
				return libcnb.Layer{}
			}

			it("installs everything but the framework, and serves it with the compatibility layer", func() {
				write("requirements.txt", "functions-framework==3.*\nkiln-greeting==1.0.0\n")
				write("main.py", gcfMain)
				t.Setenv("FUNC_NAME", "on_event")
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred(), "the test index has no functions-framework: pip was not asked for it")
				Expect(filepath.Join(ctx.Layers.Path, "packages", "lib", "kiln_greeting", "__init__.py")).To(BeAnExistingFile())
				Expect(filepath.Join(ctx.Layers.Path, "framework", "kiln_compat", "functions_framework", "__init__.py")).To(BeAnExistingFile())
				Expect(filepath.Join(ctx.Layers.Path, "framework", "kiln_compat", "flask", "__init__.py")).To(BeAnExistingFile())
				doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "framework.sbom.cdx.json"))
				Expect(err).NotTo(HaveOccurred())
				Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:generic/kiln_compat@0.1.0"`), "the compatibility modules the layer holds")
				launch := launchOf(result)
				Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("KILN_FUNCTION_COMPAT.default", "google"))
				Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SIGNATURE_TYPE.default", "cloudevent"), "the decorator's registration sets the signature")
				Expect(launch.LaunchEnvironment["PYTHONPATH.default"]).To(Equal(filepath.Join(ctx.Layers.Path, "framework") + ":" + filepath.Join(ctx.Layers.Path, "packages", "lib")))
				Expect(result.Processes[0].Command).To(Equal([]string{"python3", "-m", "kiln_functions_framework"}))
				Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.function.signature", Value: "cloudevent"}))
				var packages libcnb.Layer
				for _, l := range result.Layers {
					if l.Name == "packages" {
						packages = l
					}
				}
				Expect(packages.Metadata).To(HaveKeyWithValue("not-installed", "functions-framework==3.*"))
			})

			it("runs no pip when the framework is all requirements.txt lists", func() {
				write("requirements.txt", "functions-framework==3.*\n")
				write("main.py", "import functions_framework\n\n@functions_framework.http\ndef hello(request):\n    return request.args.get('name', 'World')\n")
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(exe.installs).To(Equal(0))
				for _, l := range result.Layers {
					Expect(l.Name).NotTo(Equal("packages"))
				}
				Expect(launchOf(result).LaunchEnvironment["PYTHONPATH.default"]).To(Equal(filepath.Join(ctx.Layers.Path, "framework")))
			})

			it("finds Google's framework by its import alone, and OpenFunction's context style", func() {
				write("main.py", "import functions_framework\n\n@functions_framework.http\ndef hello(request):\n    return 'x'\n")
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(launchOf(result).LaunchEnvironment).To(HaveKeyWithValue("KILN_FUNCTION_COMPAT.default", "google"))
				write("requirements.txt", "ofn-functions-framework==0.2.0\n")
				write("main.py", "from functions_framework.context.user_context import UserContext\n\ndef hello(context: UserContext):\n    return 'hello world'\n")
				result, err = b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(launchOf(result).LaunchEnvironment).To(HaveKeyWithValue("KILN_FUNCTION_COMPAT.default", "openfunction"))
				Expect(launchOf(result).LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SIGNATURE_TYPE.default", "openfunction"))
			})

			it("wires nothing in for a Kiln-native function", func() {
				write("main.py", "def hello(request):\n    return 'hi'\n")
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(launchOf(result).LaunchEnvironment).NotTo(HaveKey("KILN_FUNCTION_COMPAT.default"))
				Expect(filepath.Join(ctx.Layers.Path, "framework", "kiln_compat")).NotTo(BeAnExistingFile())
			})

			when("BP_FUNCTION_FRAMEWORK=native", func() {
				it.Before(func() {
					t.Setenv("BP_FUNCTION_FRAMEWORK", "native")
					Expect(index.Add("functions-framework", "3.8.1", map[string]string{
						"functions_framework/__init__.py": "def http(f):\n    return f\n",
						"functions_framework/__main__.py": "print('the real one')\n",
					})).To(Succeed())
				})

				it("installs the framework and makes its CLI the web process, without Kiln's framework", func() {
					write("requirements.txt", "functions-framework==3.8.1\n")
					write("main.py", "import functions_framework\n\n@functions_framework.http\ndef hello(request):\n    return 'x'\n")
					result, err := b.Build(ctx)
					Expect(err).NotTo(HaveOccurred())
					Expect(filepath.Join(ctx.Layers.Path, "packages", "lib", "functions_framework", "__main__.py")).To(BeAnExistingFile())
					Expect(filepath.Join(ctx.Layers.Path, "framework")).NotTo(BeAnExistingFile())
					Expect(result.Processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{"python3", "-m", "functions_framework"}, Default: true}}))
					launch := launchOf(result)
					Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("PYTHONPATH.default", filepath.Join(ctx.Layers.Path, "packages", "lib")))
					Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "hello"))
					Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SOURCE.default", filepath.Join(ctx.ApplicationPath, "main.py")))
					Expect(launch.LaunchEnvironment).NotTo(HaveKey("KILN_FUNCTION_COMPAT.default"))
					Expect(result.Labels).To(ContainElement(libcnb.Label{Key: "dev.kiln.framework.version", Value: "functions-framework 3.8.1 (native)"}))
					run := exec.Command("python3", "-m", "functions_framework")
					run.Env = append(os.Environ(), "PYTHONPATH="+launch.LaunchEnvironment["PYTHONPATH.default"])
					out, err := run.CombinedOutput()
					Expect(err).NotTo(HaveOccurred(), string(out))
					Expect(string(out)).To(Equal("the real one\n"), "the web process runs the installed framework")
				})

				it("names what does not fit", func() {
					write("main.py", "def hello(request):\n    return 'x'\n")
					_, err := b.Build(ctx)
					Expect(err).To(MatchError(ContainSubstring("BP_FUNCTION_FRAMEWORK=native: requirements.txt does not require functions-framework or ofn-functions-framework")))
					write("requirements.txt", "functions-framework\nofn-functions-framework\n")
					_, err = b.Build(ctx)
					Expect(err).To(MatchError(ContainSubstring("requires both functions-framework and ofn-functions-framework")))
					write("requirements.txt", "functions-framework==3.8.1\n")
					t.Setenv("FUNC_SIGNATURE_TYPE", "openfunction")
					_, err = b.Build(ctx)
					Expect(err).To(MatchError("FUNC_SIGNATURE_TYPE=openfunction: functions-framework serves http, cloudevent"))
					Expect(exe.installs).To(Equal(0), "checked before pip runs")
				})
			})
		})

		it("takes the file from FUNC_SRC", func() {
			t.Setenv("FUNC_SRC", "fn.py")
			write("fn.py", "def hello(request):\n    pass\n")
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
		})
	})
}

func TestDetect(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(dir, "main.py"), nil, 0o644)).To(Succeed())
	t.Setenv("FUNC_NAME", "")
	res, _ := pythonfunction.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeFalse())
	t.Setenv("FUNC_NAME", "f")
	res, _ = pythonfunction.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeTrue())
}
