package deploy

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// ReadServing reads kiln deploy --serving FILE: the YAML of a Function's
// spec.serving (triggers, outputs, bindings, pubsub, scaleOptions, …), as
// in a core.kiln.dev Function or an OpenFunction one. Unknown fields are
// refused, so a misspelt one is not silently dropped.
func ReadServing(path string) (*v1alpha1.ServingImpl, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--serving: %w", err)
	}
	var s v1alpha1.ServingImpl
	if err := yaml.UnmarshalStrict(b, &s); err != nil {
		return nil, fmt.Errorf("--serving %s: not a Function's spec.serving: %w", path, err)
	}
	return &s, nil
}
