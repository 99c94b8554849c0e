package clusteraddons

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"sigs.k8s.io/yaml"
)

// Release is what a chart's templates see as .Release.
type Release struct {
	Name, Namespace string
}

// Manifests are a rendered install: CRDs first (apply and wait for them to
// be Established), then the objects, each a YAML stream.
type Manifests struct {
	CRDs, Objects []byte
}

// apiVersions is .Capabilities.APIVersions: the node's Kubernetes (v1.36)
// serves every group a chart tests for here.
type apiVersions []string

// Has reports whether the cluster serves the group/version (or
// group/version/Kind).
func (a apiVersions) Has(v string) bool {
	for _, s := range a {
		if s == v {
			return true
		}
	}
	return false
}

type capabilities struct {
	APIVersions apiVersions
	KubeVersion struct{ Version, Major, Minor string }
}

// servedAPIs are the versions Kiln's node serves that charts test for.
var servedAPIs = apiVersions{"v1", "apps/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
	"admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "scheduling.k8s.io/v1"}

// renderChart renders the chart at dir of fsys with overrides merged over
// its values (like `helm template -f`), and returns its documents: CRDs
// from crds/ dirs, then the templates' objects in Helm's install order.
func renderChart(fsys fs.FS, dir string, overrides map[string]any, rel Release) (crds, objects []doc, err error) {
	c, err := loadChart(fsys, dir, "")
	if err != nil {
		return nil, nil, err
	}
	t := template.New("chart").Funcs(funcMap()).Option("missingkey=zero")
	// Every chart's templates (partials too) go into one set: include
	// reaches a define of any chart, as in Helm.
	type job struct {
		name string
		data map[string]any
	}
	var jobs []job
	caps := capabilities{APIVersions: servedAPIs}
	caps.KubeVersion.Version, caps.KubeVersion.Major, caps.KubeVersion.Minor = "v1.36.3", "1", "36"
	var walk func(c *chart, vals map[string]any) error
	walk = func(c *chart, vals map[string]any) error {
		names := make([]string, 0, len(c.templates))
		for n := range c.templates {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if _, err := t.New(n).Parse(c.templates[n]); err != nil {
				return fmt.Errorf("clusteraddons: parse %s: %w", n, err)
			}
			base := path.Base(n)
			if strings.HasPrefix(base, "_") || strings.HasSuffix(base, ".txt") {
				continue // partials and NOTES.txt are not installed
			}
			jobs = append(jobs, job{n, map[string]any{
				"Values":       vals,
				"Release":      map[string]any{"Name": rel.Name, "Namespace": rel.Namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
				"Chart":        map[string]any{"Name": c.name, "Version": c.version},
				"Capabilities": caps,
				"Template":     map[string]any{"Name": n, "BasePath": c.path + "/templates"},
			}})
		}
		for _, f := range c.crds {
			d, err := splitDocs(f.path, f.data)
			if err != nil {
				return err
			}
			crds = append(crds, d...)
		}
		for _, s := range c.subcharts {
			sv, _ := vals[s.name].(map[string]any)
			sub := mergeValues(s.values, sv)
			g, _ := vals["global"].(map[string]any)
			sg, _ := sub["global"].(map[string]any)
			sub["global"] = mergeValues(sg, g)
			if err := walk(s, sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(c, mergeValues(c.values, overrides)); err != nil {
		return nil, nil, err
	}
	bind(t)
	for _, j := range jobs {
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, j.name, j.data); err != nil {
			return nil, nil, fmt.Errorf("clusteraddons: render %s: %w", j.name, err)
		}
		d, err := splitDocs(j.name, []byte(strings.ReplaceAll(b.String(), "<no value>", "")))
		if err != nil {
			return nil, nil, err
		}
		objects = append(objects, d...)
	}
	sortInstallOrder(objects)
	if objects, err = inNamespace(objects, rel.Namespace); err != nil {
		return nil, nil, err
	}
	return crds, objects, nil
}

// clusterScoped are the kinds a chart renders that have no namespace.
var clusterScoped = map[string]bool{"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"CustomResourceDefinition": true, "PriorityClass": true, "StorageClass": true, "PersistentVolume": true,
	"APIService": true, "IngressClass": true, "MutatingWebhookConfiguration": true, "ValidatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true}

var metadataKey = regexp.MustCompile(`(?m)^metadata:[ \t]*\n([ \t]+)`)

// inNamespace puts each namespaced object that names no namespace in ns,
// as `helm install --namespace` does when it applies: kubectl would put
// it in the kubeconfig's namespace (Dapr v1.14.0's RoleBinding
// dapr-injector names none, so its injector could not read the scheduler
// StatefulSet and exited, found on the node).
func inNamespace(docs []doc, ns string) ([]doc, error) {
	for i, d := range docs {
		if d.namespace != "" || clusterScoped[d.kind] {
			continue
		}
		m := metadataKey.FindSubmatchIndex(d.yaml)
		if m == nil {
			return nil, fmt.Errorf("clusteraddons: %s: %s %s names no namespace and has no block metadata to put %s in", d.source, d.kind, d.name, ns)
		}
		indent := string(d.yaml[m[2]:m[3]])
		y := append(append([]byte{}, d.yaml[:m[2]]...), indent+"namespace: "+ns+"\n"...)
		docs[i].yaml, docs[i].namespace = append(y, d.yaml[m[2]:]...), ns
	}
	return docs, nil
}

// doc is one YAML document of a rendered install.
type doc struct {
	source          string
	kind, namespace string
	name            string
	yaml            []byte
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// splitDocs splits a YAML stream; empty and comment-only documents are
// dropped, and every other one must be an object with apiVersion, kind
// and metadata.name.
func splitDocs(source string, b []byte) ([]doc, error) {
	var out []doc
	for _, part := range docSep.Split(string(b), -1) {
		if onlyComments(part) {
			continue
		}
		var m struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name, Namespace string
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(part), &m); err != nil {
			return nil, fmt.Errorf("clusteraddons: %s renders a document that is not YAML: %w\n%s", source, err, part)
		}
		if m.APIVersion == "" || m.Kind == "" || m.Metadata.Name == "" {
			return nil, fmt.Errorf("clusteraddons: %s renders a document without apiVersion, kind or metadata.name:\n%s", source, part)
		}
		out = append(out, doc{source: source, kind: m.Kind, namespace: m.Metadata.Namespace, name: m.Metadata.Name,
			yaml: []byte(strings.Trim(part, "\n") + "\n")})
	}
	return out, nil
}

func onlyComments(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// installOrder is Helm's install order by kind; other kinds go last.
var installOrder = []string{"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap",
	"StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
	"ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
	"RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
	"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}

func sortInstallOrder(d []doc) {
	rank := func(k string) int {
		for i, o := range installOrder {
			if o == k {
				return i
			}
		}
		return len(installOrder)
	}
	sort.SliceStable(d, func(i, j int) bool { return rank(d[i].kind) < rank(d[j].kind) })
}

// stream joins documents into one YAML stream, each marked with the file
// it came from.
func stream(docs []doc) []byte {
	var b bytes.Buffer
	for _, d := range docs {
		fmt.Fprintf(&b, "---\n# Source: %s\n", d.source)
		b.Write(d.yaml)
	}
	return b.Bytes()
}
