// Package funcenv reads the function contract's build-time env vars (FUNC_NAME
// and its alias GOOGLE_FUNCTION_TARGET, FUNC_SIGNATURE_TYPE and its alias
// FUNC_TYPE) the same way for every language, and copies a framework a
// buildpack carries into a layer.
package funcenv
