#!/usr/bin/env bash
# Builds the pinned CNB tools from the Go module proxy into $KILN_HOME/tools,
# (or $KILN_TOOLS), only when missing: lifecycle v0.21.14 (+ launcher), pack v0.40.9
# controller-gen v0.20.0 (CRDs and deepcopy of controller/api) and kube-apiserver
# v1.36.3 (the controller's envtest suite; etcd comes from Debian's etcd-server)
# and daprd v1.14.0 with the components Kiln uses (`kiln run --dapr`, the async e2e).
# Usage: build.sh [all|cnb|daprd|cnb-arm64|publish-tools|cluster]   (cnb: only the lifecycle and pack; daprd: only daprd;
# cnb-arm64: the lifecycle for linux/arm64; publish-tools: distribution's registry and actionlint for e2e/publish;
# cluster: kubelet, kube-controller-manager, kube-scheduler, kube-proxy, kubectl, containerd, pause, ko and node-registry for platform/cluster)
# The wrapper modules beside this script pin them (go.mod + go.sum).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=${KILN_HOME:-$HOME/.cache/kiln}
LIFECYCLE_VERSION=0.21.14
PACK_VERSION=0.40.9
CONTROLLER_TOOLS_VERSION=0.20.0
KUBE_VERSION=1.36.3
DAPR_VERSION=1.14.0
tools=${KILN_TOOLS:-$home/tools}
lc=$tools/lifecycle-v$LIFECYCLE_VERSION
pk=$tools/pack-v$PACK_VERSION
cg=$tools/controller-gen-v$CONTROLLER_TOOLS_VERSION
kas=$tools/kube-apiserver-v$KUBE_VERSION
dd=$tools/daprd-v$DAPR_VERSION
# One build at a time: make targets and test suites may run this concurrently.
mkdir -p "$tools"
exec 9>"$tools/.build.lock"
flock 9
# The wrapper modules are not part of the repo's go.work.
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOWORK=off

