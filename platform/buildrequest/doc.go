// Package buildrequest turns what kiln build was asked (a source directory
// and its flags) into what the lifecycle is handed: the image name, the
// builder (--builder, else project.toml's, else platform/detect's), the
// build env (project.toml < --env-file < --env < --target/--signature, plus
// the proxy and Go module settings of kiln's own environment) and the
// source filter (.kilnignore and project.toml include/exclude). It reads
// the source directory's descriptor files and nothing else; it runs no
// build and touches no registry (that is platform/lifecycle's).
package buildrequest
