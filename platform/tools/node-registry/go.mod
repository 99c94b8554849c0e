// Wrapper module for node-registry, the registry platform/cluster's pods
// push to and the node pulls from; built by `platform/tools/build.sh cluster`.
module kiln.dev/tools/node-registry

go 1.26.0

require github.com/google/go-containerregistry v0.22.1
