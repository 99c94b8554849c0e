package pythonfunction_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/bptest"
	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/python-function/pythonfunction"
)

// fakePython answers python3 --version and the framework's check, and
// records pip installs, so input handling is tested without Python.
type fakePython struct{ installs int }

func (f *fakePython) Run(c command.Command) error {
	args := strings.Join(c.Args, " ")
	switch {
	case strings.HasSuffix(args, "--version"):
		io.WriteString(c.Stdout, "Python 3.11.2\n")
	case strings.Contains(args, "kiln_functions_framework.check"):
		io.WriteString(c.Stdout, `{"exports": ["hello"]}`+"\n")
	case strings.Contains(args, "-m pip install"):
		f.installs++
		for i, a := range c.Args {
			if a == "--target" {
				return os.MkdirAll(c.Args[i+1], 0o755)
			}
		}
	}
	return nil
}

func inputsCtx(t *testing.T) libcnb.BuildContext {
	bp := t.TempDir()
	fw := filepath.Join(bp, "framework", pythonfunction.FrameworkPackage)
	if err := os.MkdirAll(fw, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(fw, "__init__.py"), nil, 0o644)
	app := t.TempDir()
	os.WriteFile(filepath.Join(app, "main.py"), []byte("def hello(request):\n    return 'hi'\n"), 0o644)
	return libcnb.BuildContext{ApplicationPath: app, Layers: libcnb.Layers{Path: t.TempDir()},
		Buildpack: libcnb.Buildpack{Path: bp, Metadata: map[string]interface{}{"framework-version": "0.1.0"}}}
}

// Malformed inputs stop the build before pip, naming the file or env var.
func TestBuildInputErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		env   map[string]string
		files map[string]string
		want  string
	}{
		{"requirements.txt typo", nil, map[string]string{"requirements.txt": "flask=3.0.3\n"}, `requirements.txt line 1: "flask=3.0.3" is not a valid requirement: pin with ==, e.g. flask==3.0.3`},
		{"requirements.txt editable", nil, map[string]string{"requirements.txt": "-e .\n"}, `requirements.txt line 1: -e .: editable installs do not work in an image (packages are found through PYTHONPATH, which ignores the .pth file an editable install relies on): drop the -e and write .`},
		{"requirements.txt index-url", nil, map[string]string{"requirements.txt": "--index-url pypi\n"}, `requirements.txt line 1: --index-url pypi is not an http(s) or file URL: write e.g. --index-url https://pypi.org/simple/`},
		{"requirements.txt missing include", nil, map[string]string{"requirements.txt": "-r base.txt\n"}, `requirements.txt line 1: --requirement base.txt: no such file in the function's directory (paths are relative to requirements.txt)`},
		{"pip.conf without section", nil, map[string]string{"pip.conf": "index-url = https://x.example/simple\n"}, `pip.conf line 1: "index-url = https://x.example/simple" comes before any section: put it under [global]`},
		{"FUNC_SIGNATURE_TYPE bogus", map[string]string{"FUNC_SIGNATURE_TYPE": "grpc"}, nil, `FUNC_SIGNATURE_TYPE=grpc is not supported for Python functions (want one of: http, cloudevent, openfunction)`},
		{"GOOGLE_FUNCTION_SIGNATURE_TYPE bogus", map[string]string{"GOOGLE_FUNCTION_SIGNATURE_TYPE": "typed"}, nil, `GOOGLE_FUNCTION_SIGNATURE_TYPE=typed is not supported for Python functions (want one of: http, cloudevent, openfunction)`},
		{"FUNC_NAME not an identifier", map[string]string{"FUNC_NAME": "hello-world"}, nil, `FUNC_NAME="hello-world" is not a Python identifier: name the function as main.py defines it, e.g. FUNC_NAME=hello (letters, digits and _, not starting with a digit)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			Expect := NewWithT(t).Expect
			t.Setenv("FUNC_NAME", "hello")
			for _, k := range []string{"FUNC_SIGNATURE_TYPE", "FUNC_TYPE", "GOOGLE_FUNCTION_SIGNATURE_TYPE"} {
				t.Setenv(k, "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			ctx := inputsCtx(t)
			for name, content := range tt.files {
				os.WriteFile(filepath.Join(ctx.ApplicationPath, name), []byte(content), 0o644)
			}
			py := &fakePython{}
			_, err := pythonfunction.Builder{Logger: log.NewDiscardLogger(), Executor: py}.Build(ctx)
			Expect(err).To(MatchError(tt.want))
			Expect(py.installs).To(BeZero())
		})
	}
}

// A file requirements.txt includes with -r keys the packages layer: editing
// it installs again, an unchanged rebuild does not.
func TestIncludedRequirementsKeyTheCache(t *testing.T) {
	Expect := NewWithT(t).Expect
	t.Setenv("FUNC_NAME", "hello")
	ctx := inputsCtx(t)
	os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), []byte("-r base.txt\n"), 0o644)
	os.WriteFile(filepath.Join(ctx.ApplicationPath, "base.txt"), []byte("flask==3.0.3\n"), 0o644)
	py := &fakePython{}
	b := pythonfunction.Builder{Logger: log.NewDiscardLogger(), Executor: py}
	for i, base := range []string{"flask==3.0.3\n", "flask==3.0.3\n", "flask==3.1.0\n"} {
		os.WriteFile(filepath.Join(ctx.ApplicationPath, "base.txt"), []byte(base), 0o644)
		result, err := b.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), fmt.Sprint("build ", i))
		Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
	}
	Expect(py.installs).To(Equal(2), "install, cache hit, install after base.txt changed")
}

// GOOGLE_FUNCTION_SIGNATURE_TYPE sets the signature like FUNC_SIGNATURE_TYPE,
// which wins when both are set.
func TestGoogleSignatureAlias(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GOOGLE_FUNCTION_SIGNATURE_TYPE": "cloudevent"}, "cloudevent"},
		{map[string]string{"GOOGLE_FUNCTION_SIGNATURE_TYPE": "cloudevent", "FUNC_SIGNATURE_TYPE": "http"}, "http"},
		{map[string]string{"GOOGLE_FUNCTION_SIGNATURE_TYPE": "http", "FUNC_TYPE": "openfunction"}, "openfunction"},
	} {
		Expect := NewWithT(t).Expect
		t.Setenv("FUNC_NAME", "")
		t.Setenv("GOOGLE_FUNCTION_TARGET", "hello")
		for _, k := range []string{"FUNC_SIGNATURE_TYPE", "FUNC_TYPE", "GOOGLE_FUNCTION_SIGNATURE_TYPE"} {
			t.Setenv(k, tt.env[k])
		}
		result, err := pythonfunction.Builder{Logger: log.NewDiscardLogger(), Executor: &fakePython{}}.Build(inputsCtx(t))
		Expect(err).NotTo(HaveOccurred())
		launch := result.Layers[len(result.Layers)-1]
		Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_SIGNATURE_TYPE.default", tt.want), fmt.Sprint(tt.env))
		Expect(launch.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "hello"))
	}
}
