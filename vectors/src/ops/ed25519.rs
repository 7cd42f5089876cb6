//! Ed25519 (RFC 8032) with the strict verification policy of SPEC.md 3.1.

use serde_json::json;

use super::build::*;
use super::{Meta, BAD_LEN};
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};
use xchat_spec::ed25519;

wire! {
    /// A seed.
    pub struct SeedIn {
        seed: Hex = "hex, 32 bytes",
    }
}

wire! {
    /// A public key.
    pub struct PublicOut {
        public: Hex = "hex, 32 bytes",
    }
}

wire! {
    /// The input of signing.
    pub struct SignIn {
        seed: Hex = "hex, 32 bytes",
        msg: Hex = "hex",
    }
}

wire! {
    /// A signature.
    pub struct SigOut {
        sig: Hex = "hex, 64 bytes: R || S",
    }
}

wire! {
    /// The input of verification.
    pub struct VerifyIn {
        public: Hex = "hex, 32 bytes",
        msg: Hex = "hex",
        sig: Hex = "hex, 64 bytes",
    }
}

wire! {
    /// The verdict of verification.
    pub struct ValidOut {
        valid: bool = "bool: accepted by the policy",
    }
}

pub const ED25519_PUBLIC: Meta = Meta {
    section: "RFC 8032 section 5.1.5",
    reqs: &[],
    summary: "public key of a seed",
    errors: &[BAD_LEN],
    cases,
};

pub const ED25519_SIGN: Meta = Meta {
    section: "RFC 8032 section 5.1.6",
    reqs: &[],
    summary: "signature",
    errors: &[BAD_LEN],
    cases,
};

pub const ED25519_VERIFY: Meta = Meta {
    section: "RFC 8032 section 5.1.7 with the strict policy of SPEC.md section 3.1",
    reqs: &["REQ-SUITE-003"],
    summary:
        "verification: S < L, canonical A and R, neither of small order, cofactorless equation",
    errors: &[(
        ErrorKind::InvalidLength,
        "`public` not 32 bytes or `sig` not 64 bytes",
    )],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "ed25519_public" => {
            for i in 0..4 {
                c.add(
                    format!("random-{i}"),
                    json!({"seed": hx(&g.bytes(&format!("seed{i}"), 32))}),
                );
            }
            c.add("seed-zero", json!({"seed": hx(&[0u8; 32])}));
            c.add("seed-ones", json!({"seed": hx(&[0xffu8; 32])}));
            c.add("seed-31-bytes", json!({"seed": hx(&g.bytes("short", 31))}));
        }
        "ed25519_sign" => {
            for n in [0usize, 1, 32, 64, 200, 1023] {
                c.add(format!("msg-{n}"), json!({"seed": hx(&g.bytes(&format!("seed{n}"), 32)), "msg": hx(&g.bytes(&format!("msg{n}"), n))}));
            }
            c.add(
                "seed-33-bytes",
                json!({"seed": hx(&g.bytes("long", 33)), "msg": ""}),
            );
        }
        "ed25519_verify" => ed25519_verify(c, g),
        _ => {}
    }
    cases.0
}

fn ed25519_verify(c: &mut Cases, g: &Gen) {
    let seed: [u8; 32] = g.arr("seed");
    let public = ed25519::public_key(&seed);
    let msg = g.bytes("msg", 50);
    let sig = ed25519::sign(&seed, &msg);
    let base = json!({"public": hx(&public), "msg": hx(&msg), "sig": hx(&sig)});
    c.add("valid", base.clone());
    c.add(
        "valid-empty-msg",
        json!({"public": hx(&public), "msg": "", "sig": hx(&ed25519::sign(&seed, &[]))}),
    );
    c.add("msg-changed", with(&base, "msg", hx(&flip(&msg, 0))));
    c.add("r-changed", with(&base, "sig", hx(&flip(&sig, 0))));
    c.add("s-changed", with(&base, "sig", hx(&flip(&sig, 32))));
    c.add(
        "other-public-key",
        with(&base, "public", hx(&ed25519::public_key(&g.arr("other")))),
    );
    // S + L: the same equation holds mod L, rejected by rule 1 (S < L).
    let mut s_plus_l = sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s_plus_l[32 + i]) + u16::from(xchat_spec::edwards25519::L[i]) + carry;
        s_plus_l[32 + i] = v as u8;
        carry = v >> 8;
    }
    c.add("s-plus-l-non-canonical", with(&base, "sig", hx(&s_plus_l)));
    // The identity point as public key (small order, rule 3) with S = 0 and
    // R = identity: the cofactorless equation holds, the policy rejects it.
    let mut identity_point = [0u8; 32];
    identity_point[0] = 1;
    let mut trivial = [0u8; 64];
    trivial[0] = 1;
    c.add(
        "small-order-a-and-r",
        json!({"public": hx(&identity_point), "msg": hx(&msg), "sig": hx(&trivial)}),
    );
    // y = p (non-canonical encoding of y = 0), rule 2.
    c.add("non-canonical-a", with(&base, "public", P_HEX.into()));
    let mut r_noncanon = sig;
    r_noncanon[..32].copy_from_slice(&h32(P_HEX));
    c.add("non-canonical-r", with(&base, "sig", hx(&r_noncanon)));
    c.add("sig-63-bytes", with(&base, "sig", hx(&sig[..63])));
    c.add("public-31-bytes", with(&base, "public", hx(&public[..31])));
}
