package gofunction

import (
	"os"
	"strings"
)

// Target returns FUNC_NAME, or its alias GOOGLE_FUNCTION_TARGET.
func Target() string {
	if t := strings.TrimSpace(os.Getenv("FUNC_NAME")); t != "" {
		return t
	}
	return strings.TrimSpace(os.Getenv("GOOGLE_FUNCTION_TARGET"))
}

// WantedSignature returns FUNC_SIGNATURE_TYPE (alias FUNC_TYPE), lower-cased.
func WantedSignature() string {
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
