//! Replays every committed seed and regression file (and the local
//! libFuzzer corpus, `fuzz/corpus/<target>/`, if a campaign left one)
//! through the same target functions the libFuzzer binaries call, on the
//! stable toolchain, without libFuzzer (`xchat_fuzz_targets::replay`); and
//! checks that the targets are wired and the seeds current.

use xchat_fuzz_targets::replay::{files, fuzz_dir, replay_target};
use xchat_fuzz_targets::{seeds, TARGETS};

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
