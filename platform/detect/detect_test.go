package detect_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	cnblog "github.com/buildpacks/libcnb/v2/log"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
	"kiln.dev/kiln/buildpacks/java-function/javafunction"
	"kiln.dev/kiln/buildpacks/node-function/nodefunction"
	"kiln.dev/kiln/buildpacks/python-function/pythonfunction"
	"kiln.dev/kiln/platform/detect"
)

// buildpackDetect is each language's buildpack's own detection.
var buildpackDetect = map[detect.Language]func(libcnb.DetectContext) (libcnb.DetectResult, error){
	detect.Go: gofunction.Detect, detect.Node: nodefunction.Detect,
	detect.Python: pythonfunction.Detect, detect.Java: javafunction.Detect,
}

// The table picks a language whose buildpack passes detection on the same
// source and env: the CLI never picks a builder that refuses the app.
func TestTableAgreesWithTheBuildpacks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		env   map[string]string
		want  detect.Language
	}{
		{"go module", []string{"go.mod", "fn.go"}, nil, detect.Go},
		{"go module with a script", []string{"go.mod", "fn.go", "tools/gen.py", "index.js"}, nil, detect.Go},
		{"node package", []string{"package.json", "index.js"}, nil, detect.Node},
		{"node index.js only", []string{"index.js"}, nil, detect.Node},
		{"node function.js only", []string{"function.js"}, nil, detect.Node},
		{"python main.py", []string{"main.py"}, nil, detect.Python},
		{"python requirements", []string{"requirements.txt", "app.py"}, nil, detect.Python},
		{"python FUNC_SRC", []string{"handler.py"}, map[string]string{"FUNC_SRC": "handler.py"}, detect.Python},
		{"java root Hello.java", []string{"Hello.java"}, nil, detect.Java},
		{"java pom.xml", []string{"pom.xml"}, nil, detect.Java},
		{"java maven layout", []string{"src/main/java/dev/x/Fn.java"}, nil, detect.Java},
		{"java test sources only", []string{"src/test/java/FnTest.java", "go.sum"}, nil, detect.Default},
		{"java in a hidden dir only", []string{".cache/Gen.java"}, nil, detect.Default},
		{"nothing known", []string{"README.md"}, nil, detect.Default},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				p := filepath.Join(dir, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := detect.Detect(dir, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got.Language != tc.want {
				t.Fatalf("Detect = %s (%s), want %s", got.Language, got.Why, tc.want)
			}
			t.Setenv("FUNC_NAME", "Fn")
			t.Setenv("FUNC_SRC", tc.env["FUNC_SRC"])
			for lang, d := range buildpackDetect {
				res, err := d(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
				if err != nil {
					t.Fatal(err)
				}
				if lang == got.Language && !res.Pass && got.Why != "" {
					t.Errorf("the table picks %s (%s) but the %s buildpack's detection fails", lang, got.Why, lang)
				}
				if res.Pass && lang != got.Language && !strongerRuleFirst(got.Language, lang) {
					t.Errorf("the %s buildpack detects too, and the table does not say why %s wins", lang, got.Language)
				}
			}
		})
	}
}

// strongerRuleFirst says whether won's rule precedes lost's in the table
// (both detect; the earlier, stronger marker wins).
func strongerRuleFirst(won, lost detect.Language) bool {
	for _, r := range detect.Table {
		switch r.Language {
		case won:
			return true
		case lost:
			return false
		}
	}
	return false
}

func TestBuilder(t *testing.T) {
	if got := detect.Java.Builder(); !strings.HasPrefix(got, "kiln/builder-java:") {
		t.Errorf("Java.Builder() = %q", got)
	}
}
