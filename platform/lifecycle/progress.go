package lifecycle

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Phase is one lifecycle phase and how long it took.
type Phase struct {
	Name     string
	Duration time.Duration
}

// Progress follows the creator's output: it echoes every line (indented) and
// records phase boundaries ("===> DETECTING") and cache hits.
type Progress struct {
	out       io.Writer
	mu        sync.Mutex
	phases    []Phase
	current   string
	started   time.Time
	CacheHits []string
	// Failure holds the error lines buildpacks printed (libpak prints them bold red).
	Failure []string
	now     func() time.Time
}

// NewProgress writes echoed output to out.
func NewProgress(out io.Writer) *Progress {
	return &Progress{out: out, now: time.Now}
}

var cacheHit = regexp.MustCompile(`Reusing cached layer|Restoring data for .* from cache|Reusing layer`)

// Follow consumes r until EOF.
func (p *Progress) Follow(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		p.Line(sc.Text())
	}
}

// Line handles one output line.
func (p *Progress) Line(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if name, ok := strings.CutPrefix(stripANSI(line), "===> "); ok {
		p.endPhase()
		p.current, p.started = strings.ToLower(strings.TrimSpace(name)), p.now()
		fmt.Fprintf(p.out, "==> %s\n", strings.TrimSpace(name))
		return
	}
	if plain := strings.TrimSpace(stripANSI(line)); strings.Contains(line, "\x1b[31;1m") && plain != "" && !strings.HasPrefix(plain, "ERROR:") {
		p.Failure = append(p.Failure, plain)
	}
	if cacheHit.MatchString(stripANSI(line)) {
		p.CacheHits = append(p.CacheHits, strings.TrimSpace(stripANSI(line)))
	}
	fmt.Fprintf(p.out, "    %s\n", line)
}

func (p *Progress) endPhase() {
	if p.current != "" {
		p.phases = append(p.phases, Phase{p.current, p.now().Sub(p.started)})
		p.current = ""
	}
}

// Phases closes the last phase and returns them all.
func (p *Progress) Phases() []Phase {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endPhase()
	return append([]Phase(nil), p.phases...)
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }
