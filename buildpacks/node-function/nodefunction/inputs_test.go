package nodefunction_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/node-function/nodefunction"
)

type noNode struct{ t *testing.T }

func (n noNode) Run(c command.Command) error {
	n.t.Errorf("ran %v before rejecting the input", c.Args)
	return nil
}

// Malformed inputs of kiln/node-function stop the build before node runs.
func TestBuildInputErrors(t *testing.T) {
	for _, tt := range []struct {
		name        string
		env         map[string]string
		packageJSON string
		want        string
	}{
		{"FUNC_NAME with a space", map[string]string{"FUNC_NAME": "hello world"}, "",
			`FUNC_NAME="hello world" is not a name a module can export: give the exported function's name, e.g. FUNC_NAME=helloWorld, without spaces, quotes or control characters`},
		{"FUNC_SIGNATURE_TYPE bogus", map[string]string{"FUNC_NAME": "hello", "FUNC_SIGNATURE_TYPE": "grpc"}, "",
			`FUNC_SIGNATURE_TYPE=grpc is not supported for Node.js functions (want one of: http, cloudevent, openfunction)`},
		{"GOOGLE_FUNCTION_SIGNATURE_TYPE bogus", map[string]string{"GOOGLE_FUNCTION_TARGET": "hello", "GOOGLE_FUNCTION_SIGNATURE_TYPE": "typed"}, "",
			`GOOGLE_FUNCTION_SIGNATURE_TYPE=typed is not supported for Node.js functions (want one of: http, cloudevent, openfunction)`},
		{"package.json invalid", map[string]string{"FUNC_NAME": "hello"}, `{"main": "index.js",}`,
			`package.json is not valid JSON: line 1, column 21: invalid character '}' looking for beginning of object key string: fix the file there`},
		{"package.json main not a string", map[string]string{"FUNC_NAME": "hello"}, `{"main": ["index.js"]}`,
			`package.json: "main" must be a string (the function's file, e.g. "index.js"), not an array`},
		{"package.json main missing", map[string]string{"FUNC_NAME": "hello"}, `{"main": "src/fn.js"}`,
			`no function source file: tried package.json main ("src/fn.js", not found), index.js, function.js. Add index.js, set "main" in package.json, or set FUNC_SRC to the file`},
		{"FUNC_SRC missing", map[string]string{"FUNC_NAME": "hello", "FUNC_SRC": "fn.js"}, "",
			`FUNC_SRC=fn.js: no such file in the app`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			Expect := NewWithT(t).Expect
			for _, k := range []string{"FUNC_NAME", "GOOGLE_FUNCTION_TARGET", "FUNC_SIGNATURE_TYPE", "FUNC_TYPE", "GOOGLE_FUNCTION_SIGNATURE_TYPE", "FUNC_SRC"} {
				t.Setenv(k, tt.env[k])
			}
			app := t.TempDir()
			if tt.packageJSON != "" {
				Expect(os.WriteFile(filepath.Join(app, "package.json"), []byte(tt.packageJSON), 0o644)).To(Succeed())
			}
			ctx := libcnb.BuildContext{ApplicationPath: app, Layers: libcnb.Layers{Path: t.TempDir()}}
			_, err := nodefunction.Builder{Logger: log.NewDiscardLogger(), Executor: noNode{t}}.Build(ctx)
			Expect(err).To(MatchError(tt.want))
		})
	}
}
