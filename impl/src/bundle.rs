//! Prekey bundles (SPEC.md section 7): what the directory serves for a
//! handle, built and signed from the owner's [`PrekeyStore`], encoded,
//! decoded strictly, and verified by the initiator before use; mirrors
//! `xchat_spec::bundle`.
//!
//! Type state: a decoded [`Bundle`] is untrusted. Only [`Bundle::verify`]
//! produces a [`VerifiedBundle`] (REQ-BUNDLE-002), and only a
//! `VerifiedBundle` can start a session.

use core::fmt;

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::crypto::{ed25519, ml_kem, random_array, x25519};
use crate::encoding::{
    enc_ml_kem, enc_x25519, u32_be, Reader, LABEL_PQ_PREKEY, LABEL_SIGNED_PREKEY, VERSION,
};
use crate::handle::{enc_handle, Handle, ENC_HANDLE_LEN};
use crate::identity::{self, IdentityPublic, IdentitySecret};
use crate::Error;

/// Length of an encoded bundle without a one-time prekey (SPEC.md section 7).
pub const BUNDLE_LEN_NO_OPK: usize = 1504;
/// Length of an encoded bundle with a one-time prekey (SPEC.md section 7).
pub const BUNDLE_LEN_OPK: usize = 1541;

/// The kind `k` of a post-quantum prekey (SPEC.md section 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
/// [`Error::Malformed`] (SPEC.md section 7, REQ-BUNDLE-001).
pub fn kind_of_byte(b: u8) -> Result<PqKind, Error> {
    match b {
        0x01 => Ok(PqKind::OneTime),
        0x02 => Ok(PqKind::LastResort),
        _ => Err(Error::Malformed),
    }
}

/// A one-time prekey as a bundle offers it: `(opk_id, OPK)` (SPEC.md
/// section 7).
pub type OneTimePrekey = (u32, [u8; 32]);

/// A bundle as served by the directory (SPEC.md section 7). Untrusted until
/// [`Bundle::verify`] turns it into a [`VerifiedBundle`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The owner's public identity.
    pub identity: IdentityPublic,
    /// `spk_id`.
    pub spk_id: u32,
    /// `SPK`, the signed prekey.
    pub spk: [u8; 32],
    /// `spk_sig`.
    pub spk_sig: [u8; 64],
    /// `(opk_id, OPK)`, present iff `has_opk = 0x01`.
    pub opk: Option<OneTimePrekey>,
    /// `pqpk_id`.
    pub pqpk_id: u32,
    /// `k`.
    pub pqpk_kind: PqKind,
    /// The ML-KEM-768 encapsulation key `PQPK` (1184 bytes).
    pub pqpk: Vec<u8>,
    /// `pqpk_sig`.
    pub pqpk_sig: [u8; 64],
}

/// A bundle whose identity binding, `spk_sig`, `pqpk_sig` and `PQPK` have
/// been checked (SPEC.md section 7, REQ-BUNDLE-002). Only
/// [`Bundle::verify`] creates one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedBundle {
    bundle: Bundle,
}

impl VerifiedBundle {
    /// The verified bundle.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The verified bundle, giving up the proof of verification.
    pub fn into_bundle(self) -> Bundle {
        self.bundle
    }
}

/// A post-quantum prekey as its owner stores it (SPEC.md section 7). The
/// decapsulation key is zeroized on drop and never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PqPrekeySecret {
    /// `pqpk_id`.
    #[zeroize(skip)]
    pub id: u32,
    /// `k`.
    #[zeroize(skip)]
    pub kind: PqKind,
    /// Encapsulation key (1184 bytes, public).
    #[zeroize(skip)]
    pub ek: Vec<u8>,
    dk: Vec<u8>,
    /// Whether `dk` is known to pass the FIPS 203 section 7.3 hash check
    /// (made by `KeyGen`, or checked once at import), so that decapsulation
    /// need not repeat it on every handshake.
    #[zeroize(skip)]
    dk_checked: bool,
}

