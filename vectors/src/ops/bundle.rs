//! Prekey bundles and the owner's prekey store (SPEC.md section 7).

use serde_json::json;

use super::build::*;
use super::identity::Empty;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};

wire! {
    /// The owner's identity and prekey store: the input of `bundle_make`,
    /// shared by the responder's ops.
    pub struct Store {
        handle: Hex = "hex: the owner's handle (as for `handle_parse`)",
        identity_randomness: Hex = "hex, 64 bytes: the owner's identity randomness (`identity_generate`)",
        spk_id: u32 = "int (u32): signed prekey id",
        spk_secret: Hex = "hex, 32 bytes: signed prekey X25519 secret",
        #[optional]
        opk_id: Option<u32> = "int (u32), optional: one-time prekey id (absent: no one-time prekey)",
        #[optional]
        opk_secret: Option<Hex> = "hex, 32 bytes, present iff `opk_id` is: one-time prekey X25519 secret",
        pqpk_id: u32 = "int (u32): PQ prekey id",
        pqpk_kind: u64 = "int: PQ prekey kind, 1 one-time, 2 last resort",
        pqpk_randomness: Hex = "hex, 64 bytes: `d || z` of the PQ prekey's ML-KEM KeyGen",
    }
}

wire! {
    /// A made bundle.
    pub struct MakeOut {
        bundle: Hex = "hex: the encoded bundle (1504 bytes, 1541 with a one-time prekey)",
    }
}

wire! {
    /// An encoded bundle.
    pub struct BundleIn {
        bundle: Hex = "hex",
    }
}

wire! {
    /// A decoded bundle.
    pub struct DecodeOut {
        identity: Hex = "hex: EncIdentity",
        spk_id: u32 = "int",
        spk: Hex = "hex, 32",
        spk_sig: Hex = "hex, 64",
        has_opk: bool = "bool",
        #[optional]
        opk_id: Option<u32> = "int, present iff has_opk",
        #[optional]
        opk: Option<Hex> = "hex, 32, present iff has_opk",
        pqpk_id: u32 = "int",
        pqpk_kind: u8 = "int: 1 or 2",
        pqpk: Hex = "hex, 1184",
        pqpk_sig: Hex = "hex, 64",
    }
}

/// The output of `bundle_decode` from a decoded bundle of either
/// implementation (both `Bundle`s have these field names), with that
/// implementation's EncIdentity encoder and PQ kind byte.
#[macro_export]
macro_rules! bundle_decode_out {
    ($b:expr, $encode_identity:path, $kind_byte:path) => {{
        let b = $b;
        $crate::ops::bundle::DecodeOut {
            identity: $encode_identity(&b.identity).to_vec().into(),
            spk_id: b.spk_id,
            spk: b.spk.into(),
            spk_sig: b.spk_sig.into(),
            has_opk: b.opk.is_some(),
            opk_id: b.opk.map(|(id, _)| id),
            opk: b.opk.map(|(_, k)| k.into()),
            pqpk_id: b.pqpk_id,
            pqpk_kind: $kind_byte(b.pqpk_kind),
            pqpk: b.pqpk.clone().into(),
            pqpk_sig: b.pqpk_sig.into(),
        }
    }};
}

/// The output of `bundle_verify`.
pub type VerifyOut = Empty;

pub const BUNDLE_MAKE: Meta = Meta {
    section: "SPEC.md section 7",
    reqs: &[],
    summary: "build, sign and encode the bundle offering the given prekeys",
    errors: &[
        (ErrorKind::InvalidHandle, "the handle does not parse"),
        (ErrorKind::Malformed, "`pqpk_kind` is not 1 or 2"),
    ],
    cases,
};

pub const BUNDLE_DECODE: Meta = Meta {
    section: "SPEC.md sections 7 and 4",
    reqs: &["REQ-BUNDLE-001", "REQ-ENC-001", "REQ-ENC-003"],
    summary: "decode a bundle strictly, field by field, without verifying it",
    errors: &[
        (
            ErrorKind::Malformed,
            "cut short, trailing bytes, wrong key tag, has_opk not 0/1, kind not 1/2",
        ),
        (
            ErrorKind::UnsupportedVersion,
            "a version byte (bundle's or identity's) is not 0x01",
        ),
        (
            ErrorKind::InvalidHandle,
            "the identity's handle is not canonical",
        ),
    ],
    cases,
};

