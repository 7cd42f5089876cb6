//! Sealed-sender envelopes (SPEC.md section 12): the only thing a relay
//! sees; mirrors `xchat_spec::envelope`.
//!
//! ```text
//! Envelope = u8(0x01) || mailbox (16) || E (32) || c1 (163) || c2 (len(payload) + 16)
//! ```
//!
//! The sender's identity (`c1`) is encrypted under a key from an ephemeral
//! DH with the recipient's identity key; the payload (`c2`) under a key that
//! also depends on the static-static DH of the two identity keys.

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::{aead, hash, random_array, x25519};
use crate::encoding::{
    enc_x25519, Reader, LABEL_SEALED_EPHEMERAL, LABEL_SEALED_HEDGE, LABEL_SEALED_STATIC, VERSION,
};
use crate::identity::{self, IdentityPublic, IdentitySecret, IDENTITY_LEN};
use crate::Error;

/// Length of a mailbox id (SPEC.md section 12).
pub const MAILBOX_LEN: usize = 16;
/// Length of `c1`: `EncIdentity` and its tag (SPEC.md section 12).
pub const C1_LEN: usize = IDENTITY_LEN + aead::TAG_LEN;
/// Length of an envelope without `c2`: `1 + 16 + 32 + 163` (SPEC.md section 12).
pub const HEADER_LEN: usize = 1 + MAILBOX_LEN + 32 + C1_LEN;

/// Both AEADs use the all-zero nonce: each key depends on the hedged `e`,
/// so it seals a second plaintext only if the randomness and everything
/// sealed repeat too (SPEC.md section 12, REQ-ENV-005).
const ZERO_NONCE: [u8; 12] = [0u8; 12];

/// Length of the envelope that carries a payload of `payload_len` bytes
/// (SPEC.md section 12).
pub fn envelope_len(payload_len: usize) -> usize {
    HEADER_LEN
        .saturating_add(payload_len)
        .saturating_add(aead::TAG_LEN)
}

/// Step 1, first part: the hedged ephemeral secret
/// `e = HMAC(IKdh_S secret, "XCHAT-1 sealed sender hedge" || r || mailbox || EncX(IKdh_R) || payload)`
/// (SPEC.md section 12, REQ-ENV-001, REQ-ENV-005): a repeated `r` with
/// another payload, mailbox or recipient gives another `e`.
pub fn hedge_ephemeral(
    sender_dh_secret: &[u8; 32],
    r: &[u8; 32],
    mailbox: &[u8; MAILBOX_LEN],
    recipient_dh_pub: &[u8; 32],
    payload: &[u8],
) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(hash::hmac_sha256_parts(
        sender_dh_secret,
        &[
            LABEL_SEALED_HEDGE,
            r,
            mailbox,
            &enc_x25519(recipient_dh_pub),
            payload,
        ],
    ))
}

/// `(chain, k1)`, the two halves of a 64-byte KDF output.
type EphemeralKeys = (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>);

/// Step 2: `(chain, k1)` from
/// `HKDF(zeros(32), DHe, "XCHAT-1 sealed sender ephemeral" || mailbox || EncX(E) || EncX(IKdh_R), 64)`
/// (SPEC.md section 12, REQ-ENV-001).
pub fn ephemeral_keys(
    dh_e: &[u8; 32],
    mailbox: &[u8; MAILBOX_LEN],
    e_pub: &[u8; 32],
    recipient_dh_pub: &[u8; 32],
) -> Result<EphemeralKeys, Error> {
    let mut info = Vec::with_capacity(LABEL_SEALED_EPHEMERAL.len() + MAILBOX_LEN + 66);
    info.extend_from_slice(LABEL_SEALED_EPHEMERAL);
    info.extend_from_slice(mailbox);
    info.extend_from_slice(&enc_x25519(e_pub));
    info.extend_from_slice(&enc_x25519(recipient_dh_pub));
    let mut okm = Zeroizing::new([0u8; 64]);
    hash::hkdf_sha256(&[0u8; 32], dh_e, &info, okm.as_mut_slice()).map_err(|_| Error::Malformed)?;
    let (chain, k1) = okm.split_at(32);
    let mut out = (Zeroizing::new([0u8; 32]), Zeroizing::new([0u8; 32]));
    out.0.copy_from_slice(chain);
    out.1.copy_from_slice(k1);
    Ok(out)
}

