package sbom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadGoToolchainRefusesWhatIsNotARecord(t *testing.T) {
	sum := strings.Repeat("0f", 32)
	for _, tt := range []struct{ name, body, err string }{
		{"valid", `{"goVersion":"1.26.8","module":"golang.org/toolchain","version":"v0.0.1-go1.26.8.linux-amd64","h1":"h1:x=","sha256":"` + sum + `"}`, ""},
		{"gosumdb off", `{"goVersion":"1.26.8","module":"golang.org/toolchain","version":"v0.0.1-go1.26.8.linux-amd64","sha256":"` + sum + `"}`, ""},
		{"not json", `go 1.26.8`, "invalid character"},
		{"no version", `{"module":"golang.org/toolchain","version":"v","sha256":"` + sum + `"}`, "are required"},
		{"short sha", `{"goVersion":"1","module":"m","version":"v","sha256":"abcd"}`, "not a hex SHA-256"},
		{"not hex", `{"goVersion":"1","module":"m","version":"v","sha256":"` + strings.Repeat("zz", 32) + `"}`, "not a hex SHA-256"},
		{"md5 h1", `{"goVersion":"1","module":"m","version":"v","h1":"md5:x","sha256":"` + sum + `"}`, "not an h1: hash"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, GoToolchainRecordFile), []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, ok, err := ReadGoToolchain(dir)
			if tt.err == "" {
				if err != nil || !ok {
					t.Fatalf("ok %v, err %v", ok, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), GoToolchainRecordFile) {
				t.Fatalf("err %v, want %q naming the file", err, tt.err)
			}
		})
	}
	if _, ok, err := ReadGoToolchain(t.TempDir()); ok || err != nil {
		t.Fatalf("no record: ok %v, err %v; want false, nil", ok, err)
	}
}
