package gofunction

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"kiln.dev/kiln/buildpacks/internal/gomod"
)

// FrameworkEnv chooses how a function written against OpenFunction's or
// Google's framework is served: "kiln" (the default) substitutes Kiln's
// compatibility module, "native" builds with the framework the module
// requires.
const FrameworkEnv = "BP_FUNCTION_FRAMEWORK"

// Framework modes.
const (
	ModeKiln   = "kiln"
	ModeNative = "native"
)

// Mode reads BP_FUNCTION_FRAMEWORK.
func Mode() (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv(FrameworkEnv))); v {
	case "", ModeKiln:
		return ModeKiln, nil
	case ModeNative:
		return ModeNative, nil
	default:
		return "", fmt.Errorf("%s=%q: want kiln (serve OpenFunction's and Google's APIs on Kiln's framework, the default) or native (build with the framework your go.mod requires)", FrameworkEnv, os.Getenv(FrameworkEnv))
	}
}

// Compat is a framework Kiln has a compatibility module for.
type Compat struct {
	Name   string // OpenFunctionFramework, GoogleFramework
	Module string
}

// Compats are the frameworks with compatibility modules, in the carried
// compat/ directory under their names.
var Compats = []Compat{
	{OpenFunctionFramework, OpenFunctionModule},
	{GoogleFramework, GoogleModule},
}

// CompatDir is where the carried compatibility modules are, beside the
// carried proxy (WriteCarriedProxy writes both).
const CompatDir = "compat"

// ModfileEnv tells kiln/go-build to build with a go.mod other than the
// module's own (go build -modfile): the copy with the compat replaces.
const ModfileEnv = "KILN_GO_MODFILE"

// Modfile is that copy, relative to the module root; go reads Kiln.sum beside
// it as its go.sum. It is not named go.mod: that would make functions.local a
// module of its own.
const Modfile = "functions.local/kiln.mod"

// RequiredCompats lists the frameworks with compatibility modules that the
// module requires (directly or indirectly), unless it replaces them itself
// (with a fork: that one is used, as with BP_FUNCTION_FRAMEWORK=native).
func RequiredCompats(mod *gomod.File) (required, replaced []Compat) {
	for _, c := range Compats {
		if mod.Requirement(c.Module) == "" {
			continue
		}
		if replacedModule(mod, c.Module) {
			replaced = append(replaced, c)
			continue
		}
		required = append(required, c)
	}
	return required, replaced
}

func replacedModule(mod *gomod.File, path string) bool {
	for _, r := range mod.Replace {
		if r.Old.Path == path {
			return true
		}
	}
	return false
}

// WireCompat makes the build use Kiln's compatibility modules for compats
// without touching the module's go.mod or go.sum: it copies each module from
// carriedDir into functions.local/compat/<name> (its go.mod requiring the
// carried framework and the sdk-go version the function's module selects)
// and writes Modfile and its .sum: the function's go.mod plus the framework
// requirement and a replace per compat. kiln/go-build builds with
// -modfile=Modfile.
func WireCompat(app string, mod *gomod.File, carried CarriedProxy, carriedDir string, compats []Compat) error {
	if _, err := os.Stat(filepath.Join(app, "vendor", "modules.txt")); err == nil {
		return fmt.Errorf("the module vendors its dependencies (vendor/), so Kiln cannot put its compatibility module in place of %s: build with %s=%s to use the vendored framework, or delete vendor/", compats[0].Module, FrameworkEnv, ModeNative)
	}
	if _, err := os.Stat(filepath.Join(app, "go.work")); err == nil {
		return fmt.Errorf("the function is built in a Go workspace (go.work), where Kiln cannot put its compatibility module in place of %s (go build -modfile needs module mode): build with %s=%s, or remove go.work", compats[0].Module, FrameworkEnv, ModeNative)
	}
	sdk, err := sdkVersion(app, mod)
	if err != nil {
		return err
	}
	f, err := modfile.Parse(mod.Path, mustRead(mod.Path), nil)
	if err != nil {
		return fmt.Errorf("go.mod: %w", err)
	}
	if err := f.AddRequire(FrameworkModule, carried.Version); err != nil {
		return err
	}
	for _, c := range compats {
		rel := "./functions.local/compat/" + c.Name
		if err := copyCompat(filepath.Join(carriedDir, c.Name), filepath.Join(app, filepath.FromSlash(rel)), c, carried.Version, sdk); err != nil {
			return err
		}
		if err := f.AddReplace(c.Module, "", rel, ""); err != nil {
			return err
		}
	}
	f.Cleanup()
	b, err := f.Format()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(app, filepath.Dir(Modfile)), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(app, Modfile), b, 0o644); err != nil {
		return err
	}
	sums, err := carried.SumLines()
	if err != nil {
		return err
	}
	sumPath := filepath.Join(app, strings.TrimSuffix(Modfile, ".mod")+".sum")
	old, err := os.ReadFile(filepath.Join(app, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("reading go.sum: %w", err)
	}
	if err := os.WriteFile(sumPath, old, 0o644); err != nil {
		return err
	}
	return AppendSums(filepath.Dir(sumPath), sums, filepath.Base(sumPath))
}

func mustRead(p string) []byte {
	b, _ := os.ReadFile(p)
	return b
}

// sdkVersion is the sdk-go version the function's module builds with: its
// go.mod's requirement, else the newest version its go.sum holds the code of.
// The compatibility modules require exactly that, so they add nothing to the
// module's dependency graph.
func sdkVersion(app string, mod *gomod.File) (string, error) {
	if v := mod.Requirement(SDKModule); v != "" {
		return v, nil
	}
	f, err := os.Open(filepath.Join(app, "go.sum"))
	if err == nil {
		defer f.Close()
		best := ""
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) == 3 && fields[0] == SDKModule && !strings.HasSuffix(fields[1], "/go.mod") && semver.Compare(fields[1], best) > 0 {
				best = fields[1]
			}
		}
		if best != "" {
			return best, nil
		}
	}
	return "", fmt.Errorf("go.mod and go.sum do not mention %s, which OpenFunction's and Google's frameworks require (Kiln's compatibility module uses its event type): run `go mod tidy` so go.mod lists it", SDKModule)
}

// copyCompat copies a carried compatibility module (not its tests, go.sum or
// its development go.mod) to dst and writes its go.mod.
func copyCompat(src, dst string, c Compat, frameworkVersion, sdk string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		return fmt.Errorf("this kiln/go-function package carries no compatibility module for %s (%s): rebuild it with `kiln buildpack package`: %w", c.Module, src, err)
	}
	gomodText, err := CompatGoMod(c.Module, frameworkVersion, sdk)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dst, "go.mod"), gomodText, 0o644)
}

// CompatGoMod is a compatibility module's go.mod in a build: go 1.21 (the
// framework's own go line, so it raises the function module's no further),
// the carried framework and sdk-go at the version the function uses.
func CompatGoMod(modulePath, frameworkVersion, sdk string) ([]byte, error) {
	for _, m := range []module.Version{{Path: FrameworkModule, Version: frameworkVersion}, {Path: SDKModule, Version: sdk}} {
		if err := module.Check(m.Path, m.Version); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "module %s\n\ngo 1.21\n\nrequire (\n\t%s %s\n\t%s %s\n)\n", modulePath, SDKModule, sdk, FrameworkModule, frameworkVersion)
	return b.Bytes(), nil
}

// compatNames lists the compats' modules, for logs.
func compatNames(cs []Compat) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Module)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
