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
	// Multiple is the signature label of an image that serves every
	// function registered with a path (FUNC_NAME names none of them).
	Multiple = "multiple"
)

// Modules of the frameworks Kiln's compatibility layers stand in for, and of
// sdk-go, whose CloudEvent type they use.
const (
	OpenFunctionModule = "github.com/OpenFunction/functions-framework-go"
	GoogleModule       = "github.com/GoogleCloudPlatform/functions-framework-go"
	SDKModule          = "github.com/cloudevents/sdk-go/v2"
)

// Framework names.
const (
	OpenFunctionFramework = "openfunction"
	GoogleFramework       = "google"
)

// Package is what the buildpack learns from the function's source.
type Package struct {
	Name        string
	Dir         string
	Declarative map[string]string // registered name -> signature
	Exported    map[string]string // exported func -> signature ("" when neither)
	// Registrations details each declarative registration.
	Registrations map[string]Registration
	// ExportedFramework names the framework whose types an exported
	// function's signature uses: "" (Kiln's or net/http only),
	// OpenFunctionFramework, or SDKEvents (sdk-go's CloudEvent type).
	ExportedFramework map[string]string
	// Imports lists the frameworks the package imports (Kiln's as "kiln").
	Imports map[string]bool
}

// Registration is one functions.HTTP/CloudEvent/OpenFunction/Typed call.
type Registration struct {
	Signature string
	// Framework is "" (Kiln's), OpenFunctionFramework or GoogleFramework.
	Framework string
	// Path is the path the function is registered at, when the source says
	// it literally ("/" for OpenFunction's default); HasPath says it has one
	// (a WithPath/WithFunctionPath option, or any OpenFunction registration).
	Path    string
	HasPath bool
}

// SDKEvents marks a signature using sdk-go's CloudEvent type.
const SDKEvents = "sdk-go"

// Function is the resolved target.
type Function struct {
	Name        string
	Signature   string
	Declarative bool
	// All means FUNC_NAME names no function but the package registers
	// functions at paths: every one is served at its path.
	All bool
	// Routes lists "Name (path)" of the functions served when All.
	Routes []string
	// Framework is the framework the function is written against: ""
	// (Kiln's), OpenFunctionFramework or GoogleFramework; SDKEvents for an
	// exported sdk-go CloudEvent function.
	Framework string
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
	p := &Package{Name: bp.Name, Dir: dir, Declarative: map[string]string{}, Exported: map[string]string{},
		Registrations: map[string]Registration{}, ExportedFramework: map[string]string{}, Imports: map[string]bool{}}
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
	p.initMaps()
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("the function package does not parse: %v: fix the source there (`go vet` reports the same)", err)
	}
	imports := importNames(f)
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
			p.Exported[fd.Name.Name], p.ExportedFramework[fd.Name.Name] = classify(fd.Type, imports)
		}
	}
	for path := range imports {
		for _, fw := range frameworkOf(path) {
			p.Imports[fw] = true
		}
	}
	for _, fw := range []struct{ pkg, name string }{
		{FrameworkModule + "/functions", ""},
		{OpenFunctionModule + "/functions", OpenFunctionFramework},
		{GoogleModule + "/functions", GoogleFramework},
	} {
		if alias, ok := imports[fw.pkg]; ok {
			p.collectRegistrations(f, alias, fw.name)
		}
	}
	return nil
}

// initMaps makes the maps a Package literal may leave nil.
func (p *Package) initMaps() {
	if p.Declarative == nil {
		p.Declarative = map[string]string{}
	}
	if p.Exported == nil {
		p.Exported = map[string]string{}
	}
	if p.Registrations == nil {
		p.Registrations = map[string]Registration{}
	}
	if p.ExportedFramework == nil {
		p.ExportedFramework = map[string]string{}
	}
	if p.Imports == nil {
		p.Imports = map[string]bool{}
	}
}

