//! Contents (SPEC.md section 11) and the strict UTF-8 check (RFC 3629
//! section 4). No external vectors exist: round trips, strict rejections,
//! the RFC's edge cases, and a cross-check of `is_utf8` against the Rust
//! standard library's validator (which implements the same RFC 3629
//! grammar) on exhaustive short inputs and random byte strings.
mod common;

use common::Tally;
use proptest::prelude::*;
use xchat_spec::attachment::MAX_ATTACHMENT_LEN;
use xchat_spec::content::{
    decode, encode, is_utf8, kind_byte, kind_of_byte, pre_encode, AttachmentPointer, Content,
    MediaKind, ATTACHMENT_CONTENT_LEN, MAILBOX_UPDATE_LEN, MAX_TEXT_LEN,
};
use xchat_spec::Error;

fn pointer(kind: MediaKind, length: u64) -> AttachmentPointer {
    let key: [u8; 32] = std::array::from_fn(|i| i as u8);
    AttachmentPointer { kind, key, length }
}

fn samples() -> Vec<Content> {
    let mut v = vec![
        Content::Text(Vec::new()),
        Content::Text(b"hello".to_vec()),
        Content::Text("grüße, 世界, 🦀".as_bytes().to_vec()),
        Content::Text(
            "\u{7F}\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}".into(),
        ),
        Content::Text(vec![b'a'; 70_000]),
    ];
    for kind in [MediaKind::Photo, MediaKind::Gif, MediaKind::File] {
        for length in [0, 1, 65536, 1 << 40, MAX_ATTACHMENT_LEN] {
            v.push(Content::Attachment(pointer(kind, length)));
        }
    }
    for serial in [0, 1, 0x0102_0304, u32::MAX] {
        v.push(Content::MailboxUpdate {
            serial,
            mailbox: core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ (serial as u8)),
        });
    }
    v
}

/// REQ-CONTENT-001: every sample encodes to the section 11 layout and
/// decodes back to itself.
#[test]
fn round_trip() {
    let mut t = Tally::new("content round trips");
    for c in samples() {
        assert!(pre_encode(&c));
        let enc = encode(&c);
        match &c {
            Content::Text(text) => {
                assert_eq!(enc[0], 0x01);
                assert_eq!(enc[1..5], (text.len() as u32).to_be_bytes());
                assert_eq!(&enc[5..], &text[..]);
            }
            Content::Attachment(p) => {
                // 42 bytes: tag, kind, key, length; no digest (SPEC.md
                // section 11).
                assert_eq!(ATTACHMENT_CONTENT_LEN, 42);
                assert_eq!(enc.len(), ATTACHMENT_CONTENT_LEN);
                assert_eq!(enc[0], 0x02);
                assert_eq!(enc[1], kind_byte(p.kind));
                assert_eq!(enc[2..34], p.key);
                assert_eq!(enc[34..42], p.length.to_be_bytes());
            }
            Content::MailboxUpdate { serial, mailbox } => {
                // 21 bytes: tag, serial, mailbox (SPEC.md sections 11, 12.1).
                assert_eq!(MAILBOX_UPDATE_LEN, 21);
                assert_eq!(enc.len(), MAILBOX_UPDATE_LEN);
                assert_eq!(enc[0], 0x03);
                assert_eq!(enc[1..5], serial.to_be_bytes());
                assert_eq!(enc[5..21], mailbox[..]);
            }
            // Call signals are checked byte for byte in tests/call.rs.
            Content::Call(_) => assert_eq!(enc[0], 0x04),
        }
        assert_eq!(decode(&enc), Ok(c));
        t.check();
    }
    t.finish(24);
}

/// REQ-CONTENT-001: the kind bytes are 0x01 photo, 0x02 GIF, 0x03 file.
#[test]
fn kind_bytes() {
    assert_eq!(kind_byte(MediaKind::Photo), 0x01);
    assert_eq!(kind_byte(MediaKind::Gif), 0x02);
    assert_eq!(kind_byte(MediaKind::File), 0x03);
    for b in 0..=255u8 {
        let expected = match b {
            1 => Ok(MediaKind::Photo),
            2 => Ok(MediaKind::Gif),
            3 => Ok(MediaKind::File),
            _ => Err(Error::Malformed),
        };
        assert_eq!(kind_of_byte(b), expected);
    }
}

