package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

// TestReadFileAtMostRefusesAFIFO: a FIFO under the name (no writer) is
// refused at once instead of blocking the reader.
func TestReadFileAtMostRefusesAFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "project.toml")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFileAtMost(p, 1<<20); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Fatalf("ReadFileAtMost(FIFO) = %v; want ErrNotRegular", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadFileAtMost blocked on a FIFO for 10s")
	}
}
