//go:build tools

// Package tools pins controller-gen (CRDs and deepcopy for controller/api).
package tools

import _ "sigs.k8s.io/controller-tools/cmd/controller-gen"
