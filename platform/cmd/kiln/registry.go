package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"kiln.dev/kiln/platform/home"
)

func runRegistry(args []string) error {
	fs := newFlagSet("registry", "registry serve|address [--registry-addr HOST:PORT]")
	regAddr := fs.String("registry-addr", "", "listen address (default: remembered, else a free loopback port; env KILN_REGISTRY_ADDR)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "serve" && pos[0] != "address") {
		return usageError{"kiln registry serve | kiln registry address"}
	}
	h := home.Default()
	reg, err := openRegistry(h, *regAddr)
	if err != nil {
		return err
	}
	defer reg.Close()
	if pos[0] == "address" {
		fmt.Println(reg.Addr)
		return nil
	}
	if !reg.Serving() {
		return fmt.Errorf("another kiln process already serves %s at %s", h.Registry(), reg.Addr)
	}
	fmt.Printf("==> Serving the kiln registry (%s) on http://%s — Ctrl-C stops it\n", h.Registry(), reg.Addr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
