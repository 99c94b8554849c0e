package render

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// PinDigest is image pinned at digest: image's repository, spelled as the
// user spelled it (a registry port stays, its tag or digest goes; a Docker
// Hub short name stays short, as containerd's registry mirrors expect), then
// @digest. Both are parsed the way registries parse them: an image or digest
// that is not a valid reference is an error naming it.
func PinDigest(image, digest string) (string, error) {
	if _, err := name.ParseReference(image); err != nil {
		return "", fmt.Errorf("spec.image %q is not an image reference: %w", image, err)
	}
	repo := image
	if i := strings.LastIndexByte(repo, '@'); i >= 0 {
		repo = repo[:i]
	}
	// A tag is what follows the last ':' after the last '/'; a ':' before
	// the first '/' is a registry port (localhost:5000/fn/hello).
	if t, err := name.NewTag(repo); err == nil && strings.HasSuffix(repo, ":"+t.TagStr()) {
		repo = strings.TrimSuffix(repo, ":"+t.TagStr())
	}
	pinned := repo + "@" + digest
	if _, err := name.NewDigest(pinned); err != nil {
		return "", fmt.Errorf("digest %q of %s: %w", digest, image, err)
	}
	return pinned, nil
}
