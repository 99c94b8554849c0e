package gofunction

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"kiln.dev/kiln/buildpacks/internal/funcenv"
)

// FuzzAnalyzeSource: the analyzer reads any function source without
// panicking (errors name the file); every function it finds that FUNC_NAME
// may name resolves, and its generated main.go is valid Go with one main
// func, whatever the registered name holds.
func FuzzAnalyzeSource(f *testing.F) {
	for _, s := range []string{
		"package hello\n\nimport \"net/http\"\n\nfunc HelloWorld(w http.ResponseWriter, r *http.Request) {}\n",
		"package hello\n\nimport (\n\t\"context\"\n\n\t\"kiln.dev/functions-framework-go/cloudevents\"\n)\n\nfunc OnEvent(ctx context.Context, e cloudevents.Event) error { return nil }\n",
		"package hello\n\nimport \"kiln.dev/functions-framework-go/ofctx\"\n\nfunc Echo(ctx ofctx.Context, in []byte) (ofctx.Out, error) { return ctx.ReturnOnSuccess(), nil }\n",
		"package hello\n\nimport fx \"kiln.dev/functions-framework-go/functions\"\n\nfunc init() { fx.HTTP(\"Greeter\", greet); fx.CloudEvent(\"a*/b\", x); fx.OpenFunction(\"q\\\"\", y) }\n",
		"package hello\n\nimport \"kiln.dev/functions-framework-go/functions\"\n\nfunc init() { functions.HTTP(\"*/\\nfunc init() { panic(1) }\\n/*\", greet) }\n",
		"package hello\n\nimport (\n\t\"net/http\"\n\n\t\"github.com/OpenFunction/functions-framework-go/functions\"\n)\n\nfunc init() { functions.HTTP(\"Foo\", foo, functions.WithFunctionPath(\"/foo/{x}\")) }\n\nfunc foo(w http.ResponseWriter, r *http.Request) {}\n",
		"package hello\n\nimport (\n\t\"context\"\n\n\tcloudevents \"github.com/cloudevents/sdk-go/v2\"\n\tofctx \"github.com/OpenFunction/functions-framework-go/context\"\n)\n\nfunc On(ctx context.Context, e cloudevents.Event) error { return nil }\n\nfunc Echo(ctx ofctx.Context, in []byte) (ofctx.Out, error) { return nil, nil }\n",
		"package hello\n\nimport \"github.com/GoogleCloudPlatform/functions-framework-go/functions\"\n\nfunc init() { functions.Typed(\"T\", t); functions.HTTP(\"H\", h) }\n",
		"package hello\nfunc A(",
		"package main\nfunc main() {}\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		const file = "/app/hello.go"
		p := &Package{Name: "hello", Dir: "/app", Declarative: map[string]string{}, Exported: map[string]string{}}
		if err := p.addFile(token.NewFileSet(), file, src); err != nil {
			if !strings.Contains(err.Error(), file) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		names := map[string]bool{}
		for n := range p.Exported {
			names[n] = true
		}
		for n := range p.Declarative {
			names[n] = true
		}
		for name := range names {
			if strings.ContainsRune(name, 0) || strings.TrimSpace(name) != name {
				continue // no env var can carry it
			}
			t.Setenv("FUNC_NAME", name)
			t.Setenv("GOOGLE_FUNCTION_TARGET", "")
			if _, err := funcenv.CheckTarget(funcenv.Go); err != nil {
				continue
			}
			fn, err := p.Resolve(name, "")
			if err != nil {
				if !strings.Contains(err.Error(), "FUNC_NAME="+name) {
					t.Fatalf("resolve error does not name FUNC_NAME: %v", err)
				}
				continue
			}
			for _, o := range []MainOptions{{}, {CompatModule: OpenFunctionModule}, {Native: OpenFunctionFramework}, {Native: GoogleFramework}} {
				out, err := RenderMainWith("example.com/hello", fn, o)
				if err != nil {
					t.Fatalf("RenderMain(%+v, %+v): %v", fn, o, err)
				}
				checkMain(t, out)
			}
		}
	})
}

// checkMain fails unless out is valid Go with one func, main, in package main.
func checkMain(t *testing.T, out []byte) {
	t.Helper()
	gen, err := parser.ParseFile(token.NewFileSet(), "main.go", out, parser.ParseComments)
	if err != nil {
		t.Fatalf("generated main.go does not parse: %v\n%s", err, out)
	}
	mains := 0
	for _, d := range gen.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			if fd.Name.Name != "main" {
				t.Fatalf("generated main.go declares func %s:\n%s", fd.Name.Name, out)
			}
			mains++
		}
	}
	if gen.Name.Name != "main" || mains != 1 {
		t.Fatalf("generated main.go is not one main func in package main:\n%s", out)
	}
}
