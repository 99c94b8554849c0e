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

// RequestedSignature returns FUNC_SIGNATURE_TYPE (alias FUNC_TYPE),
// lower-cased with "cloudevents"/"event" meaning cloudevent; "" when unset.
func RequestedSignature() string {
	s := os.Getenv("FUNC_SIGNATURE_TYPE")
	if s == "" {
		s = os.Getenv("FUNC_TYPE")
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "cloudevents" || s == "event" {
		return CloudEvent
	}
	return s
}

// Signature is RequestedSignature defaulting to http, checked against what
// the language's framework serves.
func Signature(language string, supported ...string) (string, error) {
	s := RequestedSignature()
	if s == "" {
		s = HTTP
	}
	for _, ok := range supported {
		if s == ok {
			return s, nil
		}
	}
	return "", fmt.Errorf("FUNC_SIGNATURE_TYPE=%s is not supported for %s functions (want one of: %s)", s, language, strings.Join(supported, ", "))
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
