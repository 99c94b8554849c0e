// Package platform is the root of the kiln CLI's libraries: the daemonless
// build and run of CNB images on a bare machine.
//
//	home/         where kiln keeps its state ($KILN_HOME, default ~/.cache/kiln)
//	registry/     the embedded, disk-backed OCI registry
//	imagefs/      flattening images into root file systems, cached by digest
//	sandbox/      mount + pid namespaces, overlay root, chroot, process reaping
//	lifecycle/    kiln build: the CNB creator in the flattened builder
//	runner/       kiln run: the CNB launcher in the flattened app image
//	stackpublish/ kiln stack build/lock; buildpackage/ and builder/ for builders
//	cmd/kiln/     the CLI, one file per subcommand
package platform
