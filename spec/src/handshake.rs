//! The PQXDH-shaped hybrid handshake (SPEC.md section 8): the initiator's
//! key agreement from a verified bundle, the prekey message that carries it,
//! and the responder's side, which consumes one-time prekeys only after the
//! first message decrypts.
//!
//! The anchor is Signal's PQXDH (revision 3), section 3; SPEC.md section 19
//! lists where XCHAT-1 differs (the transcript in `info`, `AD` as its hash,
//! tagged key encodings, header keys from the same KDF).

use crate::bundle::{self, Bundle, PqKind, PrekeyStore};
use crate::encoding::{
    enc_ml_kem, enc_x25519, expect_end, read_bytes, read_u32, read_u8, read_version, read_x25519,
    u32_be, VERSION,
};
use crate::handle::{enc_handle, Handle};
use crate::identity::{self, IdentityPublic, IdentitySecret};
use crate::ratchet::{self, RatchetState, ENC_HEADER_LEN, MSG_PREKEY, TAG_LEN};
use crate::suite::{dh, kdf, key_at, public_key, LABEL_ASSOCIATED_DATA, LABEL_HANDSHAKE};
use crate::{encoding, ml_kem, sha2, Error};

/// The handshake fields of a prekey message (SPEC.md section 8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrekeyHeader {
    /// The initiator's identity (its binding is verified by the responder).
    pub initiator: IdentityPublic,
    /// Id of the responder's signed prekey.
    pub spk_id: u32,
    /// Id of the responder's one-time prekey, if the bundle had one.
    pub opk_id: Option<u32>,
    /// Id of the responder's post-quantum prekey.
    pub pqpk_id: u32,
    /// The initiator's ephemeral X25519 public key `EK`.
    pub ek: [u8; 32],
    /// The ML-KEM-768 ciphertext `CT`.
    pub ct: Vec<u8>,
}

/// What both sides derive from the handshake (SPEC.md section 8, steps 5-6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeKeys {
    /// The shared secret `SK` the ratchet's root key starts from.
    pub sk: [u8; 32],
    /// Alice's first sending header key `HKA`.
    pub hka: [u8; 32],
    /// Bob's first sending header key `NHKB`.
    pub nhkb: [u8; 32],
    /// The associated data `AD` bound to every message of the session.
    pub ad: [u8; 32],
}

/// The public keys the transcript binds (SPEC.md section 8, step 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptKeys {
    /// The initiator's identity.
    pub initiator: IdentityPublic,
    /// The responder's identity.
    pub responder: IdentityPublic,
    /// Signed prekey id and key.
    pub spk: (u32, [u8; 32]),
    /// One-time prekey id and key, if used.
    pub opk: Option<(u32, [u8; 32])>,
    /// PQ prekey id, kind and encapsulation key.
    pub pqpk: (u32, PqKind, Vec<u8>),
    /// The initiator's ephemeral key `EK`.
    pub ek: [u8; 32],
    /// The ML-KEM ciphertext `CT`.
    pub ct: Vec<u8>,
}

/// The transcript `T` of SPEC.md section 8, step 4 (REQ-HS-002).
pub fn transcript(keys: &TranscriptKeys) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&enc_handle(&keys.initiator.handle));
    t.extend_from_slice(&encoding::enc_ed25519(&keys.initiator.sig_pub));
    t.extend_from_slice(&enc_x25519(&keys.initiator.dh_pub));
    t.extend_from_slice(&enc_handle(&keys.responder.handle));
    t.extend_from_slice(&encoding::enc_ed25519(&keys.responder.sig_pub));
    t.extend_from_slice(&enc_x25519(&keys.responder.dh_pub));
    t.extend_from_slice(&u32_be(keys.spk.0));
    t.extend_from_slice(&enc_x25519(&keys.spk.1));
    match keys.opk {
        Some((id, opk)) => {
            t.push(0x01);
            t.extend_from_slice(&u32_be(id));
            t.extend_from_slice(&enc_x25519(&opk));
        }
        None => t.push(0x00),
    }
    t.extend_from_slice(&u32_be(keys.pqpk.0));
    t.push(bundle::kind_byte(keys.pqpk.1));
    t.extend_from_slice(&enc_ml_kem(&keys.pqpk.2));
    t.extend_from_slice(&enc_x25519(&keys.ek));
    t.extend_from_slice(&keys.ct);
    t
}

