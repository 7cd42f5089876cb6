//! The AEADs: ChaCha20-Poly1305 (RFC 8439) and XChaCha20-Poly1305.

use serde_json::json;

use super::build::*;
use super::{Meta, BAD_LEN};
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};
use xchat_spec::{chacha20poly1305, xchacha20poly1305};

wire! {
    /// The input of ChaCha20-Poly1305 sealing.
    pub struct SealIn {
        key: Hex = "hex, 32 bytes",
        nonce: Hex = "hex, 12 bytes",
        aad: Hex = "hex: associated data",
        msg: Hex = "hex: plaintext",
    }
}

wire! {
    /// The input of ChaCha20-Poly1305 opening.
    pub struct OpenIn {
        key: Hex = "hex, 32 bytes",
        nonce: Hex = "hex, 12 bytes",
        aad: Hex = "hex: associated data",
        ct: Hex = "hex: ciphertext followed by the 16-byte tag",
    }
}

wire! {
    /// The input of XChaCha20-Poly1305 sealing.
    pub struct XSealIn {
        key: Hex = "hex, 32 bytes",
        nonce: Hex = "hex, 24 bytes",
        aad: Hex = "hex: associated data",
        msg: Hex = "hex: plaintext",
    }
}

wire! {
    /// The input of XChaCha20-Poly1305 opening.
    pub struct XOpenIn {
        key: Hex = "hex, 32 bytes",
        nonce: Hex = "hex, 24 bytes",
        aad: Hex = "hex: associated data",
        ct: Hex = "hex: ciphertext followed by the 16-byte tag",
    }
}

wire! {
    /// A sealed message.
    pub struct CtOut {
        ct: Hex = "hex: ciphertext followed by the 16-byte tag",
    }
}

wire! {
    /// An opened message.
    pub struct MsgOut {
        msg: Hex = "hex: plaintext",
    }
}

const CHACHA: &str = "RFC 8439 section 2.8; SPEC.md section 3";
const XCHACHA: &str = "draft-irtf-cfrg-xchacha-03 section 2; SPEC.md section 3";

const fn seal(section: &'static str) -> Meta {
    Meta {
        section,
        reqs: &[],
        summary: "AEAD encryption",
        errors: &[BAD_LEN],
        cases,
    }
}

const fn open(section: &'static str) -> Meta {
    Meta {
        section,
        reqs: &[],
        summary: "AEAD decryption",
        errors: &[
            (
                ErrorKind::InvalidLength,
                "key or nonce of another length, or `ct` shorter than 16 bytes",
            ),
            (ErrorKind::AuthenticationFailed, "the tag does not verify"),
        ],
        cases,
    }
}

pub const CHACHA20POLY1305_SEAL: Meta = seal(CHACHA);
pub const CHACHA20POLY1305_OPEN: Meta = open(CHACHA);
pub const XCHACHA20POLY1305_SEAL: Meta = seal(XCHACHA);
pub const XCHACHA20POLY1305_OPEN: Meta = open(XCHACHA);

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "chacha20poly1305_seal"
        | "xchacha20poly1305_seal"
        | "chacha20poly1305_open"
        | "xchacha20poly1305_open" => aead(c, op, g),
        _ => {}
    }
    cases.0
}

fn aead(c: &mut Cases, op: &str, g: &Gen) {
    let x = op.starts_with('x');
    let nlen = if x { 24 } else { 12 };
    let seal = |k: &[u8], n: &[u8], a: &[u8], m: &[u8]| -> Vec<u8> {
        if x {
            xchacha20poly1305::seal(&k.try_into().unwrap(), &n.try_into().unwrap(), a, m)
        } else {
            chacha20poly1305::seal(&k.try_into().unwrap(), &n.try_into().unwrap(), a, m)
        }
    };
    let sizes = [
        (0usize, 0usize),
        (0, 1),
        (12, 63),
        (0, 64),
        (5, 65),
        (32, 129),
        (100, 300),
    ];
    if op.ends_with("seal") {
        for (a, m) in sizes {
            c.add(
                format!("aad-{a}-msg-{m}"),
                json!({"key": hx(&g.bytes(&format!("k{a}-{m}"), 32)), "nonce": hx(&g.bytes(&format!("n{a}-{m}"), nlen)), "aad": hx(&g.bytes(&format!("a{a}"), a)), "msg": hx(&g.bytes(&format!("m{m}"), m))}),
            );
        }
        c.add("key-31-bytes", json!({"key": hx(&g.bytes("k", 31)), "nonce": hx(&g.bytes("n", nlen)), "aad": "", "msg": "00"}));
        c.add("nonce-wrong-length", json!({"key": hx(&g.bytes("k", 32)), "nonce": hx(&g.bytes("n", nlen - 1)), "aad": "", "msg": "00"}));
        return;
    }
    let (k, n) = (g.bytes("key", 32), g.bytes("nonce", nlen));
    for (a, m) in sizes {
        let (aad, msg) = (g.bytes(&format!("a{a}"), a), g.bytes(&format!("m{m}"), m));
        c.add(format!("aad-{a}-msg-{m}"), json!({"key": hx(&k), "nonce": hx(&n), "aad": hx(&aad), "ct": hx(&seal(&k, &n, &aad, &msg))}));
    }
    let (aad, msg) = (g.bytes("aad", 9), g.bytes("msg", 40));
    let ct = seal(&k, &n, &aad, &msg);
    let base = json!({"key": hx(&k), "nonce": hx(&n), "aad": hx(&aad), "ct": hx(&ct)});
    c.add("valid", base.clone());
    c.add(
        "tag-flipped",
        with(&base, "ct", hx(&flip(&ct, ct.len() - 1))),
    );
    c.add("ciphertext-flipped", with(&base, "ct", hx(&flip(&ct, 0))));
    c.add("aad-flipped", with(&base, "aad", hx(&flip(&aad, 0))));
    c.add("nonce-flipped", with(&base, "nonce", hx(&flip(&n, 0))));
    c.add(
        "wrong-key",
        with(&base, "key", hx(&g.bytes("other key", 32))),
    );
    c.add("truncated", with(&base, "ct", hx(&ct[..ct.len() - 1])));
    c.add("ct-15-bytes", with(&base, "ct", hx(&ct[..15])));
    c.add("ct-empty", with(&base, "ct", json!("")));
    c.add("key-33-bytes", with(&base, "key", hx(&g.bytes("k33", 33))));
}
