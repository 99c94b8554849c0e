package gofunction

import "kiln.dev/kiln/buildpacks/internal/funcenv"

// Target returns FUNC_NAME, or its alias GOOGLE_FUNCTION_TARGET.
func Target() string { return funcenv.Target() }

// WantedSignature returns the requested signature type (FUNC_SIGNATURE_TYPE,
// else FUNC_TYPE, else GOOGLE_FUNCTION_SIGNATURE_TYPE), or "" to accept what
// the source says.
func WantedSignature() string { return funcenv.RequestedSignature() }
