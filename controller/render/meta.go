package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// Labels every object the controller makes carries.
const (
	LabelFunction  = "core.kiln.dev/function"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelName      = "app.kubernetes.io/name"
	LabelVersion   = "app.kubernetes.io/version"
	ManagedBy      = "kiln"
	// AnnotationHash is the hash of the spec an object was made from.
	AnnotationHash = "core.kiln.dev/spec-hash"
)

// Config is what the cluster adds to a Function: defaults the controller is
// started with and the route's Gateway config.
type Config struct {
	// ClusterDomain is the cluster's DNS suffix (cluster.local).
	ClusterDomain string
	// Builders is the builder image per spec.build.language (Builder).
	Builders map[string]string
	// DefaultBuilder, when set, is the builder of DefaultLanguage, over
	// Builders (kiln render's --default-builder flag).
	DefaultBuilder string
	// BuildCacheSize is the size of each function's build cache volume.
	BuildCacheSize string
	// Gateway is the route's Gateway config (nil: the Function has no route).
	Gateway *Gateway
}

// DefaultConfig is the controller's default configuration.
func DefaultConfig() Config {
	return Config{ClusterDomain: "cluster.local", Builders: DefaultBuilders(), BuildCacheSize: "2Gi"}
}

// labels are the selector labels of the function's objects.
func labels(f *v1alpha1.Function) map[string]string {
	return map[string]string{LabelFunction: f.Name, LabelManagedBy: ManagedBy, LabelName: f.Name,
		LabelVersion: version(f)}
}

// version is spec.version as a label value: dots dropped (v1.0.0 → v100).
func version(f *v1alpha1.Function) string {
	v := v1alpha1.DefaultVersion
	if f.Spec.Version != nil && *f.Spec.Version != "" {
		v = *f.Spec.Version
	}
	return strings.ReplaceAll(v, ".", "")
}

// objectMeta names an object of f; extra labels are merged in, under the
// controller's own (a selector and the controller's lookups rely on those).
func objectMeta(f *v1alpha1.Function, name string, extra map[string]string) metav1.ObjectMeta {
	l := make(map[string]string, len(extra)+4)
	for k, v := range extra {
		l[k] = v
	}
	for k, v := range labels(f) {
		l[k] = v
	}
	return metav1.ObjectMeta{Name: name, Namespace: f.Namespace, Labels: l}
}

// Hash is a short stable digest of v's JSON.
func Hash(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:10]
}

func ptr[T any](v T) *T { return &v }
