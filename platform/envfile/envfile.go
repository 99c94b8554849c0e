package envfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"kiln.dev/kiln/platform/fsutil"
)

// MaxFileSize bounds an env file.
const MaxFileSize = 1 << 20

// Var is one variable in file order.
type Var struct{ Name, Value string }

// ReadFile parses the env file at path; lookup resolves a bare KEY (nil:
// a bare KEY is an error).
func ReadFile(path string, lookup func(string) (string, bool)) ([]Var, error) {
	b, err := fsutil.ReadFileAtMost(path, MaxFileSize)
	if errors.Is(err, fsutil.ErrTooLarge) {
		return nil, fmt.Errorf("--env-file %s: larger than %d bytes: is it an env file?", path, MaxFileSize)
	}
	if err != nil {
		return nil, fmt.Errorf("--env-file %s: %w", path, err)
	}
	return Parse(path, b, lookup)
}

// Parse parses env file data; name is the file for errors.
func Parse(name string, data []byte, lookup func(string) (string, bool)) ([]Var, error) {
	var vars []Var
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), MaxFileSize+1)
	for n := 1; sc.Scan(); n++ {
		v, ok, err := parseLine(sc.Text(), lookup)
		if err != nil {
			return nil, fmt.Errorf("--env-file %s:%d: %w", name, n, err)
		}
		if ok {
			vars = append(vars, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--env-file %s: %w", name, err)
	}
	return vars, nil
}

func parseLine(line string, lookup func(string) (string, bool)) (Var, bool, error) {
	line = strings.TrimSuffix(line, "\r")
	t := strings.TrimSpace(line)
	if t == "" || strings.HasPrefix(t, "#") {
		return Var{}, false, nil
	}
	if strings.ContainsRune(t, 0) {
		return Var{}, false, errors.New("a NUL byte: env values cannot hold one")
	}
	t = strings.TrimPrefix(t, "export ")
	k, v, hasValue := strings.Cut(t, "=")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if !ValidName(k) {
		return Var{}, false, fmt.Errorf("%q is not a variable name: want KEY=VALUE, KEY a letter or _ then letters, digits or _", k)
	}
	if !hasValue {
		if lookup == nil {
			return Var{}, false, fmt.Errorf("%s has no value: want %s=VALUE", k, k)
		}
		val, ok := lookup(k)
		if !ok {
			return Var{}, false, fmt.Errorf("%s has no value and is not set in your environment: want %s=VALUE", k, k)
		}
		return Var{k, val}, true, nil
	}
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if v[len(v)-1] != v[0] {
			return Var{}, false, fmt.Errorf("%s: the value opens a %c quote it does not close (values span one line)", k, v[0])
		}
		v = v[1 : len(v)-1]
	} else if len(v) == 1 && (v[0] == '"' || v[0] == '\'') {
		return Var{}, false, fmt.Errorf("%s: the value opens a %c quote it does not close (values span one line)", k, v[0])
	}
	return Var{k, v}, true, nil
}

// ValidName says whether k is a portable env variable name: a letter or _,
// then letters, digits or _.
func ValidName(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
