// Command node-registry is the registry of platform/cluster's node that
// pods reach: go-containerregistry's registry (blobs on disk, manifests in
// memory) listening only on the node address, so build pods can push what
// they build and the kubelet can pull it back, while kiln's own registry
// stays on loopback. Built by `platform/tools/build.sh cluster`; started
// and stopped by platform/cluster with the addons.
//
// Usage: node-registry -listen 172.31.254.1:PORT -blobs DIR
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	listen := flag.String("listen", "", "address to listen on (the node address and a port)")
	blobs := flag.String("blobs", "", "directory for the blobs")
	flag.Parse()
	if *listen == "" || *blobs == "" {
		fmt.Fprintln(os.Stderr, "node-registry: -listen and -blobs are required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*blobs, 0o755); err != nil {
		log.Fatalf("node-registry: creating %s: %v", *blobs, err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("node-registry: listening on %s: %v", *listen, err)
	}
	log.Printf("node-registry: serving on %s, blobs in %s", ln.Addr(), *blobs)
	srv := &http.Server{
		Handler:           registry.New(registry.WithBlobHandler(registry.NewDiskBlobHandler(*blobs))),
		ReadHeaderTimeout: 30 * time.Second,
	}
	log.Fatal(srv.Serve(ln))
}
