// Package scaffold writes a new function for kiln init: one template per
// language (go, node, python, java) and signature (http, cloudevent,
// openfunction; Java has the first two), each with a test the user runs
// with the language's own tools (go test, node --test, python3 -m unittest,
// and for Java a main-based check run with java, since Maven Central may be
// out of reach). It writes only into the directory it is given, refuses to
// overwrite a file, and never builds anything.
package scaffold
