// Package builder creates Kiln's builder images: it renders
// builders/<name>/builder.toml for a registry, packs the pinned lifecycle into
// the tarball pack expects, and runs `pack builder create --publish`, which
// needs no Docker daemon.
package builder
