//! The OSS-Fuzz / ClusterFuzzLite build script (fuzz/build-fuzzers.sh,
//! through fuzz/oss-fuzz/build.sh) lays out `$OUT` as they expect: for
//! every target its binary, `<target>_seed_corpus.zip` and `<target>.dict`.
//!
//! `$SRC` and `$OUT` are temporary folders (`$SRC/xchat` links to this
//! checkout); `cargo` is a stand-in first on `PATH` that, for
//! `cargo fuzz build -O`, writes a placeholder binary per target where
//! cargo-fuzz would (`$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/release/`), so
//! the test checks the script's layout without a fuzzing toolchain.

use std::path::{Path, PathBuf};
use std::process::Command;

use xchat_fuzz_targets::{seeds, TARGETS};

fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xchat-oss-fuzz-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    d
}

const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
# Stand-in for `cargo fuzz build -O`: a placeholder binary per target.
set -eu
[ "$1 $2" = "fuzz build" ] || { echo "fake cargo: unexpected $*" >&2; exit 2; }
out="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/release"
mkdir -p "$out"
for f in fuzz_targets/*.rs; do
    t="$(basename "$f" .rs)"
    printf '#!/bin/sh\necho %s\n' "$t" > "$out/$t"
    chmod +x "$out/$t"
done
"#;

/// The names inside a zip file (its central directory), read by hand.
fn zip_names(path: &Path) -> Vec<String> {
    let z = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names = Vec::new();
    let mut i = 0;
    while i + 46 <= z.len() {
        if z[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            let n = u16::from_le_bytes([z[i + 28], z[i + 29]]) as usize;
            let m = u16::from_le_bytes([z[i + 30], z[i + 31]]) as usize;
            let k = u16::from_le_bytes([z[i + 32], z[i + 33]]) as usize;
            names.push(String::from_utf8_lossy(&z[i + 46..i + 46 + n]).into_owned());
            i += 46 + n + m + k;
        } else {
            i += 1;
        }
    }
    names.sort();
    names
}

#[test]
fn build_script_fills_out() {
    let root = seeds::repo_root()
        .canonicalize()
        .unwrap_or_else(|e| panic!("root: {e}"));
    let (src, out, bin, target) = (
        fresh_dir("src"),
        fresh_dir("out"),
        fresh_dir("bin"),
        fresh_dir("target"),
    );
    std::os::unix::fs::symlink(&root, src.join("xchat")).unwrap_or_else(|e| panic!("link: {e}"));
    let cargo = bin.join("cargo");
    std::fs::write(&cargo, FAKE_CARGO).unwrap_or_else(|e| panic!("{e}"));
    let chmod = Command::new("chmod").arg("+x").arg(&cargo).status();
    assert!(chmod.is_ok_and(|s| s.success()));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("bash")
        .arg(root.join("fuzz/oss-fuzz/build.sh"))
        .env("SRC", &src)
        .env("OUT", &out)
        .env("PATH", path)
        .env("CARGO_BUILD_TARGET", "x86_64-unknown-linux-gnu")
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    assert!(status.success(), "build.sh failed: {status}");
    for t in TARGETS {
        let exe = out.join(t.name);
        assert!(exe.is_file(), "{}: no binary in $OUT", t.name);
        let zip = out.join(format!("{}_seed_corpus.zip", t.name));
        let seeds_dir = root.join("fuzz/seeds").join(t.name);
        let mut expected: Vec<String> = std::fs::read_dir(&seeds_dir)
            .unwrap_or_else(|e| panic!("{}: {e}", seeds_dir.display()))
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        expected.sort();
        assert_eq!(zip_names(&zip), expected, "{}: seed corpus zip", t.name);
        let dict =
            std::fs::read_to_string(out.join(format!("{}.dict", t.name))).unwrap_or_default();
        assert_eq!(dict, seeds::dictionary(t.name), "{}: dictionary", t.name);
    }
    for d in [&src, &out, &bin, &target] {
        let _ = std::fs::remove_dir_all(d);
    }
}
