package pythonfunction

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// Requirements is what the buildpack reads from requirements.txt before pip
// does: the files it pulls in (-r/-c; they key the packages layer too), and
// every line checked so a mistake is reported with its file and line.
type Requirements struct {
	Files []string // requirements.txt and each -r/-c file, relative to the app, in order read
}

// ReqLine is one logical line of a requirements file (continuations joined).
type ReqLine struct {
	N       int    // line number where it starts
	Option  string // "-r", "--index-url", … (long options keep their name; short ones map to long)
	Value   string // the option's value, or the requirement
	Hashes  []string
	Require string // the requirement specifier ("" for option lines)
}

// Options of pip's requirements file format; the short ones map to long.
var (
	reqValueOptions = map[string]bool{"--requirement": true, "--constraint": true, "--editable": true, "--index-url": true,
		"--extra-index-url": true, "--find-links": true, "--trusted-host": true, "--only-binary": true, "--no-binary": true,
		"--use-feature": true, "--config-settings": true, "--global-option": true}
	reqFlagOptions = map[string]bool{"--no-index": true, "--pre": true, "--prefer-binary": true, "--require-hashes": true}
	reqShort       = map[string]string{"-r": "--requirement", "-c": "--constraint", "-e": "--editable", "-i": "--index-url", "-f": "--find-links"}
	reqName        = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(\s*\[[^\]]*\])?`)
	reqHash        = regexp.MustCompile(`^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$`)
	reqComment     = regexp.MustCompile(`(^|\s)#.*$`)
)

const reqFormat = "see https://pip.pypa.io/en/stable/reference/requirements-file-format/"

