// Package bptest helps buildpack tests: it persists a build's layer metadata
// the way the lifecycle does between builds, so a second Build in a test sees
// a restored cache exactly like a real rebuild, and it gates the few tests
// that need the network behind KILN_NETWORK_TESTS=1.
package bptest
