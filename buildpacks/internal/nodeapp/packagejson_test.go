package nodeapp

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	p, err := Parse([]byte(`{"name":"fn","version":"1.2.3","main":"src/fn.js","type":"module","engines":{"node":"22"},"dependencies":{"x":"^1"},"scripts":{"start":"node ."},"private":true,"license":null,"main2":5}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &PackageJSON{Name: "fn", VersionField: "1.2.3", Main: "src/fn.js", Type: "module", Engines: map[string]string{"node": "22"},
		Dependencies: map[string]string{"x": "^1"}, Scripts: map[string]string{"start": "node ."}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got %+v", p)
	}
	if p.Version() != "1.2.3" || (*PackageJSON)(nil).Version() != "" {
		t.Fatal("Version()")
	}
	if p, err := Parse([]byte(`{"main":null,"engines":null,"type":"commonjs"}`)); err != nil || p.Main != "" || p.Engines != nil {
		t.Fatalf("nulls: %+v %v", p, err)
	}
}

// Every malformed package.json is reported with the field and what it must hold.
func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ name, content, want string }{
		{"invalid JSON", "{\n  \"name\": \"fn\",\n}\n", "package.json is not valid JSON: line 3, column 1: invalid character '}' looking for beginning of object key string: fix the file there"},
		{"truncated", `{"name": "fn"`, "package.json is not valid JSON: line 1, column 13: unexpected end of JSON input: fix the file there"},
		{"empty file", ``, "package.json is not valid JSON: line 1, column 1: unexpected end of JSON input: fix the file there"},
		{"not an object", `["index.js"]`, "package.json must hold a JSON object ({...}), not an array"},
		{"a string", `"index.js"`, "package.json must hold a JSON object ({...}), not a string"},
		{"main a number", `{"main": 1}`, `package.json: "main" must be a string (the function's file, e.g. "index.js"), not a number`},
		{"main an array", `{"main": ["a.js"]}`, `package.json: "main" must be a string (the function's file, e.g. "index.js"), not an array`},
		{"name an object", `{"name": {}}`, `package.json: "name" must be a string (the package name, e.g. "hello"), not an object`},
		{"version a number", `{"version": 1.0}`, `package.json: "version" must be a string (e.g. "1.0.0"), not a number`},
		{"type a boolean", `{"type": true}`, `package.json: "type" must be a string ("module" or "commonjs"), not a boolean`},
		{"type unknown", `{"type": "esm"}`, `package.json: "type" is "esm"; Node.js knows "module" (ES modules) and "commonjs": set one of them, or remove "type"`},
		{"engines a string", `{"engines": "node 22"}`, `package.json: "engines" must be an object of strings (e.g. {"node": "22"}), not a string`},
		{"engines.node a number", `{"engines": {"node": 22}}`, `package.json: engines.node must be a string (e.g. {"node": "22"}), not a number`},
		{"dependencies an array", `{"dependencies": ["express"]}`, `package.json: "dependencies" must be an object of strings (e.g. {"express": "^4.21.0"}), not an array`},
		{"dependency version an object", `{"dependencies": {"express": {"version": "4"}}}`, `package.json: dependencies.express must be a string (e.g. {"express": "^4.21.0"}), not an object`},
		{"dependency version null", `{"dependencies": {"express": null}}`, `package.json: dependencies.express must be a string (e.g. {"express": "^4.21.0"}), not null`},
		{"scripts a boolean", `{"scripts": false}`, `package.json: "scripts" must be an object of strings (e.g. {"start": "node index.js"}), not a boolean`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.content)); err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}

func TestReadAndFiles(t *testing.T) {
	dir := t.TempDir()
	if p, err := Read(dir); p != nil || err != nil {
		t.Fatalf("no package.json: %v %v", p, err)
	}
	if HasNodeApp(dir) || Lockfile(dir) != "" {
		t.Fatal("empty dir looks like a Node app")
	}
	for _, f := range []string{"index.js", "function.js", "package.json"} {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, f), []byte("{}"), 0o644)
		if !HasNodeApp(d) {
			t.Errorf("%s alone is not a Node app", f)
		}
	}
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"main": 3}`), 0o644)
	if _, err := Read(dir); err == nil || !strings.HasPrefix(err.Error(), "package.json: \"main\"") {
		t.Fatalf("err = %v", err)
	}
	os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte("{}"), 0o644)
	if Lockfile(dir) != "package-lock.json" {
		t.Fatal("lockfile")
	}
	os.WriteFile(filepath.Join(dir, "npm-shrinkwrap.json"), []byte("{}"), 0o644)
	if Lockfile(dir) != "npm-shrinkwrap.json" {
		t.Fatal("shrinkwrap comes first")
	}
	unreadable := t.TempDir()
	os.Mkdir(filepath.Join(unreadable, "package.json"), 0o755)
	if _, err := Read(unreadable); err == nil || !strings.HasPrefix(err.Error(), "package.json: reading: ") {
		t.Fatalf("directory package.json err = %v", err)
	}
}

func TestHashFiles(t *testing.T) {
	dir := t.TempDir()
	h0, _ := HashFiles(dir, "a", "", "b")
	os.WriteFile(filepath.Join(dir, "a"), []byte("1"), 0o644)
	h1, _ := HashFiles(dir, "a", "", "b")
	os.WriteFile(filepath.Join(dir, "a"), []byte("2"), 0o644)
	h2, _ := HashFiles(dir, "a", "", "b")
	h3, _ := HashFiles(dir, "b", "a")
	if h0 == h1 || h1 == h2 || h2 == h3 || len(h0) != 64 {
		t.Fatalf("hashes %s %s %s %s", h0, h1, h2, h3)
	}
	again, _ := HashFiles(dir, "a", "b")
	if again != h2 {
		t.Fatal("not deterministic")
	}
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	if _, err := HashFiles(dir, "d"); err == nil {
		t.Fatal("hashing a directory succeeded")
	}
}
