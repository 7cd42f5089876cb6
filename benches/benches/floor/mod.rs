//! The primitive floor: for each protocol operation, the primitive calls it
//! cannot avoid (derived from SPEC.md, listed above each function), written
//! as a straight-line sequence of calls into the same crates, versions and
//! features `impl/` uses. Nothing else: no encoding, no state copies, no
//! checks beyond what a primitive call does itself. Each helper below is
//! exactly one crate call (plus the fixed-size copies the call needs).
//!
//! Inputs are prepared once (`Fixture`); where an operation opens what the
//! other side sealed, the fixture holds a valid ciphertext so every open
//! runs to completion (a failed tag would return early and cost less).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chacha20poly1305::aead::inout::InOutBuf;
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Tag, XChaCha20Poly1305};
use ed25519_dalek::{Signature, VerifyingKey};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use libcrux_ml_kem::mlkem768::{self, MlKem768Ciphertext, MlKem768PrivateKey, MlKem768PublicKey};
use sha2::{Digest, Sha256};
use std::hint::black_box;

// ---------------------------------------------------------------------------
// One crate call each.

/// `PUB(sk)`: x25519-dalek fixed-base multiplication (what impl uses).
#[inline(always)]
pub fn keygen(secret: &[u8; 32]) -> [u8; 32] {
    x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(*secret)).to_bytes()
}

/// `DH(sk, pk)`: the libcrux (HACL*) ladder (what impl uses).
#[inline(always)]
pub fn dh(secret: &[u8; 32], public: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    libcrux_curve25519::hacl::scalarmult(&mut out, secret, public);
    out
}

/// `VERIFY(pk, m, s)`: ed25519-dalek `verify_strict` after decompressing `pk`.
#[inline(always)]
pub fn verify(public: &[u8; 32], msg: &[u8], sig: &[u8; 64]) {
    let vk = VerifyingKey::from_bytes(public).unwrap();
    vk.verify_strict(msg, &Signature::from_bytes(sig)).unwrap();
}

/// `HMAC(k, m)` with key set-up.
#[inline(always)]
pub fn hmac(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).unwrap();
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// `HMAC(k, a || b || ..)` without building the concatenation (the hedges
/// of SPEC.md sections 9.3 and 12 MAC a whole plaintext).
#[inline(always)]
pub fn hmac_parts(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).unwrap();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// `HKDF(salt, ikm, info, L)`: extract and expand.
#[inline(always)]
pub fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], okm: &mut [u8]) {
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, okm)
        .unwrap();
}

/// `SHA-256(m)`.
#[inline(always)]
pub fn sha256(msg: &[u8]) -> [u8; 32] {
    Sha256::digest(msg).into()
}

/// Below this many bytes the implementation seals and opens with HACL*
/// (`libcrux-chacha20poly1305`), from it on with RustCrypto; the floor does
/// the same (`xchat::crypto::aead`).
const SMALL: usize = xchat::crypto::aead::SMALL_LEN;

/// `AEAD(k, n, ad, p)` in place over `buf[..len - 16]`, tag written to the
/// last 16 bytes of `buf`.
#[inline(always)]
pub fn seal_in_place(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) {
    let (body, tag) = buf.split_at_mut(buf.len() - 16);
    if body.len() < SMALL {
        // HACL* reads and writes separate buffers.
        let mut pt = [0u8; SMALL];
        pt[..body.len()].copy_from_slice(body);
        let mut t = [0u8; 16];
        libcrux_chacha20poly1305::encrypt_detached(
            key,
            &pt[..body.len()],
            body,
            &mut t,
            aad,
            nonce,
        )
        .unwrap();
        tag.copy_from_slice(&t);
        return;
    }
    let t = ChaCha20Poly1305::new(key.into())
        .encrypt_inout_detached(nonce.into(), aad, body.into())
        .unwrap();
    tag.copy_from_slice(&t);
}

/// `AEAD-OPEN(k, n, ad, c)` in place; the plaintext is `buf[..len - 16]`.
#[inline(always)]
pub fn open_in_place(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) {
    let (body, tag) = buf.split_at_mut(buf.len() - 16);
    if body.len() < SMALL {
        let mut ct = [0u8; SMALL];
        ct[..body.len()].copy_from_slice(body);
        let tag: &[u8; 16] = (&*tag).try_into().unwrap();
        libcrux_chacha20poly1305::decrypt_detached(key, body, &ct[..body.len()], tag, aad, nonce)
            .unwrap();
        return;
    }
    let tag = Tag::try_from(&*tag).unwrap();
    ChaCha20Poly1305::new(key.into())
        .decrypt_inout_detached(nonce.into(), aad, body.into(), &tag)
        .unwrap();
}

