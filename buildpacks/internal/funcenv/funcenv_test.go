package funcenv

import (
	"strings"
	"testing"
)

func TestTargetAndSignature(t *testing.T) {
	for _, tt := range []struct {
		env       map[string]string
		target    string
		signature string
		err       string
	}{
		{map[string]string{"FUNC_NAME": "A", "GOOGLE_FUNCTION_TARGET": "B"}, "A", "http", ""},
		{map[string]string{"GOOGLE_FUNCTION_TARGET": "B", "FUNC_TYPE": "CloudEvents"}, "B", "cloudevent", ""},
		{map[string]string{"FUNC_NAME": "A", "FUNC_SIGNATURE_TYPE": "event"}, "A", "cloudevent", ""},
		{map[string]string{"FUNC_NAME": "A", "FUNC_SIGNATURE_TYPE": "grpc"}, "A", "", "FUNC_SIGNATURE_TYPE=grpc is not supported for Lang functions (want one of: http, cloudevent)"},
	} {
		for _, k := range []string{"FUNC_NAME", "GOOGLE_FUNCTION_TARGET", "FUNC_SIGNATURE_TYPE", "FUNC_TYPE"} {
			t.Setenv(k, tt.env[k])
		}
		if got := Target(); got != tt.target {
			t.Errorf("%v: Target() = %q", tt.env, got)
		}
		sig, err := Signature("Lang", HTTP, CloudEvent)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err = %v", tt.env, err)
			}
			continue
		}
		if err != nil || sig != tt.signature {
			t.Errorf("%v: Signature() = %q, %v", tt.env, sig, err)
		}
	}
}
