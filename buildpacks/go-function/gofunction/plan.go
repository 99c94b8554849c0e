package gofunction

import (
	"fmt"
	"strings"

	"kiln.dev/kiln/buildpacks/internal/gomod"
)

// servingPlan is how the function is served.
type servingPlan struct {
	// native is the framework serving it itself (BP_FUNCTION_FRAMEWORK=native,
	// or a go.mod that replaces the framework with a fork); "" for Kiln's.
	native, nativeModule string
	// compats are the compatibility modules substituted in the build.
	compats []Compat
	// registerWith is the compatibility module whose functions package
	// registers an exported (not declarative) function written against it.
	registerWith string
	// label is LabelFramework's value; "" for a plain Kiln function.
	label string
}

// plan decides between Kiln's framework, its compatibility layers and the
// function's own framework.
func (b Builder) plan(mod *gomod.File, pkg *Package, fn Function) (servingPlan, error) {
	mode, err := Mode()
	if err != nil {
		return servingPlan{}, err
	}
	required, replaced := RequiredCompats(mod)
	for _, fw := range []string{OpenFunctionFramework, GoogleFramework} {
		if pkg.Imports[fw] && !requires(required, fw) && !requires(replaced, fw) {
			return servingPlan{}, fmt.Errorf("package %s imports %s, which go.mod does not require: run `go mod tidy`", pkg.Name, moduleOf(fw))
		}
	}
	if mode == ModeNative || len(replaced) > 0 {
		if len(replaced) > 0 && mode != ModeNative {
			b.Logger.Bodyf("go.mod replaces %s: building with that, as with %s=%s", compatNames(replaced), FrameworkEnv, ModeNative)
		}
		return nativePlan(append(required, replaced...), fn)
	}
	p := servingPlan{compats: required}
	if len(required) > 0 {
		p.label = compatNames(required) + " (Kiln compatibility layer)"
	}
	if fn.Declarative {
		return p, nil
	}
	switch fn.Framework {
	case OpenFunctionFramework:
		p.registerWith = OpenFunctionModule
	case SDKEvents:
		switch {
		case requires(required, OpenFunctionFramework):
			p.registerWith = OpenFunctionModule
		case requires(required, GoogleFramework):
			p.registerWith = GoogleModule
		default:
			return p, fmt.Errorf("FUNC_NAME=%s takes sdk-go's cloudevents.Event, which Kiln serves for functions written against OpenFunction's or Google's framework (go.mod requires neither): use Kiln's type (%s/cloudevents), or require one of those frameworks", fn.Name, FrameworkModule)
		}
	}
	return p, nil
}

// nativePlan serves fn with the framework its module requires.
func nativePlan(frameworks []Compat, fn Function) (servingPlan, error) {
	var fw Compat
	switch {
	case len(frameworks) == 0:
		return servingPlan{}, fmt.Errorf("%s=%s serves a function with OpenFunction's or Google's framework, but go.mod requires neither (%s, %s): unset it to use Kiln's framework", FrameworkEnv, ModeNative, OpenFunctionModule, GoogleModule)
	case fn.Framework == OpenFunctionFramework || fn.Framework == GoogleFramework:
		for _, c := range frameworks {
			if c.Name == fn.Framework {
				fw = c
			}
		}
	case len(frameworks) == 1:
		fw = frameworks[0]
	default:
		return servingPlan{}, fmt.Errorf("%s=%s: go.mod requires both %s and %s, and FUNC_NAME=%s does not say which serves it: register it with one of them", FrameworkEnv, ModeNative, OpenFunctionModule, GoogleModule, fn.Name)
	}
	if fw.Name == "" || (fn.Declarative && fn.Framework == "" && !fn.All) {
		return servingPlan{}, fmt.Errorf("%s=%s: FUNC_NAME=%s is written against Kiln's framework (%s), which only Kiln's framework serves: unset %s", FrameworkEnv, ModeNative, fn.Name, FrameworkModule, FrameworkEnv)
	}
	if !fn.Declarative && fn.Signature == OpenFunction && fn.Framework != OpenFunctionFramework {
		return servingPlan{}, fmt.Errorf("%s=%s: FUNC_NAME=%s takes Kiln's ofctx.Context; OpenFunction's framework needs its own (%s/context)", FrameworkEnv, ModeNative, fn.Name, OpenFunctionModule)
	}
	if fw.Name == GoogleFramework && fn.Signature == OpenFunction {
		return servingPlan{}, fmt.Errorf("%s=%s: Google's framework has no OpenFunction signature (FUNC_NAME=%s)", FrameworkEnv, ModeNative, fn.Name)
	}
	return servingPlan{native: fw.Name, nativeModule: fw.Module, label: fw.Module + " (native)"}, nil
}

func requires(cs []Compat, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}

func moduleOf(framework string) string {
	for _, c := range Compats {
		if c.Name == framework {
			return c.Module
		}
	}
	return framework
}

// logFunction says what is served.
func (b Builder) logFunction(fn Function, pkg *Package, p servingPlan) {
	if fn.All {
		b.Logger.Headerf("FUNC_NAME=%s names no registered function: serving every function package %s registers with a path (as OpenFunction does):", fn.Name, pkg.Name)
		for _, r := range fn.Routes {
			b.Logger.Bodyf("%s", r)
		}
		return
	}
	kind := "exported function"
	if fn.Declarative {
		reg := map[string]string{HTTP: "HTTP", CloudEvent: "CloudEvent", OpenFunction: "OpenFunction"}[fn.Signature]
		kind = "registered with functions." + reg
		if r := pkg.Registrations[fn.Name]; r.HasPath && r.Path != "" {
			kind += " at " + r.Path
		}
	}
	if p.label != "" {
		kind += ", " + strings.TrimSpace(p.label)
	}
	b.Logger.Headerf("Function %s (%s, %s) in package %s", fn.Name, fn.Signature, kind, pkg.Name)
}
