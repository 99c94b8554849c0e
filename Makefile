# Kiln: build serverless functions into OCI images, no Docker needed.
# Quick start: `make demo` (build samples/go/hello and serve it), `make test`.
SHELL := /bin/bash
KILN_HOME ?= $(HOME)/.cache/kiln
KILN_TOOLS ?= $(KILN_HOME)/tools
export KILN_HOME KILN_TOOLS
KILN := bin/kiln

CONTROLLER_GEN := $(KILN_TOOLS)/controller-gen-v0.20.0/controller-gen

.PHONY: all tools cnb-tools daprd build generate cli-docs stack buildpacks builder demo unit e2e e2e-publish e2e-cluster publish test bench bench-controller bench-async bench-frameworks fuzz mutate mutate-fast gremlins clean

all: build

tools: ## pinned lifecycle v0.21.14, pack v0.40.9, controller-gen v0.20.0, kube-apiserver v1.36.3 and daprd v1.14.0, built once into $(KILN_TOOLS)
	bash platform/tools/build.sh

cnb-tools: ## only the lifecycle and pack (all that building and running functions needs)
	bash platform/tools/build.sh cnb

daprd: ## only daprd v1.14.0 (what kiln run --dapr needs)
	bash platform/tools/build.sh daprd

generate: tools ## deepcopy and the Function and events CRDs from controller/api (unit tests check they are current)
	$(CONTROLLER_GEN) object paths=./controller/api/...
	$(CONTROLLER_GEN) crd:crdVersions=v1,maxDescLen=0 paths=./controller/api/... output:crd:dir=./controller/config/crd

# One ID for kiln and its sandbox helper: kiln starts bin/kiln-sandbox (~10 ms) only when it comes from
# the same build, else re-executes itself (~50 ms of package init on every build and run).
BUILD_ID = $(shell cat $$(git ls-files -co --exclude-standard -- '*.go' go.mod go.sum) 2>/dev/null | sha256sum | cut -c1-16)
build: ## the kiln CLI and its sandbox helper (bin/kiln-sandbox)
	go build -ldflags "-X kiln.dev/kiln/platform/sandbox.BuildID=$(BUILD_ID)" -o $(KILN) ./platform/cmd/kiln
	go build -ldflags "-X kiln.dev/kiln/platform/sandbox.BuildID=$(BUILD_ID)" -o $(dir $(KILN))kiln-sandbox ./platform/sandbox/kiln-sandbox

cli-docs: ## docs/cli, the command reference, from the CLI's own help (a unit test fails when it is stale)
	go test -count=1 ./platform/cmd/kiln -run '^TestCommandReference$$' -args -update

stack: build ## stack images from pinned .debs into the embedded registry: the language stack and the service images (git is the node's git step base)
	$(KILN) stack build
	$(KILN) stack build --stack stacks/services

buildpacks: build
	$(KILN) buildpack package --out out/buildpacks

builder: cnb-tools stack buildpacks ## the Go, Node.js, Python and Java builder images in the embedded registry
	$(KILN) builder create --buildpacks out/buildpacks

demo: builder ## build samples/go/hello, serve it, call it, stop it
	bash samples/demo.sh

