// Package clusteraddons turns the install sources of the async addons of
// `kiln cluster up` into plain YAML that ko resolves and kubectl applies,
// with no Helm and no kustomize binary:
//
//   - Dapr v1.14.0 (the version of Kiln's daprd) ships its control plane
//     only as a Helm chart (charts/dapr in the github.com/dapr/dapr module).
//     RenderDapr renders that chart with Go's text/template and the handful of
//     Helm/sprig functions the chart uses (funcs.go), Helm's value scoping
//     (a subchart sees its own values with the parent's section for it
//     merged over them, and the parent's global), and Kiln's values
//     (DaprValues): every image a ko:// reference, one replica, no HA, no
//     actors (placement) and no scheduler, which bindings and pub/sub do not
//     use. Helm's Go library would be the other way: it costs helm.sh/helm/v3
//     and sprig with their dependencies in go.mod, for the dozen functions
//     this chart calls. A function the chart calls that is not implemented here fails
//     the parse, so a new chart version cannot render half-understood.
//   - KEDA v2.21.0 (github.com/kedacore/keda/v2) ships kustomize bases under
//     config/. RenderKEDA reads the files the default overlay lists, puts
//     the ko:// references in for the ghcr.io images and applies the CRD
//     JSON patches the overlay applies (the subset of RFC 6902 they use).
//
// DaprdImage makes the sidecar image: Kiln's run-static with Kiln's daprd
// at /daprd, where v1.14.0's injector runs it.
//
// The output is split in two (Manifests): the CRDs, which must be applied
// and Established before the rest, and the objects (Dapr's daprsystem
// Configuration is a custom resource of one of its own CRDs).
package clusteraddons
