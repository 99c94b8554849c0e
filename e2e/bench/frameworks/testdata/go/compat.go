// Command compat serves package fn, written against Google's or OpenFunction's
// framework, with Kiln's framework through Kiln's compatibility module, the
// way the buildpack's generated main does (FUNCTION_TARGET=HelloWorld).
package main

import (
	_ "example.com/hello/fn"
	"kiln.dev/functions-framework-go/funcframework"
)

func main() { funcframework.Main(nil) }
