// Package inspect reads what kiln inspect shows of an app image: the
// function contract's labels (target, signature, framework; the constants
// are the Go function buildpack's, which every language's buildpack sets),
// the buildpacks that built it and the run image it sits on (the CNB
// lifecycle's labels), and a summary of its SBOMs (platform/sbom). Labels
// are hostile input: their size is bounded and a label that does not parse
// is named. It reads the image it is handed; fetching it is the caller's.
package inspect
