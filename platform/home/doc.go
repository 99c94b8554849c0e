// Package home names the directories kiln keeps its state in, under
// $KILN_HOME (default $HOME/.cache/kiln): tools, the registry, flattened
// rootfs caches, per-app build caches and downloaded .debs. What the sandbox
// writes lives in an IDStore per id mapping ($KILN_HOME/userns/<key>).
package home