impl fmt::Debug for PqPrekeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PqPrekeySecret")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("dk", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl PqPrekeySecret {
    /// A PQ prekey from 64 bytes `d || z`: `(ek, dk) = KEM.KeyGen(d, z)`
    /// (SPEC.md section 3, FIPS 203 Algorithm 16; the spec's
    /// `generate_pq_prekey`).
    pub fn from_randomness(id: u32, kind: PqKind, randomness: &[u8; 64]) -> Self {
        let (d, z) = randomness.split_at(32);
        let mut dd = Zeroizing::new([0u8; 32]);
        let mut zz = Zeroizing::new([0u8; 32]);
        dd.copy_from_slice(d);
        zz.copy_from_slice(z);
        let (ek, dk) = ml_kem::keygen(&dd, &zz);
        Self {
            id,
            kind,
            ek,
            dk: dk.to_vec(),
            dk_checked: true,
        }
    }

    /// `ML-KEM.Decaps(dk, ct)` with this prekey (SPEC.md section 8,
    /// responder step 3): the hash check of FIPS 203 section 7.3 on `dk` is
    /// skipped when it already passed (at generation or import); the
    /// results and errors are those of [`ml_kem::decaps`].
    pub(crate) fn decaps(&self, ct: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
        if self.dk_checked {
            ml_kem::decaps_prechecked(&self.dk, ct)
        } else {
            ml_kem::decaps(&self.dk, ct)
        }
    }
}

/// Generates a PQ prekey (SPEC.md section 7).
///
/// Randomness: one draw of 64 bytes, the spec's `randomness` = `d || z`.
pub fn generate_pq_prekey<R: CryptoRng + ?Sized>(
    id: u32,
    kind: PqKind,
    rng: &mut R,
) -> PqPrekeySecret {
    let r = random_array::<64, R>(rng);
    PqPrekeySecret::from_randomness(id, kind, &r)
}

/// A one-time X25519 prekey as its owner stores it (SPEC.md section 7).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct OneTimePrekeySecret {
    /// `opk_id`.
    #[zeroize(skip)]
    pub id: u32,
    secret: [u8; 32],
    /// `X25519(secret, 9)`, computed once when the prekey is added.
    #[zeroize(skip)]
    public: [u8; 32],
}

impl fmt::Debug for OneTimePrekeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneTimePrekeySecret")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// How many retired signed prekeys a store keeps after a rotation (SPEC.md
/// section 16, `MAX_RETIRED_SIGNED_PREKEYS`).
pub const MAX_RETIRED_SIGNED_PREKEYS: usize = 1;

/// A retired signed prekey, still accepted by the responder (SPEC.md
/// section 16).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct RetiredSignedPrekey {
    #[zeroize(skip)]
    id: u32,
    secret: [u8; 32],
    #[zeroize(skip)]
    public: [u8; 32],
}

/// The owner's prekeys (SPEC.md sections 7 and 16): the current signed
/// prekey, the retired signed prekeys still accepted (newest first),
/// one-time prekeys and PQ prekeys. Ids are meant to be unique within each
/// list; lookups take the first match, as in the spec. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PrekeyStore {
    #[zeroize(skip)]
    spk_id: u32,
    spk_secret: [u8; 32],
    /// `X25519(spk_secret, 9)`, computed once when the store is made (not
    /// part of [`PrekeyStore::to_bytes`]; recomputed on import).
    #[zeroize(skip)]
    spk_public: [u8; 32],
    retired: Vec<RetiredSignedPrekey>,
    opks: Vec<OneTimePrekeySecret>,
    pqpks: Vec<PqPrekeySecret>,
}

impl fmt::Debug for PrekeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrekeyStore")
            .field("spk_id", &self.spk_id)
            .field("spk_secret", &"[redacted]")
            .field(
                "retired_spk_ids",
                &self.retired.iter().map(|r| r.id).collect::<Vec<_>>(),
            )
            .field("opks", &self.opks)
            .field("pqpks", &self.pqpks)
            .finish()
    }
}

