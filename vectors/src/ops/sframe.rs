//! SFrame (RFC 9605 section 4; SPEC.md section 3.3): the header, the key
//! schedule, and encryption and decryption for the cipher suites 1-8.
//!
//! A suite is given by its registry value (RFC 9605 section 8.1). A value
//! that is not one of the suites 1-8 is `Malformed`, checked first: the
//! suite is an input like a header byte, and SPEC.md section 3.3 adds no
//! error kind for SFrame.

use serde_json::{json, Value};

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{Error, ErrorKind, Hex};
use xchat_spec::sframe::CipherSuite;

wire! {
    /// The values of an SFrame header.
    pub struct HeaderFields {
        kid: u64 = "int (u64): KID",
        ctr: u64 = "int (u64): CTR",
    }
}

wire! {
    /// The output of `sframe_header_encode`.
    pub struct HeaderOut {
        header: Hex = "hex, 1 to 17 bytes: the minimal encoding",
    }
}

wire! {
    /// The input of `sframe_header_decode`.
    pub struct DecodeIn {
        data: Hex = "hex: an SFrame ciphertext (or any bytes) starting with the header",
    }
}

wire! {
    /// The output of `sframe_header_decode`.
    pub struct DecodeOut {
        kid: u64 = "int: KID",
        ctr: u64 = "int: CTR",
        header_len: u64 = "int: the header's length in bytes (the ciphertext follows it)",
    }
}

wire! {
    /// The input of `sframe_derive`.
    pub struct DeriveIn {
        suite: u16 = "int (u16): cipher suite (registry value, 1-8)",
        kid: u64 = "int (u64): KID",
        base_key: Hex = "hex (any length)",
    }
}

wire! {
    /// The output of `sframe_derive`.
    pub struct DeriveOut {
        sframe_secret: Hex = "hex, Nh bytes: HKDF-Extract(\"\", base_key)",
        sframe_key: Hex = "hex, AEAD.Nk bytes",
        sframe_salt: Hex = "hex, 12 bytes",
    }
}

wire! {
    /// The suite, key and salt of an SFrame encryption or decryption.
    pub struct SuiteKey {
        suite: u16 = "int (u16): cipher suite (registry value, 1-8)",
        sframe_key: Hex = "hex, the suite's AEAD.Nk bytes (16, 32, 48 or 96)",
        sframe_salt: Hex = "hex, 12 bytes",
    }
}

wire! {
    /// The input of `sframe_encrypt`.
    pub struct EncryptIn {
        ..key: SuiteKey,
        kid: u64 = "int (u64): KID",
        ctr: u64 = "int (u64): CTR",
        metadata: Hex = "hex: authenticated, not sent",
        plaintext: Hex = "hex",
    }
}

wire! {
    /// The output of `sframe_encrypt`.
    pub struct EncryptOut {
        ciphertext: Hex = "hex: header || encrypted plaintext || tag (AEAD.Nt bytes)",
    }
}

wire! {
    /// The input of `sframe_decrypt`.
    pub struct DecryptIn {
        ..key: SuiteKey,
        metadata: Hex = "hex",
        ciphertext: Hex = "hex: an SFrame ciphertext",
    }
}

wire! {
    /// The output of `sframe_decrypt`.
    pub struct DecryptOut {
        kid: u64 = "int: KID of the header",
        ctr: u64 = "int: CTR of the header",
        plaintext: Hex = "hex",
    }
}

/// The error of a suite number other than 1-8.
const BAD_SUITE: &str = "`suite` is not 1-8 (checked first)";

pub const SFRAME_HEADER_ENCODE: Meta = Meta {
    section: "RFC 9605 section 4.3; SPEC.md section 3.3",
    reqs: &[],
    summary: "the SFrame header of (KID, CTR): config byte, then KID and CTR in the minimum number of bytes",
    errors: &[],
    cases,
};

pub const SFRAME_HEADER_DECODE: Meta = Meta {
    section: "RFC 9605 section 4.3; SPEC.md section 3.3 (strict decoding)",
    reqs: &[],
    summary: "strict decoding of the header at the start of `data`",
    errors: &[(
        ErrorKind::Malformed,
        "`data` is empty or ends inside the header, or an extended KID or CTR is not minimal (one byte below 8, or a leading zero byte)",
    )],
    cases,
};