/// XChaCha20's subkey and nonce (draft-irtf-cfrg-xchacha-03 section 2.3).
#[inline(always)]
fn x_subkey(key: &[u8; 32], nonce: &[u8; 24]) -> ([u8; 32], [u8; 12]) {
    let input: [u8; 16] = nonce[..16].try_into().unwrap();
    let subkey = chacha20::hchacha::<chacha20::R20>(key.into(), &input.into());
    let mut n12 = [0u8; 12];
    n12[4..].copy_from_slice(&nonce[16..]);
    (subkey.into(), n12)
}

/// `XAEAD(k, n, ad, p)` in place (the 41-byte header).
#[inline(always)]
pub fn xseal_in_place(key: &[u8; 32], nonce: &[u8; 24], aad: &[u8], buf: &mut [u8]) {
    if buf.len() - 16 < SMALL {
        let (subkey, n12) = x_subkey(key, nonce);
        return seal_in_place(&subkey, &n12, aad, buf);
    }
    let (body, tag) = buf.split_at_mut(buf.len() - 16);
    let t = XChaCha20Poly1305::new(key.into())
        .encrypt_inout_detached(nonce.into(), aad, body.into())
        .unwrap();
    tag.copy_from_slice(&t);
}

/// `XAEAD-OPEN(k, n, ad, c)` in place.
#[inline(always)]
pub fn xopen_in_place(key: &[u8; 32], nonce: &[u8; 24], aad: &[u8], buf: &mut [u8]) {
    if buf.len() - 16 < SMALL {
        let (subkey, n12) = x_subkey(key, nonce);
        return open_in_place(&subkey, &n12, aad, buf);
    }
    let (body, tag) = buf.split_at_mut(buf.len() - 16);
    let tag = Tag::try_from(&*tag).unwrap();
    XChaCha20Poly1305::new(key.into())
        .decrypt_inout_detached(nonce.into(), aad, body.into(), &tag)
        .unwrap();
}

const HEADER_LABEL: &[u8] = b"XCHAT-1 header";
const ROOT_LABEL: &[u8] = b"XCHAT-1 root ratchet";
const MK_LABEL: &[u8] = b"XCHAT-1 message key";
const ENV_E_LABEL: &[u8] = b"XCHAT-1 sealed sender ephemeral";
const ENV_S_LABEL: &[u8] = b"XCHAT-1 sealed sender static";
const ENV_HEDGE_LABEL: &[u8] = b"XCHAT-1 sealed sender hedge";
const ATT_KEY_LABEL: &[u8] = b"XCHAT-1 attachment key";
const ATT_CHUNK_LABEL: &[u8] = b"XCHAT-1 attachment chunk";

/// `padded(c)` length (SPEC.md section 10): Padme of `max(len + 4, 256)`.
pub fn padded_len(content_len: usize) -> usize {
    usize::try_from(xchat_spec::padding::padme(
        u64::try_from((content_len + 4).max(256)).unwrap(),
    ))
    .unwrap()
}

// ---------------------------------------------------------------------------
// Fixture.

/// Keys and messages the floors work on, prepared once.
pub struct Fixture {
    pub alice_ik: [u8; 32],
    pub alice_ik_pub: [u8; 32],
    pub alice_sig_pub: [u8; 32],
    pub alice_binding_msg: Vec<u8>,
    pub alice_binding: [u8; 64],
    pub bob_ik: [u8; 32],
    pub bob_ik_pub: [u8; 32],
    pub bob_sig_pub: [u8; 32],
    pub bob_binding_msg: Vec<u8>,
    pub bob_binding: [u8; 64],
    pub spk: [u8; 32],
    pub spk_pub: [u8; 32],
    pub spk_msg: Vec<u8>,
    pub spk_sig: [u8; 64],
    pub opk: [u8; 32],
    pub opk_pub: [u8; 32],
    pub pqpk: Vec<u8>,
    pub pqpk_dk: Vec<u8>,
    pub pqpk_msg: Vec<u8>,
    pub pqpk_sig: [u8; 64],
    /// A valid ML-KEM ciphertext for `pqpk`.
    pub ct: Vec<u8>,
    /// `"XCHAT-1 handshake" || T` and `"XCHAT-1 associated data" || T` at the
    /// real transcript length (with one-time prekey / without).
    pub hs_info: [Vec<u8>; 2],
    pub ad_input: [Vec<u8>; 2],
    pub secret1: [u8; 32],
    pub secret2: [u8; 32],
    pub secret2_pub: [u8; 32],
    pub key: [u8; 32],
    pub nonce24: [u8; 24],
    pub ad: [u8; 32],
    pub mailbox: [u8; 16],
}

