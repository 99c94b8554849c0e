package javafunction_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	"kiln.dev/kiln/buildpacks/java-function/mavenrepo"
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
	ran    []command.Command
}

func (c *countingJlink) Run(cmd command.Command) error {
	if strings.HasSuffix(cmd.Args[0], "jlink") {
		c.jlinks++
	}
	c.ran = append(c.ran, cmd)
	return c.ExecExecutor.Run(cmd)
}

// count is how many commands named tool ran.
func (c *countingJlink) count(tool string) int {
	n := 0
	for _, cmd := range c.ran {
		if filepath.Base(cmd.Args[0]) == tool {
			n++
		}
	}
	return n
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
			stack := filepath.Join(t.TempDir(), "sbom.cdx.json")
			var comps []string
			for _, major := range []string{"8", "11", "17", "21", "25"} {
				for _, pkg := range []string{"jdk", "jre"} {
					comps = append(comps, fmt.Sprintf(`{"type":"library","name":"openjdk-%s-%s-headless","version":"%s.0.1+2-1~deb12u1","purl":"pkg:deb/debian/openjdk-%s-%s-headless@%s.0.1%%2B2-1~deb12u1?arch=amd64","hashes":[{"alg":"SHA-256","content":"%s"}]}`,
						major, pkg, major, major, pkg, major, strings.Repeat("a"+major[:1], 32)))
				}
			}
			Expect(os.WriteFile(stack, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"zlib1g","version":"1"},`+strings.Join(comps, ",")+`]}`), 0o644)).To(Succeed())
			b = javafunction.Builder{Logger: log.NewDiscardLogger(), Executor: exe, StackSBOM: stack}
		})

		it("compiles the function with the framework and jlinks a runtime of the needed modules, once", func() {
			write("src/main/java/com/example/Hello.java", hello)
			write("src/test/java/com/example/HelloTest.java", "this is not compiled")
			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			app, framework, jre := result.Layers[0], result.Layers[1], result.Layers[2]
			Expect(filepath.Join(app.Path, "classes", "com", "example", "Hello.class")).To(BeAnExistingFile())
			Expect(filepath.Join(app.Path, "classes", "com", "example", "HelloTest.class")).NotTo(BeAnExistingFile())
			Expect(filepath.Join(framework.Path, "functions-framework.jar")).To(BeAnExistingFile())
			Expect(framework.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true, Cache: true}))
			Expect(jre.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true, Cache: true}))
			Expect(jre.Metadata["modules"]).To(ContainElements("java.base", "jdk.httpserver"))
			Expect(filepath.Join(jre.Path, "bin", "java")).To(BeAnExistingFile())
			jreSBOM, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "jre.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(jreSBOM)).To(MatchRegexp(`"purl": "pkg:generic/openjdk@[0-9]+[.0-9]*"`), "the runtime's JDK version")
			// and the stack's Debian packages of that JDK it was jlink'd from, with the .debs' SHA-256.
			major := regexp.MustCompile(`"version": "([0-9]+)[.0-9]*"`).FindStringSubmatch(string(jreSBOM))
			Expect(major).To(HaveLen(2))
			Expect(string(jreSBOM)).To(ContainSubstring(`"pedigree": {
        "ancestors": [
          {
            "type": "library",
            "name": "openjdk-` + major[1] + `-jdk-headless",
            "version": "` + major[1] + `.0.1+2-1~deb12u1",
            "purl": "pkg:deb/debian/openjdk-` + major[1] + `-jdk-headless@` + major[1] + `.0.1%2B2-1~deb12u1?arch=amd64",
            "hashes": [
              {
                "alg": "SHA-256",
                "content": "` + strings.Repeat("a"+major[1][:1], 32) + `"`))
			Expect(string(jreSBOM)).NotTo(ContainSubstring("openjdk-8-"), "another JDK of the stack is not its ancestor")
			Expect(result.Processes[0].Command).To(ContainElement("dev.kiln.functions.Invoker"))
			Expect(app.LaunchEnvironment).To(HaveKeyWithValue("FUNCTION_TARGET.default", "com.example.Hello"))
			Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(exe.jlinks).To(Equal(1), "same modules and JDK: the runtime layer is reused")
			Expect(exe.count("jar")).To(Equal(1), "same framework sources and JDK: the framework jar is reused")

			// the framework layer's SBOM, on a cache hit too: version and the jar's SHA-256.
			jarBytes, err := os.ReadFile(filepath.Join(framework.Path, "functions-framework.jar"))
			Expect(err).NotTo(HaveOccurred())
			fwSBOM, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "framework.sbom.cdx.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(fwSBOM)).To(ContainSubstring(fmt.Sprintf(`"type": "framework",
      "group": "dev.kiln",
      "name": "functions-framework",
      "version": "0.1.0",
      "purl": "pkg:maven/dev.kiln/functions-framework@0.1.0",
      "hashes": [
        {
          "alg": "SHA-256",
          "content": "%x"`, sha256.Sum256(jarBytes))))
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

		when("there is a pom.xml", func() {
			var repo *mavenrepo.Repo
			it.Before(func() {
				var err error
				repo, err = mavenrepo.Serve(mavenrepo.DebianRepo)
				Expect(err).NotTo(HaveOccurred())
				ctx.Buildpack.Metadata["maven-home"] = "/usr/share/maven"
				ctx.Buildpack.Metadata["maven-dependency-plugin"] = "3.5.0"
				t.Setenv("BP_MAVEN_MIRROR_URL", repo.URL)
				t.Setenv("FUNC_NAME", "com.example.Shout")
				write("pom.xml", pom)
				write("src/main/java/com/example/Shout.java", shout)
			})
			it.After(func() { repo.Close() })

			it("builds with mvn through the mirror: classes, runtime dependencies, the provided framework left out", func() {
				result, err := b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				app := result.Layers[0]
				Expect(filepath.Join(app.Path, "classes", "com", "example", "Shout.class")).To(BeAnExistingFile())
				Expect(filepath.Join(app.Path, "lib", "commons-lang3-3.12.0.jar")).To(BeAnExistingFile())
				libs, _ := filepath.Glob(filepath.Join(app.Path, "lib", "*.jar"))
				Expect(libs).To(HaveLen(1), "only runtime dependencies; the framework (provided) is on the classpath from its own layer")
				Expect(filepath.Join(ctx.ApplicationPath, "target")).NotTo(BeAnExistingFile(), "target/ is removed from the workspace")
				Expect(repo.Served()).To(HaveKey("org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar"))
				doc, err := os.ReadFile(filepath.Join(ctx.Layers.Path, "app.sbom.cdx.json"))
				Expect(err).NotTo(HaveOccurred())
				Expect(string(doc)).To(ContainSubstring(`"purl": "pkg:maven/org.apache.commons/commons-lang3@3.12.0"`), "the app layer's SBOM lists the jars it carries")
				Expect(result.Processes[0].Command).To(ContainElement(ContainSubstring(filepath.Join(app.Path, "lib", "*"))))
				cache := result.Layers[len(result.Layers)-1]
				Expect(cache.Name).To(Equal("maven-repository"))
				Expect(cache.LayerTypes).To(Equal(libcnb.LayerTypes{Cache: true}))
				Expect(filepath.Join(cache.Path, "dev", "kiln", "functions-framework", "0.1.0", "functions-framework-0.1.0.jar")).To(BeAnExistingFile())

				// A rebuild downloads nothing: the repository is cached.
				Expect(bptest.PersistLayers(ctx.Layers.Path, result)).To(Succeed())
				before := repo.Served()
				_, err = b.Build(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(repo.Served()).To(Equal(before))
			})

			it("names the repository settings to set when Maven cannot download", func() {
				t.Setenv("BP_MAVEN_MIRROR_URL", "http://127.0.0.1:1/nothing-here")
				_, err := b.Build(ctx)
				Expect(err).To(MatchError(ContainSubstring("Maven could not download the plugins or dependencies the build needs from the repositories from BP_MAVEN_MIRROR_URL")))
				Expect(err).To(MatchError(ContainSubstring("BP_MAVEN_SETTINGS_PATH=settings.xml")))
			})

			it("shows the compiler's errors", func() {
				write("src/main/java/com/example/Shout.java", "package com.example; public class Shout { void f() { undefinedCall(); } }")
				_, err := b.Build(ctx)
				Expect(err).To(MatchError(ContainSubstring("compiling failed (mvn package)")))
				Expect(err).To(MatchError(ContainSubstring("cannot find symbol")))
			})
		})
	})
}

const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>shout</artifactId>
  <version>1.0.0</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency><groupId>dev.kiln</groupId><artifactId>functions-framework</artifactId><version>0.1.0</version><scope>provided</scope></dependency>
    <dependency><groupId>org.apache.commons</groupId><artifactId>commons-lang3</artifactId><version>3.12.0</version></dependency>
  </dependencies>
</project>
`

const shout = `package com.example;

import dev.kiln.functions.*;

public class Shout implements HttpFunction {
  public void service(HttpRequest req, HttpResponse res) throws Exception {
    res.getWriter().write(org.apache.commons.lang3.StringUtils.upperCase("hi"));
  }
}
`

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

	pomOnly := t.TempDir()
	g.Expect(os.WriteFile(filepath.Join(pomOnly, "pom.xml"), []byte("<project/>"), 0o644)).To(Succeed())
	res, _ = javafunction.Detect(libcnb.DetectContext{ApplicationPath: pomOnly, Logger: cnblog.NewDiscard()})
	g.Expect(res.Pass).To(BeTrue(), "a pom.xml alone is a Maven project")
}
