//! Prekey bundles (SPEC.md section 7): what the directory serves for a
//! handle, built and signed from the owner's prekey store, encoded, decoded
//! strictly, and verified by the initiator before use.

use crate::encoding::{
    enc_ml_kem, enc_x25519, expect_end, read_array64, read_ml_kem, read_u32, read_u8, read_version,
    read_x25519, u32_be, VERSION,
};
use crate::handle::{enc_handle, Handle};
use crate::identity::{self, IdentityPublic, IdentitySecret};
use crate::suite::{check_kem_key, public_key, LABEL_PQ_PREKEY, LABEL_SIGNED_PREKEY};
use crate::{ed25519, ml_kem, Error};

/// Length of an encoded bundle without a one-time prekey (SPEC.md section 7).
pub const BUNDLE_LEN_NO_OPK: usize = 1504;
/// Length of an encoded bundle with a one-time prekey (SPEC.md section 7).
pub const BUNDLE_LEN_OPK: usize = 1541;

/// The kind `k` of a post-quantum prekey (SPEC.md section 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PqKind {
    /// `0x01`: used for one handshake, then deleted.
    OneTime,
    /// `0x02`: kept and reused when no one-time PQ prekey is left.
    LastResort,
}

/// `u8(k)` of a PQ prekey kind (SPEC.md section 7).
pub fn kind_byte(kind: PqKind) -> u8 {
    match kind {
        PqKind::OneTime => 0x01,
        PqKind::LastResort => 0x02,
    }
}

/// The PQ prekey kind of a byte; any value but `0x01` and `0x02` is
/// `Malformed` (SPEC.md section 7, REQ-BUNDLE-001).
pub fn kind_of_byte(b: u8) -> Result<PqKind, Error> {
    if b == 0x01 {
        Ok(PqKind::OneTime)
    } else if b == 0x02 {
        Ok(PqKind::LastResort)
    } else {
        Err(Error::Malformed)
    }
}

/// A one-time prekey as a bundle offers it: `(opk_id, OPK)` (SPEC.md
/// section 7).
pub type OneTimePrekey = (u32, [u8; 32]);

/// A bundle as served by the directory (SPEC.md section 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub identity: IdentityPublic,
    pub spk_id: u32,
    pub spk: [u8; 32],
    pub spk_sig: [u8; 64],
    /// `(opk_id, OPK)`, present iff `has_opk = 0x01`.
    pub opk: Option<OneTimePrekey>,
    pub pqpk_id: u32,
    pub pqpk_kind: PqKind,
    /// The ML-KEM-768 encapsulation key `PQPK` (1184 bytes).
    pub pqpk: Vec<u8>,
    pub pqpk_sig: [u8; 64],
}

/// A post-quantum prekey as its owner stores it (SPEC.md section 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PqPrekeySecret {
    pub id: u32,
    pub kind: PqKind,
    /// Encapsulation key (1184 bytes).
    pub ek: Vec<u8>,
    /// Decapsulation key (2400 bytes).
    pub dk: Vec<u8>,
}

/// The owner's prekeys (SPEC.md sections 7 and 16): the current signed
/// prekey, the retired signed prekeys still accepted (newest first, at most
/// [`MAX_RETIRED_SIGNED_PREKEYS`]), one-time prekeys `(id, X25519 secret)`,
/// and PQ prekeys. Ids are unique within each list (the owner assigns them);
/// lookups take the first match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrekeyStore {
    pub spk_id: u32,
    pub spk_secret: [u8; 32],
    pub retired_spks: Vec<(u32, [u8; 32])>,
    pub opks: Vec<(u32, [u8; 32])>,
    pub pqpks: Vec<PqPrekeySecret>,
}

