//! The hybrid handshake (SPEC.md section 8): both sides, with their
//! intermediate values.

use serde_json::{json, Value};

use super::build::*;
use super::bundle::Store;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};
use xchat_spec::bundle;
use xchat_spec::handle::parse_handle;
use xchat_spec::{identity, padding, ratchet};

wire! {
    /// Alice's inputs.
    pub struct InitiateIn {
        handle: Hex = "hex: Alice's handle",
        identity_randomness: Hex = "hex, 64 bytes: Alice's identity randomness",
        peer: Hex = "hex: the handle Alice looked up",
        bundle: Hex = "hex: the bundle the directory returned",
        ek_secret: Hex = "hex, 32",
        kem_m: Hex = "hex, 32: ML-KEM encapsulation randomness",
        ratchet_secret: Hex = "hex, 32: Alice's first ratchet secret",
        header_nonce: Hex = "hex, 24: the first message's randomness `r` (its header nonce is HEDGE(mk, r, plaintext))",
        plaintext: Hex = "hex: the first message's plaintext (the ratchet layer's input)",
    }
}

wire! {
    /// Alice's intermediate values and first message.
    pub struct InitiateOut {
        ek: Hex = "hex, 32: EK",
        dh1: Hex = "hex, 32",
        dh2: Hex = "hex, 32",
        dh3: Hex = "hex, 32",
        #[optional]
        dh4: Option<Hex> = "hex, 32, present iff the bundle has a one-time prekey",
        ss: Hex = "hex, 32: ML-KEM shared secret",
        ct: Hex = "hex, 1088: ML-KEM ciphertext",
        transcript: Hex = "hex: T",
        sk: Hex = "hex, 32",
        hka: Hex = "hex, 32",
        nhkb: Hex = "hex, 32",
        ad: Hex = "hex, 32",
        message: Hex = "hex: the prekey message",
    }
}

wire! {
    /// Bob's store and the message he receives.
    pub struct RespondIn {
        ..store: Store,
        message: Hex = "hex: the prekey message",
        ratchet_secret: Hex = "hex, 32: Bob's fresh ratchet secret (used in the DH ratchet step)",
    }
}

wire! {
    /// Bob's intermediate values and the first plaintext.
    pub struct RespondOut {
        initiator: Hex = "hex: the initiator's EncIdentity",
        ek: Hex = "hex, 32",
        dh1: Hex = "hex, 32",
        dh2: Hex = "hex, 32",
        dh3: Hex = "hex, 32",
        #[optional]
        dh4: Option<Hex> = "hex, 32, present iff the message names a one-time prekey",
        ss: Hex = "hex, 32",
        sk: Hex = "hex, 32",
        hka: Hex = "hex, 32",
        nhkb: Hex = "hex, 32",
        ad: Hex = "hex, 32",
        plaintext: Hex = "hex: the first message's plaintext",
        opk_consumed: bool = "bool: the one-time prekey was deleted",
        pqpk_consumed: bool = "bool: the PQ prekey was deleted (one-time kind)",
    }
}

pub const HANDSHAKE_INITIATE: Meta = Meta {
    section: "SPEC.md section 8 (initiator), 9.2-9.4",
    reqs: &["REQ-HS-001", "REQ-HS-002", "REQ-SUITE-001", "REQ-SUITE-002", "REQ-HS-005"],
    summary: "Alice's side: checks, DH1..DH4, KEM, transcript, keys, ratchet init, and her first prekey message encrypting `plaintext`",
    errors: &[
        (ErrorKind::InvalidHandle, "`peer` does not parse or differs from the bundle's handle (also an unparsable `handle`)"),
        (ErrorKind::Malformed, "the bundle does not decode (also UnsupportedVersion)"),
        (ErrorKind::UnsupportedVersion, "a bundle version byte is not 0x01"),
        (ErrorKind::InvalidSignature, "the bundle's binding, spk_sig or pqpk_sig fails"),
        (ErrorKind::InvalidKey, "PQPK fails the modulus check"),
        (ErrorKind::NonContributory, "DH1, DH2, DH3 or DH4 is all zero (checked in that order)"),
    ],
    cases,
};

