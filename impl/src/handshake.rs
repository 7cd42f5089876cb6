//! The PQXDH-shaped hybrid handshake (SPEC.md section 8), mirroring
//! `xchat_spec::handshake`: the same transcript, keys, prekey-message bytes
//! and error kinds in the same order.
//!
//! Differences in how, not what:
//!
//! * [`initiate`] takes a [`VerifiedBundle`]: only a verified bundle starts
//!   a session (REQ-HS-001). [`initiate_unverified`] keeps the spec's exact
//!   check order (handle, then verification) for callers holding a raw
//!   [`Bundle`].
//! * [`respond`] borrows the prekey store and returns an [`Accepted`] whose
//!   [`Accepted::commit`] deletes the one-time prekeys: the caller commits
//!   only once everything after the handshake succeeded too (REQ-HS-003).
//! * Public keys the spec recomputes (the responder's signed prekey, the
//!   parties' public identities) are computed once or taken from caches.
//! * DH outputs, `SS`, `KM`, `SK` and the header keys are zeroized.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::bundle::{kind_byte, Bundle, PqKind, PrekeyStore, VerifiedBundle};
use crate::crypto::{hash, ml_kem, x25519};
use crate::encoding::{
    enc_ml_kem, enc_x25519, u32_be, Reader, LABEL_ASSOCIATED_DATA, LABEL_HANDSHAKE, VERSION,
};
use crate::handle::{enc_handle, Handle};
use crate::identity::{self, IdentityPublic, IdentitySecret, IDENTITY_LEN};
use crate::ratchet::{RatchetState, ENC_HEADER_LEN, MSG_PREKEY, TAG_LEN};
use crate::Error;

/// The first two bytes of a prekey message, `u8(0x01) || u8(0x01)`, which
/// the ratchet binds into every message's associated data (SPEC.md 9.3).
pub const PREKEY_PREFIX: [u8; 2] = [VERSION, MSG_PREKEY];

/// The handshake fields of a prekey message (SPEC.md section 8). Public.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrekeyHeader {
    /// The initiator's identity (decoded; the responder verifies it).
    pub initiator: IdentityPublic,
    /// Id of the responder's signed prekey.
    pub spk_id: u32,
    /// Id of the responder's one-time prekey, if the bundle had one.
    pub opk_id: Option<u32>,
    /// Id of the responder's post-quantum prekey.
    pub pqpk_id: u32,
    /// The initiator's ephemeral X25519 public key `EK`.
    pub ek: [u8; 32],
    /// The ML-KEM-768 ciphertext `CT` (1088 bytes).
    pub ct: Vec<u8>,
}

/// What both sides derive from the handshake (SPEC.md section 8, steps
/// 5-6). Secret: zeroized on drop, `Debug` redacted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct HandshakeKeys {
    /// The shared secret `SK`.
    pub sk: [u8; 32],
    /// Alice's first sending header key `HKA`.
    pub hka: [u8; 32],
    /// Bob's first sending header key `NHKB`.
    pub nhkb: [u8; 32],
    /// The associated data `AD` (public).
    pub ad: [u8; 32],
}

impl fmt::Debug for HandshakeKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeKeys")
            .field("ad", &self.ad)
            .field("sk, hka, nhkb", &"[redacted]")
            .finish()
    }
}

