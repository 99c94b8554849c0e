#!/usr/bin/env bash
# Builds the pinned CNB tools from the Go module proxy into $KILN_HOME/tools,
# (or $KILN_TOOLS), only when missing: lifecycle v0.21.14 (+ launcher) and pack v0.40.9.
# The wrapper modules beside this script pin them (go.mod + go.sum).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=${KILN_HOME:-$HOME/.cache/kiln}
LIFECYCLE_VERSION=0.21.14
PACK_VERSION=0.40.9
tools=${KILN_TOOLS:-$home/tools}
lc=$tools/lifecycle-v$LIFECYCLE_VERSION
pk=$tools/pack-v$PACK_VERSION
# The wrapper modules are not part of the repo's go.work.
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOWORK=off

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
"$lc/lifecycle" -version >/dev/null 2>&1 || CNB_PLATFORM_API=0.14 "$lc/lifecycle" -version
"$pk/pack" version
