//go:build tools

// Package tools pins kube-apiserver for the controller's envtest suite.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