/// REQ-CONTENT-001: every tag other than 0x01, 0x02 and 0x03 is rejected,
/// whatever follows it (a valid text body or a valid pointer body).
#[test]
fn unknown_tags_rejected() {
    let mut t = Tally::new("unknown content tags");
    let bodies = [
        encode(&Content::Text(b"hi".to_vec())),
        encode(&Content::Attachment(pointer(MediaKind::File, 5))),
    ];
    for tag in 0..=255u8 {
        if (0x01..=0x03).contains(&tag) {
            continue;
        }
        for body in &bodies {
            let mut bad = body.clone();
            bad[0] = tag;
            assert_eq!(decode(&bad), Err(Error::Malformed), "tag {tag:#x}");
            t.check();
        }
    }
    t.finish(2 * 253);
}

/// REQ-CONTENT-001: every kind other than 0x01-0x03 is rejected.
#[test]
fn unknown_kinds_rejected() {
    let mut t = Tally::new("unknown media kinds");
    let good = encode(&Content::Attachment(pointer(MediaKind::Photo, 5)));
    for kind in 0..=255u8 {
        let mut enc = good.clone();
        enc[1] = kind;
        if (1..=3).contains(&kind) {
            assert!(decode(&enc).is_ok());
        } else {
            assert_eq!(decode(&enc), Err(Error::Malformed), "kind {kind:#x}");
            t.check();
        }
    }
    t.finish(253);
}

/// REQ-CONTENT-001, REQ-ENC-003: every proper prefix (including the empty
/// input) and every one-byte extension of every sample is rejected.
#[test]
fn truncations_and_extensions_rejected() {
    let mut t = Tally::new("content truncations and extensions");
    for c in samples() {
        let enc = encode(&c);
        // All prefixes of short encodings; for the long text, the first and
        // last 300.
        for cut in 0..enc.len() {
            if enc.len() > 1000 && cut > 300 && cut < enc.len() - 300 {
                continue;
            }
            assert_eq!(decode(&enc[..cut]), Err(Error::Malformed), "cut at {cut}");
            t.check();
        }
        for extra in [0x00u8, 0x01, 0x41, 0xFF] {
            let mut longer = enc.clone();
            longer.push(extra);
            assert_eq!(decode(&longer), Err(Error::Malformed));
            t.check();
        }
    }
    t.finish(1000);
}

/// REQ-CONTENT-001: a text length field that does not match the bytes that
/// follow is rejected, in both directions and at the extremes.
#[test]
fn text_length_mismatch_rejected() {
    let mut t = Tally::new("text length mismatches");
    let enc = encode(&Content::Text(b"hello".to_vec()));
    for n in [0u32, 1, 4, 6, 7, 255, 1 << 24, u32::MAX] {
        let mut bad = enc.clone();
        bad[1..5].copy_from_slice(&n.to_be_bytes());
        assert_eq!(decode(&bad), Err(Error::Malformed), "n = {n}");
        t.check();
    }
    t.finish(8);
}

/// REQ-CONTENT-001: a text that is not valid UTF-8 is rejected even when its
/// length matches.
#[test]
fn invalid_utf8_text_rejected() {
    let mut t = Tally::new("invalid UTF-8 texts");
    for bad in invalid_utf8_cases() {
        let mut enc = vec![0x01];
        enc.extend_from_slice(&(bad.len() as u32).to_be_bytes());
        enc.extend_from_slice(&bad);
        assert_eq!(decode(&enc), Err(Error::Malformed), "{bad:02x?}");
        assert!(!pre_encode(&Content::Text(bad)));
        t.check();
    }
    t.finish(20);
}

/// REQ-CONTENT-001: an attachment length above `MAX_ATTACHMENT_LEN = 2^63`
/// is a field out of range.
#[test]
fn attachment_length_out_of_range_rejected() {
    let mut t = Tally::new("attachment lengths out of range");
    for length in [MAX_ATTACHMENT_LEN + 1, u64::MAX - 1, u64::MAX] {
        let c = Content::Attachment(pointer(MediaKind::Gif, length));
        assert!(!pre_encode(&c));
        assert_eq!(
            decode(&encode(&c)),
            Err(Error::Malformed),
            "length {length}"
        );
        t.check();
    }
    t.finish(3);
}

/// `MAX_TEXT_LEN = 2^32 - 6`: the largest text whose content (5 + n bytes)
/// still fits the u32 length field of the padding.
#[test]
fn max_text_len() {
    assert_eq!(MAX_TEXT_LEN as u64 + 5, u32::MAX as u64);
}

