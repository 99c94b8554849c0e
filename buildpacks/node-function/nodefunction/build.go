package nodefunction

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/internal/funcenv"
	"kiln.dev/kiln/buildpacks/internal/nodeapp"
	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// FrameworkPackage is the npm name of Kiln's Node functions framework.
const FrameworkPackage = "@kiln-dev/functions-framework"

// Signatures this framework serves.
var Signatures = []string{"http", "cloudevent", "openfunction"}

// Builder wraps a Node function.
type Builder struct {
	Logger   log.Logger
	Executor command.Executor
}

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{Logger: log.NewPaketoLogger(os.Stdout), Executor: command.ExecExecutor{}}.Build(ctx)
}

// Entry finds the function's file, relative to app.
func Entry(app string, pkg *nodeapp.PackageJSON) (string, error) {
	if src := strings.TrimSpace(os.Getenv("FUNC_SRC")); src != "" {
		if _, err := os.Stat(filepath.Join(app, src)); err != nil {
			return "", fmt.Errorf("FUNC_SRC=%s: no such file in the app", src)
		}
		return filepath.Clean(src), nil
	}
	var tried []string
	if pkg != nil && pkg.Main != "" {
		for _, c := range []string{pkg.Main, pkg.Main + ".js", filepath.Join(pkg.Main, "index.js")} {
			if st, err := os.Stat(filepath.Join(app, c)); err == nil && !st.IsDir() {
				return filepath.Clean(c), nil
			}
		}
		tried = append(tried, fmt.Sprintf("package.json main (%q, not found)", pkg.Main))
	}
	for _, c := range []string{"index.js", "function.js"} {
		if _, err := os.Stat(filepath.Join(app, c)); err == nil {
			return c, nil
		}
		tried = append(tried, c)
	}
	return "", fmt.Errorf("no function source file: tried %s. Add index.js, set \"main\" in package.json, or set FUNC_SRC to the file", strings.Join(tried, ", "))
}

func (b Builder) node(app string, env []string, args ...string) (string, error) {
	return command.Output(b.Executor, app, append(os.Environ(), env...), append([]string{"node"}, args...)...)
}

// Build checks the function and sets up the web process.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	app := ctx.ApplicationPath
	target, err := funcenv.CheckTarget(funcenv.NodeJS)
	if err != nil {
		return result, err
	}
	requested, err := funcenv.Requested(funcenv.NodeJS, Signatures...)
	if err != nil {
		return result, err
	}
	mode, err := nodeapp.FrameworkMode()
	if err != nil {
		return result, err
	}
	pkg, err := nodeapp.Read(app)
	if err != nil {
		return result, err
	}
	entry, err := Entry(app, pkg)
	if err != nil {
		return result, err
	}
	imported, err := nodeapp.Imported(app)
	if err != nil {
		return result, err
	}
	foreign := nodeapp.Union(pkg.Declared(), imported)
	signature := orDefault(requested, funcenv.HTTP)
	b.Logger.Headerf("Function %s in %s", target, entry)
	if _, err := b.node(app, nil, "--check", entry); err != nil {
		return result, fmt.Errorf("syntax error in %s:\n%s", entry, err)
	}
	if mode == nodeapp.ModeNative {
		return b.native(ctx, result, pkg, entry, target, signature)
	}

	fwLayer, fwDir, version, err := b.framework(ctx, pkg)
	if err != nil {
		return result, err
	}
	var compatEnv []string
	if len(foreign) > 0 {
		kinds := nodeapp.Kinds(foreign)
		compatEnv = []string{CompatEnv + "=" + kinds}
		fwLayer.LaunchEnvironment.Default(CompatEnv, kinds)
		b.Logger.Bodyf("Serving it on Kiln's framework with the compatibility layer for %s (not installed, nothing downloaded); %s=native runs the package's own server instead",
			strings.Join(nodeapp.Packages(foreign), " and "), nodeapp.FrameworkEnv)
	}
	out, err := b.node(app, compatEnv, filepath.Join(fwDir, "bin", "check.js"), filepath.Join(app, entry))
	if err != nil {
		return result, fmt.Errorf("loading %s failed (the module threw while being imported):\n%s", entry, err)
	}
	var mod struct {
		Exports    []string          `json:"exports"`
		Single     bool              `json:"single"`
		Registered map[string]string `json:"registered"`
	}
	if err := json.Unmarshal([]byte(lastLine(out)), &mod); err != nil {
		return result, fmt.Errorf("checking the exports of %s: %w (%q)", entry, err, out)
	}
	if reg, ok := mod.Registered[target]; ok {
		if requested != "" && requested != reg {
			b.Logger.Bodyf("%s registers %s as %s: that signature wins over %s", entry, target, reg, requested)
		}
		signature = reg
	} else if !mod.Single && !contains(mod.Exports, target) {
		verb := "export"
		if len(mod.Registered) > 0 {
			verb = "export or register"
		}
		return result, fmt.Errorf("FUNC_NAME=%s: %s does not %s a function %q; %s", target, entry, verb, target, listing(mod.Exports, mod.Registered))
	}
	b.Logger.Bodyf("%s (%s)", target, signature)

	env := fwLayer
	launchEnv(&env, filepath.Join(app, entry), target, signature)
	result.Layers = append(result.Layers, env)
	result.Processes = append(result.Processes, libcnb.Process{Type: "web", Command: []string{"node", filepath.Join(fwDir, "bin", "serve.js")}, Default: true})
	result.Labels = append(result.Labels, labels(target, signature, version)...)
	return result, nil
}

