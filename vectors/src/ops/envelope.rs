//! Sealed-sender envelopes (SPEC.md section 12) and the decoding of light
//! envelopes (section 12.1).

use serde_json::json;

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};
use xchat_spec::suite::public_key;
use xchat_spec::{chacha20poly1305, envelope, x25519};

wire! {
    /// The input of `envelope_seal`.
    pub struct SealIn {
        sender_handle: Hex = "hex",
        sender_randomness: Hex = "hex, 64: the sender's identity randomness",
        recipient_dh_pub: Hex = "hex, 32: IKdh_R",
        mailbox: Hex = "hex, 16",
        payload: Hex = "hex",
        r: Hex = "hex, 32: the sender's randomness (e is its hedge, SPEC.md section 12 step 1)",
    }
}

wire! {
    /// A sealed envelope.
    pub struct SealOut {
        envelope: Hex = "hex",
    }
}

wire! {
    /// The input of `envelope_open`.
    pub struct OpenIn {
        dh_secret: Hex = "hex, 32: IKdh_R's secret",
        mailbox: Hex = "hex, 16: the recipient's mailbox",
        envelope: Hex = "hex",
    }
}

wire! {
    /// An opened envelope.
    pub struct OpenOut {
        sender: Hex = "hex: the sender's EncIdentity (binding verified)",
        payload: Hex = "hex",
    }
}

wire! {
    /// The input of `light_envelope_decode`.
    pub struct LightIn {
        envelope: Hex = "hex",
    }
}

wire! {
    /// A decoded light envelope.
    pub struct LightOut {
        mailbox: Hex = "hex, 16: the mailbox it names (its body is the rest after 18 bytes)",
    }
}

pub const LIGHT_ENVELOPE_DECODE: Meta = Meta {
    section: "SPEC.md section 12.1 (decoding a light envelope, in order)",
    reqs: &["REQ-MAILBOX-002"],
    summary: "decode a light envelope `0x01 0x03 || mailbox || RatchetBody` strictly",
    errors: &[
        (ErrorKind::Malformed, "empty"),
        (ErrorKind::UnsupportedVersion, "first byte is not 0x01"),
        (
            ErrorKind::Malformed,
            "no second byte, a second byte other than 0x03, or shorter than 18 + 81 + 16 bytes",
        ),
    ],
    cases,
};

pub const ENVELOPE_SEAL: Meta = Meta {
    section: "SPEC.md section 12 (sealing)",
    reqs: &["REQ-ENV-001", "REQ-ENV-003", "REQ-ENV-005", "REQ-SUITE-001"],
    summary: "seal `payload` from the sender to the recipient's identity key and mailbox",
    errors: &[
        (
            ErrorKind::InvalidHandle,
            "`sender_handle` does not parse (SPEC.md 5), checked before anything else",
        ),
        (ErrorKind::NonContributory, "DHe or DHs is all zero"),
    ],
    cases,
};

pub const ENVELOPE_OPEN: Meta = Meta {
    section: "SPEC.md section 12 (opening, steps 1-8 in order)",
    reqs: &["REQ-ENV-001", "REQ-ENV-002", "REQ-ID-001", "REQ-SUITE-001"],
    summary: "open an envelope with the recipient's identity DH secret",
    errors: &[
        (ErrorKind::UnsupportedVersion, "first byte is not 0x01"),
        (ErrorKind::Malformed, "empty, or too short for mailbox, E, c1 and a 16-byte c2; or the opened identity does not decode"),
        (ErrorKind::WrongRecipient, "the mailbox differs"),
        (ErrorKind::NonContributory, "DHe or DHs is all zero"),
        (ErrorKind::AuthenticationFailed, "c1 or c2 does not open"),
        (ErrorKind::InvalidHandle, "the opened identity's handle is not canonical"),
        (ErrorKind::InvalidSignature, "the opened identity's binding fails"),
    ],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "envelope_seal" | "envelope_open" => envelopes(c, op, g),
        "light_envelope_decode" => light(c, g),
        _ => {}
    }
    cases.0
}

/// Light envelopes: the shortest valid one, a longer one, and each
/// decoding failure in the order of SPEC.md section 12.1 (a decoder that
/// checks the length before the version or type byte answers differently).
fn light(c: &mut Cases, g: &Gen) {
    let mailbox = g.bytes("light mailbox", 16);
    let body = g.bytes("light body", 81 + 16 + 256);
    let good = [vec![0x01, 0x03], mailbox.clone(), body.clone()].concat();
    let min = &good[..18 + 97];
    c.add("shortest", json!({"envelope": hx(min)}));
    c.add("padded-256", json!({"envelope": hx(&good)}));
    c.add("empty", json!({"envelope": ""}));
    c.add("version-only", json!({"envelope": "01"}));
    c.add(
        "version-2",
        json!({"envelope": hx(&[&[0x02u8][..], &good[1..]].concat())}),
    );
    c.add("version-2-one-byte", json!({"envelope": "02"}));
    c.add(
        "type-ratchet-message",
        json!({"envelope": hx(&[&[0x01u8, 0x02][..], &good[2..]].concat())}),
    );
    c.add(
        "type-prekey-message",
        json!({"envelope": hx(&[&[0x01u8, 0x01][..], &good[2..]].concat())}),
    );
    c.add("mailbox-cut", json!({"envelope": hx(&good[..10])}));
    c.add(
        "one-byte-short",
        json!({"envelope": hx(&min[..min.len() - 1])}),
    );
    c.add("no-body", json!({"envelope": hx(&good[..18])}));
}

