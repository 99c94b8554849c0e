package routes

import (
	"context"
	"net/http"
)

type varsKey struct{}

// WithVars returns ctx carrying a request's path variables.
func WithVars(ctx context.Context, vars map[string]string) context.Context {
	return context.WithValue(ctx, varsKey{}, vars)
}

// Vars returns the path variables matched for the request whose context is
// ctx, or nil when its route has none.
func Vars(ctx context.Context) map[string]string {
	v, _ := ctx.Value(varsKey{}).(map[string]string)
	return v
}

// withVars hands vars to the handler: in the context, and as path values.
func withVars(r *http.Request, vars map[string]string) *http.Request {
	r = r.WithContext(WithVars(r.Context(), vars))
	setPathValues(r, vars)
	return r
}
