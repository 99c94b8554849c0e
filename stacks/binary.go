package stacks

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// BinaryImage is base with the executable b at path (0755, root, its parent
// directories 0755) as its entrypoint, in one reproducible layer: the same
// base and binary give the same image. labels are added to base's.
func BinaryImage(base v1.Image, path string, b []byte, createdBy string, labels map[string]string) (v1.Image, error) {
	t := NewTree()
	t.File(path, 0o755, 0, 0, b)
	layer, err := t.Layer()
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, History: v1.History{Created: v1.Time{Time: Epoch}, CreatedBy: createdBy}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: Epoch}
	cf.Config.Entrypoint = []string{path}
	cf.Config.Cmd = nil
	for k, v := range labels {
		if cf.Config.Labels == nil {
			cf.Config.Labels = map[string]string{}
		}
		cf.Config.Labels[k] = v
	}
	return mutate.ConfigFile(img, cf)
}
