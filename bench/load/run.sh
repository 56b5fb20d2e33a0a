#!/usr/bin/env bash
# The server under wrk on loopback, for a second opinion beside the load tool (Pulseboard.Benchmarks load): single-event
# POSTs, NDJSON batches, 304 revalidations. Usage: bench/load/run.sh [seconds per wrk run, default 10]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-10}"
port=5090
url="http://127.0.0.1:$port"
data="$(mktemp -d /tmp/pulseboard-load.XXXXXX)"
command -v wrk >/dev/null || { echo "run.sh: wrk is missing: apt-get install wrk" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || true

"$root/pulseboard" serve --data "$data" --dashboards "$root/dashboards" --urls "$url" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.5; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "server: $url (pid $server), data in $data"

echo; echo "== single-event POST (wrk -t2 -c64 -d${seconds}s)"
wrk -t2 -c64 -d"${seconds}s" -s "$here/post-one.lua" "$url" | grep -E "Requests/sec|Latency|Non-2xx" || true

echo; echo "== NDJSON batches of 1,000 events (wrk -t2 -c8 -d${seconds}s)"
wrk -t2 -c8 -d"${seconds}s" -s "$here/post-ndjson.lua" "$url/api/events" | grep -E "Requests/sec|Latency|Non-2xx" || true

echo; echo "== 304 revalidation of /api/dashboards/costs (wrk -t2 -c64 -d${seconds}s)"
etag="$(curl -sI "$url/api/dashboards/costs" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')"
ETAG="$etag" wrk -t2 -c64 -d"${seconds}s" -s "$here/revalidate.lua" "$url/api/dashboards/costs" | grep -E "Requests/sec|Latency|Non-2xx" || true
