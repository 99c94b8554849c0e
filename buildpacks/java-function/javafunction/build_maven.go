package javafunction

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/internal/depcache"
	"kiln.dev/kiln/buildpacks/internal/funcenv"
)

// maven runs one `mvn package` + copy-dependencies for the app's pom.xml,
// then moves target/classes into classes and the runtime dependencies into
// lib. The Maven repository is the machine's dependency cache or a cache
// layer; the framework jar is installed into it first so a pom can depend on
// dev.kiln:functions-framework (scope provided) with no remote holding it.
func (b Builder) maven(ctx libcnb.BuildContext, j jdk, fwJar, classes, lib string) ([]libcnb.Layer, error) {
	app := ctx.ApplicationPath
	home, _ := ctx.Buildpack.Metadata["maven-home"].(string)
	if env := os.Getenv("MAVEN_HOME"); env != "" {
		home = env
	}
	mvn := filepath.Join(home, "bin", "mvn")
	if _, err := os.Stat(mvn); err != nil {
		return nil, fmt.Errorf("pom.xml found but there is no Maven at %s (MAVEN_HOME): build with the Java builder (kiln/builder-java), whose build image carries Maven", home)
	}
	settings, err := ResolveSettings(app, ctx.Platform.Bindings)
	if err != nil {
		return nil, err
	}
	var layers []libcnb.Layer
	repo := depcache.Path("maven-repository")
	if depcache.Dir() == "" {
		layer, err := ctx.Layers.Layer("maven-repository")
		if err != nil {
			return nil, err
		}
		lc := libpak.NewLayerContributor("Maven repository", map[string]interface{}{"schema": 1}, libcnb.LayerTypes{Cache: true}, b.Logger)
		if err := lc.Contribute(&layer, func(*libcnb.Layer) error { return nil }); err != nil {
			return nil, err
		}
		repo, layers = layer.Path, append(layers, layer)
	}
	version, _ := ctx.Buildpack.Metadata["framework-version"].(string)
	if err := installArtifact(repo, fwJar, version); err != nil {
		return nil, fmt.Errorf("installing the framework into the Maven repository %s: %w", repo, err)
	}
	global := ""
	if settings.MirrorURL != "" {
		tmp, err := os.MkdirTemp("", "kiln-maven-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		global = filepath.Join(tmp, "settings.xml")
		if err := os.WriteFile(global, []byte(MirrorSettingsXML(settings.MirrorURL)), 0o644); err != nil {
			return nil, err
		}
	}
	plugin, _ := ctx.Buildpack.Metadata["maven-dependency-plugin"].(string)
	if v := os.Getenv(DependencyPluginEnv); v != "" {
		plugin = v
	}
	if settings.Source != "" {
		b.Logger.Bodyf("Repositories: %s", settings.Source)
	}
	env := os.Environ()
	env = append(env, "JAVA_HOME="+j.home)
	if os.Getenv("MAVEN_OPTS") == "" {
		// Maven is a short-lived JVM here: the C1 compiler alone starts it faster.
		env = append(env, "MAVEN_OPTS=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
	}
	args := MavenArgs(mvn, repo, global, settings.UserSettings, plugin, lib)
	b.Logger.Bodyf("Running mvn package (%s)", filepath.Base(home))
	start := time.Now()
	var out string
	out, err = b.runEnv(app, env, args...)
	if err != nil {
		return layers, ExplainMavenFailure(out, settings)
	}
	b.Logger.Bodyf("Built in %s", time.Since(start).Round(10*time.Millisecond))
	target := filepath.Join(app, "target")
	if _, err := os.Stat(filepath.Join(target, "classes")); err != nil {
		return layers, fmt.Errorf("mvn package left no target/classes: kiln/java-function builds single-module projects with <packaging>jar</packaging>")
	}
	if err := funcenv.CopyDir(filepath.Join(target, "classes"), classes); err != nil {
		return layers, err
	}
	// The workspace is part of the image: target/ holds jars stamped with the
	// build time, which would make every rebuild a new image.
	if err := os.RemoveAll(target); err != nil {
		return layers, err
	}
	return layers, nil
}

// installArtifact puts the framework jar and its pom where Maven's local
// repository layout expects dev.kiln:functions-framework:<version>.
func installArtifact(repo, jar, version string) error {
	dir := filepath.Join(repo, "dev", "kiln", FrameworkArtifact, version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, FrameworkArtifact+"-"+version)
	if err := copyFile(jar, base+".jar"); err != nil {
		return err
	}
	return os.WriteFile(base+".pom", []byte(FrameworkPOM(version)), 0o644)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), ".install-")
	if err != nil {
		return err
	}
	tmp := out.Name()
	defer os.Remove(tmp)
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
