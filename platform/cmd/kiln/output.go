package main

import (
	"encoding/json"
	"io"
	"sort"

	"kiln.dev/kiln/platform/lifecycle"
)

// buildReport is kiln build --output json: one object on stdout.
type buildReport struct {
	Image      string         `json:"image"`
	Digest     string         `json:"digest"`
	Reference  string         `json:"reference"`
	Size       int64          `json:"size"`
	Layout     string         `json:"layout,omitempty"`
	Buildpacks []string       `json:"buildpacks"`
	Durations  map[string]int `json:"durationsMs"`
	CacheHits  []string       `json:"cacheHits"`
	BuilderHit bool           `json:"builderCached"`
}

// newBuildReport is res as kiln build --output json prints it: durations in
// milliseconds per lifecycle phase, plus flatten, publish and total.
func newBuildReport(res *lifecycle.Result) buildReport {
	r := buildReport{
		Image: res.Image, Digest: res.Digest, Reference: imageReference(res), Size: res.Size, Layout: res.Layout,
		Buildpacks: append([]string{}, res.Buildpacks...), CacheHits: append([]string{}, res.CacheHits...),
		BuilderHit: res.BuilderHit, Durations: map[string]int{},
	}
	sort.Strings(r.CacheHits)
	for _, p := range res.Phases {
		r.Durations[p.Name] += int(p.Duration.Milliseconds())
	}
	r.Durations["flatten"] = int(res.Flatten.Milliseconds())
	r.Durations["publish"] = int(res.Publish.Milliseconds())
	r.Durations["total"] = int(res.Total.Milliseconds())
	return r
}

func writeBuildJSON(w io.Writer, res *lifecycle.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(newBuildReport(res))
}

// imageReference is the built image pinned to its digest (what a pipe
// wants: kiln run $(kiln build) runs exactly this build).
func imageReference(res *lifecycle.Result) string {
	if res.Digest == "" {
		return res.Image
	}
	return res.Image + "@" + res.Digest
}
