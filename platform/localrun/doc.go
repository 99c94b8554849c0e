// Package localrun is kiln run as a library: a Session owns resolving the
// image (flattened already, else pulled through the embedded registry or
// another one with the Docker config's credentials), the env (env files
// under --env, one entry per variable), daprd beside the function when asked
// (its ports, FUNC_CONTEXT checked against the components, started once the
// function listens, its exit ending the run) and the function's process
// (platform/runner). It prints kiln's own progress lines to Out; flags and
// colour are the CLI's.
package localrun
