package render

import (
	"fmt"
	"sort"
	"strings"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// Parameters of Kiln's ClusterBuildStrategy (controller/config/strategy).
// The builder parameter is not BUILDER_IMAGE: Shipwright v1beta1 reserves
// that name and refuses a Build that sets it (RestrictedParametersInUse).
const (
	ParamBuilderImage = "KILN_BUILDER_IMAGE"
	ParamEnvVars      = "ENV_VARS"
	// CacheVolume is the strategy's cache volume, overridden per function
	// with its PersistentVolumeClaim so the cache survives between builds.
	CacheVolume = "kiln-build-cache"
)

// BuildHash is the hash of what a build depends on: the image, its push
// secret and spec.build. A new BuildRun is made only when it changes.
func BuildHash(f *v1alpha1.Function) string {
	return Hash(struct {
		Image string
		Creds *corev1.LocalObjectReference
		Build *v1alpha1.BuildImpl
	}{f.Spec.Image, f.Spec.ImageCredentials, f.Spec.Build})
}

// BuildName is the Shipwright Build of f.
func BuildName(f *v1alpha1.Function) string { return f.Name + "-build" }

// CacheClaimName is the PVC holding f's build cache.
func CacheClaimName(f *v1alpha1.Function) string { return f.Name + "-build-cache" }

// BuildRunName is the BuildRun for one build hash.
func BuildRunName(f *v1alpha1.Function, hash string) string { return f.Name + "-build-" + hash }

// EnvVars is spec.build.env as the strategy's ENV_VARS parameter: one
// NAME=value per line, sorted (the strategy writes each to the CNB platform
// env directory).
func EnvVars(env map[string]string) (string, error) {
	keys := make([]string, 0, len(env))
	for k, v := range env {
		if strings.ContainsAny(k, "=\n/") || k == "" {
			return "", fmt.Errorf("spec.build.env: %q is not a valid variable name", k)
		}
		if strings.Contains(v, "\n") {
			return "", fmt.Errorf("spec.build.env[%s]: values cannot span lines", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, env[k])
	}
	return b.String(), nil
}

// Build is f's Shipwright Build and the PVC of its build cache. f must be
// defaulted and have spec.build.
func Build(f *v1alpha1.Function, cfg Config) (*shp.Build, *corev1.PersistentVolumeClaim, error) {
	b := f.Spec.Build
	builder, err := cfg.Builder(b)
	if err != nil {
		return nil, nil, err
	}
	env, err := EnvVars(b.Env)
	if err != nil {
		return nil, nil, err
	}
	hash := BuildHash(f)
	build := &shp.Build{
		TypeMeta:   metav1.TypeMeta{APIVersion: "shipwright.io/v1beta1", Kind: "Build"},
		ObjectMeta: objectMeta(f, BuildName(f), nil),
		Spec: shp.BuildSpec{
			Source: source(b.SrcRepo),
			Strategy: shp.Strategy{Name: b.Shipwright.Strategy.Name,
				Kind: ptr(shp.BuildStrategyKind(*b.Shipwright.Strategy.Kind))},
			ParamValues: []shp.ParamValue{
				{Name: ParamBuilderImage, SingleValue: &shp.SingleValue{Value: ptr(builder)}},
				{Name: ParamEnvVars, SingleValue: &shp.SingleValue{Value: ptr(env)}},
			},
			Output: shp.Image{Image: f.Spec.Image},
			Volumes: []shp.BuildVolume{{Name: CacheVolume, VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: CacheClaimName(f)}}}},
			Retention: &shp.BuildRetention{
				SucceededLimit: ptr(uint(max(1, *b.SuccessfulBuildsHistoryLimit))),
				FailedLimit:    ptr(uint(max(1, *b.FailedBuildsHistoryLimit))),
			},
		},
	}
	build.Annotations = map[string]string{AnnotationHash: hash}
	if f.Spec.ImageCredentials != nil {
		build.Spec.Output.PushSecret = ptr(f.Spec.ImageCredentials.Name)
	}
	for _, p := range b.Shipwright.Params {
		build.Spec.ParamValues = append(build.Spec.ParamValues, paramValue(p))
	}
	switch {
	case b.Shipwright.Timeout != nil:
		build.Spec.Timeout = b.Shipwright.Timeout
	case b.Timeout != nil:
		build.Spec.Timeout = b.Timeout
	}
	size := cfg.BuildCacheSize
	if size == "" {
		size = "2Gi"
	}
	qty, err := resource.ParseQuantity(size)
	if err != nil {
		return nil, nil, fmt.Errorf("build cache size %q: %w", size, err)
	}
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: objectMeta(f, CacheClaimName(f), nil),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: qty}},
		},
	}
	return build, pvc, nil
}