impl Fixture {
    /// The floor's inputs from the spec fixtures (same keys, same lengths).
    pub fn new(p: &xchat_benches::Parties, p_no_opk: &xchat_benches::Parties) -> Self {
        use xchat_spec::{bundle, handshake, identity, ml_kem};
        let b = &p.bundle;
        let mut r = xchat_benches::rng(9);
        let secret1: [u8; 32] = xchat_benches::bytes(&mut r);
        let secret2: [u8; 32] = xchat_benches::bytes(&mut r);
        let pq = &p.store.pqpks[0];
        let (_, ct) = ml_kem::encaps_internal(&pq.ek, &secret1).unwrap();
        let transcript = |q: &xchat_benches::Parties| {
            let qb = &q.bundle;
            handshake::transcript(&handshake::TranscriptKeys {
                initiator: q.alice_public.clone(),
                responder: q.bob_public.clone(),
                spk: (qb.spk_id, qb.spk),
                opk: qb.opk,
                pqpk: (qb.pqpk_id, qb.pqpk_kind, qb.pqpk.clone()),
                ek: keygen(&secret1),
                ct: ct.clone(),
            })
        };
        let t = [transcript(p), transcript(p_no_opk)];
        let cat = |label: &[u8], t: &[u8]| [label, t].concat();
        Fixture {
            alice_ik: p.alice.dh_secret,
            alice_ik_pub: p.alice_public.dh_pub,
            alice_sig_pub: p.alice_public.sig_pub,
            alice_binding_msg: identity::binding_message(
                &p.alice.handle,
                &p.alice_public.sig_pub,
                &p.alice_public.dh_pub,
            ),
            alice_binding: p.alice_public.binding,
            bob_ik: p.bob.dh_secret,
            bob_ik_pub: p.bob_public.dh_pub,
            bob_sig_pub: b.identity.sig_pub,
            bob_binding_msg: identity::binding_message(
                &b.identity.handle,
                &b.identity.sig_pub,
                &b.identity.dh_pub,
            ),
            bob_binding: b.identity.binding,
            spk: p.store.spk_secret,
            spk_pub: b.spk,
            spk_msg: bundle::spk_message(&b.identity.handle, b.spk_id, &b.spk),
            spk_sig: b.spk_sig,
            opk: p.store.opks[0].1,
            opk_pub: b.opk.unwrap().1,
            pqpk: b.pqpk.clone(),
            pqpk_dk: pq.dk.clone(),
            pqpk_msg: bundle::pqpk_message(&b.identity.handle, b.pqpk_id, b.pqpk_kind, &b.pqpk),
            pqpk_sig: b.pqpk_sig,
            ct,
            hs_info: [
                cat(b"XCHAT-1 handshake", &t[0]),
                cat(b"XCHAT-1 handshake", &t[1]),
            ],
            ad_input: [
                cat(b"XCHAT-1 associated data", &t[0]),
                cat(b"XCHAT-1 associated data", &t[1]),
            ],
            secret1,
            secret2,
            secret2_pub: keygen(&secret2),
            key: xchat_benches::bytes(&mut r),
            nonce24: xchat_benches::bytes(&mut r),
            ad: xchat_benches::bytes(&mut r),
            mailbox: p.bob_mailbox,
        }
    }
}

// ---------------------------------------------------------------------------
// Ratchet messages (SPEC.md sections 9.3-9.5, 10).

/// A message on the wire as the floor lays it out:
/// `prefix (2) || nonce (24) || XAEAD(header) (41 + 16) || AEAD(padded) (P + 16)`.
pub struct Wire {
    pub bytes: Vec<u8>,
}

