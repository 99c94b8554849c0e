package lifecycle

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out)
	clock := time.Unix(0, 0)
	p.now = func() time.Time { return clock }
	input := strings.Join([]string{
		"===> ANALYZING", "Image with name \"x\" not found",
		"===> DETECTING", "kiln/go-dist 0.1.0",
		"===> RESTORING", "Restoring data for \"kiln/go-dist:go\" from cache",
		"===> BUILDING", "  \x1b[34mGo 1.26.8\x1b[0m: \x1b[32mReusing\x1b[0m cached layer",
		"===> EXPORTING", "Reusing layer 'kiln/go-build:app'",
	}, "\n")
	for _, line := range strings.Split(input, "\n") {
		if strings.HasPrefix(line, "===> ") {
			clock = clock.Add(time.Second)
		}
		p.Line(line)
	}
	clock = clock.Add(2 * time.Second)
	phases := p.Phases()
	want := []Phase{{"analyzing", time.Second}, {"detecting", time.Second}, {"restoring", time.Second}, {"building", time.Second}, {"exporting", 2 * time.Second}}
	if len(phases) != len(want) {
		t.Fatalf("phases = %v", phases)
	}
	for i := range want {
		if phases[i] != want[i] {
			t.Errorf("phase %d = %v, want %v", i, phases[i], want[i])
		}
	}
	if len(p.CacheHits) != 3 {
		t.Errorf("cache hits = %q, want 3", p.CacheHits)
	}
	p.Line("\x1b[31;1m  FUNC_NAME=X: no such function\x1b[0m")
	p.Line("\x1b[31;1mERROR: \x1b[0mfailed to build: exit status 1")
	if len(p.Failure) != 1 || p.Failure[0] != "FUNC_NAME=X: no such function" {
		t.Errorf("failure lines = %q", p.Failure)
	}
	if !strings.Contains(out.String(), "==> DETECTING\n    kiln/go-dist 0.1.0\n") {
		t.Errorf("echo = %q", out.String())
	}
}

func TestExplain(t *testing.T) {
	for code, want := range map[int]string{20: "needs a go.mod", 51: "a buildpack failed", 62: "exporting", 137: "signal 9", 7: "exit code 7"} {
		if got := Explain(code, "b"); !strings.Contains(got, want) {
			t.Errorf("Explain(%d) = %q, want %q", code, got, want)
		}
	}
}
