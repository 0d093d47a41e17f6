#!/usr/bin/env bash
# Local Postgres and Redis for development and tests, on loopback ports, with their data under one folder.
#
#   services.sh start    start both (idempotent) and write $DATA_DIR/services.env
#   services.sh stop     stop both
#   services.sh status   say what runs where
#   services.sh env      print the DATABASE_URL and REDIS_URL lines
#
# DATA_DIR (default: .data in the repository) holds postgres/, redis/ and services.env.
# FAST=1 starts Postgres with fsync and synchronous_commit off: for tests only, never for real data.
# Postgres runs as the `postgres` user when this script runs as root (it refuses to run as root).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DATA_DIR="${DATA_DIR:-$root/.data}"
mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
pg_data="$DATA_DIR/postgres"
redis_dir="$DATA_DIR/redis"
env_file="$DATA_DIR/services.env"

pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    echo "error: Postgres server binaries not found; run infrastructure/local/install-packages.sh" >&2
    return 1
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
    local port="$1"
    while ! port_free "$port"; do port=$((port + 1)); done
    echo "$port"
}

pg_running() {
    [ -f "$pg_data/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$pg_data" status >/dev/null 2>&1
}

redis_running() {
    [ -f "$redis_dir/redis.pid" ] && kill -0 "$(cat "$redis_dir/redis.pid")" 2>/dev/null
}

start_postgres() {
    local bin port
    bin="$(pg_bin)"
    if pg_running; then
        return 0
    fi
    # The postgres user must be able to reach the data folder (mktemp -d folders are 0700).
    chmod 755 "$DATA_DIR"
    if [ ! -f "$pg_data/PG_VERSION" ]; then
        mkdir -p "$pg_data"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg_data"
        chmod 700 "$pg_data"
        as_postgres "$bin/initdb" -D "$pg_data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    port="$(pick_port "${PG_PORT:-55432}")"
    local options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pg_data -c max_connections=400"
    if [ "${FAST:-0}" = "1" ]; then
        options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_postgres "$bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -o "$options" -w -t 30 start >/dev/null
    as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq \
        -c "SELECT 1 FROM pg_database WHERE datname = 'gateway'" | grep -q 1 \
        || as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres gateway
    echo "$port" > "$DATA_DIR/postgres.port"
}

start_redis() {
    if redis_running; then
        return 0
    fi
    command -v redis-server >/dev/null || { echo "error: redis-server not found; run infrastructure/local/install-packages.sh" >&2; exit 1; }
    mkdir -p "$redis_dir"
    local port
    port="$(pick_port "${REDIS_PORT:-56379}")"
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' --appendonly no \
        --dir "$redis_dir" --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
    for _ in $(seq 1 50); do
        redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    echo "$port" > "$DATA_DIR/redis.port"
}

write_env() {
    cat > "$env_file" <<ENV
DATABASE_URL=postgres://postgres@127.0.0.1:$(cat "$DATA_DIR/postgres.port")/gateway
REDIS_URL=redis://127.0.0.1:$(cat "$DATA_DIR/redis.port")/0
ENV
}

case "${1:-}" in
    start)
        start_postgres
        start_redis
        write_env
        cat "$env_file"
        ;;
    stop)
        if pg_running; then as_postgres "$(pg_bin)/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null; fi
        if redis_running; then
            redis-cli -h 127.0.0.1 -p "$(cat "$DATA_DIR/redis.port")" shutdown nosave >/dev/null 2>&1 \
                || kill "$(cat "$redis_dir/redis.pid")"
        fi
        echo "stopped"
        ;;
    status)
        if pg_running; then echo "postgres: running on 127.0.0.1:$(cat "$DATA_DIR/postgres.port")"; else echo "postgres: stopped"; fi
        if redis_running; then echo "redis: running on 127.0.0.1:$(cat "$DATA_DIR/redis.port")"; else echo "redis: stopped"; fi
        ;;
    env)
        [ -f "$env_file" ] || { echo "error: services not started; run $0 start" >&2; exit 1; }
        cat "$env_file"
        ;;
    *)
        echo "usage: $0 start|stop|status|env" >&2
        exit 2
        ;;
esac
