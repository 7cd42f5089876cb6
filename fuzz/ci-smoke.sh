#!/usr/bin/env bash
# Fuzz smoke test: installs cargo-fuzz (pinned) if absent, builds every
# target of fuzz/ and runs each for a bounded number of executions from its
# committed seed corpus (fuzz/seeds/<target>) with its dictionary. Fails on
# any crash, panic or spec/impl divergence (libFuzzer exits non-zero and
# leaves the input in fuzz/artifacts/<target>/).
#
# Knobs (environment):
#   FUZZ_RUNS     executions per target, seeds included (default 20000)
#   FUZZ_SECONDS  wall-clock cap per target (default 30)
#   FUZZ_CORPUS   keep new inputs in fuzz/corpus/<target> (1) or in a
#                 temporary folder (default 0)
#   FUZZ_TARGETS  space-separated subset of targets (default: all)
# Defaults: about 3 minutes on 2 cores after the build (~2 minutes cold).
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.1
runs="${FUZZ_RUNS:-20000}"
seconds="${FUZZ_SECONDS:-30}"
keep="${FUZZ_CORPUS:-0}"

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    cargo install --locked "cargo-fuzz@$CARGO_FUZZ_VERSION"
fi

# cargo fuzz passes -Z flags; the pinned stable toolchain accepts them with
# RUSTC_BOOTSTRAP. No sanitizer: the code under test forbids unsafe, and
# ASan would halve the executions of a short run.
export RUSTC_BOOTSTRAP=1
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/cargo-fuzz"
cargo fuzz build -s none --target-dir "$target_dir"
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$target_dir/$triple/release"

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
failed=()
for t in $targets; do
    if [ "$keep" = 1 ]; then
        corpus="corpus/$t"
    else
        corpus="$(mktemp -d)"
    fi
    mkdir -p "$corpus" "artifacts/$t"
    echo "== fuzz $t: $runs runs or ${seconds}s from seeds/$t"
    if ! "$bin_dir/$t" -runs="$runs" -max_total_time="$seconds" -timeout=60 \
        -dict="dicts/$t.dict" -artifact_prefix="artifacts/$t/" \
        -print_final_stats=1 "$corpus" "seeds/$t" 2>"artifacts/$t.log"; then
        failed+=("$t")
        tail -40 "artifacts/$t.log"
    fi
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)|^#[0-9]+ +DONE' "artifacts/$t.log" || true
    if [ "$keep" != 1 ]; then rm -rf "$corpus"; fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz smoke: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)"
    exit 1
fi
echo "fuzz smoke: every target ran clean"
