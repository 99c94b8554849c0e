// Package registry remembers the functions registered through Google's API:
// declarative ones by name (also registered with Kiln's framework, which
// serves FUNCTION_TARGET), and ones registered at a path without a name
// (funcframework.Register*FunctionContext), which only Start serves.
package registry

import (
	"sync"

	kfunctions "kiln.dev/functions-framework-go/functions"
)

// Function is one registration.
type Function struct {
	// Path is where Start serves it when no FUNCTION_TARGET is set: its own
	// path, or "/<name>" for a declarative function.
	Path string
	Fn   kfunctions.Registered
}

var (
	mu      sync.Mutex
	named   []Function
	unnamed []Function
)

// AddNamed records a declarative function, already registered with Kiln's
// framework.
func AddNamed(r kfunctions.Registered) {
	mu.Lock()
	defer mu.Unlock()
	named = append(named, Function{Path: "/" + r.Name, Fn: r})
}

// AddUnnamed records a function registered at a path.
func AddUnnamed(path string, r kfunctions.Registered) {
	mu.Lock()
	defer mu.Unlock()
	unnamed = append(unnamed, Function{Path: path, Fn: r})
}

// All lists every registration: unnamed ones first, in order.
func All() []Function {
	mu.Lock()
	defer mu.Unlock()
	return append(append([]Function(nil), unnamed...), named...)
}

// LastUnnamed is the last function registered at a path, if any: Google's
// framework serves it when FUNCTION_TARGET names no declarative function.
func LastUnnamed() (Function, bool) {
	mu.Lock()
	defer mu.Unlock()
	if len(unnamed) == 0 {
		return Function{}, false
	}
	return unnamed[len(unnamed)-1], true
}
