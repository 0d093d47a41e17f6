# shellcheck shell=bash
# shellcheck disable=SC2034  # binary, work, schema and port are read by the scripts that source this file
# Shared by the scripts under bench/: build the gateway, load the local services, run the gateway in a schema
# of its own, wait for it. Source it from the repository root with DATA_DIR set.

# build_gateway [release|debug]: builds the gateway (release by default) and sets `binary`.
build_gateway() {
    local mode="${1:-release}"
    export SWIFT_DETERMINISTIC_HASHING=1
    # SwiftPM waits by itself if another build holds the .build lock.
    swift build -c "$mode" --product gateway
    binary="$(swift build -c "$mode" --show-bin-path)/gateway"
}

# use_local_services: exports DATABASE_URL and REDIS_URL from $DATA_DIR/services.env.
use_local_services() {
    set -a
    # shellcheck disable=SC1091
    source "$DATA_DIR/services.env"
    set +a
}

# free_port: prints a free loopback TCP port.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# isolate NAME SIGNAL: sets `work` (a fresh folder), `schema` (NAME_<random hex>, created now) and `port` (free),
# and on exit stops the gateway whose pid is in `gateway_pid` (when set) with SIGNAL (TERM lets it finish what it
# holds), drops the schema and removes the folder.
isolate() {
    work="$(mktemp -d)"
    schema="$1_$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
    port="$(free_port)"
    gateway_pid=""
    stop_signal="$2"
    trap isolation_cleanup EXIT
    psql "$DATABASE_URL" -qAt -c "CREATE SCHEMA $schema" >/dev/null
}

# shellcheck disable=SC2317  # called by the EXIT trap
isolation_cleanup() {
    if [ -n "$gateway_pid" ]; then
        kill "-$stop_signal" "$gateway_pid" 2>/dev/null || true
        wait "$gateway_pid" 2>/dev/null || true
    fi
    psql "$DATABASE_URL" -qAt -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    rm -rf "$work"
}

# wait_for_gateway PATH [LOG]: waits up to 10 s for the gateway on `port` to answer PATH; otherwise prints the end
# of LOG (when given) and fails.
wait_for_gateway() {
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port$1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the gateway did not answer $1 within 10 s" >&2
    if [ -n "${2:-}" ]; then tail -20 "$2" >&2; fi
    return 1
}
