#!/usr/bin/env bash
# Builds every fuzz target for OSS-Fuzz / ClusterFuzzLite and lays out $OUT
# as they expect: one binary per target, <target>_seed_corpus.zip (the
# committed seeds, fuzz/seeds/<target>/) and <target>.dict (fuzz/dicts/).
#
# Called by .clusterfuzzlite/build.sh and fuzz/oss-fuzz/build.sh. Reads:
#   SRC                the folder holding the checkout as $SRC/xchat
#   OUT                where the fuzzers go
#   CARGO_BUILD_TARGET target triple (default x86_64-unknown-linux-gnu)
#   CARGO_TARGET_DIR   cargo's target folder (default $SRC/xchat/fuzz/target)
# The sanitizer flags come from the builder image's cargo wrapper
# (`cargo fuzz build -O` is what its Rust projects run).
set -euo pipefail
: "${SRC:?SRC must be set}" "${OUT:?OUT must be set}"
repo="$SRC/xchat"
triple="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"
target_dir="${CARGO_TARGET_DIR:-$repo/fuzz/target}"

# The pinned toolchain (rust-toolchain.toml) is stable; cargo fuzz needs -Z.
export RUSTC_BOOTSTRAP=1

cd "$repo/fuzz"
cargo fuzz build -O

zip_dir() { # zip_dir ZIP DIR: the files of DIR, flat
    if command -v zip >/dev/null 2>&1; then
        (cd "$2" && zip -q -j "$1" ./*)
    else
        python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
out, src = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if os.path.isfile(path):
            z.write(path, name)
PY
    fi
}

for src_file in fuzz_targets/*.rs; do
    t="$(basename "$src_file" .rs)"
    cp "$target_dir/$triple/release/$t" "$OUT/$t"
    rm -f "$OUT/${t}_seed_corpus.zip"
    zip_dir "$OUT/${t}_seed_corpus.zip" "$repo/fuzz/seeds/$t"
    cp "$repo/fuzz/dicts/$t.dict" "$OUT/$t.dict"
done
echo "build-fuzzers: $(ls fuzz_targets/*.rs | wc -l) targets in $OUT"