/// The public keys the transcript binds (SPEC.md section 8, step 4).
#[derive(Clone, Copy, Debug)]
pub struct TranscriptKeys<'a> {
    /// The initiator's identity.
    pub initiator: &'a IdentityPublic,
    /// The responder's identity.
    pub responder: &'a IdentityPublic,
    /// Signed prekey id and key.
    pub spk: (u32, &'a [u8; 32]),
    /// One-time prekey id and key, if used.
    pub opk: Option<(u32, &'a [u8; 32])>,
    /// PQ prekey id, kind and encapsulation key.
    pub pqpk: (u32, PqKind, &'a [u8]),
    /// The initiator's ephemeral key `EK`.
    pub ek: &'a [u8; 32],
    /// The ML-KEM ciphertext `CT`.
    pub ct: &'a [u8],
}

/// The transcript `T` of SPEC.md section 8, step 4 (REQ-HS-002).
pub fn transcript(keys: &TranscriptKeys<'_>) -> Vec<u8> {
    let mut t = Vec::with_capacity(2 * 82 + 37 + 38 + 1190 + 33 + keys.ct.len());
    for id in [keys.initiator, keys.responder] {
        t.extend_from_slice(&enc_handle(&id.handle));
        t.extend_from_slice(&crate::encoding::enc_ed25519(&id.sig_pub));
        t.extend_from_slice(&enc_x25519(&id.dh_pub));
    }
    t.extend_from_slice(&u32_be(keys.spk.0));
    t.extend_from_slice(&enc_x25519(keys.spk.1));
    match keys.opk {
        Some((id, opk)) => {
            t.push(0x01);
            t.extend_from_slice(&u32_be(id));
            t.extend_from_slice(&enc_x25519(opk));
        }
        None => t.push(0x00),
    }
    t.extend_from_slice(&u32_be(keys.pqpk.0));
    t.push(kind_byte(keys.pqpk.1));
    t.extend_from_slice(&enc_ml_kem(keys.pqpk.2));
    t.extend_from_slice(&enc_x25519(keys.ek));
    t.extend_from_slice(keys.ct);
    t
}

/// Steps 5-6 of SPEC.md section 8 (REQ-HS-002):
/// `KM = ones(32) || DH1 || DH2 || DH3 [|| DH4] || SS`,
/// `OKM = HKDF(zeros(32), KM, "XCHAT-1 handshake" || T, 96)`,
/// `AD = SHA-256("XCHAT-1 associated data" || T)`.
pub fn derive_keys(dhs: &[u8], ss: &[u8; 32], t: &[u8]) -> Result<HandshakeKeys, Error> {
    let mut km = Zeroizing::new(Vec::with_capacity(32 + dhs.len() + 32));
    km.extend_from_slice(&[0xff; 32]);
    km.extend_from_slice(dhs);
    km.extend_from_slice(ss);
    let mut info = Vec::with_capacity(LABEL_HANDSHAKE.len() + t.len());
    info.extend_from_slice(LABEL_HANDSHAKE);
    info.extend_from_slice(t);
    let mut okm = Zeroizing::new([0u8; 96]);
    hash::hkdf_sha256(&[0u8; 32], &km, &info, okm.as_mut_slice()).map_err(|_| Error::Malformed)?;
    let mut ad_input = Vec::with_capacity(LABEL_ASSOCIATED_DATA.len() + t.len());
    ad_input.extend_from_slice(LABEL_ASSOCIATED_DATA);
    ad_input.extend_from_slice(t);
    let mut keys = HandshakeKeys {
        sk: [0; 32],
        hka: [0; 32],
        nhkb: [0; 32],
        ad: hash::sha256(&ad_input),
    };
    let (sk, rest) = okm.split_at(32);
    let (hka, nhkb) = rest.split_at(32);
    keys.sk.copy_from_slice(sk);
    keys.hka.copy_from_slice(hka);
    keys.nhkb.copy_from_slice(nhkb);
    Ok(keys)
}

/// Appends one checked DH output (`NonContributory` if all zero) to `dhs`.
fn push_dh(
    dhs: &mut Zeroizing<Vec<u8>>,
    secret: &[u8; 32],
    public: &[u8; 32],
) -> Result<(), Error> {
    dhs.extend_from_slice(x25519::dh(secret, public)?.as_slice());
    Ok(())
}

/// Where a handshake reports its intermediate values once the keys are
/// derived: `DH1 || DH2 || DH3 [|| DH4]`, `SS`, `CT`, `T` and the keys.
/// The normal path passes `()`, whose report is empty and inlined away, so
/// only the `hazmat` feature's traced variants pay for a copy.
trait Observe {
    fn derived(&mut self, dhs: &[u8], ss: &[u8; 32], ct: &[u8], t: &[u8], keys: &HandshakeKeys);
}

impl Observe for () {
    #[inline(always)]
    fn derived(&mut self, _: &[u8], _: &[u8; 32], _: &[u8], _: &[u8], _: &HandshakeKeys) {}
}

/// The initiator's side, SPEC.md section 8 steps 1-7 (REQ-HS-001,
/// REQ-HS-002), from a verified bundle: checks that the bundle is the one of
/// `peer` (`InvalidHandle`), computes DH1..DH4 in order (`NonContributory`),
/// encapsulates, derives the keys and initializes Alice's ratchet. Returns
/// the ratchet state, the prekey header every message repeats until Bob
/// answers, and `AD`.
pub fn initiate(
    alice: &IdentitySecret,
    peer: &Handle,
    bob: &VerifiedBundle,
    ek_secret: &[u8; 32],
    kem_m: &[u8; 32],
    ratchet_secret: &[u8; 32],
) -> Result<(RatchetState, PrekeyHeader, [u8; 32]), Error> {
    initiate_observed(alice, peer, bob, ek_secret, kem_m, ratchet_secret, &mut ())
}

/// [`initiate`], reporting its intermediate values to `observer` (`()` in
/// the normal path, where every report compiles to nothing).
fn initiate_observed(
    alice: &IdentitySecret,
    peer: &Handle,
    bob: &VerifiedBundle,
    ek_secret: &[u8; 32],
    kem_m: &[u8; 32],
    ratchet_secret: &[u8; 32],
    observer: &mut impl Observe,
) -> Result<(RatchetState, PrekeyHeader, [u8; 32]), Error> {
    let bob = bob.bundle();
    if bob.identity.handle != *peer {
        return Err(Error::InvalidHandle);
    }
    let ek = x25519::public_key(ek_secret);
    let mut dhs = Zeroizing::new(Vec::with_capacity(128));
    push_dh(&mut dhs, alice.dh_secret(), &bob.spk)?;
    push_dh(&mut dhs, ek_secret, &bob.identity.dh_pub)?;
    push_dh(&mut dhs, ek_secret, &bob.spk)?;
    if let Some((_, opk)) = &bob.opk {
        push_dh(&mut dhs, ek_secret, opk)?;
    }
    let (ss, ct) = ml_kem::encaps(&bob.pqpk, kem_m).map_err(|_| Error::InvalidKey)?;
    let t = transcript(&TranscriptKeys {
        initiator: alice.public(),
        responder: &bob.identity,
        spk: (bob.spk_id, &bob.spk),
        opk: bob.opk.as_ref().map(|(id, k)| (*id, k)),
        pqpk: (bob.pqpk_id, bob.pqpk_kind, &bob.pqpk),
        ek: &ek,
        ct: &ct,
    });
    let keys = derive_keys(&dhs, &ss, &t)?;
    observer.derived(&dhs, &ss, &ct, &t, &keys);
    let state =
        RatchetState::init_alice(&keys.sk, &bob.spk, &keys.hka, &keys.nhkb, ratchet_secret)?;
    let header = PrekeyHeader {
        initiator: alice.public().clone(),
        spk_id: bob.spk_id,
        opk_id: bob.opk.map(|(id, _)| id),
        pqpk_id: bob.pqpk_id,
        ek,
        ct,
    };
    Ok((state, header, keys.ad))
}

/// [`initiate`] from an unverified bundle, in the spec's exact order: the
/// handle (`InvalidHandle`), then the bundle's verification (SPEC.md
/// section 7: `InvalidSignature`, then `InvalidKey`), then the rest.
pub fn initiate_unverified(
    alice: &IdentitySecret,
    peer: &Handle,
    bob: &Bundle,
    ek_secret: &[u8; 32],
    kem_m: &[u8; 32],
    ratchet_secret: &[u8; 32],
) -> Result<(RatchetState, PrekeyHeader, [u8; 32]), Error> {
    let verified = verified_for(peer, bob)?;
    initiate(alice, peer, &verified, ek_secret, kem_m, ratchet_secret)
}

/// The spec's first two checks of an unverified bundle: it is `peer`'s
/// (`InvalidHandle`), then it verifies.
fn verified_for(peer: &Handle, bob: &Bundle) -> Result<VerifiedBundle, Error> {
    if bob.identity.handle != *peer {
        return Err(Error::InvalidHandle);
    }
    bob.clone().verify()
}

/// The prekey message up to its ratchet body (SPEC.md section 8): what every
/// message of the prekey phase starts with.
pub fn encode_prekey_header(header: &PrekeyHeader) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + IDENTITY_LEN + 13 + 33 + header.ct.len());
    out.extend_from_slice(&PREKEY_PREFIX);
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
    out
}

