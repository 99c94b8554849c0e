package javafunction

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/internal/funcenv"
	"kiln.dev/kiln/buildpacks/internal/nodeapp"
	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// Invoker is the framework's main class.
const Invoker = "dev.kiln.functions.Invoker"

// Builder compiles and wires a Java function.
type Builder struct {
	Logger   log.Logger
	Executor command.Executor
	// StackSBOM is the build image's package SBOM (sbom.StackSBOM): the
	// JDK's Debian packages the runtime is jlink'd from, with their
	// checksums, come from it.
	StackSBOM string
}

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{Logger: log.NewPaketoLogger(os.Stdout), Executor: command.ExecExecutor{}, StackSBOM: sbom.StackSBOM}.Build(ctx)
}

func (b Builder) run(dir string, args ...string) (string, error) {
	return b.runEnv(dir, os.Environ(), args...)
}

func (b Builder) runEnv(dir string, env []string, args ...string) (string, error) {
	return command.Output(b.Executor, dir, env, args...)
}

// jdk locates the JDK's tools: the stack's (buildpack.toml java-home) or $JAVA_HOME.
type jdk struct{ home, version string }

func (j jdk) bin(tool string) string { return filepath.Join(j.home, "bin", tool) }

// Build compiles (javac, or mvn for a pom.xml), checks FUNC_NAME and jlinks.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	app := ctx.ApplicationPath
	target, err := funcenv.CheckTarget(funcenv.Java)
	if err != nil {
		return result, err
	}
	signature, err := funcenv.Signature(funcenv.Java, funcenv.HTTP, funcenv.CloudEvent)
	if err != nil {
		return result, err
	}
	if pom, err := os.ReadFile(filepath.Join(app, "pom.xml")); err == nil {
		if err := CheckPOM(pom); err != nil {
			return result, err
		}
	}
	j := jdk{}
	j.home, _ = ctx.Buildpack.Metadata["java-home"].(string)
	if env := os.Getenv("JAVA_HOME"); env != "" {
		j.home = env
	}
	if _, err := os.Stat(j.bin("javac")); err != nil {
		return result, fmt.Errorf("no JDK at %s (JAVA_HOME): build Java functions with the Java builder (kiln/builder-java)", j.home)
	}
	if j.version, err = b.run(app, j.bin("java"), "-version"); err != nil {
		return result, err
	}
	j.version = strings.SplitN(strings.TrimSpace(j.version), "\n", 2)[0]

	framework, fwJar, err := b.framework(ctx, j)
	if err != nil {
		return result, err
	}
	appLayer, err := ctx.Layers.Layer("app")
	if err != nil {
		return result, err
	}
	if appLayer, err = appLayer.Reset(); err != nil {
		return result, err
	}
	appLayer.LayerTypes = libcnb.LayerTypes{Launch: true}
	classes, lib := filepath.Join(appLayer.Path, "classes"), filepath.Join(appLayer.Path, "lib")
	for _, d := range []string{classes, lib} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return result, err
		}
	}
	var mavenLayers []libcnb.Layer
	if _, err := os.Stat(filepath.Join(app, "pom.xml")); err == nil {
		b.Logger.Headerf("Function %s (%s): Maven project, %s", target, signature, j.version)
		mavenLayers, err = b.maven(ctx, j, fwJar, classes, lib)
		if err != nil {
			return result, err
		}
	} else if err := b.javac(ctx, j, target, signature, fwJar, classes); err != nil {
		return result, err
	}
	libs, _ := filepath.Glob(filepath.Join(lib, "*.jar"))
	classpath := []string{fwJar, classes}
	if len(libs) > 0 {
		classpath = append(classpath, filepath.Join(lib, "*"))
	}
	cp := strings.Join(classpath, string(os.PathListSeparator))
	if out, err := b.run(app, j.bin("java"), "-cp", cp, "dev.kiln.functions.Check", target); err != nil {
		return result, fmt.Errorf("FUNC_NAME=%s: %s; classes implementing dev.kiln.functions.HttpFunction or CloudEventsFunction are named by their full name, e.g. com.example.Hello%s",
			target, strings.TrimSpace(out), candidates(classes))
	}

	jre, err := b.jlink(ctx, j, append([]string{fwJar, classes}, libs...))
	if err != nil {
		return result, err
	}
	jars, err := sbom.MavenJars(lib)
	if err != nil {
		return result, err
	}
	if err := sbom.WriteLayer(appLayer, jars); err != nil {
		return result, err
	}
	appLayer.LaunchEnvironment.Default("FUNCTION_TARGET", target)
	appLayer.LaunchEnvironment.Default("FUNCTION_SIGNATURE_TYPE", signature)
	appLayer.LaunchEnvironment.Default("PORT", "8080")
	result.Layers = append(result.Layers, appLayer, framework, jre)
	result.Layers = append(result.Layers, mavenLayers...)
	result.Processes = append(result.Processes, libcnb.Process{Type: "web", Default: true,
		Command: []string{filepath.Join(jre.Path, "bin", "java"), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, Invoker}})
	fw, _ := ctx.Buildpack.Metadata["framework-version"].(string)
	result.Labels = append(result.Labels,
		libcnb.Label{Key: "dev.kiln.function.target", Value: target},
		libcnb.Label{Key: "dev.kiln.function.signature", Value: signature},
		libcnb.Label{Key: "dev.kiln.framework.version", Value: fw})
	return result, nil
}

