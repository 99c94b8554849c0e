package render

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// UndeclaredParamError is a parameter the Function asks for that its build
// strategy does not declare: Shipwright refuses such a Build
// (UndefinedParameter), so the controller says which field to change first.
type UndeclaredParamError struct {
	// Field is the Function field that asked for it.
	Field, Param string
	// Strategy is "ClusterBuildStrategy kiln"; Declared its parameters.
	Strategy string
	Declared []string
}

func (e *UndeclaredParamError) Error() string {
	declared := "none"
	if len(e.Declared) > 0 {
		declared = strings.Join(e.Declared, ", ")
	}
	return fmt.Sprintf("%s: %s declares no parameter %s (it declares: %s): remove the field or name a strategy in spec.build.shipwright.strategy that takes it",
		e.Field, e.Strategy, e.Param, declared)
}

// StrategyParams are the parameter names a strategy declares, sorted.
func StrategyParams(spec *shp.BuildStrategySpec) []string {
	var names []string
	for _, p := range spec.Parameters {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}

// FitStrategy keeps on b only the parameters its strategy declares: Kiln's
// own (KILN_BUILDER_IMAGE, ENV_VARS) are dropped when the strategy does not
// declare them and the Function did not ask for them (a Dockerfile strategy
// has no builder); a parameter the user set (spec.build.builder,
// spec.build.env, spec.build.shipwright.params) that the strategy does not
// declare is an UndeclaredParamError. f is the defaulted Function b was
// rendered from; strategy names the strategy for messages.
func FitStrategy(f *v1alpha1.Function, b *shp.Build, strategy string, declared []string) error {
	fb := f.Spec.Build
	asked := map[string]string{}
	if fb.Builder != nil && *fb.Builder != "" {
		asked[ParamBuilderImage] = "spec.build.builder"
	}
	if len(fb.Env) > 0 {
		asked[ParamEnvVars] = "spec.build.env"
	}
	if fb.Shipwright != nil {
		for i, p := range fb.Shipwright.Params {
			if p != nil {
				asked[p.Name] = fmt.Sprintf("spec.build.shipwright.params[%d]", i)
			}
		}
	}
	kept := b.Spec.ParamValues[:0]
	for _, p := range b.Spec.ParamValues {
		if slices.Contains(declared, p.Name) {
			kept = append(kept, p)
			continue
		}
		if field, ok := asked[p.Name]; ok {
			return &UndeclaredParamError{Field: field, Param: p.Name, Strategy: strategy, Declared: declared}
		}
	}
	b.Spec.ParamValues = kept
	return nil
}
