package ignore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"kiln.dev/kiln/platform/fsutil"
)

// Bounds on a pattern list.
const (
	MaxFileSize   = 1 << 20 // bytes of a .kilnignore
	MaxPatterns   = 10_000
	MaxPatternLen = 4096
	MaxDoubleStar = 8 // ** in one pattern (each multiplies the matching work)
)

// FileName is the ignore file kiln build reads from the source directory.
const FileName = ".kilnignore"

// rule is one parsed pattern.
type rule struct {
	segs     []string // slash-separated glob segments
	negate   bool     // !pattern: re-include
	dirOnly  bool     // pattern/: directories only
	anchored bool     // has a / before its end: matched from the root
}

// Matcher is a parsed pattern list; the last pattern that matches a path
// decides.
type Matcher struct{ rules []rule }

// Empty says whether the list has no patterns.
func (m *Matcher) Empty() bool { return m == nil || len(m.rules) == 0 }

// ReadFile parses the pattern file at path; a missing file is an empty list.
func ReadFile(path string) (*Matcher, error) {
	b, err := fsutil.ReadFileAtMost(path, MaxFileSize)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &Matcher{}, nil
	case errors.Is(err, fsutil.ErrTooLarge):
		return nil, fmt.Errorf("%s: larger than %d bytes: keep the patterns few (a directory/ pattern leaves out all below it)", path, MaxFileSize)
	case err != nil:
		return nil, fmt.Errorf("%s: reading: %w", path, err)
	}
	return Parse(path, b)
}

// Parse parses a pattern list; name (a file name) is for errors.
func Parse(name string, data []byte) (*Matcher, error) {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), MaxFileSize+1)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ParseLines(name, lines)
}

// ParseLines parses one pattern per element; errors name name:LINE (the
// element's 1-based index).
func ParseLines(name string, lines []string) (*Matcher, error) {
	m := &Matcher{}
	for i, line := range lines {
		r, ok, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: pattern %q: %w", name, i+1, line, err)
		}
		if !ok {
			continue
		}
		if len(m.rules) == MaxPatterns {
			return nil, fmt.Errorf("%s:%d: more than %d patterns", name, i+1, MaxPatterns)
		}
		m.rules = append(m.rules, r)
	}
	return m, nil
}

func parseLine(line string) (rule, bool, error) {
	line = strings.TrimSuffix(line, "\r")
	if len(line) > MaxPatternLen {
		return rule{}, false, fmt.Errorf("longer than %d bytes", MaxPatternLen)
	}
	if t := strings.TrimRight(line, " \t"); t == "" || strings.HasPrefix(t, "#") {
		return rule{}, false, nil
	}
	line = trimTrailingSpace(line)
	var r rule
	switch {
	case strings.HasPrefix(line, `\#`), strings.HasPrefix(line, `\!`):
		line = line[1:]
	case strings.HasPrefix(line, "!"):
		r.negate, line = true, line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly, line = true, strings.TrimRight(line, "/")
	}
	if strings.Contains(line, "/") {
		r.anchored, line = true, strings.TrimLeft(line, "/")
	}
	if line == "" {
		return rule{}, false, errors.New("matches nothing: name a file, directory or glob")
	}
	r.segs = strings.Split(line, "/")
	stars := 0
	for _, s := range r.segs {
		if s == "**" {
			stars++
			continue
		}
		if _, err := path.Match(s, ""); err != nil {
			return rule{}, false, fmt.Errorf("bad glob %q (an unclosed [ or a trailing \\?)", s)
		}
	}
	if stars > MaxDoubleStar {
		return rule{}, false, fmt.Errorf("more than %d ** in one pattern", MaxDoubleStar)
	}
	return r, true, nil
}

// trimTrailingSpace drops trailing spaces unless escaped with \.
func trimTrailingSpace(s string) string {
	for strings.HasSuffix(s, " ") && !strings.HasSuffix(s, `\ `) {
		s = s[:len(s)-1]
	}
	return strings.ReplaceAll(s, `\ `, " ")
}

// Match says whether the list leaves out rel (slash-separated, relative to
// the root; isDir when it names a directory). A path inside a left-out
// directory is left out too: as in git, ! cannot re-include it.
func (m *Matcher) Match(rel string, isDir bool) bool {
	parts := m.parts(rel)
	if parts == nil {
		return false
	}
	for i := 1; i < len(parts); i++ {
		if m.decide(parts[:i], true) {
			return true
		}
	}
	return m.decide(parts, isDir)
}

// MatchWalked is Match for a walker that never enters a directory Match
// (or MatchWalked) left out: every ancestor of rel has been decided already,
// so only rel itself is. It costs one decision instead of one per ancestor
// (Match is quadratic in the depth of the path).
func (m *Matcher) MatchWalked(rel string, isDir bool) bool {
	parts := m.parts(rel)
	return parts != nil && m.decide(parts, isDir)
}

// parts is rel cleaned and split, nil when there is nothing to decide (no
// patterns, or the root itself).
func (m *Matcher) parts(rel string) []string {
	if m.Empty() {
		return nil
	}
	rel = strings.Trim(path.Clean("/"+rel), "/")
	if rel == "" {
		return nil
	}
	return strings.Split(rel, "/")
}

// decide is the verdict of the last rule that matches the path parts.
func (m *Matcher) decide(parts []string, isDir bool) bool {
	out := false
	for _, r := range m.rules {
		if r.dirOnly && !isDir {
			continue
		}
		var ok bool
		if r.anchored {
			ok = matchSegs(r.segs, parts)
		} else {
			ok = matchSegs(r.segs, parts[len(parts)-1:])
		}
		if ok {
			out = !r.negate
		}
	}
	return out
}

// matchSegs matches glob segments against path parts, ** standing for any
// number of parts. It is dynamic programming over (segment, part) pairs:
// O(segments × parts), however many ** a pattern holds.
func matchSegs(segs, parts []string) bool {
	// ok[j]: segs[i:] matches parts[j:], computed for i from the end.
	ok := make([]bool, len(parts)+1)
	ok[len(parts)] = true
	for i := len(segs) - 1; i >= 0; i-- {
		next := make([]bool, len(parts)+1)
		if segs[i] == "**" {
			// ** matches parts[j:k] for any k >= j.
			any := false
			for j := len(parts); j >= 0; j-- {
				any = any || ok[j]
				next[j] = any
			}
		} else {
			for j := len(parts) - 1; j >= 0; j-- {
				m, _ := path.Match(segs[i], parts[j])
				next[j] = m && ok[j+1]
			}
		}
		ok = next
	}
	return ok[0]
}
