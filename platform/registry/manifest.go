package registry

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// references is what a manifest points at: blobs (config, layers) and, for
// an index, child manifests.
type references struct {
	Config    *v1.Descriptor  `json:"config"`
	Layers    []v1.Descriptor `json:"layers"`
	Blobs     []v1.Descriptor `json:"blobs"` // OCI artifact manifests
	Manifests []v1.Descriptor `json:"manifests"`
}

func referencesOf(body []byte) (references, error) {
	var r references
	err := json.Unmarshal(body, &r)
	return r, err
}

// blobDescs are the stored blobs refs points at (foreign layers, kept
// elsewhere, are left out).
func (r references) blobDescs() []v1.Descriptor {
	var out []v1.Descriptor
	for _, d := range append(append(r.Layers, r.Blobs...), r.configDesc()...) {
		if len(d.URLs) == 0 && d.MediaType.IsDistributable() {
			out = append(out, d)
		}
	}
	return out
}

func (r references) configDesc() []v1.Descriptor {
	if r.Config == nil {
		return nil
	}
	return []v1.Descriptor{*r.Config}
}

// checkBlobs refuses a manifest whose blobs are not stored: a push must
// upload them first, and a blob gc removed meanwhile fails the push
// instead of leaving an image that cannot be pulled.
func (j *journal) checkBlobs(rec record) *regError {
	refs, err := referencesOf(rec.Body)
	if err != nil {
		return &regError{http.StatusBadRequest, "MANIFEST_INVALID", "manifest is not valid JSON: " + err.Error()}
	}
	for _, d := range refs.blobDescs() {
		if d.Digest.Algorithm != "sha256" {
			return &regError{http.StatusBadRequest, "DIGEST_INVALID", "blob " + quote(d.Digest.String()) + ": only sha256 is stored"}
		}
		if _, err := os.Stat(filepath.Join(j.blobs, "sha256", d.Digest.Hex)); err != nil {
			return &regError{http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", "blob " + d.Digest.String() + " is not in the registry: push it before the manifest"}
		}
	}
	return nil
}
