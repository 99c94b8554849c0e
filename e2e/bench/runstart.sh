#!/usr/bin/env bash
# kiln run -> first 200 against podman run of the same image, in the same run
# (issue 11: kiln run <= 0.7x podman run). Usage: runstart.sh [IMAGE]
# (default bench-hello; it must be in the embedded registry, e.g. built by
# e2e/bench/targets.sh). RUNS (default 10) alternating runs each; prints the
# medians, the ratio and every sample. kiln run has its own user, pid, mount,
# ipc, uts and network namespaces, no capabilities and seccomp; podman runs
# the image with runc on the host network, rootful, its state in a temp dir
# (its default overlay storage), pulling from the embedded registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
kiln=${KILN:-bin/kiln}
image=${1:-bench-hello}
runs=${RUNS:-10}
now() { date +%s%N; }
ms() { echo $(( ($(now) - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.2fx", a / b }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
first200() { # command... ; prints ms from start to the first 200
  local t; t=$(now); "$@" >/dev/null 2>&1 & local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.001; done
  ms "$t"; kill -TERM $pid; wait $pid 2>/dev/null || true
  # podman's container can outlive its client: the next run must not find
  # the port still served (its own listen would fail, and curl reach the old one).
  for _ in $(seq 2000); do curl -s -o /dev/null "http://127.0.0.1:$port/" || break; sleep 0.005; done
}
if ! command -v podman >/dev/null; then
  printf '%-38s %12s\n' "kiln run vs podman run" "skipped: no podman (apt-get install podman)"
  exit 0
fi
pm=$(mktemp -d)
reg=$($kiln registry address)
$kiln registry serve >/dev/null 2>&1 & reg_pid=$!
cleanup() {
  podman rm -af >/dev/null 2>&1 || true
  podman rmi -af >/dev/null 2>&1 || true
  umount "$pm/root/overlay" 2>/dev/null || true # containers/storage keeps its overlay dir mounted private
  kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null || true
  rm -rf "$pm"
}
trap cleanup EXIT
until curl -sf -o /dev/null "http://$reg/v2/"; do sleep 0.01; done
printf 'unqualified-search-registries = []\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$reg" > "$pm/registries.conf"
printf '[storage]\ndriver = "overlay"\nrunroot = "%s/run"\ngraphroot = "%s/root"\n' "$pm" "$pm" > "$pm/storage.conf"
# No CAP_SYS_RESOURCE on these VMs: podman's default rlimits cannot be set.
printf '[containers]\ndefault_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' > "$pm/containers.conf"
export CONTAINERS_REGISTRIES_CONF=$pm/registries.conf CONTAINERS_STORAGE_CONF=$pm/storage.conf CONTAINERS_CONF=$pm/containers.conf
podman pull -q "$reg/$image:latest" >/dev/null
first200 podman run --rm --network host -e PORT="$port" "$reg/$image:latest" >/dev/null # warm both
first200 $kiln run "$image" --port "$port" >/dev/null
k_ms=() p_ms=()
for _ in $(seq "$runs"); do
  k_ms+=("$(first200 $kiln run "$image" --port "$port")")
  p_ms+=("$(first200 podman run --rm --network host -e PORT="$port" "$reg/$image:latest")")
done
k=$(printf '%s\n' "${k_ms[@]}" | median); p=$(printf '%s\n' "${p_ms[@]}" | median)
printf '%-38s %9s ms %11s ms %8s  %s\n' "kiln run vs podman run -> first 200" "$k" "$p" "$(ratio "$k" "$p")" "<= 0.7x (podman: runc, host network; medians of $runs)"
printf '    kiln run samples (ms):   %s\n    podman run samples (ms): %s\n' "${k_ms[*]}" "${p_ms[*]}"
