//! Identities (SPEC.md section 6).

use serde_json::json;

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};

wire! {
    /// The input of `identity_generate`.
    pub struct GenerateIn {
        handle: Hex = "hex: handle (parsed as `handle_parse`)",
        randomness: Hex = "hex, 64 bytes",
    }
}

wire! {
    /// A generated identity.
    pub struct GenerateOut {
        identity: Hex = "hex, 147 bytes: EncIdentity",
        sig_pub: Hex = "hex, 32 bytes",
        dh_pub: Hex = "hex, 32 bytes",
        binding: Hex = "hex, 64 bytes: the binding signature",
    }
}

wire! {
    /// An encoded identity.
    pub struct IdentityIn {
        identity: Hex = "hex",
    }
}

wire! {
    /// A decoded identity.
    pub struct DecodeOut {
        handle: Hex = "hex: canonical handle",
        sig_pub: Hex = "hex, 32",
        dh_pub: Hex = "hex, 32",
        binding: Hex = "hex, 64",
    }
}

wire! {
    /// The empty output of a check that passed.
    pub struct Empty {}
}

impl GenerateOut {
    /// The output of a generated identity: its encoding and keys.
    pub fn new(identity: &[u8], sig_pub: &[u8; 32], dh_pub: &[u8; 32], binding: &[u8; 64]) -> Self {
        GenerateOut {
            identity: identity.into(),
            sig_pub: sig_pub.into(),
            dh_pub: dh_pub.into(),
            binding: binding.into(),
        }
    }
}

impl DecodeOut {
    /// The output of a decoded identity: its handle's bytes and keys.
    pub fn new(handle: &[u8], sig_pub: &[u8; 32], dh_pub: &[u8; 32], binding: &[u8; 64]) -> Self {
        DecodeOut {
            handle: handle.into(),
            sig_pub: sig_pub.into(),
            dh_pub: dh_pub.into(),
            binding: binding.into(),
        }
    }
}

/// The errors of decoding an EncIdentity, in check order.
pub const DECODE_ERRORS: [(ErrorKind, &str); 3] = [
    (
        ErrorKind::Malformed,
        "the identity is cut short or has trailing bytes, or a key tag is wrong",
    ),
    (
        ErrorKind::UnsupportedVersion,
        "the version byte is not 0x01",
    ),
    (
        ErrorKind::InvalidHandle,
        "the encoded handle is not canonical (SPEC.md 4.2)",
    ),
];

pub const IDENTITY_GENERATE: Meta = Meta {
    section: "SPEC.md section 6",
    reqs: &["REQ-ID-001"],
    summary: "identity from 64 random bytes r: sig_seed = r[0..32], dh_secret = r[32..64]",
    errors: &[(ErrorKind::InvalidHandle, "the handle does not parse")],
    cases,
};

pub const IDENTITY_DECODE: Meta = Meta {
    section: "SPEC.md sections 6 and 4",
    reqs: &["REQ-ID-002", "REQ-ENC-001", "REQ-ENC-003"],
    summary: "decode EncIdentity strictly, without verifying the binding",
    errors: &DECODE_ERRORS,
    cases,
};

pub const IDENTITY_VERIFY: Meta = Meta {
    section: "SPEC.md section 6",
    reqs: &["REQ-ID-001", "REQ-SUITE-003"],
    summary: "decode, then verify the binding signature (output is empty on success)",
    errors: &[
        DECODE_ERRORS[0],
        DECODE_ERRORS[1],
        DECODE_ERRORS[2],
        (
            ErrorKind::InvalidSignature,
            "the binding fails the policy of SPEC.md 3.1",
        ),
    ],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "identity_generate" => {
            for (i, h) in [&b"alice"[..], b"Bob", b"zed_1"].iter().enumerate() {
                c.add(
                    format!("valid-{i}"),
                    json!({"handle": hx(h), "randomness": hx(&g.bytes(&format!("r{i}"), 64))}),
                );
            }
            c.add(
                "invalid-handle",
                json!({"handle": hx(b"bad handle"), "randomness": hx(&g.bytes("r", 64))}),
            );
        }
        "identity_decode" | "identity_verify" | "fingerprint" => {
            let (_, id) = ident(g, b"alice", "alice");
            let (_, id2) = ident(g, b"bob", "bob");
            let field = "identity";
            c.add("valid", json!({field: hx(&id)}));
            c.add("valid-2", json!({field: hx(&id2)}));
            if op == "identity_verify" {
                c.add("binding-flipped", json!({field: hx(&flip(&id, 146))}));
                c.add("sig-pub-changed", json!({field: hx(&flip(&id, 20))}));
                c.add("dh-pub-changed", json!({field: hx(&flip(&id, 60))}));
                let mut h = id.clone();
                h[2] = b'b';
                c.add("handle-changed", json!({field: hx(&h)}));
            }
            id_decode_errors(c, field, &id);
        }
        _ => {}
    }
    cases.0
}

fn id_decode_errors(c: &mut Cases, field: &str, id: &[u8]) {
    c.add("empty", json!({field: ""}));
    c.add("cut-short", json!({field: hx(&id[..146])}));
    c.add(
        "trailing-byte",
        json!({field: hx(&[id.to_vec(), vec![0]].concat())}),
    );
    let mut v = id.to_vec();
    v[0] = 0x02;
    c.add("version-2", json!({field: hx(&v)}));
    let mut t = id.to_vec();
    t[17] = 0x01;
    c.add("sig-pub-tag-wrong", json!({field: hx(&t)}));
    let mut t = id.to_vec();
    t[50] = 0x02;
    c.add("dh-pub-tag-wrong", json!({field: hx(&t)}));
    let mut h = id.to_vec();
    h[2] = b'A';
    c.add("handle-uppercase", json!({field: hx(&h)}));
    let mut h = id.to_vec();
    h[1] = 16;
    c.add("handle-length-16", json!({field: hx(&h)}));
}