// frameworkOf names the framework an import path belongs to.
func frameworkOf(path string) []string {
	for _, fw := range []struct{ module, name string }{
		{FrameworkModule, "kiln"}, {OpenFunctionModule, OpenFunctionFramework}, {GoogleModule, GoogleFramework},
	} {
		if path == fw.module || strings.HasPrefix(path, fw.module+"/") {
			return []string{fw.name}
		}
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

// classify recognises the function signatures of Kiln's framework, and the
// same signatures written with OpenFunction's ofctx or sdk-go's CloudEvent
// type; it also says whose types the signature uses.
func classify(ft *ast.FuncType, imports map[string]string) (sig, framework string) {
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
	isError := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && id.Name == "error"
	}
	if len(params) == 2 && len(results) == 0 && isSel(params[0], "net/http", "ResponseWriter") {
		if st, ok := params[1].(*ast.StarExpr); ok && isSel(st.X, "net/http", "Request") {
			return HTTP, ""
		}
	}
	for _, ofctx := range []struct{ path, framework string }{
		{FrameworkModule + "/ofctx", ""}, {OpenFunctionModule + "/context", OpenFunctionFramework},
	} {
		if len(params) == 2 && len(results) == 2 && isSel(params[0], ofctx.path, "Context") && isByteSlice(params[1]) &&
			isSel(results[0], ofctx.path, "Out") && isError(results[1]) {
			return OpenFunction, ofctx.framework
		}
	}
	if len(params) == 2 && len(results) == 1 && isSel(params[0], "context", "Context") && isError(results[0]) {
		switch {
		case isSel(params[1], FrameworkModule+"/cloudevents", "Event"):
			return CloudEvent, ""
		case isSel(params[1], SDKModule, "Event"), isSel(params[1], SDKModule+"/event", "Event"):
			return CloudEvent, SDKEvents
		}
	}
	return "", ""
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

// collectRegistrations finds alias.HTTP("Name", …) and its kin (alias is
// the name framework's functions package has in the file).
func (p *Package) collectRegistrations(f *ast.File, alias, framework string) {
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
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
		var sig string
		switch sel.Sel.Name {
		case "HTTP":
			sig = HTTP
		case "CloudEvent":
			sig = CloudEvent
		case "OpenFunction":
			if framework == GoogleFramework {
				return true
			}
			sig = OpenFunction
		case "Typed":
			if framework != GoogleFramework {
				return true
			}
			sig = HTTP
		default:
			return true
		}
		r := Registration{Signature: sig, Framework: framework}
		if framework == OpenFunctionFramework {
			r.Path, r.HasPath = "/", true // OpenFunction's default path
		}
		for _, arg := range call.Args[2:] {
			if path, ok := pathOption(arg, alias); ok {
				r.Path, r.HasPath = path, true
			}
		}
		p.Declarative[name] = sig
		p.Registrations[name] = r
		return true
	})
}

// pathOption recognises alias.WithPath(…) / alias.WithFunctionPath(…) and
// returns the path when it is a string literal ("" when it is not).
func pathOption(arg ast.Expr, alias string) (string, bool) {
	call, ok := arg.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || (sel.Sel.Name != "WithPath" && sel.Sel.Name != "WithFunctionPath") {
		return "", false
	}
	if x, ok := sel.X.(*ast.Ident); !ok || x.Name != alias {
		return "", false
	}
	if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
		path, _ := strconv.Unquote(lit.Value)
		return path, true
	}
	return "", true
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
		fn = Function{Name: target, Signature: sig, Declarative: true, Framework: p.Registrations[target].Framework}
	} else if sig, ok := p.Exported[target]; ok {
		if sig == "" {
			return Function{}, fmt.Errorf("FUNC_NAME=%s: func %s in package %s has none of the supported signatures:\n  http:         func(http.ResponseWriter, *http.Request)\n  cloudevent:   func(context.Context, cloudevents.Event) error  (cloudevents = %s/cloudevents, or sdk-go's with OpenFunction's or Google's framework)\n  openfunction: func(ofctx.Context, []byte) (ofctx.Out, error)  (ofctx = %s/ofctx, or OpenFunction's)", target, target, p.Name, FrameworkModule, FrameworkModule)
		}
		fn = Function{Name: target, Signature: sig, Framework: p.ExportedFramework[target]}
	} else if routes := p.routes(); len(routes) > 0 {
		return Function{Name: target, Signature: Multiple, Declarative: true, All: true, Routes: routes}, nil
	} else {
		return Function{}, fmt.Errorf("FUNC_NAME=%s: no such function in package %s (%s). %s", target, p.Name, p.Dir, p.candidates())
	}
	if wantSignature != "" && wantSignature != fn.Signature {
		return Function{}, fmt.Errorf("%s=%s, but %s is a %s function; set %s=%s or leave it unset", sigVar, wantSignature, target, fn.Signature, sigVar, fn.Signature)
	}
	return fn, nil
}

// routes lists the registrations that have a path, "Name (path)", sorted.
func (p *Package) routes() []string {
	var out []string
	for n, r := range p.Registrations {
		if !r.HasPath {
			continue
		}
		path := r.Path
		if path == "" {
			path = "a path set at run time"
		}
		out = append(out, fmt.Sprintf("%s (%s)", n, path))
	}
	sort.Strings(out)
	return out
}

// HasOpenFunction says whether any registration has the OpenFunction signature.
func (p *Package) HasOpenFunction() bool {
	for _, r := range p.Registrations {
		if r.Signature == OpenFunction {
			return true
		}
	}
	return false
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
