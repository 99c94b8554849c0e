package convert

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// Result is a converted Function and the notes on it.
type Result struct {
	Function *v1alpha1.Function
	// Notes say what was changed or dropped, each naming the OpenFunction field.
	Notes []string
}

type obj = map[string]any

// Convert reads one OpenFunction Function manifest (YAML or JSON).
func Convert(manifest []byte) (*Result, error) {
	var in obj
	if err := yaml.Unmarshal(manifest, &in); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	kind, _ := in["kind"].(string)
	api, _ := in["apiVersion"].(string)
	if kind != "Function" || !strings.HasPrefix(api, "core.openfunction.io/") {
		return nil, fmt.Errorf("apiVersion %q kind %q: want an OpenFunction Function (core.openfunction.io/v1beta1 or v1beta2)", api, kind)
	}
	c := &converter{}
	spec, _ := in["spec"].(obj)
	if spec == nil {
		return nil, fmt.Errorf("spec: missing")
	}
	schema, ok := schemas[api]
	if !ok {
		return nil, fmt.Errorf("apiVersion %s: Kiln converts v1beta1 and v1beta2", api)
	}
	prune(in, schema, "", func(path string) {
		c.note("%s: not a field of %s Function; dropped (the API server prunes it too)", path, api)
	})
	if api == "core.openfunction.io/v1beta1" {
		spec = c.fromV1beta1(spec)
	}
	c.fromV1beta2(spec)
	md, _ := in["metadata"].(obj)
	c.metadata(md)
	out := obj{"apiVersion": v1alpha1.GroupVersion.String(), "kind": "Function", "metadata": md, "spec": spec}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var f v1alpha1.Function
	if err := yaml.UnmarshalStrict(b, &f); err != nil {
		return nil, fmt.Errorf("the converted Function does not fit core.kiln.dev/v1alpha1: %w", err)
	}
	c.dropEmptyComponents(&f)
	c.daprNotes(&f)
	sort.Strings(c.notes)
	return &Result{Function: &f, Notes: c.notes}, nil
}

// dropEmptyComponents drops the bindings and pub/sub components given no
// spec (`name:` alone): there is nothing to create, and printed they would
// vanish (a null map value), so the output would not be what was converted.
func (c *converter) dropEmptyComponents(f *v1alpha1.Function) {
	v := f.Spec.Serving
	if v == nil {
		return
	}
	for field, m := range map[string]map[string]*v1alpha1.ComponentSpec{"bindings": v.Bindings, "pubsub": v.Pubsub} {
		for name, spec := range m {
			if spec == nil {
				delete(m, name)
				c.note("spec.serving.%s.%s: no component spec; dropped", field, name)
			}
		}
	}
	if len(v.Bindings) == 0 {
		v.Bindings = nil
	}
	if len(v.Pubsub) == 0 {
		v.Pubsub = nil
	}
}

type converter struct {
	notes []string
	// dapr are OpenFunction's Dapr mode annotations, answered by daprNotes.
	dapr []daprAnnotation
}

func (c *converter) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// metadata keeps name, namespace, labels and annotations; drops server fields.
func (c *converter) metadata(md obj) {
	for _, k := range []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "finalizers", "ownerReferences"} {
		delete(md, k)
	}
	ann, _ := md["annotations"].(obj)
	for k := range ann {
		if k == "kubectl.kubernetes.io/last-applied-configuration" {
			delete(ann, k)
			continue
		}
		if strings.HasPrefix(k, "openfunction.io/") || k == "plugins" || k == "plugins.tracing" {
			c.note("metadata.annotations[%s]: OpenFunction-only, dropped", k)
			delete(ann, k)
		}
	}
	if len(ann) == 0 {
		delete(md, "annotations")
	}
}

