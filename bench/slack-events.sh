#!/usr/bin/env bash
# Measures signed Slack events per second with durable persistence: the release gateway (`--roles web` only:
# webhook ingestion, no worker competing for the cores) answers POST /slack/events, and every 200 means the
# event was committed to inbound_events first. wrk sends pre-signed, unique events (one event_id per request,
# so each is really stored) over keep-alive connections; see bench/slack-events.lua and bench/slack_events_gen.py.
# Afterwards the rows in inbound_events are checked against the acknowledged event ids.
#
# Needs local Postgres and Redis (make bench-slack starts them; DATA_DIR picks another set). Uses a fresh
# bench_events_* schema, dropped at the end. Prints a Markdown table row for docs/benchmarks.md.
#
#   DURATION=15 WARMUP=3 CONNECTIONS=32 THREADS=2 bash bench/slack-events.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION="${DURATION:-15}"       # seconds
WARMUP="${WARMUP:-3}"            # seconds
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
MAX_RATE="${MAX_RATE:-25000}"    # events/s the pre-signed id set is sized for; the run fails if wrk runs out
DATA_DIR="${DATA_DIR:-$PWD/.data}"

command -v wrk >/dev/null || {
    echo "Installing wrk"
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
}

# shellcheck source=bench/lib/gateway.sh
source bench/lib/gateway.sh
build_gateway release
use_local_services
isolate bench_events TERM

export SLACK_SIGNING_SECRET
SLACK_SIGNING_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export PORT="$port" BIND_HOST=127.0.0.1 LOG_LEVEL=warning LOG_FORMAT=json DATABASE_SCHEMA="$schema"
# Keep the gateway away from anything Slack-side: with no bot token nothing would be sent anyway.
unset SLACK_BOT_TOKEN

"$binary" migrate --env-file "$DATA_DIR/bench-none.env" >/dev/null
"$binary" serve --roles web --env-file "$DATA_DIR/bench-none.env" >"$work/gateway.log" 2>&1 &
gateway_pid=$!
wait_for_gateway /health "$work/gateway.log"

# Pre-sign the events (all dated now; the gateway accepts them for five minutes).
python3 bench/slack_events_gen.py "$work" warmup EvWARM "$((MAX_RATE * WARMUP))"
python3 bench/slack_events_gen.py "$work" run EvBENCH "$((MAX_RATE * DURATION))"

export BENCH_DIR="$work" THREADS
BENCH_NAME=warmup ACKED_FILE="$work/warmup.acked" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/slack-events.lua "http://127.0.0.1:$port" \
    >"$work/wrk-warmup.txt"
# CPU accounting for the measured run (clock ticks): the gateway, the Postgres backends, wrk, the whole box.
tick="$(getconf CLK_TCK)"
proc_ticks() { awk '{ t += $14 + $15 } END { print t + 0 }' "${@/%//stat}" 2>/dev/null || echo 0; }
# Postgres: the backends serving the gateway's pool (found by the client ports of its connections; other
# clients of the same server are left out) plus the WAL writer, checkpointer and background writer.
postmaster="$(head -1 "$DATA_DIR/postgres/postmaster.pid" 2>/dev/null || true)"
client_ports="$(ss -tnpH state established 2>/dev/null | awk -v pid="pid=$gateway_pid," \
    'index($0, pid) { n = split($3, a, ":"); printf "%s%s", sep, a[n]; sep = "," }')"
backends="$(psql "$DATABASE_URL" -qAt -c \
    "SELECT pid FROM pg_stat_activity WHERE client_port IN (${client_ports:-0})" | tr '\n' ' ')"
pg_children() {
    for pid in $backends; do echo "/proc/$pid"; done
    [ -n "$postmaster" ] && for pid in $(ps -o pid= --ppid "$postmaster"); do
        grep -qE 'walwriter|checkpointer|background writer' "/proc/$pid/cmdline" 2>/dev/null && echo "/proc/$pid"
    done
    return 0
}
box_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }
gateway_before="$(proc_ticks "/proc/$gateway_pid")"
# shellcheck disable=SC2046
pg_before="$(proc_ticks $(pg_children))"
read -r box_busy_before box_idle_before < <(box_ticks)
wall_before="$(date +%s.%N)"
TIMEFORMAT='%U %S'
{ time BENCH_NAME=run ACKED_FILE="$work/run.acked" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/slack-events.lua \
    "http://127.0.0.1:$port" >"$work/wrk-run.txt"; } 2>"$work/wrk-time.txt"
