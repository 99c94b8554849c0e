package cluster

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"kiln.dev/kiln/platform/registry"
)

// Options of Up, Down and Env.
type Options struct {
	Layout
	// RegistryDir is the kiln registry the node pulls from
	// ($KILN_HOME/registry): images `kiln build` pushes run as they are.
	RegistryDir string
	// Out gets one line per step with its duration.
	Out io.Writer
	// Addons are installed after the node is up (ParseAddons: tekton,
	// shipwright); none by default, so a plain Up stays fast.
	Addons []string
	// AddonCache keeps the resolved addon manifests across Down (default
	// <Dir>-addons); their images stay in kiln's registry.
	AddonCache string
	// KilnSource is the Kiln source tree the kiln addon builds the
	// controller from (DefaultOptions: FindKilnSource of the current dir).
	KilnSource string
}

// server is the apiserver's URL for the recorded port.
func (s *state) server() string {
	return "https://" + net.JoinHostPort(NodeIP, strconv.Itoa(s.APIServerPort))
}

// hostPath is the PATH the node's processes get: containerd's shim first,
// Debian's runc, iptables and mount after.
func (l Layout) hostPath() string {
	return filepath.Dir(l.containerdBin("containerd")) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

// components lists the node's processes in start order.
func components(l Layout, s *state) []component {
	pathEnv := []string{"PATH=" + l.hostPath()}
	etcd, _ := exec.LookPath("etcd")
	kc := l.Kubeconfig()
	cs := []component{
		{name: "etcd", bin: etcd, args: []string{
			"--name", "kiln", "--data-dir", l.etcdData(),
			// TLS with client certificates on both ports: on loopback
			// without them, any local user could write the cluster's
			// state (a privileged pod) and become root.
			"--listen-client-urls", fmt.Sprintf("https://127.0.0.1:%d", s.EtcdPort),
			"--advertise-client-urls", fmt.Sprintf("https://127.0.0.1:%d", s.EtcdPort),
			"--cert-file", l.pki("apiserver.crt"), "--key-file", l.pki("apiserver.key"),
			"--client-cert-auth", "--trusted-ca-file", l.pki("ca.crt"),
			"--listen-peer-urls", fmt.Sprintf("https://127.0.0.1:%d", s.EtcdPeerPort),
			"--initial-advertise-peer-urls", fmt.Sprintf("https://127.0.0.1:%d", s.EtcdPeerPort),
			"--initial-cluster", fmt.Sprintf("kiln=https://127.0.0.1:%d", s.EtcdPeerPort),
			"--peer-cert-file", l.pki("apiserver.crt"), "--peer-key-file", l.pki("apiserver.key"),
			"--peer-client-cert-auth", "--peer-trusted-ca-file", l.pki("ca.crt"),
		}},
		{name: "kube-apiserver", bin: l.apiserverBin(), args: append([]string{
			"--etcd-servers=" + fmt.Sprintf("https://127.0.0.1:%d", s.EtcdPort),
			"--etcd-cafile=" + l.pki("ca.crt"), "--etcd-certfile=" + l.pki("admin.crt"), "--etcd-keyfile=" + l.pki("admin.key"),
			"--bind-address=" + NodeIP, "--advertise-address=" + NodeIP, "--secure-port=" + strconv.Itoa(s.APIServerPort),
			"--tls-cert-file=" + l.pki("apiserver.crt"), "--tls-private-key-file=" + l.pki("apiserver.key"),
			"--client-ca-file=" + l.pki("ca.crt"), "--authorization-mode=Node,RBAC",
			"--service-account-issuer=https://kubernetes.default.svc",
			"--service-account-key-file=" + l.pki("sa.pub"), "--service-account-signing-key-file=" + l.pki("sa.key"),
			"--service-cluster-ip-range=" + serviceCIDR, "--allow-privileged=true",
			"--kubelet-client-certificate=" + l.pki("admin.crt"), "--kubelet-client-key=" + l.pki("admin.key"),
			"--cert-dir=" + l.p("apiserver-certs"), "--profiling=false",
			// The node name does not resolve: reach the kubelet (logs, exec) at its address.
			"--kubelet-preferred-address-types=InternalIP",
		}, aggregationFlags(l)...)},
		{name: "kube-controller-manager", bin: l.kubeBin("kube-controller-manager"), args: []string{
			"--kubeconfig=" + kc, "--leader-elect=false", "--secure-port=0", "--cluster-name=kiln",
			"--root-ca-file=" + l.pki("ca.crt"), "--service-account-private-key-file=" + l.pki("sa.key"),
			"--use-service-account-credentials=false", "--allocate-node-cidrs=false", "--profiling=false",
		}},
		{name: "kube-scheduler", bin: l.kubeBin("kube-scheduler"), args: []string{
			"--kubeconfig=" + kc, "--leader-elect=false", "--secure-port=0", "--profiling=false",
		}},
		{name: "containerd", bin: l.containerdBin("containerd"), args: []string{"--config", l.containerdConfig()}, env: pathEnv},
		{name: "kubelet", bin: l.kubeBin("kubelet"), env: pathEnv, args: []string{
			"--config=" + l.kubeletConfig(), "--kubeconfig=" + kc, "--root-dir=" + l.kubeletRoot(),
			"--hostname-override=" + nodeName, "--node-ip=" + NodeIP, "--containerd=" + l.containerdSock(),
		}},
		{name: "kube-proxy", bin: l.kubeBin("kube-proxy"), env: pathEnv, args: []string{"--config=" + l.kubeProxyConfig()}},
	}
	if s.NodeRegistryPort != 0 {
		cs = append(cs, nodeRegistryComponent(l, s))
	}
	return cs
}

// aggregationFlags turn on the apiserver's aggregation layer, which KEDA's
// metrics apiserver (external.metrics.k8s.io, the HPA's source) needs: the
// apiserver proxies to it with the front proxy's client cert and the
// user in X-Remote-* headers, which the extension apiserver trusts from a
// cert of that CA with that name (it reads these settings from the
// extension-apiserver-authentication ConfigMap the apiserver publishes).
// No --enable-aggregator-routing: the apiserver dials the APIService's
// Service IP, which kube-proxy's OUTPUT rules route from the host (as the
// host reaches any ClusterIP here).
func aggregationFlags(l Layout) []string {
	return []string{
		"--requestheader-client-ca-file=" + l.pki(frontProxyCA+".crt"),
		"--requestheader-allowed-names=" + frontProxyName,
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-username-headers=X-Remote-User",
		"--proxy-client-cert-file=" + l.pki(frontProxyClient+".crt"),
		"--proxy-client-key-file=" + l.pki(frontProxyClient+".key"),
	}
}

// checkTools names the missing binaries and how to get them.
func checkTools(l Layout) error {
	var missing []string
	for _, p := range []string{l.apiserverBin(), l.kubeBin("kubelet"), l.kubeBin("kube-controller-manager"), l.kubeBin("kube-scheduler"),
		l.kubeBin("kube-proxy"), l.kubeBin("kubectl"), l.containerdBin("containerd"), l.containerdBin("containerd-shim-runc-v2"), l.containerdBin("ctr")} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
		}
	}
	if l.pauseBin() == "" {
		missing = append(missing, filepath.Join(l.Tools, "pause-*/pause"))
	}
	if len(missing) > 0 {
		return fmt.Errorf("cluster: missing pinned tools %v: run `KILN_TOOLS=%s bash platform/tools/build.sh cluster`", missing, l.Tools)
	}
	for _, deb := range []struct{ path, pkg string }{{"/usr/sbin/runc", "runc"}, {"/usr/bin/etcd", "etcd-server"},
		{filepath.Join(debianCNIDir, "bridge"), "containernetworking-plugins"}, {"/usr/sbin/iptables", "iptables"}} {
		if _, err := os.Stat(deb.path); err != nil {
			return fmt.Errorf("cluster: %s is missing: apt-get install -y %s", deb.path, deb.pkg)
		}
	}
	return nil
}

