//! Replays every committed seed and regression file (and the local
//! libFuzzer corpus, `fuzz/corpus/<target>/`, if a campaign left one)
//! through the same target functions the libFuzzer binaries call, on the
//! stable toolchain, without libFuzzer.
//!
//! A regression file whose name starts with `open-` reproduces a finding
//! that is not fixed yet: it is skipped here and replayed by its own
//! `#[ignore]`d test (see fuzz/README.md, "Findings").

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use xchat_fuzz_targets::{seeds, TARGETS};

fn fuzz_dir() -> PathBuf {
    seeds::repo_root().join("fuzz")
}

/// The files of `dir` (none if it does not exist), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs `run` on every file of `dir` (except `open-*`), returning the
/// count; panics naming every failing file.
fn replay(target: &str, run: fn(&[u8]), dir: &Path) -> usize {
    let mut failed = Vec::new();
    let mut n = 0;
    for f in files(dir) {
        let name = f
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with("open-") || name.starts_with('.') || name == "README.md" {
            continue;
        }
        let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
            failed.push(f.display().to_string());
        }
        n += 1;
    }
    assert!(
        failed.is_empty(),
        "{target}: {} inputs fail:\n{}",
        failed.len(),
        failed.join("\n")
    );
    n
}

fn replay_target(name: &str) {
    let t = TARGETS
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    let d = fuzz_dir();
    let seeds = replay(name, t.run, &d.join("seeds").join(name));
    let regressions = replay(name, t.run, &d.join("regressions").join(name));
    let corpus = replay(name, t.run, &d.join("corpus").join(name));
    assert!(seeds > 0, "{name}: no seeds (run seed-corpora)");
    println!(
        "{name}: {seeds} seeds, {regressions} regressions, {corpus} local corpus inputs replayed"
    );
}

#[test]
fn replay_diff_primitives() {
    replay_target("diff_primitives");
}

#[test]
fn replay_diff_decoders() {
    replay_target("diff_decoders");
}

#[test]
fn replay_diff_handshake() {
    replay_target("diff_handshake");
}

#[test]
fn replay_diff_attachment() {
    replay_target("diff_attachment");
}

#[test]
fn replay_robust_session_import() {
    replay_target("robust_session_import");
}

#[test]
fn replay_robust_attachment_stream() {
    replay_target("robust_attachment_stream");
}

#[test]
fn replay_robust_account_receive() {
    replay_target("robust_account_receive");
}

/// Every target has a test above, a libFuzzer binary and a dictionary.
#[test]
fn every_target_is_wired() {
    let d = fuzz_dir();
    let manifest = std::fs::read_to_string(d.join("Cargo.toml")).unwrap_or_default();
    for t in TARGETS {
        assert!(
            d.join("fuzz_targets")
                .join(format!("{}.rs", t.name))
                .is_file(),
            "{}: no fuzz_targets file",
            t.name
        );
        assert!(
            manifest.contains(&format!("name = \"{}\"", t.name)),
            "{}: not in fuzz/Cargo.toml",
            t.name
        );
        assert!(
            d.join("dicts").join(format!("{}.dict", t.name)).is_file(),
            "{}: no dictionary",
            t.name
        );
    }
    assert_eq!(
        files(&d.join("fuzz_targets")).len(),
        TARGETS.len(),
        "a fuzz_targets file without a target"
    );
}

/// The committed seeds and dictionaries are exactly what `seed-corpora`
/// generates from the committed vectors.
#[test]
fn seeds_and_dicts_are_current() {
    let d = fuzz_dir();
    let all = seeds::all();
    for (target, expected) in &all {
        let dir = d.join("seeds").join(target);
        let on_disk: Vec<String> = files(&dir)
            .iter()
            .filter_map(|p| p.file_name().map(|s| s.to_string_lossy().into_owned()))
            .collect();
        let names: Vec<String> = expected.keys().cloned().collect();
        assert_eq!(
            on_disk, names,
            "{target}: seed files differ; run seed-corpora"
        );
        for (name, bytes) in expected {
            let got = std::fs::read(dir.join(name)).unwrap_or_default();
            assert!(&got == bytes, "{target}/{name} is stale; run seed-corpora");
        }
        let dict = std::fs::read_to_string(d.join("dicts").join(format!("{target}.dict")))
            .unwrap_or_default();
        assert_eq!(
            dict,
            seeds::dictionary(target),
            "{target}.dict is stale; run seed-corpora"
        );
    }
}
