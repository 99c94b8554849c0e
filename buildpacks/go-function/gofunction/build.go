package gofunction

import (
	"fmt"
	"go/version"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/funcenv"
	"kiln.dev/kiln/buildpacks/internal/gomod"
)

// Image labels this buildpack sets.
const (
	LabelTarget           = "dev.kiln.function.target"
	LabelSignature        = "dev.kiln.function.signature"
	LabelFrameworkVersion = "dev.kiln.framework.version"
	// LabelFramework says which framework API the function is written
	// against when it is not Kiln's own: "<module> (Kiln compatibility
	// layer)" or "<module> (native)".
	LabelFramework = "dev.kiln.function.framework"
)

// BuildPackageEnv tells kiln/go-build which package to compile.
const BuildPackageEnv = "KILN_GO_BUILD_PACKAGE"

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{Logger: log.NewPaketoLogger(os.Stdout)}.Build(ctx)
}

// Builder wraps the function.
type Builder struct{ Logger log.Logger }

// Build analyses the function package, writes the main package and wires the framework.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	app := ctx.ApplicationPath
	target, err := funcenv.CheckTarget(funcenv.Go)
	if err != nil {
		return result, err
	}
	mod, err := gomod.Read(app)
	if err != nil {
		return result, err
	}
	srcRel := filepath.Clean(os.Getenv("FUNC_SRC"))
	if srcRel == "" || filepath.IsAbs(srcRel) || strings.HasPrefix(srcRel, "..") {
		if os.Getenv("FUNC_SRC") != "" {
			return result, fmt.Errorf("FUNC_SRC=%q must be a directory inside the module (relative, e.g. FUNC_SRC=function)", os.Getenv("FUNC_SRC"))
		}
		srcRel = "."
	}
	pkg, err := Analyze(filepath.Join(app, srcRel))
	if err != nil {
		return result, err
	}
	sigVar, _ := funcenv.SignatureVar()
	want, err := funcenv.Requested(funcenv.Go, HTTP, CloudEvent, OpenFunction)
	if err != nil {
		return result, err
	}
	fn, err := pkg.ResolveAs(target, sigVar, want)
	if err != nil {
		return result, err
	}
	if fn.Signature == OpenFunction || (fn.All && pkg.HasOpenFunction()) {
		if err := checkGoForOpenFunction(mod); err != nil {
			return result, err
		}
	}
	plan, err := b.plan(mod, pkg, fn)
	if err != nil {
		return result, err
	}
	b.logFunction(fn, pkg, plan)

	importPath := mod.Module.Mod.Path
	if srcRel != "." {
		importPath = path.Join(importPath, filepath.ToSlash(srcRel))
	}
	var fwVersion string
	fwModule := FrameworkModule
	switch {
	case plan.native != "":
		fwModule, fwVersion = plan.nativeModule, mod.Requirement(plan.nativeModule)
		b.Logger.Bodyf("%s=%s: serving with %s %s from your go.mod (Kiln's framework is not used)", FrameworkEnv, ModeNative, plan.nativeModule, fwVersion)
	case len(plan.compats) > 0:
		carried := b.carried(ctx)
		if carried.Version == "" {
			return result, fmt.Errorf("this kiln/go-function package carries no framework copy (goproxy/): rebuild it with `kiln buildpack package`")
		}
		if err := WireCompat(app, mod, carried, filepath.Join(ctx.Buildpack.Path, CompatDir), plan.compats); err != nil {
			return result, err
		}
		fwVersion = carried.Version
		b.Logger.Bodyf("Serving %s with Kiln's compatibility layer on Kiln's framework %s (go.mod and go.sum unchanged; the build uses %s)", compatNames(plan.compats), carried.Version, Modfile)
	default:
		if fwVersion, err = b.wireFramework(ctx, mod, pkg.Name); err != nil {
			return result, err
		}
	}
	src, err := RenderMainWith(importPath, fn, MainOptions{Native: plan.native, CompatModule: plan.registerWith})
	if err != nil {
		return result, err
	}
	mainDir := filepath.Join(app, MainDir)
	if err := os.MkdirAll(mainDir, 0o755); err != nil {
		return result, err
	}
	if err := os.WriteFile(filepath.Join(mainDir, "main.go"), src, 0o644); err != nil {
		return result, err
	}
	b.Logger.Bodyf("Wrote %s/main.go", MainDir)

	layer, err := ctx.Layers.Layer("function")
	if err != nil {
		return result, err
	}
	if layer, err = layer.Reset(); err != nil {
		return result, err
	}
	layer.LayerTypes = libcnb.LayerTypes{Build: true, Launch: true}
	layer.BuildEnvironment.Override(BuildPackageEnv, "./"+MainDir)
	if plan.native != OpenFunctionFramework {
		// OpenFunction's framework serves every registered function when
		// FUNCTION_TARGET is unset, as images from OpenFunction's builder do.
		layer.LaunchEnvironment.Default("FUNCTION_TARGET", fn.Name)
	}
	layer.LaunchEnvironment.Default("FUNCTION_SIGNATURE_TYPE", fn.Signature)
	layer.LaunchEnvironment.Default("PORT", "8080")
	if len(plan.compats) > 0 {
		layer.BuildEnvironment.Override(ModfileEnv, Modfile)
	}
	if carried := b.carried(ctx); carried.Version != "" && plan.native == "" {
		layer.BuildEnvironment.Override("GOPROXY", ProxyChain(carried.URL(), os.Getenv("GOPROXY")))
		layer.BuildEnvironment.Append("GONOSUMDB", ",", FrameworkModule)
	}
	if err := writeSBOM(layer, app, plan, fwModule, fwVersion, b.carried(ctx)); err != nil {
		return result, err
	}
	label := strings.TrimPrefix(fwVersion, "v")
	if carried := b.carried(ctx); fwModule == FrameworkModule && fwVersion == carried.Version {
		label = release(ctx) // the release, not the carried copy's content-addressed version
	}
	result.Layers = append(result.Layers, layer)
	result.Labels = append(result.Labels,
		libcnb.Label{Key: LabelTarget, Value: fn.Name},
		libcnb.Label{Key: LabelSignature, Value: fn.Signature},
		libcnb.Label{Key: LabelFrameworkVersion, Value: label})
	if plan.label != "" {
		result.Labels = append(result.Labels, libcnb.Label{Key: LabelFramework, Value: plan.label})
	}
	return result, nil
}