impl PrekeyStore {
    /// A store with the signed prekey `(spk_id, spk_secret)` and no other
    /// prekeys.
    pub fn new(spk_id: u32, spk_secret: &[u8; 32]) -> Self {
        Self {
            spk_id,
            spk_secret: *spk_secret,
            spk_public: x25519::public_key(spk_secret),
            retired: Vec::new(),
            opks: Vec::new(),
            pqpks: Vec::new(),
        }
    }

    /// A store with a fresh signed prekey `spk_id`.
    ///
    /// Randomness: one draw of 32 bytes, the signed prekey's X25519 secret.
    pub fn generate<R: CryptoRng + ?Sized>(spk_id: u32, rng: &mut R) -> Self {
        Self::new(spk_id, &random_array::<32, R>(rng))
    }

    /// Adds the one-time prekey `(id, secret)`.
    pub fn add_one_time_prekey(&mut self, id: u32, secret: &[u8; 32]) {
        self.opks.push(OneTimePrekeySecret {
            id,
            secret: *secret,
            public: x25519::public_key(secret),
        });
    }

    /// Adds a fresh one-time prekey `id` and returns its public key.
    ///
    /// Randomness: one draw of 32 bytes, its X25519 secret.
    pub fn generate_one_time_prekey<R: CryptoRng + ?Sized>(
        &mut self,
        id: u32,
        rng: &mut R,
    ) -> [u8; 32] {
        let secret = Zeroizing::new(random_array::<32, R>(rng));
        self.add_one_time_prekey(id, &secret);
        self.opks.last().map(|o| o.public).unwrap_or_default()
    }

    /// Adds a PQ prekey.
    pub fn add_pq_prekey(&mut self, pq: PqPrekeySecret) {
        self.pqpks.push(pq);
    }

    /// The signed prekey's id.
    pub fn spk_id(&self) -> u32 {
        self.spk_id
    }

    /// The signed prekey's X25519 public key (cached).
    pub(crate) fn spk_public(&self) -> &[u8; 32] {
        &self.spk_public
    }

    /// The ids of the retired signed prekeys still held, newest first.
    pub fn retired_spk_ids(&self) -> Vec<u32> {
        self.retired.iter().map(|r| r.id).collect()
    }

    /// The secret and public key of signed prekey `spk_id`, current or
    /// retired (SPEC.md sections 8 and 16; the spec's `find_spk`).
    pub(crate) fn find_spk(&self, spk_id: u32) -> Option<(&[u8; 32], &[u8; 32])> {
        if spk_id == self.spk_id {
            return Some((&self.spk_secret, &self.spk_public));
        }
        self.retired
            .iter()
            .find(|r| r.id == spk_id)
            .map(|r| (&r.secret, &r.public))
    }

    /// Whether signed prekey `spk_id` is held (SPEC.md section 16).
    pub fn holds_spk(&self, spk_id: u32) -> bool {
        self.find_spk(spk_id).is_some()
    }

    /// Rotates the signed prekey (SPEC.md section 16, REQ-PREKEY-001): the
    /// new one gets id `spk_id + 1` (wrapping), the current one is retired,
    /// and retired ones beyond [`MAX_RETIRED_SIGNED_PREKEYS`] are deleted.
    /// Callers holding handshake records must drop those of deleted signed
    /// prekeys ([`crate::account::Account::rotate_signed_prekey`] does).
    pub fn rotate_signed_prekey(&mut self, spk_secret: &[u8; 32]) {
        let old = RetiredSignedPrekey {
            id: self.spk_id,
            secret: self.spk_secret,
            public: self.spk_public,
        };
        self.retired.insert(0, old);
        self.retired.truncate(MAX_RETIRED_SIGNED_PREKEYS);
        self.spk_id = self.spk_id.wrapping_add(1);
        self.spk_secret = *spk_secret;
        self.spk_public = x25519::public_key(spk_secret);
    }

    /// The ids of the one-time prekeys still held.
    pub fn one_time_prekey_ids(&self) -> Vec<u32> {
        self.opks.iter().map(|o| o.id).collect()
    }