gateway_after="$(proc_ticks "/proc/$gateway_pid")"
# shellcheck disable=SC2046
pg_after="$(proc_ticks $(pg_children))"
read -r box_busy_after box_idle_after < <(box_ticks)
wall_after="$(date +%s.%N)"

# Stop the gateway gracefully (its inbox writers finish what is queued), then count what was stored.
kill -TERM "$gateway_pid"
wait "$gateway_pid" || true
gateway_pid=""

result="$(grep '^RESULT ' "$work/wrk-run.txt")"
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$result"; }
acked="$(field acked)"
psql "$DATABASE_URL" -qAt -v ON_ERROR_STOP=1 >"$work/check.txt" <<SQL
SET search_path TO $schema;
CREATE TEMP TABLE acked (external_id text);
\copy acked FROM '$work/run.acked'
SELECT count(*) FROM inbound_events WHERE source = 'slack_event' AND external_id LIKE 'EvBENCH%';
SELECT count(*) FROM acked a LEFT JOIN inbound_events e
    ON e.source = 'slack_event' AND e.external_id = a.external_id WHERE e.id IS NULL;
SELECT count(*) - count(DISTINCT external_id) FROM acked;
SQL
{ read -r stored; read -r missing; read -r repeated; } <"$work/check.txt"

fsync="$(psql "$DATABASE_URL" -qAt -c 'show fsync')"
sync_commit="$(psql "$DATABASE_URL" -qAt -c 'show synchronous_commit')"
errors=$(($(field connect) + $(field read) + $(field write) + $(field timeout)))

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (after ${WARMUP}s warm-up), $(nproc) cores, $(date -u +%Y-%m-%d)," \
    "Postgres fsync=$fsync synchronous_commit=$sync_commit"
echo
echo "| events/s | p50 | p90 | p99 | max | non-200 | socket errors | rows stored | 200s (acknowledged) |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '| %s | %s ms | %s ms | %s ms | %s ms | %s | %s | %s | %s |\n' \
    "$(field rps)" "$(field p50_ms)" "$(field p90_ms)" "$(field p99_ms)" "$(field max_ms)" \
    "$(field non200)" "$errors" "$stored" "$acked"
echo
read -r wrk_user wrk_sys <"$work/wrk-time.txt"
awk -v g="$((gateway_after - gateway_before))" -v p="$((pg_after - pg_before))" -v tick="$tick" \
    -v w="$(awk -v u="$wrk_user" -v s="$wrk_sys" 'BEGIN { print u + s }')" \
    -v busy="$((box_busy_after - box_busy_before))" -v idle="$((box_idle_after - box_idle_before))" \
    -v nb="$(wc -w <<<"$backends")" -v secs="$(awk -v a="$wall_before" -v b="$wall_after" 'BEGIN { print b - a }')" -v n="$(field requests)" 'BEGIN {
        g /= tick; p /= tick; b = busy / tick; i = idle / tick
        printf "CPU during the run (cores): gateway %.2f, Postgres (its %d backends + WAL writer etc.) %.2f, wrk %.2f, everything %.2f of %.1f", \
            g / secs, nb, p / secs, w / secs, b / secs, (b + i) / secs
        printf " (other processes %.2f); per event: gateway %.0f us, Postgres %.0f us, wrk %.0f us\n", \
            (b - g - p - w) / secs, g * 1e6 / n, p * 1e6 / n, w * 1e6 / n
    }'
echo "rows stored: $stored; 200 answers: $acked; acknowledged but not stored: $missing;" \
    "stored but never acknowledged (in flight when wrk stopped): $((stored - acked))"

status=0
if [ "$missing" != 0 ] || [ "$repeated" != 0 ]; then
    echo "FAIL: $missing acknowledged events are not in inbound_events ($repeated ids acknowledged twice)" >&2
    status=1
fi
if [ "$((stored - acked))" -lt 0 ] || [ "$((stored - acked))" -gt "$CONNECTIONS" ]; then
    echo "FAIL: stored rows and acknowledgements differ by more than the $CONNECTIONS requests in flight" >&2
    status=1
fi
if [ "$(field wrapped)" != 0 ]; then
    echo "FAIL: wrk ran out of pre-signed ids (raise MAX_RATE)" >&2
    status=1
fi
if [ "$(field non200)" != 0 ] || [ "$errors" != 0 ]; then
    echo "note: $(field non200) non-200 answers and $errors socket errors" >&2
fi
exit "$status"