/// A PQ prekey from 64 random bytes `d || z`:
/// `(ek, dk) = KEM.KeyGen(d, z)` (SPEC.md section 3; FIPS 203 Algorithm 16).
pub fn generate_pq_prekey(id: u32, kind: PqKind, randomness: &[u8; 64]) -> PqPrekeySecret {
    let mut d = [0u8; 32];
    let mut z = [0u8; 32];
    for i in 0..32 {
        d[i] = randomness[i];
        z[i] = randomness[32 + i];
    }
    let (ek, dk) = ml_kem::keygen_internal(&d, &z);
    PqPrekeySecret { id, kind, ek, dk }
}

/// The signed-prekey message
/// `"XCHAT-1 signed prekey" || EncHandle(handle) || u32(spk_id) || EncX(SPK)`
/// (SPEC.md section 7).
pub fn spk_message(handle: &Handle, spk_id: u32, spk: &[u8; 32]) -> Vec<u8> {
    let mut m = LABEL_SIGNED_PREKEY.to_vec();
    m.extend_from_slice(&enc_handle(handle));
    m.extend_from_slice(&u32_be(spk_id));
    m.extend_from_slice(&enc_x25519(spk));
    m
}

/// The PQ-prekey message
/// `"XCHAT-1 pq prekey" || EncHandle(handle) || u32(pqpk_id) || u8(k) || EncKem(PQPK)`
/// (SPEC.md section 7).
pub fn pqpk_message(handle: &Handle, pqpk_id: u32, kind: PqKind, pqpk: &[u8]) -> Vec<u8> {
    let mut m = LABEL_PQ_PREKEY.to_vec();
    m.extend_from_slice(&enc_handle(handle));
    m.extend_from_slice(&u32_be(pqpk_id));
    m.push(kind_byte(kind));
    m.extend_from_slice(&enc_ml_kem(pqpk));
    m
}

/// `spk_sig = SIGN(sig_seed, spk_message)` (SPEC.md section 7).
pub fn sign_spk(identity: &IdentitySecret, spk_id: u32, spk: &[u8; 32]) -> [u8; 64] {
    ed25519::sign(
        &identity.sig_seed,
        &spk_message(&identity.handle, spk_id, spk),
    )
}

/// `pqpk_sig = SIGN(sig_seed, pqpk_message)` (SPEC.md section 7).
pub fn sign_pqpk(identity: &IdentitySecret, pqpk_id: u32, kind: PqKind, pqpk: &[u8]) -> [u8; 64] {
    ed25519::sign(
        &identity.sig_seed,
        &pqpk_message(&identity.handle, pqpk_id, kind, pqpk),
    )
}

/// How many retired signed prekeys a store keeps after a rotation (SPEC.md
/// section 16): handshakes started from a bundle fetched before the last
/// rotation still complete, and nothing older is accepted.
pub const MAX_RETIRED_SIGNED_PREKEYS: usize = 1;

/// The signed prekey secret with id `spk_id`: the current one or a retired
/// one still held (SPEC.md sections 8 and 16; REQ-HS-003).
pub fn find_spk(store: &PrekeyStore, spk_id: u32) -> Option<[u8; 32]> {
    let mut found = None;
    if store.spk_id == spk_id {
        found = Some(store.spk_secret);
    }
    for i in 0..store.retired_spks.len() {
        if found.is_none() && store.retired_spks[i].0 == spk_id {
            found = Some(store.retired_spks[i].1);
        }
    }
    found
}

/// Whether the store holds the signed prekey `spk_id` (SPEC.md section 16).
pub fn holds_spk(store: &PrekeyStore, spk_id: u32) -> bool {
    find_spk(store, spk_id).is_some()
}

/// Rotates the signed prekey (SPEC.md section 16, REQ-PREKEY-001): the new
/// one gets id `spk_id + 1` (wrapping), the current one is retired, and
/// retired ones beyond [`MAX_RETIRED_SIGNED_PREKEYS`] are deleted, oldest
/// first. Ids never collide: at most two are held and they are consecutive.
pub fn rotate_spk(store: &PrekeyStore, spk_secret: &[u8; 32]) -> PrekeyStore {
    let mut retired = vec![(store.spk_id, store.spk_secret)];
    for i in 0..store.retired_spks.len() {
        if retired.len() < MAX_RETIRED_SIGNED_PREKEYS {
            retired.push(store.retired_spks[i]);
        }
    }
    PrekeyStore {
        spk_id: store.spk_id.wrapping_add(1),
        spk_secret: *spk_secret,
        retired_spks: retired,
        opks: store.opks.clone(),
        pqpks: store.pqpks.clone(),
    }
}

