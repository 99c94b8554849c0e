package render

import (
	"fmt"
	"sort"
	"strings"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// The languages of Kiln's builders (spec.build.language). A Function with
// neither spec.build.language nor spec.build.builder is DefaultLanguage.
const (
	LanguageGo      = "go"
	LanguageNodeJS  = "nodejs"
	LanguagePython  = "python"
	LanguageJava    = "java"
	DefaultLanguage = LanguageGo
)

// BuilderRegistry is where Kiln's own release publishes its builders
// (`make publish REGISTRY=ghcr.io/kiln-dev`: REG/kiln/builder-<name>, the
// names of builders/).
const BuilderRegistry = "ghcr.io/kiln-dev"

// DefaultBuilders is Kiln's builder per language, as `kiln publish` names
// them (platform/publish: builders/go, node, python, java).
func DefaultBuilders() map[string]string {
	return map[string]string{
		LanguageGo:     BuilderRegistry + "/kiln/builder-go:latest",
		LanguageNodeJS: BuilderRegistry + "/kiln/builder-node:latest",
		LanguagePython: BuilderRegistry + "/kiln/builder-python:latest",
		LanguageJava:   BuilderRegistry + "/kiln/builder-java:latest",
	}
}

// UnknownLanguageError is a Function without spec.build.builder whose
// spec.build.language has no builder in the controller's config.
type UnknownLanguageError struct {
	Language string
	Known    []string
}

func (e *UnknownLanguageError) Error() string {
	return fmt.Sprintf("spec.build.language: %q has no builder: set it to one of %s, or name a builder image in spec.build.builder",
		e.Language, strings.Join(e.Known, ", "))
}

// Languages are the languages cfg has a builder for, sorted.
func (cfg Config) Languages() []string {
	known := make([]string, 0, len(cfg.Builders)+1)
	for l, img := range cfg.Builders {
		if img != "" {
			known = append(known, l)
		}
	}
	if cfg.Builders[DefaultLanguage] == "" && cfg.DefaultBuilder != "" {
		known = append(known, DefaultLanguage)
	}
	sort.Strings(known)
	return known
}

// Builder is the builder image of b: spec.build.builder, else the builder
// of spec.build.language (DefaultLanguage when empty). cfg.DefaultBuilder,
// when set, is the builder of DefaultLanguage (kiln render's
// --default-builder flag).
func (cfg Config) Builder(b *v1alpha1.BuildImpl) (string, error) {
	if b.Builder != nil && *b.Builder != "" {
		return *b.Builder, nil
	}
	lang := b.Language
	if lang == "" {
		lang = DefaultLanguage
	}
	if lang == DefaultLanguage && cfg.DefaultBuilder != "" {
		return cfg.DefaultBuilder, nil
	}
	if img := cfg.Builders[lang]; img != "" {
		return img, nil
	}
	return "", &UnknownLanguageError{Language: lang, Known: cfg.Languages()}
}

// ParseBuilderFlag parses one --builder LANGUAGE=IMAGE into cfg.Builders.
func (cfg *Config) ParseBuilderFlag(v string) error {
	lang, img, ok := strings.Cut(v, "=")
	lang, img = strings.TrimSpace(lang), strings.TrimSpace(img)
	if !ok || lang == "" || img == "" || strings.ContainsAny(lang, " /:@") {
		return fmt.Errorf("--builder %q: want LANGUAGE=IMAGE, e.g. nodejs=%s", v, DefaultBuilders()[LanguageNodeJS])
	}
	if cfg.Builders == nil {
		cfg.Builders = map[string]string{}
	}
	cfg.Builders[lang] = img
	return nil
}
