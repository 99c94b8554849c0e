// Package kiln drives the kiln binary for the e2e suites: builds with their
// output and exit code, runs that can be invoked and stopped, and reads
// images back from the embedded registry. It polls with deadlines; it never
// sleeps a fixed time.
package kiln
