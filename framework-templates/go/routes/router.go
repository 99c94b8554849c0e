package routes

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Route is one function at its path template.
type Route struct {
	// Name is the function's name, for logs and errors.
	Name     string
	Template *Template
	// Methods limits the route to these methods (upper case); empty means all.
	Methods []string
	Handler http.Handler
}

// Router serves each route at its template. Literal templates are tried
// first, then templates with variables (more literal text first, then by
// template), then "/", which matches every path.
type Router struct {
	routes []Route
}

// NewRouter orders routes and refuses two at the same template.
func NewRouter(routes []Route) (*Router, error) {
	seen := map[string]string{}
	for _, r := range routes {
		if prev, dup := seen[r.Template.raw]; dup {
			return nil, fmt.Errorf("functions %s and %s are both registered at path %q; give each its own path", prev, r.Name, r.Template.raw)
		}
		seen[r.Template.raw] = r.Name
	}
	rs := append([]Route(nil), routes...)
	rank := func(t *Template) int {
		switch {
		case t.catchAll:
			return 2
		case len(t.names) == 0:
			return 0
		}
		return 1
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i].Template, rs[j].Template
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		if a.literal != b.literal {
			return a.literal > b.literal
		}
		return a.raw < b.raw
	})
	return &Router{routes: rs}, nil
}

// Routes lists the routes in the order they are tried.
func (rt *Router) Routes() []Route { return rt.routes }

// ServeHTTP calls the first route whose template matches the path and which
// allows the method; 405 (with Allow) when templates other than "/" match
// but none allows it, 404 when none matches.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for i := range rt.routes {
		route := &rt.routes[i]
		if route.Template.catchAll && allow != nil {
			break // a template matched, only not for this method
		}
		vars, ok := route.Template.Match(r.URL.Path)
		if !ok {
			continue
		}
		if !allows(route.Methods, r.Method) {
			allow = append(allow, route.Methods...)
			continue
		}
		if vars != nil {
			r = withVars(r, vars)
		}
		route.Handler.ServeHTTP(w, r)
		return
	}
	if allow != nil {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		http.Error(w, fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path), http.StatusMethodNotAllowed)
		return
	}
	http.NotFound(w, r)
}

func allows(methods []string, m string) bool {
	if len(methods) == 0 {
		return true
	}
	for _, x := range methods {
		if x == m || (x == http.MethodGet && m == http.MethodHead) {
			return true
		}
	}
	return false
}

// Single serves one handler at its template: the variables reach it, other
// paths get 404 and other methods 405.
func Single(name string, t *Template, methods []string, h http.Handler) http.Handler {
	if t.catchAll && len(methods) == 0 {
		return h
	}
	r, _ := NewRouter([]Route{{Name: name, Template: t, Methods: methods, Handler: h}})
	return r
}