// CompatEnv tells Kiln's framework which compatibility modules to wire in
// ("google", "openfunction", comma-separated).
const CompatEnv = "KILN_FUNCTION_COMPAT"

func launchEnv(l *libcnb.Layer, source, target, signature string) {
	l.LaunchEnvironment.Default("FUNCTION_SOURCE", source)
	l.LaunchEnvironment.Default("FUNCTION_TARGET", target)
	l.LaunchEnvironment.Default("FUNCTION_SIGNATURE_TYPE", signature)
	l.LaunchEnvironment.Default("PORT", "8080")
}

func labels(target, signature, version string) []libcnb.Label {
	return []libcnb.Label{
		{Key: "dev.kiln.function.target", Value: target},
		{Key: "dev.kiln.function.signature", Value: signature},
		{Key: "dev.kiln.framework.version", Value: version},
	}
}

// listing says what a module exports and registers, for errors.
func listing(exports []string, registered map[string]string) string {
	var parts []string
	if len(exports) > 0 {
		sort.Strings(exports)
		parts = append(parts, "functions it exports: "+strings.Join(exports, ", "))
	}
	if len(registered) > 0 {
		names := make([]string, 0, len(registered))
		for n := range registered {
			names = append(names, n)
		}
		sort.Strings(names)
		parts = append(parts, "functions it registers: "+strings.Join(names, ", "))
	}
	if len(parts) == 0 {
		return "it exports no functions"
	}
	return strings.Join(parts, "; ")
}

// framework returns the launch layer that carries the env (and, unless the
// app depends on the framework, the framework copy), the framework's
// directory and its version.
func (b Builder) framework(ctx libcnb.BuildContext, pkg *nodeapp.PackageJSON) (libcnb.Layer, string, string, error) {
	layer, err := ctx.Layers.Layer("framework")
	if err != nil {
		return layer, "", "", err
	}
	if layer, err = layer.Reset(); err != nil {
		return layer, "", "", err
	}
	layer.LayerTypes = libcnb.LayerTypes{Launch: true}
	own := filepath.Join(ctx.ApplicationPath, "node_modules", FrameworkPackage)
	if pkg != nil && pkg.Dependencies[FrameworkPackage] != "" {
		if _, err := os.Stat(filepath.Join(own, "bin", "serve.js")); err != nil {
			return layer, "", "", fmt.Errorf("package.json depends on %s but node_modules lacks it (did the dependency install run?)", FrameworkPackage)
		}
		v, _ := nodeapp.Read(own)
		b.Logger.Bodyf("Using the framework the app depends on: %s %s", FrameworkPackage, v.Version())
		return layer, own, v.Version(), nil
	}
	dst := filepath.Join(layer.Path, "functions-framework")
	if err := funcenv.CopyDir(filepath.Join(ctx.Buildpack.Path, "framework"), dst); err != nil {
		return layer, "", "", fmt.Errorf("this buildpack is missing its framework copy (rebuild it with `kiln buildpack package`): %w", err)
	}
	v, _ := ctx.Buildpack.Metadata["framework-version"].(string)
	b.Logger.Bodyf("Injected %s %s (carried by this buildpack, no download)", FrameworkPackage, v)
	// The copy is what this layer holds (one the app depends on is in
	// kiln/npm-install's SBOM): version and the h1 of its files.
	h1, err := sbom.TreeH1(dst)
	if err != nil {
		return layer, "", "", err
	}
	if err := sbom.WriteLayer(layer, []sbom.Component{sbom.Framework(FrameworkPackage, v, sbom.NPMPURL(FrameworkPackage, v), sbom.TreeHash(h1))}); err != nil {
		return layer, "", "", err
	}
	return layer, dst, v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