// ServiceAccountName is the build's ServiceAccount when builder credentials are set.
func ServiceAccountName(f *v1alpha1.Function) string { return f.Name + "-build" }

// BuildServiceAccount carries spec.build.builderCredentials as an image pull
// secret, so the build pod can pull a private builder image (Shipwright pulls
// step images with the BuildRun's ServiceAccount). Nil without credentials.
func BuildServiceAccount(f *v1alpha1.Function) *corev1.ServiceAccount {
	b := f.Spec.Build
	if b == nil || b.BuilderCredentials == nil || b.BuilderCredentials.Name == "" {
		return nil
	}
	return &corev1.ServiceAccount{
		TypeMeta:         metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:       objectMeta(f, ServiceAccountName(f), nil),
		ImagePullSecrets: []corev1.LocalObjectReference{*b.BuilderCredentials},
	}
}

// BuildRun runs f's Build once for the given build hash.
func BuildRun(f *v1alpha1.Function, hash string) *shp.BuildRun {
	br := &shp.BuildRun{
		TypeMeta:   metav1.TypeMeta{APIVersion: "shipwright.io/v1beta1", Kind: "BuildRun"},
		ObjectMeta: objectMeta(f, BuildRunName(f, hash), nil),
		Spec:       shp.BuildRunSpec{Build: shp.ReferencedBuild{Name: ptr(BuildName(f))}},
	}
	if sa := BuildServiceAccount(f); sa != nil {
		br.Spec.ServiceAccount = ptr(sa.Name)
	}
	br.Annotations = map[string]string{AnnotationHash: hash}
	return br
}

func source(r *v1alpha1.GitRepo) *shp.Source {
	if r == nil {
		return nil
	}
	s := &shp.Source{ContextDir: r.SourceSubPath}
	if r.URL == "" && r.BundleContainer != nil {
		s.Type, s.OCIArtifact = shp.OCIArtifactType, &shp.OCIArtifact{Image: r.BundleContainer.Image}
		return s
	}
	s.Type, s.Git = shp.GitType, &shp.Git{URL: r.URL, Revision: r.Revision}
	if r.Credentials != nil {
		s.Git.CloneSecret = ptr(r.Credentials.Name)
	}
	return s
}

func paramValue(p *v1alpha1.ParamValue) shp.ParamValue {
	out := shp.ParamValue{Name: p.Name}
	if p.Value != nil || p.ConfigMapValue != nil || p.SecretValue != nil {
		out.SingleValue = &shp.SingleValue{Value: p.Value, ConfigMapValue: keyRef(p.ConfigMapValue), SecretValue: keyRef(p.SecretValue)}
	}
	for _, v := range p.Values {
		out.Values = append(out.Values, shp.SingleValue{Value: v.Value, ConfigMapValue: keyRef(v.ConfigMapValue), SecretValue: keyRef(v.SecretValue)})
	}
	return out
}

func keyRef(r *v1alpha1.ObjectKeyRef) *shp.ObjectKeyRef {
	if r == nil {
		return nil
	}
	return &shp.ObjectKeyRef{Name: r.Name, Key: r.Key, Format: r.Format}
}