// ParseRequirements checks a requirements file's content; file is its name
// for messages (e.g. "requirements.txt").
func ParseRequirements(file, content string) ([]ReqLine, error) {
	var out []ReqLine
	lines := strings.Split(strings.ReplaceAll(content, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		start, text := i+1, lines[i]
		for strings.HasSuffix(text, `\`) && i+1 < len(lines) {
			i++
			text = strings.TrimSuffix(text, `\`) + lines[i]
		}
		text = strings.TrimSpace(reqComment.ReplaceAllString(strings.TrimSuffix(text, `\`), ""))
		if text == "" {
			continue
		}
		l, err := parseReqLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", file, start, err)
		}
		l.N = start
		out = append(out, l)
	}
	return out, checkHashMode(file, out)
}

func parseReqLine(text string) (ReqLine, error) {
	if strings.HasPrefix(text, "-") {
		opt, val := splitOption(text)
		if !reqValueOptions[opt] && !reqFlagOptions[opt] {
			if opt == "--hash" {
				return ReqLine{}, fmt.Errorf("%s belongs after a requirement on the same line, e.g. flask==3.0.3 --hash=sha256:…", text)
			}
			return ReqLine{}, fmt.Errorf("%s is not an option pip reads in a requirements file (%s)", opt, reqFormat)
		}
		if reqFlagOptions[opt] && val != "" {
			return ReqLine{}, fmt.Errorf("%s takes no value (found %q)", opt, val)
		}
		if reqValueOptions[opt] && val == "" {
			return ReqLine{}, fmt.Errorf("%s needs a value, e.g. %s", opt, optionExample(opt))
		}
		switch opt {
		case "--index-url", "--extra-index-url":
			if u, err := url.Parse(val); err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") {
				return ReqLine{}, fmt.Errorf("%s %s is not an http(s) or file URL: write e.g. %s", opt, val, optionExample(opt))
			}
		case "--editable":
			return ReqLine{}, fmt.Errorf("-e %s: editable installs do not work in an image (packages are found through PYTHONPATH, which ignores the .pth file an editable install relies on): drop the -e and write %s", val, val)
		}
		return ReqLine{Option: opt, Value: val}, nil
	}
	fields := strings.Fields(text)
	spec, hashes := fields[0], []string(nil)
	i := 1
	for ; i < len(fields) && !strings.HasPrefix(fields[i], "--"); i++ {
		spec += " " + fields[i]
	}
	for ; i < len(fields); i++ {
		opt, val := splitOption(fields[i])
		if val == "" && opt == "--hash" && i+1 < len(fields) {
			i++
			val = fields[i]
		}
		switch opt {
		case "--hash":
			if !reqHash.MatchString(val) {
				return ReqLine{}, fmt.Errorf("--hash=%s is not sha256:, sha384: or sha512: with a lowercase hex digest (`pip hash FILE` prints one)", val)
			}
			hashes = append(hashes, val)
		case "--config-settings", "--global-option":
		default:
			return ReqLine{}, fmt.Errorf("%s is not an option pip accepts after a requirement (only --hash, --config-settings, --global-option; %s)", opt, reqFormat)
		}
	}
	if err := checkSpec(spec); err != nil {
		return ReqLine{}, err
	}
	return ReqLine{Require: spec, Value: spec, Hashes: hashes}, nil
}

// checkSpec accepts a PEP 508 name with a version/marker/URL part, a URL or
// a local path or archive, and explains the common mistakes.
func checkSpec(spec string) error {
	if strings.Contains(spec, "://") || strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "file:") ||
		strings.HasSuffix(spec, ".whl") || strings.HasSuffix(spec, ".tar.gz") || strings.HasSuffix(spec, ".zip") {
		return nil
	}
	m := reqName.FindString(spec)
	rest := strings.TrimSpace(spec[len(m):])
	if m == "" {
		return fmt.Errorf("%q is not a requirement: start with a package name, e.g. flask==3.0.3, or give a path (./pkg) or URL", spec)
	}
	if rest == "" {
		return nil
	}
	for _, op := range []string{"===", "==", "!=", "<=", ">=", "~=", "<", ">", ";", "@", "(", ","} {
		if strings.HasPrefix(rest, op) {
			return nil
		}
	}
	if strings.HasPrefix(rest, "=") {
		return fmt.Errorf("%q is not a valid requirement: pin with ==, e.g. %s==%s", spec, strings.TrimSpace(m), strings.TrimLeft(rest, "= "))
	}
	return fmt.Errorf("%q is not a valid requirement: after the name comes a version (==, >=, ~=…), a ; marker or @ URL, e.g. flask>=3.0", spec)
}

// checkHashMode applies pip's hash-checking mode: once any requirement has a
// --hash (or --require-hashes is set), every one needs hashes and an == pin.
func checkHashMode(file string, lines []ReqLine) error {
	on, why := false, ""
	for _, l := range lines {
		if l.Option == "--require-hashes" {
			on, why = true, fmt.Sprintf("--require-hashes on line %d", l.N)
			break
		}
		if len(l.Hashes) > 0 && !on {
			on, why = true, fmt.Sprintf("line %d has --hash", l.N)
		}
	}
	if !on {
		return nil
	}
	for _, l := range lines {
		if l.Require == "" {
			continue
		}
		if len(l.Hashes) == 0 {
			return fmt.Errorf("%s line %d: %s has no --hash, but hash-checking mode is on (%s): add its hashes (`pip hash FILE`, or pip-compile --generate-hashes)", file, l.N, l.Require, why)
		}
		if m := reqName.FindString(l.Require); m != "" && !strings.Contains(l.Require, "://") && !strings.HasPrefix(strings.TrimSpace(l.Require[len(m):]), "==") {
			return fmt.Errorf("%s line %d: %s is not pinned, but hash-checking mode is on (%s): pin it with ==, e.g. %s==1.0.0", file, l.N, l.Require, why, strings.TrimSpace(m))
		}
	}
	return nil
}

// splitOption splits "-rfile", "-r file", "--requirement=file" and
// "--requirement file" into the long option and its value.
func splitOption(text string) (string, string) {
	if strings.HasPrefix(text, "--") {
		i := strings.IndexAny(text, "= \t")
		if i < 0 {
			return text, ""
		}
		return text[:i], strings.TrimSpace(text[i+1:])
	}
	if len(text) < 2 {
		return text, ""
	}
	short, val := text[:2], strings.TrimSpace(text[2:])
	if long, ok := reqShort[short]; ok {
		return long, strings.TrimSpace(strings.TrimPrefix(val, "="))
	}
	name, _, _ := strings.Cut(text, " ")
	return name, ""
}

func optionExample(opt string) string {
	switch opt {
	case "--requirement", "--constraint":
		return opt + " other.txt"
	case "--index-url", "--extra-index-url":
		return opt + " https://pypi.org/simple/"
	}
	return opt + " VALUE"
}

// ReadRequirements checks app/requirements.txt and every file it includes
// with -r/-c (relative to the including file, and inside the app).
func ReadRequirements(app string) (*Requirements, error) {
	r := &Requirements{}
	seen := map[string]bool{}
	var read func(rel string) error
	read = func(rel string) error {
		if seen[rel] {
			return nil
		}
		seen[rel] = true
		b, err := os.ReadFile(filepath.Join(app, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		r.Files = append(r.Files, rel)
		lines, err := ParseRequirements(rel, string(b))
		if err != nil {
			return err
		}
		for _, l := range lines {
			if l.Option != "--requirement" && l.Option != "--constraint" {
				continue
			}
			if strings.Contains(l.Value, "://") {
				return fmt.Errorf("%s line %d: %s %s: a remote requirements file is not part of the source and would make the build depend on it; copy it into the function's directory", rel, l.N, l.Option, l.Value)
			}
			inc := path.Clean(path.Join(path.Dir(rel), filepath.ToSlash(l.Value)))
			if path.IsAbs(l.Value) || inc == ".." || strings.HasPrefix(inc, "../") {
				return fmt.Errorf("%s line %d: %s %s is outside the function's directory: copy the file into it and name it relative to %s", rel, l.N, l.Option, l.Value, rel)
			}
			if _, err := os.Stat(filepath.Join(app, filepath.FromSlash(inc))); err != nil {
				return fmt.Errorf("%s line %d: %s %s: no such file in the function's directory (paths are relative to %s)", rel, l.N, l.Option, l.Value, rel)
			}
			if err := read(inc); err != nil {
				return err
			}
		}
		return nil
	}
	return r, read("requirements.txt")
}
