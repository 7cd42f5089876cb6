//! AES (FIPS 197), AES-CTR (SP 800-38A) and AES-GCM (SP 800-38D), the
//! primitives of SFrame (SPEC.md section 3.3).

use serde_json::{json, Value};

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};

wire! {
    /// The input of `aes_encrypt_block`.
    pub struct BlockIn {
        key: Hex = "hex, 16 bytes (AES-128) or 32 bytes (AES-256)",
        block: Hex = "hex, 16 bytes: the plaintext block",
    }
}

wire! {
    /// The output of `aes_encrypt_block`.
    pub struct BlockOut {
        ciphertext: Hex = "hex, 16 bytes",
    }
}

wire! {
    /// The input of `aes_ctr`.
    pub struct CtrIn {
        key: Hex = "hex, 16 or 32 bytes",
        icb: Hex = "hex, 16 bytes: the initial counter block (its last 4 bytes are the big-endian 32-bit counter)",
        input: Hex = "hex: plaintext or ciphertext",
    }
}

wire! {
    /// The output of `aes_ctr`.
    pub struct CtrOut {
        output: Hex = "hex: `input` XOR the keystream, same length",
    }
}

wire! {
    /// The input of `aes_gcm_seal`.
    pub struct GcmSealIn {
        key: Hex = "hex, 16 or 32 bytes",
        iv: Hex = "hex, at least 1 byte (SFrame uses 12)",
        aad: Hex = "hex: associated data",
        plaintext: Hex = "hex",
    }
}

wire! {
    /// The input of `aes_gcm_open`.
    pub struct GcmOpenIn {
        key: Hex = "hex, 16 or 32 bytes",
        iv: Hex = "hex, at least 1 byte (SFrame uses 12)",
        aad: Hex = "hex: associated data",
        sealed: Hex = "hex: ciphertext followed by the 16-byte tag",
    }
}

wire! {
    /// The output of `aes_gcm_seal`.
    pub struct GcmSealed {
        sealed: Hex = "hex: ciphertext followed by the 16-byte tag",
    }
}

wire! {
    /// The output of `aes_gcm_open`.
    pub struct GcmOpened {
        plaintext: Hex = "hex",
    }
}

pub const AES_ENCRYPT_BLOCK: Meta = Meta {
    section: "FIPS 197 sections 5.1-5.2; SPEC.md section 3.3",
    reqs: &[],
    summary: "AES-128 or AES-256 encryption of one block (by the key's length)",
    errors: &[(
        ErrorKind::InvalidLength,
        "`key` is neither 16 nor 32 bytes (AES-192 is not used), or `block` is not 16 bytes",
    )],
    cases,
};

pub const AES_CTR: Meta = Meta {
    section: "SP 800-38A section 6.5 with inc32 (SP 800-38D section 6.2); SPEC.md section 3.3",
    reqs: &[],
    summary: "AES-CTR from the counter block `icb` (encryption and decryption are the same)",
    errors: &[(
        ErrorKind::InvalidLength,
        "`key` is neither 16 nor 32 bytes, `icb` is not 16 bytes, or `input` needs more than 2^32 - c blocks (c: the counter field of `icb`), i.e. the counter would wrap",
    )],
    cases,
};

pub const AES_GCM_SEAL: Meta = Meta {
    section: "SP 800-38D section 7.1 (128-bit tag); SPEC.md section 3.3",
    reqs: &[],
    summary: "AES-GCM encryption: ciphertext || tag",
    errors: &[(
        ErrorKind::InvalidLength,
        "`key` is neither 16 nor 32 bytes, or `iv` is empty",
    )],
    cases,
};

pub const AES_GCM_OPEN: Meta = Meta {
    section: "SP 800-38D section 7.2 (128-bit tag); SPEC.md section 3.3",
    reqs: &[],
    summary: "AES-GCM decryption",
    errors: &[
        (
            ErrorKind::InvalidLength,
            "`key` is neither 16 nor 32 bytes, `iv` is empty, or `sealed` is shorter than 16 bytes",
        ),
        (ErrorKind::AuthenticationFailed, "the tag does not verify"),
    ],
    cases,
};

