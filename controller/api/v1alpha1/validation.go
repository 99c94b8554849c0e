package v1alpha1

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// reservedParams are strategy parameters the controller sets itself.
var reservedParams = map[string]bool{"KILN_BUILDER_IMAGE": true, "BUILDER_IMAGE": true, "DOCKERFILE": true, "CONTEXT_DIR": true, "ENV_VARS": true}

var percent = regexp.MustCompile(`^\d{1,3}%$`)

// Validate reports every problem of a defaulted Function, each with the path
// of the field at fault (spec.build.srcRepo.url: Required value: ...),
// holding its pod to the default Policy.
func (f *Function) Validate() field.ErrorList {
	return f.ValidateWith(Policy{})
}

// ValidateWith is Validate with the cluster's Policy for pod templates.
func (f *Function) ValidateWith(pol Policy) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	s := f.Spec
	if s.Image == "" {
		errs = append(errs, field.Required(spec.Child("image"), "the image to build into and serve, e.g. registry.example.com/fn/hello"))
	} else if _, err := name.ParseReference(s.Image); err != nil {
		errs = append(errs, field.Invalid(spec.Child("image"), s.Image, "not an image reference ("+err.Error()+"), e.g. registry.example.com/fn/hello"))
	}
	if s.Build == nil && s.Serving == nil {
		errs = append(errs, field.Required(spec, "at least one of build or serving"))
	}
	if s.WorkloadRuntime != "" && s.WorkloadRuntime != OCIContainer {
		errs = append(errs, field.NotSupported(spec.Child("workloadRuntime"), s.WorkloadRuntime, []string{OCIContainer}))
	}
	if b := s.Build; b != nil {
		errs = append(errs, validateBuild(b, spec.Child("build"))...)
	}
	if v := s.Serving; v != nil {
		errs = append(errs, validateServing(v, spec.Child("serving"))...)
		errs = append(errs, validateTemplate(v, spec.Child("serving"), pol)...)
	}
	return errs
}

func validateBuild(b *BuildImpl, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if b.SrcRepo == nil || (b.SrcRepo.URL == "" && b.SrcRepo.BundleContainer == nil) {
		errs = append(errs, field.Required(p.Child("srcRepo", "url"), "the git repository of the function's source (or srcRepo.bundleContainer.image)"))
	} else if u := b.SrcRepo.URL; u != "" && !strings.Contains(u, "://") && !strings.HasPrefix(u, "git@") {
		errs = append(errs, field.Invalid(p.Child("srcRepo", "url"), u, "want a git URL: https://host/org/repo.git or git@host:org/repo.git"))
	}
	for _, d := range []struct {
		name  string
		value *int32
	}{{"successfulBuildsHistoryLimit", b.SuccessfulBuildsHistoryLimit}, {"failedBuildsHistoryLimit", b.FailedBuildsHistoryLimit}} {
		if d.value != nil && *d.value < 0 {
			errs = append(errs, field.Invalid(p.Child(d.name), *d.value, "must be >= 0"))
		}
	}
	if b.Timeout != nil && b.Timeout.Duration < 0 {
		errs = append(errs, field.Invalid(p.Child("timeout"), b.Timeout.Duration.String(), "must be >= 0"))
	}
	if sw := b.Shipwright; sw != nil {
		sp := p.Child("shipwright")
		if sw.Strategy != nil {
			if sw.Strategy.Name == "" {
				errs = append(errs, field.Required(sp.Child("strategy", "name"), "the build strategy, e.g. kiln"))
			}
			if k := sw.Strategy.Kind; k != nil && *k != ClusterBuildStrategyKind && *k != BuildStrategyKind {
				errs = append(errs, field.NotSupported(sp.Child("strategy", "kind"), *k, []string{ClusterBuildStrategyKind, BuildStrategyKind}))
			}
		}
		if sw.Timeout != nil && sw.Timeout.Duration < 0 {
			errs = append(errs, field.Invalid(sp.Child("timeout"), sw.Timeout.Duration.String(), "must be >= 0"))
		}
		for i, prm := range sw.Params {
			pp := sp.Child("params").Index(i)
			switch {
			case prm == nil || prm.Name == "":
				errs = append(errs, field.Required(pp.Child("name"), ""))
			case reservedParams[prm.Name] || strings.HasPrefix(prm.Name, "shp-"):
				errs = append(errs, field.Forbidden(pp.Child("name"), fmt.Sprintf("%s is set by the controller (reserved: KILN_BUILDER_IMAGE, BUILDER_IMAGE, DOCKERFILE, CONTEXT_DIR, ENV_VARS, shp-*)", prm.Name)))
			}
		}
	}
	return errs
}

