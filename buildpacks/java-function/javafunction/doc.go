// Package javafunction is the kiln/java-function buildpack. With FUNC_NAME (a
// class name) and Java sources but no build tool, it compiles every .java
// file outside src/test together with the framework sources it carries
// (javac --release 17 into the launch layer "classes"), checks that FUNC_NAME
// is an HttpFunction or CloudEventsFunction the way the invoker will load it,
// and jlinks a runtime of exactly the modules jdeps finds (plus
// jdk.httpserver) into the launch+cache layer "jre", keyed by the JDK version
// and the module list. Maven projects (pom.xml) are not built yet.
package javafunction
