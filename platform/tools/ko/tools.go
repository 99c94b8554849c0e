//go:build tools

// Wrapper module for ko (github.com/google/ko), which builds the images of
// the cluster's addons (Tekton Pipelines, Shipwright Build) from their Go
// modules' ko:// references; built by `platform/tools/build.sh cluster`.
package tools

import _ "github.com/google/ko"
