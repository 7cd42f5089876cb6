//! The figures of the experiments, pinned: what the FS/PCS attacker can
//! and cannot decrypt, the length function at the lengths SPEC.md fixes,
//! the known-answer re-runs, and the provenance table.

use xchat_audit::{conform, fspcs, kat, length, workspace_root};

#[test]
fn the_fs_pcs_attacker_decrypts_only_the_in_between_messages() {
    let (attempts, sealed) = fspcs::experiments().expect("experiments");
    let by_phase = |p: &str| -> Vec<(usize, bool)> {
        attempts
            .iter()
            .filter(|a| a.phase == p)
            .map(|a| (a.wire, a.decrypted))
            .collect()
    };
    assert_eq!(
        by_phase("before t (delivered)"),
        vec![(0, false), (2, false)]
    );
    assert_eq!(by_phase("in between"), vec![(3, true), (5, true)]);
    assert_eq!(
        by_phase("after the round trip"),
        vec![(7, false), (8, false), (10, false)]
    );
    // The identity key alone opens the sealed-sender layer of every
    // envelope to bob, before and after t.
    assert_eq!(sealed.len(), 7);
    assert!(sealed
        .iter()
        .all(|(_, opened, what)| *opened && what.contains("sender \"alice\"")));
}

#[test]
fn the_length_function_has_the_sizes_spec_md_fixes() {
    // A short text pads to 256 bytes: 18 + 81 + 256 + 16 in a light envelope.
    assert_eq!(length::text_wire_len("light", 0), 371);
    assert_eq!(length::text_wire_len("light", 247), 371);
    assert!(length::text_wire_len("light", 248) > 371);
    // Sealed: the 228-byte envelope overhead and the message type, plus the
    // prekey header (EncIdentity, ids, EncX(EK), the ML-KEM ciphertext).
    assert_eq!(
        length::text_wire_len("sealed ratchet", 0) - length::text_wire_len("light", 0),
        212
    );
    assert_eq!(
        length::text_wire_len("sealed prekey", 0) - length::text_wire_len("light", 0),
        212 + 147 + 13 + 33 + 1088
    );
    // The log-normal is a distribution over the range, and almost all of
    // its mass lies in the smallest class.
    let p = length::distribution(length::MAX_TEXT);
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let bits = length::class_entropy(&p, |n| length::text_wire_len("light", n));
    assert!(bits > 0.1 && bits < 0.2, "{bits}");
}

#[test]
fn known_answers_rerun_and_reject_foreign_input() {
    let root = workspace_root().join("vectors/external");
    let read = |f: &str| std::fs::read(root.join(f)).expect(f);
    let chacha = kat::rerun(
        "wycheproof/chacha20_poly1305_test.json",
        &read("wycheproof/chacha20_poly1305_test.json"),
    )
    .expect("rerun");
    assert_eq!((chacha.passed, chacha.failed), (325, 0));
    let sha = kat::rerun(
        "nist-cavp/sha2/SHA256ShortMsg.rsp",
        &read("nist-cavp/sha2/SHA256ShortMsg.rsp"),
    )
    .expect("rerun");
    assert_eq!((sha.passed, sha.failed, sha.skipped), (65, 0, 0));
    // A wrong expected digest is a failure, not a pass.
    let mut text = String::from_utf8(read("nist-cavp/sha2/SHA256ShortMsg.rsp")).expect("text");
    text = text.replacen("MD = e3b0c442", "MD = e3b0c443", 1);
    let bad = kat::rerun("nist-cavp/sha2/SHA256ShortMsg.rsp", text.as_bytes()).expect("rerun");
    assert_eq!((bad.passed, bad.failed), (64, 1));
    // Files it does not know, and bytes that are not JSON, are not re-run.
    assert_eq!(kat::rerun("rfc/rfc-vectors.yaml", b"x"), None);
    assert_eq!(kat::rerun("wycheproof/x25519_test.json", b"not json"), None);
}

#[test]
fn the_provenance_table_is_complete_and_matches() {
    let ext = conform::external(&workspace_root()).expect("MANIFEST.md");
    assert_eq!(ext.len(), 56);
    assert!(
        ext.iter().all(|f| f.recorded == f.actual),
        "a provenance hash differs"
    );
    let wycheproof_x25519 = ext
        .iter()
        .find(|f| f.file == "wycheproof/x25519_test.json")
        .expect("listed");
    // Read by the spec's shared loader, the spec's test and the impl's
    // differential test.
    assert_eq!(
        wycheproof_x25519.tests,
        vec![
            "spec/tests/common/mod.rs",
            "spec/tests/x25519.rs",
            "impl/tests/crypto_diff.rs"
        ]
    );
}

#[test]
fn nist_aes_gcm_fail_records_must_be_rejected() {
    let path =
        workspace_root().join("vectors/external/nist-cavp/aes-gcm/gcmDecrypt128.iv96-tag128.rsp");
    let text = String::from_utf8(std::fs::read(path).expect("read")).expect("text");
    let name = "nist-cavp/aes-gcm/gcmDecrypt128.iv96-tag128.rsp";
    let good = kat::rerun(name, text.as_bytes()).expect("rerun");
    assert_eq!((good.passed, good.failed, good.skipped), (375, 0, 0));
    // Drop the first FAIL marker: that record now claims a valid tag, which
    // the spec rejects, so the re-run reports one failure.
    let tampered = text
        .replace("\r\n", "\n")
        .replacen("\nFAIL\n", "\nPT = \n", 1);
    let bad = kat::rerun(name, tampered.as_bytes()).expect("rerun");
    assert_eq!((bad.passed, bad.failed), (374, 1));
}
