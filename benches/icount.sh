#!/usr/bin/env bash
# Instruction counts of the hot paths (benches/README.md, "Instruction
# counts"): each mode of benches/examples/icount.rs under callgrind with
# N = 1 and N = 1 + K; (total(1 + K) - total(1)) / K is one operation, the
# set-up cancels out. A report: nothing here fails on a count.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --profile bench -p xchat-benches --example icount
bin="$target/release/examples/icount"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-18s %16s\n' mode "instructions/op"
for spec in handshake-impl:5 handshake-spec:2 handshake-floor:5 \
            message-impl:100 message-spec:20 message-floor:100 \
            light:100 sealed:20 sealed-floor:20 \
            attachment-impl:4 attachment-spec:1 attachment-floor:4; do
  mode="${spec%%:*}"; k="${spec##*:}"
  base=$(count "$mode" 1)
  more=$(count "$mode" $((1 + k)))
  printf '%-18s %16d\n' "$mode" $(( (more - base) / k ))
done
