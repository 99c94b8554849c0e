package sandbox

import (
	"fmt"
	"os"
	"time"
)

// TraceEnv, set to 1, makes the helper print when each step of starting a
// container ended (milliseconds since the helper started) on stderr.
const TraceEnv = "KILN_TRACE"

var (
	helperStart = time.Now()
	tracing     = os.Getenv(TraceEnv) == "1"
)

func trace(step string) {
	if tracing {
		fmt.Fprintf(os.Stderr, "kiln trace: %6.1f ms %s\n", float64(time.Since(helperStart).Microseconds())/1000, step)
	}
}

// Trace marks a step of a job (see TraceEnv).
func Trace(step string) { trace(step) }
