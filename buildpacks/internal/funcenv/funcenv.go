package funcenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Signature types.
const (
	HTTP       = "http"
	CloudEvent = "cloudevent"
	// OpenFunction is OpenFunction's async signature (ctx, data), wired to
	// Dapr inputs and outputs by FUNC_CONTEXT.
	OpenFunction = "openfunction"
)

// SignatureVars are the env vars that set the signature type, in order of
// precedence: Kiln's own name, OpenFunction's alias, then Google's (as
// FUNC_NAME wins over GOOGLE_FUNCTION_TARGET).
var SignatureVars = []string{"FUNC_SIGNATURE_TYPE", "FUNC_TYPE", "GOOGLE_FUNCTION_SIGNATURE_TYPE"}

// SignatureVar returns the first of SignatureVars that is set and its value,
// normalized: lower-cased, "cloudevents" and "event" meaning cloudevent.
// ("FUNC_SIGNATURE_TYPE", "") when none is set.
func SignatureVar() (name, value string) {
	for _, k := range SignatureVars {
		if v := strings.ToLower(strings.TrimSpace(os.Getenv(k))); v != "" {
			if v == "cloudevents" || v == "event" {
				v = CloudEvent
			}
			return k, v
		}
	}
	return SignatureVars[0], ""
}

// RequestedSignature is SignatureVar's value; "" when unset.
func RequestedSignature() string {
	_, v := SignatureVar()
	return v
}

// Requested checks the requested signature type against what the language's
// framework serves; ("", nil) when none is requested.
func Requested(language string, supported ...string) (string, error) {
	name, s := SignatureVar()
	if s == "" {
		return "", nil
	}
	for _, ok := range supported {
		if s == ok {
			return s, nil
		}
	}
	return "", fmt.Errorf("%s=%s is not supported for %s functions (want one of: %s)", name, s, language, strings.Join(supported, ", "))
}

// Signature is Requested defaulting to http.
func Signature(language string, supported ...string) (string, error) {
	s, err := Requested(language, supported...)
	if s == "" && err == nil {
		s = HTTP
	}
	return s, err
}

// CopyDir copies a directory tree (files 0644 or their own mode), leaving out
// __pycache__ directories.
func CopyDir(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() && info.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm()|0o644)
	})
}
