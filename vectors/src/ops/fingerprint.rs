//! Fingerprints and safety numbers (SPEC.md section 14).

use serde_json::json;

use super::build::*;
use super::identity::DECODE_ERRORS;
use super::Meta;
use crate::gen::Gen;
use crate::wire::Hex;

wire! {
    /// The input of `fingerprint`.
    pub struct FingerprintIn {
        identity: Hex = "hex: EncIdentity (decoded strictly, binding not verified)",
    }
}

wire! {
    /// A fingerprint.
    pub struct FingerprintOut {
        fingerprint: String = "text: 30 ASCII digits",
    }
}

wire! {
    /// The input of `safety_number`.
    pub struct SafetyIn {
        a: Hex = "hex: EncIdentity",
        b: Hex = "hex: EncIdentity",
    }
}

wire! {
    /// A safety number.
    pub struct SafetyOut {
        safety_number: String = "text: 60 ASCII digits",
    }
}

pub const FINGERPRINT: Meta = Meta {
    section: "SPEC.md section 14",
    reqs: &["REQ-FP-001"],
    summary: "the 30-digit fingerprint of an identity (5200 iterations)",
    errors: &DECODE_ERRORS,
    cases: super::identity::cases,
};

pub const SAFETY_NUMBER: Meta = Meta {
    section: "SPEC.md section 14",
    reqs: &["REQ-FP-001"],
    summary: "the two fingerprints, the smaller first",
    errors: &DECODE_ERRORS,
    cases,
};

/// The inputs of the op's vectors under `g` (the family's only case builder).
pub fn cases(_: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    let (_, a) = ident(g, b"alice", "alice");
    let (_, b) = ident(g, b"bob", "bob");
    c.add("alice-bob", json!({"a": hx(&a), "b": hx(&b)}));
    c.add("bob-alice-same-number", json!({"a": hx(&b), "b": hx(&a)}));
    c.add("same-identity", json!({"a": hx(&a), "b": hx(&a)}));
    let (_, a2) = ident(g, b"alice", "alice 2");
    c.add("alice-new-keys", json!({"a": hx(&a2), "b": hx(&b)}));
    c.add("malformed", json!({"a": hx(&a[..146]), "b": hx(&b)}));
    c.add(
        "unsupported-version",
        json!({"a": hx(&a), "b": hx(&[&[2u8][..], &b[1..]].concat())}),
    );
    let mut h = a.clone();
    h[1] = 0;
    c.add("invalid-handle", json!({"a": hx(&h), "b": hx(&b)}));
    cases.0
}
