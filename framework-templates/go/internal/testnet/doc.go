// Package testnet holds network fixtures for the framework's tests. Only
// _test.go files import it; it is no part of a function's program.
package testnet
