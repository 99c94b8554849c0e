// Command kiln-sandbox is kiln's sandbox helper (see platform/sandbox): kiln
// starts it as the init of a build's or run's namespaces. It links only the
// sandbox and the jobs kiln runs in it, so it starts several times faster
// than kiln itself. Install it next to kiln, from the same build.
package main

import (
	"fmt"
	"os"

	_ "kiln.dev/kiln/platform/cachegc"   // registers the cache-gc job
	_ "kiln.dev/kiln/platform/lifecycle" // registers the build job
	_ "kiln.dev/kiln/platform/runner"    // registers the run job
	"kiln.dev/kiln/platform/sandbox"
)

func main() {
	sandbox.MaybeInit()
	fmt.Fprintln(os.Stderr, "kiln-sandbox is kiln's sandbox helper: kiln starts it; run kiln instead")
	os.Exit(2)
}