pub const BUNDLE_VERIFY: Meta = Meta {
    section: "SPEC.md section 7",
    reqs: &["REQ-BUNDLE-002", "REQ-ID-001", "REQ-SUITE-002", "REQ-SUITE-003"],
    summary: "decode, then verify in order: binding, spk_sig, pqpk_sig, PQPK modulus check (empty output on success)",
    errors: &[
        (ErrorKind::Malformed, "as `bundle_decode`"),
        (ErrorKind::UnsupportedVersion, "as `bundle_decode`"),
        (ErrorKind::InvalidHandle, "as `bundle_decode`"),
        (
            ErrorKind::InvalidSignature,
            "the binding, spk_sig or pqpk_sig fails",
        ),
        (
            ErrorKind::InvalidKey,
            "PQPK fails the FIPS 203 section 7.2 modulus check",
        ),
    ],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "bundle_make" => {
            c.add("with-opk-one-time-pq", store(&g.sub("a"), b"bob", true, 1));
            c.add("no-opk-last-resort", store(&g.sub("b"), b"Bob", false, 2));
            c.add("no-opk-one-time-pq", store(&g.sub("c"), b"b_0", false, 1));
            c.add("invalid-handle", store(&g.sub("d"), b"bob!", false, 1));
            c.add("pq-kind-3", store(&g.sub("e"), b"bob", false, 3));
        }
        "bundle_decode" | "bundle_verify" => bundles(c, op, g),
        _ => {}
    }
    cases.0
}

fn bundles(c: &mut Cases, op: &str, g: &Gen) {
    let with_opk = store(&g.sub("opk"), b"bob", true, 1);
    let no_opk = store(&g.sub("no-opk"), b"bob", false, 2);
    let b1 = make_bundle(&with_opk);
    let b2 = make_bundle(&no_opk);
    c.add("valid-with-opk", json!({"bundle": hx(&b1)}));
    c.add("valid-without-opk", json!({"bundle": hx(&b2)}));
    // Offsets (SPEC.md 7): 0 version, 1..148 identity, 148 spk_id, 152 EncX(SPK),
    // 185 spk_sig, 249 has_opk, 250 opk_id, 254 EncX(OPK), then pqpk.
    if op == "bundle_verify" {
        c.add("binding-flipped", json!({"bundle": hx(&flip(&b1, 147))}));
        c.add("spk-sig-flipped", json!({"bundle": hx(&flip(&b1, 200))}));
        c.add("spk-changed", json!({"bundle": hx(&flip(&b1, 160))}));
        c.add("spk-id-changed", json!({"bundle": hx(&flip(&b1, 151))}));
        c.add(
            "pqpk-sig-flipped",
            json!({"bundle": hx(&flip(&b1, b1.len() - 1))}),
        );
        c.add(
            "pqpk-kind-changed",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[254] = 1; b })}),
        );
        c.add(
            "opk-changed-is-unsigned",
            json!({"bundle": hx(&flip(&b1, 260))}),
        );
        let bad_key = resigned(&no_opk, |b| {
            b.pqpk[0] = 0xff;
            b.pqpk[1] |= 0x0f;
        });
        c.add("pqpk-fails-modulus-check", json!({"bundle": hx(&bad_key)}));
    } else {
        c.add(
            "pq-kind-3",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[254] = 3; b })}),
        );
        c.add(
            "has-opk-2",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[249] = 2; b })}),
        );
        c.add(
            "has-opk-1-without-opk",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[249] = 1; b })}),
        );
        c.add(
            "spk-tag-wrong",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[152] = 2; b })}),
        );
        c.add(
            "pqpk-tag-wrong",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[255] = 1; b })}),
        );
    }
    c.add("empty", json!({"bundle": ""}));
    c.add("cut-short", json!({"bundle": hx(&b1[..b1.len() - 1])}));
    c.add(
        "trailing-byte",
        json!({"bundle": hx(&[b2.clone(), vec![0]].concat())}),
    );
    c.add(
        "version-2",
        json!({"bundle": hx(&{ let mut b = b1.clone(); b[0] = 2; b })}),
    );
    c.add(
        "identity-version-2",
        json!({"bundle": hx(&{ let mut b = b1.clone(); b[1] = 2; b })}),
    );
    c.add(
        "handle-uppercase",
        json!({"bundle": hx(&{ let mut b = b1.clone(); b[3] = b'B'; b })}),
    );
}
