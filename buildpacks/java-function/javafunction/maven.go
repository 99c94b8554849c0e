package javafunction

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/buildpacks/libcnb/v2"
)

// Env vars of the Maven path. The BP_MAVEN_* names match Paketo's Maven
// buildpack where the meaning is the same.
const (
	// SettingsPathEnv names a settings.xml (relative to the app or absolute).
	SettingsPathEnv = "BP_MAVEN_SETTINGS_PATH"
	// MirrorURLEnv is a repository that mirrors every other one (Nexus,
	// Artifactory, a file:// directory).
	MirrorURLEnv = "BP_MAVEN_MIRROR_URL"
	// ArgsEnv is appended to the mvn command line.
	ArgsEnv = "BP_MAVEN_ADDITIONAL_BUILD_ARGUMENTS"
	// ProfilesEnv activates Maven profiles (-P).
	ProfilesEnv = "BP_MAVEN_ACTIVE_PROFILES"
	// DependencyPluginEnv overrides the maven-dependency-plugin version.
	DependencyPluginEnv = "BP_MAVEN_DEPENDENCY_PLUGIN_VERSION"
	// SettingsBindingType is the service binding type carrying settings.xml.
	SettingsBindingType = "maven"
)

// Framework coordinates: the buildpack installs the framework jar into the
// Maven repository it builds with, so a pom can depend on it (scope provided)
// without any remote repository holding it.
const (
	FrameworkGroup    = "dev.kiln"
	FrameworkArtifact = "functions-framework"
)

// MavenSettings is how mvn is pointed at repositories: UserSettings is the
// user's own settings.xml, MirrorURL becomes a global settings.xml Kiln
// writes, Source says where they came from (for messages).
type MavenSettings struct {
	UserSettings, MirrorURL, Source string
}

// ResolveSettings applies, in order: BP_MAVEN_SETTINGS_PATH, a service
// binding of type maven with a settings.xml, and BP_MAVEN_MIRROR_URL (which
// combines with either). No configuration means Maven's default, Central.
func ResolveSettings(app string, bindings libcnb.Bindings) (MavenSettings, error) {
	var s MavenSettings
	if p := os.Getenv(SettingsPathEnv); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(app, p)
		}
		if _, err := os.Stat(p); err != nil {
			return s, fmt.Errorf("%s=%s: no such file; give the path of a settings.xml relative to the function's directory (or absolute)", SettingsPathEnv, os.Getenv(SettingsPathEnv))
		}
		s.UserSettings, s.Source = p, SettingsPathEnv
	} else {
		for _, b := range bindings {
			if strings.EqualFold(b.Type, SettingsBindingType) {
				path, ok := b.SecretFilePath("settings.xml")
				if !ok {
					return s, fmt.Errorf("service binding %q (type maven) has no settings.xml entry; add the file settings.xml to the binding", b.Name)
				}
				s.UserSettings, s.Source = path, "binding "+b.Name
				break
			}
		}
	}
	if m := os.Getenv(MirrorURLEnv); m != "" {
		u, err := url.Parse(m)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Host == "" && u.Scheme != "file") {
			return s, fmt.Errorf("%s=%s: want an http(s):// or file:// repository URL, e.g. https://nexus.example.com/repository/maven-public/", MirrorURLEnv, m)
		}
		s.MirrorURL = m
		if s.Source != "" {
			s.Source += " + "
		}
		s.Source += MirrorURLEnv
	}
	return s, nil
}

// MirrorSettingsXML is a settings.xml whose one mirror stands in for every
// repository.
func MirrorSettingsXML(mirror string) string {
	var esc strings.Builder
	xml.EscapeText(&esc, []byte(mirror))
	return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by kiln/java-function from ` + MirrorURLEnv + `. -->
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <mirrors>
    <mirror>
      <id>kiln-mirror</id>
      <mirrorOf>*</mirrorOf>
      <url>` + esc.String() + `</url>
    </mirror>
  </mirrors>
</settings>
`
}

// MavenArgs is the one mvn invocation: compile and package the project, and
// copy its runtime dependencies (not the provided framework) into libDir.
func MavenArgs(mvn, repo, globalSettings, userSettings, pluginVersion, libDir string) []string {
	args := []string{mvn, "--batch-mode", "--no-transfer-progress", "--quiet", "-Dmaven.repo.local=" + repo}
	if globalSettings != "" {
		args = append(args, "--global-settings", globalSettings)
	}
	if userSettings != "" {
		args = append(args, "--settings", userSettings)
	}
	if p := os.Getenv(ProfilesEnv); p != "" {
		args = append(args, "--activate-profiles", p)
	}
	args = append(args, "-DskipTests", "package",
		"org.apache.maven.plugins:maven-dependency-plugin:"+pluginVersion+":copy-dependencies",
		"-DincludeScope=runtime", "-DexcludeGroupIds="+FrameworkGroup, "-DoutputDirectory="+libDir)
	return append(args, strings.Fields(os.Getenv(ArgsEnv))...)
}

var (
	mavenErrorLine  = regexp.MustCompile(`(?m)^\[ERROR\] .*$`)
	mavenResolution = regexp.MustCompile(`Could not (transfer|resolve|find artifact)|Non-resolvable|Plugin .* or one of its dependencies could not be resolved|UnknownHost|Unknown host|Connection refused|Network is unreachable|PluginResolutionException`)
	mavenCompile    = regexp.MustCompile(`COMPILATION ERROR|Compilation failure`)
)

// ExplainMavenFailure turns mvn's output into an error a user can act on:
// Maven's own [ERROR] lines, then what to do about the kind of failure.
func ExplainMavenFailure(out string, settings MavenSettings) error {
	lines := mavenErrorLine.FindAllString(out, -1)
	var kept []string
	for _, l := range lines {
		if t := strings.TrimSpace(strings.TrimPrefix(l, "[ERROR]")); t != "" && !strings.HasPrefix(t, "->") &&
			!strings.Contains(t, "Re-run Maven") && !strings.Contains(t, "full stack trace") && !strings.Contains(t, "read the following articles") && !strings.HasPrefix(t, "[Help") {
			kept = append(kept, l)
		}
	}
	if len(kept) > 25 {
		kept = append(kept[:25], fmt.Sprintf("[ERROR] ... %d more lines", len(kept)-25))
	}
	detail := strings.Join(kept, "\n")
	if detail == "" {
		detail = strings.TrimSpace(out)
	}
	switch {
	case mavenCompile.MatchString(out):
		return fmt.Errorf("compiling failed (mvn package):\n%s", detail)
	case mavenResolution.MatchString(out):
		where := "Maven Central (no repository configured)"
		if settings.Source != "" {
			where = "the repositories from " + settings.Source
		}
		return fmt.Errorf("Maven could not download the plugins or dependencies the build needs from %s:\n%s\n"+
			"Point the build at a repository that has them: %s=https://nexus.example.com/repository/maven-public/ (a mirror of everything), "+
			"or %s=settings.xml (a settings.xml in the function's directory), or a service binding of type maven holding settings.xml", where, detail, MirrorURLEnv, SettingsPathEnv)
	default:
		return fmt.Errorf("mvn package failed:\n%s", detail)
	}
}

// FrameworkPOM is the pom installed next to the framework jar.
func FrameworkPOM(version string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>` + FrameworkGroup + `</groupId>
  <artifactId>` + FrameworkArtifact + `</artifactId>
  <version>` + version + `</version>
  <packaging>jar</packaging>
  <description>Kiln's Java functions framework, installed by kiln/java-function</description>
</project>
`
}
