package sbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"kiln.dev/kiln/platform/fsutil"
	"path"
	"strings"
)

// maxManifest bounds a lockfile or METADATA file read.
const maxManifest = 64 << 20

func readBounded(p string) ([]byte, error) {
	b, err := fsutil.ReadFileAtMost(p, maxManifest)
	if errors.Is(err, fsutil.ErrTooLarge) {
		return nil, fmt.Errorf("sbom: %s is larger than %d MB: refused", p, maxManifest>>20)
	}
	return b, err
}

// NPMLock lists every installed package of an npm lockfile (lockfileVersion
// 2 or 3: package-lock.json or node_modules/.package-lock.json, the hidden
// lockfile npm writes of what it installed): name, version, purl and the
// integrity hash. Links and the root project are left out.
func NPMLock(lockfile string) ([]Component, error) {
	b, err := readBounded(lockfile)
	if err != nil {
		return nil, fmt.Errorf("sbom: reading %s: %w", lockfile, err)
	}
	var lock struct {
		LockfileVersion int `json:"lockfileVersion"`
		Packages        map[string]struct {
			Name      string `json:"name"`
			Version   string `json:"version"`
			Integrity string `json:"integrity"`
			Link      bool   `json:"link"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return nil, fmt.Errorf("sbom: %s is not an npm lockfile: %w", lockfile, err)
	}
	if lock.LockfileVersion < 2 {
		return nil, fmt.Errorf("sbom: %s: lockfileVersion %d has no \"packages\" map (npm 7 or newer writes version 2 or 3)", lockfile, lock.LockfileVersion)
	}
	var comps []Component
	for key, p := range lock.Packages {
		i := strings.LastIndex(key, "node_modules/")
		if i < 0 || p.Link || p.Version == "" {
			continue // the root project, a workspace or a link
		}
		name := p.Name
		if name == "" {
			name = key[i+len("node_modules/"):]
		}
		if name == "" || path.Clean(name) != name || strings.HasPrefix(name, ".") {
			return nil, fmt.Errorf("sbom: %s: package %q has no usable name", lockfile, key)
		}
		comps = append(comps, Component{Name: name, Version: p.Version, PURL: NPMPURL(name, p.Version), Hashes: IntegrityHashes(p.Integrity)})
	}
	return comps, nil
}
