package funcenv

import (
	"strings"
	"testing"
)

// The signature type and its aliases: FUNC_SIGNATURE_TYPE, then FUNC_TYPE,
// then GOOGLE_FUNCTION_SIGNATURE_TYPE; an unsupported value is named with
// the variable that carried it.
func TestSignature(t *testing.T) {
	for _, tt := range []struct {
		env       map[string]string
		signature string
		err       string
	}{
		{map[string]string{}, "http", ""},
		{map[string]string{"FUNC_TYPE": "CloudEvents"}, "cloudevent", ""},
		{map[string]string{"FUNC_SIGNATURE_TYPE": "event"}, "cloudevent", ""},
		{map[string]string{"GOOGLE_FUNCTION_SIGNATURE_TYPE": "cloudevent"}, "cloudevent", ""},
		{map[string]string{"GOOGLE_FUNCTION_SIGNATURE_TYPE": " HTTP "}, "http", ""},
		{map[string]string{"FUNC_SIGNATURE_TYPE": "http", "GOOGLE_FUNCTION_SIGNATURE_TYPE": "cloudevent"}, "http", ""},
		{map[string]string{"FUNC_TYPE": "http", "GOOGLE_FUNCTION_SIGNATURE_TYPE": "cloudevent"}, "http", ""},
		{map[string]string{"FUNC_SIGNATURE_TYPE": "cloudevent", "FUNC_TYPE": "http"}, "cloudevent", ""},
		{map[string]string{"FUNC_SIGNATURE_TYPE": "grpc"}, "", "FUNC_SIGNATURE_TYPE=grpc is not supported for Lang functions (want one of: http, cloudevent)"},
		{map[string]string{"FUNC_TYPE": "openfunction"}, "", "FUNC_TYPE=openfunction is not supported for Lang functions (want one of: http, cloudevent)"},
		{map[string]string{"GOOGLE_FUNCTION_SIGNATURE_TYPE": "typed"}, "", "GOOGLE_FUNCTION_SIGNATURE_TYPE=typed is not supported for Lang functions (want one of: http, cloudevent)"},
	} {
		for _, k := range SignatureVars {
			t.Setenv(k, tt.env[k])
		}
		sig, err := Signature("Lang", HTTP, CloudEvent)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%v: err = %v, want %s", tt.env, err, tt.err)
			}
			continue
		}
		if err != nil || sig != tt.signature {
			t.Errorf("%v: Signature() = %q, %v; want %q", tt.env, sig, err, tt.signature)
		}
		if req, _ := Requested("Lang", HTTP, CloudEvent); (len(tt.env) == 0) != (req == "") {
			t.Errorf("%v: Requested() = %q", tt.env, req)
		}
	}
	for _, k := range SignatureVars {
		t.Setenv(k, "")
	}
	if n, v := SignatureVar(); n != "FUNC_SIGNATURE_TYPE" || v != "" || RequestedSignature() != "" {
		t.Errorf("unset: %s=%q", n, v)
	}
	t.Setenv("GOOGLE_FUNCTION_SIGNATURE_TYPE", "Event")
	if n, v := SignatureVar(); n != "GOOGLE_FUNCTION_SIGNATURE_TYPE" || v != CloudEvent || !strings.EqualFold(RequestedSignature(), "cloudevent") {
		t.Errorf("google alias: %s=%q", n, v)
	}
}
