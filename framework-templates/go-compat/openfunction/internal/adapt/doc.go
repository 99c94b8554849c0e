// Package adapt runs OpenFunction-signature functions on Kiln's framework:
// it gives each invocation an OpenFunction Context built over Kiln's, and
// turns the function's Out into Kiln's.
package adapt