pub const SFRAME_DERIVE: Meta = Meta {
    section: "RFC 9605 section 4.4.2; SPEC.md section 3.3",
    reqs: &[],
    summary: "the key schedule of one KID: sframe_secret, sframe_key, sframe_salt",
    errors: &[(ErrorKind::Malformed, BAD_SUITE)],
    cases,
};

pub const SFRAME_ENCRYPT: Meta = Meta {
    section: "RFC 9605 sections 4.4.3 and 4.5; SPEC.md section 3.3",
    reqs: &[],
    summary:
        "header || AEAD.Encrypt(sframe_key, sframe_salt XOR CTR, header || metadata, plaintext)",
    errors: &[
        (ErrorKind::Malformed, BAD_SUITE),
        (
            ErrorKind::InvalidLength,
            "`sframe_salt` is not 12 bytes or `sframe_key` not the suite's AEAD.Nk bytes",
        ),
    ],
    cases,
};

pub const SFRAME_DECRYPT: Meta = Meta {
    section: "RFC 9605 sections 4.4.4 and 4.5; SPEC.md section 3.3",
    reqs: &[],
    summary: "strict header decoding, then AEAD.Decrypt with AAD header || metadata",
    errors: &[
        (
            ErrorKind::Malformed,
            "`suite` is not 1-8 (checked first); after the key lengths: the header is malformed (as `sframe_header_decode`) or the rest is shorter than the suite's tag",
        ),
        (
            ErrorKind::InvalidLength,
            "`sframe_salt` is not 12 bytes or `sframe_key` not the suite's AEAD.Nk bytes",
        ),
        (ErrorKind::AuthenticationFailed, "the tag does not verify"),
    ],
    cases,
};

/// The suite with registry value `id`, by the implementation's own
/// `from_id`; `Malformed` if it has none (the one place both adapters
/// decide that kind, identically).
pub fn suite<S>(id: u16, from_id: fn(u16) -> Option<S>) -> Result<S, Error> {
    from_id(id).ok_or(Error::Kind(ErrorKind::Malformed))
}

/// The registry values of the supported suites.
const SUITES: std::ops::RangeInclusive<u16> = 1..=8;

/// Suite numbers that are not supported: reserved, unassigned, private use.
const UNKNOWN_SUITES: [u16; 3] = [0, 9, 0xffff];

/// KID and CTR values at every boundary of the header encoding: in the
/// config byte (0-7), one extension byte (8-255), then each next length.
const BOUNDARIES: [u64; 10] = [
    0,
    7,
    8,
    255,
    256,
    (1 << 16) - 1,
    1 << 16,
    1 << 32,
    1 << 56,
    u64::MAX,
];

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "sframe_header_encode" => header_encode(c, g),
        "sframe_header_decode" => header_decode(c, g),
        "sframe_derive" => derive(c, g),
        "sframe_encrypt" => encrypt(c, g),
        "sframe_decrypt" => decrypt(c, g),
        _ => {}
    }
    cases.0
}

/// The spec's encoding of the header (KID, CTR).
fn header(kid: u64, ctr: u64) -> Vec<u8> {
    out("sframe_header_encode", &json!({"kid": kid, "ctr": ctr}))
        .bytes("header")
        .expect("header")
}

fn header_encode(c: &mut Cases, g: &Gen) {
    for v in BOUNDARIES {
        c.add(format!("kid-{v}"), json!({"kid": v, "ctr": 0}));
        if v != 0 {
            c.add(format!("ctr-{v}"), json!({"kid": 0, "ctr": v}));
            c.add(format!("kid-ctr-{v}"), json!({"kid": v, "ctr": v}));
        }
    }
    c.add(
        "random",
        json!({"kid": g.below("kid", u64::MAX), "ctr": g.below("ctr", 1 << 40)}),
    );
}

