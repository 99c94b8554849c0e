package main

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/publish"
)

// imageFlags are the flags of commands that read an image from a registry
// (kiln sbom, kiln inspect).
type imageFlags struct {
	platform, regAddr string
	insecure          listFlag
}

func (f *imageFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.platform, "platform", "", "for a multi-arch image: which one (default linux/amd64)")
	fs.StringVar(&f.regAddr, "registry-addr", "", "embedded registry address (default: remembered; env KILN_REGISTRY_ADDR)")
	fs.Var(&f.insecure, "insecure-registry", "registry (host:port) to reach over plain HTTP (repeatable)")
}

// fetch names image (short names in the embedded registry, served until
// done is called) and reads it.
func (f *imageFlags) fetch(image string) (ref string, img v1.Image, done func(), err error) {
	var plat *v1.Platform
	if f.platform != "" {
		if plat, err = v1.ParsePlatform(f.platform); err != nil {
			return "", nil, nil, usageError{fmt.Sprintf("--platform %q: %v", f.platform, err)}
		}
	}
	ref, done, err = qualify(home.Default(), image, f.regAddr)
	if err != nil {
		return "", nil, nil, err
	}
	img, err = publish.Target{Insecure: f.insecure}.Image(context.Background(), ref, plat)
	if err != nil {
		done()
		return "", nil, nil, err
	}
	return ref, img, done, nil
}
