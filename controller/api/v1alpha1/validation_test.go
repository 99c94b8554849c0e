package v1alpha1

import (
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func valid() *Function {
	return &Function{
		ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: "default"},
		Spec: FunctionSpec{
			Image:   "registry.example.com/fn/hello",
			Build:   &BuildImpl{SrcRepo: &GitRepo{URL: "https://github.com/example/fns.git"}, Env: map[string]string{"FUNC_NAME": "HelloWorld"}},
			Serving: &ServingImpl{},
		},
	}
}

func TestDefaults(t *testing.T) {
	f := valid()
	f.Default()
	s := f.Spec
	if *s.Version != "latest" || s.WorkloadRuntime != OCIContainer {
		t.Errorf("version %q runtime %q", *s.Version, s.WorkloadRuntime)
	}
	if st := s.Build.Shipwright.Strategy; st.Name != "kiln" || *st.Kind != ClusterBuildStrategyKind {
		t.Errorf("strategy %+v", st)
	}
	if *s.Build.SuccessfulBuildsHistoryLimit != 0 || *s.Build.FailedBuildsHistoryLimit != 1 {
		t.Errorf("history limits")
	}
	h := s.Serving.Triggers.HTTP
	if h == nil || *h.Port != 8080 || *h.Engine != EngineKnative {
		t.Fatalf("no dapr triggers: an http function on 8080 served by knative, got %+v", h)
	}
	if f.IsAsync() {
		t.Error("IsAsync")
	}

	async := valid()
	async.Spec.Serving.Triggers = &Triggers{Dapr: []*DaprTrigger{{Name: "mqtt-in", Type: "bindings.mqtt3"}}}
	async.Spec.Serving.Hooks = &Hooks{Pre: []string{"log"}}
	async.Default()
	if async.Spec.Serving.Triggers.HTTP != nil || async.Spec.Serving.WorkloadType != WorkloadDeployment || !async.IsAsync() {
		t.Errorf("async: %+v %q", async.Spec.Serving.Triggers.HTTP, async.Spec.Serving.WorkloadType)
	}
	if async.Spec.Serving.Hooks.Policy != HooksAppend {
		t.Errorf("hooks policy %q", async.Spec.Serving.Hooks.Policy)
	}

	route := valid()
	route.Spec.Serving.Triggers = &Triggers{HTTP: &HTTPTrigger{Route: &RouteImpl{}}}
	route.Default()
	if g := route.Spec.Serving.Triggers.HTTP.Route.GatewayRef; g == nil || g.Name != "kiln" || g.Namespace != "kiln" {
		t.Errorf("gatewayRef %+v", g)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(f *Function)
		want   []string // each must appear; none means valid
	}{
		{name: "valid", mutate: func(*Function) {}},
		{name: "no image", mutate: func(f *Function) { f.Spec.Image = "" }, want: []string{"spec.image: Required value"}},
		{name: "image not a reference", mutate: func(f *Function) { f.Spec.Image = "Registry.example.com/Fn" }, want: []string{`spec.image: Invalid value: "Registry.example.com/Fn": not an image reference (could not parse reference: Registry.example.com/Fn)`}},
		{name: "image with a port, a tag and a digest", mutate: func(f *Function) {
			f.Spec.Image = "localhost:5000/fn/hello:v1@sha256:0000000000000000000000000000000000000000000000000000000000000000"
		}},
		{name: "neither build nor serving", mutate: func(f *Function) { f.Spec.Build, f.Spec.Serving = nil, nil }, want: []string{"spec: Required value: at least one of build or serving"}},
		{name: "no source", mutate: func(f *Function) { f.Spec.Build.SrcRepo = nil }, want: []string{"spec.build.srcRepo.url: Required value"}},
		{name: "bad git url", mutate: func(f *Function) { f.Spec.Build.SrcRepo.URL = "github.com/x/y" }, want: []string{`spec.build.srcRepo.url: Invalid value: "github.com/x/y": want a git URL`}},
		{name: "bundle instead of git", mutate: func(f *Function) { f.Spec.Build.SrcRepo = &GitRepo{BundleContainer: &BundleContainer{Image: "x"}} }},
		{name: "negative history", mutate: func(f *Function) { f.Spec.Build.FailedBuildsHistoryLimit = ptr(int32(-1)) }, want: []string{"spec.build.failedBuildsHistoryLimit: Invalid value: -1: must be >= 0"}},
		{name: "strategy kind", mutate: func(f *Function) { f.Spec.Build.Shipwright.Strategy.Kind = ptr("Strategy") }, want: []string{`spec.build.shipwright.strategy.kind: Unsupported value: "Strategy"`}},
		{name: "reserved param", mutate: func(f *Function) {
			f.Spec.Build.Shipwright.Params = []*ParamValue{{Name: "RUN_IMAGE", Value: ptr("x")}, {Name: "shp-source-root"}}
		}, want: []string{"spec.build.shipwright.params[1].name: Forbidden: shp-source-root is set by the controller"}},
		{name: "builder param", mutate: func(f *Function) {
			f.Spec.Build.Shipwright.Params = []*ParamValue{{Name: "KILN_BUILDER_IMAGE", Value: ptr("x")}}
		}, want: []string{"spec.build.shipwright.params[0].name: Forbidden: KILN_BUILDER_IMAGE is set by the controller"}},
		{name: "engine", mutate: func(f *Function) { f.Spec.Serving.Triggers.HTTP.Engine = ptr("openwhisk") }, want: []string{`spec.serving.triggers.http.engine: Unsupported value: "openwhisk"`}},
		{name: "port", mutate: func(f *Function) { f.Spec.Serving.Triggers.HTTP.Port = ptr(int32(0)) }, want: []string{"spec.serving.triggers.http.port: Invalid value: 0"}},
		{name: "route path", mutate: func(f *Function) {
			f.Spec.Serving.Triggers.HTTP.Route = &RouteImpl{Rules: []RouteRule{{Matches: []RouteMatch{{Path: &PathMatch{Value: ptr("fn")}}}}}}
		}, want: []string{`spec.serving.triggers.http.route.rules[0].matches[0].path.value: Invalid value: "fn": must start with /`}},
		{name: "pubsub trigger without topic", mutate: func(f *Function) {
			f.Spec.Serving.Triggers = &Triggers{Dapr: []*DaprTrigger{{Name: "events"}}}
			f.Spec.Serving.Pubsub = map[string]*ComponentSpec{"events": {Type: "pubsub.redis", Version: "v1"}}
		}, want: []string{"spec.serving.triggers.dapr[0].topic: Required value: events is a pub/sub component"}},
		{name: "output without name", mutate: func(f *Function) { f.Spec.Serving.Outputs = []*Output{{Dapr: &DaprOutput{}}} }, want: []string{"spec.serving.outputs[0].dapr.name: Required value"}},
		{name: "binding of the wrong kind", mutate: func(f *Function) {
			f.Spec.Serving.Bindings = map[string]*ComponentSpec{"in": {Type: "pubsub.mqtt3"}}
		}, want: []string{`spec.serving.bindings[in].type: Invalid value: "pubsub.mqtt3"`, "spec.serving.bindings[in].version: Required value"}},
		{name: "state type", mutate: func(f *Function) {
			f.Spec.Serving.States = map[string]*State{"s": {Spec: &ComponentSpec{Type: "bindings.redis", Version: "v1"}}}
		}, want: []string{`spec.serving.states[s].spec.type: Invalid value: "bindings.redis"`}},
		{name: "replicas", mutate: func(f *Function) {
			f.Spec.Serving.ScaleOptions = &ScaleOptions{MinReplicas: ptr(int32(5)), MaxReplicas: ptr(int32(2))}
		}, want: []string{"spec.serving.scaleOptions.minReplicas: Invalid value: 5: must be <= maxReplicas (2)"}},
		{name: "two keda scalers", mutate: func(f *Function) {
			f.Spec.Serving.Triggers = &Triggers{Dapr: []*DaprTrigger{{Name: "in"}}}
			f.Spec.Serving.WorkloadType = WorkloadDeployment
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledObject: &KedaScaledObject{}, ScaledJob: &KedaScaledJob{}}}
		}, want: []string{"spec.serving.scaleOptions.keda: Invalid value: \"\": set only one of", "spec.serving.scaleOptions.keda.scaledJob: Invalid value: \"\": needs serving.workloadType: Job"}},
		{name: "hpa behavior", mutate: func(f *Function) {
			sp := autoscalingv2.ScalingPolicySelect("Most")
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledObject: &KedaScaledObject{Advanced: &AdvancedConfig{HorizontalPodAutoscalerConfig: &HorizontalPodAutoscalerConfig{
				Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(4000)), SelectPolicy: &sp}}}}}}}
		}, want: []string{"behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: must be 0-3600", `behavior.scaleDown.selectPolicy: Unsupported value: "Most"`}},
		{name: "custom job strategy", mutate: func(f *Function) {
			f.Spec.Serving.Triggers = &Triggers{Dapr: []*DaprTrigger{{Name: "in"}}}
			f.Spec.Serving.WorkloadType = WorkloadJob
			f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledJob: &KedaScaledJob{ScalingStrategy: &ScalingStrategy{Strategy: "custom", CustomScalingRunningJobPercentage: "half"}}}}
		}, want: []string{"customScalingQueueLengthDeduction: Required value", `customScalingRunningJobPercentage: Invalid value: "half"`}},
		{name: "job with http", mutate: func(f *Function) { f.Spec.Serving.WorkloadType = WorkloadJob }, want: []string{"spec.serving.workloadType: Invalid value: \"Job\": Job is for async functions"}},
		{name: "hooks policy", mutate: func(f *Function) { f.Spec.Serving.Hooks = &Hooks{Policy: "Merge"} }, want: []string{`spec.serving.hooks.policy: Unsupported value: "Merge"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := valid()
			f.Default()
			tc.mutate(f)
			errs := f.Validate()
			got := errs.ToAggregate()
			if len(tc.want) == 0 {
				if got != nil {
					t.Fatalf("unexpected: %v", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("valid, want %v", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("missing %q in\n%v", w, got)
				}
			}
		})
	}
}
