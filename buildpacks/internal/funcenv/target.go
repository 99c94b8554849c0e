package funcenv

import (
	"fmt"
	"os"
	"strings"
	"unicode"
)

// Languages, as CheckTarget names them in messages.
const (
	Go     = "Go"
	NodeJS = "Node.js"
	Python = "Python"
	Java   = "Java"
)

// TargetVar returns the env var that names the function and its value:
// FUNC_NAME, else its alias GOOGLE_FUNCTION_TARGET (FUNC_NAME wins when both
// are set); ("FUNC_NAME", "") when neither is.
func TargetVar() (name, value string) {
	if t := strings.TrimSpace(os.Getenv("FUNC_NAME")); t != "" {
		return "FUNC_NAME", t
	}
	if t := strings.TrimSpace(os.Getenv("GOOGLE_FUNCTION_TARGET")); t != "" {
		return "GOOGLE_FUNCTION_TARGET", t
	}
	return "FUNC_NAME", ""
}

// Target returns FUNC_NAME, or its alias GOOGLE_FUNCTION_TARGET.
func Target() string {
	_, v := TargetVar()
	return v
}

// CheckTarget returns the function's name after checking it is one the
// language can name: a Python identifier, a Java class name (dotted), and for
// Go and Node.js (whose registered or exported names may be any string) a
// name without spaces, quotes or control characters.
func CheckTarget(language string) (string, error) {
	name, v := TargetVar()
	return checkTarget(language, name, v)
}

func checkTarget(language, name, v string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("%s is not set: set it to the function to serve (kiln build --target NAME)", name)
	}
	var ok bool
	var want string
	switch language {
	case Python:
		ok, want = identifier(v, false), "is not a Python identifier: name the function as main.py defines it, e.g. "+name+"=hello (letters, digits and _, not starting with a digit)"
	case Java:
		ok = true
		for _, part := range strings.Split(v, ".") {
			ok = ok && identifier(part, true)
		}
		want = "is not a Java class name: give the function class's full name, e.g. " + name + "=com.example.Hello"
	case Go:
		ok, want = plain(v), "is not a Go function name: give an exported function's name (e.g. "+name+"=HelloWorld) or the name a functions.HTTP/CloudEvent/OpenFunction registration uses, without spaces, quotes or control characters"
	default:
		ok, want = plain(v), "is not a name a module can export: give the exported function's name, e.g. "+name+"=helloWorld, without spaces, quotes or control characters"
	}
	if !ok {
		return "", fmt.Errorf("%s=%q %s", name, v, want)
	}
	return v, nil
}

// identifier: a letter or _ (or $ in Java), then letters, digits, _ (and $).
func identifier(s string, dollar bool) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r) || (dollar && r == '$'):
		case i > 0 && unicode.IsDigit(r):
		default:
			return false
		}
	}
	return true
}

// plain: printable, no spaces, quotes or backslashes (the name ends up in
// env files, labels and generated source).
func plain(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) || strings.ContainsRune("\"'`\\", r) {
			return false
		}
	}
	return true
}
