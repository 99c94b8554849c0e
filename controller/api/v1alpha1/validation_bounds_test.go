package v1alpha1

import (
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestValidateBounds: each limit, just inside (valid) and just outside
// (the field named).
func TestValidateBounds(t *testing.T) {
	async := func(f *Function) {
		f.Spec.Serving.Triggers = &Triggers{Dapr: []*DaprTrigger{{Name: "in", Type: "bindings.cron"}}}
		f.Spec.Serving.WorkloadType = WorkloadDeployment
	}
	scale := func(min, max *int32) func(*Function) {
		return func(f *Function) { f.Spec.Serving.ScaleOptions = &ScaleOptions{MinReplicas: min, MaxReplicas: max} }
	}
	window := func(w int32) func(*Function) {
		return func(f *Function) {
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledObject: &KedaScaledObject{Advanced: &AdvancedConfig{
				HorizontalPodAutoscalerConfig: &HorizontalPodAutoscalerConfig{Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
					ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(w)}}}}}}}
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Function)
		want   string // "" valid
	}{
		{"build timeout 0", func(f *Function) { f.Spec.Build.Timeout = &metav1.Duration{} }, ""},
		{"build timeout negative", func(f *Function) { f.Spec.Build.Timeout = &metav1.Duration{Duration: -time.Second} }, `spec.build.timeout: Invalid value: "-1s": must be >= 0`},
		{"shipwright timeout 0", func(f *Function) { f.Spec.Build.Shipwright.Timeout = &metav1.Duration{} }, ""},
		{"shipwright timeout negative", func(f *Function) { f.Spec.Build.Shipwright.Timeout = &metav1.Duration{Duration: -time.Minute} }, `spec.build.shipwright.timeout: Invalid value: "-1m0s": must be >= 0`},
		{"history 0", func(f *Function) { f.Spec.Build.SuccessfulBuildsHistoryLimit = ptr(int32(0)) }, ""},
		{"successful history negative", func(f *Function) { f.Spec.Build.SuccessfulBuildsHistoryLimit = ptr(int32(-1)) }, "spec.build.successfulBuildsHistoryLimit: Invalid value: -1"},
		{"strategy without a name", func(f *Function) { f.Spec.Build.Shipwright.Strategy.Name = "" }, "spec.build.shipwright.strategy.name: Required value"},
		{"a BuildStrategy", func(f *Function) { f.Spec.Build.Shipwright.Strategy.Kind = ptr(BuildStrategyKind) }, ""},
		{"param without a name", func(f *Function) { f.Spec.Build.Shipwright.Params = []*ParamValue{nil} }, "spec.build.shipwright.params[0].name: Required value"},
		{"git@ url", func(f *Function) { f.Spec.Build.SrcRepo.URL = "git@github.com:example/fns.git" }, ""},
		{"workloadRuntime OCIContainer", func(f *Function) { f.Spec.WorkloadRuntime = OCIContainer }, ""},
		{"workloadRuntime empty", func(f *Function) { f.Spec.WorkloadRuntime = "" }, ""},
		{"workloadRuntime wasm", func(f *Function) { f.Spec.WorkloadRuntime = "WasmEdge" }, `spec.workloadRuntime: Unsupported value: "WasmEdge"`},
		{"port 1", func(f *Function) { f.Spec.Serving.Triggers.HTTP.Port = ptr(int32(1)) }, ""},
		{"port 65535", func(f *Function) { f.Spec.Serving.Triggers.HTTP.Port = ptr(int32(65535)) }, ""},
		{"port 65536", func(f *Function) { f.Spec.Serving.Triggers.HTTP.Port = ptr(int32(65536)) }, "spec.serving.triggers.http.port: Invalid value: 65536: must be 1-65535"},
		{"route path /", func(f *Function) {
			f.Spec.Serving.Triggers.HTTP.Route = &RouteImpl{Rules: []RouteRule{{Matches: []RouteMatch{{Path: &PathMatch{Value: ptr("/")}}}}}}
		}, ""},
		{"minReplicas 0", scale(ptr(int32(0)), nil), ""},
		{"minReplicas -1", scale(ptr(int32(-1)), nil), "spec.serving.scaleOptions.minReplicas: Invalid value: -1: must be >= 0"},
		{"maxReplicas 1", scale(nil, ptr(int32(1))), ""},
		{"maxReplicas 0", scale(nil, ptr(int32(0))), "spec.serving.scaleOptions.maxReplicas: Invalid value: 0: must be >= 1"},
		{"min = max", scale(ptr(int32(3)), ptr(int32(3))), ""},
		{"min > max by one", scale(ptr(int32(4)), ptr(int32(3))), "spec.serving.scaleOptions.minReplicas: Invalid value: 4: must be <= maxReplicas (3)"},
		{"one scaler", func(f *Function) {
			async(f)
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledObject: &KedaScaledObject{}}}
		}, ""},
		{"scaledObject and httpScaledObject", func(f *Function) {
			async(f)
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledObject: &KedaScaledObject{}, HTTPScaledObject: &KedaHTTPScaledObject{}}}
		}, "set only one of scaledObject, scaledJob and httpScaledObject"},
		{"scaledObject on a Job", func(f *Function) {
			async(f)
			f.Spec.Serving.WorkloadType = WorkloadJob
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledObject: &KedaScaledObject{}}}
		}, "spec.serving.scaleOptions.keda.scaledObject: Invalid value: \"\": a Job is scaled by scaledJob"},
		{"scaledJob on a Job", func(f *Function) {
			async(f)
			f.Spec.Serving.WorkloadType = WorkloadJob
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledJob: &KedaScaledJob{}}}
		}, ""},
		{"stabilization 0", window(0), ""},
		{"stabilization 3600", window(3600), ""},
		{"stabilization -1", window(-1), "behavior.scaleUp.stabilizationWindowSeconds: Invalid value: -1: must be 0-3600"},
		{"stabilization 3601", window(3601), "behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be 0-3600"},
		{"keda trigger without a type", func(f *Function) {
			async(f)
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{Triggers: []ScaleTrigger{{Type: "kafka"}, {}}}}
		}, "spec.serving.scaleOptions.keda.triggers[1].type: Required value"},
		{"an output of no component", func(f *Function) { f.Spec.Serving.Outputs = []*Output{nil, {}} }, "spec.serving.outputs[1].dapr.name: Required value"},
		{"an output to a named binding", func(f *Function) {
			f.Spec.Serving.Outputs = []*Output{{Dapr: &DaprOutput{DaprIO: DaprIO{Name: "out"}}}}
			f.Spec.Serving.Bindings = map[string]*ComponentSpec{"out": {Type: "bindings.kafka", Version: "v1"}}
		}, ""},
		{"an output to a pub/sub without a topic", func(f *Function) {
			f.Spec.Serving.Outputs = []*Output{{Dapr: &DaprOutput{DaprIO: DaprIO{Name: "bus"}}}}
			f.Spec.Serving.Pubsub = map[string]*ComponentSpec{"bus": {Type: "pubsub.redis", Version: "v1"}}
		}, "spec.serving.outputs[0].dapr.topic: Required value: bus is a pub/sub component: name the topic to publish to"},
		{"an output to a state store of pub/sub type", func(f *Function) {
			f.Spec.Serving.Outputs = []*Output{{Dapr: &DaprOutput{DaprIO: DaprIO{Name: "s"}}}}
			f.Spec.Serving.States = map[string]*State{"s": {Spec: &ComponentSpec{Type: "pubsub.redis", Version: "v1"}}}
		}, "spec.serving.outputs[0].dapr.topic: Required value"},
		{"an output to an existing state store", func(f *Function) {
			f.Spec.Serving.Outputs = []*Output{{Dapr: &DaprOutput{DaprIO: DaprIO{Name: "s"}}}}
			f.Spec.Serving.States = map[string]*State{"s": {}}
		}, ""},
		{"an input without a component", func(f *Function) {
			f.Spec.Serving.Triggers.Inputs = []*Input{{Dapr: &DaprIO{Name: "x"}}, {Dapr: &DaprIO{}}}
		}, "spec.serving.triggers.inputs[1].dapr.name: Required value"},
		{"a dapr trigger without a name", func(f *Function) { f.Spec.Serving.Triggers.Dapr = []*DaprTrigger{nil} }, "spec.serving.triggers.dapr[0].name: Required value"},
		{"a binding without a type", func(f *Function) { f.Spec.Serving.Bindings = map[string]*ComponentSpec{"b": {}} }, "spec.serving.bindings[b].type: Required value: the Dapr component type, e.g. bindings.mqtt3"},
		{"a workload type", func(f *Function) { f.Spec.Serving.WorkloadType = "DaemonSet" }, `spec.serving.workloadType: Unsupported value: "DaemonSet"`},
		{"a custom job strategy done right", func(f *Function) {
			async(f)
			f.Spec.Serving.WorkloadType = WorkloadJob
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledJob: &KedaScaledJob{ScalingStrategy: &ScalingStrategy{Strategy: "custom",
				CustomScalingQueueLengthDeduction: ptr(int32(1)), CustomScalingRunningJobPercentage: "50%"}}}}
		}, ""},
		{"an unknown job strategy", func(f *Function) {
			async(f)
			f.Spec.Serving.WorkloadType = WorkloadJob
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledJob: &KedaScaledJob{ScalingStrategy: &ScalingStrategy{Strategy: "eager"}}}}
		}, `spec.serving.scaleOptions.keda.scaledJob.scalingStrategy.strategy: Unsupported value: "eager"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := valid()
			f.Default()
			tc.mutate(f)
			got := f.Validate().ToAggregate()
			switch {
			case tc.want == "" && got != nil:
				t.Fatalf("unexpected: %v", got)
			case tc.want != "" && (got == nil || !strings.Contains(got.Error(), tc.want)):
				t.Fatalf("got %v, want %q", got, tc.want)
			}
		})
	}
}

// TestDefaultsKeepWhatIsSet: defaulting fills in only what is missing or
// empty.
func TestDefaultsKeepWhatIsSet(t *testing.T) {
	f := valid()
	f.Spec.Version = ptr("")
	f.Spec.Build.Shipwright = &ShipwrightEngine{Strategy: &Strategy{Name: "custom", Kind: ptr("")}}
	f.Spec.Serving.Triggers = &Triggers{HTTP: &HTTPTrigger{Engine: ptr("")}}
	f.Default()
	if *f.Spec.Version != DefaultVersion || *f.Spec.Build.Shipwright.Strategy.Kind != ClusterBuildStrategyKind || f.Spec.Build.Shipwright.Strategy.Name != "custom" ||
		*f.Spec.Serving.Triggers.HTTP.Engine != EngineKnative {
		t.Errorf("empty values are defaulted, set ones kept: %+v %+v", f.Spec.Build.Shipwright.Strategy, f.Spec.Serving.Triggers.HTTP)
	}

	set := valid()
	set.Spec.Version = ptr("v2")
	set.Spec.WorkloadRuntime = "Custom"
	set.Spec.Build.Shipwright = &ShipwrightEngine{Strategy: &Strategy{Name: "s", Kind: ptr(BuildStrategyKind)}}
	set.Spec.Build.SuccessfulBuildsHistoryLimit, set.Spec.Build.FailedBuildsHistoryLimit = ptr(int32(3)), ptr(int32(4))
	set.Spec.Serving.Triggers = &Triggers{HTTP: &HTTPTrigger{Port: ptr(int32(9000)), Engine: ptr(EngineKeda), Route: &RouteImpl{GatewayRef: &GatewayRef{Name: "g", Namespace: "n"}}}}
	set.Spec.Serving.Hooks = &Hooks{Policy: HooksOverride}
	set.Default()
	s := set.Spec
	if *s.Version != "v2" || s.WorkloadRuntime != "Custom" || *s.Build.Shipwright.Strategy.Kind != BuildStrategyKind || *s.Build.SuccessfulBuildsHistoryLimit != 3 ||
		*s.Build.FailedBuildsHistoryLimit != 4 || *s.Serving.Triggers.HTTP.Port != 9000 || *s.Serving.Triggers.HTTP.Engine != EngineKeda ||
		s.Serving.Triggers.HTTP.Route.GatewayRef.Name != "g" || s.Serving.Hooks.Policy != HooksOverride {
		t.Errorf("a set value was overwritten: %+v", s)
	}

	job := valid()
	never := corev1.RestartPolicyNever
	job.Spec.Serving.Triggers = &Triggers{Dapr: []*DaprTrigger{{Name: "in"}}}
	job.Spec.Serving.WorkloadType = WorkloadJob
	job.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledJob: &KedaScaledJob{RestartPolicy: &never}}}
	job.Default()
	if *job.Spec.Serving.ScaleOptions.Keda.ScaledJob.RestartPolicy != never || job.Spec.Serving.WorkloadType != WorkloadJob {
		t.Errorf("scaledJob %+v, workloadType %s", job.Spec.Serving.ScaleOptions.Keda.ScaledJob, job.Spec.Serving.WorkloadType)
	}
	unset := valid()
	unset.Spec.Serving.Triggers = &Triggers{Dapr: []*DaprTrigger{{Name: "in"}}}
	unset.Spec.Serving.WorkloadType = WorkloadJob
	unset.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledJob: &KedaScaledJob{}}}
	unset.Default()
	if p := unset.Spec.Serving.ScaleOptions.Keda.ScaledJob.RestartPolicy; p == nil || *p != corev1.RestartPolicyOnFailure {
		t.Errorf("a ScaledJob's restart policy defaults to OnFailure: %v", p)
	}
	noKeda := valid()
	noKeda.Spec.Serving.ScaleOptions = &ScaleOptions{MinReplicas: ptr(int32(1))}
	noKeda.Default() // no KEDA options: nothing to default, no panic
	if noKeda.Spec.Serving.ScaleOptions.Keda != nil {
		t.Error("KEDA options appeared")
	}
}