/// Encodes a prekey message around a ratchet body (SPEC.md section 8).
pub fn encode_prekey_message(header: &PrekeyHeader, body: &[u8]) -> Vec<u8> {
    let mut out = encode_prekey_header(header);
    out.extend_from_slice(body);
    out
}

/// Reads the prekey header fields after the two prefix bytes (SPEC.md
/// section 8), in order, every error `Malformed` except the identity's.
pub(crate) fn read_prekey_fields(r: &mut Reader<'_>) -> Result<PrekeyHeader, Error> {
    let initiator = identity::read_identity(r)?;
    let spk_id = r.u32()?;
    let opk_id = match r.u8()? {
        0x00 => None,
        0x01 => Some(r.u32()?),
        _ => return Err(Error::Malformed),
    };
    let pqpk_id = r.u32()?;
    let ek = r.x25519()?;
    let ct = r.bytes(ml_kem::CT_LEN)?.to_vec();
    Ok(PrekeyHeader {
        initiator,
        spk_id,
        opk_id,
        pqpk_id,
        ek,
        ct,
    })
}

/// Strictly decodes a prekey message into its header and ratchet body
/// (SPEC.md section 8; REQ-ENC-003): `UnsupportedVersion` for the first
/// byte, `Malformed` for a type other than `0x01`, the identity's decoding
/// errors, `Malformed` for a bad `has_opk` or key tag, a field cut short, or
/// a body shorter than `81 + 16` bytes. The identity is not verified.
pub fn decode_prekey_message(message: &[u8]) -> Result<(PrekeyHeader, &[u8]), Error> {
    let mut r = Reader::new(message);
    r.version()?;
    if r.u8()? != MSG_PREKEY {
        return Err(Error::Malformed);
    }
    let header = read_prekey_fields(&mut r)?;
    let body = r.rest();
    if body.len() < ENC_HEADER_LEN + TAG_LEN {
        return Err(Error::Malformed);
    }
    Ok((header, body))
}

