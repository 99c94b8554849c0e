package sandbox

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"
)

func init() { Register("sandbox-bench", benchJob) }

// benchJob starts req.N containers running /helper exit 0 one after the
// other, alternating crun and runc, and sends each one's start-to-exit time.
func benchJob(ctx context.Context, in *Inside) (int, error) {
	var req struct {
		testRequest
		N int
	}
	if err := in.Decode(&req); err != nil {
		return 1, err
	}
	for i := 0; i < req.N; i++ {
		for _, rt := range []string{"crun", "runc"} {
			os.Setenv(RuntimeEnv, rt)
			state := fmt.Sprintf("%s/%s-%d", req.State, rt, i)
			os.MkdirAll(state, 0o755)
			c := &Container{Rootfs: req.Rootfs, State: state, UID: 1000, GID: 1000, Args: []string{"/helper", "exit", "0"}}
			start := time.Now()
			r, err := c.Start()
			if err != nil {
				return 1, err
			}
			r.Wait()
			in.Send(rt, time.Since(start).Microseconds())
		}
	}
	return 0, nil
}

// TestRuntimeStartTimes compares crun and runc in the helper (set
// KILN_BENCH_RUNTIMES=N to run it).
func TestRuntimeStartTimes(t *testing.T) {
	if os.Getenv("KILN_BENCH_RUNTIMES") == "" {
		t.Skip("set KILN_BENCH_RUNTIMES=N")
	}
	var n int
	fmt.Sscan(os.Getenv("KILN_BENCH_RUNTIMES"), &n)
	ids := testIDs(t)
	times := map[string][]int{}
	h, err := Enter(Options{Job: "sandbox-bench", IDs: ids, Stdout: os.Stdout, Stderr: os.Stderr,
		Request: struct {
			testRequest
			N int
		}{testRequest{Rootfs: rootfs(t, ids), State: stateDir(t, ids)}, n},
		OnEvent: func(e Event) { var us int; e.Decode(&us); times[e.Kind] = append(times[e.Kind], us) }})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := h.Wait(); code != 0 || err != nil {
		t.Fatal(code, err)
	}
	for rt, ts := range times {
		sort.Ints(ts)
		t.Logf("%s: median %.1f ms, min %.1f ms (%d runs)", rt, float64(ts[len(ts)/2])/1000, float64(ts[0])/1000, len(ts))
	}
}