/// RFC 3629 section 4 (and its section 10 examples): sequences that are
/// not UTF-8.
fn invalid_utf8_cases() -> Vec<Vec<u8>> {
    vec![
        // Stray tail bytes and bytes that never appear.
        vec![0x80],
        vec![0xBF],
        vec![0xC0, 0x80], // overlong U+0000
        vec![0xC1, 0xBF], // overlong U+007F
        vec![0xF5, 0x80, 0x80, 0x80],
        vec![0xFE],
        vec![0xFF],
        // Overlong 3- and 4-byte forms.
        vec![0xE0, 0x80, 0x80], // U+0000
        vec![0xE0, 0x9F, 0xBF], // U+07FF
        vec![0xF0, 0x80, 0x80, 0x80],
        vec![0xF0, 0x8F, 0xBF, 0xBF], // U+FFFF
        // Surrogates U+D800-DFFF (CESU-style halves too).
        vec![0xED, 0xA0, 0x80], // U+D800
        vec![0xED, 0xAD, 0xBF], // U+DB7F
        vec![0xED, 0xBF, 0xBF], // U+DFFF
        vec![0xED, 0xA0, 0xBD, 0xED, 0xB2, 0xA9],
        // Above U+10FFFF.
        vec![0xF4, 0x90, 0x80, 0x80], // U+110000
        vec![0xF7, 0xBF, 0xBF, 0xBF],
        // Truncated sequences, at the end and in the middle.
        vec![0xC2],
        vec![0xE2, 0x82],
        vec![0xF0, 0x9F, 0xA6],
        vec![0xF0, 0x9F, 0xA6, 0x41],
        vec![0x41, 0xE2, 0x82, 0x41],
        // A tail byte too many.
        vec![0xC3, 0xA9, 0x80],
        // RFC 3629 section 10: 0xC0 0x80 was the classic "overlong NUL".
        b"abc\xC0\xAF".to_vec(),
    ]
}

/// REQ-CONTENT-001: RFC 3629 section 4 edge cases, each also checked
/// against `std::str::from_utf8`.
#[test]
fn is_utf8_rfc3629_edge_cases() {
    let mut t = Tally::new("UTF-8 edge cases");
    let valid: Vec<Vec<u8>> = vec![
        vec![],
        vec![0x00],
        vec![0x7F],                   // last 1-byte
        vec![0xC2, 0x80],             // U+0080, first 2-byte
        vec![0xDF, 0xBF],             // U+07FF, last 2-byte
        vec![0xE0, 0xA0, 0x80],       // U+0800, first 3-byte
        vec![0xED, 0x9F, 0xBF],       // U+D7FF, below the surrogates
        vec![0xEE, 0x80, 0x80],       // U+E000, above the surrogates
        vec![0xEF, 0xBF, 0xBF],       // U+FFFF
        vec![0xEF, 0xBB, 0xBF],       // U+FEFF (a BOM is an ordinary character)
        vec![0xF0, 0x90, 0x80, 0x80], // U+10000, first 4-byte
        vec![0xF4, 0x8F, 0xBF, 0xBF], // U+10FFFF, the last code point
        // RFC 3629 section 7 examples.
        vec![0x41, 0xE2, 0x89, 0xA2, 0xCE, 0x91, 0x2E],
        vec![0xED, 0x95, 0x9C, 0xEA, 0xB5, 0xAD, 0xEC, 0x96, 0xB4],
        vec![0xE6, 0x97, 0xA5, 0xE6, 0x9C, 0xAC, 0xE8, 0xAA, 0x9E],
        vec![0xEF, 0xBB, 0xBF, 0xF0, 0xA3, 0x8E, 0xB4],
    ];
    for v in &valid {
        assert!(is_utf8(v), "{v:02x?} is valid");
        assert!(std::str::from_utf8(v).is_ok());
        t.check();
    }
    for v in invalid_utf8_cases() {
        assert!(!is_utf8(&v), "{v:02x?} is invalid");
        assert!(std::str::from_utf8(&v).is_err());
        t.check();
    }
    // Every code point, encoded by std, is accepted; every surrogate,
    // encoded as if it were a code point, is rejected.
    for cp in 0..=0x10FFFFu32 {
        match char::from_u32(cp) {
            Some(c) => {
                let mut buf = [0u8; 4];
                assert!(is_utf8(c.encode_utf8(&mut buf).as_bytes()), "U+{cp:04X}");
            }
            None => {
                let s = [
                    0xE0 | (cp >> 12) as u8,
                    0x80 | ((cp >> 6) & 0x3F) as u8,
                    0x80 | (cp & 0x3F) as u8,
                ];
                assert!(!is_utf8(&s), "surrogate U+{cp:04X}");
            }
        }
        t.check();
    }
    t.finish(0x110000);
}

