package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Resolve reads an image's digest and config straight from the registry's
// storage in dir, without serving it: how `kiln run` starts an image it has
// already flattened in a few milliseconds. It handles image manifests only
// (not indexes) and reports an error for anything it cannot read.
func Resolve(dir, repo, ref string) (v1.Hash, *v1.ConfigFile, error) {
	if !validRepo(repo) || (!validTag(ref) && !isDigest(ref)) {
		return v1.Hash{}, nil, fmt.Errorf("image %s:%s: not a valid repository and tag", repo, ref)
	}
	j := &journal{dir: filepath.Join(dir, "manifests")}
	rec, err := readRecord(j.file(repo, ref))
	if err != nil {
		return v1.Hash{}, nil, err
	}
	digest, err := v1.NewHash(digestOf(rec.Body))
	if err != nil {
		return v1.Hash{}, nil, err
	}
	var m v1.Manifest
	if err := json.Unmarshal(rec.Body, &m); err != nil || m.Config.Digest.Hex == "" {
		return v1.Hash{}, nil, fmt.Errorf("%s:%s is not an image manifest", repo, ref)
	}
	cfgBytes, err := os.ReadFile(filepath.Join(dir, "blobs", m.Config.Digest.Algorithm, m.Config.Digest.Hex))
	if err != nil {
		return v1.Hash{}, nil, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(cfgBytes))
	if err != nil {
		return v1.Hash{}, nil, err
	}
	return digest, cfg, nil
}

// TaggedDigests is every manifest digest ("sha256:…") a tag in the registry
// stored in dir reaches, directly or through an index: the images kiln run
// and kiln build can still name. It reads the storage; no server is needed.
func TaggedDigests(dir string) (map[string]bool, error) {
	j := &journal{dir: filepath.Join(dir, "manifests")}
	recs, err := j.readAll("")
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for key := range reachable(recs) {
		if _, d, ok := strings.Cut(key, "@"); ok {
			out[d] = true
		}
	}
	return out, nil
}
