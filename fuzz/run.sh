#!/usr/bin/env bash
# Builds the libFuzzer targets (Package.swift, fuzz/*Fuzzer) with AddressSanitizer into .build-fuzz, seeds each
# target's corpus from the webhooks/ samples and fuzz/corpus/<target>/ (with fuzz/<target>.dict as its libFuzzer
# dictionary when there is one), and fuzzes each target for FUZZ_SECONDS.
# Exits non-zero when any target crashes, breaks an invariant, hangs longer than FUZZ_TIMEOUT seconds on one input
# or goes over FUZZ_RSS_MB, and prints the saved input; replay it with a normal build:
#   swift build --product <target> && .build/debug/<target> <input>
#
#   bash fuzz/run.sh                                 # every target, 60 s each
#   FUZZ_SECONDS=600 bash fuzz/run.sh EscapingFuzzer # one target, longer
#
# Settings: FUZZ_SECONDS (60), FUZZ_TIMEOUT (5), FUZZ_RSS_MB (2048), FUZZ_OUT_DIR (a new temporary folder: each
# target's corpus, log and crash inputs), FUZZ_KEEP_CORPUS=1 (copy the grown corpora back into fuzz/corpus/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-5}"
FUZZ_RSS_MB="${FUZZ_RSS_MB:-2048}"
FUZZ_OUT_DIR="${FUZZ_OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/learning-gateway-fuzz.XXXXXX")}"

all_targets=(
    SlackEventsFuzzer SlackCommandsFuzzer SlackInteractionsFuzzer
    TwilioParametersFuzzer TwilioSignatureFuzzer SMSCommandsFuzzer EscapingFuzzer
)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
for target in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $target "* ]] || { echo "unknown target: $target (one of: ${all_targets[*]})" >&2; exit 2; }
done

# Copies the webhook samples that fit a target into its corpus folder ($2).
seed_from_webhooks() {
    local target="$1" corpus="$2" sample
    case "$target" in
        SlackEventsFuzzer) cp webhooks/slack/*.json "$corpus/" ;;
        SlackCommandsFuzzer) cp webhooks/slack/*.form "$corpus/" ;;
        SlackInteractionsFuzzer) cp webhooks/slack/interaction_*.form "$corpus/" ;;
        TwilioParametersFuzzer) cp webhooks/twilio/* "$corpus/" ;;
        TwilioSignatureFuzzer)
            # This target reads a URL line, then the body.
            for sample in webhooks/twilio/*; do
                { printf 'https://gateway.example.com/twilio/sms\n'; cat "$sample"; } >"$corpus/url-$(basename "$sample")"
            done
            ;;
        SMSCommandsFuzzer | EscapingFuzzer) ;; # text targets: fuzz/corpus/ only
    esac
}

export SWIFT_DETERMINISTIC_HASHING=1
# shellcheck disable=SC2054 # the comma belongs to -sanitize=fuzzer,address
build_flags=(-c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)
mkdir -p "$FUZZ_OUT_DIR"
echo "Building ${targets[*]} with -sanitize=fuzzer,address (log: $FUZZ_OUT_DIR/build.log)"
for target in "${targets[@]}"; do
    if ! swift build "${build_flags[@]}" --product "$target" >>"$FUZZ_OUT_DIR/build.log" 2>&1; then
        grep -E "error:" "$FUZZ_OUT_DIR/build.log" | tail -20 >&2 || true
        echo "build of $target failed; see $FUZZ_OUT_DIR/build.log" >&2
        exit 1
    fi
done
bin_dir="$(swift build "${build_flags[@]}" --show-bin-path)"

failed=()
summary=()
for target in "${targets[@]}"; do
    work="$FUZZ_OUT_DIR/$target"
    mkdir -p "$work/corpus" "$work/artifacts"
    seed_from_webhooks "$target" "$work/corpus"
    if [ -d "fuzz/corpus/$target" ]; then cp fuzz/corpus/"$target"/* "$work/corpus/" 2>/dev/null || true; fi
    echo "Fuzzing $target for ${FUZZ_SECONDS}s ($(find "$work/corpus" -type f | wc -l) seeds; log: $work/fuzz.log)"
    dictionary=()
    if [ -f "fuzz/$target.dict" ]; then dictionary=(-dict="fuzz/$target.dict"); fi
    status=0
    # SWIFT_BACKTRACE=enable=no: the Swift runtime's own crash handler reads the stack in a way AddressSanitizer
    # reports as a stack-buffer-underflow; without it, libFuzzer's handler reports the crash and saves the input.
    SWIFT_BACKTRACE=enable=no "$bin_dir/$target" "$work/corpus" "${dictionary[@]}" \
        -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB" \
        -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/fuzz.log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log" | tail -1)"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/fuzz.log" | tail -1)"
    units="$(find "$work/corpus" -type f | wc -l)"
    artifacts=("$work"/artifacts/*)
    if [ "$status" -ne 0 ] || [ -e "${artifacts[0]}" ]; then
        failed+=("$target")
        echo "FAILED: $target (exit $status)" >&2
        grep -E "invariant failed|Fatal error|ERROR: (libFuzzer|AddressSanitizer)|SUMMARY" "$work/fuzz.log" | head -5 >&2 || true
        for artifact in "${artifacts[@]}"; do
            [ -e "$artifact" ] && echo "  input: $artifact  (replay: .build/debug/$target $artifact)" >&2
        done
        summary+=("$target: FAILED after ${runs:-?} runs, see $work/fuzz.log")
    else
        summary+=("$target: ${runs:-?} runs in ${FUZZ_SECONDS}s (${rate:-?}/s), corpus $units inputs, peak RSS ${rss:-?} MB, no failure")
    fi
    if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
        mkdir -p "fuzz/corpus/$target"
        "$bin_dir/$target" -merge=1 "fuzz/corpus/$target" "$work/corpus" >>"$work/merge.log" 2>&1
    fi
done

echo
printf '%s\n' "${summary[@]}"
echo "Corpora, logs and inputs: $FUZZ_OUT_DIR"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzzing failed: ${failed[*]}" >&2
    exit 1
fi