// freePort asks the kernel for a free TCP port on host. The node's
// daemons take ports as flags, so the port is released and then bound by
// the daemon; Up records it and reuses it while the node runs.
func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("cluster: finding a free port on %s: %w", host, err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// step runs one step of Up and prints it with its duration.
func step(out io.Writer, what string, f func() error) error {
	t := time.Now()
	if err := f(); err != nil {
		fmt.Fprintf(out, "==> %s: failed after %s\n", what, time.Since(t).Round(time.Millisecond))
		return err
	}
	fmt.Fprintf(out, "==> %s (%s)\n", what, time.Since(t).Round(time.Millisecond))
	return nil
}

// Running reports whether every process of the node runs and the
// apiserver answers /readyz.
func Running(o Options) bool {
	s, err := loadState(o.Layout)
	if err != nil || s.APIServerPort == 0 {
		return false
	}
	for _, c := range components(o.Layout, s) {
		if pidOf(o.Layout, c.name, c.bin) == 0 {
			return false
		}
	}
	a, err := newAPI(o.Layout, s.server())
	if err != nil {
		return false
	}
	ok, _ := a.ready()
	return ok
}

// Up brings the node up, or reuses it when it already runs (after making
// sure its registry is served). A half-up node is taken down first.
func Up(o Options) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	t0 := time.Now()
	if err := checkTools(o.Layout); err != nil {
		return err
	}
	unlock, err := lockNode(o.Layout)
	if err != nil {
		return err
	}
	defer unlock()
	if Running(o) {
		s, err := loadState(o.Layout)
		if err != nil {
			return err
		}
		if err := ensureRegistry(o, s); err != nil {
			return err
		}
		if err := installAddons(o, s); err != nil {
			return err
		}
		fmt.Fprintf(o.Out, "==> node %s already running (%s); KUBECONFIG=%s\n", nodeName, time.Since(t0).Round(time.Millisecond), o.Kubeconfig())
		return nil
	}
	if s, err := loadState(o.Layout); err == nil && s.Before != nil {
		fmt.Fprintln(o.Out, "==> a previous node is partly up: taking it down first")
		if err := down(o); err != nil {
			return err
		}
	}
	// down undoes the node by its footprint (the /kubepods cgroups, KUBE-*
	// chains): on a host where another Kubernetes has the same footprint
	// it would take that one down too, so the node is not brought up there.
	if err := foreignKubernetes(); err != nil {
		return err
	}
	s := &state{}
	sys, err := readSysctls(changedSysctls)
	if err != nil {
		return err
	}
	_, served := registry.Running(o.RegistryDir)
	s.Before = &before{Sysctls: sys, Absent: absentPaths(), NftTables: nftTables(), RegistryStarted: !served}
	if err := saveState(o.Layout, s); err != nil {
		return err
	}
	err = up(o, s)
	if err == nil {
		err = installAddons(o, s)
	}
	if err != nil {
		fmt.Fprintf(o.Out, "==> bring-up failed; `kiln cluster down` undoes what was done (logs: %s)\n", filepath.Dir(o.logFile("x")))
		return err
	}
	fmt.Fprintf(o.Out, "==> node %s ready in %s; KUBECONFIG=%s\n", nodeName, time.Since(t0).Round(time.Millisecond), o.Kubeconfig())
	return nil
}

