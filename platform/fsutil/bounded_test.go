package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadAtMost(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int64
		err   error
	}{
		{"", 0, nil},
		{"abc", 3, nil},
		{"abcd", 3, ErrTooLarge},
		{"a", 0, ErrTooLarge},
	} {
		b, err := ReadAtMost(strings.NewReader(tc.in), tc.limit)
		if !errors.Is(err, tc.err) || (err == nil && string(b) != tc.in) {
			t.Errorf("ReadAtMost(%q, %d) = %q, %v; want %v", tc.in, tc.limit, b, err, tc.err)
		}
	}
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("12345"), 0o644)
	if _, err := ReadFileAtMost(p, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFileAtMost over the limit: %v", err)
	}
	if b, err := ReadFileAtMost(p, 5); err != nil || string(b) != "12345" {
		t.Errorf("ReadFileAtMost at the limit: %q %v", b, err)
	}
}
