package reconciler

import "kiln.dev/kiln/controller/render"

// PinDigest is image (tag dropped) at digest.
//
// Deprecated: use render.PinDigest, which reports an image or digest that
// does not parse; this stays until `kiln render` calls it.
func PinDigest(image, digest string) string {
	if pinned, err := render.PinDigest(image, digest); err == nil {
		return pinned
	}
	return image + "@" + digest
}