# daprd: Dapr's cmd/daprd/app with the components registered in daprd/main.go.
# Dapr's components package panics unless a component build tag is set, and
# those tags compile all of components-contrib; so the build uses a copy of the
# dapr module in which that file is replaced by an empty one.
# main.go is kept beside the binary: a daprd built from another main.go
# (other components) is rebuilt.
build_daprd() {
  [ -x "$dd/daprd" ] && cmp -s "$here/daprd/main.go" "$dd/main.go" && return 0
  echo "==> building daprd v$DAPR_VERSION into $dd (first time: 2-10 minutes)"
  local work=$dd.tmp
  rm -rf "$work" && mkdir -p "$work"
  cp "$here/daprd/go.mod" "$here/daprd/go.sum" "$here/daprd/main.go" "$work/"
  local src
  src=$(cd "$here/daprd" && go mod download -json github.com/dapr/dapr@v$DAPR_VERSION | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  cp -r "$src" "$work/dapr" && chmod -R u+w "$work/dapr"
  rm "$work/dapr/cmd/daprd/components/zz_notag.go"
  echo "package components" > "$work/dapr/cmd/daprd/components/kiln.go"
  (cd "$work" && go mod edit -replace github.com/dapr/dapr=./dapr \
    && go build -trimpath -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" -o "$work/bin/daprd" .)
  rm -rf "$dd" && mkdir -p "$dd" && mv "$work/bin/daprd" "$dd/daprd" && cp "$here/daprd/main.go" "$dd/main.go" && rm -rf "$work"
}
if [ "${1:-all}" = daprd ]; then
  build_daprd
  "$dd/daprd" --version
  exit 0
fi

# The lifecycle for linux/arm64 (cross-compiled, static): the arm64 half of
# the multi-arch builders `kiln publish` makes. `build.sh cnb-arm64`.
lca=$tools/lifecycle-v$LIFECYCLE_VERSION-linux-arm64
build_lifecycle_arm64() {
  [ -x "$lca/lifecycle" ] && [ -x "$lca/launcher" ] && return 0
  echo "==> building lifecycle v$LIFECYCLE_VERSION for linux/arm64 into $lca"
  mkdir -p "$lca.tmp"
  local ldf="-s -w -X github.com/buildpacks/lifecycle/cmd.Version=$LIFECYCLE_VERSION"
  (cd "$here/lifecycle" && GOOS=linux GOARCH=arm64 go build -trimpath -ldflags "$ldf" -o "$lca.tmp/lifecycle" github.com/buildpacks/lifecycle/cmd/lifecycle \
    && GOOS=linux GOARCH=arm64 go build -trimpath -ldflags "$ldf" -o "$lca.tmp/launcher" github.com/buildpacks/lifecycle/cmd/launcher)
  rm -rf "$lca" && mv "$lca.tmp" "$lca"
}
# Test tools of the publish suite (e2e/publish), pinned by the wrapper modules
# registry/ (distribution's registry v3.1.2 application served with TLS and
# htpasswd on a listener the test hands over) and actionlint/ (v1.7.12: lints
# .github/workflows). `build.sh publish-tools`.
REGISTRY_VERSION=3.1.2
ACTIONLINT_VERSION=1.7.12
# Keyed by the wrapper's source too: a change to registry/main.go rebuilds it.
dreg=$tools/test-registry-v$REGISTRY_VERSION-$(cat "$here/registry/main.go" "$here/registry/go.sum" | sha256sum | cut -c1-12)
al=$tools/actionlint-v$ACTIONLINT_VERSION
build_publish_tools() {
  if [ ! -x "$dreg/registry" ]; then
    echo "==> building distribution's registry v$REGISTRY_VERSION into $dreg (first time: several minutes)"
    mkdir -p "$dreg.tmp"
    (cd "$here/registry" && go build -trimpath -ldflags "-s -w" -o "$dreg.tmp/registry" .)
    rm -rf "$dreg" && mv "$dreg.tmp" "$dreg"
  fi
  if [ ! -x "$al/actionlint" ]; then
    echo "==> building actionlint v$ACTIONLINT_VERSION into $al"
    mkdir -p "$al.tmp"
    (cd "$here/actionlint" && go build -trimpath -ldflags "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" -o "$al.tmp/actionlint" github.com/rhysd/actionlint/cmd/actionlint)
    rm -rf "$al" && mv "$al.tmp" "$al"
  fi
}
build_kube_apiserver() {
  [ -x "$kas/kube-apiserver" ] && return 0
  echo "==> building kube-apiserver v$KUBE_VERSION into $kas (first time: 5-15 minutes on 2 cores)"
  mkdir -p "$kas.tmp"
  local v="-X k8s.io/component-base/version"
  (cd "$here/kube-apiserver" && go build -trimpath -ldflags "-s -w $v.gitVersion=v$KUBE_VERSION $v.gitMajor=1 $v.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2) $v.gitTreeState=clean" \
    -o "$kas.tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
  rm -rf "$kas" && mv "$kas.tmp" "$kas"
}
# The single-node cluster of platform/cluster (`kiln cluster up`): the node
# binaries of the same Kubernetes release as kube-apiserver (wrapper kube-node/),
# containerd v2.4.2 with its runc shim and ctr (wrapper containerd/; kubelet
# v1.36 wants containerd 2) and a static pause binary (pause/, the sandbox
# image's only file). runc, the CNI plugins and etcd are Debian's. `build.sh cluster`.
CONTAINERD_VERSION=2.4.2
kn=$tools/kube-node-v$KUBE_VERSION
ctd=$tools/containerd-v$CONTAINERD_VERSION
# Keyed by its source: a change to pause/main.go rebuilds it.
pau=$tools/pause-$(cat "$here/pause/main.go" "$here/pause/go.mod" | sha256sum | cut -c1-12)
# The addons of the node (`kiln cluster up --with tekton,shipwright`): ko v0.18.1
# (wrapper ko/) builds Tekton's and Shipwright's images from their modules'
# ko:// references; node-registry (wrapper node-registry/, keyed by its source)
# is the registry pods push to, on the node address only.
KO_VERSION=0.18.1
kov=$tools/ko-v$KO_VERSION
nreg=$tools/node-registry-$(cat "$here/node-registry/main.go" "$here/node-registry/go.sum" | sha256sum | cut -c1-12)
build_cluster_addons() {
  if [ ! -x "$kov/ko" ]; then
    echo "==> building ko v$KO_VERSION into $kov"
    mkdir -p "$kov.tmp"
    (cd "$here/ko" && go build -trimpath -ldflags "-s -w -X github.com/google/ko/pkg/commands.Version=v$KO_VERSION" -o "$kov.tmp/ko" github.com/google/ko)
    rm -rf "$kov" && mv "$kov.tmp" "$kov"
  fi
  if [ ! -x "$nreg/node-registry" ]; then
    echo "==> building node-registry into $nreg"
    mkdir -p "$nreg.tmp"
    (cd "$here/node-registry" && go build -trimpath -ldflags "-s -w" -o "$nreg.tmp/node-registry" .)
    rm -rf "$nreg" && mv "$nreg.tmp" "$nreg"
  fi
}
build_cluster() {
  build_cluster_addons
  build_kube_apiserver
  local c v="-X k8s.io/component-base/version"
  for c in kubelet kube-controller-manager kube-scheduler kube-proxy kubectl; do
    [ -x "$kn/$c" ] && continue
    echo "==> building $c v$KUBE_VERSION into $kn (first time: 1-10 minutes on 2 cores)"
    mkdir -p "$kn"
    (cd "$here/kube-node" && go build -trimpath -ldflags "-s -w $v.gitVersion=v$KUBE_VERSION $v.gitMajor=1 $v.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2) $v.gitTreeState=clean" \
      -o "$kn/$c.tmp" "k8s.io/kubernetes/cmd/$c")
    mv "$kn/$c.tmp" "$kn/$c"
  done
  if [ ! -x "$ctd/containerd" ] || [ ! -x "$ctd/containerd-shim-runc-v2" ] || [ ! -x "$ctd/ctr" ]; then
    echo "==> building containerd v$CONTAINERD_VERSION into $ctd (first time: a few minutes)"
    mkdir -p "$ctd.tmp"
    local m=github.com/containerd/containerd/v2
    for c in containerd containerd-shim-runc-v2 ctr; do
      (cd "$here/containerd" && go build -trimpath -tags "no_btrfs no_devmapper no_zfs" \
        -ldflags "-s -w -X $m/version.Version=v$CONTAINERD_VERSION" -o "$ctd.tmp/$c" "$m/cmd/$c")
    done
    rm -rf "$ctd" && mv "$ctd.tmp" "$ctd"
  fi
  if [ ! -x "$pau/pause" ]; then
    echo "==> building the pause binary into $pau"
    mkdir -p "$pau.tmp"
    (cd "$here/pause" && go build -trimpath -ldflags "-s -w" -o "$pau.tmp/pause" .)
    rm -rf "$pau" && mv "$pau.tmp" "$pau"
  fi
}
case "${1:-all}" in
  cluster) build_cluster; "$kn/kubelet" --version; "$ctd/containerd" --version; "$kov/ko" version; exit 0 ;;
  cnb-arm64) build_lifecycle_arm64; file "$lca/lifecycle" 2>/dev/null || ls -l "$lca"; exit 0 ;;
  publish-tools) build_publish_tools; "$al/actionlint" -version | head -1; exit 0 ;;
