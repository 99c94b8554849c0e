package npmreg

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNpmrcRegistry(t *testing.T) {
	t.Setenv("KILN_TEST_NPM_HOST", "npm.example")
	os.Unsetenv("KILN_TEST_UNSET")
	for _, tt := range []struct {
		name, content, want string
		line                int
		err                 string
	}{
		{"none", "# nothing\n; here\nalways-auth=true\n", "", 0, ""},
		{"plain", "registry=https://a.example/npm/\n", "https://a.example/npm/", 1, ""},
		{"spaces and comments", "# mirror\n\n  registry = http://127.0.0.1:4873  \n", "http://127.0.0.1:4873", 3, ""},
		{"last one wins", "registry=https://a.example/\nregistry=https://b.example/\n", "https://b.example/", 2, ""},
		{"quoted", "registry=\"https://q.example/\"\n", "https://q.example/", 1, ""},
		{"single-quoted", "registry='https://q.example/'\n", "https://q.example/", 1, ""},
		{"scoped registries are not the registry", "@kiln:registry=https://scoped.example/\n", "", 0, ""},
		{"env reference", "registry=https://${KILN_TEST_NPM_HOST}/npm/\n", "https://npm.example/npm/", 1, ""},
		{"unset env reference", "registry=https://${KILN_TEST_UNSET}/npm/\n", "", 1, "registry=https://${KILN_TEST_UNSET}/npm/ uses ${KILN_TEST_UNSET}, which is not set: set KILN_TEST_UNSET in the build environment, or write the URL"},
		{"unset optional env reference", "registry=https://${KILN_TEST_UNSET?}npm.example/\n", "https://npm.example/", 1, ""},
		{"not a URL", "always-auth=true\nregistry=npm.mirror.local\n", "", 2, `registry="npm.mirror.local" is not an http(s) URL: write it like registry=https://registry.npmjs.org/`},
		{"empty", "registry=\n", "", 1, `registry="" is not an http(s) URL: write it like registry=https://registry.npmjs.org/`},
		{"other scheme", "registry=ftp://a.example/\n", "", 1, `registry="ftp://a.example/" is not an http(s) URL: write it like registry=https://registry.npmjs.org/`},
		{"no host", "registry=https:///npm\n", "", 1, `registry="https:///npm" is not an http(s) URL: write it like registry=https://registry.npmjs.org/`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, line, err := NpmrcRegistry(tt.content)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || line != tt.line {
					t.Fatalf("err = %v (line %d)\nwant  %s (line %d)", err, line, tt.err, tt.line)
				}
				return
			}
			if err != nil || got != tt.want || line != tt.line {
				t.Fatalf("got %q line %d, %v; want %q line %d", got, line, err, tt.want, tt.line)
			}
		})
	}
}

func TestRegistryURLErrors(t *testing.T) {
	app, home := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("npm_config_registry", "")
	t.Setenv("NPM_CONFIG_REGISTRY", "mirror:4873")
	if _, err := RegistryURL(app); err == nil || err.Error() != `NPM_CONFIG_REGISTRY="mirror:4873" is not an http(s) URL: set it like NPM_CONFIG_REGISTRY=https://registry.npmjs.org/` {
		t.Fatalf("env err = %v", err)
	}
	t.Setenv("NPM_CONFIG_REGISTRY", "")
	os.WriteFile(filepath.Join(home, ".npmrc"), []byte("registry=https://home.example\n"), 0o644)
	if got, err := RegistryURL(app); err != nil || got != "https://home.example/" {
		t.Fatalf("~/.npmrc: %q %v", got, err)
	}
	os.WriteFile(filepath.Join(home, ".npmrc"), []byte("\nregistry=home\n"), 0o644)
	if _, err := RegistryURL(app); err == nil || err.Error() != `~/.npmrc line 2: registry="home" is not an http(s) URL: write it like registry=https://registry.npmjs.org/` {
		t.Fatalf("~/.npmrc err = %v", err)
	}
	os.WriteFile(filepath.Join(app, ".npmrc"), []byte("registry=app\n"), 0o644)
	if _, err := RegistryURL(app); err == nil || err.Error() != `.npmrc line 1: registry="app" is not an http(s) URL: write it like registry=https://registry.npmjs.org/` {
		t.Fatalf(".npmrc err = %v", err)
	}
}