fn header_decode(c: &mut Cases, g: &Gen) {
    let n = BOUNDARIES.len();
    for (i, kid) in BOUNDARIES.into_iter().enumerate() {
        let ctr = BOUNDARIES[n - 1 - i];
        c.add(
            format!("kid-{kid}-ctr-{ctr}"),
            json!({"data": hx(&header(kid, ctr))}),
        );
    }
    let h = header(g.below("kid", 1 << 20), g.below("ctr", 1 << 12));
    let frame = [h.clone(), g.bytes("body", 20)].concat();
    c.add("followed-by-ciphertext", json!({"data": hx(&frame)}));
    c.add("empty", json!({"data": ""}));
    // The config byte is X K K K Y C C C: X (Y) set means KID (CTR) is in
    // the next K + 1 (C + 1) bytes.
    let rejected: [(&str, &[u8]); 12] = [
        ("kid-extension-missing", &[0x80]),
        ("kid-2-bytes-truncated", &[0x90, 0x01]),
        ("kid-8-bytes-truncated", &[0xf0, 1, 2, 3, 4, 5, 6, 7]),
        ("ctr-extension-missing", &[0x08]),
        ("ctr-3-bytes-truncated", &[0x0a, 0x01, 0x02]),
        ("ctr-truncated-after-kid", &[0x88, 0x08]),
        ("kid-one-byte-0", &[0x80, 0x00]),
        ("kid-one-byte-7", &[0x80, 0x07]),
        ("ctr-one-byte-5", &[0x08, 0x05]),
        ("kid-leading-zero", &[0x90, 0x00, 0xff]),
        ("ctr-leading-zero", &[0x09, 0x00, 0x08]),
        (
            "kid-8-bytes-leading-zero",
            &[0xf0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        ),
    ];
    for (id, data) in rejected {
        c.add(id, json!({"data": hx(data)}));
    }
    // The smallest accepted extended values, next to the rejected ones.
    c.add("kid-one-byte-8", json!({"data": hx(&[0x80, 0x08])}));
    c.add("ctr-2-bytes-0100", json!({"data": hx(&[0x09, 0x01, 0x00])}));
}

fn derive(c: &mut Cases, g: &Gen) {
    for s in SUITES {
        c.add(
            format!("suite-{s}-kid-0"),
            json!({"suite": s, "kid": 0, "base_key": hx(&g.bytes(&format!("base key {s}"), 16))}),
        );
        c.add(
            format!("suite-{s}-kid-max"),
            json!({"suite": s, "kid": u64::MAX, "base_key": hx(&g.bytes(&format!("long base key {s}"), 32))}),
        );
    }
    let b = hx(&g.bytes("base key", 16));
    c.add(
        "empty-base-key",
        json!({"suite": 4, "kid": 1, "base_key": ""}),
    );
    for s in UNKNOWN_SUITES {
        c.add(
            format!("suite-{s}"),
            json!({"suite": s, "kid": 1, "base_key": b}),
        );
    }
}

/// The suite, key and salt of `suite` for a KID, derived by the spec from
/// a base key under `label` (the fields of [`SuiteKey`]).
fn suite_key(g: &Gen, label: &str, suite: u16, kid: u64) -> Value {
    let d = out(
        "sframe_derive",
        &json!({"suite": suite, "kid": kid, "base_key": hx(&g.bytes(label, 16))}),
    );
    json!({"suite": suite, "sframe_key": d["sframe_key"], "sframe_salt": d["sframe_salt"]})
}

/// An `sframe_encrypt` input: the key of `suite` and KID `kid`, and `md`
/// bytes of metadata and `m` of plaintext under `label`.
fn frame(g: &Gen, label: &str, suite: u16, (kid, ctr): (u64, u64), md: usize, m: usize) -> Value {
    let mut v = suite_key(g, label, suite, kid);
    v["kid"] = json!(kid);
    v["ctr"] = json!(ctr);
    v["metadata"] = hx(&g.bytes(&format!("metadata {label}"), md));
    v["plaintext"] = hx(&g.bytes(&format!("plaintext {label}"), m));
    v
}

/// The frames of every suite: (KID, CTR) both in the config byte; KID in
/// it and CTR in one byte; KID in three bytes and CTR in eight. Then the
/// metadata and plaintext lengths.
const FRAMES: [((u64, u64), usize, usize); 3] = [
    ((0, 0), 0, 0),
    ((7, 255), 5, 1),
    ((1 << 16, u64::MAX), 12, 40),
];

/// The `sframe_encrypt` inputs of [`FRAMES`] for `suite`, with their ids.
fn suite_frames(g: &Gen, suite: u16) -> Vec<(String, Value)> {
    FRAMES
        .into_iter()
        .map(|((kid, ctr), md, m)| {
            let id = format!("suite-{suite}-kid-{kid}-ctr-{ctr}");
            let v = frame(g, &id, suite, (kid, ctr), md, m);
            (id, v)
        })
        .collect()
}

/// The input errors shared by encryption and decryption: keys one byte
/// short and long, an empty key, a short salt, and unknown suites.
fn bad_keys(c: &mut Cases, g: &Gen, ok: &Value) {
    let key = ok
        .as_object()
        .and_then(|o| o.bytes("sframe_key"))
        .expect("key");
    c.add(
        "key-short",
        with(ok, "sframe_key", hx(&key[..key.len() - 1])),
    );
    c.add(
        "key-long",
        with(ok, "sframe_key", hx(&[key.clone(), vec![0]].concat())),
    );
    c.add("key-empty", with(ok, "sframe_key", json!("")));
    c.add(
        "salt-11-bytes",
        with(ok, "sframe_salt", hx(&g.bytes("salt", 11))),
    );
    for s in UNKNOWN_SUITES {
        c.add(format!("suite-{s}"), with(ok, "suite", json!(s)));
    }
}

fn encrypt(c: &mut Cases, g: &Gen) {
    for s in SUITES {
        for (id, v) in suite_frames(g, s) {
            c.add(id, v);
        }
    }
    let ok = frame(g, "base", 1, (3, 9), 4, 10);
    bad_keys(c, g, &ok);
    let gcm = suite_key(g, "gcm", 4, 3);
    c.add(
        "suite-1-with-suite-4-key",
        with(&ok, "sframe_key", gcm["sframe_key"].clone()),
    );
}

/// The `sframe_decrypt` input of the frame `enc` (an `sframe_encrypt`
/// input, encrypted by the spec) and its ciphertext.
fn sealed(enc: &Value) -> (Value, Vec<u8>) {
    let ct = out("sframe_encrypt", enc)
        .bytes("ciphertext")
        .expect("ciphertext");
    let v = json!({
        "suite": enc["suite"],
        "sframe_key": enc["sframe_key"],
        "sframe_salt": enc["sframe_salt"],
        "metadata": enc["metadata"],
        "ciphertext": hx(&ct),
    });
    (v, ct)
}

fn decrypt(c: &mut Cases, g: &Gen) {
    for s in SUITES {
        for (id, v) in suite_frames(g, s) {
            c.add(id, sealed(&v).0);
        }
        // Tampering, per suite: the last byte of the tag, the first of the
        // body, a header byte (the CTR, so the nonce and the AAD change),
        // the metadata; a body one byte shorter than the tag (Malformed)
        // and one of exactly the tag's length (AuthenticationFailed).
        let id = |what: &str| format!("suite-{s}-{what}");
        let enc = frame(g, &id("tamper"), s, (9, 300), 6, 24);
        let (base, ct) = sealed(&enc);
        let n = ct.len();
        let nt = CipherSuite::from_id(s).expect("suite").nt();
        let hlen = 4; // config byte, one KID byte, two CTR bytes
        c.add(
            id("tag-flipped"),
            with(&base, "ciphertext", hx(&flip(&ct, n - 1))),
        );
        c.add(
            id("body-flipped"),
            with(&base, "ciphertext", hx(&flip(&ct, hlen))),
        );
        c.add(
            id("ctr-flipped"),
            with(&base, "ciphertext", hx(&flip(&ct, hlen - 1))),
        );
        let md = enc
            .as_object()
            .and_then(|o| o.bytes("metadata"))
            .expect("metadata");
        c.add(
            id("metadata-flipped"),
            with(&base, "metadata", hx(&flip(&md, 0))),
        );
        c.add(
            id("body-shorter-than-tag"),
            with(&base, "ciphertext", hx(&ct[..hlen + nt - 1])),
        );
        c.add(
            id("body-tag-length"),
            with(&base, "ciphertext", hx(&ct[..hlen + nt])),
        );
    }
    let enc = frame(g, "base", 5, (8, 8), 3, 12);
    let (ok, ct) = sealed(&enc);
    c.add(
        "wrong-salt",
        with(&ok, "sframe_salt", hx(&g.bytes("other salt", 12))),
    );
    c.add(
        "wrong-key",
        with(
            &ok,
            "sframe_key",
            suite_key(g, "other", 5, 8)["sframe_key"].clone(),
        ),
    );
    c.add("ciphertext-empty", with(&ok, "ciphertext", json!("")));
    c.add("header-truncated", with(&ok, "ciphertext", hx(&ct[..2])));
    // KID 8 in two bytes (0x0008): not minimal, though the rest is intact.
    let mut long = vec![0x98, 0x00];
    long.extend_from_slice(&ct[1..]);
    c.add("header-not-minimal", with(&ok, "ciphertext", hx(&long)));
    bad_keys(c, g, &ok);
    c.add("key-short-and-header-malformed", {
        let v = with(&ok, "ciphertext", json!(""));
        with(&v, "sframe_key", hx(&g.bytes("short key", 31)))
    });
}