/// FIPS 197 Appendix C: the example plaintext and the AES-256 key (the
/// AES-128 key is its first 16 bytes).
const FIPS197_BLOCK: &str = "00112233445566778899aabbccddeeff";
const FIPS197_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "aes_encrypt_block" => block(c, g),
        "aes_ctr" => ctr(c, g),
        "aes_gcm_seal" => gcm_seal(c, g),
        "aes_gcm_open" => gcm_open(c, g),
        _ => {}
    }
    cases.0
}

fn block(c: &mut Cases, g: &Gen) {
    c.add(
        "fips197-c1-aes128",
        json!({"key": &FIPS197_KEY[..32], "block": FIPS197_BLOCK}),
    );
    c.add(
        "fips197-c3-aes256",
        json!({"key": FIPS197_KEY, "block": FIPS197_BLOCK}),
    );
    for klen in [16, 32] {
        for i in 0..2 {
            c.add(
                format!("key-{klen}-{i}"),
                json!({"key": hx(&g.bytes(&format!("k{klen}-{i}"), klen)), "block": hx(&g.bytes(&format!("b{klen}-{i}"), 16))}),
            );
        }
    }
    c.add(
        "zero-key-zero-block",
        json!({"key": hx(&[0; 16]), "block": hx(&[0; 16])}),
    );
    let b = hx(&g.bytes("block", 16));
    for klen in [0, 15, 24, 33] {
        c.add(
            format!("key-{klen}-bytes"),
            json!({"key": hx(&g.bytes("bad key", klen)), "block": b}),
        );
    }
    let k = hx(&g.bytes("key", 16));
    for blen in [0, 15, 17] {
        c.add(
            format!("block-{blen}-bytes"),
            json!({"key": k, "block": hx(&g.bytes("bad block", blen))}),
        );
    }
}

/// An initial counter block: 12 bytes from `g` and the counter field `c`.
fn icb(g: &Gen, label: &str, c: u32) -> Value {
    let mut b = g.bytes(label, 12);
    b.extend_from_slice(&c.to_be_bytes());
    hx(&b)
}

fn ctr(c: &mut Cases, g: &Gen) {
    for klen in [16, 32] {
        for n in [0, 1, 16, 33] {
            c.add(
                format!("key-{klen}-input-{n}"),
                json!({"key": hx(&g.bytes(&format!("k{klen}"), klen)), "icb": icb(g, &format!("icb{klen}-{n}"), 1), "input": hx(&g.bytes(&format!("x{n}"), n))}),
            );
        }
    }
    let k = hx(&g.bytes("key", 16));
    let at = |field: u32, n: usize| json!({"key": k, "icb": icb(g, "icb", field), "input": hx(&g.bytes(&format!("x{n}"), n))});
    // The last counter values: 2^32 - c blocks are allowed, one byte more
    // is not (the counter would wrap to 0).
    c.add("counter-ffffffff-empty", at(u32::MAX, 0));
    c.add("counter-ffffffff-16-bytes", at(u32::MAX, 16));
    c.add("counter-ffffffff-17-bytes", at(u32::MAX, 17));
    c.add("counter-fffffffe-32-bytes", at(u32::MAX - 1, 32));
    c.add("counter-fffffffe-33-bytes", at(u32::MAX - 1, 33));
    c.add("counter-random", at(g.below("counter", 1 << 31) as u32, 40));
    let ok = at(0, 20);
    for klen in [0, 24, 31] {
        c.add(
            format!("key-{klen}-bytes"),
            with(&ok, "key", hx(&g.bytes("bad key", klen))),
        );
    }
    c.add("icb-15-bytes", with(&ok, "icb", hx(&g.bytes("icb15", 15))));
    c.add("icb-12-bytes", with(&ok, "icb", hx(&g.bytes("icb12", 12))));
}

/// The `(aad, plaintext)` lengths of the GCM cases.
const GCM_SIZES: [(usize, usize); 4] = [(0, 0), (0, 1), (13, 16), (20, 45)];

