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

#[test]
fn replay_diff_session_schedule() {
    replay_target("diff_session_schedule");
}

/// `diff_session_schedule` reads an `Inject` (selector 14, mode bit 1) as
/// [`diff_session_schedule::encode`] writes it, its shape byte puts a
/// version and type byte in front and fixes the length, and inputs written
/// before `Inject` existed (mode 0 or 1) still read as a restore or a
/// snapshot.
#[test]
fn diff_session_schedule_reads_injections() {
    use xchat_fuzz_targets::diff_session_schedule::{decode, encode, MAX_PAYLOAD};
    use xchat_spec::scenario::{Event, Party};
    let (setup, _) = decode(&[0u8; 33]);
    let events = vec![
        Event::Inject {
            from: Party::Carol,
            to: Party::Bob,
            payload: vec![0x01, 0x02, 0xAA],
        },
        Event::Snapshot { who: Party::Bob },
        Event::Restore { who: Party::Alice },
        Event::Inject {
            from: Party::Alice,
            to: Party::Bob,
            payload: Vec::new(),
        },
    ];
    assert_eq!(decode(&encode(&setup, &events)).1, events);
    let long = Event::Inject {
        from: Party::Alice,
        to: Party::Bob,
        payload: vec![7; MAX_PAYLOAD + 5],
    };
    let Event::Inject { payload, .. } = &decode(&encode(&setup, &[long])).1[0] else {
        panic!("not an injection")
    };
    assert_eq!(payload.len(), MAX_PAYLOAD);
    // Shape 0b0110: a ratchet message (0x01 0x02) of the minimum length
    // 2 + 81 + 16; 0b1010: one byte below it; 0b1111: a light message
    // (0x01 0x03) of its minimum length; 0b0001: a prekey message as long as
    // the bytes given.
    for (shape, head, len) in [
        (0b0110u8, 0x02u8, 99usize),
        (0b1010, 0x02, 98),
        (0b1111, 0x03, 115),
        (0b0001, 0x01, 5),
    ] {
        let mut input = vec![0u8; 33];
        input.extend([14, 0x02, 0, 1, shape, 0, 0, 0, 3, 9, 9, 9]);
        let (_, got) = decode(&input);
        let Event::Inject { payload, .. } = &got[0] else {
            panic!("not an injection")
        };
        assert_eq!((payload[0], payload[1], payload.len()), (0x01, head, len));
        assert_eq!(&payload[2..5], &[9, 9, 9]);
    }
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
