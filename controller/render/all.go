package render

import (
	"bytes"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// All is every object the controller creates for a defaulted, valid f, in
// apply order: the build (cache PVC, ServiceAccount for builder credentials,
// Build, BuildRun), then serving. image is
// what serving runs: the built image pinned by digest (repo@sha256:...) once
// the BuildRun has succeeded; before that, spec.image. A route has no
// backends yet: they follow the Knative Service's status.traffic.
func All(f *v1alpha1.Function, cfg Config, image string) ([]client.Object, error) {
	var objs []client.Object
	if f.Spec.Build != nil {
		build, pvc, err := Build(f, cfg)
		if err != nil {
			return nil, err
		}
		objs = append(objs, pvc)
		if sa := BuildServiceAccount(f); sa != nil {
			objs = append(objs, sa)
		}
		objs = append(objs, build, BuildRun(f, BuildHash(f)))
	}
	if f.Spec.Serving != nil {
		if image == "" {
			image = f.Spec.Image
		}
		serving, err := Serving(f, cfg, image, nil)
		if err != nil {
			return nil, err
		}
		objs = append(objs, serving...)
	}
	return objs, nil
}

// YAML renders objects as one multi-document YAML stream, without the
// empty status and creationTimestamp the Go types carry.
func YAML(objs []client.Object) ([]byte, error) {
	var out bytes.Buffer
	for i, o := range objs {
		m, err := objectMap(o)
		if err != nil {
			return nil, err
		}
		if st, ok := m["status"].(map[string]any); ok && len(st) == 0 {
			delete(m, "status")
		}
		b, err := yaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		out.Write(b)
	}
	return out.Bytes(), nil
}

// Unstructured is o as the API server should receive it: nulls the Go
// types emit for unset fields (which some CRD schemas reject) dropped.
func Unstructured(o client.Object) (*unstructured.Unstructured, error) {
	m, err := objectMap(o)
	if err != nil {
		return nil, err
	}
	delete(m, "status")
	if m["apiVersion"] == nil || m["kind"] == nil {
		return nil, fmt.Errorf("%T %s has no apiVersion/kind", o, o.GetName())
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// objectMap is o's JSON form as a map, without the null creationTimestamp
// and the other nulls and empty maps clean drops.
func objectMap(o client.Object) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("%T %s: %w", o, o.GetName(), err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	clean(m)
	return m, nil
}

// clean drops nulls (the API server drops them too) and the empty
// resources/metadata maps nested templates carry.
func clean(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if val == nil {
				delete(t, k)
				continue
			}
			if m, ok := val.(map[string]any); ok && len(m) == 0 && (k == "resources" || k == "metadata") {
				delete(t, k)
				continue
			}
			clean(val)
		}
	case []any:
		for _, e := range t {
			clean(e)
		}
	}
}
