//! Handles and their encoding (SPEC.md sections 4.2 and 5): every accepted
//! form is canonicalized, every rejected form is `InvalidHandle`, and the
//! 16-byte encoding round-trips and is read strictly.

mod common;

use common::Tally;
use xchat_spec::handle::{enc_handle, handle_bytes, parse_handle, read_handle, Handle};
use xchat_spec::Error;

/// Every byte accepted in a handle: `[A-Za-z0-9_]`.
fn allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn h(s: &str) -> Handle {
    parse_handle(s.as_bytes()).expect("valid handle")
}

/// REQ-HANDLE-001: accepted forms (1 to 15 bytes of `[A-Za-z0-9_]`) come out
/// in canonical ASCII-lowercase form.
#[test]
fn parse_accepts_and_canonicalizes() {
    let mut t = Tally::new("handle accepted forms");
    let cases: [(&str, &str); 8] = [
        ("a", "a"),
        ("Z", "z"),
        ("_", "_"),
        ("0", "0"),
        ("Alice_Smith", "alice_smith"),
        ("MiXeD_CaSe_123", "mixed_case_123"),
        ("ABCDEFGHIJKLMNO", "abcdefghijklmno"),
        ("bob", "bob"),
    ];
    for (input, canonical) in cases {
        assert_eq!(handle_bytes(&h(input)), canonical.as_bytes(), "{input}");
        t.check();
    }
    // Every allowed byte, alone and at the last of 15 positions.
    for b in 0..=255u8 {
        if allowed(b) {
            let one = parse_handle(&[b]).expect("allowed byte");
            assert_eq!(handle_bytes(&one), vec![b.to_ascii_lowercase()]);
            let mut long = vec![b'x'; 14];
            long.push(b);
            let parsed = parse_handle(&long).expect("allowed byte");
            assert_eq!(parsed, parse_handle(&long.to_ascii_lowercase()).unwrap());
            t.check();
        }
    }
    t.finish(8 + 63);
}

/// REQ-HANDLE-001: everything else is `InvalidHandle`: empty, 16 bytes,
/// space, '@', '+', '-', '.', non-ASCII UTF-8, a phone number, an e-mail
/// address, and every single byte outside `[A-Za-z0-9_]` in any position.
#[test]
fn parse_rejects_everything_else() {
    let mut t = Tally::new("handle rejected forms");
    let cases: [&[u8]; 12] = [
        b"",
        b"abcdefghijklmnop",
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        b"alice smith",
        b"@alice",
        b"alice+1",
        b"alice-smith",
        b"alice.smith",
        "\u{e9}".as_bytes(),
        "caf\u{e9}".as_bytes(),
        b"+14155550123",
        b"alice@example",
    ];
    for input in cases {
        assert_eq!(parse_handle(input), Err(Error::InvalidHandle), "{input:?}");
        t.check();
    }
    for b in 0..=255u8 {
        if !allowed(b) {
            for pos in [0usize, 3, 6] {
                let mut input = b"abcdefg".to_vec();
                input[pos] = b;
                assert_eq!(
                    parse_handle(&input),
                    Err(Error::InvalidHandle),
                    "{b:#x}@{pos}"
                );
                t.check();
            }
        }
    }
    t.finish(12 + 3 * (256 - 63));
}

/// REQ-HANDLE-002: handles are equal iff their canonical forms are equal.
#[test]
fn equality_is_canonical_equality() {
    assert_eq!(h("Alice"), h("aLICE"));
    assert_eq!(enc_handle(&h("Alice")), enc_handle(&h("alice")));
    assert_ne!(h("alice"), h("alice_"));
    assert_ne!(h("alice"), h("alicf"));
}

/// REQ-ENC-002: `EncHandle` is `u8(len) || h || zeros(15 - len)` and reads back.
#[test]
fn enc_handle_layout_and_round_trip() {
    let mut t = Tally::new("handle encode/read round trips");
    for s in ["a", "bob", "alice_smith_007", "X_1"] {
        let handle = h(s);
        let enc = enc_handle(&handle);
        let lower = s.to_ascii_lowercase();
        let mut expected = vec![lower.len() as u8];
        expected.extend_from_slice(lower.as_bytes());
        expected.resize(16, 0);
        assert_eq!(enc.to_vec(), expected);
        // At position 0 and after a prefix, with trailing data left unread.
        assert_eq!(read_handle(&enc, 0), Ok((handle, 16)));
        let mut framed = vec![0xAA, 0xBB];
        framed.extend_from_slice(&enc);
        framed.push(0xCC);
        assert_eq!(read_handle(&framed, 2), Ok((handle, 18)));
        t.check();
    }
    t.finish(4);
}

/// REQ-ENC-002: the reader rejects length 0 or above 15, non-zero padding
/// and non-canonical bytes (uppercase included) with `InvalidHandle`; too
/// few bytes is `Malformed` (SPEC.md section 4.4).
#[test]
fn read_handle_is_strict() {
    let mut t = Tally::new("read_handle rejections");
    let good = enc_handle(&h("alice"));
    for len in [0u8, 16, 17, 255] {
        let mut e = good;
        e[0] = len;
        assert_eq!(read_handle(&e, 0), Err(Error::InvalidHandle), "len {len}");
        t.check();
    }
    // Any non-zero padding byte.
    for pos in 6..16 {
        let mut e = good;
        e[pos] = 0x01;
        assert_eq!(read_handle(&e, 0), Err(Error::InvalidHandle), "pad {pos}");
        t.check();
    }
    // Uppercase and any other non-canonical byte in the handle.
    for b in 0..=255u8 {
        if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            let mut e = good;
            e[3] = b;
            assert_eq!(read_handle(&e, 0), Err(Error::InvalidHandle), "{b:#x}");
            t.check();
        }
    }
    // A length byte one shorter leaves a non-zero byte in the padding.
    let mut e = good;
    e[0] = 4;
    assert_eq!(read_handle(&e, 0), Err(Error::InvalidHandle));
    t.check();
    for n in 0..16 {
        assert_eq!(read_handle(&good[..n], 0), Err(Error::Malformed), "cut {n}");
        t.check();
    }
    assert_eq!(read_handle(&good, 1), Err(Error::Malformed));
    assert_eq!(read_handle(&good, 17), Err(Error::Malformed));
    assert_eq!(read_handle(&good, usize::MAX), Err(Error::Malformed));
    t.finish(4 + 10 + (256 - 37) + 1 + 16);
}
