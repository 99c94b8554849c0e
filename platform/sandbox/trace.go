package sandbox

import (
	"fmt"
	"os"
	"time"
)

// TraceEnv, set to 1, makes kiln and the helper print when each step of
// starting a container ended on stderr: the wall clock (to line up kiln's
// and the helper's lines), milliseconds since the process started and its
// pid.
const TraceEnv = "KILN_TRACE"

var (
	helperStart = time.Now()
	tracing     = os.Getenv(TraceEnv) == "1"
)

func trace(step string) {
	if tracing {
		now := time.Now()
		fmt.Fprintf(os.Stderr, "kiln trace: %s %6.1f ms [%d] %s\n", now.Format("15:04:05.000"), float64(now.Sub(helperStart).Microseconds())/1000, os.Getpid(), step)
	}
}

// Trace marks a step of a job (see TraceEnv).
func Trace(step string) { trace(step) }
