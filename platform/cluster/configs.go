package cluster

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// Config is what the rendered configs depend on: paths of the layout, the
// registry's address and the ports Up picked.
type Config struct {
	Layout
	Registry    string // host:port of the registry the node pulls from
	KubeletPort int
	ProxyHealth int // kube-proxy healthz and metrics ports
	ProxyMetric int
}

func render(name, text string, c Config) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("cluster: template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, c); err != nil {
		return "", fmt.Errorf("cluster: rendering %s: %w", name, err)
	}
	return b.String(), nil
}

// containerdTOML is containerd v2's config (version 3). Every path is under
// the state dir: root, state, the opt dir, the runc root and (with
// netns_mounts_under_state_dir) the pod network namespaces. NRI is
// disabled so no /run/nri socket appears. restrict_oom_score_adj: this VM
// lacks CAP_SYS_RESOURCE, so a negative oom_score_adj (what the CRI asks
// for sandboxes) fails every pod with runc's misleading "can't get final
// child's PID from pipe: EOF".
const containerdTOML = `version = 3
root = "{{.ContainerdRoot}}"
state = "{{.ContainerdState}}"
disabled_plugins = ["io.containerd.nri.v1.nri"]

[grpc]
  address = "{{.ContainerdSock}}"

[plugins."io.containerd.internal.v1.opt"]
  path = "{{.ContainerdOpt}}"

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "{{.PauseImage}}"
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = "{{.ContainerdCerts}}"

[plugins."io.containerd.cri.v1.runtime"]
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "{{.RuncRoot}}"
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["{{.CNIBinDir}}"]
    conf_dir = "{{.CNIConfDir}}"
    max_conf_num = 1
`

// hostsTOML points containerd at the loopback registry over plain HTTP.
const hostsTOML = `server = "http://{{.Registry}}"

[host."http://{{.Registry}}"]
  capabilities = ["pull", "resolve"]
`

// kubeletYAML: cgroup v1 is allowed (failCgroupV1: false: this machine has
// hybrid cgroup v1), cgroupfs, swap tolerated; pods resolve names through
// kube-dns (the coredns addon: without it, ClusterFirst pods have no DNS); pod logs under the state
// dir; eviction thresholds low so a full shared disk does not evict the
// node's pods; no image GC of what the tests pushed.
const kubeletYAML = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: {{.NodeIP}}
port: {{.KubeletPort}}
readOnlyPort: 0
healthzPort: 0
failCgroupV1: false
failSwapOn: false
cgroupDriver: cgroupfs
cgroupsPerQOS: true
containerRuntimeEndpoint: unix://{{.ContainerdSock}}
podLogsDir: {{.PodLogs}}
staticPodPath: ""
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: {{.CACert}}
authorization:
  mode: Webhook
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 50
clusterDNS: [{{.ClusterDNS}}]
clusterDomain: {{.ClusterDomain}}
`

// kubeProxyYAML: iptables mode; conntrack left alone (maxPerCore 0 and
// zero timeouts: no conntrack sysctl is written); NodePorts only on the
// node address (a loopback NodePort would flip route_localnet).
const kubeProxyYAML = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: {{.NodeName}}
bindAddress: {{.NodeIP}}
clusterCIDR: {{.PodCIDR}}
healthzBindAddress: 127.0.0.1:{{.ProxyHealth}}
metricsBindAddress: 127.0.0.1:{{.ProxyMetric}}
nodePortAddresses:
- {{.NodeIP}}/32
clientConnection:
  kubeconfig: {{.KubeconfigPath}}
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
`

// cniConflist: one bridge (cni0) with host-local IPAM whose data stays in
// the state dir, portmap for hostPort, and the loopback plugin the CRI
// calls itself.
const cniConflist = `{
  "cniVersion": "1.0.0",
  "name": "kiln",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "{{.Bridge}}",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "{{.CNIIPAMDir}}",
        "ranges": [[{"subnet": "{{.PodCIDR}}"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {
      "type": "portmap",
      "capabilities": {"portMappings": true}
    }
  ]
}
`

// The template fields beyond Config's own.
func (c Config) ContainerdRoot() string  { return c.containerdRoot() }
func (c Config) ContainerdState() string { return c.containerdState() }
func (c Config) ContainerdSock() string  { return c.containerdSock() }
func (c Config) ContainerdOpt() string   { return c.p("containerd", "opt") }
func (c Config) ContainerdCerts() string { return c.containerdCerts() }
func (c Config) RuncRoot() string        { return c.runcRoot() }
func (c Config) CNIBinDir() string       { return debianCNIDir }
func (c Config) CNIConfDir() string      { return c.cniConfDir() }
func (c Config) CNIIPAMDir() string      { return c.cniIPAMDir() }
func (c Config) PodLogs() string         { return c.podLogs() }
func (c Config) CACert() string          { return c.pki("ca.crt") }
func (c Config) KubeconfigPath() string  { return c.Kubeconfig() }
func (c Config) NodeIP() string          { return NodeIP }
func (c Config) NodeName() string        { return nodeName }
func (c Config) PodCIDR() string         { return podCIDR }
func (c Config) Bridge() string          { return bridgeIface }
func (c Config) ClusterDNS() string      { return clusterDNSIP }
func (c Config) ClusterDomain() string   { return clusterDomain }

// PauseImage is the sandbox image's reference in the registry.
func (c Config) PauseImage() string { return c.Registry + "/" + pauseRepo }

// renderedFile is one config file Up writes.
type renderedFile struct {
	path, text string
}

// configFiles renders every config file of the node.
func configFiles(c Config) ([]renderedFile, error) {
	if c.Registry == "" || strings.ContainsAny(c.Registry, "\"\n/") {
		return nil, fmt.Errorf("cluster: registry address %q: want host:port", c.Registry)
	}
	list := []struct{ path, name, text string }{
		{c.containerdConfig(), "containerd config.toml", containerdTOML},
		{c.p("containerd", "certs.d", c.Registry, "hosts.toml"), "hosts.toml", hostsTOML},
		{c.kubeletConfig(), "kubelet.yaml", kubeletYAML},
		{c.kubeProxyConfig(), "kube-proxy.yaml", kubeProxyYAML},
		{c.p("cni", "net.d", "10-kiln.conflist"), "10-kiln.conflist", cniConflist},
	}
	var out []renderedFile
	for _, f := range list {
		s, err := render(f.name, f.text, c)
		if err != nil {
			return nil, err
		}
		out = append(out, renderedFile{f.path, s})
	}
	return out, nil
}