// fromV1beta1 maps v1beta1's layout onto v1beta2's (OpenFunction's own
// conversion), so one path handles both.
func (c *converter) fromV1beta1(spec obj) obj {
	out := obj{}
	for _, k := range []string{"version", "image", "imageCredentials", "workloadRuntime"} {
		if v, ok := spec[k]; ok {
			out[k] = v
		}
	}
	if b, ok := spec["build"].(obj); ok {
		if params, ok := b["params"].(obj); ok {
			var list []any
			for _, k := range sortedKeys(params) {
				list = append(list, obj{"name": k, "value": fmt.Sprint(params[k])})
			}
			delete(b, "params")
			sw, _ := b["shipwright"].(obj)
			if sw == nil {
				sw = obj{}
			}
			sw["params"] = list
			b["shipwright"] = sw
		}
		out["build"] = b
	}
	s, ok := spec["serving"].(obj)
	if !ok {
		return out
	}
	v := obj{}
	for _, k := range []string{"annotations", "labels", "params", "template", "scaleOptions", "bindings", "pubsub", "timeout", "tracing", "hooks"} {
		if x, ok := s[k]; ok {
			v[k] = x
		}
	}
	triggers := obj{}
	runtime, _ := s["runtime"].(string)
	if strings.EqualFold(runtime, "knative") || runtime == "" {
		http := obj{}
		if p, ok := spec["port"]; ok {
			http["port"] = p
		}
		if r, ok := spec["route"]; ok {
			http["route"] = r
		}
		triggers["http"] = http
	}
	if inputs, ok := s["inputs"].([]any); ok {
		var dapr []any
		for i, x := range inputs {
			in, _ := x.(obj)
			t := obj{"name": in["component"]}
			if topic, ok := in["topic"]; ok {
				t["topic"] = topic
			}
			if _, ok := in["params"]; ok {
				c.note("spec.serving.inputs[%d].params: inputs have no metadata in v1beta2/Kiln, dropped", i)
			}
			dapr = append(dapr, t)
		}
		triggers["dapr"] = dapr
	}
	if outputs, ok := s["outputs"].([]any); ok {
		var list []any
		for _, x := range outputs {
			o, _ := x.(obj)
			d := obj{"name": o["component"]}
			for from, to := range map[string]string{"topic": "topic", "params": "metadata", "operation": "operation"} {
				if val, ok := o[from]; ok {
					d[to] = val
				}
			}
			list = append(list, obj{"dapr": d})
		}
		v["outputs"] = list
	}
	if states, ok := s["states"].(obj); ok {
		st := obj{}
		for k, val := range states {
			st[k] = obj{"spec": val}
		}
		v["states"] = st
	}
	if kt, ok := s["triggers"].([]any); ok {
		so, _ := v["scaleOptions"].(obj)
		if so == nil {
			so = obj{}
		}
		keda, _ := so["keda"].(obj)
		if keda == nil {
			keda = obj{}
		}
		var list []any
		for _, x := range kt {
			t, _ := x.(obj)
			if t["targetKind"] == "job" {
				v["workloadType"] = v1alpha1.WorkloadJob
			}
			delete(t, "targetKind")
			list = append(list, t)
		}
		keda["triggers"] = list
		so["keda"] = keda
		v["scaleOptions"] = so
	}
	if so, ok := v["scaleOptions"].(obj); ok {
		if keda, ok := so["keda"].(obj); ok {
			if sobj, ok := keda["scaledObject"].(obj); ok {
				for from, to := range map[string]string{"minReplicaCount": "minReplicas", "maxReplicaCount": "maxReplicas"} {
					if val, ok := sobj[from]; ok {
						so[to] = val
						delete(sobj, from)
					}
				}
				if wt, ok := sobj["workloadType"]; ok {
					v["workloadType"] = wt
					delete(sobj, "workloadType")
				}
			}
			if sj, ok := keda["scaledJob"].(obj); ok {
				if val, ok := sj["maxReplicaCount"]; ok {
					so["maxReplicas"] = val
					delete(sj, "maxReplicaCount")
				}
			}
		}
	}
	v["triggers"] = triggers
	out["serving"] = v
	for _, k := range []string{"port", "route"} {
		if _, ok := spec[k]; ok && runtime != "" && !strings.EqualFold(runtime, "knative") {
			c.note("spec.%s: an async (%s) function has no HTTP trigger, dropped", k, runtime)
		}
	}
	return out
}