/// Sender, one message on an established chain (SPEC.md 9.3, 10):
/// `KDF_CK` (2 HMAC), the padding copy, `MSGKEYS` (HKDF of 76 B), `HEDGE`
/// (1 HMAC over `r` and the padded content), `HENCRYPT` (1 XAEAD seal of
/// 41 B), `ENCRYPT` (1 AEAD seal of the padded content).
#[inline(always)]
pub fn message_send(f: &Fixture, ck: &[u8; 32], content: &[u8]) -> Wire {
    let p = padded_len(content.len());
    // KDF_CK.
    let mk = hmac(ck, &[0x01]);
    let next_ck = hmac(ck, &[0x02]);
    black_box(&next_ck);
    // One buffer for the whole message; the padding copy.
    let mut out = vec![0u8; 2 + 81 + p + 16];
    out[0] = 0x01;
    out[1] = 0x02;
    out[26] = 0x01;
    out[27..59].copy_from_slice(&f.secret2_pub);
    // pn, n left zero (u32 fields).
    out[83..87].copy_from_slice(&u32::try_from(content.len()).unwrap().to_be_bytes());
    out[87..87 + content.len()].copy_from_slice(content);
    // MSGKEYS, then the hedged header nonce over r and the padded content.
    let mut okm = [0u8; 76];
    hkdf(&[0u8; 32], &mk, MK_LABEL, &mut okm);
    let tag = hmac_parts(&okm[44..], &[&f.nonce24, &out[83..83 + p]]);
    out[2..26].copy_from_slice(&tag[..24]);
    let nonce: [u8; 24] = tag[..24].try_into().unwrap();
    // HENCRYPT.
    {
        let (head, _) = out.split_at_mut(83);
        xseal_in_place(&f.key, &nonce, HEADER_LABEL, &mut head[26..83]);
    }
    // ENCRYPT: the body under key, nonce_base XOR nonce[0..12].
    let mut aad = [0u8; 32 + 2 + 81];
    aad[..32].copy_from_slice(&f.ad);
    aad[32..].copy_from_slice(&out[..83]);
    let mut body_nonce = [0u8; 12];
    for i in 0..12 {
        body_nonce[i] = okm[32 + i] ^ nonce[i];
    }
    let (_, body) = out.split_at_mut(83);
    seal_in_place(okm[..32].try_into().unwrap(), &body_nonce, &aad, body);
    Wire { bytes: out }
}

/// Receiver, one message of the current chain (SPEC.md 9.5 steps 2 and 4,
/// 10): `HDECRYPT` (1 XAEAD open), `KDF_CK` (2 HMAC), `DECRYPT` (`MSGKEYS`:
/// HKDF of 76 B; 1 AEAD open), and the copy out of the padding.
#[inline(always)]
pub fn message_receive(f: &Fixture, ck: &[u8; 32], wire: &Wire) -> Vec<u8> {
    let m = &wire.bytes;
    let nonce: [u8; 24] = m[2..26].try_into().unwrap();
    let mut header = [0u8; 57];
    header.copy_from_slice(&m[26..83]);
    xopen_in_place(&f.key, &nonce, HEADER_LABEL, &mut header);
    let mk = hmac(ck, &[0x01]);
    let next_ck = hmac(ck, &[0x02]);
    black_box(&next_ck);
    let mut okm = [0u8; 76];
    hkdf(&[0u8; 32], &mk, MK_LABEL, &mut okm);
    let mut aad = [0u8; 32 + 2 + 81];
    aad[..32].copy_from_slice(&f.ad);
    aad[32..].copy_from_slice(&m[..83]);
    let mut body = m[83..].to_vec();
    let mut body_nonce = [0u8; 12];
    for i in 0..12 {
        body_nonce[i] = okm[32 + i] ^ nonce[i];
    }
    open_in_place(okm[..32].try_into().unwrap(), &body_nonce, &aad, &mut body);
    let len = usize::try_from(u32::from_be_bytes(body[..4].try_into().unwrap())).unwrap();
    body.truncate(4 + len);
    body.drain(..4);
    body
}