func up(o Options, s *state) error {
	l := o.Layout
	if err := step(o.Out, "node address "+NodeIP+" on "+NodeIface, ensureNodeAddress); err != nil {
		return err
	}
	if err := step(o.Out, "certificates and keys", func() error { return ensurePKI(l) }); err != nil {
		return err
	}
	err := step(o.Out, "registry and pause image", func() error {
		return ensureRegistry(o, s)
	})
	if err != nil {
		return err
	}
	var perr error
	for _, p := range []*int{&s.EtcdPort, &s.EtcdPeerPort, &s.KubeletPort, &s.ProxyHealth, &s.ProxyMetric} {
		if *p, perr = freePort("127.0.0.1"); perr != nil {
			return perr
		}
	}
	if s.APIServerPort, perr = freePort(NodeIP); perr != nil {
		return perr
	}
	if err := saveState(l, s); err != nil {
		return err
	}
	kc, err := kubeconfig(l, s.server())
	if err != nil {
		return err
	}
	if err := os.WriteFile(l.Kubeconfig(), []byte(kc), 0o600); err != nil {
		return fmt.Errorf("cluster: writing %s: %w", l.Kubeconfig(), err)
	}
	files, err := configFiles(Config{Layout: l, Registry: s.Registry, KubeletPort: s.KubeletPort, ProxyHealth: s.ProxyHealth, ProxyMetric: s.ProxyMetric})
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f.path, []byte(f.text), 0o644); err != nil {
			return fmt.Errorf("cluster: writing %s: %w", f.path, err)
		}
	}
	for _, d := range []string{l.cniIPAMDir(), l.podLogs(), l.kubeletRoot(), l.runcRoot()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	a, err := newAPI(l, s.server())
	if err != nil {
		return err
	}
	byName := map[string]component{}
	for _, c := range components(l, s) {
		byName[c.name] = c
	}
	startAnd := func(name string, timeout time.Duration, what string, ok func() (bool, error)) error {
		return step(o.Out, name+": "+what, func() error {
			c := byName[name]
			os.Truncate(l.logFile(name), 0)
			if err := start(l, c); err != nil {
				return err
			}
			return poll(name+" "+what, timeout, diedFunc(l, c), ok)
		})
	}
	etcdAPI, err := newAPI(l, fmt.Sprintf("https://127.0.0.1:%d", s.EtcdPort))
	if err != nil {
		return err
	}
	if err := startAnd("etcd", 30*time.Second, "healthy", func() (bool, error) { code, err := etcdAPI.get("/health", nil); return code == 200, err }); err != nil {
		return err
	}
	if err := startAnd("kube-apiserver", 90*time.Second, "ready", a.ready); err != nil {
		return err
	}
	if err := startAnd("kube-controller-manager", 30*time.Second, "started", func() (bool, error) { return true, nil }); err != nil {
		return err
	}
	if err := startAnd("kube-scheduler", 30*time.Second, "started", func() (bool, error) { return true, nil }); err != nil {
		return err
	}
	if err := startAnd("containerd", 30*time.Second, "serving", func() (bool, error) {
		_, err := run(l.containerdBin("ctr"), "--address", l.containerdSock(), "version")
		return err == nil, err
	}); err != nil {
		return err
	}
	if err := startAnd("kubelet", 90*time.Second, "node Ready", a.nodeReady); err != nil {
		return err
	}
	// The kubelet set its sysctls once, at start: put the host's back.
	if err := step(o.Out, "host sysctls restored (kernel.panic, panic_on_oops, overcommit)", func() error {
		return restoreSysctls(s.Before.Sysctls, kubeletSysctls)
	}); err != nil {
		return err
	}
	if err := startAnd("kube-proxy", 60*time.Second, "synced", func() (bool, error) {
		return httpOK(fmt.Sprintf("http://127.0.0.1:%d/healthz", s.ProxyHealth))
	}); err != nil {
		return err
	}
	return step(o.Out, "default service account and root CA", func() error {
		return poll("the default ServiceAccount", 60*time.Second, nil, func() (bool, error) {
			if ok, err := a.exists("/api/v1/namespaces/default/serviceaccounts/default"); !ok {
				return false, err
			}
			return a.exists("/api/v1/namespaces/default/configmaps/kube-root-ca.crt")
		})
	})
}

// ensureRegistry makes sure kiln's registry is served (started detached,
// with no idle exit, when it is not), records its address and pushes the
// pause image. The registry remembers its address, so a restarted server
// comes back where containerd's hosts.toml points.
func ensureRegistry(o Options, s *state) error {
	reg, err := registry.ServeDetached(o.RegistryDir, s.Registry, 0)
	if err != nil {
		return fmt.Errorf("cluster: starting kiln's registry (%s): %w", o.RegistryDir, err)
	}
	defer reg.Close()
	if s.Registry != "" && s.Registry != reg.Addr {
		return fmt.Errorf("cluster: the registry now serves on %s, the node pulls from %s: run `kiln cluster down` then `kiln cluster up`", reg.Addr, s.Registry)
	}
	s.Registry = reg.Addr
	if err := saveState(o.Layout, s); err != nil {
		return err
	}
	return pushPause(o.pauseBin(), reg.Addr+"/"+pauseRepo, reg.RemoteOptions())
}

func httpOK(url string) (bool, error) {
	c := httpClient()
	resp, err := c.Get(url)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return false, errors.New(url + ": " + resp.Status)
	}
	return true, nil
}