// carried is the framework copy this buildpack injects (its content-addressed
// version; "" when the buildpack was packaged without one).
func (b Builder) carried(ctx libcnb.BuildContext) CarriedProxy {
	dir := filepath.Join(ctx.Buildpack.Path, "goproxy")
	v, _ := InjectedVersion(dir)
	return CarriedProxy{Dir: dir, Version: v}
}

// release is the framework release this buildpack carries, for the label.
func release(ctx libcnb.BuildContext) string {
	v, _ := ctx.Buildpack.Metadata["framework-version"].(string)
	return strings.TrimPrefix(v, "v")
}

// wireFramework makes the module require the framework and returns its
// module version (the carried copy's, unless go.mod pins one).
func (b Builder) wireFramework(ctx libcnb.BuildContext, mod *gomod.File, pkgName string) (string, error) {
	app := ctx.ApplicationPath
	vendored, hasVendor, err := VendoredFramework(app)
	if err != nil {
		return "", err
	}
	if v := mod.Requirement(FrameworkModule); v != "" {
		if hasVendor && !vendored {
			return "", fmt.Errorf("the module vendors its dependencies, but vendor/ lacks %s, which the generated main imports (go mod vendor only copies packages your code imports). Add a file tools.go with\n  //go:build tools\n  package %s\n  import _ %q\nthen run `go mod vendor`", ServerPackage, pkgName, ServerPackage)
		}
		b.Logger.Bodyf("Using the framework the module requires: %s %s", FrameworkModule, v)
		return v, nil
	}
	if hasVendor {
		return "", fmt.Errorf("the module vendors its dependencies (vendor/) but does not require %s, so the framework cannot be injected: run `go get %s@%s`, add a tools.go that imports %q, and run `go mod vendor`; or delete vendor/", FrameworkModule, FrameworkModule, b.carried(ctx).Version, ServerPackage)
	}
	carried := b.carried(ctx)
	if carried.Version == "" {
		return "", fmt.Errorf("this kiln/go-function package carries no framework copy (goproxy/): rebuild it with `kiln buildpack package`")
	}
	sums, err := carried.SumLines()
	if err != nil {
		return "", err
	}
	if err := mod.AddRequire(FrameworkModule, carried.Version); err != nil {
		return "", fmt.Errorf("adding require %s to go.mod: %w", FrameworkModule, err)
	}
	if err := AppendSums(app, sums); err != nil {
		return "", fmt.Errorf("updating go.sum: %w", err)
	}
	b.Logger.Bodyf("Injected %s %s (carried by this buildpack, no download)", FrameworkModule, carried.Version)
	return carried.Version, nil
}

// DefaultGOPROXY is the go command's default when GOPROXY is unset.
const DefaultGOPROXY = "https://proxy.golang.org,direct"

// ProxyChain puts the carried proxy in front of the user's GOPROXY (or the go
// command's default): the framework resolves offline, everything else as usual.
func ProxyChain(carried, userProxy string) string {
	if strings.TrimSpace(userProxy) == "" {
		userProxy = DefaultGOPROXY
	}
	return carried + "," + userProxy
}

// checkGoForOpenFunction fails early when the Go the build will use is older
// than 1.24: Dapr's gRPC protocol rides on net/http's HTTP/2 without TLS.
// Only BP_GO_VERSION and go.mod's toolchain line pick an exact Go; the go
// line is a minimum, so kiln/go-dist builds it with its newest pinned Go.
func checkGoForOpenFunction(mod *gomod.File) error {
	v, from := strings.TrimSpace(os.Getenv("BP_GO_VERSION")), "BP_GO_VERSION"
	if v == "" && mod.Toolchain != nil && mod.Toolchain.Name != "default" {
		v, from = strings.TrimPrefix(mod.Toolchain.Name, "go"), "go.mod's toolchain line"
	}
	if v == "" {
		return nil // the newest pinned Go is new enough
	}
	v = strings.TrimPrefix(v, "go")
	if version.Compare("go"+v, "go1.24") < 0 {
		return fmt.Errorf("the OpenFunction signature needs Go 1.24 or newer (Dapr's gRPC protocol uses net/http's HTTP/2 without TLS), but %s says %s: raise it (e.g. BP_GO_VERSION=1.26), or remove it to build with the newest pinned Go", from, v)
	}
	return nil
}
