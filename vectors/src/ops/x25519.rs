//! The raw X25519 function (RFC 7748).

use serde_json::json;

use super::build::*;
use super::{Meta, BAD_LEN};
use crate::gen::Gen;
use crate::wire::Hex;
use xchat_spec::suite::public_key;
use xchat_spec::x25519;

wire! {
    /// The input of X25519.
    pub struct X25519In {
        scalar: Hex = "hex, 32 bytes",
        u: Hex = "hex, 32 bytes: u-coordinate",
    }
}

wire! {
    /// The output of X25519.
    pub struct SharedOut {
        shared: Hex = "hex, 32 bytes",
    }
}

pub const X25519: Meta = Meta {
    section: "RFC 7748 section 5; SPEC.md section 3",
    reqs: &[],
    summary: "the raw X25519 function (clamping, bit 255 of u masked, no all-zero check: that is the protocol's)",
    errors: &[BAD_LEN],
    cases,
};

/// The inputs of the op's vectors under `g` (the family's only case builder).
pub fn cases(_: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    for i in 0..4 {
        c.add(format!("random-{i}"), json!({"scalar": hx(&g.bytes(&format!("s{i}"), 32)), "u": hx(&g.bytes(&format!("u{i}"), 32))}));
    }
    let s = g.bytes("scalar", 32);
    let mut u = public_key(&g.arr("peer"));
    c.add("public-key", json!({"scalar": hx(&s), "u": hx(&u)}));
    u[31] |= 0x80;
    c.add(
        "u-bit-255-set-is-masked",
        json!({"scalar": hx(&s), "u": hx(&u)}),
    );
    c.add(
        "base-point",
        json!({"scalar": hx(&s), "u": hx(&x25519::BASE_POINT)}),
    );
    c.add(
        "scalar-zero-is-clamped",
        json!({"scalar": hx(&[0u8; 32]), "u": hx(&x25519::BASE_POINT)}),
    );
    c.add(
        "scalar-ones-is-clamped",
        json!({"scalar": hx(&[0xffu8; 32]), "u": hx(&x25519::BASE_POINT)}),
    );
    c.add(
        "u-zero-gives-zero",
        json!({"scalar": hx(&s), "u": hx(&[0u8; 32])}),
    );
    c.add(
        "u-order-8-gives-zero",
        json!({"scalar": hx(&s), "u": ORDER8_HEX}),
    );
    c.add(
        "u-equals-p-non-canonical",
        json!({"scalar": hx(&s), "u": P_HEX}),
    );
    c.add(
        "u-on-twist",
        json!({"scalar": hx(&s), "u": hx(&{ let mut t = [0u8; 32]; t[0] = 2; t })}),
    );
    c.add(
        "scalar-31-bytes",
        json!({"scalar": hx(&s[..31]), "u": hx(&x25519::BASE_POINT)}),
    );
    c.add("u-33-bytes", json!({"scalar": hx(&s), "u": hx(&[9u8; 33])}));
    cases.0
}