/// The DH ratchet step of a receiver whose peer answered (SPEC.md 9.5
/// step 3): 2 DH, 1 key generation, 2 `KDF_RK_HE` (HKDF of 96 B each).
#[inline(always)]
pub fn dh_ratchet_step(f: &Fixture, rk: &[u8; 32], their_pub: &[u8; 32]) -> [u8; 32] {
    let dh1 = dh(&f.secret1, their_pub);
    let mut okm1 = [0u8; 96];
    hkdf(rk, &dh1, ROOT_LABEL, &mut okm1);
    let new_pub = keygen(&f.secret2);
    let dh2 = dh(&f.secret2, their_pub);
    let mut okm2 = [0u8; 96];
    hkdf(&okm1[..32], &dh2, ROOT_LABEL, &mut okm2);
    black_box((&okm2, &new_pub));
    okm2[..32].try_into().unwrap()
}

// ---------------------------------------------------------------------------
// Handshake (SPEC.md sections 7-9).

/// Initiator: start a session from a bundle and encrypt the first message
/// (SPEC.md 7, 8 steps 1-7, 9.2, 9.3). Unavoidable:
/// - bundle verification (REQ-BUNDLE-002): 3 Ed25519 verifications (the
///   identity binding, `spk_sig`, `pqpk_sig`) and the FIPS 203 modulus check;
/// - `EK = PUB(ek_secret)`: 1 key generation;
/// - `DH1..DH3` (+ `DH4` with a one-time prekey): 3 or 4 DH;
/// - `KEM.Encaps`: 1 encapsulation;
/// - the key derivation: HKDF (L = 96) over `info = label || T` (~2.5 KB),
///   `AD = SHA-256(label || T)`;
/// - `RatchetInitAlice`: 1 key generation, 1 DH, 1 `KDF_RK_HE` (HKDF, L = 96);
/// - the first message: as [`message_send`] (2 HMAC, HKDF of 76 B, 1 HMAC
///   over the padded content, 1 XAEAD seal, 1 AEAD seal of the padded
///   content).
///
/// So: 3 verify + 2 keygen + 4 or 5 DH + encaps + 4 HKDF + 1 SHA-256 +
/// 3 HMAC + 2 AEAD.
pub fn handshake_initiator(f: &Fixture, with_opk: bool, first: &[u8]) -> (Wire, [u8; 32]) {
    verify(&f.bob_sig_pub, &f.bob_binding_msg, &f.bob_binding);
    verify(&f.bob_sig_pub, &f.spk_msg, &f.spk_sig);
    verify(&f.bob_sig_pub, &f.pqpk_msg, &f.pqpk_sig);
    let pk = MlKem768PublicKey::try_from(f.pqpk.as_slice()).unwrap();
    assert!(mlkem768::validate_public_key(&pk));
    let ek = keygen(&f.secret1);
    let mut km = [0xffu8; 32 * 6];
    km[32..64].copy_from_slice(&dh(&f.alice_ik, &f.spk_pub));
    km[64..96].copy_from_slice(&dh(&f.secret1, &f.bob_ik_pub));
    km[96..128].copy_from_slice(&dh(&f.secret1, &f.spk_pub));
    let km_len = if with_opk {
        km[128..160].copy_from_slice(&dh(&f.secret1, &f.opk_pub));
        192
    } else {
        160
    };
    let (ct, ss) = mlkem768::encapsulate(&pk, f.secret2);
    km[km_len - 32..km_len].copy_from_slice(&ss);
    let which = usize::from(!with_opk);
    let mut okm = [0u8; 96];
    hkdf(&[0u8; 32], &km[..km_len], &f.hs_info[which], &mut okm);
    let ad = sha256(&f.ad_input[which]);
    // RatchetInitAlice.
    let dhs_pub = keygen(&f.secret2);
    let dh0 = dh(&f.secret2, &f.spk_pub);
    let mut root = [0u8; 96];
    hkdf(&okm[..32], &dh0, ROOT_LABEL, &mut root);
    black_box((&ek, &ct, &ad, &dhs_pub));
    // The first message on the new sending chain.
    let ck: [u8; 32] = root[32..64].try_into().unwrap();
    (message_send(f, &ck, first), ck)
}

