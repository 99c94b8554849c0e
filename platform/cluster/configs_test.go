package cluster

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestConfigFilesGolden renders every config of the node for a fixed layout
// and compares it with testdata/<name>.golden (go test -update rewrites them).
func TestConfigFilesGolden(t *testing.T) {
	c := Config{Layout: Layout{Dir: "/state", Tools: "/tools"}, Registry: "127.0.0.1:5000", KubeletPort: 10250, ProxyHealth: 10256, ProxyMetric: 10249}
	files, err := configFiles(c)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"config.toml": true, "hosts.toml": true, "kubelet.yaml": true, "kube-proxy.yaml": true, "10-kiln.conflist": true}
	for _, f := range files {
		name := filepath.Base(f.path)
		if !want[name] {
			t.Errorf("unexpected config %s", f.path)
			continue
		}
		delete(want, name)
		if !strings.HasPrefix(f.path, "/state/") {
			t.Errorf("%s: outside the state dir", f.path)
		}
		golden := filepath.Join("testdata", name+".golden")
		if *update {
			if err := os.WriteFile(golden, []byte(f.text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update once)", err)
		}
		if string(b) != f.text {
			t.Errorf("%s differs from %s:\n%s", name, golden, f.text)
		}
	}
	for name := range want {
		t.Errorf("config %s not rendered", name)
	}
}

// TestConfigFilesRejectBadRegistry: the registry address lands in TOML
// strings and in a path; a quote, newline or slash must not.
func TestConfigFilesRejectBadRegistry(t *testing.T) {
	for _, reg := range []string{"", "127.0.0.1:5000\"\nroot = \"/\"", "../../etc:1", "a/b"} {
		if _, err := configFiles(Config{Layout: Layout{Dir: "/s"}, Registry: reg}); err == nil {
			t.Errorf("registry %q accepted", reg)
		}
	}
}
