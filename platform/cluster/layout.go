package cluster

import (
	"os"
	"path/filepath"
)

// Network plan of the node: private ranges kept away from the host's own.
const (
	// NodeIface is the port-less bridge that carries NodeIP (the stand-in
	// for a dummy interface: this kernel has no dummy driver).
	NodeIface = "kiln0"
	// NodeIP is what the apiserver advertises (a loopback address may not
	// back the `kubernetes` Service) and the kubelet's node address.
	NodeIP       = "172.31.254.1"
	podCIDR      = "10.244.0.0/24"
	serviceCIDR  = "10.96.0.0/24"
	kubeSvcIP    = "10.96.0.1"
	bridgeIface  = "cni0"
	nodeName     = "kiln-node"
	pauseRepo    = "kiln/pause:3.10"
	kubeVersion  = "1.36.3"
	containerdV  = "2.4.2"
	debianCNIDir = "/usr/lib/cni"
)

// Layout is where the node keeps everything: one state dir, and the pinned
// tools dir the binaries come from.
type Layout struct {
	Dir   string // $KILN_HOME/cluster
	Tools string // $KILN_TOOLS
}

func (l Layout) p(elem ...string) string {
	return filepath.Join(append([]string{l.Dir}, elem...)...)
}

// Kubeconfig is the admin kubeconfig Up writes.
func (l Layout) Kubeconfig() string { return l.p("kubeconfig") }

func (l Layout) stateFile() string      { return l.p("state.json") }
func (l Layout) pki(name string) string { return l.p("pki", name) }
func (l Layout) logFile(name string) string {
	return l.p("logs", name+".log")
}
func (l Layout) pidFile(name string) string { return l.p("run", name+".pid") }
func (l Layout) etcdData() string           { return l.p("etcd") }
func (l Layout) containerdRoot() string     { return l.p("containerd", "root") }
func (l Layout) containerdState() string    { return l.p("containerd", "state") }
func (l Layout) containerdSock() string     { return l.p("containerd", "containerd.sock") }
func (l Layout) containerdConfig() string   { return l.p("containerd", "config.toml") }
func (l Layout) containerdCerts() string    { return l.p("containerd", "certs.d") }
func (l Layout) runcRoot() string           { return l.p("runc") }
func (l Layout) cniConfDir() string         { return l.p("cni", "net.d") }
func (l Layout) cniIPAMDir() string         { return l.p("cni", "ipam") }
func (l Layout) kubeletRoot() string        { return l.p("kubelet") }
func (l Layout) kubeletConfig() string      { return l.p("config", "kubelet.yaml") }
func (l Layout) kubeProxyConfig() string    { return l.p("config", "kube-proxy.yaml") }
func (l Layout) podLogs() string            { return l.p("pod-logs") }
func (l Layout) kubeBin(name string) string {
	return filepath.Join(l.Tools, "kube-node-v"+kubeVersion, name)
}
func (l Layout) apiserverBin() string {
	return filepath.Join(l.Tools, "kube-apiserver-v"+kubeVersion, "kube-apiserver")
}
func (l Layout) containerdBin(name string) string {
	return filepath.Join(l.Tools, "containerd-v"+containerdV, name)
}

// pauseBin is the newest pause-<hash>/pause build.sh made.
func (l Layout) pauseBin() string { return newest(filepath.Join(l.Tools, "pause-*", "pause")) }

// koBin is the pinned ko.
func (l Layout) koBin() string { return filepath.Join(l.Tools, "ko-v"+koVersion, "ko") }

// newest is the most recently modified file matching glob, or "".
func newest(glob string) string {
	m, _ := filepath.Glob(glob)
	var best string
	var bt int64
	for _, p := range m {
		if st, err := os.Stat(p); err == nil && st.ModTime().UnixNano() > bt {
			best, bt = p, st.ModTime().UnixNano()
		}
	}
	return best
}
