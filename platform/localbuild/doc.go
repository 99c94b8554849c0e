// Package localbuild is kiln build as a library: given a resolved
// buildrequest.Plan it serves (or attaches to) the embedded registry, names
// the output image (the registry, or an OCI layout), resolves other
// registries' credentials for the sandbox helper, and runs the build
// (platform/lifecycle), printing kiln's progress lines to the log writer.
// Flags, output formats and colour are the CLI's.
package localbuild
