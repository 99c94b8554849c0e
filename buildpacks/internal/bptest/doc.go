// Package bptest helps buildpack tests: it persists a build's layer metadata
// the way the lifecycle does between builds, so a second Build in a test sees
// a restored cache exactly like a real rebuild.
package bptest
