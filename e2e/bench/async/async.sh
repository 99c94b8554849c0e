#!/usr/bin/env bash
# make bench-async: the same MQTT echo function on Kiln's Go framework and on
# OpenFunction's functions-framework-go v0.5.0 (pinned, built from the Go module
# proxy), each behind the same daprd v1.14.0 and mosquitto: messages/s and
# p50/p99 round trip at a window of 1 and of 64, lost/duplicated replies, the
# function's CPU per message, and process start → ready (answers Dapr's
# ListInputBindings). Runs alternate (RUNS each, default 3) and the
# medians are compared as ratios (these machines are noisy).
set -euo pipefail
cd "$(dirname "$0")/../../.."
home=${KILN_HOME:-$HOME/.cache/kiln}
tools=${KILN_TOOLS:-$home/tools}
runs=${RUNS:-3}
bash platform/tools/build.sh daprd >/dev/null
daprd=$tools/daprd-v1.14.0/daprd
work=$home/bench-async
mkdir -p "$work/kiln" "$work/openfunction"

echo "==> building the Kiln echo (samples/go/async-mqtt without its hook)"
cp samples/go/async-mqtt/echo.go "$work/kiln/"
sed -i '/^\/\/ stamp is a sample hook/,$d; /"time"/d; /functions-framework-go\/hooks"/d' "$work/kiln/echo.go"
mkdir -p "$work/kiln/main"
printf 'module example.com/asyncmqtt\n\ngo 1.26\n\nrequire kiln.dev/functions-framework-go v0.1.0\n\nreplace kiln.dev/functions-framework-go => %s\n' "$PWD/framework-templates/go" > "$work/kiln/go.mod"
printf 'package main\n\nimport (\n\tfn "example.com/asyncmqtt"\n\t"kiln.dev/functions-framework-go/funcframework"\n)\n\nfunc main() { funcframework.MainOpenFunction("echo", fn.Echo) }\n' > "$work/kiln/main/main.go"
(cd "$work/kiln" && GOWORK=off go build -trimpath -o echo ./main)

echo "==> building the OpenFunction echo (functions-framework-go v0.5.0)"
if [ ! -x "$work/openfunction/echo" ]; then
  cp e2e/bench/async/ofecho/main.go.txt "$work/openfunction/main.go"
  printf 'module example.com/ofecho\n\ngo 1.22\n\nrequire github.com/OpenFunction/functions-framework-go v0.5.0\n' > "$work/openfunction/go.mod"
  (cd "$work/openfunction" && GOWORK=off GOFLAGS=-mod=mod go mod tidy && GOWORK=off go build -trimpath -o echo .)
fi
go build -o "$work/mqttrtt" ./e2e/bench/async/mqttrtt

for i in $(seq "$runs"); do
  for impl in kiln openfunction; do
    "$work/mqttrtt" -name "$impl" -fn "$work/$impl/echo" -daprd "$daprd" | tee -a "$work/results.$$"
  done
done
python3 - "$work/results.$$" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT"):
        continue
    parts = line.split()
    rows.setdefault(parts[1], []).append({k: float(v) for k, v in (p.split("=") for p in parts[2:])})
med = {impl: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for impl, rs in rows.items()}
k, o = med["kiln"], med["openfunction"]
print(f"\n{'median of %d runs' % len(rows['kiln']):<24}{'Kiln':>12}{'OpenFunction':>14}{'Kiln/OF':>10}")
for key, label, better in [("w64_rate", "msgs/s, window 64", "higher"), ("w1_rate", "msgs/s, window 1", "higher"),
                           ("w1_p50_ms", "p50 ms, window 1", "lower"), ("w1_p99_ms", "p99 ms, window 1", "lower"),
                           ("w64_p50_ms", "p50 ms, window 64", "lower"), ("w64_p99_ms", "p99 ms, window 64", "lower"),
                           ("ready_ms", "start -> ready ms", "lower"), ("cpu_us_per_msg", "function CPU us/msg", "lower"),
                           ("lost", "lost replies", "lower"), ("dup", "duplicated replies", "lower")]:
    ratio = k[key] / o[key] if o[key] else float("nan")
    print(f"{label:<24}{k[key]:>12.2f}{o[key]:>14.2f}{ratio:>9.2f}x")
PY
rm -f "$work/results.$$"
