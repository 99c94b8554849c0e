package v1alpha1

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Function is a serverless function: its source, build and serving.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=fn,categories=kiln
// +kubebuilder:printcolumn:name="BuildState",type=string,JSONPath=`.status.build.state`
// +kubebuilder:printcolumn:name="ServingState",type=string,JSONPath=`.status.serving.state`
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.status.url`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Function struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   FunctionSpec   `json:"spec,omitempty"`
	Status FunctionStatus `json:"status,omitempty"`
}

// FunctionList is a list of Functions.
//
// +kubebuilder:object:root=true
type FunctionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Function `json:"items"`
}

// FunctionSpec is what to build and how to serve it. At least one of build and
// serving is set.
//
// +kubebuilder:validation:XValidation:rule="has(self.build) || has(self.serving)",message="set at least one of build or serving"
type FunctionSpec struct {
	// Version of the function, e.g. v1.0.0; defaults to "latest". It labels
	// the workload (app.kubernetes.io/version).
	// +optional
	Version *string `json:"version,omitempty"`
	// Image is where the build pushes and what serving runs (pinned to the
	// built digest).
	// +kubebuilder:validation:MinLength=1
	Image string `json:"image"`
	// ImageCredentials is the push secret for the build and the pull secret
	// for serving.
	// +optional
	ImageCredentials *corev1.LocalObjectReference `json:"imageCredentials,omitempty"`
	// WorkloadRuntime is OCIContainer (the default and only one Kiln serves).
	// +optional
	// +kubebuilder:validation:Enum=OCIContainer
	WorkloadRuntime string `json:"workloadRuntime,omitempty"`
	// Build turns the source into Image; without it Image is served as is.
	// +optional
	Build *BuildImpl `json:"build,omitempty"`
	// Serving runs Image; without it the function is only built.
	// +optional
	Serving *ServingImpl `json:"serving,omitempty"`
}

// BuildImpl is the build of the function (a Shipwright Build + BuildRun).
//
// +kubebuilder:validation:XValidation:rule="has(self.srcRepo) && ((has(self.srcRepo.url) && size(self.srcRepo.url) > 0) || has(self.srcRepo.bundleContainer))",message="srcRepo.url is required: the git repository of the function's source (or srcRepo.bundleContainer.image)"
type BuildImpl struct {
	// Language picks Kiln's builder when Builder is not set: go (the
	// default), nodejs, python or java, each mapped to an image by the
	// controller's --builder LANGUAGE=IMAGE flags. A language the controller
	// has no builder for is reported as the condition Built=False, reason
	// UnknownLanguage.
	// +optional
	Language string `json:"language,omitempty"`
	// Builder is the builder image; it wins over Language.
	// +optional
	Builder *string `json:"builder,omitempty"`
	// BuilderCredentials is the pull secret for the builder image.
	// +optional
	BuilderCredentials *corev1.LocalObjectReference `json:"builderCredentials,omitempty"`
	// Shipwright selects the build strategy and its parameters.
	// +optional
	Shipwright *ShipwrightEngine `json:"shipwright,omitempty"`
	// Env is the build's environment: FUNC_NAME, FUNC_SIGNATURE_TYPE,
	// BP_* and the buildpacks' other variables.
	// +optional
	Env map[string]string `json:"env,omitempty"`
	// SrcRepo is the function's source.
	SrcRepo *GitRepo `json:"srcRepo,omitempty"`
	// Dockerfile is a path in the source, for Dockerfile strategies.
	// +optional
	Dockerfile *string `json:"dockerfile,omitempty"`
	// Timeout bounds the whole build.
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// SuccessfulBuildsHistoryLimit is how many succeeded BuildRuns to keep (default 0).
	// +optional
	// +kubebuilder:validation:Minimum=0
	SuccessfulBuildsHistoryLimit *int32 `json:"successfulBuildsHistoryLimit,omitempty"`
	// FailedBuildsHistoryLimit is how many failed BuildRuns to keep (default 1).
	// +optional
	// +kubebuilder:validation:Minimum=0
	FailedBuildsHistoryLimit *int32 `json:"failedBuildsHistoryLimit,omitempty"`
	// BuilderMaxAge rebuilds when the last build is older (0: never).
	// +optional
	BuilderMaxAge *metav1.Duration `json:"builderMaxAge,omitempty"`
}

// ShipwrightEngine is the Shipwright strategy and its parameters.
type ShipwrightEngine struct {
	// Strategy defaults to the ClusterBuildStrategy "kiln".
	// +optional
	Strategy *Strategy `json:"strategy,omitempty"`
	// Params are passed to the strategy; names must not be KILN_BUILDER_IMAGE, BUILDER_IMAGE,
	// DOCKERFILE, CONTEXT_DIR, ENV_VARS or start with shp-.
	// +optional
	Params []*ParamValue `json:"params,omitempty"`
	// Timeout is the BuildRun's timeout.
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}

// Strategy names a BuildStrategy or ClusterBuildStrategy.
type Strategy struct {
	Name string `json:"name"`
	// Kind is ClusterBuildStrategy (default) or BuildStrategy.
	// +optional
	// +kubebuilder:validation:Enum=ClusterBuildStrategy;BuildStrategy
	Kind *string `json:"kind,omitempty"`
}

// ParamValue is a strategy parameter: a value, a list, or a reference.
type ParamValue struct {
	Name string `json:"name"`
	// +optional
	Value *string `json:"value,omitempty"`
	// +optional
	ConfigMapValue *ObjectKeyRef `json:"configMapValue,omitempty"`
	// +optional
	SecretValue *ObjectKeyRef `json:"secretValue,omitempty"`
	// +optional
	Values []SingleValue `json:"values,omitempty"`
}

// SingleValue is one element of a list parameter.
type SingleValue struct {
	// +optional
	Value *string `json:"value,omitempty"`
	// +optional
	ConfigMapValue *ObjectKeyRef `json:"configMapValue,omitempty"`
	// +optional
	SecretValue *ObjectKeyRef `json:"secretValue,omitempty"`
}

// ObjectKeyRef is a key of a ConfigMap or Secret.
type ObjectKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
	// +optional
	Format *string `json:"format,omitempty"`
}

// GitRepo is the function's source in git.
type GitRepo struct {
	// URL of the repository (https:// or ssh).
	URL string `json:"url,omitempty"`
	// Revision is a branch, tag or commit (default: the remote's HEAD).
	// +optional
	Revision *string `json:"revision,omitempty"`
	// SourceSubPath is the function's directory in the repository.
	// +optional
	SourceSubPath *string `json:"sourceSubPath,omitempty"`
	// Credentials is the secret with git credentials.
	// +optional
	Credentials *corev1.LocalObjectReference `json:"credentials,omitempty"`
	// BundleContainer is source packed in an image instead of git.
	// +optional
	BundleContainer *BundleContainer `json:"bundleContainer,omitempty"`
}

// BundleContainer is source packed in an image.
type BundleContainer struct {
	Image string `json:"image"`
}

// ServingImpl is how the function runs.
type ServingImpl struct {
	// Triggers: http (Knative) or dapr (async: bindings and pub/sub).
	// +optional
	Triggers *Triggers `json:"triggers,omitempty"`
	// Outputs are Dapr bindings or pub/sub topics the function sends to.
	// +optional
	Outputs []*Output `json:"outputs,omitempty"`
	// Bindings are Dapr binding components to create, by name.
	// +optional
	Bindings map[string]*ComponentSpec `json:"bindings,omitempty"`
	// Pubsub are Dapr pub/sub components to create, by name.
	// +optional
	Pubsub map[string]*ComponentSpec `json:"pubsub,omitempty"`
	// States are Dapr state stores: a spec to create, or none to use an
	// existing component of that name.
	// +optional
	States map[string]*State `json:"states,omitempty"`
	// ScaleOptions are replica bounds and Knative/KEDA settings.
	// +optional
	ScaleOptions *ScaleOptions `json:"scaleOptions,omitempty"`
	// Template is the pod spec; the container named "function" is the
	// function (added if missing), others are sidecars.
	// +optional
	Template *corev1.PodSpec `json:"template,omitempty"`
	// Params become the function container's environment.
	// +optional
	Params map[string]string `json:"params,omitempty"`
	// Labels go on the workload and its pods.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations go on the pods (dapr.io/*, autoscaling.knative.dev/*).
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// Timeout bounds how long serving may take to become ready.
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Hooks run before and after the function (async framework).
	// +optional
	Hooks *Hooks `json:"hooks,omitempty"`
	// Tracing configures OpenTelemetry.
	// +optional
	Tracing *TracingConfig `json:"tracing,omitempty"`
	// WorkloadType of an async function: Deployment (default), StatefulSet or Job.
	// +optional
	// +kubebuilder:validation:Enum=Deployment;StatefulSet;Job
	WorkloadType string `json:"workloadType,omitempty"`
}

// Triggers start the function.
type Triggers struct {
	// +optional
	HTTP *HTTPTrigger `json:"http,omitempty"`
	// +optional
	Dapr []*DaprTrigger `json:"dapr,omitempty"`
	// Inputs are extra Dapr inputs (state stores).
	// +optional
	Inputs []*Input `json:"inputs,omitempty"`
}

// HTTPTrigger serves the function over HTTP.
type HTTPTrigger struct {
	// Port the function listens on (default 8080).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port *int32 `json:"port,omitempty"`
	// Route exposes the function through a Gateway.
	// +optional
	Route *RouteImpl `json:"route,omitempty"`
	// Engine is knative (default) or keda (KEDA HTTP add-on).
	// +optional
	// +kubebuilder:validation:Enum=knative;keda
	Engine *string `json:"engine,omitempty"`
}

// RouteImpl is the function's HTTPRoute.
type RouteImpl struct {
	// GatewayRef is the Kiln Gateway config (default kiln/kiln).
	// +optional
	GatewayRef *GatewayRef `json:"gatewayRef,omitempty"`
	// Hostnames; generated from the Gateway's host template when empty.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	Hostnames []string `json:"hostnames,omitempty"`
	// Rules; a path from the Gateway's path template when empty.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	Rules []RouteRule `json:"rules,omitempty"`
}

// GatewayRef names a Gateway config.
type GatewayRef struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// RouteRule matches requests (Gateway API HTTPRouteMatch subset).
type RouteRule struct {
	// +optional
	Matches []RouteMatch `json:"matches,omitempty"`
}

// RouteMatch matches a path prefix or exact path.
type RouteMatch struct {
	// +optional
	Path *PathMatch `json:"path,omitempty"`
}

// PathMatch is a path match (Exact or PathPrefix).
type PathMatch struct {
	// +kubebuilder:validation:Enum=Exact;PathPrefix
	// +optional
	Type *string `json:"type,omitempty"`
	// +optional
	Value *string `json:"value,omitempty"`
}

// DaprTrigger is an input binding or pub/sub subscription.
type DaprTrigger struct {
	// Name of the component (declared in bindings/pubsub, or existing).
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// Type is the component type, e.g. bindings.mqtt3 or pubsub.redis.
	// +optional
	Type string `json:"type,omitempty"`
	// Topic for pub/sub.
	// +optional
	Topic string `json:"topic,omitempty"`
}

// Input is an extra Dapr input.
type Input struct {
	// +optional
	Dapr *DaprIO `json:"dapr,omitempty"`
}

// Output is where the function sends.
type Output struct {
	// +optional
	Dapr *DaprOutput `json:"dapr,omitempty"`
}

// DaprIO is a Dapr component used by the function.
type DaprIO struct {
	Name string `json:"name"`
	// +optional
	Type string `json:"type,omitempty"`
	// +optional
	Topic string `json:"topic,omitempty"`
}

// DaprOutput is a binding or topic the function sends to.
type DaprOutput struct {
	DaprIO `json:",inline"`
	// Metadata sent with each output request.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Operation of a binding output, e.g. create.
	// +optional
	Operation string `json:"operation,omitempty"`
}

// ComponentSpec is a Dapr component's spec (dapr.io/v1alpha1 Component).
type ComponentSpec struct {
	Type    string `json:"type"`
	Version string `json:"version"`
	// +optional
	IgnoreErrors bool `json:"ignoreErrors,omitempty"`
	// +optional
	Metadata []MetadataItem `json:"metadata,omitempty"`
	// +optional
	InitTimeout string `json:"initTimeout,omitempty"`
}

// MetadataItem is one component setting.
type MetadataItem struct {
	Name string `json:"name"`
	// +optional
	Value string `json:"value,omitempty"`
	// +optional
	SecretKeyRef *SecretKeyRef `json:"secretKeyRef,omitempty"`
}

// SecretKeyRef is a Dapr secret reference.
type SecretKeyRef struct {
	Name string `json:"name"`
	// +optional
	Key string `json:"key,omitempty"`
}

// State is a Dapr state store.
type State struct {
	// +optional
	Spec *ComponentSpec `json:"spec,omitempty"`
}

// ScaleOptions bound and tune scaling.
//
// +kubebuilder:validation:XValidation:rule="!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",message="minReplicas must be <= maxReplicas"
type ScaleOptions struct {
	// +optional
	// +kubebuilder:validation:Minimum=0
	MinReplicas *int32 `json:"minReplicas,omitempty"`
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxReplicas *int32 `json:"maxReplicas,omitempty"`
	// Knative are autoscaling.knative.dev/* annotations (key without prefix or with).
	// +optional
	Knative map[string]string `json:"knative,omitempty"`
	// +optional
	Keda *KedaScaleOptions `json:"keda,omitempty"`
}

// KedaScaleOptions configure the ScaledObject or ScaledJob.
type KedaScaleOptions struct {
	// +optional
	ScaledObject *KedaScaledObject `json:"scaledObject,omitempty"`
	// +optional
	ScaledJob *KedaScaledJob `json:"scaledJob,omitempty"`
	// +optional
	HTTPScaledObject *KedaHTTPScaledObject `json:"httpScaledObject,omitempty"`
	// Triggers are KEDA scalers; no ScaledObject/ScaledJob without them.
	// +optional
	Triggers []ScaleTrigger `json:"triggers,omitempty"`
}

// KedaScaledObject configures a ScaledObject.
type KedaScaledObject struct {
	// +optional
	PollingInterval *int32 `json:"pollingInterval,omitempty"`
	// +optional
	CooldownPeriod *int32 `json:"cooldownPeriod,omitempty"`
	// +optional
	Advanced *AdvancedConfig `json:"advanced,omitempty"`
	// +optional
	Fallback *Fallback `json:"fallback,omitempty"`
}

// AdvancedConfig is KEDA's HPA configuration.
type AdvancedConfig struct {
	// +optional
	HorizontalPodAutoscalerConfig *HorizontalPodAutoscalerConfig `json:"horizontalPodAutoscalerConfig,omitempty"`
	// +optional
	RestoreToOriginalReplicaCount bool `json:"restoreToOriginalReplicaCount,omitempty"`
}

// HorizontalPodAutoscalerConfig is the HPA KEDA creates.
type HorizontalPodAutoscalerConfig struct {
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
}

// Fallback is KEDA's replica count when a scaler fails.
type Fallback struct {
	FailureThreshold int32 `json:"failureThreshold"`
	Replicas         int32 `json:"replicas"`
}

// KedaScaledJob configures a ScaledJob (workloadType Job).
type KedaScaledJob struct {
	// +optional
	RestartPolicy *corev1.RestartPolicy `json:"restartPolicy,omitempty"`
	// +optional
	PollingInterval *int32 `json:"pollingInterval,omitempty"`
	// +optional
	SuccessfulJobsHistoryLimit *int32 `json:"successfulJobsHistoryLimit,omitempty"`
	// +optional
	FailedJobsHistoryLimit *int32 `json:"failedJobsHistoryLimit,omitempty"`
	// +optional
	ScalingStrategy *ScalingStrategy `json:"scalingStrategy,omitempty"`
}

// ScalingStrategy is KEDA's job scaling strategy.
type ScalingStrategy struct {
	// Strategy is default, custom or accurate.
	// +optional
	Strategy string `json:"strategy,omitempty"`
	// +optional
	CustomScalingQueueLengthDeduction *int32 `json:"customScalingQueueLengthDeduction,omitempty"`
	// +optional
	CustomScalingRunningJobPercentage string `json:"customScalingRunningJobPercentage,omitempty"`
}

// KedaHTTPScaledObject configures the KEDA HTTP add-on.
type KedaHTTPScaledObject struct {
	// +optional
	TargetPendingRequests *int32 `json:"targetPendingRequests,omitempty"`
	// +optional
	CooldownPeriod *int32 `json:"cooldownPeriod,omitempty"`
}

// ScaleTrigger is one KEDA scaler.
type ScaleTrigger struct {
	Type string `json:"type"`
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	UseCachedMetrics bool              `json:"useCachedMetrics,omitempty"`
	Metadata         map[string]string `json:"metadata"`
	// +optional
	AuthenticationRef *AuthenticationRef `json:"authenticationRef,omitempty"`
	// +optional
	MetricType autoscalingv2.MetricTargetType `json:"metricType,omitempty"`
}

// AuthenticationRef names a KEDA TriggerAuthentication.
type AuthenticationRef struct {
	Name string `json:"name"`
	// +optional
	Kind string `json:"kind,omitempty"`
}

// Hooks run around the function, in order.
type Hooks struct {
	// +optional
	Pre []string `json:"pre,omitempty"`
	// +optional
	Post []string `json:"post,omitempty"`
	// Policy is Append (global hooks then the function's) or Override.
	// +optional
	// +kubebuilder:validation:Enum=Append;Override
	Policy string `json:"policy,omitempty"`
}

// TracingConfig configures tracing.
type TracingConfig struct {
	Enabled bool `json:"enabled"`
	// +optional
	Provider *TracingProvider `json:"provider,omitempty"`
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
	// +optional
	Baggage map[string]string `json:"baggage,omitempty"`
}

// TracingProvider is the tracing backend.
type TracingProvider struct {
	// Name is opentelemetry (or skywalking, carried for OpenFunction manifests).
	Name string `json:"name"`
	// +optional
	OapServer string `json:"oapServer,omitempty"`
	// +optional
	Exporter *TracingExporter `json:"exporter,omitempty"`
}

// TracingExporter is where spans go.
type TracingExporter struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	// +optional
	Headers string `json:"headers,omitempty"`
	// +optional
	Compression string `json:"compression,omitempty"`
	// +optional
	Timeout string `json:"timeout,omitempty"`
	// +optional
	Protocol string `json:"protocol,omitempty"`
}

// FunctionStatus is what the controller observed and did.
type FunctionStatus struct {
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// +optional
	Build *ChildStatus `json:"build,omitempty"`
	// +optional
	Serving *ChildStatus `json:"serving,omitempty"`
	// URL is the function's main address.
	// +optional
	URL string `json:"url,omitempty"`
	// +optional
	Addresses []FunctionAddress `json:"addresses,omitempty"`
	// Revision is the image the function serves.
	// +optional
	Revision *Revision `json:"revision,omitempty"`
}

// ChildStatus is the state of the build or of serving.
type ChildStatus struct {
	// State: Building, Succeeded, Failed, Timeout, Skipped, Starting, Running.
	// +optional
	State string `json:"state,omitempty"`
	// +optional
	Reason string `json:"reason,omitempty"`
	// +optional
	Message string `json:"message,omitempty"`
	// ResourceRef names the object that does the work (BuildRun, Knative Service, Deployment).
	// +optional
	ResourceRef string `json:"resourceRef,omitempty"`
	// ResourceHash is the hash of the spec part this child was made from.
	// +optional
	ResourceHash string `json:"resourceHash,omitempty"`
}

// FunctionAddress is one way to reach the function.
type FunctionAddress struct {
	// Type is Internal or External.
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Revision is the served image.
type Revision struct {
	// ImageDigest is the image pinned by digest (repo@sha256:...).
	// +optional
	ImageDigest string `json:"imageDigest,omitempty"`
}

// DeepCopyObject is generated; this assertion keeps it honest.
var _ runtime.Object = &Function{}
