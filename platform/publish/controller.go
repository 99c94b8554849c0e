package publish

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"kiln.dev/kiln/stacks"
)

// ControllerBinary is where the controller binary lives in its image.
const ControllerBinary = "/usr/local/bin/kiln-controller"

// controllerRepo is where the controller image goes.
func controllerRepo(registry string) string { return registry + "/kiln/kiln-controller" }

// publishController cross-compiles controller/cmd/manager for every
// architecture and puts it on that architecture's run-static image (from
// the scratch registry) as one reproducible layer, ko-style: no build
// container, so arm64 needs no emulation.
func (p *publisher) publishController(ctx context.Context) error {
	start := time.Now()
	var imgs []archImage
	for _, arch := range p.opts.Arches {
		bin := filepath.Join(p.work, "controller-"+arch, "kiln-controller")
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", bin, "./controller/cmd/manager")
		cmd.Dir = p.opts.Source
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./controller/cmd/manager for linux/%s: %v\n%s", arch, err, out)
		}
		base, err := p.scratch.image(p.stackImageScratch("run-static", arch))
		if err != nil {
			return fmt.Errorf("controller base image: %w", err)
		}
		img, err := controllerImage(base, bin, p.opts.Version)
		if err != nil {
			return err
		}
		imgs = append(imgs, archImage{arch, img})
	}
	idx, err := makeIndex(imgs)
	if err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	a, err := pushIndex(ctx, p.opts.Target, "controller", "kiln-controller", controllerRepo(p.opts.Registry), p.tags(), idx)
	if err != nil {
		return err
	}
	p.done(a, start)
	return nil
}

// stackImageScratch is the scratch copy of stack image n for arch.
func (p *publisher) stackImageScratch(n, arch string) string {
	return p.scratch.ref("kiln/stack/"+n, p.opts.Version+"-"+arch)
}

// controllerImage appends the binary as one layer and makes it the entrypoint.
func controllerImage(base v1.Image, bin, version string) (v1.Image, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	return stacks.BinaryImage(base, ControllerBinary, b, "kiln publish: controller/cmd/manager", map[string]string{
		"org.opencontainers.image.version":     version,
		"org.opencontainers.image.title":       "kiln-controller",
		"org.opencontainers.image.description": "Kiln's Kubernetes controller (Function → Shipwright → Knative/KEDA/Dapr)",
	})
}
