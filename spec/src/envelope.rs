//! Sealed-sender envelopes (SPEC.md section 12): the only thing a relay
//! sees. The sender's identity is encrypted to the recipient's identity key
//! under an ephemeral DH, and the payload under a key that also depends on
//! the static-static DH of the two identity keys (the two layers of
//! Signal's sealed sender).
//!
//! ```text
//! Envelope = u8(0x01) || mailbox (16) || E (32) || c1 (163) || c2 (len(payload) + 16)
//! ```

use crate::encoding::{enc_x25519, read_array32, read_bytes, read_version, VERSION};
use crate::identity::{self, IdentityPublic, IdentitySecret, IDENTITY_LEN};
use crate::suite::{
    dh, kdf, key_at, public_key, LABEL_SEALED_EPHEMERAL, LABEL_SEALED_HEDGE, LABEL_SEALED_STATIC,
};
use crate::{chacha20poly1305, hmac, Error};

/// Length of a mailbox id (SPEC.md section 12).
pub const MAILBOX_LEN: usize = 16;
/// Length of `c1`: `EncIdentity` and its tag (SPEC.md section 12).
pub const C1_LEN: usize = IDENTITY_LEN + chacha20poly1305::TAG_LEN;
/// Length of an envelope without `c2`: `1 + 16 + 32 + 163` (SPEC.md section 12).
pub const HEADER_LEN: usize = 1 + MAILBOX_LEN + 32 + C1_LEN;

/// Length of the envelope that carries a payload of `payload_len` bytes
/// (SPEC.md section 12).
pub fn envelope_len(payload_len: usize) -> usize {
    HEADER_LEN + payload_len + chacha20poly1305::TAG_LEN
}

/// Both AEADs of the envelope use the all-zero nonce: each key depends on
/// `e`, which depends on the sender's fresh randomness and on everything
/// sealed, so a key seals a second plaintext only if all of them repeat
/// (SPEC.md section 12, REQ-ENV-005).
const ZERO_NONCE: [u8; 12] = [0u8; 12];

/// Step 1, first part: the hedged ephemeral secret
/// `e = HMAC(IKdh_S secret, "XCHAT-1 sealed sender hedge" || r || mailbox || EncX(IKdh_R) || payload)`
/// (SPEC.md section 12, REQ-ENV-001, REQ-ENV-005). A repeated `r` with
/// another payload, mailbox or recipient gives another `e`, so the zero
/// nonces never meet one key twice with different plaintexts.
pub fn hedge_ephemeral(
    sender_dh_secret: &[u8; 32],
    r: &[u8; 32],
    mailbox: &[u8; MAILBOX_LEN],
    recipient_dh_pub: &[u8; 32],
    payload: &[u8],
) -> [u8; 32] {
    let mut input = LABEL_SEALED_HEDGE.to_vec();
    input.extend_from_slice(r);
    input.extend_from_slice(mailbox);
    input.extend_from_slice(&enc_x25519(recipient_dh_pub));
    input.extend_from_slice(payload);
    hmac::hmac_sha256(sender_dh_secret, &input)
}

/// Step 2: `(chain, k1)` from
/// `HKDF(zeros(32), DHe, "XCHAT-1 sealed sender ephemeral" || mailbox || EncX(E) || EncX(IKdh_R), 64)`
/// (SPEC.md section 12, REQ-ENV-001).
pub fn ephemeral_keys(
    dh_e: &[u8; 32],
    mailbox: &[u8; MAILBOX_LEN],
    e_pub: &[u8; 32],
    recipient_dh_pub: &[u8; 32],
) -> Result<([u8; 32], [u8; 32]), Error> {
    let mut info = LABEL_SEALED_EPHEMERAL.to_vec();
    info.extend_from_slice(mailbox);
    info.extend_from_slice(&enc_x25519(e_pub));
    info.extend_from_slice(&enc_x25519(recipient_dh_pub));
    let okm = kdf(&[0u8; 32], dh_e, &info, 64)?;
    Ok((key_at(&okm, 0), key_at(&okm, 32)))
}

/// Step 4: `k2 = HKDF(chain, DHs, "XCHAT-1 sealed sender static" || c1, 32)`
/// (SPEC.md section 12, REQ-ENV-001).
pub fn static_key(chain: &[u8; 32], dh_s: &[u8; 32], c1: &[u8]) -> Result<[u8; 32], Error> {
    let mut info = LABEL_SEALED_STATIC.to_vec();
    info.extend_from_slice(c1);
    let okm = kdf(chain, dh_s, &info, 32)?;
    Ok(key_at(&okm, 0))
}

/// The associated data of `c1`: `u8(0x01) || mailbox || E` (SPEC.md
/// section 12, step 3).
fn ad1(mailbox: &[u8; MAILBOX_LEN], e_pub: &[u8; 32]) -> Vec<u8> {
    let mut ad = vec![VERSION];
    ad.extend_from_slice(mailbox);
    ad.extend_from_slice(e_pub);
    ad
}

