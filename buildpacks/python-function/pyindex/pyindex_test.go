package pyindex

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A package dir becomes a wheel pip finds on the simple page and can fetch.
func TestAddPackagesServed(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "kiln_greeting"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "kiln_greeting", "__init__.py"), []byte("def greet(n):\n    return n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	idx, err := ServeOn("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.AddPackages(root, "1.0.0"); err != nil {
		t.Fatal(err)
	}
	page := get(t, idx.URL+"kiln-greeting/")
	const whl = "kiln_greeting-1.0.0-py3-none-any.whl"
	if !strings.Contains(page, whl+"</a>") {
		t.Fatalf("simple page:\n%s", page)
	}
	if b := get(t, strings.TrimSuffix(idx.URL, "simple/")+"files/kiln-greeting/"+whl); !strings.HasPrefix(b, "PK") {
		t.Errorf("the wheel is not a zip: %q", b[:min(len(b), 8)])
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	return string(b)
}