unit: tools ## unit tests: buildpacks, platform, stacks, frameworks (Go, Node.js, Python, Java), conformance harness
	@for m in . e2e framework-templates/go; do (cd $$m && GOWORK=off go mod tidy -diff >/dev/null) || { echo "$$m/go.mod is not tidy: run (cd $$m && GOWORK=off go mod tidy)"; exit 1; }; done
	@# each module on its own (GOWORK=off), as a user who depends on it builds it
	@for m in . e2e framework-templates/go; do (cd $$m && GOWORK=off go build ./... && GOWORK=off go vet ./...) || { echo "$$m: GOWORK=off go build/vet failed"; exit 1; }; done
	go test -count=1 ./buildpacks/... ./platform/... ./stacks/... ./controller/...
	go test -count=1 ./framework-templates/go/...
	for m in framework-templates/go-compat/*/; do (cd $$m && GOWORK=off go vet ./... && GOWORK=off go test -count=1 ./...) || exit 1; done
	go test -count=1 ./e2e/conformance/... ./e2e/daprwire/...
	node --test framework-templates/nodejs/test/
	python3 -m unittest discover -s framework-templates/python/tests
	bash framework-templates/java/test.sh

# make test's share of e2e/publish (linux/amd64 only): publish to a TLS +
# htpasswd distribution registry, credentials, pinned config, workflow lint,
# pack build of every language's sample through Podman and pack builder create from the
# published buildpackages, kiln rebase + pack rebase, SBOMs.
E2E_PUBLISH_FAST := ^(TestExitedAfterStart|TestPublishPrintsTheManifestPath|TestPublishWithoutCredentialsSaysHowToLogIn|TestEveryArtifactIsMultiArch|TestBuildersNameTheirRegistrysRunImages|TestPackInspectsWhatWasPublished|TestConfigIsPinnedToTheRelease|TestKilnVersionIsTheReleaseVersion|TestWorkflowsLint|TestWorkflowPublishesOnTags|TestPackBuildEverySample|TestPackBuilderCreateFromPublishedBuildpackages|TestRebaseAndSBOM|TestCredentialsBuildPushesAndRunPulls|TestCredentialsMissingSaysHowToLogIn)$$

e2e: tools ## tier 1: stack, builder, every Go sample built, run and invoked; the fast share of e2e/publish (needs root, podman)
	go test -count=1 -timeout 60m -v ./e2e/local/
	KILN_HOME=$${KILN_E2E_HOME:-$$HOME/.cache/kiln-e2e} go run ./platform/cmd/kiln cache gc --unused-for 24h --keep-orphaned-for 0
	go test -count=1 -timeout 5m -v ./e2e/events/
	go test -count=1 -timeout 15m -v ./e2e/kube/
	KILN_E2E_PUBLISH_PLATFORMS=linux/amd64 go test -count=1 -timeout 30m -v -run '$(E2E_PUBLISH_FAST)' ./e2e/publish/

e2e-publish: tools ## the whole release suite: both architectures, publish twice, relocation, pack build of every language, pack builder create, arm64 under qemu-user (needs root, podman, qemu-user-static)
	go test -count=1 -timeout 60m -v ./e2e/publish/

e2e-cluster: demo ## tier 3, slices 1–4: a single-node Kubernetes from pinned parts, a function behind a ClusterIP, Tekton + Shipwright built by ko and a real BuildRun of Kiln's strategy; CoreDNS, Knative Serving v0.50.0 and Traefik v3.6.9: a Knative Service answering through the ingress, scale to zero and back; Kiln's controller (--with kiln): kiln deploy → BuildRun with the node registry's builder → Ready at http://hello.pipeline.localhost:PORT, a cached rebuild, delete; the Gateway API through Traefik (kiln deploy --hostname localhost → http://localhost:PORT/gateway/route/); the Node.js, Python and Java samples; the failure paths; kiln deploy --git from a repository served over smart HTTP on the node; async (--with dapr,keda,redis): a Go async Function on Redis Streams scaled from zero by KEDA, each message once; down leaves the host as found (needs root; the images `make demo` builds)
	bash platform/tools/build.sh cluster
	bash platform/tools/build.sh daprd
	KILN_E2E_CLUSTER=1 go test -count=1 -timeout 75m -v ./e2e/cluster/

REGISTRY ?=
VERSION ?=
publish: build cnb-tools ## push stacks, buildpackages, builders (linux/amd64 + linux/arm64) and the controller: make publish REGISTRY=REG VERSION=V
	@test -n "$(REGISTRY)" -a -n "$(VERSION)" || { echo "usage: make publish REGISTRY=registry.example.com/team VERSION=1.2.3"; exit 2; }
	bash platform/tools/build.sh cnb-arm64
	$(KILN) publish --registry $(REGISTRY) --version $(VERSION) --out out/release

# e2e-cluster last: it needs root, containerd's and Kubernetes' pinned builds
# (cached in $KILN_TOOLS) and ko's images (cached in KILN_E2E_HOME, default
# ~/.cache/kiln-e2e-cluster): about 11 min warm, 34 min from an empty cache.
test: unit fuzz-brief mutate-fast e2e e2e-cluster

# Every fuzz target (package:Target). `go test` already runs their seed corpora in `make unit`.
FUZZ_TARGETS := \
	./buildpacks/internal/gomod:FuzzParse ./buildpacks/internal/nodeapp:FuzzParse \
	./buildpacks/internal/npmreg:FuzzResolve ./buildpacks/internal/npmreg:FuzzNpmrcRegistry \
	./buildpacks/internal/funcenv:FuzzCheckTarget ./buildpacks/go-dist/godist:FuzzResolveVersion \
	./buildpacks/go-function/gofunction:FuzzAnalyzeSource \
	./buildpacks/python-function/pythonfunction:FuzzParseRequirements ./buildpacks/python-function/pythonfunction:FuzzCheckPipConf \
	./buildpacks/java-function/javafunction:FuzzParsePOM \
	./platform/imagefs:FuzzUntar ./platform/imagefs:FuzzUntarEntries ./controller/convert:FuzzConvert \
	./platform/daprsidecar:FuzzLoadComponents \
	./framework-templates/go/funccontext:FuzzParse ./framework-templates/go/cloudevents:FuzzFromRequest \
	./framework-templates/go/dapr:FuzzWireDecoders ./framework-templates/go/dapr:FuzzUnframe \
	./framework-templates/go/dapr:FuzzTopicEventFromHTTP
FUZZTIME ?= 60s

fuzz: ## run every fuzz target for FUZZTIME each (default 60s; new crashers land in the package's testdata/fuzz)
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; echo "==> $$fn in $$pkg ($(FUZZTIME))"; \
	  go test -count=1 -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; done

.PHONY: fuzz-brief
fuzz-brief: ## every fuzz target for 500 inputs (part of make test; a count, not a duration: a short -fuzztime can expire while the corpus is replayed)
	@$(MAKE) --no-print-directory fuzz FUZZTIME=500x

GREMLINS := $(KILN_HOME)/gotools/gremlins

gremlins: ## the pinned mutation tester (go-gremlins v0.5.0), built once into $(KILN_HOME)/gotools
	@test -x $(GREMLINS) || GOBIN=$(KILN_HOME)/gotools go install github.com/go-gremlins/gremlins/cmd/gremlins@v0.5.0

mutate: gremlins ## mutation testing over the packages the README's promises rest on; fails under 80 %
	go run ./e2e/mutate -min 80 -gremlins $(GREMLINS)

mutate-fast: gremlins ## the CI subset of `make mutate` (part of `make test`)
	go run ./e2e/mutate -fast -min 80 -gremlins $(GREMLINS)

bench-controller: tools ## 500 Functions reconciled by the controller binary against the local kube-apiserver, with RSS
	KILN_BENCH=1 go test -count=1 -run '^$$' -bench BenchmarkController500 -benchtime=1x -timeout 20m ./e2e/kube/

bench-async: ## the MQTT echo on Kiln's Go framework vs OpenFunction's functions-framework-go v0.5.0, same daprd and mosquitto
	bash e2e/bench/async/async.sh

bench-frameworks: ## each functions framework's hello world vs its bare language server and peers (wrk, same-run ratios, goals checked; ROUNDS, DURATION, LANGS, SERVERS, ASSERT=1)
	bash e2e/bench/frameworks/frameworks.sh

bench: builder ## measure the README's targets (size, rebuild, start) with same-run baselines
	bash e2e/bench/targets.sh

clean:
	rm -rf bin out