/// The key derivation of SPEC.md section 8, steps 5-6 (REQ-HS-002):
/// `KM = ones(32) || DH1 || DH2 || DH3 [|| DH4] || SS`, HKDF with a zero salt
/// and `"XCHAT-1 handshake" || T`, and `AD = SHA-256("XCHAT-1 associated data" || T)`.
pub fn derive_keys(dhs: &[u8], ss: &[u8; 32], t: &[u8]) -> Result<HandshakeKeys, Error> {
    let mut km = vec![0xffu8; 32];
    km.extend_from_slice(dhs);
    km.extend_from_slice(ss);
    let mut info = LABEL_HANDSHAKE.to_vec();
    info.extend_from_slice(t);
    let okm = kdf(&[0u8; 32], &km, &info, 96)?;
    let mut ad_input = LABEL_ASSOCIATED_DATA.to_vec();
    ad_input.extend_from_slice(t);
    Ok(HandshakeKeys {
        sk: key_at(&okm, 0),
        hka: key_at(&okm, 32),
        nhkb: key_at(&okm, 64),
        ad: sha2::sha256(&ad_input),
    })
}

/// The initiator's side, SPEC.md section 8 steps 1-7 (REQ-HS-001, REQ-HS-002):
/// checks the bundle is for `peer` and verifies it, computes DH1..DH4
/// (rejecting all-zero outputs) and
/// the ML-KEM encapsulation, derives the keys and initializes Alice's
/// ratchet. Returns the ratchet state, the prekey header every message
/// carries until Bob answers, and `AD`.
pub fn initiate(
    alice: &IdentitySecret,
    peer: &Handle,
    bob: &Bundle,
    ek_secret: &[u8; 32],
    kem_m: &[u8; 32],
    ratchet_secret: &[u8; 32],
) -> Result<(RatchetState, PrekeyHeader, [u8; 32]), Error> {
    if bob.identity.handle != *peer {
        return Err(Error::InvalidHandle);
    }
    bundle::verify(bob)?;
    let ek = public_key(ek_secret);
    let mut dhs = Vec::new();
    dhs.extend_from_slice(&dh(&alice.dh_secret, &bob.spk)?);
    dhs.extend_from_slice(&dh(ek_secret, &bob.identity.dh_pub)?);
    dhs.extend_from_slice(&dh(ek_secret, &bob.spk)?);
    if let Some((_, opk)) = bob.opk {
        dhs.extend_from_slice(&dh(ek_secret, &opk)?);
    }
    let (ss, ct) = match ml_kem::encaps_internal(&bob.pqpk, kem_m) {
        Ok(out) => out,
        Err(_) => return Err(Error::InvalidKey),
    };
    let alice_public = identity::public_of(alice);
    let t = transcript(&TranscriptKeys {
        initiator: alice_public.clone(),
        responder: bob.identity.clone(),
        spk: (bob.spk_id, bob.spk),
        opk: bob.opk,
        pqpk: (bob.pqpk_id, bob.pqpk_kind, bob.pqpk.clone()),
        ek,
        ct: ct.clone(),
    });
    let keys = derive_keys(&dhs, &ss, &t)?;
    let state = ratchet::init_alice(&keys.sk, &bob.spk, &keys.hka, &keys.nhkb, ratchet_secret)?;
    let header = PrekeyHeader {
        initiator: alice_public,
        spk_id: bob.spk_id,
        opk_id: match bob.opk {
            Some((id, _)) => Some(id),
            None => None,
        },
        pqpk_id: bob.pqpk_id,
        ek,
        ct,
    };
    Ok((state, header, keys.ad))
}

/// The first two bytes of a prekey message, `u8(0x01) || u8(0x01)`, which
/// the ratchet binds into every message's associated data (SPEC.md 9.3).
pub const PREKEY_PREFIX: [u8; 2] = [VERSION, MSG_PREKEY];

/// Encodes a prekey message around a ratchet body (SPEC.md section 8).
pub fn encode_prekey_message(header: &PrekeyHeader, body: &[u8]) -> Vec<u8> {
    let mut out = PREKEY_PREFIX.to_vec();
    out.extend_from_slice(&identity::encode(&header.initiator));
    out.extend_from_slice(&u32_be(header.spk_id));
    match header.opk_id {
        Some(id) => {
            out.push(0x01);
            out.extend_from_slice(&u32_be(id));
        }
        None => out.push(0x00),
    }
    out.extend_from_slice(&u32_be(header.pqpk_id));
    out.extend_from_slice(&enc_x25519(&header.ek));
    out.extend_from_slice(&header.ct);
    out.extend_from_slice(body);
    out
}

