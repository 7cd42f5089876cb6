//! The checks behind the claims catch what they claim to catch: a leaked
//! secret is flagged by the canary scan, a mis-declared field fails the
//! inventory, a layout refuses bytes that are not its structure (a typed
//! error, not a panic), and the tamper matrix and exposure map have the
//! figures SPEC.md fixes.

use xchat_audit::canary::{self, Blob, Canary};
use xchat_audit::layout::{self, Kind, Vis};
use xchat_audit::AuditError;

#[test]
fn the_canary_scan_flags_a_leaked_secret_and_allows_a_public_mailbox() {
    let map = layout::exposure_map().expect("exposure map");
    let sealed = map
        .structures
        .iter()
        .find(|s| s.id == "sealed-ratchet")
        .expect("sealed");
    let secret = [0x5au8; 32];
    let mailbox: [u8; 16] = sealed.bytes[1..17].try_into().expect("mailbox");
    let mut leaky = sealed.bytes.clone();
    leaky[300..332].copy_from_slice(&secret);
    let canaries = vec![
        Canary {
            owner: "t".into(),
            what: "secret".into(),
            encoding: "raw".into(),
            bytes: secret.to_vec(),
            public_at: None,
        },
        Canary {
            owner: "t".into(),
            what: "mailbox".into(),
            encoding: "raw".into(),
            bytes: mailbox.to_vec(),
            public_at: Some("relay"),
        },
        // Public at the directory, but found at the relay: not allowed.
        Canary {
            owner: "t".into(),
            what: "mailbox as directory data".into(),
            encoding: "raw".into(),
            bytes: mailbox.to_vec(),
            public_at: Some("directory"),
        },
    ];
    let blobs = vec![Blob {
        observer: "relay",
        kind: Kind::Sealed,
        label: "leaky".into(),
        bytes: leaky,
    }];
    let hits = canary::find_hits(&canaries, &blobs, &map).expect("scan");
    assert_eq!(hits.len(), 3);
    let leak = hits.iter().find(|h| h.canary == 0).expect("secret found");
    assert_eq!(
        (leak.offset, leak.field.as_str(), leak.allowed),
        (300, "c2", false)
    );
    let public = hits.iter().find(|h| h.canary == 1).expect("mailbox found");
    assert_eq!(
        (public.offset, public.field.as_str(), public.allowed),
        (1, "mailbox", true)
    );
    assert!(!hits.iter().find(|h| h.canary == 2).expect("found").allowed);
}

#[test]
fn layouts_reject_foreign_bytes_with_a_typed_error() {
    for kind in [
        Kind::Sealed,
        Kind::Light,
        Kind::Bundle,
        Kind::Attachment,
        Kind::Address,
    ] {
        for bytes in [&[][..], &[0x02u8; 40][..], &[0x01u8; 3][..]] {
            match layout::layout(kind, bytes) {
                Err(AuditError::Input(what, _)) => {
                    assert!(what.starts_with("layout of"), "{kind:?}")
                }
                other => panic!("{kind:?} on {} bytes: {other:?}", bytes.len()),
            }
        }
    }
}

#[test]
fn the_exposure_map_has_the_lengths_spec_md_fixes() {
    let map = layout::exposure_map().expect("exposure map");
    let get = |id: &str| map.structures.iter().find(|s| s.id == id).expect(id);
    assert_eq!(get("bundle-opk").bytes.len(), 1541);
    assert_eq!(get("bundle").bytes.len(), 1504);
    // Sealed envelope header: version, mailbox, E, c1 (SPEC.md section 12).
    let sealed = get("sealed-ratchet");
    let offs: Vec<(usize, usize)> = sealed
        .fields
        .iter()
        .map(|f| (f.offset, f.len))
        .take(4)
        .collect();
    assert_eq!(offs, vec![(0, 1), (1, 16), (17, 32), (49, 163)]);
    // The relay sees in clear exactly: versions, type, mailbox ids, E, the
    // header nonce and the attachment commitment.
    let mut clear: Vec<String> = layout::visible_fields(&map)
        .into_iter()
        .filter(|(_, _, o)| *o == "relay")
        .map(|(s, f, _)| format!("{s}/{f}"))
        .collect();
    clear.sort();
    assert_eq!(
        clear,
        vec![
            "address/mailbox",
            "attachment/commitment",
            "light/header nonce",
            "light/mailbox",
            "light/type",
            "light/version",
            "sealed-prekey/E",
            "sealed-prekey/mailbox",
            "sealed-prekey/version",
            "sealed-ratchet/E",
            "sealed-ratchet/mailbox",
            "sealed-ratchet/version",
        ]
    );
    // Nothing inside an envelope is clear to the relay.
    for s in map.structures.iter().filter(|s| s.id.ends_with("-inner")) {
        assert!(
            s.fields.iter().all(|f| f.relay == Vis::Encrypted),
            "{}",
            s.id
        );
    }
}

#[test]
fn the_tamper_matrix_rejects_everything_and_accepts_the_controls() {
    let rows = xchat_audit::tamper::matrix().expect("matrix");
    assert_eq!(rows.len(), 6);
    for r in &rows {
        assert!(r.control, "{}: control not accepted", r.id);
        for (class, t) in &r.classes {
            assert_eq!(t.accepted(), 0, "{} {class}: {:?}", r.id, t.kinds);
        }
    }
    // Every byte flipped and every truncation, per structure.
    for r in rows.iter().filter(|r| r.id != "attachment-3-chunks") {
        let flips = r
            .classes
            .iter()
            .find(|(c, _)| c == "flip 0xff")
            .expect("flips")
            .1
            .cases;
        let cuts = r
            .classes
            .iter()
            .find(|(c, _)| c == "truncate")
            .expect("cuts")
            .1
            .cases;
        assert_eq!((flips, cuts), (r.len, r.len), "{}", r.id);
    }
}
