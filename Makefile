# Kiln: build serverless functions into OCI images, no Docker needed.
# Quick start: `make demo` (build samples/go/hello and serve it), `make test`.
SHELL := /bin/bash
KILN_HOME ?= $(HOME)/.cache/kiln
KILN_TOOLS ?= $(KILN_HOME)/tools
export KILN_HOME KILN_TOOLS
KILN := bin/kiln

CONTROLLER_GEN := $(KILN_TOOLS)/controller-gen-v0.20.0/controller-gen

.PHONY: all tools cnb-tools daprd build generate stack buildpacks builder demo unit e2e e2e-publish publish test bench bench-controller bench-async clean

all: build

tools: ## pinned lifecycle v0.21.14, pack v0.40.9, controller-gen v0.20.0, kube-apiserver v1.36.3 and daprd v1.14.0, built once into $(KILN_TOOLS)
	bash platform/tools/build.sh

cnb-tools: ## only the lifecycle and pack (all that building and running functions needs)
	bash platform/tools/build.sh cnb

daprd: ## only daprd v1.14.0 (what kiln run --dapr needs)
	bash platform/tools/build.sh daprd

generate: tools ## deepcopy and the Function CRD from controller/api (a unit test checks they are current)
	$(CONTROLLER_GEN) object paths=./controller/api/...
	$(CONTROLLER_GEN) crd:crdVersions=v1,maxDescLen=0 paths=./controller/api/... output:crd:dir=./controller/config/crd

build: ## the kiln CLI
	go build -o $(KILN) ./platform/cmd/kiln

stack: build ## stack images from pinned .debs into the embedded registry
	$(KILN) stack build

buildpacks: build
	$(KILN) buildpack package --out out/buildpacks

builder: cnb-tools stack buildpacks ## the Go, Node.js, Python and Java builder images in the embedded registry
	$(KILN) builder create --buildpacks out/buildpacks

demo: builder ## build samples/go/hello, serve it, call it, stop it
	bash samples/demo.sh

unit: tools ## unit tests: buildpacks, platform, stacks, frameworks (Go, Node.js, Python, Java), conformance harness
	go vet ./... ./framework-templates/go/... ./e2e/...
	go test -count=1 ./buildpacks/... ./platform/... ./stacks/... ./controller/...
	go test -count=1 ./framework-templates/go/...
	go test -count=1 ./e2e/conformance/...
	node --test framework-templates/nodejs/test/
	python3 -m unittest discover -s framework-templates/python/tests
	bash framework-templates/java/test.sh

# make test's share of e2e/publish (linux/amd64 only): publish to a TLS +
# htpasswd distribution registry, credentials, pinned config, workflow lint,
# one pack build through Podman, kiln rebase + pack rebase, SBOMs.
E2E_PUBLISH_FAST := ^(TestExitedAfterStart|TestPublishPrintsTheManifestPath|TestPublishWithoutCredentialsSaysHowToLogIn|TestEveryArtifactIsMultiArch|TestBuildersNameTheirRegistrysRunImages|TestPackInspectsWhatWasPublished|TestConfigIsPinnedToTheRelease|TestKilnVersionIsTheReleaseVersion|TestWorkflowsLint|TestWorkflowPublishesOnTags|TestPackBuildEverySample|TestRebaseAndSBOM)$$/^go$$

e2e: tools ## tier 1: stack, builder, every Go sample built, run and invoked; the fast share of e2e/publish (needs root, podman)
	go test -count=1 -timeout 45m -v ./e2e/local/
	go test -count=1 -timeout 15m -v ./e2e/kube/
	KILN_E2E_PUBLISH_PLATFORMS=linux/amd64 go test -count=1 -timeout 30m -v -run '$(E2E_PUBLISH_FAST)' ./e2e/publish/

e2e-publish: tools ## the whole release suite: both architectures, publish twice, relocation, pack build of every language, pack builder create, arm64 under qemu-user (needs root, podman, qemu-user-static)
	go test -count=1 -timeout 60m -v ./e2e/publish/

REGISTRY ?=
VERSION ?=
publish: build cnb-tools ## push stacks, buildpackages, builders (linux/amd64 + linux/arm64) and the controller: make publish REGISTRY=REG VERSION=V
	@test -n "$(REGISTRY)" -a -n "$(VERSION)" || { echo "usage: make publish REGISTRY=registry.example.com/team VERSION=1.2.3"; exit 2; }
	bash platform/tools/build.sh cnb-arm64
	$(KILN) publish --registry $(REGISTRY) --version $(VERSION) --out out/release

test: unit e2e

bench-controller: tools ## 500 Functions reconciled by the controller binary against the local kube-apiserver, with RSS
	KILN_BENCH=1 go test -count=1 -run '^$$' -bench BenchmarkController500 -benchtime=1x -timeout 20m ./e2e/kube/

bench-async: ## the MQTT echo on Kiln's Go framework vs OpenFunction's functions-framework-go v0.5.0, same daprd and mosquitto
	bash e2e/bench/async/async.sh

bench: builder ## measure the README's targets (size, rebuild, start) with same-run baselines
	bash e2e/bench/targets.sh

clean:
	rm -rf bin out