/// The one-time prekey secret with id `opk_id` in the store, if any
/// (SPEC.md section 7).
pub fn find_opk(store: &PrekeyStore, opk_id: u32) -> Option<[u8; 32]> {
    let mut found = None;
    for i in 0..store.opks.len() {
        if found.is_none() && store.opks[i].0 == opk_id {
            found = Some(store.opks[i].1);
        }
    }
    found
}

/// The PQ prekey with id `pqpk_id` in the store, if any (SPEC.md section 7).
pub fn find_pqpk(store: &PrekeyStore, pqpk_id: u32) -> Option<PqPrekeySecret> {
    let mut found = None;
    for i in 0..store.pqpks.len() {
        if found.is_none() && store.pqpks[i].id == pqpk_id {
            found = Some(store.pqpks[i].clone());
        }
    }
    found
}

/// The store after a successful first message (SPEC.md section 8, responder
/// step 6; REQ-HS-004): the one-time prekey `opk_id` (if any) is deleted, and
/// the PQ prekey `pqpk_id` too if it is one-time. Last-resort PQ prekeys and
/// the signed prekey stay.
pub fn consume(store: &PrekeyStore, opk_id: Option<u32>, pqpk_id: u32) -> PrekeyStore {
    let mut opks = Vec::new();
    for i in 0..store.opks.len() {
        if Some(store.opks[i].0) != opk_id {
            opks.push(store.opks[i]);
        }
    }
    let mut pqpks = Vec::new();
    for i in 0..store.pqpks.len() {
        let pq = &store.pqpks[i];
        if pq.id != pqpk_id || pq.kind == PqKind::LastResort {
            pqpks.push(pq.clone());
        }
    }
    PrekeyStore {
        spk_id: store.spk_id,
        spk_secret: store.spk_secret,
        retired_spks: store.retired_spks.clone(),
        opks,
        pqpks,
    }
}

/// Builds and signs the bundle that offers the store's signed prekey, the
/// one-time prekey `opk_id` (if given) and the PQ prekey `pqpk_id`; an id
/// the store does not hold is `UnknownPrekey` (SPEC.md section 7).
pub fn make_bundle(
    identity: &IdentitySecret,
    store: &PrekeyStore,
    opk_id: Option<u32>,
    pqpk_id: u32,
) -> Result<Bundle, Error> {
    let opk = match opk_id {
        None => None,
        Some(id) => match find_opk(store, id) {
            Some(secret) => Some((id, public_key(&secret))),
            None => return Err(Error::UnknownPrekey),
        },
    };
    let pq = find_pqpk(store, pqpk_id).ok_or(Error::UnknownPrekey)?;
    let spk = public_key(&store.spk_secret);
    Ok(Bundle {
        identity: identity::public_of(identity),
        spk_id: store.spk_id,
        spk,
        spk_sig: sign_spk(identity, store.spk_id, &spk),
        opk,
        pqpk_id,
        pqpk_kind: pq.kind,
        pqpk_sig: sign_pqpk(identity, pqpk_id, pq.kind, &pq.ek),
        pqpk: pq.ek,
    })
}

