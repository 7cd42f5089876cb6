//! The hash ops: SHA-2, SHA-3 and SHAKE (FIPS 180-4, FIPS 202).

use serde_json::json;

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::Hex;

wire! {
    /// The input of the fixed-length hashes.
    pub struct MsgIn {
        msg: Hex = "hex: the message (any length)",
    }
}

wire! {
    /// A 32-byte digest.
    pub struct Digest32 {
        digest: Hex = "hex, 32 bytes",
    }
}

wire! {
    /// A 64-byte digest.
    pub struct Digest64 {
        digest: Hex = "hex, 64 bytes",
    }
}

wire! {
    /// The input of SHAKE.
    pub struct ShakeIn {
        msg: Hex = "hex: the message",
        len: u64 = "int: output length in bytes",
    }
}

wire! {
    /// The output of SHAKE.
    pub struct ShakeOut {
        out: Hex = "hex, `len` bytes",
    }
}

const fn hash(section: &'static str) -> Meta {
    Meta {
        section,
        reqs: &[],
        summary: "hash of a message",
        errors: &[],
        cases,
    }
}

const fn shake() -> Meta {
    Meta {
        section: "FIPS 202 section 6.2",
        reqs: &[],
        summary: "extendable-output function",
        errors: &[],
        cases,
    }
}

pub const SHA256: Meta = hash("FIPS 180-4 section 6.2");
pub const SHA512: Meta = hash("FIPS 180-4 section 6.4");
pub const SHA3_256: Meta = hash("FIPS 202 section 6.1");
pub const SHA3_512: Meta = hash("FIPS 202 section 6.1");
pub const SHAKE128: Meta = shake();
pub const SHAKE256: Meta = shake();

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "sha256" | "sha512" | "sha3_256" | "sha3_512" => {
            c.add("abc", json!({"msg": hx(b"abc")}));
            for n in [
                0usize, 1, 55, 56, 63, 64, 65, 71, 72, 73, 111, 112, 127, 128, 129, 135, 136, 137,
                1000,
            ] {
                c.add(
                    format!("len-{n}"),
                    json!({"msg": hx(&g.bytes(&format!("msg{n}"), n))}),
                );
            }
        }
        "shake128" | "shake256" => {
            for (n, len) in [
                (0usize, 0u64),
                (0, 32),
                (3, 1),
                (135, 64),
                (136, 136),
                (137, 168),
                (167, 169),
                (168, 200),
                (169, 500),
                (1000, 32),
            ] {
                c.add(
                    format!("msg-{n}-out-{len}"),
                    json!({"msg": hx(&g.bytes(&format!("msg{n}"), n)), "len": len}),
                );
            }
        }
        _ => {}
    }
    cases.0
}
