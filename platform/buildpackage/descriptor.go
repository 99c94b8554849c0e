package buildpackage

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// semver is the shape of a version a release may stamp (CNB buildpack
// versions are semantic versions; no leading v).
var semver = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// CheckVersion says whether v can be a buildpack version.
func CheckVersion(v string) error {
	if !semver.MatchString(v) {
		return fmt.Errorf("version %q: want a semantic version such as 1.2.3 or 1.2.3-rc.1 (no leading v)", v)
	}
	return nil
}

var (
	tableHeader = regexp.MustCompile(`^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$`)
	versionKey  = regexp.MustCompile(`^(\s*version\s*=\s*)"[^"]*"(.*)$`)
	archKey     = regexp.MustCompile(`^(\s*arch\s*=\s*)"[^"]*"(.*)$`)
)

// StampVersion returns a buildpack.toml whose [buildpack] version is v,
// keeping every other line (and comment) as it was.
func StampVersion(descriptor []byte, v string) ([]byte, error) {
	if err := CheckVersion(v); err != nil {
		return nil, err
	}
	out, n := rewriteIn(descriptor, "buildpack", versionKey, v)
	if n != 1 {
		return nil, fmt.Errorf("want exactly one version = \"...\" line in [buildpack], found %d", n)
	}
	return validTOML(out)
}

// RetargetArch returns a buildpack.toml whose [[targets]] name arch: the
// descriptor of a buildpack compiled for arch says so, whatever the source
// declared.
func RetargetArch(descriptor []byte, arch string) ([]byte, error) {
	out, n := rewriteIn(descriptor, "targets", archKey, arch)
	if n == 0 {
		return nil, fmt.Errorf("no arch = \"...\" line in [[targets]]: declare the target the buildpack is built for")
	}
	return validTOML(out)
}

// rewriteIn sets key's string value on every matching line inside tables
// named table, and counts them.
func rewriteIn(descriptor []byte, table string, key *regexp.Regexp, value string) ([]byte, int) {
	lines := strings.SplitAfter(string(descriptor), "\n")
	in, n := false, 0
	for i, l := range lines {
		if m := tableHeader.FindStringSubmatch(strings.TrimRight(l, "\r\n")); m != nil {
			in = m[1] == table
			continue
		}
		if !in {
			continue
		}
		body := strings.TrimRight(l, "\r\n")
		if m := key.FindStringSubmatch(body); m != nil {
			lines[i] = m[1] + `"` + value + `"` + m[2] + l[len(body):]
			n++
		}
	}
	return []byte(strings.Join(lines, "")), n
}

func validTOML(b []byte) ([]byte, error) {
	var v map[string]any
	if _, err := toml.Decode(string(b), &v); err != nil {
		return nil, fmt.Errorf("rewritten descriptor is not TOML: %w", err)
	}
	return b, nil
}