/// The bundle encoding (SPEC.md section 7):
/// `u8(0x01) || EncIdentity || u32(spk_id) || EncX(SPK) || spk_sig || u8(has_opk)
///  || [u32(opk_id) || EncX(OPK)] || u32(pqpk_id) || u8(k) || EncKem(PQPK) || pqpk_sig`.
pub fn encode(b: &Bundle) -> Vec<u8> {
    let mut out = vec![VERSION];
    out.extend_from_slice(&identity::encode(&b.identity));
    out.extend_from_slice(&u32_be(b.spk_id));
    out.extend_from_slice(&enc_x25519(&b.spk));
    out.extend_from_slice(&b.spk_sig);
    match b.opk {
        None => out.push(0x00),
        Some((id, key)) => {
            out.push(0x01);
            out.extend_from_slice(&u32_be(id));
            out.extend_from_slice(&enc_x25519(&key));
        }
    }
    out.extend_from_slice(&u32_be(b.pqpk_id));
    out.push(kind_byte(b.pqpk_kind));
    out.extend_from_slice(&enc_ml_kem(&b.pqpk));
    out.extend_from_slice(&b.pqpk_sig);
    out
}

/// Reads the optional one-time prekey after `u8(has_opk)`; `has_opk`
/// other than `0x00` and `0x01` is `Malformed` (SPEC.md section 7,
/// REQ-BUNDLE-001).
fn read_opk(input: &[u8], pos: usize) -> Result<(Option<OneTimePrekey>, usize), Error> {
    let (has_opk, p) = read_u8(input, pos)?;
    if has_opk == 0x00 {
        Ok((None, p))
    } else if has_opk == 0x01 {
        let (id, p) = read_u32(input, p)?;
        let (key, p) = read_x25519(input, p)?;
        Ok((Some((id, key)), p))
    } else {
        Err(Error::Malformed)
    }
}

/// Decodes a bundle strictly, field by field (SPEC.md sections 4 and 7,
/// REQ-BUNDLE-001, REQ-ENC-001, REQ-ENC-002, REQ-ENC-003). It does not
/// verify signatures or the KEM key: see [`verify`].
pub fn decode(input: &[u8]) -> Result<Bundle, Error> {
    let p = read_version(input, 0)?;
    let (identity, p) = identity::read_identity(input, p)?;
    let (spk_id, p) = read_u32(input, p)?;
    let (spk, p) = read_x25519(input, p)?;
    let (spk_sig, p) = read_array64(input, p)?;
    let (opk, p) = read_opk(input, p)?;
    let (pqpk_id, p) = read_u32(input, p)?;
    let (k, p) = read_u8(input, p)?;
    let pqpk_kind = kind_of_byte(k)?;
    let (pqpk, p) = read_ml_kem(input, p)?;
    let (pqpk_sig, p) = read_array64(input, p)?;
    expect_end(input, p)?;
    Ok(Bundle {
        identity,
        spk_id,
        spk,
        spk_sig,
        opk,
        pqpk_id,
        pqpk_kind,
        pqpk,
        pqpk_sig,
    })
}

/// Ed25519 verification with the protocol's error kind (SPEC.md section
/// 3.1, REQ-SUITE-003).
fn verify_sig(public: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> Result<(), Error> {
    match ed25519::verify(public, message, sig) {
        Ok(()) => Ok(()),
        Err(_) => Err(Error::InvalidSignature),
    }
}

/// Verifies a bundle before use, in this order: the identity binding,
/// `spk_sig` and `pqpk_sig` (`InvalidSignature`), then the FIPS 203
/// section 7.2 check of `PQPK` (`InvalidKey`) (SPEC.md section 7,
/// REQ-BUNDLE-002, REQ-ID-001, REQ-SUITE-002, REQ-SUITE-003).
pub fn verify(b: &Bundle) -> Result<(), Error> {
    identity::verify(&b.identity)?;
    let handle = &b.identity.handle;
    verify_sig(
        &b.identity.sig_pub,
        &spk_message(handle, b.spk_id, &b.spk),
        &b.spk_sig,
    )?;
    verify_sig(
        &b.identity.sig_pub,
        &pqpk_message(handle, b.pqpk_id, b.pqpk_kind, &b.pqpk),
        &b.pqpk_sig,
    )?;
    check_kem_key(&b.pqpk)
}