    /// The ids and kinds of the PQ prekeys still held.
    pub fn pq_prekey_ids(&self) -> Vec<(u32, PqKind)> {
        self.pqpks.iter().map(|p| (p.id, p.kind)).collect()
    }

    /// The secret and (cached) public key of one-time prekey `opk_id`, if
    /// held (SPEC.md section 7; the spec's `find_opk`).
    pub(crate) fn find_opk(&self, opk_id: u32) -> Option<(&[u8; 32], &[u8; 32])> {
        self.opks
            .iter()
            .find(|o| o.id == opk_id)
            .map(|o| (&o.secret, &o.public))
    }

    /// The PQ prekey `pqpk_id`, if held (SPEC.md section 7; the spec's
    /// `find_pqpk`).
    pub fn find_pqpk(&self, pqpk_id: u32) -> Option<&PqPrekeySecret> {
        self.pqpks.iter().find(|p| p.id == pqpk_id)
    }

    /// Deletes what a successful first message used (SPEC.md section 8,
    /// responder step 6; REQ-HS-004): the one-time prekey `opk_id` (if any)
    /// and the PQ prekey `pqpk_id` if it is one-time. Last-resort PQ
    /// prekeys and the signed prekey stay. As the spec's `consume`, every
    /// entry with a matching id goes.
    pub fn consume(&mut self, opk_id: Option<u32>, pqpk_id: u32) {
        self.opks.retain(|o| Some(o.id) != opk_id);
        self.pqpks
            .retain(|p| p.id != pqpk_id || p.kind == PqKind::LastResort);
    }

    /// Serializes the store for persistence (secret; zeroized on drop):
    /// `u32(spk_id) || spk_secret || u32(#retired) || (u32(id) || secret)*
    /// || u32(#opks) || (u32(id) || secret)* || u32(#pqpks) || (u32(id) ||
    /// u8(k) || ek || dk)*`, retired signed prekeys newest first.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        // The exact length up front: a growing vector would free outgrown
        // buffers holding secrets without wiping them.
        let len = 4
            + 32
            + 4
            + 36 * self.retired.len()
            + 4
            + 36 * self.opks.len()
            + 4
            + self
                .pqpks
                .iter()
                .map(|p| 4 + 1 + p.ek.len() + p.dk.len())
                .sum::<usize>();
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        out.extend_from_slice(&u32_be(self.spk_id));
        out.extend_from_slice(&self.spk_secret);
        out.extend_from_slice(&u32_be(len_u32(self.retired.len())));
        for r in &self.retired {
            out.extend_from_slice(&u32_be(r.id));
            out.extend_from_slice(&r.secret);
        }
        out.extend_from_slice(&u32_be(len_u32(self.opks.len())));
        for o in &self.opks {
            out.extend_from_slice(&u32_be(o.id));
            out.extend_from_slice(&o.secret);
        }
        out.extend_from_slice(&u32_be(len_u32(self.pqpks.len())));
        for p in &self.pqpks {
            out.extend_from_slice(&u32_be(p.id));
            out.push(kind_byte(p.kind));
            out.extend_from_slice(&p.ek);
            out.extend_from_slice(&p.dk);
        }
        out
    }

    /// The inverse of [`PrekeyStore::to_bytes`]; anything that does not
    /// decode, or a PQ prekey whose `ek` is not the one inside its `dk`
    /// (FIPS 203: `dk = dk_PKE || ek || H(ek) || z`), is
    /// [`Error::InvalidState`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::read(&mut Reader::new(bytes)).map_err(|_| Error::InvalidState)
    }

    /// [`PrekeyStore::from_bytes`] with the reader's error kinds.
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let spk_id = r.u32()?;
        let mut store = Self::new(spk_id, &Zeroizing::new(r.array::<32>()?));
        let n_retired = r.u32()?;
        if usize::try_from(n_retired).map_or(true, |n| n > MAX_RETIRED_SIGNED_PREKEYS) {
            return Err(Error::InvalidState);
        }
        for _ in 0..n_retired {
            let id = r.u32()?;
            let secret = Zeroizing::new(r.array::<32>()?);
            store.retired.push(RetiredSignedPrekey {
                id,
                secret: *secret,
                public: x25519::public_key(&secret),
            });
        }
        let n_opks = r.u32()?;
        for _ in 0..n_opks {
            let id = r.u32()?;
            store.add_one_time_prekey(id, &Zeroizing::new(r.array::<32>()?));
        }
        let n_pqpks = r.u32()?;
        for _ in 0..n_pqpks {
            let id = r.u32()?;
            let kind = kind_of_byte(r.u8()?)?;
            let ek = r.bytes(ml_kem::EK_LEN)?.to_vec();
            let dk = r.bytes(ml_kem::DK_LEN)?.to_vec();
            let mut pq = PqPrekeySecret {
                id,
                kind,
                ek,
                dk,
                dk_checked: false,
            };
            // A key failing the 7.3 hash check is still imported (as
            // before); only decapsulation with it then reports the error.
            pq.dk_checked = ml_kem::check_decapsulation_key(&pq.dk).is_ok();
            if pq.dk.get(1152..1152 + ml_kem::EK_LEN) != Some(pq.ek.as_slice()) {
                return Err(Error::Malformed);
            }
            store.add_pq_prekey(pq);
        }
        r.clone().finish()?;
        Ok(store)
    }
}

