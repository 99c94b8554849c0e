// Package ignore reads gitignore-style pattern lists (.kilnignore, and the
// include/exclude lists of project.toml) and says which paths of a source
// tree they leave out of a build. It supports the common subset of
// gitignore: comments, blank lines, globs (* ? [...]), ** across
// directories, a trailing / for directories only, a leading or inner / to
// anchor at the root, ! to re-include, and \ to escape a leading # or !.
// The lists are hostile input: the file size, the number of patterns and
// the ** per pattern are bounded, and errors name the file and line. It only
// reads the pattern file; it never walks or copies a tree.
package ignore
