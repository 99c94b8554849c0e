package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// builderLanguages are the controller's spec.build.language values in
// flag order, and builderRepos the builder each one uses in kiln's registry.
var (
	builderLanguages = []string{"go", "nodejs", "python", "java"}
	builderRepos     = map[string]string{"go": "kiln/builder-go:latest", "nodejs": "kiln/builder-node:latest",
		"python": "kiln/builder-python:latest", "java": "kiln/builder-java:latest"}
)

// builderMetadataLabel is pack's builder label; its "images" name the run
// images (the lifecycle reads the same from /cnb/run.toml).
const builderMetadataLabel = "io.buildpacks.builder.metadata"

// relocateBuilders copies every builder kiln's registry has into the node
// registry, relocated so a build pod needs nothing else: its run images
// (copied too) named in the node registry, the host's CA bundle, and
// CNB_INSECURE_REGISTRIES naming the node registry (plain HTTP). It
// returns language → builder reference by digest.
func relocateBuilders(o Options, s *state) (map[string]string, error) {
	out := map[string]string{}
	for _, lang := range builderLanguages {
		repo := builderRepos[lang]
		src, err := name.ParseReference(s.Registry+"/"+repo, name.Insecure)
		if err != nil {
			return nil, err
		}
		img, err := remote.Image(src)
		var te *transport.Error
		if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cluster: kiln addon: reading %s: %w", src, err)
		}
		runs, img, err := relocateBuilder(img, s.nodeRegistry())
		if err != nil {
			return nil, fmt.Errorf("cluster: kiln addon: %s: %w", src, err)
		}
		for _, r := range runs {
			ok, err := copyImage(s.Registry+"/"+r, s.nodeRegistry()+"/"+r, false)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("cluster: kiln addon: %s names run image %s, which kiln's registry (%s) does not have: run `kiln stack build`", repo, r, s.Registry)
			}
		}
		if img, err = withFile(img, hostCABundle); err != nil {
			return nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		dst, err := name.ParseReference(s.nodeRegistry()+"/"+repo, name.Insecure)
		if err != nil {
			return nil, err
		}
		if h, err := remote.Head(dst); err != nil || h.Digest != d {
			if err := remote.Write(dst, img); err != nil {
				return nil, fmt.Errorf("cluster: kiln addon: pushing %s to the node registry: %w", repo, err)
			}
		}
		out[lang] = dst.Context().String() + "@" + d.String()
		fmt.Fprintf(o.Out, "    builder %s for %s: %s\n", repo, lang, out[lang])
	}
	return out, nil
}

// relocateBuilder returns img with its run images renamed into reg (in
// its metadata label, in a new /cnb/run.toml, which the lifecycle reads,
// and with CNB_INSECURE_REGISTRIES=reg), and the renamed run images as
// repository:tag (what to copy into reg).
func relocateBuilder(img v1.Image, reg string) ([]string, v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, err
	}
	cf = cf.DeepCopy()
	var md map[string]any
	if err := json.Unmarshal([]byte(cf.Config.Labels[builderMetadataLabel]), &md); err != nil {
		return nil, nil, fmt.Errorf("label %s is not JSON (is it a builder?): %w", builderMetadataLabel, err)
	}
	images, _ := md["images"].([]any)
	var repos []string
	var toml strings.Builder
	for _, im := range images {
		m, ok := im.(map[string]any)
		ref, _ := m["image"].(string)
		if !ok || ref == "" {
			continue
		}
		r, err := name.ParseReference(ref, name.WeakValidation)
		if err != nil {
			return nil, nil, fmt.Errorf("run image %q: %w", ref, err)
		}
		repo := r.Context().RepositoryStr() + tagOrDigest(r)
		repos = append(repos, repo)
		m["image"] = reg + "/" + repo
		m["mirrors"] = []any{}
		fmt.Fprintf(&toml, "[[images]]\n  image = %q\n  mirrors = []\n", reg+"/"+repo)
	}
	if len(repos) == 0 {
		return nil, nil, fmt.Errorf("label %s names no run image", builderMetadataLabel)
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, nil, err
	}
	layer, err := fileLayer("cnb/run.toml", 0o644, []byte(toml.String()))
	if err != nil {
		return nil, nil, err
	}
	if img, err = mutate.AppendLayers(img, layer); err != nil {
		return nil, nil, err
	}
	// The config after the append (its diff_ids name the new layer).
	if cf, err = img.ConfigFile(); err != nil {
		return nil, nil, err
	}
	cf = cf.DeepCopy()
	cf.Config.Labels[builderMetadataLabel] = string(b)
	kept := cf.Config.Env[:0:0]
	for _, e := range cf.Config.Env {
		if !strings.HasPrefix(e, "CNB_INSECURE_REGISTRIES=") {
			kept = append(kept, e)
		}
	}
	cf.Config.Env = append(kept, "CNB_INSECURE_REGISTRIES="+reg)
	img, err = mutate.ConfigFile(img, cf)
	return repos, img, err
}

func tagOrDigest(r name.Reference) string {
	if t, ok := r.(name.Tag); ok {
		return ":" + t.TagStr()
	}
	return "@" + r.Identifier()
}
