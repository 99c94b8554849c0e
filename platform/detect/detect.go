package detect

import (
	"os"
	"path/filepath"
	"strings"

	"kiln.dev/kiln/buildpacks/java-function/javafunction"
)

// Language is one of Kiln's builders' languages.
type Language string

// The languages, each with a builder kiln/builder-<language>.
const (
	Go     Language = "go"
	Node   Language = "node"
	Python Language = "python"
	Java   Language = "java"
)

// Builder is the builder image for l in the embedded registry.
func (l Language) Builder() string { return "kiln/builder-" + string(l) + ":latest" }

// Rule says a language applies when one of Files is in the directory's root,
// FUNC_SRC ends with one of SourceSuffixes, or (JavaSources) a .java file is
// anywhere outside src/test, target/ and hidden directories.
type Rule struct {
	Language       Language
	Files          []string
	SourceSuffixes []string
	JavaSources    bool
	Why            string
}

// Table is the detection order: the first rule that matches wins. Strong
// markers (a manifest, FUNC_SRC) come before weak ones (a conventional file
// name, a source anywhere), so a Go module with a helper script stays Go.
var Table = []Rule{
	{Language: Go, Files: []string{"go.mod"}, Why: "go.mod"},
	{Language: Node, Files: []string{"package.json"}, Why: "package.json"},
	{Language: Java, Files: []string{"pom.xml"}, Why: "pom.xml"},
	{Language: Python, Files: []string{"requirements.txt", "main.py"}, SourceSuffixes: []string{".py"}, Why: "requirements.txt, main.py or FUNC_SRC=*.py"},
	{Language: Node, Files: []string{"index.js", "function.js"}, Why: "index.js or function.js"},
	{Language: Java, JavaSources: true, Why: ".java sources"},
}

// Default is the language when no rule matches: the Go builder's detection
// failure then says what it expected.
const Default = Go

// Result is the detected language and the rule's reason.
type Result struct {
	Language Language
	Why      string // "" for Default
}

// Detect runs Table over dir with the build env (FUNC_SRC is read from it).
func Detect(dir string, env map[string]string) (Result, error) {
	for _, r := range Table {
		ok, err := r.matches(dir, env)
		if err != nil {
			return Result{}, err
		}
		if ok {
			return Result{r.Language, r.Why}, nil
		}
	}
	return Result{Language: Default}, nil
}

func (r Rule) matches(dir string, env map[string]string) (bool, error) {
	for _, f := range r.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true, nil
		}
	}
	for _, s := range r.SourceSuffixes {
		if src := env["FUNC_SRC"]; src != "" && strings.HasSuffix(src, s) {
			return true, nil
		}
	}
	if r.JavaSources {
		return hasJavaSource(dir)
	}
	return false, nil
}

// hasJavaSource says whether the Java buildpack finds .java sources in dir
// (its own Sources: outside src/test, target/ and hidden directories).
func hasJavaSource(dir string) (bool, error) {
	srcs, err := javafunction.Sources(dir)
	return len(srcs) > 0, err
}