/// REQ-CONTENT-001: `is_utf8` agrees with `std::str::from_utf8` on every
/// 1-, 2- and 3-byte string, and on every 4-byte string whose first byte is
/// 0xF0-0xFF with the other bytes from a set covering every range boundary.
#[test]
fn is_utf8_exhaustive_short_strings_match_std() {
    let mut t = Tally::new("UTF-8 exhaustive short strings vs std");
    for a in 0..=255u8 {
        assert_eq!(is_utf8(&[a]), std::str::from_utf8(&[a]).is_ok());
        t.check();
        for b in 0..=255u8 {
            assert_eq!(is_utf8(&[a, b]), std::str::from_utf8(&[a, b]).is_ok());
            t.check();
            for c in 0..=255u8 {
                let s = [a, b, c];
                assert_eq!(is_utf8(&s), std::str::from_utf8(&s).is_ok(), "{s:02x?}");
                t.check();
            }
        }
    }
    let edges = [
        0x00u8, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED,
        0xF0, 0xF4, 0xF5, 0xFF,
    ];
    for a in 0xF0..=0xFFu8 {
        for b in 0..=255u8 {
            for &c in &edges {
                for &d in &edges {
                    let s = [a, b, c, d];
                    assert_eq!(is_utf8(&s), std::str::from_utf8(&s).is_ok(), "{s:02x?}");
                    t.check();
                }
            }
        }
    }
    t.finish(1 << 24);
}

/// Bytes biased toward UTF-8 structure: valid characters of every length,
/// lead bytes, tail bytes and arbitrary bytes, so that random strings are
/// often valid and often fail in interesting places.
fn utf8ish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<char>().prop_map(|c| c.to_string().into_bytes()),
        any::<u8>().prop_map(|b| vec![b]),
        (0x80u8..=0xBF).prop_map(|b| vec![b]),
        (0xC0u8..=0xFF).prop_map(|b| vec![b]),
        Just(vec![0xED, 0xA0, 0x80]),
        Just(vec![0xF4, 0x90, 0x80, 0x80]),
        Just(vec![0xE0, 0x80, 0xAF]),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(20_000)))]

    /// REQ-CONTENT-001: `is_utf8` agrees with the standard library's
    /// validator (the test's, not the spec's) on random byte strings.
    #[test]
    fn is_utf8_matches_std_on_random_bytes(bytes in utf8ish_bytes()) {
        prop_assert_eq!(is_utf8(&bytes), std::str::from_utf8(&bytes).is_ok());
    }

    /// REQ-CONTENT-001: `is_utf8` agrees with std on uniformly random bytes.
    #[test]
    fn is_utf8_matches_std_on_uniform_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(is_utf8(&bytes), std::str::from_utf8(&bytes).is_ok());
    }

    /// REQ-CONTENT-001: a random text content decodes exactly when it is
    /// UTF-8, and then to itself.
    #[test]
    fn text_decodes_iff_utf8(bytes in utf8ish_bytes()) {
        let enc = encode(&Content::Text(bytes.clone()));
        let expected = if std::str::from_utf8(&bytes).is_ok() {
            Ok(Content::Text(bytes))
        } else {
            Err(Error::Malformed)
        };
        prop_assert_eq!(decode(&enc), expected);
    }
}

/// REQ-CONTENT-001: the pointer has no digest field any more (SPEC.md
/// sections 11 and 13): a pointer followed by 32 more bytes, the 74-byte
/// layout with a ciphertext digest, is trailing data and `Malformed`.
#[test]
fn pointer_with_digest_rejected() {
    let p = pointer(MediaKind::Photo, 123_456);
    let enc = encode(&Content::Attachment(p.clone()));
    assert_eq!(enc.len(), 42);
    assert_eq!(decode(&enc), Ok(Content::Attachment(p)));
    let mut old = enc.clone();
    old.extend_from_slice(&[0xAB; 32]);
    assert_eq!(old.len(), 74);
    assert_eq!(decode(&old), Err(Error::Malformed));
}

/// REQ-CONTENT-001, REQ-MAILBOX-001: a mailbox update is exactly 21 bytes;
/// every shorter prefix and every extension is `Malformed`, and any serial
/// decodes.
#[test]
fn mailbox_update_is_exact() {
    let good = encode(&Content::MailboxUpdate {
        serial: 9,
        mailbox: [0xAB; 16],
    });
    for cut in 0..good.len() {
        assert_eq!(decode(&good[..cut]), Err(Error::Malformed), "cut {cut}");
    }
    let mut long = good.clone();
    long.push(0);
    assert_eq!(decode(&long), Err(Error::Malformed));
    let mut zero = good.clone();
    zero[1..5].copy_from_slice(&[0; 4]);
    assert_eq!(
        decode(&zero),
        Ok(Content::MailboxUpdate {
            serial: 0,
            mailbox: [0xAB; 16]
        })
    );
}
