package render

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	daprcommon "github.com/dapr/dapr/pkg/apis/common"
	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// FunctionContainer is the name of the function's container in the pod.
const FunctionContainer = "function"

// Knative autoscaling annotations.
const (
	knativeMinScale = "autoscaling.knative.dev/min-scale"
	knativeMaxScale = "autoscaling.knative.dev/max-scale"
	knativePrefix   = "autoscaling.knative.dev/"
)

// Serving is every object that serves f with image (pinned by digest once
// built): a Knative Service (with a daprd sidecar and its Dapr Components
// when it uses Dapr), or for async functions the workload, its Dapr
// Components and KEDA scaler; plus the HTTPRoute when f has a route, to
// the revisions of traffic (the Knative Service's status.traffic; nil
// before it has any). f must be defaulted; cfg.Gateway must be set when f
// has a route.
func Serving(f *v1alpha1.Function, cfg Config, image string, traffic []servingv1.TrafficTarget) ([]client.Object, error) {
	v := f.Spec.Serving
	var objs []client.Object
	if f.IsAsync() {
		async, err := asyncObjects(f, image)
		if err != nil {
			return nil, err
		}
		objs = append(objs, async...)
	} else {
		h := v.Triggers.HTTP
		if *h.Engine != v1alpha1.EngineKnative {
			return nil, fmt.Errorf("spec.serving.triggers.http.engine: %s (the KEDA HTTP add-on) is not supported by Kiln yet; use knative", *h.Engine)
		}
		objs = append(objs, knativeService(f, image))
		if UsesDapr(f) {
			// The sync→async bridge: the function's outputs (and inputs)
			// go through a daprd sidecar, with its Components.
			comps, err := Components(f)
			if err != nil {
				return nil, err
			}
			objs = append(objs, comps...)
		}
		if h.Route != nil {
			if cfg.Gateway == nil {
				return nil, fmt.Errorf("spec.serving.triggers.http.route: no Gateway config; create the ConfigMap %s/%s (see controller/config/gateway)",
					h.Route.GatewayRef.Namespace, h.Route.GatewayRef.Name)
			}
			route, err := HTTPRoute(f, cfg, traffic)
			if err != nil {
				return nil, err
			}
			objs = append(objs, route)
		}
	}
	hash := Hash(struct {
		Image   string
		Serving *v1alpha1.ServingImpl
	}{image, v})
	for _, o := range objs {
		a := o.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[AnnotationHash] = hash
		o.SetAnnotations(a)
	}
	return objs, nil
}

// podSpec is the template with the function container filled in.
func podSpec(f *v1alpha1.Function, image string, env []corev1.EnvVar, port int32) corev1.PodSpec {
	var spec corev1.PodSpec
	if t := f.Spec.Serving.Template; t != nil {
		spec = *t.DeepCopy()
	}
	idx := -1
	for i, c := range spec.Containers {
		if c.Name == FunctionContainer {
			idx = i
		}
	}
	if idx < 0 {
		spec.Containers = append([]corev1.Container{{Name: FunctionContainer}}, spec.Containers...)
		idx = 0
	}
	c := &spec.Containers[idx]
	c.Image = image
	c.Env = append(env, c.Env...)
	if port > 0 && len(c.Ports) == 0 {
		c.Ports = []corev1.ContainerPort{{Name: "http1", ContainerPort: port, Protocol: corev1.ProtocolTCP}}
	}
	if f.Spec.ImageCredentials != nil {
		spec.ImagePullSecrets = append(spec.ImagePullSecrets, *f.Spec.ImageCredentials)
	}
	return spec
}

