#!/usr/bin/env bash
# Soak: the release gateway (all roles, dev mode: replies recorded, not sent) under RATE signed Slack webhooks a
# second for DURATION seconds (default 1,000/s for 10 minutes), each a new learner's DM that the worker answers.
# Reports the achieved rate, acknowledgement latency (p50/p99), the gateway's RSS at the start and the end of
# the load (target: growth under 10%), and what is still waiting in the inbox and outbox afterwards.
#
# Needs local Postgres and Redis (make soak starts them). Uses a fresh soak_* schema, dropped at the end.
#
#   RATE=1000 DURATION=600 CONCURRENCY=32 bash bench/soak.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RATE="${RATE:-1000}"
DURATION="${DURATION:-600}"
CONCURRENCY="${CONCURRENCY:-32}"
DATA_DIR="${DATA_DIR:-$PWD/.data}"

# shellcheck source=bench/lib/gateway.sh
source bench/lib/gateway.sh
build_gateway release
use_local_services
isolate soak TERM

SLACK_SIGNING_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export SLACK_SIGNING_SECRET PORT="$port" BIND_HOST=127.0.0.1 LOG_LEVEL=warning LOG_FORMAT=json \
    DATABASE_SCHEMA="$schema" REDIS_KEY_PREFIX="$schema:" CURRICULUM_DIR="$PWD/bots/curriculum"
unset SLACK_BOT_TOKEN TWILIO_ACCOUNT_SID ANTHROPIC_API_KEY

: >"$work/empty.env"
"$binary" migrate --env-file "$work/empty.env" >/dev/null
"$binary" serve --env-file "$work/empty.env" >"$work/gateway.log" 2>&1 &
gateway_pid=$!
wait_for_gateway /health "$work/gateway.log"

rss() { awk '/^VmRSS/ {print $2}' "/proc/$gateway_pid/status"; }
sql() { psql "$DATABASE_URL" -qAt -c "SET search_path TO $schema; $1"; }

# Warm up for 30 s (caches, pools, prepared statements), then take the starting RSS.
python3 bench/webhook_driver.py --url "http://127.0.0.1:$port" --rate "$RATE" --duration 30 \
    --concurrency "$CONCURRENCY" --prefix EvWARM >/dev/null
rss_start="$(rss)"
python3 bench/webhook_driver.py --url "http://127.0.0.1:$port" --rate "$RATE" --duration "$DURATION" \
    --concurrency "$CONCURRENCY" --prefix EvSOAK >"$work/driver.json" &
driver_pid=$!
samples=()
while kill -0 "$driver_pid" 2>/dev/null; do
    sleep 30
    samples+=("$(rss)")
done
wait "$driver_pid"
rss_end="$(rss)"

inbox_left="$(sql "SELECT count(*) FROM inbound_events WHERE status IN ('pending', 'processing')")"
outbox_left="$(sql "SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending')")"
stored="$(sql "SELECT count(*) FROM inbound_events WHERE external_id LIKE 'EvSOAK%'")"
echo "driver: $(cat "$work/driver.json")"
echo "RSS every 30 s (KiB): ${samples[*]}"
python3 - "$work/driver.json" "$rss_start" "$rss_end" "$stored" "$inbox_left" "$outbox_left" "$RATE" "$DURATION" <<'PY'
import json, sys
driver = json.load(open(sys.argv[1]))
rss_start, rss_end, stored, inbox_left, outbox_left = (int(v) for v in sys.argv[2:7])
rate, duration = sys.argv[7], sys.argv[8]
growth = (rss_end - rss_start) / rss_start * 100
print(f"| soak: {rate} signed webhooks/s for {duration} s, release build, all roles | "
      f"{driver['acknowledged']} acknowledged ({driver['rate']}/s), {stored} stored; ack p50 {driver['p50_ms']} ms, "
      f"**p99 {driver['p99_ms']} ms**; RSS {rss_start // 1024} → {rss_end // 1024} MiB (**{growth:+.1f}%**); "
      f"left to process: inbox {inbox_left}, outbox {outbox_left} |")
sys.exit(0 if driver["acknowledged"] == driver["sent"] and growth < 10 else 1)
PY
