// Package funcenv reads the function contract's build-time env vars the same
// way for every language: the function's name (FUNC_NAME, else its alias
// GOOGLE_FUNCTION_TARGET), checked against what the language can name, and
// the signature type (FUNC_SIGNATURE_TYPE, else FUNC_TYPE, else
// GOOGLE_FUNCTION_SIGNATURE_TYPE: Kiln's own names win over the aliases),
// with errors naming the variable that was used. It also copies a framework
// a buildpack carries into a layer.
package funcenv
