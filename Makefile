# Kiln: build serverless functions into OCI images, no Docker needed.
# Quick start: `make demo` (build samples/go/hello and serve it), `make test`.
SHELL := /bin/bash
KILN_HOME ?= $(HOME)/.cache/kiln
KILN_TOOLS ?= $(KILN_HOME)/tools
export KILN_HOME KILN_TOOLS
KILN := bin/kiln

.PHONY: all tools build stack buildpacks builder demo unit e2e test bench clean

all: build

tools: ## pinned lifecycle v0.21.14 and pack v0.40.9, built once into $(KILN_TOOLS)
	bash platform/tools/build.sh

build: ## the kiln CLI
	go build -o $(KILN) ./platform/cmd/kiln

stack: build ## stack images from pinned .debs into the embedded registry
	$(KILN) stack build

buildpacks: build
	$(KILN) buildpack package --out out/buildpacks

builder: tools stack buildpacks ## the Go, Node.js and Python builder images in the embedded registry
	$(KILN) builder create --buildpacks out/buildpacks

demo: builder ## build samples/go/hello, serve it, call it, stop it
	bash samples/demo.sh

unit: ## unit tests: buildpacks, platform, stacks, frameworks (Go, Node.js, Python, Java), conformance harness
	go vet ./... ./framework-templates/go/... ./e2e/...
	go test -count=1 ./buildpacks/... ./platform/... ./stacks/...
	go test -count=1 ./framework-templates/go/...
	go test -count=1 ./e2e/conformance/...
	node --test framework-templates/nodejs/test/
	python3 -m unittest discover -s framework-templates/python/tests
	bash framework-templates/java/test.sh

e2e: tools ## tier 1: stack, builder, every Go sample built, run and invoked (needs root)
	go test -count=1 -timeout 45m -v ./e2e/local/

test: unit e2e

bench: builder ## measure the README's targets (size, rebuild, start) with same-run baselines
	bash e2e/bench/targets.sh

clean:
	rm -rf bin out