/// What the responder gets from a successful first message; nothing is
/// changed until [`Accepted::commit`].
pub struct Accepted {
    /// The ratchet state after decrypting the first message.
    pub state: RatchetState,
    /// The handshake header (the initiator's identity, `EK`, ids).
    pub header: PrekeyHeader,
    /// The session's associated data `AD`.
    pub ad: [u8; 32],
    /// The first message's plaintext (the padded content).
    pub plaintext: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accepted")
            .field("header", &self.header)
            .field("state", &self.state)
            .field("plaintext", &"[redacted]")
            .finish()
    }
}

impl Accepted {
    /// Deletes the one-time prekey and a one-time PQ prekey the handshake
    /// used (SPEC.md section 8 responder step 6, REQ-HS-004).
    pub fn commit(&self, store: &mut PrekeyStore) {
        store.consume(self.header.opk_id, self.header.pqpk_id);
    }
}

/// The responder's side, SPEC.md section 8 (REQ-HS-002, REQ-HS-003): decodes
/// the prekey message, verifies the initiator's identity, then continues as
/// [`respond_decoded`]. `store` is only read.
pub fn respond(
    bob: &IdentitySecret,
    store: &PrekeyStore,
    message: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<Accepted, Error> {
    respond_message(bob, store, message, ratchet_secret, &mut ())
}

/// [`respond`], reporting its intermediate values to `observer`.
fn respond_message(
    bob: &IdentitySecret,
    store: &PrekeyStore,
    message: &[u8],
    ratchet_secret: &[u8; 32],
    observer: &mut impl Observe,
) -> Result<Accepted, Error> {
    let (header, body) = decode_prekey_message(message)?;
    identity::verify(&header.initiator)?;
    respond_observed(bob, store, header, body, ratchet_secret, observer)
}

/// The responder's side after decoding and verifying the initiator's
/// identity (SPEC.md section 8 steps 2-5): looks up the named prekeys
/// (`UnknownPrekey`), mirrors DH1..DH4 (`NonContributory`), decapsulates,
/// derives the keys and decrypts the first ratchet body. The session layer
/// calls it directly when the envelope's sender, already verified by
/// envelope opening, is byte for byte the header's initiator.
pub(crate) fn respond_decoded(
    bob: &IdentitySecret,
    store: &PrekeyStore,
    header: PrekeyHeader,
    body: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<Accepted, Error> {
    respond_observed(bob, store, header, body, ratchet_secret, &mut ())
}

/// [`respond_decoded`], reporting its intermediate values to `observer`.
fn respond_observed(
    bob: &IdentitySecret,
    store: &PrekeyStore,
    header: PrekeyHeader,
    body: &[u8],
    ratchet_secret: &[u8; 32],
    observer: &mut impl Observe,
) -> Result<Accepted, Error> {
    let (spk_secret, spk_public) = store.find_spk(header.spk_id).ok_or(Error::UnknownPrekey)?;
    let opk = match header.opk_id {
        Some(id) => Some((id, store.find_opk(id).ok_or(Error::UnknownPrekey)?)),
        None => None,
    };
    let pq = store
        .find_pqpk(header.pqpk_id)
        .ok_or(Error::UnknownPrekey)?;
    let mut dhs = Zeroizing::new(Vec::with_capacity(128));
    push_dh(&mut dhs, spk_secret, &header.initiator.dh_pub)?;
    push_dh(&mut dhs, bob.dh_secret(), &header.ek)?;
    push_dh(&mut dhs, spk_secret, &header.ek)?;
    if let Some((_, (secret, _))) = opk {
        push_dh(&mut dhs, secret, &header.ek)?;
    }
    let ss = pq.decaps(&header.ct).map_err(|_| Error::Malformed)?;
    // The store keeps the public keys it published (no key generation here).
    let spk = *spk_public;
    let opk_public = opk.map(|(id, (_, public))| (id, *public));
    let t = transcript(&TranscriptKeys {
        initiator: &header.initiator,
        responder: bob.public(),
        spk: (header.spk_id, &spk),
        opk: opk_public.as_ref().map(|(id, k)| (*id, k)),
        pqpk: (pq.id, pq.kind, &pq.ek),
        ek: &header.ek,
        ct: &header.ct,
    });
    let keys = derive_keys(&dhs, &ss, &t)?;
    observer.derived(&dhs, &ss, &header.ct, &t, &keys);
    let mut state = RatchetState::init_bob(&keys.sk, spk_secret, &spk, &keys.hka, &keys.nhkb);
    // A fresh state: committing at once is safe, the caller drops it all
    // if a later check fails.
    let plaintext = state
        .decrypt(&keys.ad, &PREKEY_PREFIX, body, ratchet_secret)?
        .commit();
    Ok(Accepted {
        state,
        header,
        ad: keys.ad,
        plaintext,
    })
}

/// The intermediate values of one handshake, as this implementation
/// computed them (feature `hazmat`): what the conformance vectors of
/// `handshake_initiate` and `handshake_respond` publish besides the
/// message. Secret values are zeroized on drop.
#[cfg(feature = "hazmat")]
pub struct HandshakeTrace {
    /// `DH1`, `DH2`, `DH3` and, with a one-time prekey, `DH4`, in order.
    pub dh: Vec<Zeroizing<[u8; 32]>>,
    /// The ML-KEM shared secret `SS`.
    pub ss: Zeroizing<[u8; 32]>,
    /// The ML-KEM ciphertext `CT`.
    pub ct: Vec<u8>,
    /// The transcript `T`.
    pub transcript: Vec<u8>,
    /// `SK`, `HKA`, `NHKB` and `AD`.
    pub keys: HandshakeKeys,
}

#[cfg(feature = "hazmat")]
impl fmt::Debug for HandshakeTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeTrace")
            .field("transcript", &self.transcript.len())
            .field("keys", &self.keys)
            .field("dh, ss", &"[redacted]")
            .finish()
    }
}

