package deploy

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// entries is what the bundle's layer holds: name → mode and content
// ("dir" for directories), checked against what Shipwright v0.17's
// bundle.Unpack accepts (only directories and regular files, names
// relative and inside the target).
func entries(t *testing.T, b *Bundle) map[string]string {
	t.Helper()
	layers, err := b.Image.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("want one layer, got %d (%v)", len(layers), err)
	}
	rc := mutate.Extract(b.Image)
	defer rc.Close()
	tr := tar.NewReader(rc)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(h.Name, "/") || strings.Contains("/"+h.Name+"/", "/../") {
			t.Errorf("entry %q is not relative to the root", h.Name)
		}
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: mtime %v uid %d gid %d", h.Name, h.ModTime, h.Uid, h.Gid)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			out[h.Name] = "dir"
		case tar.TypeReg:
			body, _ := io.ReadAll(tr)
			out[h.Name] = strings.TrimPrefix(string(rune('0'+h.Mode>>6&7)), "") + " " + string(body)
		default:
			t.Errorf("%s: type %c, which Shipwright's bundle.Unpack refuses", h.Name, h.Typeflag)
		}
	}
}

func write(t *testing.T, dir, rel, body string, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

func TestPackSource(t *testing.T) {
	for _, c := range []struct {
		name    string
		make    func(t *testing.T, dir, outside string)
		skip    func(string, bool) bool
		lim     Limits
		want    map[string]string
		wantErr string
	}{{
		name: "files and directories, executables kept",
		make: func(t *testing.T, dir, _ string) {
			write(t, dir, "go.mod", "module x\n", 0o644)
			write(t, dir, "cmd/run.sh", "#!/bin/sh\n", 0o700)
		},
		want: map[string]string{"cmd": "dir", "cmd/run.sh": "7 #!/bin/sh\n", "go.mod": "6 module x\n"},
	}, {
		name: "what skip names stays out, a skipped directory with all it holds",
		make: func(t *testing.T, dir, _ string) {
			write(t, dir, "main.py", "x", 0o644)
			write(t, dir, ".venv/bin/python", "y", 0o755)
			write(t, dir, "notes.md", "z", 0o644)
		},
		skip: func(rel string, isDir bool) bool { return rel == ".venv" || rel == "notes.md" },
		want: map[string]string{"main.py": "6 x"},
	}, {
		name: "a symlink to a file inside is packed as the file",
		make: func(t *testing.T, dir, _ string) {
			write(t, dir, "lib/real.js", "module.exports = 1", 0o644)
			if err := os.Symlink("lib/real.js", filepath.Join(dir, "index.js")); err != nil {
				t.Fatal(err)
			}
		},
		want: map[string]string{"index.js": "6 module.exports = 1", "lib": "dir", "lib/real.js": "6 module.exports = 1"},
	}, {
		name: "a symlink out of the directory is refused, named",
		make: func(t *testing.T, dir, outside string) {
			write(t, outside, "secret", "s3cr3t", 0o600)
			if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "config")); err != nil {
				t.Fatal(err)
			}
		},
		wantErr: "source: symlink config points out of the source directory",
	}, {
		name: "a relative symlink climbing out is refused",
		make: func(t *testing.T, dir, outside string) {
			write(t, outside, "secret", "s3cr3t", 0o600)
			rel, _ := filepath.Rel(dir, filepath.Join(outside, "secret"))
			if err := os.Symlink(rel, filepath.Join(dir, "a")); err != nil {
				t.Fatal(err)
			}
		},
		wantErr: "symlink a points out of the source directory",
	}, {
		name: "a dangling symlink is refused, named",
		make: func(t *testing.T, dir, _ string) {
			if err := os.Symlink("nowhere", filepath.Join(dir, "gone")); err != nil {
				t.Fatal(err)
			}
		},
		wantErr: "source: symlink gone:",
	}, {
		name: "a symlink to a directory is refused",
		make: func(t *testing.T, dir, _ string) {
			write(t, dir, "lib/a", "a", 0o644)
			if err := os.Symlink("lib", filepath.Join(dir, "alias")); err != nil {
				t.Fatal(err)
			}
		},
		wantErr: "symlink alias points to a directory",
	}, {
		name: "a symlink skip names is not followed",
		make: func(t *testing.T, dir, outside string) {
			if err := os.Symlink("/etc/passwd", filepath.Join(dir, "pw")); err != nil {
				t.Fatal(err)
			}
			write(t, dir, "a", "a", 0o644)
		},
		skip: func(rel string, _ bool) bool { return rel == "pw" },
		want: map[string]string{"a": "6 a"},
	}, {
		name: "a named pipe is refused",
		make: func(t *testing.T, dir, _ string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
				t.Skip(err)
			}
		},
		wantErr: "source: fifo is a named pipe, not a file or directory",
	}, {
		name: "the size bound",
		make: func(t *testing.T, dir, _ string) {
			write(t, dir, "a", strings.Repeat("a", 600), 0o644)
			write(t, dir, "b", strings.Repeat("b", 600), 0o644)
		},
		lim:     Limits{MaxBytes: 1000},
		wantErr: "source: more than 0 MiB (at b, 600 bytes): list what the build does not need in .kilnignore",
	}, {
		name: "the file count bound",
		make: func(t *testing.T, dir, _ string) {
			for _, n := range []string{"a", "b", "c"} {
				write(t, dir, n, n, 0o644)
			}
		},
		lim:     Limits{MaxFiles: 2},
		wantErr: "source: more than 2 files and directories (at c)",
	}} {
		t.Run(c.name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			c.make(t, dir, outside)
			b, err := PackSource(dir, c.skip, c.lim)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			got := entries(t, b)
			if len(got) != len(c.want) {
				t.Errorf("entries %q, want %v", got, keys(c.want))
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q (all: %q)", k, got[k], v, got)
				}
			}
		})
	}
}

// TestPackSourceIsReproducible: the same source packs to the same digest
// (a redeploy of unchanged source changes nothing), whatever the files'
// times; a changed byte changes it.
func TestPackSourceIsReproducible(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "main.go", "package main", 0o644)
	digest := func() string {
		b, err := PackSource(dir, nil, DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		d, err := b.Image.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d.String()
	}
	first := digest()
	if err := os.Chtimes(filepath.Join(dir, "main.go"), epoch.AddDate(3, 0, 0), epoch.AddDate(3, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if again := digest(); again != first {
		t.Errorf("digest %s then %s after touching a file", first, again)
	}
	write(t, dir, "main.go", "package mian", 0o644)
	if changed := digest(); changed == first {
		t.Error("a changed file kept the digest")
	}
}

func TestPackSourceRemovesItsTar(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a", "a", 0o644)
	b, err := PackSource(dir, nil, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(b.tar); !os.IsNotExist(err) {
		t.Errorf("%s: %v, want it removed", b.tar, err)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