/// Responder: accept the first prekey message (SPEC.md 8 responder steps
/// 1-5, 9.2, 9.5). Unavoidable:
/// - the initiator's identity binding: 1 Ed25519 verification;
/// - `DH1..DH3` (+ `DH4`) mirrored: 3 or 4 DH;
/// - `KEM.Decaps`: 1 decapsulation;
/// - the key derivation: HKDF (L = 96) over `label || T`, SHA-256 for `AD`;
/// - the first ratchet body: `HDECRYPT` under `NHKr = HKA` (1 XAEAD open),
///   the DH ratchet step (2 DH, 1 key generation, 2 `KDF_RK_HE`), `KDF_CK`
///   (2 HMAC), HKDF of 76 B and the AEAD open of the body.
///
/// So: 1 verify + 1 keygen + 5 or 6 DH + decaps + 4 HKDF + 1 SHA-256 +
/// 2 HMAC + 2 AEAD. (The FIPS 203 section 7.3 input check of the stored
/// decapsulation key is not counted: the key is our own.)
///
/// `ck` is the receiving chain key the derivation yields in a real run (the
/// floor's fixed inputs do not chain the two sides' keys together).
pub fn handshake_responder(f: &Fixture, with_opk: bool, wire: &Wire, ck: &[u8; 32]) -> Vec<u8> {
    verify(&f.alice_sig_pub, &f.alice_binding_msg, &f.alice_binding);
    let ek = f.secret2_pub;
    let mut km = [0xffu8; 32 * 6];
    km[32..64].copy_from_slice(&dh(&f.spk, &f.alice_ik_pub));
    km[64..96].copy_from_slice(&dh(&f.bob_ik, &ek));
    km[96..128].copy_from_slice(&dh(&f.spk, &ek));
    let km_len = if with_opk {
        km[128..160].copy_from_slice(&dh(&f.opk, &ek));
        192
    } else {
        160
    };
    let dk = MlKem768PrivateKey::try_from(f.pqpk_dk.as_slice()).unwrap();
    let ct = MlKem768Ciphertext::try_from(f.ct.as_slice()).unwrap();
    let ss = mlkem768::decapsulate(&dk, &ct);
    km[km_len - 32..km_len].copy_from_slice(&ss);
    let which = usize::from(!with_opk);
    let mut okm = [0u8; 96];
    hkdf(&[0u8; 32], &km[..km_len], &f.hs_info[which], &mut okm);
    let ad = sha256(&f.ad_input[which]);
    black_box(&ad);
    black_box(dh_ratchet_step(
        f,
        okm[..32].try_into().unwrap(),
        &f.alice_ik_pub,
    ));
    message_receive(f, ck, wire)
}

// ---------------------------------------------------------------------------
// Envelope (SPEC.md section 12).

/// Seal: the hedge `e = HMAC(IKdh_S, label || r || mailbox || EncX(IKdh_R)
/// || payload)` (1 HMAC over the payload), `E = PUB(e)` (1 key generation),
/// `DHe` and `DHs` (2 DH), HKDF (L = 64) and HKDF (L = 32), AEAD seal of
/// `EncIdentity(S)` (147 B) and of the payload. With `static_dh`, `DHs` is
/// the one a contact remembers (SPEC.md section 12 allows caching it), so
/// only `DHe` is computed.
pub fn envelope_seal(
    f: &Fixture,
    sender_identity: &[u8],
    payload: &[u8],
    static_dh: Option<&[u8; 32]>,
) -> Vec<u8> {
    let mut out = vec![0u8; 1 + 16 + 32 + 163 + payload.len() + 16];
    out[0] = 0x01;
    out[1..17].copy_from_slice(&f.mailbox);
    let mut rcpt = [0x01u8; 33];
    rcpt[1..].copy_from_slice(&f.bob_ik_pub);
    let e = hmac_parts(
        &f.alice_ik,
        &[ENV_HEDGE_LABEL, &f.secret1, &f.mailbox, &rcpt, payload],
    );
    let e_pub = keygen(&e);
    out[17..49].copy_from_slice(&e_pub);
    let dh_e = dh(&e, &f.bob_ik_pub);
    let mut info = [0u8; 31 + 16 + 33 + 33];
    info[..31].copy_from_slice(ENV_E_LABEL);
    info[31..47].copy_from_slice(&f.mailbox);
    info[47] = 0x01;
    info[48..80].copy_from_slice(&e_pub);
    info[80] = 0x01;
    info[81..113].copy_from_slice(&f.bob_ik_pub);
    let mut okm1 = [0u8; 64];
    hkdf(&[0u8; 32], &dh_e, &info, &mut okm1);
    out[49..49 + 147].copy_from_slice(sender_identity);
    {
        let (ad1, rest) = out.split_at_mut(49);
        seal_in_place(
            okm1[32..].try_into().unwrap(),
            &[0u8; 12],
            ad1,
            &mut rest[..163],
        );
    }
    let dh_s = static_dh.map_or_else(|| dh(&f.alice_ik, &f.bob_ik_pub), |k| *k);
    let mut info2 = [0u8; 28 + 163];
    info2[..28].copy_from_slice(ENV_S_LABEL);
    info2[28..].copy_from_slice(&out[49..212]);
    let mut k2 = [0u8; 32];
    hkdf(&okm1[..32], &dh_s, &info2, &mut k2);
    out[212..212 + payload.len()].copy_from_slice(payload);
    let (ad2, rest) = out.split_at_mut(212);
    seal_in_place(&k2, &[0u8; 12], ad2, rest);
    out
}

