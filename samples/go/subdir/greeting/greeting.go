// Package greeting is a local module the function reaches through a relative
// replace directive.
package greeting

// For greets name politely.
func For(name string) string { return "Greetings, " + name + "." }
