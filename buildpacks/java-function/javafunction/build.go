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
)

// Invoker is the framework's main class.
const Invoker = "dev.kiln.functions.Invoker"

// Builder compiles and wires a Java function.
type Builder struct {
	Logger   log.Logger
	Executor command.Executor
}

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{Logger: log.NewPaketoLogger(os.Stdout), Executor: command.ExecExecutor{}}.Build(ctx)
}

func (b Builder) run(dir string, args ...string) (string, error) {
	return command.Output(b.Executor, dir, os.Environ(), args...)
}

// Build compiles, checks and jlinks.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	app, target := ctx.ApplicationPath, funcenv.Target()
	if _, err := os.Stat(filepath.Join(app, "pom.xml")); err == nil {
		return result, fmt.Errorf("pom.xml found: Maven builds are not supported yet by kiln/java-function; build plain sources (no pom.xml) for now")
	}
	signature, err := funcenv.Signature("Java", funcenv.HTTP, funcenv.CloudEvent)
	if err != nil {
		return result, err
	}
	javaHome, _ := ctx.Buildpack.Metadata["java-home"].(string)
	if env := os.Getenv("JAVA_HOME"); env != "" {
		javaHome = env
	}
	bin := func(tool string) string { return filepath.Join(javaHome, "bin", tool) }
	if _, err := os.Stat(bin("javac")); err != nil {
		return result, fmt.Errorf("no JDK at %s (JAVA_HOME): build Java functions with the Java builder (kiln/builder-java)", javaHome)
	}
	version, err := b.run(app, bin("java"), "-version")
	if err != nil {
		return result, err
	}
	version = strings.SplitN(strings.TrimSpace(version), "\n", 2)[0]

	srcs, err := Sources(app)
	if err != nil {
		return result, err
	}
	fwSrcs, err := Sources(filepath.Join(ctx.Buildpack.Path, "framework"))
	if err != nil || len(fwSrcs) == 0 {
		return result, fmt.Errorf("this buildpack is missing its framework copy (rebuild it with `kiln buildpack package`)")
	}
	b.Logger.Headerf("Function %s (%s): %d source file(s), %s", target, signature, len(srcs), version)

	classes, err := ctx.Layers.Layer("classes")
	if err != nil {
		return result, err
	}
	if classes, err = classes.Reset(); err != nil {
		return result, err
	}
	classes.LayerTypes = libcnb.LayerTypes{Launch: true}
	args := []string{bin("javac"), "--release", "17", "-encoding", "UTF-8", "-d", classes.Path}
	args = append(args, srcs...)
	for _, f := range fwSrcs {
		args = append(args, filepath.Join(ctx.Buildpack.Path, "framework", f))
	}
	start := time.Now()
	if _, err := b.run(app, args...); err != nil {
		return result, fmt.Errorf("compiling failed (javac):\n%s", err)
	}
	b.Logger.Bodyf("Compiled in %s", time.Since(start).Round(10*time.Millisecond))
	if out, err := b.run(app, bin("java"), "-cp", classes.Path, "dev.kiln.functions.Check", target); err != nil {
		return result, fmt.Errorf("FUNC_NAME=%s: %s; classes implementing dev.kiln.functions.HttpFunction or CloudEventsFunction are named by their full name, e.g. com.example.Hello%s",
			target, strings.TrimSpace(out), candidates(classes.Path))
	}

	jre, err := b.jlink(ctx, bin, classes.Path, version)
	if err != nil {
		return result, err
	}
	classes.LaunchEnvironment.Default("FUNCTION_TARGET", target)
	classes.LaunchEnvironment.Default("FUNCTION_SIGNATURE_TYPE", signature)
	classes.LaunchEnvironment.Default("PORT", "8080")
	result.Layers = append(result.Layers, classes, jre)
	result.Processes = append(result.Processes, libcnb.Process{Type: "web", Default: true,
		Command: []string{filepath.Join(jre.Path, "bin", "java"), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classes.Path, Invoker}})
	fw, _ := ctx.Buildpack.Metadata["framework-version"].(string)
	result.Labels = append(result.Labels,
		libcnb.Label{Key: "dev.kiln.function.target", Value: target},
		libcnb.Label{Key: "dev.kiln.function.signature", Value: signature},
		libcnb.Label{Key: "dev.kiln.framework.version", Value: fw})
	return result, nil
}

// jlink builds the runtime of the modules jdeps finds in classes.
func (b Builder) jlink(ctx libcnb.BuildContext, bin func(string) string, classes, version string) (libcnb.Layer, error) {
	out, err := b.run(ctx.ApplicationPath, bin("jdeps"), "--print-module-deps", "--ignore-missing-deps", "--multi-release", "17", "-R", classes)
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
		map[string]interface{}{"jdk": version, "modules": list}, libcnb.LayerTypes{Launch: true, Cache: true}, b.Logger)
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
	return layer, err
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
