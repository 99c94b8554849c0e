// Package registry is the name → value table behind the framework's
// declarative APIs (functions.HTTP and friends, hooks.Register). Those
// packages keep one process-wide Registry each; tests make their own with New
// so no registration leaks from one test (or one -count run) into another.
// It holds no global state itself and must not read env or start servers.
package registry
