package v1alpha1

import corev1 "k8s.io/api/core/v1"

// Defaults of a Function, applied by the controller before it builds objects
// (and by `kiln render`), the way OpenFunction's webhook defaults its v1beta2.
const (
	DefaultVersion                 = "latest"
	DefaultPort              int32 = 8080
	DefaultStrategy                = "kiln"
	ClusterBuildStrategyKind       = "ClusterBuildStrategy"
	BuildStrategyKind              = "BuildStrategy"
	EngineKnative                  = "knative"
	EngineKeda                     = "keda"
	DefaultGatewayName             = "kiln"
	DefaultGatewayNamespace        = "kiln"
	WorkloadDeployment             = "Deployment"
	WorkloadStatefulSet            = "StatefulSet"
	WorkloadJob                    = "Job"
	HooksAppend                    = "Append"
	HooksOverride                  = "Override"
	OCIContainer                   = "OCIContainer"
)

func ptr[T any](v T) *T { return &v }

// Default fills in what the user left out. A Function with no dapr triggers
// is an HTTP (sync) function on port 8080, served by Knative.
func (f *Function) Default() {
	s := &f.Spec
	if s.Version == nil || *s.Version == "" {
		s.Version = ptr(DefaultVersion)
	}
	if s.WorkloadRuntime == "" {
		s.WorkloadRuntime = OCIContainer
	}
	if b := s.Build; b != nil {
		if b.Shipwright == nil {
			b.Shipwright = &ShipwrightEngine{}
		}
		if b.Shipwright.Strategy == nil {
			b.Shipwright.Strategy = &Strategy{Name: DefaultStrategy}
		}
		if b.Shipwright.Strategy.Kind == nil || *b.Shipwright.Strategy.Kind == "" {
			b.Shipwright.Strategy.Kind = ptr(ClusterBuildStrategyKind)
		}
		if b.SuccessfulBuildsHistoryLimit == nil {
			b.SuccessfulBuildsHistoryLimit = ptr(int32(0))
		}
		if b.FailedBuildsHistoryLimit == nil {
			b.FailedBuildsHistoryLimit = ptr(int32(1))
		}
	}
	v := s.Serving
	if v == nil {
		return
	}
	if v.Triggers == nil {
		v.Triggers = &Triggers{}
	}
	if v.Triggers.HTTP == nil && len(v.Triggers.Dapr) == 0 {
		v.Triggers.HTTP = &HTTPTrigger{}
	}
	if h := v.Triggers.HTTP; h != nil {
		if h.Port == nil {
			h.Port = ptr(DefaultPort)
		}
		if h.Engine == nil || *h.Engine == "" {
			h.Engine = ptr(EngineKnative)
		}
		if h.Route != nil && h.Route.GatewayRef == nil {
			h.Route.GatewayRef = &GatewayRef{Name: DefaultGatewayName, Namespace: DefaultGatewayNamespace}
		}
	} else if v.WorkloadType == "" {
		v.WorkloadType = WorkloadDeployment
	}
	if v.Hooks != nil && v.Hooks.Policy == "" {
		v.Hooks.Policy = HooksAppend
	}
	if j := scaledJob(v); j != nil && j.RestartPolicy == nil {
		p := "OnFailure"
		j.RestartPolicy = (*corev1.RestartPolicy)(&p)
	}
}

func scaledJob(v *ServingImpl) *KedaScaledJob {
	if v.ScaleOptions == nil || v.ScaleOptions.Keda == nil {
		return nil
	}
	return v.ScaleOptions.Keda.ScaledJob
}

// IsAsync says whether the function is driven by Dapr rather than HTTP.
func (f *Function) IsAsync() bool {
	return f.Spec.Serving != nil && f.Spec.Serving.Triggers != nil && f.Spec.Serving.Triggers.HTTP == nil
}
