//! Replaying files through the targets without libFuzzer: every seed
//! (`fuzz/seeds/<target>/`), every regression (`fuzz/regressions/<target>/`)
//! and, if a campaign left one, the local corpus (`fuzz/corpus/<target>/`).
//! Used by the replay tests of both workspaces: `tests/replay.rs` here (root
//! workspace, `cargo test --workspace --release`) and `fuzz/tests/replay.rs`
//! (`cargo test --manifest-path fuzz/Cargo.toml --release`).
//!
//! A regression file whose name starts with `open-` reproduces a finding
//! that is not fixed yet: it is skipped here and replayed by its own
//! `#[ignore]`d test (see `fuzz/regressions/README.md`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use crate::{seeds, TARGETS};

/// The `fuzz/` folder.
pub fn fuzz_dir() -> PathBuf {
    seeds::repo_root().join("fuzz")
}

/// The files of `dir` (none if it does not exist), sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
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

/// Whether the replay skips a file of this name (`open-*` findings,
/// dotfiles such as `.gitkeep`, READMEs).
pub fn skipped(name: &str) -> bool {
    name.starts_with("open-") || name.starts_with('.') || name == "README.md"
}

/// Runs `run` on every file of `dir` not [`skipped`]; the count, or the
/// failing files.
pub fn replay_dir(run: fn(&[u8]), dir: &Path) -> Result<usize, Vec<String>> {
    let mut failed = Vec::new();
    let mut n = 0;
    for f in files(dir) {
        let name = f
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if skipped(&name) {
            continue;
        }
        let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
            failed.push(f.display().to_string());
        }
        n += 1;
    }
    if failed.is_empty() {
        Ok(n)
    } else {
        Err(failed)
    }
}

/// Replays the seeds, regressions and local corpus of target `name`;
/// panics naming every failing file, or if the target has no seed. Returns
/// the counts `(seeds, regressions, corpus)`.
pub fn replay_target(name: &str) -> (usize, usize, usize) {
    let t = TARGETS
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    let d = fuzz_dir();
    let mut counts = [0usize; 3];
    let mut failed = Vec::new();
    for (k, sub) in ["seeds", "regressions", "corpus"].iter().enumerate() {
        match replay_dir(t.run, &d.join(sub).join(name)) {
            Ok(n) => counts[k] = n,
            Err(f) => failed.extend(f),
        }
    }
    assert!(
        failed.is_empty(),
        "{name}: {} inputs fail:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(counts[0] > 0, "{name}: no seeds (run seed-corpora)");
    println!(
        "{name}: {} seeds, {} regressions, {} local corpus inputs replayed",
        counts[0], counts[1], counts[2]
    );
    (counts[0], counts[1], counts[2])
}
