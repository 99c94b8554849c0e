package lifecycle

import "fmt"

// Explain turns a creator exit code into what the user should do.
func Explain(code int, builder string) string {
	switch {
	case code == 20:
		return fmt.Sprintf("no buildpack group passed detection (lifecycle exit 20): %s found nothing it can build.\n"+
			"  Go: the directory needs a go.mod; Node.js: package.json, index.js or function.js; Python: main.py or requirements.txt.\n"+
			"  A function also needs its name: kiln build DIR --target NAME (FUNC_NAME).", builder)
	case code == 21:
		return "detection failed with a buildpack error (lifecycle exit 21): see the detect output above"
	case code >= 30 && code < 40:
		return fmt.Sprintf("analyzing the previous image failed (lifecycle exit %d): is the registry reachable and the image name valid?", code)
	case code >= 40 && code < 50:
		return fmt.Sprintf("restoring the build cache failed (lifecycle exit %d): rerun with --clear-cache", code)
	case code == 51:
		return "a buildpack failed (lifecycle exit 51):"
	case code >= 50 && code < 60:
		return fmt.Sprintf("the build phase failed (lifecycle exit %d): see the buildpack output above", code)
	case code >= 60 && code < 70:
		return fmt.Sprintf("exporting the image failed (lifecycle exit %d): is the registry reachable and writable?", code)
	case code >= 128:
		return fmt.Sprintf("the build was killed by signal %d", code-128)
	}
	return fmt.Sprintf("the lifecycle failed with exit code %d", code)
}