/// Step 4: `k2 = HKDF(chain, DHs, "XCHAT-1 sealed sender static" || c1, 32)`
/// (SPEC.md section 12, REQ-ENV-001).
pub fn static_key(
    chain: &[u8; 32],
    dh_s: &[u8; 32],
    c1: &[u8],
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut info = Vec::with_capacity(LABEL_SEALED_STATIC.len() + c1.len());
    info.extend_from_slice(LABEL_SEALED_STATIC);
    info.extend_from_slice(c1);
    let mut k2 = Zeroizing::new([0u8; 32]);
    hash::hkdf_sha256(chain, dh_s, &info, k2.as_mut_slice()).map_err(|_| Error::Malformed)?;
    Ok(k2)
}

/// `AEAD-OPEN` with the protocol's error kinds: a failed tag is
/// [`Error::AuthenticationFailed`]; a ciphertext too long for RFC 8439 is
/// [`Error::Malformed`] (SPEC.md section 3).
fn aead_open(key: &[u8; 32], ad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, Error> {
    aead::open(key, &ZERO_NONCE, ad, ciphertext).map_err(|e| match e {
        Error::AuthenticationFailed => Error::AuthenticationFailed,
        _ => Error::Malformed,
    })
}

/// Seals `payload` from `sender` to the identity key `recipient_dh_pub` and
/// mailbox `mailbox` (SPEC.md section 12 steps 1-6, REQ-ENV-001, REQ-ENV-005,
/// REQ-ENV-003, REQ-SUITE-001).
///
/// Randomness: one draw of 32 bytes, the spec's `r`, made after the payload
/// length check (so a rejected payload draws nothing); `e` is its hedge
/// (REQ-ENV-005).
///
/// Errors: a payload longer than RFC 8439 allows is [`Error::Malformed`];
/// either DH output all zero is [`Error::NonContributory`].
pub fn seal<R: CryptoRng + ?Sized>(
    sender: &IdentitySecret,
    recipient_dh_pub: &[u8; 32],
    mailbox: &[u8; MAILBOX_LEN],
    payload: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    seal_with(sender, recipient_dh_pub, mailbox, payload, &mut None, rng)
}

/// [`seal`] with the static-static `DHs` cached by the caller (the account
/// keeps it per contact): `DH(IKdh_S, IKdh_R)` depends only on the two
/// identities, so once computed it is reused instead of recomputed; `None`
/// is filled in at the point step 4 computes it (same errors, same order,
/// same bytes).
pub(crate) fn seal_with<R: CryptoRng + ?Sized>(
    sender: &IdentitySecret,
    recipient_dh_pub: &[u8; 32],
    mailbox: &[u8; MAILBOX_LEN],
    payload: &[u8],
    static_dh: &mut Option<Zeroizing<[u8; 32]>>,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    if u64::try_from(payload.len()).map_or(true, |n| n > aead::MAX_PLAINTEXT_LEN) {
        return Err(Error::Malformed);
    }
    let r = random_array::<32, R>(rng);
    // Step 1: e is hedged, so that a repeated r alone repeats no key.
    let ephemeral = hedge_ephemeral(sender.dh_secret(), &r, mailbox, recipient_dh_pub, payload);
    let e_pub = x25519::public_key(&ephemeral);
    let dh_e = x25519::dh(&ephemeral, recipient_dh_pub)?;
    // Step 2.
    let (chain, k1) = ephemeral_keys(&dh_e, mailbox, &e_pub, recipient_dh_pub)?;
    // Step 3: the sender's identity, readable only with IKdh_R's secret.
    let mut out = Vec::with_capacity(envelope_len(payload.len()));
    out.push(VERSION);
    out.extend_from_slice(mailbox);
    out.extend_from_slice(&e_pub);
    let c1 = aead::seal(&k1, &ZERO_NONCE, &out, &identity::encode(sender.public()));
    // Step 4: the static-static DH authenticates the sender.
    let dh_s = match static_dh {
        Some(dh_s) => dh_s,
        None => static_dh.insert(x25519::dh(sender.dh_secret(), recipient_dh_pub)?),
    };
    let k2 = static_key(&chain, dh_s, &c1)?;
    // Step 5: the associated data is everything before c2.
    out.extend_from_slice(&c1);
    let c2 = aead::seal(&k2, &ZERO_NONCE, &out, payload);
    // Step 6.
    out.extend_from_slice(&c2);
    Ok(out)
}

/// Opens an envelope with the recipient's identity secret, in the order of
/// SPEC.md section 12 "Opening": version ([`Error::Malformed`] if absent,
/// [`Error::UnsupportedVersion`]), lengths ([`Error::Malformed`]), mailbox
/// ([`Error::WrongRecipient`]), `DHe` ([`Error::NonContributory`]), `c1`
/// ([`Error::AuthenticationFailed`]), the sender identity's decoding and
/// binding ([`Error::InvalidSignature`], REQ-ID-001), `DHs`
/// ([`Error::NonContributory`]), `c2` ([`Error::AuthenticationFailed`]).
///
/// Returns the verified sender identity and the payload; the caller MUST
/// check the sender against the session's peer (REQ-ENV-001, REQ-ENV-002,
/// REQ-ENV-004, REQ-SUITE-001).
pub fn open(
    recipient: &IdentitySecret,
    mailbox: &[u8; MAILBOX_LEN],
    envelope: &[u8],
) -> Result<(IdentityPublic, Vec<u8>), Error> {
    open_with(recipient, mailbox, envelope, |_| None).map(|(sender, payload, _)| (sender, payload))
}

/// An opened envelope: the sender, the payload, and `DHs` if it was
/// computed (not taken from a [`KnownSender`]).
pub(crate) type Opened = (IdentityPublic, Vec<u8>, Option<Zeroizing<[u8; 32]>>);

/// A sender the caller has verified before: the exact `EncIdentity` bytes
/// whose binding verified, and `DHs` with it.
pub(crate) struct KnownSender<'a> {
    /// The verified `EncIdentity(S)`.
    pub encoding: &'a [u8],
    /// `DH(IKdh_R, IKdh_S)`.
    pub static_dh: &'a [u8; 32],
}

