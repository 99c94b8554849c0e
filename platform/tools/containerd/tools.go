//go:build tools

// Package tools pins containerd v2 for the single-node cluster of platform/cluster
// (kubelet v1.36 wants containerd 2: 1.x lacks the CRI call for the cgroup driver).
package tools

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/v2/cmd/ctr"
)