/// Strictly decodes a prekey message into its header and ratchet body
/// (SPEC.md section 8; REQ-ENC-003). The identity is decoded, not verified.
/// The body is the rest of the message; one shorter than an encrypted
/// header and a tag (`81 + 16` bytes, SPEC.md section 9.4) is `Malformed`
/// here, so every length error is found before any cryptographic check.
pub fn decode_prekey_message(message: &[u8]) -> Result<(PrekeyHeader, Vec<u8>), Error> {
    let pos = read_version(message, 0)?;
    let (kind, pos) = read_u8(message, pos)?;
    if kind != MSG_PREKEY {
        return Err(Error::Malformed);
    }
    let (initiator, pos) = identity::read_identity(message, pos)?;
    let (spk_id, pos) = read_u32(message, pos)?;
    let (has_opk, pos) = read_u8(message, pos)?;
    let (opk_id, pos) = match has_opk {
        0x00 => (None, pos),
        0x01 => {
            let (id, next) = read_u32(message, pos)?;
            (Some(id), next)
        }
        _ => return Err(Error::Malformed),
    };
    let (pqpk_id, pos) = read_u32(message, pos)?;
    let (ek, pos) = read_x25519(message, pos)?;
    let (ct, pos) = read_bytes(message, pos, ml_kem::CT_LEN)?;
    let body_len = message.len() - pos;
    if body_len < ENC_HEADER_LEN + TAG_LEN {
        return Err(Error::Malformed);
    }
    let (body, end) = read_bytes(message, pos, body_len)?;
    expect_end(message, end)?;
    let header = PrekeyHeader {
        initiator,
        spk_id,
        opk_id,
        pqpk_id,
        ek,
        ct,
    };
    Ok((header, body))
}

/// What the responder gets from a successful first message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The ratchet state after decrypting the first message.
    pub state: RatchetState,
    /// The prekey store with the used one-time prekeys deleted (REQ-HS-004).
    pub store: PrekeyStore,
    /// The handshake header (the initiator's identity, `EK`, ids).
    pub header: PrekeyHeader,
    /// The session's associated data `AD`.
    pub ad: [u8; 32],
    /// The first message's plaintext.
    pub plaintext: Vec<u8>,
}

/// The responder's side, SPEC.md section 8 (REQ-HS-002, REQ-HS-003,
/// REQ-HS-004): verifies the initiator's identity, looks up the named
/// prekeys, mirrors the key agreement, decrypts the first ratchet body, and
/// only then deletes the one-time prekeys. Any failure leaves `store` as it
/// was (it is borrowed, and the new store is returned only on success).
pub fn respond(
    bob: &IdentitySecret,
    store: &PrekeyStore,
    message: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<Accepted, Error> {
    let (header, body) = decode_prekey_message(message)?;
    identity::verify(&header.initiator)?;
    let spk_secret = match bundle::find_spk(store, header.spk_id) {
        Some(secret) => secret,
        None => return Err(Error::UnknownPrekey),
    };
    let opk = match header.opk_id {
        Some(id) => match bundle::find_opk(store, id) {
            Some(secret) => Some((id, secret)),
            None => return Err(Error::UnknownPrekey),
        },
        None => None,
    };
    let pq = match bundle::find_pqpk(store, header.pqpk_id) {
        Some(pq) => pq,
        None => return Err(Error::UnknownPrekey),
    };
    let mut dhs = Vec::new();
    dhs.extend_from_slice(&dh(&spk_secret, &header.initiator.dh_pub)?);
    dhs.extend_from_slice(&dh(&bob.dh_secret, &header.ek)?);
    dhs.extend_from_slice(&dh(&spk_secret, &header.ek)?);
    if let Some((_, secret)) = opk {
        dhs.extend_from_slice(&dh(&secret, &header.ek)?);
    }
    let ss = match ml_kem::decaps_internal(&pq.dk, &header.ct) {
        Ok(ss) => ss,
        Err(_) => return Err(Error::Malformed),
    };
    let spk = public_key(&spk_secret);
    let t = transcript(&TranscriptKeys {
        initiator: header.initiator.clone(),
        responder: identity::public_of(bob),
        spk: (header.spk_id, spk),
        opk: match opk {
            Some((id, secret)) => Some((id, public_key(&secret))),
            None => None,
        },
        pqpk: (pq.id, pq.kind, pq.ek.clone()),
        ek: header.ek,
        ct: header.ct.clone(),
    });
    let keys = derive_keys(&dhs, &ss, &t)?;
    let fresh = ratchet::init_bob(&keys.sk, &spk_secret, &keys.hka, &keys.nhkb);
    let (state, plaintext) =
        ratchet::decrypt(&fresh, &keys.ad, &PREKEY_PREFIX, &body, ratchet_secret)?;
    let store = bundle::consume(store, header.opk_id, header.pqpk_id);
    Ok(Accepted {
        state,
        store,
        header,
        ad: keys.ad,
        plaintext,
    })
}
