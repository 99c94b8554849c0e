// Package npminstall is the kiln/npm-install buildpack. With dependencies in
// package.json it runs `npm ci --omit=dev` (a lockfile is present) or
// `npm install --omit=dev` in the launch+cache layer "modules", keyed by the
// SHA-256 of package.json and the lockfile plus the Node and npm versions, so
// an unchanged manifest reuses the layer without running npm. The app's
// node_modules becomes a link to it. npm's download cache is a cache layer (or
// the platform's shared dependency cache). The registry is npm's own config
// (NPM_CONFIG_REGISTRY, .npmrc).
//
// Google's and OpenFunction's functions frameworks
// (@google-cloud/functions-framework, @openfunction/functions-framework) are
// left out of what npm installs: kiln/node-function serves such functions on
// Kiln's framework with a compatibility layer. npm sees a package.json without
// them (and runs npm install, since npm ci refuses a lockfile that names them);
// an app whose only dependencies they are needs no npm at all. With
// BP_FUNCTION_FRAMEWORK=native they are installed like any dependency.
package npminstall
