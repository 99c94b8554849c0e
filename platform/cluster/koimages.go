package cluster

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/yaml"
)

// An addon whose YAML Kiln writes (CoreDNS, Traefik) gives ko only its
// images: a document listing the manifest's ko:// references, which ko
// resolves and the cache keeps. The manifest gets the images when it is
// applied, so a change of flags or RBAC needs no ko run (Traefik takes
// 20 minutes to build on this machine).

// koImagesKey is the key of that document.
const koImagesKey = "kilnKoImages"

var koRef = regexp.MustCompile(`ko://[A-Za-z0-9._~/-]+`)

// koRefs are the distinct ko:// references in manifest, sorted.
func koRefs(manifest string) []string {
	refs := koRef.FindAllString(manifest, -1)
	slices.Sort(refs)
	return slices.Compact(refs)
}

// imagesDoc is the document ko resolves for refs.
func imagesDoc(refs []string) string {
	var b strings.Builder
	b.WriteString(koImagesKey + ":\n")
	for _, r := range refs {
		b.WriteString("- " + r + "\n")
	}
	return b.String()
}

// withManifest replaces the images document in ko's output by manifest
// with each ko:// reference replaced by its image (the document lists
// them in koRefs' order). Without a manifest the output is unchanged.
func withManifest(resolved []byte, manifest string) ([]byte, error) {
	if manifest == "" {
		return resolved, nil
	}
	refs := koRefs(manifest)
	var kept []string
	var images []string
	found := false
	for _, doc := range yamlDocSep.Split(string(resolved), -1) {
		var m map[string][]string
		if strings.Contains(doc, koImagesKey+":") && yaml.Unmarshal([]byte(doc), &m) == nil {
			if imgs, ok := m[koImagesKey]; ok {
				images, found = imgs, true
				continue
			}
		}
		if strings.TrimSpace(doc) != "" {
			kept = append(kept, strings.Trim(doc, "\n"))
		}
	}
	if !found || len(images) != len(refs) {
		return nil, fmt.Errorf("cluster: ko's output lists %d images for the manifest's %d ko:// references %v: delete the cached resolution and run again", len(images), len(refs), refs)
	}
	image := map[string]string{}
	for i, r := range refs {
		if strings.HasPrefix(images[i], "ko://") {
			return nil, fmt.Errorf("cluster: ko left %s unresolved", r)
		}
		image[r] = images[i]
	}
	out := koRef.ReplaceAllStringFunc(manifest, func(r string) string { return image[r] })
	kept = append(kept, strings.Trim(out, "\n"))
	return []byte(strings.Join(kept, "\n---\n") + "\n"), nil
}

// koBaseDigestAnnotation is where ko records the digest of an image's base.
const koBaseDigestAnnotation = "org.opencontainers.image.base.digest"

// pushedImages finds, for each of refs, the image an earlier ko run pushed
// for this addon's module version (ko's --tags) on the same base (the
// annotation ko writes), and returns ko's images document for them; false
// when one is missing or on another base. Caches keyed before ko was given
// only the images (or after a manifest-only change) are then not rebuilt.
func pushedImages(reg string, a addon, bases koBases, refs []string) ([]byte, bool) {
	var images []string
	for _, r := range refs {
		repo := reg + "/kiln/cluster/" + a.name + "/" + path.Base(strings.TrimPrefix(r, "ko://"))
		tag, err := name.ParseReference(repo+":"+a.version, name.Insecure)
		if err != nil {
			return nil, false
		}
		d, err := remote.Get(tag)
		if err != nil {
			return nil, false
		}
		var m struct {
			Annotations map[string]string `json:"annotations"`
		}
		if json.Unmarshal(d.Manifest, &m) != nil || m.Annotations[koBaseDigestAnnotation] != bases.digestFor(strings.TrimPrefix(r, "ko://")) {
			return nil, false
		}
		images = append(images, repo+":"+a.version+"@"+d.Digest.String())
	}
	var b strings.Builder
	b.WriteString(koImagesKey + ":\n")
	for _, i := range images {
		b.WriteString("- " + i + "\n")
	}
	return []byte(b.String()), true
}
