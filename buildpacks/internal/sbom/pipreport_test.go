package sbom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPipArchiveHashes(t *testing.T) {
	a, b := strings.Repeat("ab", 32), strings.Repeat("CD", 32)
	p := filepath.Join(t.TempDir(), PipReportFile)
	os.WriteFile(p, []byte(`{"version":"1","install":[
		{"metadata":{"name":"Flask_Cors","version":"4.0.0"},"download_info":{"url":"https://x/f.whl","archive_info":{"hash":"sha256=`+a+`","hashes":{"sha256":"`+a+`"}}}},
		{"metadata":{"name":"older-pip","version":"1.0"},"download_info":{"archive_info":{"hash":"sha256=`+b+`"}}},
		{"metadata":{"name":"md5-only","version":"1.0"},"download_info":{"archive_info":{"hash":"md5=abcd"}}},
		{"metadata":{"name":"short","version":"1.0"},"download_info":{"archive_info":{"hashes":{"sha256":"abcd"}}}},
		{"metadata":{"name":"local-dir","version":"1.0"},"download_info":{"dir_info":{}}}]}`), 0o644)
	got, err := PipArchiveHashes(p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Hash{"flask-cors@4.0.0": {"SHA-256", a}, "older-pip@1.0": {"SHA-256", strings.ToLower(b)}}
	if len(got) != len(want) || got["flask-cors@4.0.0"] != want["flask-cors@4.0.0"] || got["older-pip@1.0"] != want["older-pip@1.0"] {
		t.Fatalf("got %v, want %v", got, want)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "Flask_Cors-4.0.0.dist-info"), 0o755)
	os.WriteFile(filepath.Join(dir, "Flask_Cors-4.0.0.dist-info", "METADATA"), []byte("Name: Flask-Cors\nVersion: 4.0.0\n"), 0o644)
	comps, err := PythonDists(dir, got)
	if err != nil || len(comps) != 1 || len(comps[0].Hashes) != 1 || comps[0].Hashes[0].Content != a {
		t.Fatalf("PythonDists %+v %v: want Flask-Cors with the wheel's SHA-256", comps, err)
	}
	if m, err := PipArchiveHashes(filepath.Join(t.TempDir(), "none.json")); m != nil || err != nil {
		t.Fatalf("no report: %v %v", m, err)
	}
	os.WriteFile(p, []byte("not json"), 0o644)
	if _, err := PipArchiveHashes(p); err == nil || !strings.Contains(err.Error(), PipReportFile) {
		t.Fatalf("err = %v", err)
	}
}
