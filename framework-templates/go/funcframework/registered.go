package funcframework

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"sort"
	"strings"

	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/routes"
)

// ServeRegistered serves declaratively registered functions until
// SIGTERM/SIGINT:
//   - FUNCTION_TARGET names a registered function: that one, at its path
//     (functions.WithPath) when it has one, else on every path;
//   - FUNCTION_TARGET is unset or names no registered function, and some
//     functions were registered with a path: every function with a path, each
//     at its own (OpenFunction's multi-function images), logged one per line;
//   - otherwise an error listing the registered functions.
func ServeRegistered() error {
	return serveRegistered(registered{}, Target())
}

func serveRegistered(reg lookup, target string) error {
	fns, single, err := choose(reg, target)
	switch {
	case err != nil:
		return err
	case single && fns[0].Open != nil:
		return serveOpenFunction(fns[0])
	case single:
		h, err := handlerForTarget(reg, target)
		if err != nil {
			return err
		}
		return Serve(h)
	}
	return serveAll(fns)
}

// choose picks what to serve: the target alone (single), or every function
// with a path when no registered function is the target; else the error
// handlerForTarget gives.
func choose(reg lookup, target string) (fns []functions.Registered, single bool, err error) {
	if r, ok := reg.Get(target); ok {
		return []functions.Registered{r}, true, nil
	}
	all := withPaths(reg)
	if len(all) == 0 {
		_, err := handlerForTarget(reg, target)
		return nil, false, err
	}
	why := "FUNCTION_TARGET is unset"
	if target != "" {
		why = fmt.Sprintf("FUNCTION_TARGET=%q names no registered function", target)
	}
	log.Printf("kiln functions framework: %s; serving every function registered with a path (%d)", why, len(all))
	return all, false, nil
}

// withPaths lists the registered functions that have a path, by name.
func withPaths(reg lookup) []functions.Registered {
	var out []functions.Registered
	for _, n := range reg.Names() {
		if r, _ := reg.Get(n); r.Path != nil {
			out = append(out, r)
		}
	}
	return out
}

// serveAllOpen is set by openfunction.go (Go 1.24+): it serves the
// functions, some of which have the OpenFunction signature.
var serveAllOpen = func(fns []functions.Registered) error {
	return fmt.Errorf("functions with the OpenFunction signature need Go 1.24 or newer (set BP_GO_VERSION)")
}

// serveAll serves every function at its path on $PORT.
func serveAll(fns []functions.Registered) error {
	for _, r := range fns {
		if r.Open != nil {
			return serveAllOpen(fns)
		}
	}
	h, err := AllHandler(fns, nil)
	if err != nil {
		return err
	}
	return serveRouted(h, fns)
}

// serveRouted serves h, the router of fns, on $PORT until SIGTERM/SIGINT.
func serveRouted(h http.Handler, fns []functions.Registered) error {
	return serveRoutedCtx(context.Background(), h, fns)
}

// AllHandler routes each function to its path (404 elsewhere, 405 for a
// method it does not take). open makes the handler of an OpenFunction-
// signature function; nil when there are none.
func AllHandler(fns []functions.Registered, open func(functions.Registered) (http.Handler, error)) (http.Handler, error) {
	var rs []routes.Route
	for _, r := range fns {
		var h http.Handler
		switch {
		case r.HTTP != nil:
			h = HTTPHandler(r.HTTP)
		case r.CloudEvent != nil:
			h = CloudEventHandler(r.CloudEvent)
		case open != nil:
			var err error
			if h, err = open(r); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("function %q has the OpenFunction signature, which this server cannot serve", r.Name)
		}
		tpl := r.Path
		if tpl == nil {
			tpl, _ = routes.Compile("/")
		}
		rs = append(rs, routes.Route{Name: r.Name, Template: tpl, Methods: r.Methods, Handler: h})
	}
	return routes.NewRouter(rs)
}

// Routed wraps h so it answers only at r's path and methods (the variables
// reach it); a function without a path answers on every path.
func Routed(r functions.Registered, h http.Handler) http.Handler {
	if r.Path == nil && len(r.Methods) == 0 {
		return h
	}
	tpl := r.Path
	if tpl == nil {
		tpl, _ = routes.Compile("/")
	}
	return routes.Single(r.Name, tpl, r.Methods, h)
}

// describe says what a router serves, for the start-up log.
func describe(fns []functions.Registered) string {
	parts := make([]string, 0, len(fns))
	for _, r := range fns {
		p := "/"
		if r.Path != nil {
			p = r.Path.String()
		}
		m := ""
		if len(r.Methods) > 0 {
			m = " (" + strings.Join(r.Methods, ",") + ")"
		}
		parts = append(parts, fmt.Sprintf("%s %s at %s%s", r.Signature(), r.Name, p, m))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d functions: %s", len(fns), strings.Join(parts, "; "))
}
