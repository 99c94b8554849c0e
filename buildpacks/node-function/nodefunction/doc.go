// Package nodefunction is the kiln/node-function buildpack. With FUNC_NAME
// set it finds the entry file (FUNC_SRC, else package.json main, else
// index.js, else function.js), checks its syntax with `node --check`, loads
// it with the framework's own loader to check that FUNC_NAME is an exported
// or declaratively registered function (listing both when it is not; a
// registration's signature wins over FUNC_SIGNATURE_TYPE), and makes the
// framework's server the web process. The framework is the app's own
// @kiln-dev/functions-framework dependency when it has one, else the copy this
// buildpack carries, in the launch layer "framework" (its SBOM: the copy's
// version and the h1 of its files).
//
// A function written against Google's or OpenFunction's framework (package.json
// depends on @google-cloud/functions-framework or
// @openfunction/functions-framework, or a source file imports it) is served
// on Kiln's framework with its compatibility layer: the launch env
// KILN_FUNCTION_COMPAT names the frameworks, whose package names then resolve
// to Kiln's modules (kiln/npm-install does not install them). With
// BP_FUNCTION_FRAMEWORK=native the installed package's own server is the web
// process instead (native.go).
package nodefunction