#[cfg(feature = "hazmat")]
impl Observe for Option<HandshakeTrace> {
    fn derived(&mut self, dhs: &[u8], ss: &[u8; 32], ct: &[u8], t: &[u8], keys: &HandshakeKeys) {
        let dh = dhs
            .chunks_exact(32)
            .map(|c| {
                let mut out = Zeroizing::new([0u8; 32]);
                out.copy_from_slice(c);
                out
            })
            .collect();
        *self = Some(HandshakeTrace {
            dh,
            ss: Zeroizing::new(*ss),
            ct: ct.to_vec(),
            transcript: t.to_vec(),
            keys: keys.clone(),
        });
    }
}

/// Takes the trace a successful handshake reported.
#[cfg(feature = "hazmat")]
fn reported(trace: Option<HandshakeTrace>) -> Result<HandshakeTrace, Error> {
    // Every successful path derives the keys, so the trace is always there.
    trace.ok_or(Error::InvalidState)
}

/// [`initiate_unverified`] that also returns the handshake's intermediate
/// values (feature `hazmat`), from the same code path.
#[cfg(feature = "hazmat")]
pub fn initiate_unverified_traced(
    alice: &IdentitySecret,
    peer: &Handle,
    bob: &Bundle,
    ek_secret: &[u8; 32],
    kem_m: &[u8; 32],
    ratchet_secret: &[u8; 32],
) -> Result<(RatchetState, PrekeyHeader, [u8; 32], HandshakeTrace), Error> {
    let verified = verified_for(peer, bob)?;
    let mut trace = None;
    let (state, header, ad) = initiate_observed(
        alice,
        peer,
        &verified,
        ek_secret,
        kem_m,
        ratchet_secret,
        &mut trace,
    )?;
    Ok((state, header, ad, reported(trace)?))
}

/// [`respond`] that also returns the handshake's intermediate values
/// (feature `hazmat`), from the same code path.
#[cfg(feature = "hazmat")]
pub fn respond_traced(
    bob: &IdentitySecret,
    store: &PrekeyStore,
    message: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<(Accepted, HandshakeTrace), Error> {
    let mut trace = None;
    let accepted = respond_message(bob, store, message, ratchet_secret, &mut trace)?;
    Ok((accepted, reported(trace)?))
}
