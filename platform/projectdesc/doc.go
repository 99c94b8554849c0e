// Package projectdesc reads a source directory's project.toml, the Cloud
// Native Buildpacks project descriptor (schema 0.2: [_] and [io.buildpacks];
// schema 0.1: [project] and [build]), as far as kiln build uses it: the
// build env, include/exclude patterns for the source, and the builder. Other
// tables (another platform's) are left alone. The file is hostile input: its
// size is bounded and errors name the file and the field at fault. It only
// reads; applying the patterns is platform/ignore's.
package projectdesc
