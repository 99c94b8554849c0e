package funcframework

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"syscall"

	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/internal/server"
)

// DefaultPort is used when $PORT is unset.
const DefaultPort = "8080"

// ShutdownGrace bounds how long in-flight requests may take after SIGTERM.
var ShutdownGrace = server.ShutdownGrace

// Port returns $PORT or DefaultPort, rejecting values that are not a port.
func Port() (string, error) {
	p := os.Getenv("PORT")
	if p == "" {
		return DefaultPort, nil
	}
	if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("env PORT=%q is not a TCP port number (0-65535); unset it to use %s", p, DefaultPort)
	}
	return p, nil
}

// Target returns the function name to serve: $FUNCTION_TARGET, with the
// build-time $FUNC_NAME as a fallback.
func Target() string {
	if t := os.Getenv("FUNCTION_TARGET"); t != "" {
		return t
	}
	return os.Getenv("FUNC_NAME")
}

// lookup is the registry of declaratively registered functions; tests pass
// their own (internal/registry) instead of the process-wide one.
type lookup interface {
	Get(name string) (functions.Registered, bool)
	Names() []string
}

// registered is package functions' process-wide registry.
type registered struct{}

func (registered) Get(name string) (functions.Registered, bool) { return functions.Lookup(name) }
func (registered) Names() []string                              { return functions.Names() }

// HandlerForTarget resolves a declaratively registered function.
func HandlerForTarget(target string) (http.Handler, error) {
	return handlerForTarget(registered{}, target)
}

func handlerForTarget(reg lookup, target string) (http.Handler, error) {
	if target == "" {
		return nil, fmt.Errorf("no function target: set FUNCTION_TARGET to one of: %s", strings.Join(reg.Names(), ", "))
	}
	r, ok := reg.Get(target)
	if !ok {
		names := reg.Names()
		if len(names) == 0 {
			return nil, fmt.Errorf("FUNCTION_TARGET=%q: no functions are registered (call functions.HTTP or functions.CloudEvent in an init func)", target)
		}
		return nil, fmt.Errorf("FUNCTION_TARGET=%q is not registered; registered functions: %s", target, strings.Join(names, ", "))
	}
	switch {
	case r.HTTP != nil:
		return Routed(r, HTTPHandler(r.HTTP)), nil
	case r.Open != nil:
		return nil, fmt.Errorf("FUNCTION_TARGET=%q has the OpenFunction signature: serve it with MainOpenFunction", target)
	}
	return Routed(r, CloudEventHandler(r.CloudEvent)), nil
}

// serveOpenFunction is set by openfunction.go, which needs Go 1.24's HTTP/2
// without TLS for Dapr's gRPC protocol; r is served at r.Path when it has one.
var serveOpenFunction = func(r functions.Registered) error {
	return fmt.Errorf("function %q has the OpenFunction signature, which needs Go 1.24 or newer (set BP_GO_VERSION)", r.Name)
}

// MainOpenFunction serves an OpenFunction-signature function: from Dapr
// inputs when FUNC_CONTEXT says runtime Async, else over HTTP.
func MainOpenFunction(name string, fn functions.OpenFunctionFunc) {
	exitOn(serveOpenFunction(functions.Registered{Name: name, Open: fn}))
}

// Serve listens on $PORT and serves h until SIGTERM or SIGINT, then drains.
func Serve(h http.Handler) error {
	port, err := Port()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return fmt.Errorf("listening on port %s (env PORT): %w", port, err)
	}
	return serveUntilSignal(ln, h)
}

// serveRoutedCtx listens on $PORT and serves h, the router of fns, until ctx
// ends or SIGTERM/SIGINT.
func serveRoutedCtx(ctx context.Context, h http.Handler, fns []functions.Registered) error {
	port, err := Port()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return fmt.Errorf("listening on port %s (env PORT): %w", port, err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	l, err := server.FromEnv()
	if err != nil {
		ln.Close()
		return err
	}
	l.ShutdownGrace = ShutdownGrace
	return serveListenerAs(ctx, ln, h, l, describe(fns))
}

// serveUntilSignal serves h on ln until SIGTERM or SIGINT, then drains.
func serveUntilSignal(ln net.Listener, h http.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return ServeListener(ctx, ln, h)
}

// ServeListener serves h on ln until ctx is done, then shuts down gracefully:
// in-flight requests get ShutdownGrace to finish. Requests are bounded by
// KILN_MAX_BODY_BYTES, KILN_READ_HEADER_TIMEOUT and the header size and idle
// timeout of package internal/server; a bad value of either variable is an
// error before serving.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	l, err := server.FromEnv()
	if err != nil {
		ln.Close()
		return err
	}
	l.ShutdownGrace = ShutdownGrace
	return serveListener(ctx, ln, h, l)
}

func serveListener(ctx context.Context, ln net.Listener, h http.Handler, l server.Limits) error {
	return serveListenerAs(ctx, ln, h, l, fmt.Sprintf("function %q", Target()))
}

// serveListenerAs is serveListener logging what it serves.
func serveListenerAs(ctx context.Context, ln net.Listener, h http.Handler, l server.Limits, what string) error {
	log.Printf("kiln functions framework %s: serving %s on %s", Version, what, ln.Addr())
	if err := server.Run(ctx, server.New(root(h), l), ln, l.ShutdownGrace); err != nil {
		return err
	}
	log.Printf("kiln functions framework: stopped")
	return nil
}

// root is what the server runs: h at "/" of a ServeMux, whose answers to
// requests it would not pass on as they are (301 to the clean path for
// "//a" or "/a/../b", CONNECT, "*") it keeps; the rest, nearly every request,
// goes to h directly, with the r.Pattern the mux would set.
func root(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", h)
	return &rootHandler{h: h, mux: mux, pattern: rootPattern()}
}

type rootHandler struct {
	h       http.Handler
	mux     *http.ServeMux
	pattern string // what the mux would set r.Pattern to
}

func (rt *rootHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect || !isCleanPath(r.URL.Path) {
		rt.mux.ServeHTTP(w, r)
		return
	}
	if rt.pattern != "" {
		setPattern(r, rt.pattern)
	}
	rt.h.ServeHTTP(w, r)
}

// isCleanPath says whether ServeMux would serve p as it is (its cleanPath
// gives p back): p is rooted and path.Clean leaves it alone, but for one
// trailing slash.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		return len(p) == len(np)+1 && strings.HasPrefix(p, np)
	}
	return np == p
}

// Main is what generated main packages call: it serves h (or, when h is nil,
// the registered FUNCTION_TARGET) and exits non-zero on error.
func Main(h http.Handler) {
	if h == nil {
		exitOn(ServeRegistered())
		return
	}
	exitOn(Serve(h))
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiln functions framework:", err)
		os.Exit(1)
	}
}