func validateServing(v *ServingImpl, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	tp := p.Child("triggers")
	if t := v.Triggers; t != nil {
		if h := t.HTTP; h != nil {
			if h.Port != nil && (*h.Port < 1 || *h.Port > 65535) {
				errs = append(errs, field.Invalid(tp.Child("http", "port"), *h.Port, "must be 1-65535"))
			}
			if h.Engine != nil && *h.Engine != EngineKnative && *h.Engine != EngineKeda {
				errs = append(errs, field.NotSupported(tp.Child("http", "engine"), *h.Engine, []string{EngineKnative, EngineKeda}))
			}
			if r := h.Route; r != nil {
				for i, rule := range r.Rules {
					for j, m := range rule.Matches {
						if m.Path != nil && m.Path.Value != nil && !strings.HasPrefix(*m.Path.Value, "/") {
							errs = append(errs, field.Invalid(tp.Child("http", "route", "rules").Index(i).Child("matches").Index(j).Child("path", "value"), *m.Path.Value, "must start with /"))
						}
					}
				}
			}
		}
		for i, d := range t.Dapr {
			dp := tp.Child("dapr").Index(i)
			if d == nil || d.Name == "" {
				errs = append(errs, field.Required(dp.Child("name"), "the Dapr component (a key of serving.bindings or serving.pubsub, or an existing component)"))
				continue
			}
			typ := v.ComponentType(d.Name, d.Type)
			if strings.HasPrefix(typ, "pubsub.") && d.Topic == "" {
				errs = append(errs, field.Required(dp.Child("topic"), fmt.Sprintf("%s is a pub/sub component: name the topic to subscribe to", d.Name)))
			}
		}
		for i, in := range t.Inputs {
			if in == nil || in.Dapr == nil || in.Dapr.Name == "" {
				errs = append(errs, field.Required(tp.Child("inputs").Index(i).Child("dapr", "name"), ""))
			}
		}
	}
	for i, o := range v.Outputs {
		op := p.Child("outputs").Index(i).Child("dapr")
		if o == nil || o.Dapr == nil || o.Dapr.Name == "" {
			errs = append(errs, field.Required(op.Child("name"), "the Dapr component to send to"))
			continue
		}
		if typ := v.ComponentType(o.Dapr.Name, o.Dapr.Type); strings.HasPrefix(typ, "pubsub.") && o.Dapr.Topic == "" {
			errs = append(errs, field.Required(op.Child("topic"), fmt.Sprintf("%s is a pub/sub component: name the topic to publish to", o.Dapr.Name)))
		}
	}
	for _, m := range []struct {
		name  string
		specs map[string]*ComponentSpec
		kind  string
	}{{"bindings", v.Bindings, "bindings."}, {"pubsub", v.Pubsub, "pubsub."}} {
		for _, k := range sortedKeys(m.specs) {
			c := m.specs[k]
			cp := p.Child(m.name).Key(k)
			if c == nil || c.Type == "" {
				errs = append(errs, field.Required(cp.Child("type"), "the Dapr component type, e.g. "+m.kind+"mqtt3"))
				continue
			}
			if !strings.HasPrefix(c.Type, m.kind) {
				errs = append(errs, field.Invalid(cp.Child("type"), c.Type, "a "+m.name+" component's type starts with "+m.kind))
			}
			if c.Version == "" {
				errs = append(errs, field.Required(cp.Child("version"), "the component version, e.g. v1"))
			}
		}
	}
	for _, k := range sortedKeys(v.States) {
		if st := v.States[k]; st != nil && st.Spec != nil && !strings.HasPrefix(st.Spec.Type, "state.") {
			errs = append(errs, field.Invalid(p.Child("states").Key(k).Child("spec", "type"), st.Spec.Type, "a state store's type starts with state."))
		}
	}
	switch v.WorkloadType {
	case "", WorkloadDeployment, WorkloadStatefulSet, WorkloadJob:
	default:
		errs = append(errs, field.NotSupported(p.Child("workloadType"), v.WorkloadType, []string{WorkloadDeployment, WorkloadStatefulSet, WorkloadJob}))
	}
	if v.WorkloadType == WorkloadJob && v.Triggers != nil && v.Triggers.HTTP != nil {
		errs = append(errs, field.Invalid(p.Child("workloadType"), v.WorkloadType, "Job is for async functions; an http trigger is served by Knative"))
	}
	if h := v.Hooks; h != nil && h.Policy != "" && h.Policy != HooksAppend && h.Policy != HooksOverride {
		errs = append(errs, field.NotSupported(p.Child("hooks", "policy"), h.Policy, []string{HooksAppend, HooksOverride}))
	}
	if so := v.ScaleOptions; so != nil {
		errs = append(errs, validateScale(v, so, p.Child("scaleOptions"))...)
	}
	return errs
}