/// Open: `DHe` and `DHs` (2 DH), the two HKDFs, AEAD open of `c1` and of
/// `c2`; with `verify_sender`, also the Ed25519 verification of the sender's
/// identity binding (REQ-ID-001), which an implementation may skip only if
/// it caches identities it verified before. With `static_dh`, the
/// remembered `DHs` (as for [`envelope_seal`]).
pub fn envelope_open(
    f: &Fixture,
    envelope: &[u8],
    verify_sender: bool,
    static_dh: Option<&[u8; 32]>,
) -> Vec<u8> {
    let e_pub: [u8; 32] = envelope[17..49].try_into().unwrap();
    let dh_e = dh(&f.bob_ik, &e_pub);
    let mut info = [0u8; 31 + 16 + 33 + 33];
    info[..31].copy_from_slice(ENV_E_LABEL);
    info[31..47].copy_from_slice(&f.mailbox);
    info[47] = 0x01;
    info[48..80].copy_from_slice(&e_pub);
    info[80] = 0x01;
    info[81..113].copy_from_slice(&f.bob_ik_pub);
    let mut okm1 = [0u8; 64];
    hkdf(&[0u8; 32], &dh_e, &info, &mut okm1);
    let mut c1 = [0u8; 163];
    c1.copy_from_slice(&envelope[49..212]);
    open_in_place(
        okm1[32..].try_into().unwrap(),
        &[0u8; 12],
        &envelope[..49],
        &mut c1,
    );
    if verify_sender {
        verify(&f.alice_sig_pub, &f.alice_binding_msg, &f.alice_binding);
    }
    let dh_s = static_dh.map_or_else(|| dh(&f.bob_ik, &f.alice_ik_pub), |k| *k);
    let mut info2 = [0u8; 28 + 163];
    info2[..28].copy_from_slice(ENV_S_LABEL);
    info2[28..].copy_from_slice(&envelope[49..212]);
    let mut k2 = [0u8; 32];
    hkdf(&okm1[..32], &dh_s, &info2, &mut k2);
    let mut payload = envelope[212..].to_vec();
    open_in_place(&k2, &[0u8; 12], &envelope[..212], &mut payload);
    payload.truncate(payload.len() - 16);
    payload
}

// ---------------------------------------------------------------------------
// Attachments (SPEC.md section 13).

const CHUNK: usize = 65536;

fn chunk_nonce(i: usize, last: bool) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&u64::try_from(i).unwrap().to_be_bytes());
    n[11] = u8::from(last);
    n
}

/// `enc_key` and `commitment` of attachment key `key` (SPEC.md section 13
/// step 1): one HKDF, a fixed cost per attachment.
fn attachment_keys(key: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let mut okm = [0u8; 64];
    hkdf(&[0u8; 32], key, ATT_KEY_LABEL, &mut okm);
    (okm[..32].try_into().unwrap(), okm[32..].try_into().unwrap())
}

