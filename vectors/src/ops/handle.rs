//! Handles (SPEC.md sections 5 and 4.2).

use serde_json::json;

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};

wire! {
    /// The input of `handle_parse`.
    pub struct ParseIn {
        handle: Hex = "hex: the input bytes",
    }
}

wire! {
    /// A parsed handle.
    pub struct ParseOut {
        canonical: Hex = "hex: the ASCII-lowercase handle",
        encoded: Hex = "hex, 16 bytes: EncHandle",
    }
}

wire! {
    /// The input of `handle_decode`.
    pub struct DecodeIn {
        encoded: Hex = "hex",
    }
}

wire! {
    /// A decoded handle.
    pub struct DecodeOut {
        canonical: Hex = "hex: the handle",
    }
}

pub const HANDLE_PARSE: Meta = Meta {
    section: "SPEC.md sections 5 and 4.2",
    reqs: &["REQ-HANDLE-001", "REQ-HANDLE-002"],
    summary: "parse a user-supplied handle into its canonical form and EncHandle",
    errors: &[(
        ErrorKind::InvalidHandle,
        "empty, longer than 15 bytes, or a byte outside [A-Za-z0-9_]",
    )],
    cases,
};

pub const HANDLE_DECODE: Meta = Meta {
    section: "SPEC.md section 4.2",
    reqs: &["REQ-ENC-002"],
    summary: "decode EncHandle strictly (exactly 16 bytes)",
    errors: &[
        (
            ErrorKind::Malformed,
            "fewer than 16 bytes, or bytes after the 16",
        ),
        (
            ErrorKind::InvalidHandle,
            "length byte 0 or > 15, non-zero padding, or a byte outside [a-z0-9_]",
        ),
    ],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, _: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "handle_parse" => {
            for h in [
                &b"alice"[..],
                b"Alice_99",
                b"A",
                b"_",
                b"0",
                b"abcdefghijklmno",
                b"ABCDEFGHIJKLMNO",
                b"x_Y_z",
            ] {
                c.add(
                    format!("valid-{}", String::from_utf8_lossy(h)),
                    json!({"handle": hx(h)}),
                );
            }
            for (id, h) in [
                ("empty", &b""[..]),
                ("16-bytes", b"abcdefghijklmnop"),
                ("space", b"al ice"),
                ("at-sign", b"@alice"),
                ("hyphen", b"ali-ce"),
                ("non-ascii", "alicé".as_bytes()),
                ("nul", b"ab\0"),
                ("dot", b"a.b"),
            ] {
                c.add(id, json!({"handle": hx(h)}));
            }
        }
        "handle_decode" => {
            let enc = |h: &[u8]| {
                out("handle_parse", &json!({"handle": hx(h)}))
                    .bytes("encoded")
                    .unwrap()
            };
            let alice = enc(b"alice");
            c.add("valid", json!({"encoded": hx(&alice)}));
            c.add("valid-15", json!({"encoded": hx(&enc(b"abcdefghijklmno"))}));
            c.add("15-bytes", json!({"encoded": hx(&alice[..15])}));
            c.add(
                "17-bytes",
                json!({"encoded": hx(&[alice.clone(), vec![0]].concat())}),
            );
            let mut z = alice.clone();
            z[0] = 0;
            c.add("length-0", json!({"encoded": hx(&z)}));
            c.add("all-zero", json!({"encoded": hx(&[0u8; 16])}));
            z[0] = 16;
            c.add("length-16", json!({"encoded": hx(&z)}));
            let mut p = alice.clone();
            p[15] = b'a';
            c.add("non-zero-padding", json!({"encoded": hx(&p)}));
            let mut u = alice.clone();
            u[1] = b'A';
            c.add("uppercase", json!({"encoded": hx(&u)}));
            u[1] = b'-';
            c.add("hyphen", json!({"encoded": hx(&u)}));
        }
        _ => {}
    }
    cases.0
}
