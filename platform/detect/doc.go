// Package detect picks the language (and so the builder) for a source
// directory from one ordered table of the files and build env each of Kiln's
// buildpacks detects on. kiln build uses it to choose a builder; its test
// runs every buildpack's own Detect over the same cases, so the CLI and the
// buildpacks cannot disagree (a root Hello.java, or FUNC_SRC=handler.py,
// once picked builder-go). It only reads the directory; it never reads file
// contents.
package detect
