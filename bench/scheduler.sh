#!/usr/bin/env bash
# Measures the daily-lesson scheduler over local Postgres and Redis with a Slack stand-in in the same process:
# planning LEARNERS learners (target: under 10 s), dispatch throughput from due to the stand-in's 200 (target:
# 2,000 lessons/s), and the lateness of LATENESS lessons due in the same minute (target: p99 ≤ 2 s). Needs the
# local services (make bench-scheduler starts them). Prints a Markdown table for docs/benchmarks.md.
#
#   LEARNERS=100000 REPLICAS=2 bash bench/scheduler.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DATA_DIR="${DATA_DIR:-$PWD/.data}"

export SWIFT_DETERMINISTIC_HASHING=1
swift build -c release --product SchedulerBenchmark
binary="$(swift build -c release --show-bin-path)/SchedulerBenchmark"

set -a
# shellcheck disable=SC1091
source "$DATA_DIR/services.env"
set +a

"$binary" \
    --learners "${LEARNERS:-100000}" \
    --throughput-lessons "${THROUGHPUT:-10000}" \
    --lateness-lessons "${LATENESS:-10000}" \
    --replicas "${REPLICAS:-2}" \
    --pool-size "${POOL_SIZE:-24}"
