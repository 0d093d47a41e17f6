#!/usr/bin/env bash
# Measures the deterministic agent orchestrator's turn latency over real Postgres: a fresh bench_* schema, the
# gateway's migrations, the real curriculum, 200 simulated learners sending a realistic mix of messages; only
# AgentOrchestrator.handle is timed (no provider calls). Runs sequentially, then with CONCURRENCY learners at
# once. Needs local Postgres (make bench-agent starts it). Prints a Markdown table for docs/benchmarks.md.
#
#   TURNS=2000 CONCURRENCY=8 POOL_SIZE=8 bash bench/agent-latency.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DATA_DIR="${DATA_DIR:-$PWD/.data}"

export SWIFT_DETERMINISTIC_HASHING=1
swift build -c release --product AgentLatencyBenchmark
binary="$(swift build -c release --show-bin-path)/AgentLatencyBenchmark"

set -a
# shellcheck disable=SC1091
source "$DATA_DIR/services.env"
set +a

"$binary" \
    --turns "${TURNS:-2000}" \
    --learners "${LEARNERS:-200}" \
    --concurrency "${CONCURRENCY:-8}" \
    --pool-size "${POOL_SIZE:-8}" \
    --warmup "${WARMUP:-1000}"
