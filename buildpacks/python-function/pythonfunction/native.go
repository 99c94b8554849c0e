package pythonfunction

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// CompatDir is the carried stand-in modules' directory (framework-templates/python/kiln_compat).
const CompatDir = "kiln_compat"

// NativeCommand is the web process with BP_FUNCTION_FRAMEWORK=native: the
// installed framework's CLI as a module (pip writes console scripts whose
// shebang is the build's pip venv, which the image does not have). Both
// Google's and OpenFunction's CLI take the target, source and port from
// FUNCTION_TARGET, FUNCTION_SOURCE and PORT, and Google's the signature from
// FUNCTION_SIGNATURE_TYPE.
var NativeCommand = []string{"python3", "-m", "functions_framework"}

// nativeSignatures are what each framework's own server serves.
var nativeSignatures = map[string][]string{
	"google":       {"http", "cloudevent"},
	"openfunction": {"http", "openfunction"},
}

// checkNative checks BP_FUNCTION_FRAMEWORK=native against requirements.txt
// and the signature, before pip runs.
func checkNative(required []ForeignFramework, signature string) error {
	switch len(required) {
	case 0:
		return fmt.Errorf("%s=native: requirements.txt does not require functions-framework or ofn-functions-framework, so there is no framework of the app's own to run; add it (e.g. functions-framework==3.8.1), or unset %s to serve the function on Kiln's framework", FrameworkEnv, FrameworkEnv)
	case 1:
	default:
		return fmt.Errorf("%s=native: requirements.txt requires both functions-framework and ofn-functions-framework (both install functions_framework); keep one", FrameworkEnv)
	}
	if !contains(nativeSignatures[required[0].Kind], signature) {
		return fmt.Errorf("FUNC_SIGNATURE_TYPE=%s: %s serves %s", signature, required[0].Distribution, strings.Join(nativeSignatures[required[0].Kind], ", "))
	}
	return nil
}

// nativeVersion finds the installed framework ("functions-framework 3.8.1") in
// the packages directory, or says it is missing.
func nativeVersion(pythonPath []string, fw ForeignFramework) (string, error) {
	for _, dir := range pythonPath {
		if _, err := os.Stat(filepath.Join(dir, "functions_framework", "__init__.py")); err != nil {
			continue
		}
		dist := strings.ReplaceAll(fw.Distribution, "-", "_")
		infos, _ := filepath.Glob(filepath.Join(dir, dist+"-*.dist-info"))
		if len(infos) == 1 {
			v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(infos[0]), dist+"-"), ".dist-info")
			return fw.Distribution + " " + v + " (native)", nil
		}
		return fw.Distribution + " (native)", nil
	}
	return "", fmt.Errorf("%s=native: pip did not install functions_framework from requirements.txt (%s)", FrameworkEnv, fw.Distribution)
}

// filteredRequirements writes copies of the requirements files (same
// relative paths) without the framework lines into a temporary directory
// (the caller removes it) and says what it left out and how many
// requirements remain.
func filteredRequirements(app string, files []string) (string, []Dropped, int, error) {
	dir, err := os.MkdirTemp("", "kiln-requirements-")
	if err != nil {
		return "", nil, 0, err
	}
	var dropped []Dropped
	rest := 0
	installs, err := installFiles(app)
	if err != nil {
		return dir, nil, 0, err
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(app, filepath.FromSlash(f)))
		if err != nil {
			return dir, nil, 0, fmt.Errorf("%s: %w", f, err)
		}
		out, d := WithoutFrameworks(f, string(b))
		dropped = append(dropped, d...)
		lines, err := ParseRequirements(f, out)
		if err != nil {
			return dir, nil, 0, err
		}
		for _, l := range lines {
			if l.Require != "" && installs[f] {
				rest++ // a constraint file's lines install nothing
			}
		}
		dst := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return dir, nil, 0, err
		}
		if err := os.WriteFile(dst, []byte(out), 0o644); err != nil {
			return dir, nil, 0, err
		}
	}
	return dir, dropped, rest, nil
}

func frameworkNames(fws []ForeignFramework) string {
	names := map[string]string{"google": "Google's functions_framework", "openfunction": "OpenFunction's functions_framework"}
	var out []string
	for _, f := range fws {
		out = append(out, names[f.Kind])
	}
	return strings.Join(out, " and ")
}

// installFiles are requirements.txt and the files it includes with -r
// (transitively), as opposed to -c constraint files.
func installFiles(app string) (map[string]bool, error) {
	seen := map[string]bool{}
	var walk func(rel string) error
	walk = func(rel string) error {
		if seen[rel] {
			return nil
		}
		seen[rel] = true
		b, err := os.ReadFile(filepath.Join(app, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		lines, err := ParseRequirements(rel, string(b))
		if err != nil {
			return err
		}
		for _, l := range lines {
			if l.Option == "--requirement" {
				if err := walk(path.Clean(path.Join(path.Dir(rel), filepath.ToSlash(l.Value)))); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return seen, walk("requirements.txt")
}