// env is the function container's environment: what the framework reads,
// then spec.serving.params (sorted).
func env(f *v1alpha1.Function, async bool) []corev1.EnvVar {
	var out []corev1.EnvVar
	if b := f.Spec.Build; b != nil {
		if name := b.Env["FUNC_NAME"]; name != "" {
			out = append(out, corev1.EnvVar{Name: "FUNCTION_TARGET", Value: name})
		}
		if sig := b.Env["FUNC_SIGNATURE_TYPE"]; sig != "" {
			out = append(out, corev1.EnvVar{Name: "FUNCTION_SIGNATURE_TYPE", Value: sig})
		}
	}
	out = append(out, corev1.EnvVar{Name: "FUNC_CONTEXT", Value: BuildFuncContext(f).JSON()})
	if async {
		out = append(out, corev1.EnvVar{Name: "APP_PROTOCOL", Value: appProtocol(f)},
			corev1.EnvVar{Name: "PORT", Value: strconv.Itoa(int(v1alpha1.DefaultPort))})
	}
	out = append(out,
		corev1.EnvVar{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		corev1.EnvVar{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}})
	params := f.Spec.Serving.Params
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, corev1.EnvVar{Name: k, Value: params[k]})
	}
	return out
}

func knativeService(f *v1alpha1.Function, image string) *servingv1.Service {
	v := f.Spec.Serving
	ann := map[string]string{}
	if so := v.ScaleOptions; so != nil {
		if so.MinReplicas != nil {
			ann[knativeMinScale] = strconv.Itoa(int(*so.MinReplicas))
		}
		if so.MaxReplicas != nil {
			ann[knativeMaxScale] = strconv.Itoa(int(*so.MaxReplicas))
		}
		for k, val := range so.Knative {
			if !strings.HasPrefix(k, knativePrefix) {
				k = knativePrefix + k
			}
			ann[k] = val
		}
	}
	if UsesDapr(f) {
		for k, val := range daprAnnotations(f, int(*v.Triggers.HTTP.Port), "http") {
			ann[k] = val
		}
	}
	for k, val := range v.Annotations {
		ann[k] = val
	}
	svc := &servingv1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "serving.knative.dev/v1", Kind: "Service"},
		ObjectMeta: objectMeta(f, f.Name, v.Labels),
	}
	tmpl := &svc.Spec.Template
	tmpl.Labels = objectMeta(f, "", v.Labels).Labels
	if len(ann) > 0 {
		tmpl.Annotations = ann
	}
	tmpl.Spec.PodSpec = podSpec(f, image, env(f, false), *v.Triggers.HTTP.Port)
	return svc
}

// UsesDapr says whether f talks to Dapr: an async function always; a sync
// (Knative) one when it sends to outputs, reads inputs, declares Dapr
// components or uses state stores (OpenFunction's sync→async bridge, where the Knative pod gets a
// daprd sidecar too).
func UsesDapr(f *v1alpha1.Function) bool {
	if f.IsAsync() {
		return true
	}
	v := f.Spec.Serving
	if len(v.Outputs) > 0 || len(v.Bindings) > 0 || len(v.Pubsub) > 0 || len(v.States) > 0 {
		return true
	}
	return v.Triggers != nil && len(v.Triggers.Inputs) > 0
}

// daprAnnotations ask Dapr's sidecar injector for a daprd next to the
// function, calling it on port with protocol; spec.serving.annotations
// override them.
func daprAnnotations(f *v1alpha1.Function, port int, protocol string) map[string]string {
	return map[string]string{
		"dapr.io/enabled":      "true",
		"dapr.io/app-id":       AppID(f),
		"dapr.io/app-port":     strconv.Itoa(port),
		"dapr.io/app-protocol": protocol,
		"dapr.io/log-as-json":  "true",
	}
}

// AppID is f's Dapr app id.
func AppID(f *v1alpha1.Function) string { return f.Name + "-" + f.Namespace }

func appProtocol(f *v1alpha1.Function) string {
	if p := f.Spec.Serving.Annotations["dapr.io/app-protocol"]; p != "" {
		return p
	}
	return "grpc"
}