pub const HANDSHAKE_RESPOND: Meta = Meta {
    section: "SPEC.md section 8 (responder)",
    reqs: &["REQ-HS-002", "REQ-HS-003", "REQ-HS-004", "REQ-SUITE-001"],
    summary: "Bob's side on a first prekey message: decode, verify, look up prekeys, DHs, decaps, keys, decrypt, consume",
    errors: &[
        (ErrorKind::Malformed, "the message does not decode (SPEC.md 8: type, has_opk, tags, lengths, body < 97 bytes)"),
        (ErrorKind::UnsupportedVersion, "a version byte is not 0x01"),
        (ErrorKind::InvalidHandle, "the initiator's handle is not canonical"),
        (ErrorKind::InvalidSignature, "the initiator's binding fails"),
        (ErrorKind::UnknownPrekey, "spk_id, opk_id or pqpk_id names no prekey of the store"),
        (ErrorKind::NonContributory, "a DH output is all zero"),
        (ErrorKind::TooManySkipped, "the first ratchet body's message number is above MAX_SKIP (SPEC.md 9.5)"),
        (ErrorKind::AuthenticationFailed, "the first ratchet body does not decrypt"),
    ],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "handshake_initiate" => handshake_initiate(c, g),
        "handshake_respond" => handshake_respond(c, g),
        _ => {}
    }
    cases.0
}

/// Alice's side of a handshake with Bob's store `st`.
fn alice_input(g: &Gen, bundle: &[u8]) -> Value {
    json!({
        "handle": hx(b"alice"),
        "identity_randomness": hx(&g.bytes("alice identity", 64)),
        "peer": hx(b"bob"),
        "bundle": hx(bundle),
        "ek_secret": hx(&g.bytes("ek", 32)),
        "kem_m": hx(&g.bytes("kem m", 32)),
        "ratchet_secret": hx(&g.bytes("alice ratchet", 32)),
        "header_nonce": hx(&g.bytes("header nonce", 24)),
        "plaintext": hx(&padding::pad(b"\x01\x00\x00\x00\x05hello")),
    })
}

fn handshake_initiate(c: &mut Cases, g: &Gen) {
    let st1 = store(&g.sub("bob 1"), b"bob", true, 1);
    let st2 = store(&g.sub("bob 2"), b"bob", false, 2);
    let b1 = make_bundle(&st1);
    let b2 = make_bundle(&st2);
    c.add("with-opk", alice_input(&g.sub("1"), &b1));
    c.add("without-opk-last-resort", alice_input(&g.sub("2"), &b2));
    let a = alice_input(&g.sub("3"), &b1);
    c.add(
        "peer-uppercase-is-same-handle",
        with(&a, "peer", hx(b"BOB")),
    );
    c.add("peer-mismatch", with(&a, "peer", hx(b"bobby")));
    c.add("peer-unparsable", with(&a, "peer", hx(b"b o b")));
    c.add("bundle-malformed", with(&a, "bundle", hx(&b1[..100])));
    c.add(
        "peer-unparsable-and-bundle-malformed",
        with(&with(&a, "peer", hx(b"b o b")), "bundle", hx(&b1[..100])),
    );
    c.add(
        "bundle-version-2",
        with(
            &a,
            "bundle",
            hx(&{
                let mut b = b1.clone();
                b[0] = 2;
                b
            }),
        ),
    );
    c.add(
        "bundle-spk-sig-flipped",
        with(&a, "bundle", hx(&flip(&b1, 200))),
    );
    let bad_key = resigned(&st2, |b| {
        b.pqpk[0] = 0xff;
        b.pqpk[1] |= 0x0f;
    });
    c.add(
        "bundle-pqpk-fails-modulus-check",
        with(&a, "bundle", hx(&bad_key)),
    );
    let zero_spk = resigned(&st2, |b| b.spk = [0u8; 32]);
    c.add(
        "spk-small-order-dh1-zero",
        with(&a, "bundle", hx(&zero_spk)),
    );
    let zero_opk = resigned(&st1, |b| b.opk = b.opk.map(|(id, _)| (id, h32(ORDER8_HEX))));
    c.add(
        "opk-small-order-dh4-zero",
        with(&a, "bundle", hx(&zero_opk)),
    );
}

/// Bob's input for `handshake_respond` on `message`.
fn bob_input(st: &Value, message: &[u8], secret: &[u8]) -> Value {
    let mut i = st.clone();
    i["message"] = hx(message);
    i["ratchet_secret"] = hx(secret);
    i
}

