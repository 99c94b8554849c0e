// Package tools documents the pinned CNB tools kiln drives. The folders
// lifecycle/ and pack/ are wrapper modules that pin buildpacks/lifecycle
// v0.21.14 and buildpacks/pack v0.40.9 (with pack's own BurntSushi/toml
// replace); build.sh builds them from the Go module proxy into
// $KILN_HOME/tools, once. They are separate modules so their large dependency
// graphs never enter kiln's own go.mod.
package tools
