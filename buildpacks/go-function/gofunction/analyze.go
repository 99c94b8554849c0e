package gofunction

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// FrameworkModule is the module path of Kiln's Go functions framework.
const FrameworkModule = "kiln.dev/functions-framework-go"

// Signature types (FUNC_SIGNATURE_TYPE values).
const (
	HTTP       = "http"
	CloudEvent = "cloudevent"
	// OpenFunction is func(ofctx.Context, []byte) (ofctx.Out, error): served
	// over HTTP, or from Dapr inputs when FUNC_CONTEXT says runtime Async.
	OpenFunction = "openfunction"
)

// Package is what the buildpack learns from the function's source.
type Package struct {
	Name        string
	Dir         string
	Declarative map[string]string // registered name -> signature
	Exported    map[string]string // exported func -> signature ("" when neither)
}

// Function is the resolved target.
type Function struct {
	Name        string
	Signature   string
	Declarative bool
}

// Analyze parses the non-test Go files of dir that build for linux with CGO off.
func Analyze(dir string) (*Package, error) {
	bctx := build.Default
	bctx.GOOS, bctx.CgoEnabled = "linux", false
	bp, err := bctx.ImportDir(dir, 0)
	if err != nil {
		if _, ok := err.(*build.NoGoError); ok {
			return nil, fmt.Errorf("no Go files in %s: the function package goes at the module root, or set FUNC_SRC to its directory", dir)
		}
		return nil, fmt.Errorf("reading package in %s: %w", dir, err)
	}
	fset := token.NewFileSet()
	p := &Package{Name: bp.Name, Dir: dir, Declarative: map[string]string{}, Exported: map[string]string{}}
	for _, name := range bp.GoFiles {
		if err := p.addFile(fset, filepath.Join(dir, name), nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addFile parses one source file (src, a string or []byte, or the file at
// path when src is nil) and records its exported functions and framework
// registrations.
func (p *Package) addFile(fset *token.FileSet, path string, src any) error {
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("the function package does not parse: %v: fix the source there (`go vet` reports the same)", err)
	}
	imports := importNames(f)
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
			p.Exported[fd.Name.Name] = classify(fd.Type, imports)
		}
	}
	if fnAlias, ok := imports[FrameworkModule+"/functions"]; ok {
		collectRegistrations(f, fnAlias, p.Declarative)
	}
	return nil
}

// importNames maps import path -> the name it is referred to by in the file.
func importNames(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		m[path] = name
	}
	return m
}

// classify recognises the two function signatures of the framework.
func classify(ft *ast.FuncType, imports map[string]string) string {
	params := flatten(ft.Params)
	var results []ast.Expr
	if ft.Results != nil {
		results = flatten(ft.Results)
	}
	isSel := func(e ast.Expr, path, sel string) bool {
		s, ok := e.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		x, ok := s.X.(*ast.Ident)
		return ok && imports[path] != "" && x.Name == imports[path] && s.Sel.Name == sel
	}
	if len(params) == 2 && len(results) == 0 && isSel(params[0], "net/http", "ResponseWriter") {
		if st, ok := params[1].(*ast.StarExpr); ok && isSel(st.X, "net/http", "Request") {
			return HTTP
		}
	}
	if len(params) == 2 && len(results) == 2 && isSel(params[0], FrameworkModule+"/ofctx", "Context") && isByteSlice(params[1]) &&
		isSel(results[0], FrameworkModule+"/ofctx", "Out") {
		if id, ok := results[1].(*ast.Ident); ok && id.Name == "error" {
			return OpenFunction
		}
	}
	if len(params) == 2 && len(results) == 1 && isSel(params[0], "context", "Context") &&
		isSel(params[1], FrameworkModule+"/cloudevents", "Event") {
		if id, ok := results[0].(*ast.Ident); ok && id.Name == "error" {
			return CloudEvent
		}
	}
	return ""
}

func isByteSlice(e ast.Expr) bool {
	a, ok := e.(*ast.ArrayType)
	if !ok || a.Len != nil {
		return false
	}
	id, ok := a.Elt.(*ast.Ident)
	return ok && (id.Name == "byte" || id.Name == "uint8")
}

func flatten(fl *ast.FieldList) []ast.Expr {
	var out []ast.Expr
	for _, f := range fl.List {
		n := len(f.Names)
		if n == 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			out = append(out, f.Type)
		}
	}
	return out
}

// collectRegistrations finds functions.HTTP("Name", …) / functions.CloudEvent("Name", …).
func collectRegistrations(f *ast.File, alias string, into map[string]string) {
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != alias {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		name, _ := strconv.Unquote(lit.Value)
		switch sel.Sel.Name {
		case "HTTP":
			into[name] = HTTP
		case "CloudEvent":
			into[name] = CloudEvent
		case "OpenFunction":
			into[name] = OpenFunction
		}
		return true
	})
}

// Resolve finds target in the package and checks it against the wanted
// signature type (FUNC_SIGNATURE_TYPE; "" accepts what the source says).
func (p *Package) Resolve(target, wantSignature string) (Function, error) {
	return p.ResolveAs(target, "FUNC_SIGNATURE_TYPE", wantSignature)
}

// ResolveAs is Resolve with the env var that carried the wanted signature
// (FUNC_SIGNATURE_TYPE, FUNC_TYPE or GOOGLE_FUNCTION_SIGNATURE_TYPE) named in
// a mismatch.
func (p *Package) ResolveAs(target, sigVar, wantSignature string) (Function, error) {
	if p.Name == "main" {
		return Function{}, fmt.Errorf("the function package in %s is package main; a function lives in a library package (e.g. `package hello`): rename the package, or unset FUNC_NAME to build it as a plain Go program", p.Dir)
	}
	var fn Function
	if sig, ok := p.Declarative[target]; ok {
		fn = Function{Name: target, Signature: sig, Declarative: true}
	} else if sig, ok := p.Exported[target]; ok {
		if sig == "" {
			return Function{}, fmt.Errorf("FUNC_NAME=%s: func %s in package %s has none of the supported signatures:\n  http:         func(http.ResponseWriter, *http.Request)\n  cloudevent:   func(context.Context, cloudevents.Event) error  (cloudevents = %s/cloudevents)\n  openfunction: func(ofctx.Context, []byte) (ofctx.Out, error)  (ofctx = %s/ofctx)", target, target, p.Name, FrameworkModule, FrameworkModule)
		}
		fn = Function{Name: target, Signature: sig}
	} else {
		return Function{}, fmt.Errorf("FUNC_NAME=%s: no such function in package %s (%s). %s", target, p.Name, p.Dir, p.candidates())
	}
	if wantSignature != "" && wantSignature != fn.Signature {
		return Function{}, fmt.Errorf("%s=%s, but %s is a %s function; set %s=%s or leave it unset", sigVar, wantSignature, target, fn.Signature, sigVar, fn.Signature)
	}
	return fn, nil
}

func (p *Package) candidates() string {
	var names []string
	for n, sig := range p.Exported {
		if sig != "" {
			names = append(names, n)
		}
	}
	for n := range p.Declarative {
		names = append(names, n+" (registered)")
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "The package exports no function with a supported signature; export one, e.g. func HelloWorld(w http.ResponseWriter, r *http.Request)."
	}
	return "Functions it exports: " + strings.Join(names, ", ") + "."
}