fn handshake_respond(c: &mut Cases, g: &Gen) {
    for (id, opk, kind) in [
        ("with-opk-one-time-pq", true, 1u8),
        ("without-opk-last-resort", false, 2),
        ("without-opk-one-time-pq", false, 1),
    ] {
        let gs = g.sub(id);
        let st = store(&gs, b"bob", opk, kind);
        let a = alice_input(&gs, &make_bundle(&st));
        let message = out("handshake_initiate", &a).bytes("message").unwrap();
        c.add(id, bob_input(&st, &message, &gs.bytes("bob ratchet", 32)));
    }
    let gs = g.sub("errors");
    let st = store(&gs, b"bob", true, 1);
    let a = alice_input(&gs, &make_bundle(&st));
    let m = out("handshake_initiate", &a).bytes("message").unwrap();
    let secret = gs.bytes("bob ratchet", 32);
    let edit = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut v = m.clone();
        f(&mut v);
        v
    };
    // Offsets (SPEC.md 8): 0 version, 1 type, 2..149 EncIdentity, 149 spk_id,
    // 153 has_opk, 154 opk_id, 158 pqpk_id, 162 EncX(EK), 195 CT, 1283 body.
    c.add("version-2", bob_input(&st, &edit(&|v| v[0] = 2), &secret));
    c.add("type-2", bob_input(&st, &edit(&|v| v[1] = 2), &secret));
    c.add(
        "identity-version-2",
        bob_input(&st, &edit(&|v| v[2] = 2), &secret),
    );
    c.add(
        "handle-uppercase",
        bob_input(&st, &edit(&|v| v[4] = b'A'), &secret),
    );
    c.add("has-opk-2", bob_input(&st, &edit(&|v| v[153] = 2), &secret));
    c.add(
        "ek-tag-wrong",
        bob_input(&st, &edit(&|v| v[162] = 2), &secret),
    );
    c.add("body-96-bytes", bob_input(&st, &m[..1283 + 96], &secret));
    c.add("cut-in-ct", bob_input(&st, &m[..1000], &secret));
    c.add(
        "binding-flipped",
        bob_input(&st, &edit(&|v| v[148] ^= 1), &secret),
    );
    let mut other = st.clone();
    other["spk_id"] = json!(st["spk_id"].as_u64().unwrap() ^ 1);
    c.add("unknown-spk-id", bob_input(&other, &m, &secret));
    c.add(
        "body-96-bytes-and-unknown-spk-id",
        bob_input(&other, &m[..1283 + 96], &secret),
    );
    c.add("body-97-bytes", bob_input(&st, &m[..1283 + 97], &secret));
    // Alice's 1002nd prekey message arrives first: n = 1001 > MAX_SKIP.
    {
        let r: [u8; 64] = gs.bytes("alice identity", 64).try_into().unwrap();
        let (alice, _) = identity::generate(&parse_handle(b"alice").unwrap(), &r);
        let bundle = bundle::decode(&make_bundle(&st)).unwrap();
        let mut session = xchat_spec::session::start(
            &alice,
            &parse_handle(b"bob").unwrap(),
            &bundle,
            &gs.arr("ek"),
            &gs.arr("kem m"),
            &gs.arr("alice ratchet"),
        )
        .unwrap();
        let padded = padding::pad(b"\x01\x00\x00\x00\x00");
        let mut last = Vec::new();
        for i in 0..=ratchet::MAX_SKIP + 1 {
            let mut r = [0u8; 24];
            r[..4].copy_from_slice(&i.to_be_bytes());
            let (next, message) = xchat_spec::session::encrypt(&session, &padded, &r).unwrap();
            session = next;
            last = message;
        }
        c.add("first-message-number-1001", bob_input(&st, &last, &secret));
    }
    let mut other = st.clone();
    other["opk_id"] = json!(st["opk_id"].as_u64().unwrap() ^ 1);
    c.add("unknown-opk-id", bob_input(&other, &m, &secret));
    let mut other = st.clone();
    other["pqpk_id"] = json!(st["pqpk_id"].as_u64().unwrap() ^ 1);
    c.add("unknown-pqpk-id", bob_input(&other, &m, &secret));
    c.add(
        "ek-small-order",
        bob_input(
            &st,
            &edit(&|v| v[163..195].copy_from_slice(&[0u8; 32])),
            &secret,
        ),
    );
    c.add(
        "ct-flipped-implicit-rejection",
        bob_input(&st, &edit(&|v| v[300] ^= 1), &secret),
    );
    c.add(
        "body-flipped",
        bob_input(&st, &edit(&|v| *v.last_mut().unwrap() ^= 1), &secret),
    );
    c.add(
        "header-flipped",
        bob_input(&st, &edit(&|v| v[1283 + 30] ^= 1), &secret),
    );
}