/// The associated data of `c2`: `u8(0x01) || mailbox || E || c1` (SPEC.md
/// section 12, step 5).
fn ad2(mailbox: &[u8; MAILBOX_LEN], e_pub: &[u8; 32], c1: &[u8]) -> Vec<u8> {
    let mut ad = ad1(mailbox, e_pub);
    ad.extend_from_slice(c1);
    ad
}

/// `AEAD-OPEN` with the protocol's error kinds: a failed tag is
/// `AuthenticationFailed`; a ciphertext too long for RFC 8439 is
/// `Malformed` (SPEC.md section 3).
fn aead_open(key: &[u8; 32], ad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, Error> {
    match chacha20poly1305::open(key, &ZERO_NONCE, ad, ciphertext) {
        Ok(p) => Ok(p),
        Err(Error::AuthenticationFailed) => Err(Error::AuthenticationFailed),
        Err(_) => Err(Error::Malformed),
    }
}

/// Seals `payload` from `sender` to the identity key `recipient_dh_pub` and
/// mailbox `mailbox`, with 32 fresh random bytes `r` (SPEC.md section 12
/// steps 1-6, REQ-ENV-001, REQ-ENV-003, REQ-ENV-005, REQ-SUITE-001). Either
/// DH output all zero is `NonContributory`; a payload longer than RFC 8439
/// allows is `Malformed`.
pub fn seal(
    sender: &IdentitySecret,
    recipient_dh_pub: &[u8; 32],
    mailbox: &[u8; 16],
    payload: &[u8],
    r: &[u8; 32],
) -> Result<Vec<u8>, Error> {
    if !chacha20poly1305::pre_seal(payload.len()) {
        return Err(Error::Malformed);
    }
    // Step 1: e is hedged, so that a repeated r alone repeats no key.
    let ephemeral = hedge_ephemeral(&sender.dh_secret, r, mailbox, recipient_dh_pub, payload);
    let e_pub = public_key(&ephemeral);
    let dh_e = dh(&ephemeral, recipient_dh_pub)?;
    // Step 2.
    let (chain, k1) = ephemeral_keys(&dh_e, mailbox, &e_pub, recipient_dh_pub)?;
    // Step 3: the sender's identity, readable only with IKdh_R's secret.
    let sender_public = identity::public_of(sender);
    let c1 = chacha20poly1305::seal(
        &k1,
        &ZERO_NONCE,
        &ad1(mailbox, &e_pub),
        &identity::encode(&sender_public),
    );
    // Step 4: the static-static DH authenticates the sender.
    let dh_s = dh(&sender.dh_secret, recipient_dh_pub)?;
    let k2 = static_key(&chain, &dh_s, &c1)?;
    // Step 5.
    let c2 = chacha20poly1305::seal(&k2, &ZERO_NONCE, &ad2(mailbox, &e_pub, &c1), payload);
    // Step 6.
    let mut out = ad2(mailbox, &e_pub, &c1);
    out.extend_from_slice(&c2);
    Ok(out)
}

/// Opens an envelope with the recipient's identity secret, in the order of
/// SPEC.md section 12 "Opening": version (`UnsupportedVersion`), lengths
/// (`Malformed`), mailbox (`WrongRecipient`), `DHe` (`NonContributory`),
/// `c1` (`AuthenticationFailed`), the sender identity's decoding and binding
/// (`InvalidSignature`, REQ-ID-001), `DHs` (`NonContributory`), `c2`
/// (`AuthenticationFailed`). Returns the verified sender identity and the
/// payload; the caller checks the sender against the session's peer
/// (REQ-ENV-001, REQ-ENV-002, REQ-ENV-004, REQ-SUITE-001).
pub fn open(
    recipient: &IdentitySecret,
    mailbox: &[u8; 16],
    envelope: &[u8],
) -> Result<(IdentityPublic, Vec<u8>), Error> {
    let p = read_version(envelope, 0)?;
    let (env_mailbox, p) = read_bytes(envelope, p, MAILBOX_LEN)?;
    let (e_pub, p) = read_array32(envelope, p)?;
    let (c1, p) = read_bytes(envelope, p, C1_LEN)?;
    if envelope.len() < p + chacha20poly1305::TAG_LEN {
        return Err(Error::Malformed);
    }
    let c2 = &envelope[p..];
    if env_mailbox.as_slice() != mailbox.as_slice() {
        return Err(Error::WrongRecipient);
    }
    let recipient_dh_pub = public_key(&recipient.dh_secret);
    let dh_e = dh(&recipient.dh_secret, &e_pub)?;
    let (chain, k1) = ephemeral_keys(&dh_e, mailbox, &e_pub, &recipient_dh_pub)?;
    let sender_encoding = aead_open(&k1, &ad1(mailbox, &e_pub), &c1)?;
    let sender = identity::decode(&sender_encoding)?;
    identity::verify(&sender)?;
    let dh_s = dh(&recipient.dh_secret, &sender.dh_pub)?;
    let k2 = static_key(&chain, &dh_s, &c1)?;
    let payload = aead_open(&k2, &ad2(mailbox, &e_pub, &c1), c2)?;
    Ok((sender, payload))
}
