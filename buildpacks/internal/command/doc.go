// Package command runs the programs buildpacks shell out to (go, npm, node,
// pip, javac…) behind an interface, so unit tests record invocations while
// e2e runs the real thing. A failure carries the program's stderr tail.
package command