/// A vector length as a `u32` count (saturating; a store never holds 2^32
/// prekeys).
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The signed-prekey message
/// `"XCHAT-1 signed prekey" || EncHandle(handle) || u32(spk_id) || EncX(SPK)`
/// (SPEC.md section 7).
pub fn spk_message(handle: &Handle, spk_id: u32, spk: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(LABEL_SIGNED_PREKEY.len() + ENC_HANDLE_LEN + 4 + 33);
    m.extend_from_slice(LABEL_SIGNED_PREKEY);
    m.extend_from_slice(&enc_handle(handle));
    m.extend_from_slice(&u32_be(spk_id));
    m.extend_from_slice(&enc_x25519(spk));
    m
}

/// The PQ-prekey message
/// `"XCHAT-1 pq prekey" || EncHandle(handle) || u32(pqpk_id) || u8(k) || EncKem(PQPK)`
/// (SPEC.md section 7).
pub fn pqpk_message(handle: &Handle, pqpk_id: u32, kind: PqKind, pqpk: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(LABEL_PQ_PREKEY.len() + ENC_HANDLE_LEN + 6 + pqpk.len());
    m.extend_from_slice(LABEL_PQ_PREKEY);
    m.extend_from_slice(&enc_handle(handle));
    m.extend_from_slice(&u32_be(pqpk_id));
    m.push(kind_byte(kind));
    m.extend_from_slice(&enc_ml_kem(pqpk));
    m
}

/// `spk_sig = SIGN(sig_seed, spk_message)` (SPEC.md section 7).
pub fn sign_spk(identity: &IdentitySecret, spk_id: u32, spk: &[u8; 32]) -> [u8; 64] {
    ed25519::sign(
        identity.sig_seed(),
        &spk_message(identity.handle(), spk_id, spk),
    )
}

/// `pqpk_sig = SIGN(sig_seed, pqpk_message)` (SPEC.md section 7).
pub fn sign_pqpk(identity: &IdentitySecret, pqpk_id: u32, kind: PqKind, pqpk: &[u8]) -> [u8; 64] {
    ed25519::sign(
        identity.sig_seed(),
        &pqpk_message(identity.handle(), pqpk_id, kind, pqpk),
    )
}

