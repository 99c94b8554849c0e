// Command registry serves distribution's registry (the CNCF Distribution
// project, v3.1.2) for Kiln's publish tests: the registry's own application
// (storage, htpasswd auth) from the config file given as the only argument,
// on the listener inherited as file descriptor 3, with TLS when the config's
// http.tls names a certificate. Taking the listener from the test, instead
// of an address to bind, means no port is ever picked, released and bound
// again. Stop it with SIGTERM.
package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	"github.com/sirupsen/logrus"

	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "registry:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: registry CONFIG.yml (listener on fd 3)")
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		return err
	}
	cfg, err := configuration.Parse(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", os.Args[1], err)
	}
	if lvl, err := logrus.ParseLevel(string(cfg.Log.Level)); err == nil {
		logrus.SetLevel(lvl)
	}
	ln, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		return fmt.Errorf("fd 3 is not a listener: %w", err)
	}
	if cfg.HTTP.TLS.Certificate != "" {
		cert, err := tls.LoadX509KeyPair(cfg.HTTP.TLS.Certificate, cfg.HTTP.TLS.Key)
		if err != nil {
			return err
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	app := handlers.NewApp(ctx, cfg)
	srv := &http.Server{Handler: app, ReadHeaderTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
