package render

import (
	"errors"
	"strings"
	"testing"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

func TestBuilderPerLanguage(t *testing.T) {
	custom := DefaultConfig()
	for _, v := range []string{"nodejs=reg.example/node:1", "rust=reg.example/rust:1"} {
		if err := custom.ParseBuilderFlag(v); err != nil {
			t.Fatal(err)
		}
	}
	legacy := DefaultConfig()
	legacy.DefaultBuilder = "reg.example/old-go:1"
	for _, c := range []struct {
		name, language, builder string
		cfg                     Config
		want, wantErr           string
	}{
		{name: "no language is Go", cfg: DefaultConfig(), want: "ghcr.io/kiln-dev/kiln/builder-go:latest"},
		{name: "go", language: "go", cfg: DefaultConfig(), want: "ghcr.io/kiln-dev/kiln/builder-go:latest"},
		{name: "nodejs is builders/node", language: "nodejs", cfg: DefaultConfig(), want: "ghcr.io/kiln-dev/kiln/builder-node:latest"},
		{name: "python", language: "python", cfg: DefaultConfig(), want: "ghcr.io/kiln-dev/kiln/builder-python:latest"},
		{name: "java", language: "java", cfg: DefaultConfig(), want: "ghcr.io/kiln-dev/kiln/builder-java:latest"},
		{name: "spec.build.builder wins", language: "python", builder: "reg.example/mine:2", cfg: DefaultConfig(), want: "reg.example/mine:2"},
		{name: "spec.build.builder wins over an unknown language", language: "cobol", builder: "reg.example/mine:2", cfg: DefaultConfig(), want: "reg.example/mine:2"},
		{name: "--builder overrides one language", language: "nodejs", cfg: custom, want: "reg.example/node:1"},
		{name: "--builder leaves the others", language: "java", cfg: custom, want: "ghcr.io/kiln-dev/kiln/builder-java:latest"},
		{name: "--builder adds a language", language: "rust", cfg: custom, want: "reg.example/rust:1"},
		{name: "--default-builder is Go's", cfg: legacy, want: "reg.example/old-go:1"},
		{name: "--default-builder leaves the others", language: "nodejs", cfg: legacy, want: "ghcr.io/kiln-dev/kiln/builder-node:latest"},
		{name: "unknown language", language: "cobol", cfg: DefaultConfig(),
			wantErr: `spec.build.language: "cobol" has no builder: set it to one of go, java, nodejs, python, or name a builder image in spec.build.builder`},
		{name: "node is not nodejs", language: "node", cfg: DefaultConfig(), wantErr: `"node" has no builder`},
		{name: "unknown language names the configured ones", language: "cobol", cfg: custom, wantErr: "one of go, java, nodejs, python, rust,"},
		{name: "no builders at all", cfg: Config{}, wantErr: `"go" has no builder: set it to one of , or`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := &v1alpha1.BuildImpl{Language: c.language}
			if c.builder != "" {
				b.Builder = &c.builder
			}
			got, err := c.cfg.Builder(b)
			if c.wantErr != "" {
				var unknown *UnknownLanguageError
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.As(err, &unknown) {
					t.Fatalf("got %q, %v; want an UnknownLanguageError containing %q", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestParseBuilderFlag(t *testing.T) {
	for _, bad := range []string{"", "nodejs", "nodejs=", "=img", "a/b=img", "go:1=img"} {
		var cfg Config
		if err := cfg.ParseBuilderFlag(bad); err == nil || !strings.Contains(err.Error(), "want LANGUAGE=IMAGE") {
			t.Errorf("--builder %q: %v", bad, err)
		}
	}
	var cfg Config
	if err := cfg.ParseBuilderFlag(" go = reg.example/b:1 "); err != nil || cfg.Builders["go"] != "reg.example/b:1" {
		t.Fatalf("%v %v", cfg.Builders, err)
	}
}

// TestDefaultBuildersArePublished: the defaults are what kiln publish names
// its builders (REG/kiln/builder-<dir of builders/>) with REG ghcr.io/kiln-dev.
func TestDefaultBuildersArePublished(t *testing.T) {
	dirs := map[string]string{LanguageGo: "go", LanguageNodeJS: "node", LanguagePython: "python", LanguageJava: "java"}
	d := DefaultBuilders()
	if len(d) != len(dirs) {
		t.Fatalf("defaults %v, want one per builders/ dir %v", d, dirs)
	}
	for lang, dir := range dirs {
		if want := BuilderRegistry + "/kiln/builder-" + dir + ":latest"; d[lang] != want {
			t.Errorf("%s: %q, want %q", lang, d[lang], want)
		}
	}
}
