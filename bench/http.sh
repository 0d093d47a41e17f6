#!/usr/bin/env bash
# Measures the release gateway with wrk on this machine:
#   1. GET /health  - the bare HTTP path (routing, middleware, metrics, JSON).
#   2. GET /ready   - a pooled round trip to Postgres (SELECT 1 and the schema_migrations read) and to Redis
#                     (PING), run concurrently per request.
# Needs local Postgres and Redis (make bench starts them). Prints a Markdown table for docs/benchmarks.md.
#
#   DURATION=15s CONNECTIONS=64 THREADS=2 bash bench/http.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
DATA_DIR="${DATA_DIR:-$PWD/.data}"

command -v wrk >/dev/null || {
    echo "Installing wrk"
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
}

# shellcheck source=bench/lib/gateway.sh
source bench/lib/gateway.sh
build_gateway release
use_local_services
port="$(free_port)"
export PORT="$port" LOG_LEVEL=warning LOG_FORMAT=json DATABASE_POOL_SIZE="${DATABASE_POOL_SIZE:-8}" \
    REDIS_POOL_SIZE="${REDIS_POOL_SIZE:-8}"

"$binary" migrate --env-file "$DATA_DIR/bench-none.env" >/dev/null
"$binary" serve --env-file "$DATA_DIR/bench-none.env" >/tmp/gateway-bench.log 2>&1 &
gateway_pid=$!
trap 'kill -TERM $gateway_pid 2>/dev/null || true; wait $gateway_pid 2>/dev/null || true' EXIT
wait_for_gateway /ready /tmp/gateway-bench.log

run() {
    local path="$1"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port$path" >"/tmp/wrk-$2.txt"
    local rps p50 p99 errors
    rps="$(awk '/Requests\/sec/ {print $2}' "/tmp/wrk-$2.txt")"
    p50="$(awk '$1 == "50%" {print $2}' "/tmp/wrk-$2.txt")"
    p99="$(awk '$1 == "99%" {print $2}' "/tmp/wrk-$2.txt")"
    errors="$(awk '/Non-2xx|Socket errors/ {print}' "/tmp/wrk-$2.txt" | tr '\n' ' ')"
    echo "| \`GET $path\` | $rps | $p50 | $p99 | ${errors:-none} |"
}

# Warm up the pools and caches.
wrk -t1 -c8 -d2s "http://127.0.0.1:$port/health" >/dev/null
rss_start="$(ps -o rss= -p $gateway_pid | tr -d ' ')"

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| request | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
run /health health
run /ready ready
rss_end="$(ps -o rss= -p $gateway_pid | tr -d ' ')"
echo
echo "Gateway RSS: ${rss_start} KiB after warm-up, ${rss_end} KiB after the runs."
