package pythonfunction

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// WithoutFrameworks comments out exactly the framework requirements (golden file).
func TestWithoutFrameworks(t *testing.T) {
	in, err := os.ReadFile("testdata/requirements-frameworks.in.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, dropped := WithoutFrameworks("requirements.txt", string(in))
	golden := "testdata/requirements-frameworks.golden.txt"
	if *update {
		os.WriteFile(golden, []byte(out), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	wantDropped := []Dropped{
		{"requirements.txt", "functions-framework==3.*", 2},
		{"requirements.txt", `Functions_Framework [extra] >= 3.0 ; python_version >= "3.8"`, 3},
		{"requirements.txt", "ofn-functions-framework==0.2.0", 4},
	}
	if !reflect.DeepEqual(dropped, wantDropped) {
		t.Fatalf("dropped = %#v", dropped)
	}
	if _, err := ParseRequirements("requirements.txt", out); err != nil {
		t.Fatalf("the filtered file does not parse: %v", err)
	}
	if strings.Count(out, "\n") != strings.Count(string(in), "\n") {
		t.Fatal("line numbers moved")
	}
}

func TestFrameworkModeAndNames(t *testing.T) {
	for _, tt := range []struct{ env, want, err string }{{"", "kiln", ""}, {"KILN", "kiln", ""}, {"native", "native", ""}, {"flask", "", "BP_FUNCTION_FRAMEWORK=flask is not a framework mode"}} {
		t.Setenv(FrameworkEnv, tt.env)
		got, err := FrameworkMode()
		if got != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.HasPrefix(err.Error(), tt.err)) {
			t.Errorf("%q: %q %v", tt.env, got, err)
		}
	}
	for in, want := range map[string]string{"Functions_Framework": "functions-framework", "ofn.functions--framework": "ofn-functions-framework"} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q", in, got)
		}
	}
	for spec, kind := range map[string]string{"functions-framework": "google", "functions_framework[x]==3": "google", "OFN-Functions-Framework>=0.2": "openfunction",
		"functions-frameworks": "", "https://x/functions-framework.whl": "", "./functions-framework": ""} {
		if got := foreignKind(spec); got != kind {
			t.Errorf("foreignKind(%q) = %q, want %q", spec, got, kind)
		}
	}
}

func TestImportedFrameworks(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"GCF", map[string]string{"main.py": "import functions_framework\n"}, "google"},
		{"from import, indented, in a package", map[string]string{"pkg/fn.py": "if True:\n    from functions_framework import http\n"}, "google"},
		{"OpenFunction's context", map[string]string{"main.py": "from functions_framework.context.user_context import UserContext\n"}, "openfunction"},
		{"both", map[string]string{"a.py": "import functions_framework\n", "b.py": "import functions_framework.openfunction.function_out\n"}, "google,openfunction"},
		{"a mention is not an import", map[string]string{"main.py": "# import functions_framework\nx = 'from functions_framework import http'\n"}, ""},
		{"a longer name", map[string]string{"main.py": "import functions_framework_extras\n"}, ""},
		{"virtualenvs and caches are not the app", map[string]string{".venv/lib/x.py": "import functions_framework\n", "__pycache__/y.py": "import functions_framework\n"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tt.files {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, n)), 0o755)
				os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644)
			}
			got, err := ImportedFrameworks(dir)
			if err != nil || Kinds(got) != tt.want {
				t.Fatalf("ImportedFrameworks = %q, %v; want %q", Kinds(got), err, tt.want)
			}
		})
	}
}

func TestFilteredRequirements(t *testing.T) {
	app := t.TempDir()
	os.MkdirAll(filepath.Join(app, "reqs"), 0o755)
	os.WriteFile(filepath.Join(app, "requirements.txt"), []byte("functions-framework==3.*\n-r reqs/base.txt\n-c constraints.txt\n"), 0o644)
	os.WriteFile(filepath.Join(app, "reqs", "base.txt"), []byte("ofn-functions-framework\n"), 0o644)
	os.WriteFile(filepath.Join(app, "constraints.txt"), []byte("kiln-greeting==1.0.0\n"), 0o644)
	r, err := ReadRequirements(app)
	if err != nil {
		t.Fatal(err)
	}
	dir, dropped, rest, err := filteredRequirements(app, r.Files)
	defer os.RemoveAll(dir)
	if err != nil || len(dropped) != 2 || rest != 0 {
		t.Fatalf("dropped %v, rest %d, %v: a constraint installs nothing", dropped, rest, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "reqs", "base.txt"))
	if !strings.HasPrefix(string(b), "# kiln: not installed") {
		t.Fatalf("included file not filtered: %q", b)
	}
	os.WriteFile(filepath.Join(app, "reqs", "base.txt"), []byte("ofn-functions-framework\nkiln-greeting\n"), 0o644)
	dir2, _, rest, err := filteredRequirements(app, r.Files)
	defer os.RemoveAll(dir2)
	if err != nil || rest != 1 {
		t.Fatalf("rest %d, %v", rest, err)
	}
	required, err := RequiredFrameworks(app, r.Files)
	if err != nil || Kinds(required) != "google,openfunction" {
		t.Fatalf("RequiredFrameworks = %v, %v", required, err)
	}
}