/// Builds and signs the bundle that offers the store's signed prekey, the
/// one-time prekey `opk_id` (if given) and the PQ prekey `pqpk_id`; an id
/// the store does not hold is [`Error::UnknownPrekey`] (SPEC.md section 7).
/// Deterministic: no randomness (Ed25519 signing is deterministic).
pub fn make_bundle(
    identity: &IdentitySecret,
    store: &PrekeyStore,
    opk_id: Option<u32>,
    pqpk_id: u32,
) -> Result<Bundle, Error> {
    let opk = match opk_id {
        None => None,
        Some(id) => {
            let (_, public) = store.find_opk(id).ok_or(Error::UnknownPrekey)?;
            Some((id, *public))
        }
    };
    let pq = store.find_pqpk(pqpk_id).ok_or(Error::UnknownPrekey)?;
    let spk = *store.spk_public();
    Ok(Bundle {
        identity: identity.public().clone(),
        spk_id: store.spk_id,
        spk,
        spk_sig: sign_spk(identity, store.spk_id, &spk),
        opk,
        pqpk_id,
        pqpk_kind: pq.kind,
        pqpk_sig: sign_pqpk(identity, pqpk_id, pq.kind, &pq.ek),
        pqpk: pq.ek.clone(),
    })
}

/// The bundle encoding (SPEC.md section 7):
/// `u8(0x01) || EncIdentity || u32(spk_id) || EncX(SPK) || spk_sig || u8(has_opk)
///  || [u32(opk_id) || EncX(OPK)] || u32(pqpk_id) || u8(k) || EncKem(PQPK) || pqpk_sig`.
pub fn encode(b: &Bundle) -> Vec<u8> {
    let mut out = Vec::with_capacity(BUNDLE_LEN_OPK);
    out.push(VERSION);
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
/// other than `0x00` and `0x01` is [`Error::Malformed`] (SPEC.md section 7,
/// REQ-BUNDLE-001).
fn read_opk(r: &mut Reader<'_>) -> Result<Option<OneTimePrekey>, Error> {
    match r.u8()? {
        0x00 => Ok(None),
        0x01 => {
            let id = r.u32()?;
            let key = r.x25519()?;
            Ok(Some((id, key)))
        }
        _ => Err(Error::Malformed),
    }
}

/// Decodes a bundle strictly, field by field (SPEC.md sections 4 and 7,
/// REQ-BUNDLE-001, REQ-ENC-001, REQ-ENC-002, REQ-ENC-003). It does not
/// verify signatures or the KEM key: see [`Bundle::verify`].
pub fn decode(input: &[u8]) -> Result<Bundle, Error> {
    let mut r = Reader::new(input);
    r.version()?;
    let identity = identity::read_identity(&mut r)?;
    let spk_id = r.u32()?;
    let spk = r.x25519()?;
    let spk_sig = r.array::<64>()?;
    let opk = read_opk(&mut r)?;
    let pqpk_id = r.u32()?;
    let pqpk_kind = kind_of_byte(r.u8()?)?;
    let pqpk = r.ml_kem()?.to_vec();
    let pqpk_sig = r.array::<64>()?;
    r.finish()?;
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
    ed25519::verify(public, message, sig).map_err(|_| Error::InvalidSignature)
}

impl Bundle {
    /// Verifies the bundle before use, in this order: the identity binding,
    /// `spk_sig` and `pqpk_sig` ([`Error::InvalidSignature`]), then the FIPS
    /// 203 section 7.2 check of `PQPK` ([`Error::InvalidKey`]) (SPEC.md
    /// section 7, REQ-BUNDLE-002, REQ-ID-001, REQ-SUITE-002, REQ-SUITE-003;
    /// the spec's `verify`).
    pub fn verify(self) -> Result<VerifiedBundle, Error> {
        identity::verify(&self.identity)?;
        let handle = &self.identity.handle;
        verify_sig(
            &self.identity.sig_pub,
            &spk_message(handle, self.spk_id, &self.spk),
            &self.spk_sig,
        )?;
        verify_sig(
            &self.identity.sig_pub,
            &pqpk_message(handle, self.pqpk_id, self.pqpk_kind, &self.pqpk),
            &self.pqpk_sig,
        )?;
        ml_kem::check_encapsulation_key(&self.pqpk).map_err(|_| Error::InvalidKey)?;
        Ok(VerifiedBundle { bundle: self })
    }
}
