package stackpublish

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/stacks"
)

// Published is one pushed stack image.
type Published struct {
	Image, Ref, Digest string
	Size               int64
}

// Ref is where image of stack dir goes in registry.
func Ref(registry, stackDir, image string) string {
	return fmt.Sprintf("%s/kiln/stack/%s:%s", registry, image, filepath.Base(stackDir))
}

// Publish builds and pushes every image of the stack in stackDir.
// keys gives the push credentials (registry.Keychain for the embedded one).
func Publish(stackDir, registry, debCache string, keys authn.Keychain, out io.Writer) ([]Published, error) {
	s, err := stacks.Load(stackDir)
	if err != nil {
		return nil, err
	}
	var done []Published
	for _, n := range s.ImageNames() {
		start := time.Now()
		img, err := s.Image(n, debCache, out)
		if err != nil {
			return nil, err
		}
		refStr := Ref(registry, stackDir, n)
		ref, err := name.ParseReference(refStr)
		if err != nil {
			return nil, err
		}
		if err := remote.Write(ref, img, remote.WithAuthFromKeychain(keys)); err != nil {
			return nil, fmt.Errorf("pushing %s: %w", refStr, err)
		}
		d, _ := img.Digest()
		m, _ := img.Manifest()
		size := m.Config.Size
		for _, l := range m.Layers {
			size += l.Size
		}
		fmt.Fprintf(out, "  %s@%s  %.1f MB  (%s)\n", refStr, d, float64(size)/1e6, time.Since(start).Round(time.Millisecond))
		done = append(done, Published{Image: n, Ref: refStr, Digest: d.String(), Size: size})
	}
	return done, nil
}