esac

if [ ! -x "$lc/lifecycle" ] || [ ! -x "$lc/launcher" ]; then
  echo "==> building lifecycle v$LIFECYCLE_VERSION into $lc (first time: a few minutes)"
  mkdir -p "$lc.tmp"
  ldf="-s -w -X github.com/buildpacks/lifecycle/cmd.Version=$LIFECYCLE_VERSION"
  (cd "$here/lifecycle" && go build -trimpath -ldflags "$ldf" -o "$lc.tmp/lifecycle" github.com/buildpacks/lifecycle/cmd/lifecycle \
    && go build -trimpath -ldflags "$ldf" -o "$lc.tmp/launcher" github.com/buildpacks/lifecycle/cmd/launcher)
  rm -rf "$lc" && mv "$lc.tmp" "$lc"
fi
if [ ! -x "$pk/pack" ]; then
  echo "==> building pack v$PACK_VERSION into $pk (first time: a minute or two)"
  mkdir -p "$pk.tmp"
  (cd "$here/pack" && go build -trimpath -ldflags "-s -w -X github.com/buildpacks/pack/pkg/client.Version=$PACK_VERSION" -o "$pk.tmp/pack" github.com/buildpacks/pack)
  rm -rf "$pk" && mv "$pk.tmp" "$pk"
fi
# `build.sh cnb` stops here: building and running functions needs only the
# lifecycle and pack (make builder/demo); the controller's tools come next.
if [ "${1:-all}" = cnb ]; then
  "$lc/lifecycle" -version >/dev/null 2>&1 || CNB_PLATFORM_API=0.14 "$lc/lifecycle" -version
  "$pk/pack" version
  exit 0
fi
if [ ! -x "$cg/controller-gen" ]; then
  echo "==> building controller-gen v$CONTROLLER_TOOLS_VERSION into $cg"
  mkdir -p "$cg.tmp"
  (cd "$here/controller-gen" && go build -trimpath -ldflags "-s -w" -o "$cg.tmp/controller-gen" sigs.k8s.io/controller-tools/cmd/controller-gen)
  rm -rf "$cg" && mv "$cg.tmp" "$cg"
fi
build_kube_apiserver
build_daprd
"$lc/lifecycle" -version >/dev/null 2>&1 || CNB_PLATFORM_API=0.14 "$lc/lifecycle" -version
"$pk/pack" version
"$dd/daprd" --version
