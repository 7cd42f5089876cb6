//! HMAC (RFC 2104) and HKDF (RFC 5869).

use serde_json::json;

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};

wire! {
    /// The input of HMAC.
    pub struct HmacIn {
        key: Hex = "hex: key (any length)",
        msg: Hex = "hex: message",
    }
}

wire! {
    /// An HMAC-SHA-256 tag.
    pub struct Tag32 {
        tag: Hex = "hex, 32 bytes",
    }
}

wire! {
    /// An HMAC-SHA-512 tag.
    pub struct Tag64 {
        tag: Hex = "hex, 64 bytes",
    }
}

wire! {
    /// The input of HKDF-SHA-256.
    pub struct Hkdf256In {
        salt: Hex = "hex (empty: no salt, i.e. HashLen zeros)",
        ikm: Hex = "hex",
        info: Hex = "hex",
        len: u64 = "int: output length",
    }
}

wire! {
    /// The input of HKDF-SHA-512.
    pub struct Hkdf512In {
        salt: Hex = "hex (empty: no salt)",
        ikm: Hex = "hex",
        info: Hex = "hex",
        len: u64 = "int: output length",
    }
}

wire! {
    /// The output of HKDF.
    pub struct OkmOut {
        okm: Hex = "hex, `len` bytes",
    }
}

pub const HMAC_SHA256: Meta = Meta {
    section: "RFC 2104; SPEC.md section 3",
    reqs: &[],
    summary: "HMAC-SHA-256",
    errors: &[],
    cases,
};

pub const HMAC_SHA512: Meta = Meta {
    section: "RFC 2104",
    reqs: &[],
    summary: "HMAC-SHA-512",
    errors: &[],
    cases,
};

pub const HKDF_SHA256: Meta = Meta {
    section: "RFC 5869; SPEC.md section 3",
    reqs: &[],
    summary: "HKDF-SHA-256 extract then expand",
    errors: &[(ErrorKind::InvalidLength, "`len` > 255 * 32")],
    cases,
};

pub const HKDF_SHA512: Meta = Meta {
    section: "RFC 5869",
    reqs: &[],
    summary: "HKDF-SHA-512 extract then expand",
    errors: &[(ErrorKind::InvalidLength, "`len` > 255 * 64")],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "hmac_sha256" | "hmac_sha512" => {
            for (k, m) in [
                (0usize, 0usize),
                (1, 10),
                (20, 8),
                (32, 50),
                (63, 3),
                (64, 64),
                (65, 100),
                (127, 1),
                (128, 128),
                (129, 200),
                (200, 1000),
            ] {
                c.add(
                    format!("key-{k}-msg-{m}"),
                    json!({"key": hx(&g.bytes(&format!("key{k}"), k)), "msg": hx(&g.bytes(&format!("msg{m}"), m))}),
                );
            }
        }
        "hkdf_sha256" | "hkdf_sha512" => {
            let h = if op == "hkdf_sha256" { 32u64 } else { 64 };
            for (s, ikm, info, len) in [
                (0usize, 22usize, 0usize, 42u64),
                (13, 22, 10, 42),
                (32, 32, 30, 32),
                (80, 80, 80, 82),
                (64, 1, 5, 0),
                (16, 0, 0, 1),
                (32, 32, 17, h + 1),
                (10, 10, 10, 255 * h),
            ] {
                c.add(
                    format!("salt-{s}-ikm-{ikm}-info-{info}-len-{len}"),
                    json!({"salt": hx(&g.bytes(&format!("salt{s}"), s)), "ikm": hx(&g.bytes(&format!("ikm{ikm}"), ikm)), "info": hx(&g.bytes(&format!("info{info}"), info)), "len": len}),
                );
            }
            c.add(
                "len-too-long",
                json!({"salt": "", "ikm": hx(&g.bytes("ikm", 32)), "info": "", "len": 255 * h + 1}),
            );
        }
        _ => {}
    }
    cases.0
}