// fromV1beta2 adjusts what differs between OpenFunction v1beta2 and Kiln.
func (c *converter) fromV1beta2(spec obj) {
	if rt, ok := spec["workloadRuntime"].(string); ok && !strings.EqualFold(rt, v1alpha1.OCIContainer) {
		c.note("spec.workloadRuntime: %s is not supported by Kiln (OCI containers only), dropped", rt)
		delete(spec, "workloadRuntime")
	}
	if b, ok := spec["build"].(obj); ok {
		if builder, ok := b["builder"].(string); ok && strings.Contains(builder, "openfunction/") {
			delete(b, "builder")
			if lang := openFunctionBuilderLanguage(builder); lang != "" {
				b["language"] = lang
				c.note("spec.build.builder: %s is OpenFunction's builder, replaced by spec.build.language: %s (Kiln's controller picks its own builder per language)", builder, lang)
			} else {
				c.note("spec.build.builder: %s is OpenFunction's builder, dropped: Kiln's controller uses its own builder for spec.build.language (default go) unless you name one", builder)
			}
		}
		if _, ok := b["dockerfile"]; ok {
			c.note("spec.build.dockerfile: kept, but Kiln's default strategy builds with buildpacks; name a Dockerfile strategy in spec.build.shipwright.strategy")
		}
		if env, ok := b["env"].(obj); ok {
			if t, ok := env["FUNC_TYPE"]; ok {
				if _, set := env["FUNC_SIGNATURE_TYPE"]; !set {
					env["FUNC_SIGNATURE_TYPE"] = t
				}
				delete(env, "FUNC_TYPE")
				c.note("spec.build.env.FUNC_TYPE: renamed FUNC_SIGNATURE_TYPE")
			}
			for _, k := range []string{"FUNC_CLEAR_SOURCE", "FUNC_GOPROXY", "FUNC_FRAMEWORK_VERSION", "FUNC_DEBUG", "FUNC_DEVMODE"} {
				if _, ok := env[k]; ok {
					c.note("spec.build.env.%s: not read by Kiln's buildpacks, kept (use GOPROXY, BP_* variables instead)", k)
				}
			}
		}
		if sw, ok := b["shipwright"].(obj); ok {
			if st, ok := sw["strategy"].(obj); ok && st["name"] == "openfunction" {
				c.note("spec.build.shipwright.strategy: openfunction → kiln")
				st["name"] = v1alpha1.DefaultStrategy
			}
		}
		for _, k := range []string{"builderMaxAge"} {
			if _, ok := b[k]; ok {
				c.note("spec.build.%s: kept; Kiln does not rebuild by age yet", k)
			}
		}
	}
	v, ok := spec["serving"].(obj)
	if !ok {
		return
	}
	if t, ok := v["triggers"].(obj); ok {
		if h, ok := t["http"].(obj); ok {
			if h["engine"] == v1alpha1.EngineKeda {
				c.note("spec.serving.triggers.http.engine: keda (KEDA HTTP add-on) is not supported by Kiln yet; set to knative")
				h["engine"] = v1alpha1.EngineKnative
			}
			if r, ok := h["route"].(obj); ok {
				if gw, ok := r["gatewayRef"].(obj); ok {
					c.note("spec.serving.triggers.http.route.gatewayRef: %v/%v names an OpenFunction Gateway; dropped, Kiln's Gateway config kiln/kiln applies", gw["namespace"], gw["name"])
					delete(r, "gatewayRef")
				}
				if rules, ok := r["rules"].([]any); ok {
					for i, x := range rules {
						rule, _ := x.(obj)
						for k := range rule {
							if k != "matches" {
								c.note("spec.serving.triggers.http.route.rules[%d].%s: the controller sets backends and filters itself, dropped", i, k)
								delete(rule, k)
							}
						}
						if matches, ok := rule["matches"].([]any); ok {
							for j, mx := range matches {
								m, _ := mx.(obj)
								for k := range m {
									if k != "path" {
										c.note("spec.serving.triggers.http.route.rules[%d].matches[%d].%s: Kiln routes match paths only, dropped", i, j, k)
										delete(m, k)
									}
								}
							}
						}
					}
				}
			}
		}
		for i, x := range asList(t["dapr"]) {
			if d, ok := x.(obj); ok {
				if _, ok := d["inputName"]; ok {
					c.note("spec.serving.triggers.dapr[%d].inputName: deprecated in OpenFunction, dropped", i)
					delete(d, "inputName")
				}
			}
		}
	}
	for i, x := range asList(v["outputs"]) {
		if o, ok := x.(obj); ok {
			if d, ok := o["dapr"].(obj); ok {
				if _, ok := d["outputName"]; ok {
					c.note("spec.serving.outputs[%d].dapr.outputName: deprecated in OpenFunction, dropped", i)
					delete(d, "outputName")
				}
			}
		}
	}
	c.skywalking(v)
	c.takeDaprAnnotations(asObj(v["annotations"]))
	for k := range asObj(v["annotations"]) {
		if strings.HasPrefix(k, "openfunction.io/") {
			c.note("spec.serving.annotations[%s]: OpenFunction-only, dropped", k)
			delete(v["annotations"].(obj), k)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asObj(v any) obj {
	o, _ := v.(obj)
	return o
}

func sortedKeys(m obj) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// openFunctionBuilderLanguage is the spec.build.language of an OpenFunction
// builder image (openfunction/builder-node:v2 is nodejs), "" when it is not
// one of Kiln's languages.
func openFunctionBuilderLanguage(image string) string {
	name := image[strings.LastIndex(image, "/")+1:]
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	return map[string]string{"builder-go": "go", "builder-node": "nodejs", "builder-nodejs": "nodejs",
		"builder-python": "python", "builder-java": "java"}[name]
}
