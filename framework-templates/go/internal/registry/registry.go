package registry

import (
	"fmt"
	"sort"
	"sync"
)

// Registry maps names to values of one kind; it is safe for concurrent use.
type Registry[T any] struct {
	kind string // what the values are, for error messages: "function", "hook"
	mu   sync.Mutex
	m    map[string]T
}

// New makes an empty registry of kind (a word for its values in errors).
func New[T any](kind string) *Registry[T] {
	return &Registry[T]{kind: kind, m: map[string]T{}}
}

// Add registers v as name. An empty name or a name registered before is an
// error: both are programming errors, so callers usually panic with it.
func (r *Registry[T]) Add(name string, v T) error {
	if name == "" {
		return fmt.Errorf("a %s needs a non-empty name", r.kind)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[name]; dup {
		return fmt.Errorf("%s %q is registered twice", r.kind, name)
	}
	r.m[name] = v
	return nil
}

// Get returns the value registered as name.
func (r *Registry[T]) Get(name string) (T, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[name]
	return v, ok
}

// Names lists the registered names, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