func validateScale(v *ServingImpl, so *ScaleOptions, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if so.MinReplicas != nil && *so.MinReplicas < 0 {
		errs = append(errs, field.Invalid(p.Child("minReplicas"), *so.MinReplicas, "must be >= 0"))
	}
	if so.MaxReplicas != nil && *so.MaxReplicas < 1 {
		errs = append(errs, field.Invalid(p.Child("maxReplicas"), *so.MaxReplicas, "must be >= 1"))
	}
	if so.MinReplicas != nil && so.MaxReplicas != nil && *so.MinReplicas > *so.MaxReplicas {
		errs = append(errs, field.Invalid(p.Child("minReplicas"), *so.MinReplicas, fmt.Sprintf("must be <= maxReplicas (%d)", *so.MaxReplicas)))
	}
	k := so.Keda
	if k == nil {
		return errs
	}
	kp := p.Child("keda")
	n := 0
	for _, set := range []bool{k.ScaledObject != nil, k.ScaledJob != nil, k.HTTPScaledObject != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		errs = append(errs, field.Invalid(kp, "", "set only one of scaledObject, scaledJob and httpScaledObject"))
	}
	if k.ScaledJob != nil && v.WorkloadType != WorkloadJob {
		errs = append(errs, field.Invalid(kp.Child("scaledJob"), "", "needs serving.workloadType: Job"))
	}
	if k.ScaledObject != nil && v.WorkloadType == WorkloadJob {
		errs = append(errs, field.Invalid(kp.Child("scaledObject"), "", "a Job is scaled by scaledJob"))
	}
	if so := k.ScaledObject; so != nil && so.Advanced != nil && so.Advanced.HorizontalPodAutoscalerConfig != nil {
		if b := so.Advanced.HorizontalPodAutoscalerConfig.Behavior; b != nil {
			bp := kp.Child("scaledObject", "advanced", "horizontalPodAutoscalerConfig", "behavior")
			for _, side := range []struct {
				name  string
				rules *autoscalingv2.HPAScalingRules
			}{{"scaleUp", b.ScaleUp}, {"scaleDown", b.ScaleDown}} {
				name, rules := side.name, side.rules
				if rules == nil {
					continue
				}
				if w := rules.StabilizationWindowSeconds; w != nil && (*w < 0 || *w > 3600) {
					errs = append(errs, field.Invalid(bp.Child(name, "stabilizationWindowSeconds"), *w, "must be 0-3600"))
				}
				if sp := rules.SelectPolicy; sp != nil && *sp != "Max" && *sp != "Min" && *sp != "Disabled" {
					errs = append(errs, field.NotSupported(bp.Child(name, "selectPolicy"), string(*sp), []string{"Max", "Min", "Disabled"}))
				}
			}
		}
	}
	if j := k.ScaledJob; j != nil && j.ScalingStrategy != nil {
		sp := kp.Child("scaledJob", "scalingStrategy")
		switch j.ScalingStrategy.Strategy {
		case "", "default", "accurate":
		case "custom":
			if j.ScalingStrategy.CustomScalingQueueLengthDeduction == nil {
				errs = append(errs, field.Required(sp.Child("customScalingQueueLengthDeduction"), "the custom strategy needs it"))
			}
			if !percent.MatchString(j.ScalingStrategy.CustomScalingRunningJobPercentage) {
				errs = append(errs, field.Invalid(sp.Child("customScalingRunningJobPercentage"), j.ScalingStrategy.CustomScalingRunningJobPercentage, "the custom strategy needs a percentage like 50%"))
			}
		default:
			errs = append(errs, field.NotSupported(sp.Child("strategy"), j.ScalingStrategy.Strategy, []string{"default", "custom", "accurate"}))
		}
	}
	for i, t := range k.Triggers {
		if t.Type == "" {
			errs = append(errs, field.Required(kp.Child("triggers").Index(i).Child("type"), "the KEDA scaler, e.g. kafka or mqtt"))
		}
	}
	return errs
}

// ComponentType is the Dapr type of the component a trigger, input or output
// names: the type it declares, else that of the binding, pub/sub or state
// store of that name in spec.serving, else "" (an existing component).
func (v *ServingImpl) ComponentType(name, declared string) string {
	if declared != "" {
		return declared
	}
	if c := v.Bindings[name]; c != nil {
		return c.Type
	}
	if c := v.Pubsub[name]; c != nil {
		return c.Type
	}
	if st := v.States[name]; st != nil && st.Spec != nil {
		return st.Spec.Type
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
