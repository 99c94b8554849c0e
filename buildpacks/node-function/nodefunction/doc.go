// Package nodefunction is the kiln/node-function buildpack. With FUNC_NAME
// set it finds the entry file (FUNC_SRC, else package.json main, else
// index.js, else function.js), checks its syntax with `node --check`, loads
// it with the framework's own loader to check that FUNC_NAME is an exported
// function (listing the exports when it is not), and makes the framework's
// server the web process. The framework is the app's own
// @kiln-dev/functions-framework dependency when it has one, else the copy this
// buildpack carries, in the launch layer "framework".
package nodefunction
