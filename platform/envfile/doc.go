// Package envfile reads env files as kiln build --env-file and kiln run
// --env-file take them (pack's and docker's habit): one KEY=VALUE a line,
// blank lines and # comments skipped, an optional "export " prefix, and
// values optionally in matching single or double quotes. A bare KEY takes
// its value from the caller's environment. The file is hostile input: its
// size is bounded and a bad line is reported as FILE:LINE with the fix. It
// only reads the file.
package envfile
