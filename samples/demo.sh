#!/usr/bin/env bash
# make demo: build samples/go/hello with the Go builder (daemonless CNB
# lifecycle), serve it with kiln run, call it, stop it. Prints the timings.
set -euo pipefail
cd "$(dirname "$0")/.."
kiln=bin/kiln
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

echo "==> kiln build samples/go/hello --target HelloWorld"
t=$(date +%s%N)
$kiln build samples/go/hello --target HelloWorld
build_ms=$(ms "$t")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
echo "==> kiln run hello --port $port"
t=$(date +%s%N)
$kiln run hello --port "$port" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 3000); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 $pid 2>/dev/null || { echo "kiln run exited early" >&2; exit 1; }
  sleep 0.01
done
ready_ms=$(ms "$t")
echo "==> curl http://127.0.0.1:$port/?name=Kiln"
curl -sS "http://127.0.0.1:$port/?name=Kiln"
kill -TERM $pid
wait $pid || true
trap - EXIT
echo "==> demo timings: build ${build_ms} ms, kiln run to first response ${ready_ms} ms (includes pulling/flattening the image the first time)"