func asyncObjects(f *v1alpha1.Function, image string) ([]client.Object, error) {
	v := f.Spec.Serving
	ann := daprAnnotations(f, int(v1alpha1.DefaultPort), "grpc")
	for k, val := range v.Annotations {
		ann[k] = val
	}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: objectMeta(f, "", v.Labels).Labels, Annotations: ann},
		Spec: podSpec(f, image, env(f, true), 0)}
	var objs []client.Object
	so := v.ScaleOptions
	var minR, maxR *int32
	var keda *v1alpha1.KedaScaleOptions
	if so != nil {
		minR, maxR, keda = so.MinReplicas, so.MaxReplicas, so.Keda
	}
	replicas := ptr(int32(1))
	if minR != nil && *minR > 0 {
		replicas = minR
	}
	scaled := v.WorkloadType != v1alpha1.WorkloadJob && keda != nil && len(keda.Triggers) > 0
	if scaled {
		// KEDA (its HPA) owns the replicas: a count applied here would
		// take them back on every reconcile (the controller applies with
		// ForceOwnership when the workload's status changes), so a
		// Function KEDA scaled up would be scaled back, and one at zero
		// started. Created without it, the workload starts with the
		// default one replica until KEDA takes over.
		replicas = nil
	}
	selector := &metav1.LabelSelector{MatchLabels: map[string]string{LabelFunction: f.Name}}
	switch v.WorkloadType {
	case v1alpha1.WorkloadJob:
		sj := &kedav1alpha1.ScaledJob{
			TypeMeta:   metav1.TypeMeta{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledJob"},
			ObjectMeta: objectMeta(f, f.Name, v.Labels),
			Spec: kedav1alpha1.ScaledJobSpec{JobTargetRef: &batchv1.JobSpec{Template: tmpl},
				MinReplicaCount: minR, MaxReplicaCount: maxR, Triggers: triggers(keda)},
		}
		if keda != nil && keda.ScaledJob != nil {
			j := keda.ScaledJob
			sj.Spec.JobTargetRef.Template.Spec.RestartPolicy = *j.RestartPolicy
			sj.Spec.PollingInterval, sj.Spec.SuccessfulJobsHistoryLimit, sj.Spec.FailedJobsHistoryLimit = j.PollingInterval, j.SuccessfulJobsHistoryLimit, j.FailedJobsHistoryLimit
			if s := j.ScalingStrategy; s != nil {
				sj.Spec.ScalingStrategy = kedav1alpha1.ScalingStrategy{Strategy: s.Strategy,
					CustomScalingQueueLengthDeduction: s.CustomScalingQueueLengthDeduction, CustomScalingRunningJobPercentage: s.CustomScalingRunningJobPercentage}
			}
		} else {
			sj.Spec.JobTargetRef.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		}
		if len(sj.Spec.Triggers) == 0 {
			return nil, fmt.Errorf("spec.serving.scaleOptions.keda.triggers: a Job workload is started by KEDA: add at least one trigger (e.g. type kafka)")
		}
		objs = append(objs, sj)
	case v1alpha1.WorkloadStatefulSet:
		objs = append(objs, &appsv1.StatefulSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
			ObjectMeta: objectMeta(f, f.Name, v.Labels),
			Spec:       appsv1.StatefulSetSpec{Replicas: replicas, Selector: selector, Template: tmpl, ServiceName: f.Name},
		})
	default:
		objs = append(objs, &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: objectMeta(f, f.Name, v.Labels),
			Spec:       appsv1.DeploymentSpec{Replicas: replicas, Selector: selector, Template: tmpl},
		})
	}
	if scaled {
		objs = append(objs, scaledObject(f, minR, maxR, keda))
	}
	comps, err := Components(f)
	if err != nil {
		return nil, err
	}
	return append(objs, comps...), nil
}

