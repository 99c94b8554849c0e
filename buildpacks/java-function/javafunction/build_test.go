package javafunction_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	cnblog "github.com/buildpacks/libcnb/v2/log"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"kiln.dev/kiln/buildpacks/internal/bptest"
	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/java-function/javafunction"
)

// hostJDK is the JAVA_HOME of the javac on PATH.
func hostJDK(t *testing.T) string {
	javac, err := exec.LookPath("javac")
	if err != nil {
		t.Fatal("a JDK (javac) is needed for these tests; .ci/run installs openjdk-17-jdk-headless")
	}
	real, _ := filepath.EvalSymlinks(javac)
	return filepath.Dir(filepath.Dir(real))
}

type countingJlink struct {
	command.ExecExecutor
	jlinks int
}

func (c *countingJlink) Run(cmd command.Command) error {
	if strings.HasSuffix(cmd.Args[0], "jlink") {
		c.jlinks++
	}
	return c.ExecExecutor.Run(cmd)
}

const hello = `package com.example;

import dev.kiln.functions.*;

public class Hello implements HttpFunction {
  public void service(HttpRequest req, HttpResponse res) throws Exception { res.getWriter().write("hi"); }
}
`

// These run the host JDK's javac, jdeps and jlink.
func TestBuild(t *testing.T) {
	spec.Run(t, "Build", func(t *testing.T, when spec.G, it spec.S) {
		var (
			Expect = NewWithT(t).Expect
			ctx    libcnb.BuildContext
			exe    *countingJlink
			b      javafunction.Builder
			write  = func(name, content string) {
				p := filepath.Join(ctx.ApplicationPath, name)
				Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
				Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
			}
		)
		it.Before(func() {
			t.Setenv("JAVA_HOME", hostJDK(t))
			t.Setenv("FUNC_NAME", "com.example.Hello")
			bp := t.TempDir()
			out, err := exec.Command("cp", "-r", "../../../framework-templates/java", filepath.Join(bp, "framework")).CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(out))
			os.RemoveAll(filepath.Join(bp, "framework", "src", "test"))
			ctx = libcnb.BuildContext{ApplicationPath: t.TempDir(), Layers: libcnb.Layers{Path: t.TempDir()},
				Buildpack: libcnb.Buildpack{Path: bp, Metadata: map[string]interface{}{"framework-version": "0.1.0"}}}
			exe = &countingJlink{}
			b = javafunction.Builder{Logger: log.NewDiscardLogger(), Executor: exe}
		})

		it("compiles the function with the framework and jlinks a runtime of the needed modules, once", func() {
			write("src/main/java/com/example/Hello.java", hello)
			write("src/test/java/com/example/HelloTest.java", "this is not compiled")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			classes, jre := result.Layers[0], result.Layers[1]
			Expect(filepath.Join(classes.Path, "com", "example", "Hello.class")).To(BeAnExistingFile())
			Expect(filepath.Join(classes.Path, "dev", "kiln", "functions", "Invoker.class")).To(BeAnExistingFile())
			Expect(jre.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true, Cache: true}))
			Expect(jre.Metadata["modules"]).To(ContainElements("java.base", "jdk.httpserver"))
			Expect(filepath.Join(jre.Path, "bin", "java")).To(BeAnExistingFile())
			Expect(result.Processes[0].Command).To(ContainElement("dev.kiln.functions.Invoker"))
			Expect(classes.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "com.example.Hello"))
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(exe.jlinks).To(Equal(1), "same modules and JDK: the runtime layer is reused")
		})

		it("names the classes it compiled when FUNC_NAME is not a function class", func() {
			t.Setenv("FUNC_NAME", "com.example.Nope")
			write("src/main/java/com/example/Hello.java", hello)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("FUNC_NAME=com.example.Nope: FUNCTION_TARGET=com.example.Nope: no such class on the classpath")))
			Expect(err).To(MatchError(ContainSubstring("Classes compiled: com.example.Hello")))
		})

		it("shows javac's errors", func() {
			write("Hello.java", "package com.example; public class Hello { void f() { undefinedCall(); } }")
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("compiling failed (javac)")))
			Expect(err).To(MatchError(ContainSubstring("cannot find symbol")))
		})

		it("says Maven is not supported yet", func() {
			write("pom.xml", "<project/>")
			write("Hello.java", hello)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("Maven builds are not supported yet")))
		})
	})
}

func TestDetect(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	t.Setenv("FUNC_NAME", "com.example.Hello")
	res, _ := javafunction.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeFalse())
	g.Expect(os.MkdirAll(filepath.Join(dir, "src", "main", "java"), 0o755)).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(dir, "src", "main", "java", "Hello.java"), nil, 0o644)).To(Succeed())
	res, _ = javafunction.Detect(libcnb.DetectContext{ApplicationPath: dir, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeTrue())
}
