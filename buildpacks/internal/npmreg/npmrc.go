package npmreg

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// RegistryURL finds the registry: $NPM_CONFIG_REGISTRY (any case), else a
// `registry=` line in appDir/.npmrc, else in ~/.npmrc, else the default. A
// value that is not an http(s) URL is an error naming where it came from.
func RegistryURL(appDir string) (string, error) {
	for _, k := range []string{"NPM_CONFIG_REGISTRY", "npm_config_registry"} {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			if err := checkRegistry(v); err != nil {
				return "", fmt.Errorf("%s=%q %v: set it like %s=https://registry.npmjs.org/", k, v, err, k)
			}
			return withSlash(v), nil
		}
	}
	home, _ := os.UserHomeDir()
	for _, rc := range []struct{ path, name string }{{filepath.Join(appDir, ".npmrc"), ".npmrc"}, {filepath.Join(home, ".npmrc"), "~/.npmrc"}} {
		b, err := os.ReadFile(rc.path)
		if err != nil {
			continue
		}
		v, line, err := NpmrcRegistry(string(b))
		if err != nil {
			return "", fmt.Errorf("%s line %d: %w", rc.name, line, err)
		}
		if v != "" {
			return withSlash(v), nil
		}
	}
	return DefaultRegistry, nil
}

var envRef = regexp.MustCompile(`\$\{([^${}?]+)(\?)?\}`)

// NpmrcRegistry returns the registry= value of .npmrc content (the last
// one, as npm's ini reader keeps) and its line, expanding ${VAR} the way npm
// does and dropping surrounding quotes; an unset ${VAR}, or a value that is
// not an http(s) URL, is an error.
func NpmrcRegistry(content string) (value string, line int, err error) {
	sc := bufio.NewScanner(strings.NewReader(content))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' || text[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(text, "=")
		if !ok || strings.TrimSpace(k) != "registry" {
			continue
		}
		v = unquote(strings.TrimSpace(v))
		var missing string
		v = envRef.ReplaceAllStringFunc(v, func(ref string) string {
			m := envRef.FindStringSubmatch(ref)
			val, set := os.LookupEnv(m[1])
			if !set && m[2] == "" && missing == "" {
				missing = m[1]
			}
			return val
		})
		if missing != "" {
			return "", n, fmt.Errorf("registry=%s uses ${%s}, which is not set: set %s in the build environment, or write the URL", strings.TrimSpace(text[len(k)+1:]), missing, missing)
		}
		if err := checkRegistry(v); err != nil {
			return "", n, fmt.Errorf("registry=%q %v: write it like registry=https://registry.npmjs.org/", v, err)
		}
		value, line = v, n
	}
	if err := sc.Err(); err != nil {
		return "", n + 1, fmt.Errorf("reading: %w", err)
	}
	return value, line, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

// checkRegistry says why v is not a registry URL, or nil.
func checkRegistry(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("is not an http(s) URL")
	}
	return nil
}