/// Seals `identity_bytes` (147 bytes, possibly invalid) as the sender, as
/// section 12 does, with the sender's DH secret `sender_dh` (for invalid
/// sender identities that `envelope_seal` cannot produce).
fn craft_envelope(
    identity_bytes: &[u8],
    sender_dh: &[u8; 32],
    recipient_dh_pub: &[u8; 32],
    mailbox: &[u8; 16],
    payload: &[u8],
    e: &[u8; 32],
) -> Vec<u8> {
    let e_pub = public_key(e);
    let dh_e = x25519::x25519(e, recipient_dh_pub);
    let (chain, k1) = envelope::ephemeral_keys(&dh_e, mailbox, &e_pub, recipient_dh_pub).unwrap();
    let ad1 = [&[1u8][..], mailbox, &e_pub].concat();
    let c1 = chacha20poly1305::seal(&k1, &[0u8; 12], &ad1, identity_bytes);
    let dh_s = x25519::x25519(sender_dh, recipient_dh_pub);
    let k2 = envelope::static_key(&chain, &dh_s, &c1).unwrap();
    let ad2 = [ad1.clone(), c1.clone()].concat();
    let c2 = chacha20poly1305::seal(&k2, &[0u8; 12], &ad2, payload);
    [ad2, c2].concat()
}

fn envelopes(c: &mut Cases, op: &str, g: &Gen) {
    let sender_r = g.bytes("sender", 64);
    let rec_secret: [u8; 32] = g.arr("recipient");
    let rec_pub = public_key(&rec_secret);
    let mailbox: [u8; 16] = g.arr("mailbox");
    let seal_in = |payload: &[u8], label: &str| json!({"sender_handle": hx(b"alice"), "sender_randomness": hx(&sender_r), "recipient_dh_pub": hx(&rec_pub), "mailbox": hx(&mailbox), "payload": hx(payload), "r": hx(&g.bytes(label, 32))});
    if op == "envelope_seal" {
        c.add("empty-payload", seal_in(b"", "e0"));
        c.add("payload-300", seal_in(&g.bytes("payload", 300), "e1"));
        c.add(
            "recipient-key-zero",
            with(&seal_in(b"x", "e2"), "recipient_dh_pub", hx(&[0u8; 32])),
        );
        c.add(
            "recipient-key-order-8",
            with(&seal_in(b"x", "e3"), "recipient_dh_pub", ORDER8_HEX.into()),
        );
        c.add(
            "sender-handle-invalid-and-recipient-key-zero",
            with(
                &with(&seal_in(b"x", "e4"), "sender_handle", hx(b"al ice")),
                "recipient_dh_pub",
                hx(&[0u8; 32]),
            ),
        );
        return;
    }
    let open_in = |env: &[u8]| json!({"dh_secret": hx(&rec_secret), "mailbox": hx(&mailbox), "envelope": hx(env)});
    let env = out("envelope_seal", &seal_in(&g.bytes("payload", 300), "e1"))
        .bytes("envelope")
        .unwrap();
    let empty = out("envelope_seal", &seal_in(b"", "e0"))
        .bytes("envelope")
        .unwrap();
    c.add("valid", open_in(&env));
    c.add("valid-empty-payload", open_in(&empty));
    c.add("empty", open_in(&[]));
    c.add(
        "version-2",
        open_in(&{
            let mut v = env.clone();
            v[0] = 2;
            v
        }),
    );
    c.add("c2-shorter-than-tag", open_in(&empty[..empty.len() - 1]));
    // Decoding comes before the mailbox check (SPEC.md 12, opening step 1).
    c.add(
        "c2-shorter-than-tag-and-wrong-mailbox",
        open_in(&flip(&empty[..empty.len() - 1], 1)),
    );
    c.add("cut-in-c1", open_in(&env[..100]));
    c.add("wrong-mailbox", open_in(&flip(&env, 1)));
    c.add(
        "e-zero",
        open_in(&{
            let mut v = env.clone();
            v[17..49].copy_from_slice(&[0u8; 32]);
            v
        }),
    );
    c.add("e-changed", open_in(&flip(&env, 20)));
    c.add("c1-flipped", open_in(&flip(&env, 100)));
    c.add("c2-flipped", open_in(&flip(&env, env.len() - 1)));
    c.add(
        "wrong-recipient-key",
        with(&open_in(&env), "dh_secret", hx(&g.bytes("other", 32))),
    );
    let sender_dh: [u8; 32] = g.arr("mallory dh");
    let e: [u8; 32] = g.arr("crafted e");
    let (good_id, _) = identity_with_dh(g, "mallory", public_key(&sender_dh));
    let craft = |id: &[u8], dh: &[u8; 32]| {
        open_in(&craft_envelope(id, dh, &rec_pub, &mailbox, b"payload", &e))
    };
    c.add("crafted-valid", craft(&good_id, &sender_dh));
    c.add(
        "sender-identity-tag-wrong",
        craft(
            &{
                let mut v = good_id.clone();
                v[17] = 1;
                v
            },
            &sender_dh,
        ),
    );
    c.add(
        "sender-identity-version-2",
        craft(
            &{
                let mut v = good_id.clone();
                v[0] = 2;
                v
            },
            &sender_dh,
        ),
    );
    c.add(
        "sender-handle-uppercase",
        craft(
            &{
                let mut v = good_id.clone();
                v[2] = b'M';
                v
            },
            &sender_dh,
        ),
    );
    c.add(
        "sender-binding-invalid",
        craft(&flip(&good_id, 140), &sender_dh),
    );
    let (zero_id, _) = identity_with_dh(g, "mallory", [0u8; 32]);
    c.add("sender-dh-zero", craft(&zero_id, &sender_dh));
    c.add("sender-dh-mismatch", craft(&good_id, &g.arr("not mallory")));
}
