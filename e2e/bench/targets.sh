#!/usr/bin/env bash
# make bench: measures issue #2's targets for samples/go/hello and prints each
# next to a baseline measured in the same run on the same machine (these
# machines are noisy: compare ratios, not absolutes).
#   size      image in the registry      vs  the gzipped static binary alone (a FROM-scratch image)
#   unchanged rebuild                    vs  `go build` of the same, warm
#   warm rebuild after a 1-line change   vs  `go build` after the same change
#   kiln run -> first 200 (flattened)    vs  the same server binary started directly
#   kiln run -> first 200 (sandboxed)    vs  podman run --network host (runc) of the same image
# Start times are medians of RUNS (default 10) alternating runs.
# Needs `make builder` first (the Makefile's bench target does it).
set -euo pipefail
cd "$(dirname "$0")/../.."
kiln=${KILN:-bin/kiln}
runs=${RUNS:-10}
if [ ! -x "$(dirname "$kiln")/kiln-sandbox" ]; then
  echo "note: no kiln-sandbox beside $kiln: kiln starts itself as the sandbox helper (slower starts; make build installs both)"
fi
now() { date +%s%N; }
ms() { echo $(( ($(now) - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.1fx", a / b }'; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r samples/go/hello "$work/hello"
fw=$PWD/framework-templates/go

# Baseline program: the same function + framework, compiled on the host.
mkdir -p "$work/base/main"
cp samples/go/hello/hello.go "$work/base/"
printf 'module example.com/hello\n\ngo 1.26\n\nrequire kiln.dev/functions-framework-go v0.1.0\n\nreplace kiln.dev/functions-framework-go => %s\n' "$fw" > "$work/base/go.mod"
cat > "$work/base/main/main.go" <<'GO'
package main

import (
	hello "example.com/hello"
	"kiln.dev/functions-framework-go/funcframework"
)

func main() { funcframework.Main(funcframework.HTTPHandler(hello.HelloWorld)) }
GO
gobuild() { (cd "$work/base" && GOWORK=off CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/base/app" ./main); }
gobuild

echo "== kiln build (cold for this copy, then measured rebuilds)"
$kiln build "$work/hello" --target HelloWorld --image bench-hello >/dev/null
t=$(now); out=$($kiln build "$work/hello" --target HelloWorld --image bench-hello); unchanged=$(ms "$t")
size=$(echo "$out" | awk '/size:/ {print $2}')
t=$(now); gobuild; base_unchanged=$(ms "$t")

sed -i 's/Hello, %s!/Hi, %s!/' "$work/hello/hello.go" "$work/base/hello.go"
t=$(now); $kiln build "$work/hello" --target HelloWorld --image bench-hello >/dev/null; warm=$(ms "$t")
t=$(now); gobuild; base_warm=$(ms "$t")
base_size=$(gzip -c "$work/base/app" | wc -c)

echo "== the same with --isolated-cache (per-app CNB cache layers: the pack / Shipwright path)"
cp -r samples/go/hello "$work/iso"
$kiln build "$work/iso" --target HelloWorld --image bench-iso --isolated-cache >/dev/null
t=$(now); $kiln build "$work/iso" --target HelloWorld --image bench-iso --isolated-cache >/dev/null; iso_unchanged=$(ms "$t")
sed -i 's/Hello, %s!/Hi, %s!/' "$work/iso/hello.go"
t=$(now); $kiln build "$work/iso" --target HelloWorld --image bench-iso --isolated-cache >/dev/null; iso_warm=$(ms "$t")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
first200() { # command... ; prints ms from start to the first 200
  local t; t=$(now); "$@" >/dev/null 2>&1 & local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.001; done
  ms "$t"; kill -TERM $pid; wait $pid 2>/dev/null || true
  for _ in $(seq 2000); do curl -s -o /dev/null "http://127.0.0.1:$port/" || break; sleep 0.005; done # the port is free again
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

first200 $kiln run bench-hello --port "$port" >/dev/null   # flattens the image once
run_all=() base_all=()
for _ in $(seq "$runs"); do
  run_all+=("$(first200 $kiln run bench-hello --port "$port")")
  base_all+=("$(PORT=$port first200 "$work/base/app")")
done
run_ms=$(printf '%s\n' "${run_all[@]}" | median)
base_run=$(printf '%s\n' "${base_all[@]}" | median)

printf '\n%-38s %12s %14s %8s  %s\n' "target" "kiln" "baseline" "ratio" "goal"
printf '%-38s %9s MB %11.1f MB %8s  %s\n' "Go hello image size (registry)" "$size" "$(awk -v b="$base_size" 'BEGIN{print b/1e6}')" "$(ratio "$size" "$(awk -v b="$base_size" 'BEGIN{print b/1e6}')")" "<= 10 MB (OpenFunction: 21 MB)"
printf '%-38s %9s ms %11s ms %8s  %s\n' "unchanged rebuild" "$unchanged" "$base_unchanged" "$(ratio "$unchanged" "$base_unchanged")" "<= 5 s"
printf '%-38s %9s ms %11s ms %8s  %s\n' "warm rebuild after a one-line change" "$warm" "$base_warm" "$(ratio "$warm" "$base_warm")" "<= 10 s"
printf '%-38s %9s ms %11s ms %8s  %s\n' "unchanged rebuild, --isolated-cache" "$iso_unchanged" "$base_unchanged" "$(ratio "$iso_unchanged" "$base_unchanged")" "<= 5 s"
printf '%-38s %9s ms %11s ms %8s  %s\n' "one-line change, --isolated-cache" "$iso_warm" "$base_warm" "$(ratio "$iso_warm" "$base_warm")" "<= 10 s"
printf '%-38s %9s ms %11s ms %8s  %s\n' "kiln run -> first 200 (flattened)" "$run_ms" "$base_run" "$(ratio "$run_ms" "$base_run")" "<= 100 ms"
RUNS=$runs KILN=$kiln bash e2e/bench/runstart.sh bench-hello


# ---- Node.js: samples/nodejs/hello (goals: <= 60 MB, warm rebuild <= 10 s, exec -> 200 <= 300 ms)
echo
echo "== Node.js hello"
cp -r samples/nodejs/hello "$work/node"
$kiln build "$work/node" --target helloWorld --image bench-node >/dev/null
t=$(now); out=$($kiln build "$work/node" --target helloWorld --image bench-node); n_unchanged=$(ms "$t")
n_size=$(echo "$out" | awk '/size:/ {print $2}')
sed -i 's/Hello, /Hi, /' "$work/node/index.js"
t=$(now); $kiln build "$work/node" --target helloWorld --image bench-node >/dev/null; n_warm=$(ms "$t")
first200 $kiln run bench-node --port "$port" >/dev/null
n_run=$(first200 $kiln run bench-node --port "$port")
n_base=$(FUNCTION_SOURCE="$work/node/index.js" FUNCTION_TARGET=helloWorld PORT=$port first200 node framework-templates/nodejs/bin/serve.js)
printf '\n%-38s %12s %14s %8s  %s\n' "target" "kiln" "baseline" "ratio" "goal"
printf '%-38s %9s MB %14s %8s  %s\n' "Node hello image size (registry)" "$n_size" "-" "-" "<= 60 MB"
printf '%-38s %9s ms %14s %8s  %s\n' "Node unchanged rebuild" "$n_unchanged" "-" "-" "-"
printf '%-38s %9s ms %14s %8s  %s\n' "Node warm rebuild, one-line change" "$n_warm" "-" "-" "<= 10 s"
printf '%-38s %9s ms %11s ms %8s  %s\n' "Node kiln run -> first 200" "$n_run" "$n_base" "$(ratio "$n_run" "$n_base")" "<= 300 ms (baseline: host node + framework)"

# ---- Python and Java hello (goals: <= 45 / 90 MB; warm rebuild <= 10 / 30 s; exec -> 200 <= 200 / 800 ms)
lang_row() { # name dir target image goal_size goal_warm goal_start edit_file sed_expr
  local name=$1 dir=$2 target=$3 image=$4 gsize=$5 gwarm=$6 gstart=$7 file=$8 expr=$9 out size warm run
  cp -r "$dir" "$work/$image"
  # shellcheck disable=SC2086 # BUILD_ARGS is a list of flags
  $kiln build "$work/$image" --target "$target" --image "$image" ${BUILD_ARGS:-} >/dev/null
  sed -i "$expr" "$work/$image/$file"
  local t; t=$(now); out=$($kiln build "$work/$image" --target "$target" --image "$image" ${BUILD_ARGS:-}); warm=$(ms "$t")
  size=$(echo "$out" | awk '/size:/ {print $2}')
  first200 $kiln run "$image" --port "$port" >/dev/null
  run=$(first200 $kiln run "$image" --port "$port")
  printf '%-38s %9s MB %14s %8s  %s\n' "$name: image size" "$size" "-" "-" "<= $gsize"
  printf '%-38s %9s ms %14s %8s  %s\n' "$name: one-line change rebuild" "$warm" "-" "-" "<= $gwarm"
  printf '%-38s %9s ms %14s %8s  %s\n' "$name: kiln run -> first 200" "$run" "-" "-" "<= $gstart"
}
echo
echo "== Python and Java hello"
printf '\n%-38s %12s %14s %8s  %s\n' "target" "kiln" "baseline" "ratio" "goal"
lang_row "Python hello" samples/python/hello hello bench-python "45 MB" "10 s" "200 ms" main.py 's/Hello, /Hi, /'
lang_row "Java hello" samples/java/hello com.example.Hello bench-java "90 MB" "30 s" "800 ms" src/main/java/com/example/Hello.java 's/Hello, /Hi, /'

# Java with Maven: samples/java/dependency through a mirror (Maven Central is
# unreachable here: Debian's packaged repository served on loopback).
mvn_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory /usr/share/maven-repo "$mvn_port" >/dev/null 2>&1 &
mvn_pid=$!; trap 'kill $mvn_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$mvn_port/" && break; sleep 0.05; done
BUILD_ARGS="--env BP_MAVEN_MIRROR_URL=http://127.0.0.1:$mvn_port --allow-host-port $mvn_port" lang_row "Java Maven dep." samples/java/dependency \
  com.example.Initials bench-java-maven "90 MB" "30 s" "800 ms" src/main/java/com/example/Initials.java 's/ (/ [/'