func triggers(k *v1alpha1.KedaScaleOptions) []kedav1alpha1.ScaleTriggers {
	if k == nil {
		return nil
	}
	var out []kedav1alpha1.ScaleTriggers
	for _, t := range k.Triggers {
		st := kedav1alpha1.ScaleTriggers{Type: t.Type, Name: t.Name, UseCachedMetrics: t.UseCachedMetrics, Metadata: t.Metadata, MetricType: t.MetricType}
		if st.Metadata == nil {
			st.Metadata = map[string]string{}
		}
		if t.AuthenticationRef != nil {
			st.AuthenticationRef = &kedav1alpha1.AuthenticationRef{Name: t.AuthenticationRef.Name, Kind: t.AuthenticationRef.Kind}
		}
		out = append(out, st)
	}
	return out
}

func scaledObject(f *v1alpha1.Function, minR, maxR *int32, k *v1alpha1.KedaScaleOptions) *kedav1alpha1.ScaledObject {
	v := f.Spec.Serving
	so := &kedav1alpha1.ScaledObject{
		TypeMeta:   metav1.TypeMeta{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject"},
		ObjectMeta: objectMeta(f, f.Name, v.Labels),
		Spec: kedav1alpha1.ScaledObjectSpec{
			ScaleTargetRef:  &kedav1alpha1.ScaleTarget{Name: f.Name, APIVersion: "apps/v1", Kind: v.WorkloadType},
			MinReplicaCount: minR, MaxReplicaCount: maxR, Triggers: triggers(k),
		},
	}
	if o := k.ScaledObject; o != nil {
		so.Spec.PollingInterval, so.Spec.CooldownPeriod = o.PollingInterval, o.CooldownPeriod
		if a := o.Advanced; a != nil {
			so.Spec.Advanced = &kedav1alpha1.AdvancedConfig{RestoreToOriginalReplicaCount: a.RestoreToOriginalReplicaCount}
			if h := a.HorizontalPodAutoscalerConfig; h != nil {
				so.Spec.Advanced.HorizontalPodAutoscalerConfig = &kedav1alpha1.HorizontalPodAutoscalerConfig{Name: h.Name, Behavior: h.Behavior}
			}
		}
		if fb := o.Fallback; fb != nil {
			so.Spec.Fallback = &kedav1alpha1.Fallback{FailureThreshold: fb.FailureThreshold, Replicas: fb.Replicas}
		}
	}
	return so
}

// Components are the Dapr Components f declares (bindings, pubsub, states
// with a spec), scoped to f's app id.
func Components(f *v1alpha1.Function) ([]client.Object, error) {
	v := f.Spec.Serving
	specs := map[string]*v1alpha1.ComponentSpec{}
	for k, c := range v.Bindings {
		specs[k] = c
	}
	for k, c := range v.Pubsub {
		specs[k] = c
	}
	for k, st := range v.States {
		if st != nil && st.Spec != nil {
			specs[k] = st.Spec
		}
	}
	keys := make([]string, 0, len(specs))
	for k := range specs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []client.Object
	for _, k := range keys {
		c := specs[k]
		comp := &daprv1alpha1.Component{
			TypeMeta:   metav1.TypeMeta{APIVersion: "dapr.io/v1alpha1", Kind: "Component"},
			ObjectMeta: objectMeta(f, ComponentName(f, k), nil),
			Spec: daprv1alpha1.ComponentSpec{Type: c.Type, Version: c.Version, IgnoreErrors: c.IgnoreErrors,
				InitTimeout: c.InitTimeout, Metadata: []daprcommon.NameValuePair{}},
			Scoped: daprcommon.Scoped{Scopes: []string{AppID(f)}},
		}
		for _, m := range c.Metadata {
			nv := daprcommon.NameValuePair{Name: m.Name}
			if m.SecretKeyRef != nil {
				nv.SecretKeyRef = daprcommon.SecretKeyRef{Name: m.SecretKeyRef.Name, Key: m.SecretKeyRef.Key}
			} else {
				raw, err := json.Marshal(m.Value)
				if err != nil {
					return nil, err
				}
				nv.Value = daprcommon.DynamicValue{JSON: apiextensionsv1.JSON{Raw: raw}}
			}
			comp.Spec.Metadata = append(comp.Spec.Metadata, nv)
		}
		out = append(out, comp)
	}
	return out, nil
}