// framework compiles the carried framework into a reproducible jar, in a
// layer cached by framework version, JDK and source digest.
func (b Builder) framework(ctx libcnb.BuildContext, j jdk) (libcnb.Layer, string, error) {
	dir := filepath.Join(ctx.Buildpack.Path, "framework")
	srcs, err := Sources(dir)
	if err != nil || len(srcs) == 0 {
		return libcnb.Layer{}, "", fmt.Errorf("this buildpack is missing its framework copy (rebuild it with `kiln buildpack package`)")
	}
	digest, err := nodeapp.HashFiles(dir, srcs...)
	if err != nil {
		return libcnb.Layer{}, "", err
	}
	version, _ := ctx.Buildpack.Metadata["framework-version"].(string)
	layer, err := ctx.Layers.Layer("framework")
	if err != nil {
		return layer, "", err
	}
	jar := filepath.Join(layer.Path, FrameworkArtifact+".jar")
	lc := libpak.NewLayerContributor("Kiln functions framework "+version,
		map[string]interface{}{"version": version, "jdk": j.version, "sources": digest}, libcnb.LayerTypes{Launch: true, Cache: true}, b.Logger)
	err = lc.Contribute(&layer, func(l *libcnb.Layer) error {
		tmp, err := os.MkdirTemp("", "kiln-framework-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		args := []string{j.bin("javac"), "--release", "17", "-encoding", "UTF-8", "-d", tmp}
		for _, f := range srcs {
			args = append(args, filepath.Join(dir, f))
		}
		if _, err := b.run(dir, args...); err != nil {
			return fmt.Errorf("compiling the framework: %w", err)
		}
		_, err = b.run(dir, j.bin("jar"), "--create", "--file", jar, "--date", "1980-01-01T00:00:02Z", "-C", tmp, ".")
		return err
	})
	if err != nil {
		return layer, jar, err
	}
	// The layer's SBOM: the framework jar (reproducible: same sources and
	// JDK, same bytes) with its version and SHA-256.
	h, err := sbom.FileHash(jar)
	if err != nil {
		return layer, jar, fmt.Errorf("the framework layer has no %s: %w", filepath.Base(jar), err)
	}
	fw := sbom.Framework(FrameworkArtifact, version, sbom.MavenPURL(FrameworkGroup, FrameworkArtifact, version), nil, h)
	fw.Group = FrameworkGroup
	return layer, jar, sbom.WriteLayer(layer, []sbom.Component{fw})
}

// javac compiles the function's sources (no build tool) against the framework.
func (b Builder) javac(ctx libcnb.BuildContext, j jdk, target, signature, fwJar, classes string) error {
	srcs, err := Sources(ctx.ApplicationPath)
	if err != nil {
		return err
	}
	b.Logger.Headerf("Function %s (%s): %d source file(s), %s", target, signature, len(srcs), j.version)
	args := append([]string{j.bin("javac"), "--release", "17", "-encoding", "UTF-8", "-cp", fwJar, "-d", classes}, srcs...)
	start := time.Now()
	if _, err := b.run(ctx.ApplicationPath, args...); err != nil {
		return fmt.Errorf("compiling failed (javac):\n%s", err)
	}
	b.Logger.Bodyf("Compiled in %s", time.Since(start).Round(10*time.Millisecond))
	return nil
}

// jlink builds the runtime of the modules jdeps finds in roots (jars and
// class directories).
func (b Builder) jlink(ctx libcnb.BuildContext, j jdk, roots []string) (libcnb.Layer, error) {
	bin := j.bin
	args := append([]string{bin("jdeps"), "--print-module-deps", "--ignore-missing-deps", "--multi-release", "17"}, roots...)
	out, err := b.run(ctx.ApplicationPath, args...)
	if err != nil {
		return libcnb.Layer{}, fmt.Errorf("jdeps: %w", err)
	}
	modules := map[string]bool{"jdk.httpserver": true, "jdk.crypto.ec": true}
	for _, m := range strings.Split(strings.TrimSpace(out), ",") {
		if m = strings.TrimSpace(m); m != "" {
			modules[m] = true
		}
	}
	var list []string
	for m := range modules {
		list = append(list, m)
	}
	sort.Strings(list)
	layer, err := ctx.Layers.Layer("jre")
	if err != nil {
		return layer, err
	}
	lc := libpak.NewLayerContributor("JRE ("+strings.Join(list, ",")+")",
		map[string]interface{}{"jdk": j.version, "modules": list}, libcnb.LayerTypes{Launch: true, Cache: true}, b.Logger)
	err = lc.Contribute(&layer, func(l *libcnb.Layer) error {
		os.RemoveAll(l.Path) // jlink wants to create the directory itself
		start := time.Now()
		_, err := b.run(ctx.ApplicationPath, bin("jlink"), "--add-modules", strings.Join(list, ","), "--strip-java-debug-attributes",
			"--no-man-pages", "--no-header-files", "--compress=2", "--output", l.Path)
		if err != nil {
			return fmt.Errorf("jlink: %w", err)
		}
		b.Logger.Bodyf("jlink'd in %s", time.Since(start).Round(10*time.Millisecond))
		return nil
	})
	if err != nil {
		return layer, err
	}
	rt, err := sbom.JavaRuntime(layer.Path)
	if err != nil {
		return layer, err
	}
	if b.StackSBOM != "" {
		// What jlink made it from: the stack's JDK packages, each with its
		// version and the .deb's SHA-256.
		major, _, _ := strings.Cut(rt.Version, ".")
		debs, ok, err := sbom.StackPackages(b.StackSBOM, "openjdk-"+major+"-")
		if err != nil {
			return layer, err
		}
		if ok && len(debs) > 0 {
			rt.Pedigree = &sbom.Pedigree{Ancestors: debs}
		}
	}
	return layer, sbom.WriteLayer(layer, []sbom.Component{rt})
}

// candidates lists the compiled classes outside the framework, for errors.
func candidates(classes string) string {
	var names []string
	filepath.Walk(classes, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".class") && !strings.Contains(p, "$") {
			rel, _ := filepath.Rel(classes, strings.TrimSuffix(p, ".class"))
			if !strings.HasPrefix(rel, filepath.Join("dev", "kiln", "functions")) {
				names = append(names, strings.ReplaceAll(rel, string(filepath.Separator), "."))
			}
		}
		return nil
	})
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return ". Classes compiled: " + strings.Join(names, ", ")
}
