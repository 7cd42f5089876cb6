#!/usr/bin/env bash
# Line coverage of the code under test by the fuzz corpora (fuzz/README.md,
# "Coverage"): every target's corpus (corpus/<target>, the seeds and the
# regression inputs) is replayed through a build instrumented with rustc's
# source-based coverage (-C instrument-coverage); the profiles of all
# targets are merged, and llvm-cov reports, per file of impl/src and
# spec/src, the lines reached by at least one target.
#
# Needs llvm-profdata and llvm-cov of rustc's own LLVM: the rustup component
# llvm-tools of the pinned toolchain, installed below if absent (Debian's
# LLVM is older than rustc's and cannot read its profiles).
#
# Knobs (environment): FUZZ_TARGETS, the targets to build and replay now
# (default: all); the report merges the latest profile of every target
# (coverage/<target>/replay.profdata), so one target can be replayed again
# after a change without replaying the others. CARGO_TARGET_DIR.
# Output: coverage/report.txt (llvm-cov report, per file) and
# coverage/summary.json (llvm-cov export -summary-only).
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.1
if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    cargo install --locked "cargo-fuzz@$CARGO_FUZZ_VERSION"
fi
sysroot="$(rustc --print sysroot)"
host="$(rustc -vV | sed -n 's/^host: //p')"
tools="$sysroot/lib/rustlib/$host/bin"
if [ ! -x "$tools/llvm-cov" ]; then
    rustup component add llvm-tools
fi

export RUSTC_BOOTSTRAP=1
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/cargo-fuzz-coverage"
targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
objects=()
profiles=()
for t in $targets; do
    inputs=("seeds/$t")
    [ -d "corpus/$t" ] && inputs+=("corpus/$t")
    # The regression inputs (regressions/README.md: one folder per target).
    [ -d "regressions/$t" ] && inputs+=("regressions/$t")
    echo "== coverage $t: ${inputs[*]}"
    # cargo fuzz coverage builds the instrumented binary (its own replay is
    # only of the seeds); the replay below runs every input of every folder
    # once (-runs=0) into one profile.
    mkdir -p "coverage/$t"
    cargo fuzz coverage -s none --target-dir "$target_dir" "$t" "seeds/$t" >"coverage/$t/build.log" 2>&1 ||
        { tail -20 "coverage/$t/build.log"; exit 1; }
    bin="$target_dir/$host/release/$t"
    rm -rf "coverage/$t/replay"
    mkdir -p "coverage/$t/replay"
    LLVM_PROFILE_FILE="coverage/$t/replay/%p.profraw" "$bin" -runs=0 -timeout=60 \
        -artifact_prefix="coverage/$t/" "${inputs[@]}" \
        2>"coverage/$t/replay.log" || { tail -20 "coverage/$t/replay.log"; exit 1; }
    grep -E '^#[0-9]+ +INITED' "coverage/$t/replay.log" || true
    "$tools/llvm-profdata" merge -sparse "coverage/$t/replay/"*.profraw -o "coverage/$t/replay.profdata"
done

for t in $(cargo fuzz list); do
    bin="$target_dir/$host/release/$t"
    if [ -f "coverage/$t/replay.profdata" ] && [ -x "$bin" ]; then
        objects+=("$bin")
        profiles+=("coverage/$t/replay.profdata")
    fi
done
echo "== report over: ${profiles[*]}"

"$tools/llvm-profdata" merge -sparse "${profiles[@]}" -o coverage/all.profdata
args=(-instr-profile=coverage/all.profdata "${objects[0]}")
for o in "${objects[@]:1}"; do args+=(-object "$o"); done
src="$(cd .. && pwd)"
"$tools/llvm-cov" report "${args[@]}" "$src/impl/src" "$src/spec/src" >coverage/report.txt
"$tools/llvm-cov" export -summary-only "${args[@]}" "$src/impl/src" "$src/spec/src" >coverage/summary.json
cat coverage/report.txt
