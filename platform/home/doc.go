// Package home names the directories kiln keeps its state in, under
// $KILN_HOME (default $HOME/.cache/kiln): tools, the registry, flattened
// rootfs caches, per-app build caches and downloaded .debs.
package home
