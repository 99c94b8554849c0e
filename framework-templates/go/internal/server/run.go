package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Run serves srv on ln until ctx is done, then drains: no new connections,
// in-flight requests may finish within grace; what is still running then is
// cut off. It returns the serve error, or nil after a drain.
func Run(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close() // the grace is over: close what is still busy
	}
	<-errc // Serve has returned http.ErrServerClosed
	return err
}
