package registry

import (
	"os"
	"path/filepath"
	"sort"
)

// Usage is how much disk the registry in a dir takes, read from its
// storage without a server.
type Usage struct {
	Repos []RepoUsage
	// Blobs and Bytes count every stored blob once.
	Blobs int
	Bytes int64
	// ManifestBytes is the journal's manifests.
	ManifestBytes int64
	// Unreferenced blobs no manifest refers to: kiln registry gc removes
	// them (and what only untagged manifests use).
	Unreferenced      int
	UnreferencedBytes int64
}

// RepoUsage is one repository: its tags, manifests and the size of the
// distinct blobs they use (blobs shared with other repositories count in
// each, so the sum over repositories can exceed the total).
type RepoUsage struct {
	Name      string
	Tags      int
	Manifests int
	Bytes     int64
}

// DiskUsage reports on the registry stored in dir.
func DiskUsage(dir string) (Usage, error) {
	j := &journal{dir: filepath.Join(dir, "manifests")}
	recs, err := j.readAll("")
	if err != nil {
		return Usage{}, err
	}
	var u Usage
	sizes := map[string]int64{}
	entries, err := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if err != nil && !os.IsNotExist(err) {
		return Usage{}, err
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			sizes[e.Name()] = fi.Size()
			u.Blobs++
			u.Bytes += fi.Size()
		}
	}
	repos := map[string]*RepoUsage{}
	used := map[string]map[string]bool{} // repo -> blob hex
	referenced := map[string]bool{}
	for _, rec := range recs {
		r := repos[rec.Repo]
		if r == nil {
			r = &RepoUsage{Name: rec.Repo}
			repos[rec.Repo] = r
			used[rec.Repo] = map[string]bool{}
		}
		if isDigest(rec.Ref) {
			r.Manifests++
			r.Bytes += int64(len(rec.Body))
			u.ManifestBytes += int64(len(rec.Body))
		} else {
			r.Tags++
		}
		refs, _ := referencesOf(rec.Body)
		for _, d := range refs.blobDescs() {
			if h := d.Digest.Hex; !used[rec.Repo][h] {
				used[rec.Repo][h] = true
				r.Bytes += sizes[h]
			}
			referenced[d.Digest.Hex] = true
		}
	}
	for h, size := range sizes {
		if !referenced[h] {
			u.Unreferenced++
			u.UnreferencedBytes += size
		}
	}
	for _, r := range repos {
		u.Repos = append(u.Repos, *r)
	}
	sort.Slice(u.Repos, func(a, b int) bool { return u.Repos[a].Name < u.Repos[b].Name })
	return u, nil
}
