package nodefunction

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/nodeapp"
)

// nativeSignatures are the signatures each framework's own server knows.
var nativeSignatures = map[string][]string{
	"google":       {"http", "cloudevent"},
	"openfunction": {"http", "cloudevent", "openfunction"},
}

// native makes the framework package.json depends on (installed by
// kiln/npm-install) the web process, as BP_FUNCTION_FRAMEWORK=native asks:
// `node node_modules/<package>/<its functions-framework bin>`, configured by
// FUNCTION_TARGET, FUNCTION_SOURCE, FUNCTION_SIGNATURE_TYPE and PORT (both
// frameworks read them). Kiln's framework is not injected; that framework
// checks the target when it starts.
func (b Builder) native(ctx libcnb.BuildContext, result libcnb.BuildResult, pkg *nodeapp.PackageJSON, entry, target, signature string) (libcnb.BuildResult, error) {
	app := ctx.ApplicationPath
	declared := pkg.Declared()
	switch len(declared) {
	case 0:
		return result, fmt.Errorf("%s=native: package.json does not depend on %s, so there is no framework of the app's own to run; add one to dependencies, or unset %s to serve the function on Kiln's framework",
			nodeapp.FrameworkEnv, strings.Join(nodeapp.Packages(nodeapp.ForeignFrameworks), " or "), nodeapp.FrameworkEnv)
	case 1:
	default:
		return result, fmt.Errorf("%s=native: package.json depends on both %s; keep the one whose server should run", nodeapp.FrameworkEnv, strings.Join(nodeapp.Packages(declared), " and "))
	}
	fw := declared[0]
	if !contains(nativeSignatures[fw.Kind], signature) {
		return result, fmt.Errorf("FUNC_SIGNATURE_TYPE=%s: %s serves %s", signature, fw.Package, strings.Join(nativeSignatures[fw.Kind], ", "))
	}
	dir := filepath.Join(app, "node_modules", filepath.FromSlash(fw.Package))
	bin, version, err := frameworkBin(dir)
	if err != nil {
		return result, fmt.Errorf("%s=native: %s: %w (kiln/npm-install installs it from package.json)", nodeapp.FrameworkEnv, fw.Package, err)
	}
	b.Logger.Bodyf("%s=native: the web process is %s %s's own server (node %s); it checks %s when it starts",
		nodeapp.FrameworkEnv, fw.Package, version, filepath.Join("node_modules", fw.Package, bin), target)
	layer, err := ctx.Layers.Layer("framework")
	if err != nil {
		return result, err
	}
	if layer, err = layer.Reset(); err != nil {
		return result, err
	}
	layer.LayerTypes = libcnb.LayerTypes{Launch: true}
	launchEnv(&layer, filepath.Join(app, entry), target, signature)
	result.Layers = append(result.Layers, layer)
	result.Processes = append(result.Processes, libcnb.Process{Type: "web", Command: []string{"node", filepath.Join(dir, bin)}, Default: true})
	result.Labels = append(result.Labels, labels(target, signature, fmt.Sprintf("%s@%s (native)", fw.Package, version))...)
	return result, nil
}

// frameworkBin reads an installed framework's package.json: the file its
// "functions-framework" bin runs, and its version.
func frameworkBin(dir string) (string, string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", "", fmt.Errorf("not installed in node_modules")
	}
	var p struct {
		Version string          `json:"version"`
		Bin     json.RawMessage `json:"bin"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", "", fmt.Errorf("its package.json is not valid JSON: %v", err)
	}
	var bin string
	var bins map[string]string
	switch {
	case json.Unmarshal(p.Bin, &bins) == nil && bins["functions-framework"] != "":
		bin = bins["functions-framework"]
	case json.Unmarshal(p.Bin, &bin) == nil && bin != "":
	default:
		return "", "", fmt.Errorf(`its package.json has no "functions-framework" bin to run`)
	}
	clean := filepath.Clean(filepath.FromSlash(bin))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", "", fmt.Errorf("its bin %q points outside the package", bin)
	}
	if _, err := os.Stat(filepath.Join(dir, clean)); err != nil {
		return "", "", fmt.Errorf("its bin %s is missing", clean)
	}
	return clean, p.Version, nil
}
