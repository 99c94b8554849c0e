package imagefs

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"kiln.dev/kiln/platform/untar"
	"kiln.dev/kiln/platform/untar/untartest"
)

// fuzzSeeds are the breakout table plus escapes through ../canary, which
// stay valid whatever temp dir an iteration gets.
func fuzzSeeds(f *testing.F) [][]untartest.Entry {
	s := untartest.NewSandbox(f)
	var out [][]untartest.Entry
	for _, c := range untartest.Breakouts() {
		out = append(out, c.Bind(s, "").Entries)
	}
	return append(out, [][]untartest.Entry{
		{{Name: "up", Type: tar.TypeSymlink, Link: "../canary"}, {Name: "up/pwned", Body: "x"}, {Name: "up/.wh.secret"}},
		{{Name: "up", Type: tar.TypeSymlink, Link: "../../host"}, {Name: "up/", Type: tar.TypeDir, Mode: 0o7777}},
		{{Name: "a/b", Type: tar.TypeSymlink, Link: "../.."}, {Name: "a/b/canary/.wh..wh..opq"}, {Name: "h", Type: tar.TypeLink, Link: "a/b/canary/secret"}},
		{{Name: "l", Type: tar.TypeSymlink, Link: "l"}, {Name: "l/x", Body: "loop"}},
		{{Name: "d/", Type: tar.TypeDir, Mode: 0o555}, {Name: "d/f", Body: "f", Mode: 0o4755}, {Name: "d/.wh.f"}},
	}...)
}

// FuzzUntar extracts arbitrary bytes as an image layer (run with make fuzz).
func FuzzUntar(f *testing.F) {
	for _, entries := range fuzzSeeds(f) {
		f.Add(untartest.Tar(f, entries))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkLayer(t, data) })
}

// FuzzUntarEntries decodes the fuzzer's bytes into tar entries and writes a
// valid archive of them: byte-level mutations of a tar mostly break its
// header checksums, this reaches the extractor's logic.
func FuzzUntarEntries(f *testing.F) {
	for _, entries := range fuzzSeeds(f) {
		f.Add(untartest.EncodeEntries(entries))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLayer(t, untartest.TarLenient(untartest.DecodeEntries(data)))
	})
}

// checkLayer extracts layer into a fresh Sandbox.Root (jail/root, beside
// jail/canary) and fails if anything outside the root changed or anything
// inside breaks the policy (devices, FIFOs, setuid/setgid files).
func checkLayer(t *testing.T, layer []byte) {
	s := untartest.NewSandbox(t)
	// Small limits: a sparse entry may claim gigabytes in a few bytes.
	untarLayer(bytes.NewReader(layer), s.Root, untar.Limits{FileSize: 1 << 20, TotalSize: 4 << 20, Entries: 1000})
	s.Verify(t)
	filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		m := fi.Mode()
		if m&(os.ModeDevice|os.ModeCharDevice|os.ModeNamedPipe|os.ModeSocket) != 0 || (!m.IsDir() && m&(os.ModeSetuid|os.ModeSetgid) != 0) {
			t.Errorf("%s has mode %v", p, m)
		}
		return nil
	})
}
