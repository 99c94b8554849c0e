// Package javafunction is the kiln/java-function buildpack. With FUNC_NAME (a
// class name) it compiles the function and serves it with Kiln's Java
// framework on a jlink'd runtime:
//
//   - The framework it carries is compiled once into a reproducible jar in the
//     launch+cache layer "framework" (keyed by framework version, JDK and a
//     digest of its sources; its SBOM: the jar's version and SHA-256).
//   - Without a build tool, every .java file outside src/test and target/ is
//     compiled against that jar (javac --release 17) into the launch layer
//     "app" (classes/).
//   - With a pom.xml (checked first: valid XML, one module, packaging jar,
//     groupId/artifactId/version), one `mvn package` + maven-dependency-plugin
//     copy-dependencies runs with the stack's Maven; target/classes goes to
//     app/classes, runtime dependencies to app/lib. Repositories come from
//     BP_MAVEN_SETTINGS_PATH, a service binding of type maven, or
//     BP_MAVEN_MIRROR_URL; the Maven repository is the machine's dependency
//     cache or the cache layer "maven-repository". The framework jar is
//     installed into it as dev.kiln:functions-framework so a pom can depend on
//     it with scope provided.
//
// Then it checks that FUNC_NAME is an HttpFunction or CloudEventsFunction the
// way the invoker will load it, and jlinks a runtime of exactly the modules
// jdeps finds (plus jdk.httpserver) into the launch+cache layer "jre", keyed
// by the JDK version and the module list; its SBOM names the JDK version and,
// as its pedigree, the stack's JDK Debian packages with their .debs' SHA-256.
package javafunction
