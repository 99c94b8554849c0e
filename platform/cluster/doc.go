// Package cluster brings up, reuses and tears down a single-node Kubernetes
// on this machine from pinned parts, with no Docker and no kind: Debian's
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
// kube-proxy and kubectl of one release (platform/tools/build.sh cluster),
// containerd v2 with Debian's runc and CNI plugins (bridge, host-local,
// portmap, loopback), a pause image built from a static Go binary, and
// kiln's embedded registry as the registry the node pulls from (containerd's
// hosts.toml), so images `kiln build` pushes run on the node as they are.
//
// Everything lives under one state dir ($KILN_HOME/cluster): PKI, configs,
// data, logs, pid files, the kubelet's root dir and the pod network
// namespaces. The apiserver advertises a private address on a port-less
// bridge (kiln0; this kernel has no dummy driver), so pods reach it through the `kubernetes` Service.
//
// Up is idempotent (a running node is reused) and prints each step with its
// duration; Env prints shell exports (KUBECONFIG, PATH with the matching
// kubectl); Down stops every process it started (by pid file, checked
// against the binary), unmounts what the kubelet and containerd mounted,
// removes the iptables chains (kube-proxy --cleanup, then any KUBE-* chain
// left), the cni0 bridge and kiln0, the /kubepods cgroups, the
// files outside the state dir that were not there before Up, and puts back
// the sysctls the kubelet and the bridge plugin change, as recorded at Up.
// Main is the `kiln cluster up|env|down|status` command.
//
// Addons (Options.Addons, `kiln cluster up --with shipwright,knative`;
// none by default): CoreDNS v1.13.1 (kube-dns at 10.96.0.10, which the
// kubelet gives every pod), Tekton Pipelines v1.3.1 and Shipwright Build
// v0.17.0 (the Tekton release Shipwright v0.17 documents and builds
// against), Knative Serving v0.50.0 and Traefik v3.6.9 as its ingress on a
// loopback port kept in the state (Knative Services answer at
// http://NAME.NAMESPACE.localhost:PORT/; knative.go and traefik.go say why
// these versions and not v0.51.0 and v3.7.13), their
// images built from the modules' ko:// references by the pinned ko with
// Kiln's run-static stack image as the base (Shipwright's git source step
// on Kiln's git service image, kiln/stack/git:services, and with Kiln's
// step template: shipwright_git.go), pushed to kiln's registry and
// applied as plain YAML. The resolved YAML is cached by module@version, ko
// version, base digests and registry (Options.AddonCache, kept across Down),
// so a second install does not build. Pods cannot reach kiln's loopback
// registry, so the addons also start the node registry: a separate
// registry bound to the node address only, which build pods push to and
// the kubelet pulls from, seeded with the Go builder (plus the host's CA
// bundle) and its run image.
//
// The kiln addon (addon_kiln.go; `--with kiln`, which brings shipwright and
// knative) is Kiln's own controller: it is not a module but the Kiln
// checkout Up runs in (Options.KilnSource). Up builds controller/cmd/manager
// with go (its build cache keeps an unchanged source quick), puts it on
// run-static at kiln publish's path, pushes that to the node registry (the
// same binary gives the same digest, which is not pushed again), copies
// every builder kiln's registry has (builder-go, -node, -python, -java) and
// the run images they name into the node registry, relocated so a build pod
// needs nothing else (run images named in the node registry in the builder
// label and /cnb/run.toml, the host's CA bundle, CNB_INSECURE_REGISTRIES),
// renders controller/config with kubectl kustomize, pins the manager to its
// image and those builders by digest (--builder LANGUAGE=IMAGE), and adds a
// pool of hostPath PersistentVolumes for the Functions' build cache claims
// (kiln_volumes.go says why not a provisioner). Env then exports the node
// registry as KILN_REGISTRY, so kiln deploy needs no --registry.
//
// Every step needs root; the machine is shared, so nothing here touches a
// process, mount or rule that is not the node's.
package cluster
