// Package sbom reads the software bills of materials an app image carries:
// the CNB SBOM layer the lifecycle exports (named by the sbom field of the
// io.buildpacks.lifecycle.metadata label: <layers>/sbom/launch/<buildpack
// id>/<layer>/sbom.<cdx|spdx|syft>.json, the launcher's under
// buildpacksio_lifecycle) and the stack's Debian package SBOM inside the
// run image's layers (/cnb/stack/sbom.{cdx,spdx}.json, named by the
// dev.kiln.stack.sbom label). Images are hostile input: paths are checked,
// sizes bounded, nothing is written outside the directory asked for.
package sbom
