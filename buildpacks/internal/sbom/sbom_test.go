package sbom

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\n%s\nwant\n%s", name, got, want)
	}
}

func TestMarshalIsSortedDedupedAndStable(t *testing.T) {
	comps := []Component{
		{Name: "zlib", Version: "1.0", PURL: GenericPURL("zlib", "1.0")},
		{Name: "@types/node", Version: "20.1.0", PURL: NPMPURL("@types/node", "20.1.0"), Hashes: IntegrityHashes("sha512-AAEC sha1-AAEC md5-AAEC sha256-!!!")},
		{Type: "platform", Name: "go", Version: "1.26.8", PURL: GolangPURL("golang.org/toolchain", "v0.0.1-go1.26.8")},
		{Name: "Flask_Cors", Version: "4.0.0+local", PURL: PyPIPURL("Flask_Cors", "4.0.0+local")},
		{Group: "org.slf4j", Name: "slf4j-api", Version: "2.0.9", PURL: MavenPURL("org.slf4j", "slf4j-api", "2.0.9")},
		{Name: "zlib", Version: "1.0", PURL: GenericPURL("zlib", "1.0")},
	}
	a, err := Marshal(comps)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "marshal.cdx.json", a)
	// reversed input, same bytes: rebuilds keep their digests.
	for i, j := 0, len(comps)-1; i < j; i, j = i+1, j-1 {
		comps[i], comps[j] = comps[j], comps[i]
	}
	b, _ := Marshal(comps)
	if !bytes.Equal(a, b) {
		t.Fatal("the order of the input changed the document")
	}
	if _, err := Marshal([]Component{{PURL: "pkg:npm/x"}}); err == nil || !strings.Contains(err.Error(), "without a name") {
		t.Fatalf("nameless component err = %v", err)
	}
}

func TestPURLs(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{NPMPURL("@scope/pkg", "1.0.0"), "pkg:npm/%40scope/pkg@1.0.0"},
		{NPMPURL("left-pad", ""), "pkg:npm/left-pad"},
		{PyPIPURL("Zope.Interface__x", "6.0"), "pkg:pypi/zope-interface-x@6.0"},
		{GolangPURL("github.com/a/b/v2", "v2.0.0+incompatible"), "pkg:golang/github.com/a/b/v2@v2.0.0%2Bincompatible"},
		{MavenPURL("com.google.code.gson", "gson", "2.10.1"), "pkg:maven/com.google.code.gson/gson@2.10.1"},
		{GenericPURL("node", "22.11.0"), "pkg:generic/node@22.11.0"},
	} {
		if tt.got != tt.want {
			t.Errorf("purl %s, want %s", tt.got, tt.want)
		}
	}
}

func TestGoBinaryListsTheModulesOfABinary(t *testing.T) {
	// a real binary: test binaries carry no dependency list.
	exe := filepath.Join(t.TempDir(), "gobin")
	cmd := exec.Command("go", "build", "-o", exe, "./testdata/gobin")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// the checksum go verified libcnb against: its go.sum line.
	var libcnbSum string
	gosum, err := os.ReadFile("../../../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(gosum), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "github.com/buildpacks/libcnb/v2" && f[1] == "v2.1.0" {
			libcnbSum = f[2]
		}
	}
	comps, err := GoBinary(exe, "")
	if err != nil {
		t.Fatal(err)
	}
	var libcnb, goTool bool
	for _, c := range comps {
		if c.Name == "github.com/buildpacks/libcnb/v2" && c.Version == "v2.1.0" && c.PURL == "pkg:golang/github.com/buildpacks/libcnb/v2@v2.1.0" &&
			len(c.Properties) == 1 && c.Properties[0] == (Property{Name: GoSumProperty, Value: libcnbSum}) {
			libcnb = true
		}
		if c.Name == "go" && c.Type == "platform" && strings.HasPrefix(c.PURL, "pkg:golang/golang.org/toolchain@v0.0.1-go1.") {
			goTool = true
		}
	}
	if !libcnb || !goTool {
		t.Fatalf("components %+v: want libcnb v2.1.0 with its go.sum hash %q and the go toolchain", comps, libcnbSum)
	}
	notGo := filepath.Join(t.TempDir(), "x")
	os.WriteFile(notGo, []byte("#!/bin/sh\n"), 0o755)
	if _, err := GoBinary(notGo, ""); err == nil || !strings.Contains(err.Error(), notGo) {
		t.Fatalf("non-Go file err = %v", err)
	}
}

func TestNPMLock(t *testing.T) {
	for _, tt := range []struct {
		name, lock, want, err string
	}{
		{name: "v3", lock: `{"lockfileVersion":3,"packages":{"":{"name":"app","version":"1.0.0"},
			"node_modules/express":{"version":"4.19.2","integrity":"sha512-AAEC"},
			"node_modules/@scope/a":{"version":"1.0.0"},
			"node_modules/express/node_modules/debug":{"version":"2.6.9"},
			"node_modules/linked":{"link":true,"resolved":"../x"},
			"node_modules/aliased":{"name":"real-name","version":"3.0.0"}}}`,
			want: "@scope/a@1.0.0 debug@2.6.9 express@4.19.2#SHA-512:000102 real-name@3.0.0"},
		{name: "v1", lock: `{"lockfileVersion":1,"dependencies":{}}`, err: "lockfileVersion 1"},
		{name: "not json", lock: `{`, err: "is not an npm lockfile"},
		{name: "hostile name", lock: `{"lockfileVersion":3,"packages":{"node_modules/../../etc":{"version":"1.0.0"}}}`, err: "no usable name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), ".package-lock.json")
			os.WriteFile(p, []byte(tt.lock), 0o644)
			comps, err := NPMLock(p)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), p) {
					t.Fatalf("err = %v, want %q naming the file", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Marshal(comps)
			if got := summary(t, b); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPythonDists(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		os.MkdirAll(filepath.Join(dir, name), 0o755)
		os.WriteFile(filepath.Join(dir, name, "METADATA"), []byte(body), 0o644)
	}
	write("Flask-3.0.0.dist-info", "Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.0\n\nName: not-a-header\n")
	write("typing_extensions-4.9.0.dist-info", "Metadata-Version: 2.1\r\nname: typing_extensions\nversion: 4.9.0\n")
	os.MkdirAll(filepath.Join(dir, "flask"), 0o755)
	comps, err := PythonDists(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Marshal(comps)
	if got, want := summary(t, b), "Flask@3.0.0 typing_extensions@4.9.0"; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	if !strings.Contains(string(b), `"pkg:pypi/typing-extensions@4.9.0"`) {
		t.Fatalf("purl not normalized:\n%s", b)
	}
	write("broken-1.dist-info", "Metadata-Version: 2.1\n")
	if _, err := PythonDists(dir, nil); err == nil || !strings.Contains(err.Error(), "broken-1.dist-info") {
		t.Fatalf("err = %v", err)
	}
}
