#!/usr/bin/env bash
# Fault test: the gateway killed with SIGKILL (twice) while signed Slack webhooks arrive. The driver behaves like
# Slack: a request that fails is retried until acknowledged. After the last restart, once the inbox and outbox
# have drained, every acknowledged event must be stored exactly once and answered exactly once, and nothing may
# be left half-done (no event stuck in processing, no reply stuck in sending).
#
# Needs local Postgres and Redis (make services). Uses a fresh faults_* schema, dropped at the end. Exit 0 when
# every check holds.
#
#   EVENTS=5000 CONCURRENCY=16 bash bench/faults/sigkill.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

EVENTS="${EVENTS:-5000}"
CONCURRENCY="${CONCURRENCY:-16}"
DATA_DIR="${DATA_DIR:-$PWD/.data}"

# shellcheck source=bench/lib/gateway.sh
source bench/lib/gateway.sh
build_gateway debug
use_local_services
isolate faults KILL

SLACK_SIGNING_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export SLACK_SIGNING_SECRET PORT="$port" BIND_HOST=127.0.0.1 LOG_LEVEL=warning LOG_FORMAT=json \
    DATABASE_SCHEMA="$schema" REDIS_KEY_PREFIX="$schema:" CURRICULUM_DIR="$PWD/bots/curriculum"
# Dev mode: replies are recorded in Postgres instead of sent, so the check sees every one.
unset SLACK_BOT_TOKEN TWILIO_ACCOUNT_SID ANTHROPIC_API_KEY

: >"$work/empty.env"
"$binary" migrate --env-file "$work/empty.env" >/dev/null

start_gateway() {
    "$binary" serve --env-file "$work/empty.env" >>"$work/gateway.log" 2>&1 &
    gateway_pid=$!
    wait_for_gateway /health "$work/gateway.log"
}
sql() { psql "$DATABASE_URL" -qAt -c "SET search_path TO $schema; $1"; }

start_gateway
python3 bench/webhook_driver.py --url "http://127.0.0.1:$port" --count "$EVENTS" --concurrency "$CONCURRENCY" \
    --prefix EvKILL --acked "$work/acked" >"$work/driver.json" &
driver_pid=$!

for pause in 2 1; do
    sleep "$pause"
    echo "SIGKILL after ${pause}s: $(sql "SELECT count(*) FROM inbound_events") stored, $(sql "SELECT count(*) FROM outbound_messages") replies queued"
    kill -KILL "$gateway_pid"
    wait "$gateway_pid" 2>/dev/null || true
    sleep 1
    start_gateway
done
wait "$driver_pid"
echo "driver: $(cat "$work/driver.json")"

# Drain: workers whose claims died with the process take them again when their leases run out (60 s).
deadline=$((SECONDS + 180))
while [ "$(sql "SELECT count(*) FROM inbound_events WHERE status IN ('pending', 'processing')")" != 0 ] ||
    [ "$(sql "SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending')")" != 0 ]; do
    if [ "$SECONDS" -gt "$deadline" ]; then echo "FAIL: not drained after 180 s" >&2; exit 1; fi
    sleep 2
done

acked="$(wc -l <"$work/acked")"
check() { # name, SQL returning the number of violations
    local violations
    violations="$(psql "$DATABASE_URL" -qAt -c "SET search_path TO $schema; CREATE TEMP TABLE acked (id text)" \
        -c "\\copy acked FROM '$work/acked'" -c "$2" | tail -1)"
    if [ "$violations" = 0 ]; then echo "ok   $1"; else echo "FAIL $1: $violations"; failed=1; fi
}
failed=0
echo "acknowledged $acked of $EVENTS events"
[ "$acked" = "$EVENTS" ] || { echo "FAIL: not every event was acknowledged"; failed=1; }
check "every acknowledged event is stored" \
    "SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM inbound_events e WHERE e.external_id = a.id)"
check "no event is stored twice" \
    "SELECT count(*) - count(DISTINCT external_id) FROM inbound_events"
check "nothing stored that was never sent" \
    "SELECT count(*) FROM inbound_events e WHERE NOT EXISTS (SELECT 1 FROM acked a WHERE a.id = e.external_id)"
check "every event processed (none failed or stuck)" \
    "SELECT count(*) FROM inbound_events WHERE status <> 'done'"
check "every event answered exactly once" \
    "SELECT count(*) FROM inbound_events e WHERE (SELECT count(*) FROM outbound_messages o WHERE o.inbound_event_id = e.id) <> 1"
check "every reply recorded (none stuck or failed)" \
    "SELECT count(*) FROM outbound_messages WHERE status <> 'recorded'"
check "one learner per user" \
    "SELECT count(*) - count(DISTINCT external_id) FROM learner_identities"
exit "$failed"
