package funcenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FUNC_NAME (or GOOGLE_FUNCTION_TARGET) per language: what each accepts, and
// the message naming the variable used when it does not.
func TestCheckTarget(t *testing.T) {
	for _, tt := range []struct {
		language, funcName, google, want, err string
	}{
		{Go, "HelloWorld", "", "HelloWorld", ""},
		{Go, "hello-world", "", "hello-world", ""}, // a functions.HTTP registration may use any name
		{Go, "Hello World", "", "", `FUNC_NAME="Hello World" is not a Go function name: give an exported function's name (e.g. FUNC_NAME=HelloWorld) or the name a functions.HTTP/CloudEvent/OpenFunction registration uses, without spaces, quotes or control characters`},
		{Go, "", "Say\"Hi", "", `GOOGLE_FUNCTION_TARGET="Say\"Hi" is not a Go function name: give an exported function's name (e.g. GOOGLE_FUNCTION_TARGET=HelloWorld)`},
		{Go, "A\x01B", "", "", `FUNC_NAME="A\x01B" is not a Go function name`},
		{NodeJS, "helloWorld", "", "helloWorld", ""},
		{NodeJS, "hello-world", "", "hello-world", ""},
		{NodeJS, "hello\tworld", "", "", `FUNC_NAME="hello\tworld" is not a name a module can export: give the exported function's name, e.g. FUNC_NAME=helloWorld, without spaces, quotes or control characters`},
		{NodeJS, "a`b", "", "", `FUNC_NAME="a` + "`" + `b" is not a name a module can export`},
		{Python, "hello", "", "hello", ""},
		{Python, "_private2", "", "_private2", ""},
		{Python, "grüße", "", "grüße", ""},
		{Python, "hello-world", "", "", `FUNC_NAME="hello-world" is not a Python identifier: name the function as main.py defines it, e.g. FUNC_NAME=hello (letters, digits and _, not starting with a digit)`},
		{Python, "2fast", "", "", `FUNC_NAME="2fast" is not a Python identifier`},
		{Python, "main.hello", "", "", `FUNC_NAME="main.hello" is not a Python identifier`},
		{Java, "com.example.Hello", "", "com.example.Hello", ""},
		{Java, "Hello", "", "Hello", ""},
		{Java, "com.example.Outer$Inner", "", "com.example.Outer$Inner", ""},
		{Java, "com.example.", "", "", `FUNC_NAME="com.example." is not a Java class name: give the function class's full name, e.g. FUNC_NAME=com.example.Hello`},
		{Java, "com/example/Hello", "", "", `FUNC_NAME="com/example/Hello" is not a Java class name`},
		{Java, "com.example.1Hello", "", "", `FUNC_NAME="com.example.1Hello" is not a Java class name`},
		{Java, "", "", "", `FUNC_NAME is not set: set it to the function to serve (kiln build --target NAME)`},
	} {
		t.Run(tt.language+"/"+tt.funcName+tt.google, func(t *testing.T) {
			t.Setenv("FUNC_NAME", tt.funcName)
			t.Setenv("GOOGLE_FUNCTION_TARGET", tt.google)
			got, err := CheckTarget(tt.language)
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("err = %v\nwant  %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CheckTarget = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestTargetPrecedence(t *testing.T) {
	for _, tt := range []struct{ funcName, google, name, value string }{
		{"A", "B", "FUNC_NAME", "A"},
		{"", "B", "GOOGLE_FUNCTION_TARGET", "B"},
		{"  ", " B ", "GOOGLE_FUNCTION_TARGET", "B"},
		{"", "", "FUNC_NAME", ""},
	} {
		t.Setenv("FUNC_NAME", tt.funcName)
		t.Setenv("GOOGLE_FUNCTION_TARGET", tt.google)
		if n, v := TargetVar(); n != tt.name || v != tt.value || Target() != tt.value {
			t.Errorf("FUNC_NAME=%q GOOGLE_FUNCTION_TARGET=%q: %s=%q", tt.funcName, tt.google, n, v)
		}
	}
}

func TestCopyDir(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "out")
	os.MkdirAll(filepath.Join(src, "pkg", "__pycache__"), 0o755)
	os.WriteFile(filepath.Join(src, "pkg", "__pycache__", "x.pyc"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(src, "pkg", "m.py"), []byte("m"), 0o600)
	os.WriteFile(filepath.Join(src, "run"), []byte("#!"), 0o755)
	if err := CopyDir(src, dst); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "pkg", "m.py")); string(b) != "m" {
		t.Fatal("m.py not copied")
	}
	if st, _ := os.Stat(filepath.Join(dst, "pkg", "m.py")); st.Mode().Perm()&0o044 != 0o044 {
		t.Fatalf("m.py mode %v: copies are readable by all", st.Mode())
	}
	if st, _ := os.Stat(filepath.Join(dst, "run")); st.Mode().Perm()&0o111 == 0 {
		t.Fatalf("run lost its exec bit: %v", st.Mode())
	}
	if _, err := os.Stat(filepath.Join(dst, "pkg", "__pycache__")); err == nil {
		t.Fatal("__pycache__ was copied")
	}
	if err := CopyDir(filepath.Join(src, "missing"), dst); err == nil {
		t.Fatal("copying a missing directory succeeded")
	}
}

// FuzzCheckTarget: no name panics any language's check; what a language
// accepts has no spaces, quotes or control characters.
func FuzzCheckTarget(f *testing.F) {
	for _, s := range []string{"HelloWorld", "com.example.Hello", "hello-world", "a b", "\x00", "é", "$", "..", "a.", "_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, lang := range []string{Go, NodeJS, Python, Java} {
			got, err := checkTarget(lang, "FUNC_NAME", strings.TrimSpace(name))
			if err != nil {
				if !strings.Contains(err.Error(), "FUNC_NAME") {
					t.Fatalf("%s: error does not name FUNC_NAME: %v", lang, err)
				}
				continue
			}
			if !plain(got) || got != strings.TrimSpace(name) {
				t.Fatalf("%s accepted %q as %q", lang, name, got)
			}
		}
	})
}