/// [`open`] for a recipient that remembers senders it verified (the
/// account, for its pinned contacts): after `c1` opens and the sender's
/// identity decodes, `known(sender)` may give that sender's verified
/// encoding and `DHs`; if the encoding is byte-equal to the opened one, the
/// binding verification and `DHs` are skipped (both are functions of those
/// bytes and of the recipient's secret: the result is the same, step for
/// step). Otherwise the steps run as in [`open`], and the `DHs` computed is
/// returned so that the caller can remember it.
pub(crate) fn open_with<'a>(
    recipient: &IdentitySecret,
    mailbox: &[u8; MAILBOX_LEN],
    envelope: &[u8],
    known: impl FnOnce(&IdentityPublic) -> Option<KnownSender<'a>>,
) -> Result<Opened, Error> {
    let mut r = Reader::new(envelope);
    r.version()?;
    let env_mailbox = r.array::<MAILBOX_LEN>()?;
    let e_pub = r.array::<32>()?;
    let c1 = r.bytes(C1_LEN)?;
    if r.remaining() < aead::TAG_LEN {
        return Err(Error::Malformed);
    }
    let c2 = r.rest();
    if !bool::from(env_mailbox.ct_eq(mailbox)) {
        return Err(Error::WrongRecipient);
    }
    let recipient_dh_pub = &recipient.public().dh_pub;
    let dh_e = x25519::dh(recipient.dh_secret(), &e_pub)?;
    let (chain, k1) = ephemeral_keys(&dh_e, mailbox, &e_pub, recipient_dh_pub)?;
    // The associated data of c1 and c2 are prefixes of the envelope.
    let ad1 = envelope
        .get(..1 + MAILBOX_LEN + 32)
        .ok_or(Error::Malformed)?;
    let ad2 = envelope.get(..HEADER_LEN).ok_or(Error::Malformed)?;
    let sender_encoding = Zeroizing::new(aead_open(&k1, ad1, c1)?);
    let sender = identity::decode(&sender_encoding)?;
    let (k2, fresh) = match known(&sender) {
        Some(k) if k.encoding == sender_encoding.as_slice() => {
            (static_key(&chain, k.static_dh, c1)?, None)
        }
        _ => {
            identity::verify(&sender)?;
            let dh_s = x25519::dh(recipient.dh_secret(), &sender.dh_pub)?;
            (static_key(&chain, &dh_s, c1)?, Some(dh_s))
        }
    };
    let payload = aead_open(&k2, ad2, c2)?;
    Ok((sender, payload, fresh))
}
