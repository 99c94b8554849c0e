// Package stackpublish builds a stack's images (package stacks) and pushes
// them to a registry under <registry>/kiln/stack/<image>:<stack name>.
package stackpublish
