// Package condition is the expression language of a Trigger subscriber's
// condition: the subset of CEL that OpenFunction's events docs use, over
// input names and a CloudEvent's attributes.
//
//	A || B                          an event arrived on input A or B
//	A && B                          events arrived on both within the window
//	A && type == "cron.tick"        CloudEvent attributes: id, source, type,
//	subject != "" && extensions.tier == "gold"   subject, datacontenttype, extensions.<name>
//	!(A) || (B && source == "x")
//
// Only identifiers, string literals, ==, !=, &&, ||, ! and parentheses are
// accepted; anything else is an error that names the position. The package
// is standard library only: the validator and the event handler share it.
package condition
