// Package cluster is the e2e test of platform/cluster's single-node
// Kubernetes (tier 3, slice 1): Up from nothing, a Kiln function image
// deployed with a Deployment and a Service answering through its ClusterIP,
// a pod reaching the apiserver through the `kubernetes` Service, Up again
// as a fast no-op, Up with the tekton and shipwright addons (cold, then
// warm from the cache) and a real Shipwright BuildRun of Kiln's
// ClusterBuildStrategy building samples/go/hello from an OCI source bundle,
// whose image (by the digest in the BuildRun's status) then answers behind a
// Service; Up with the knative addon (CoreDNS, Knative Serving, Traefik;
// cold, then warm), a Knative Service pinned to the hello image's digest
// whose revision becomes Ready and answers a plain curl of
// http://hello.fn.localhost:PORT/ through Traefik, then scales to zero after
// a 6 s window and answers again (the cold start is printed); Up with the
// kiln addon (Kiln's controller built from this checkout) and the real
// pipeline: `kiln deploy samples/go/hello --target HelloWorld` with `kiln
// cluster env`'s KILN_REGISTRY and KILN_INGRESS, a BuildRun of Kiln's
// strategy with the node registry's builder, the Function Ready and its
// printed URL http://hello.pipeline.localhost:PORT answering through
// Traefik, a source change rebuilt with the build cache (new digest, the
// traffic on it; apply → Ready printed for both), the Function deleted and
// every child gone; the Gateway API (gateway: the standard CRDs, Traefik's
// Gateway provider, the Gateway kiln/kiln-gateway Programmed; `kiln deploy
// --hostname localhost` answering a plain curl of
// http://localhost:PORT/gateway/route/ through the HTTPRoute the controller
// renders, --route turning it host-based at
// http://route.gateway.fn.localhost:PORT/ without a rebuild, route-ready
// time, req/s through the Gateway, Traefik's Knative ingress, the
// queue-proxy and the pod with their ratios, scale-from-zero through the
// Gateway, the route gone with its Function); the other languages
// (languages: kiln deploy of the Node.js, Python and Java hello samples,
// Ready and answering through Traefik, apply → Ready printed, and
// samples/python/dependency with its wheel from a package index served on
// the node address); the failure
// paths (failure: a compile error is Built=False BuildRunFailed with the
// compiler's file:line, an image that crashes on start ServingReady=False
// RevisionFailed, a builder image the node registry lacks Built=False
// BuilderImagePullFailed, a language with no builder Built=False
// UnknownLanguage); Git sources (git: `kiln deploy --git` from a bare
// repository of samples/go/hello served by the host's git http-backend
// over smart HTTP on the node address, cloned by Shipwright's git step on
// Kiln's git service image, Ready and answering through Traefik; a pushed
// commit deployed again is a new digest and body; --revision of an
// annotated tag builds its commit; a missing repository is Built=False
// SourceFetchFailed naming the URL; apply → Ready printed); async
// functions (async: Up with the dapr, keda and redis
// addons, KEDA's external metrics API served through the apiserver's
// aggregation layer, Redis refusing a client without the addon's password,
// samples/go/async-subscriber deployed by kiln deploy --serving as a Function
// with the async runtime — Redis
// Streams pub/sub in, another stream out, a KEDA redis-streams trigger on
// the consumer group's lag — built by Shipwright, a Deployment whose pod
// gets daprd from Dapr's injector, at 0 replicas with no messages; an order
// at zero (cold: order → receipt printed), warm orders one at a time
// (median printed), a burst of 20000 (orders/s and the replicas KEDA reached
// printed), a receipt for every order exactly once and none pending in the
// consumer group, back to 0 after the 10 s cooldown, the Function's
// children gone with it); then Down and a check that the host is as it was.
//
// It needs root and runs only with KILN_E2E_CLUSTER=1 (`make e2e-cluster`,
// the last step of `make test`, sets it). Env: KILN_E2E_HOME (default ~/.cache/kiln-e2e-cluster) holds the
// node's state dir and registry; KILN_TOOLS (default ~/.cache/kiln/tools)
// the pinned binaries, built by platform/tools/build.sh cluster if missing;
// KILN_E2E_CLUSTER_IMAGE_FROM (default ~/.cache/kiln/registry, what
// `make demo` fills) is the kiln registry the function image "hello", the
// run-static stack image, the git service image (built from
// stacks/services when it is not there) and the builders (with their run
// images) are copied from (and kiln/stack/redis:services for the async
// feature, when it has it; else the node's registry must: `kiln stack
// build --stack stacks/services`);
// KILN_E2E_CLUSTER_FEATURES (e.g. "knative", or "gateway,languages,failure,async")
// runs only the features whose names contain one of its comma-separated
// words (down always runs).
package cluster