/// Seal (file length a multiple of `CHUNK`, so `padme` adds nothing): the
/// key derivation, the commitment, the copy of each chunk into the
/// ciphertext and one AEAD seal per chunk. No hash of the data: this is the
/// ChaCha20-Poly1305 floor (plus the copy into a fresh output buffer that
/// any non-in-place API needs).
pub fn attachment_seal(key: &[u8; 32], file: &[u8]) -> Vec<u8> {
    let (enc_key, commitment) = attachment_keys(key);
    let n = file.len() / CHUNK;
    let mut out = vec![0u8; 32 + file.len() + 16 * n];
    out[..32].copy_from_slice(&commitment);
    for (i, (src, dst)) in file
        .chunks(CHUNK)
        .zip(out[32..].chunks_mut(CHUNK + 16))
        .enumerate()
    {
        dst[..CHUNK].copy_from_slice(src);
        seal_in_place(&enc_key, &chunk_nonce(i, i + 1 == n), ATT_CHUNK_LABEL, dst);
    }
    out
}

/// Open: the key derivation, the commitment check, the copy of each chunk
/// into the output and one AEAD open per chunk.
pub fn attachment_open(key: &[u8; 32], ciphertext: &[u8]) -> Vec<u8> {
    let (enc_key, commitment) = attachment_keys(key);
    assert_eq!(&ciphertext[..32], &commitment);
    let body = &ciphertext[32..];
    let n = body.len() / (CHUNK + 16);
    let mut out = vec![0u8; body.len() - 16 * n];
    for (i, (src, dst)) in body
        .chunks(CHUNK + 16)
        .zip(out.chunks_mut(CHUNK))
        .enumerate()
    {
        let (ct, tag) = src.split_at(CHUNK);
        dst.copy_from_slice(ct);
        let tag = Tag::try_from(tag).unwrap();
        ChaCha20Poly1305::new((&enc_key).into())
            .decrypt_inout_detached(
                (&chunk_nonce(i, i + 1 == n)).into(),
                ATT_CHUNK_LABEL,
                dst.into(),
                &tag,
            )
            .unwrap();
    }
    out
}

/// The bare AEAD over a buffer of sealed-chunk slots, in place: no
/// allocation, no copy, no key derivation. The lower bound below the floor,
/// for reference ("ChaCha20-Poly1305 alone").
pub fn attachment_aead_in_place(key: &[u8; 32], buf: &mut [u8]) {
    let n = buf.len() / (CHUNK + 16);
    for (i, slot) in buf.chunks_mut(CHUNK + 16).enumerate() {
        seal_in_place(key, &chunk_nonce(i, i + 1 == n), ATT_CHUNK_LABEL, slot);
    }
}

/// The bare AEAD open of every sealed chunk of `body` (an attachment
/// ciphertext after its commitment, sealed under `key`'s chunk key) from
/// the ciphertext into `plain`: no allocation, no key derivation in the
/// loop but the one below, no commitment check. The open counterpart of
/// [`attachment_aead_in_place`].
pub fn attachment_aead_open_to(key: &[u8; 32], body: &[u8], plain: &mut [u8]) {
    let (enc_key, _) = attachment_keys(key);
    let cipher = ChaCha20Poly1305::new((&enc_key).into());
    let n = body.len() / (CHUNK + 16);
    for (i, (src, dst)) in body
        .chunks(CHUNK + 16)
        .zip(plain.chunks_mut(CHUNK))
        .enumerate()
    {
        let (ct, tag) = src.split_at(CHUNK);
        let tag = Tag::try_from(tag).unwrap();
        cipher
            .decrypt_inout_detached(
                (&chunk_nonce(i, i + 1 == n)).into(),
                ATT_CHUNK_LABEL,
                InOutBuf::new(ct, dst).unwrap(),
                &tag,
            )
            .unwrap();
    }
}

/// A 1 KiB ratchet message sealed to the published mailbox between pinned,
/// verified contacts (SPEC.md sections 9 and 12; the `pairwise/sealed`
/// path): the ratchet message floor plus the envelope with `DHs`
/// remembered, that is one key generation and two DH (`DHe` on each side),
/// the envelope's HKDFs and its two AEADs, and no signature verification.
pub fn sealed_message(
    f: &Fixture,
    ck: &[u8; 32],
    content: &[u8],
    sender_identity: &[u8],
    static_dh: &[u8; 32],
) -> Vec<u8> {
    let wire = message_send(f, ck, content);
    let sealed = envelope_seal(f, sender_identity, &wire.bytes, Some(static_dh));
    let opened = envelope_open(f, &sealed, false, Some(static_dh));
    message_receive(f, ck, &Wire { bytes: opened })
}