/// The `aes_gcm_seal` input under `label`: a key of `klen` bytes, an IV of
/// `ivlen`, `alen` bytes of associated data and `m` of plaintext.
fn seal_in(g: &Gen, label: &str, klen: usize, ivlen: usize, alen: usize, m: usize) -> Value {
    json!({
        "key": hx(&g.bytes(&format!("key {label}"), klen)),
        "iv": hx(&g.bytes(&format!("iv {label}"), ivlen)),
        "aad": hx(&g.bytes(&format!("aad {label}"), alen)),
        "plaintext": hx(&g.bytes(&format!("plaintext {label}"), m)),
    })
}

/// The `aes_gcm_open` input of the message `seal_in` describes (sealed by
/// the spec), and the sealed bytes.
fn open_in(seal_in: &Value) -> (Value, Vec<u8>) {
    let sealed = out("aes_gcm_seal", seal_in)
        .bytes("sealed")
        .expect("sealed");
    let mut o = seal_in.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("plaintext");
    }
    (with(&o, "sealed", hx(&sealed)), sealed)
}

fn gcm_seal(c: &mut Cases, g: &Gen) {
    for klen in [16, 32] {
        for (a, m) in GCM_SIZES {
            let id = format!("key-{klen}-aad-{a}-plaintext-{m}");
            c.add(&id, seal_in(g, &id, klen, 12, a, m));
        }
    }
    // IVs of other lengths than 96 bits (J_0 from GHASH); SFrame never
    // uses them.
    for ivlen in [1, 8, 16, 60] {
        let id = format!("iv-{ivlen}-bytes");
        c.add(&id, seal_in(g, &id, 16, ivlen, 7, 20));
    }
    let ok = seal_in(g, "base", 16, 12, 5, 9);
    c.add("iv-empty", with(&ok, "iv", json!("")));
    for klen in [0, 24, 33] {
        c.add(
            format!("key-{klen}-bytes"),
            with(&ok, "key", hx(&g.bytes("bad key", klen))),
        );
    }
}

fn gcm_open(c: &mut Cases, g: &Gen) {
    for klen in [16, 32] {
        for (a, m) in GCM_SIZES {
            let id = format!("key-{klen}-aad-{a}-plaintext-{m}");
            c.add(&id, open_in(&seal_in(g, &id, klen, 12, a, m)).0);
        }
    }
    for ivlen in [1, 8, 60] {
        let id = format!("iv-{ivlen}-bytes");
        c.add(&id, open_in(&seal_in(g, &id, 32, ivlen, 7, 20)).0);
    }
    for klen in [16, 32] {
        let input = seal_in(g, &format!("base {klen}"), klen, 12, 9, 30);
        let (base, s) = open_in(&input);
        let field = |f: &str| input.as_object().and_then(|o| o.bytes(f)).expect(f);
        let n = s.len();
        let id = |what: &str| format!("key-{klen}-{what}");
        c.add(
            id("tag-flipped"),
            with(&base, "sealed", hx(&flip(&s, n - 1))),
        );
        c.add(
            id("ciphertext-flipped"),
            with(&base, "sealed", hx(&flip(&s, 0))),
        );
        c.add(
            id("aad-flipped"),
            with(&base, "aad", hx(&flip(&field("aad"), 0))),
        );
        c.add(
            id("iv-flipped"),
            with(&base, "iv", hx(&flip(&field("iv"), 11))),
        );
        c.add(
            id("wrong-key"),
            with(&base, "key", hx(&g.bytes("other key", klen))),
        );
        c.add(id("truncated"), with(&base, "sealed", hx(&s[..n - 1])));
    }
    let (base, s) = open_in(&seal_in(g, "short", 16, 12, 0, 3));
    c.add("sealed-16-bytes-of-19", with(&base, "sealed", hx(&s[..16])));
    c.add("sealed-15-bytes", with(&base, "sealed", hx(&s[..15])));
    c.add("sealed-empty", with(&base, "sealed", json!("")));
    c.add("iv-empty", with(&base, "iv", json!("")));
    c.add(
        "key-24-bytes",
        with(&base, "key", hx(&g.bytes("bad key", 24))),
    );
}
