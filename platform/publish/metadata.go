package publish

import (
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// LabelBuilderMetadata is pack's builder label naming, among others, the
// builder's run image and mirrors.
const LabelBuilderMetadata = "io.buildpacks.builder.metadata"

// builderRunImage reads the run image a builder names.
func builderRunImage(img v1.Image) (*RunImage, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	raw, ok := cf.Config.Labels[LabelBuilderMetadata]
	if !ok {
		return nil, fmt.Errorf("no %s label: not a builder image", LabelBuilderMetadata)
	}
	var md struct {
		Images []RunImage `json:"images"`
		Stack  struct {
			RunImage RunImage `json:"runImage"`
		} `json:"stack"`
	}
	if err := json.Unmarshal([]byte(raw), &md); err != nil {
		return nil, fmt.Errorf("label %s: %w", LabelBuilderMetadata, err)
	}
	if len(md.Images) > 0 && md.Images[0].Image != "" {
		return &md.Images[0], nil
	}
	if md.Stack.RunImage.Image != "" {
		return &md.Stack.RunImage, nil
	}
	return nil, fmt.Errorf("label %s names no run image", LabelBuilderMetadata)
}
