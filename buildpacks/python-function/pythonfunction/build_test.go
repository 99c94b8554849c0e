package pythonfunction_test

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
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(exe.installs).To(Equal(1), "unchanged requirements: cache hit, no pip")
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
