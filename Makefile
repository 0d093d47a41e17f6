# Learning Gateway: the two front-door commands are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# SwiftPM passes Hummingbird's traits in a random order unless hashing is deterministic, which makes
# switching between build and test recompile Hummingbird for nothing.
export SWIFT_DETERMINISTIC_HASHING := 1

DATA_DIR ?= $(CURDIR)/.data
export DATA_DIR
SERVICES := infrastructure/local/services.sh

.PHONY: run test build build-tests deps services services-fast stop status migrate bench bench-slack bench-agent bench-scheduler fault-tests soak docker-check \
	terraform-check fuzz clean-data

## run: install what is missing, start local Postgres and Redis, migrate, and serve on 127.0.0.1:8080
run: deps services build
	set -a; source "$(DATA_DIR)/services.env"; set +a; \
	.build/debug/gateway migrate && exec .build/debug/gateway serve

## test: install what is missing, make sure local Postgres and Redis run, then run every test
## (one at a time: several suites assert timeouts and latencies that two busy cores would blur)
test: deps services-fast build-tests
	set -a; source "$(DATA_DIR)/services.env"; set +a; \
	swift test --skip-build --disable-xctest --no-parallel

build:
	swift build --product gateway

build-tests:
	swift build --build-tests

deps:
	bash infrastructure/local/install-packages.sh

services:
	bash $(SERVICES) start

# Tests run Postgres with fsync off: fast, and never for data you want to keep.
services-fast:
	FAST=1 bash $(SERVICES) start

stop:
	bash $(SERVICES) stop

status:
	bash $(SERVICES) status

migrate: deps services build
	set -a; source "$(DATA_DIR)/services.env"; set +a; .build/debug/gateway migrate

## bench: release build, then /health and Postgres round-trip throughput with wrk (see docs/benchmarks.md)
bench: deps services
	bash bench/http.sh

## bench-slack: release build, then signed Slack events/s stored durably before the 200, at 32 connections (see docs/benchmarks.md)
bench-slack: deps services
	bash bench/slack-events.sh

## bench-agent: release build, then the deterministic agent's turn latency over Postgres (see docs/benchmarks.md)
bench-agent: deps services
	bash bench/agent-latency.sh

## docker-check: release build, then check that the Dockerfile's runtime stage installs every shared library
## the binary links (ldd + dpkg; no Docker engine needed)
## bench-scheduler: release build, then planning 100,000 learners, lesson dispatch throughput and lateness (see docs/benchmarks.md)
bench-scheduler: deps services
	bash bench/scheduler.sh

## fault-tests: the gateway killed with SIGKILL twice while webhooks arrive; every acknowledged event answered once
fault-tests: deps services
	bash bench/faults/sigkill.sh

## soak: release build, then 1,000 signed webhooks/s for 10 minutes; rate, p99 and RSS growth (see docs/benchmarks.md)
soak: deps services
	bash bench/soak.sh

docker-check: deps
	bash infrastructure/docker/check-runtime-libraries.sh

## terraform-check: terraform fmt -check, then init (from the local provider mirror, offline) and validate each
## environment under infrastructure/terraform (skipped with a message when terraform or the mirror is absent;
## REQUIRE_TERRAFORM=1 makes a missing terraform an error)
terraform-check:
	bash infrastructure/terraform/check.sh

## fuzz: build the libFuzzer targets with AddressSanitizer (.build-fuzz) and fuzz each for FUZZ_SECONDS (60), seeded from
## webhooks/; fails with the saved input on any crash, broken invariant, hang or memory blow-up (see docs/fuzzing.md)
fuzz: deps
	bash fuzz/run.sh

clean-data: stop
	rm -rf "$(DATA_DIR)"
