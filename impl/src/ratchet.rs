//! The Double Ratchet with header encryption (SPEC.md section 9), mirroring
//! `xchat_spec::ratchet` byte for byte: same wire bytes, same error kinds in
//! the same order, same skipped-key storage, eviction and replay semantics.
//!
//! What differs from the spec is how the work is done, never its result:
//!
//! * **Two-phase operations.** [`RatchetState::encrypt`] and
//!   [`RatchetState::decrypt`] borrow the state and return the output with a
//!   small update ([`SendUpdate`], [`RecvUpdate`]); [`RatchetState::commit_send`]
//!   and [`RatchetState::commit_recv`] apply it. Nothing is cloned, and the
//!   caller (the session) commits only when its whole pipeline succeeded
//!   (REQ-RATCHET-003, REQ-SESSION-002).
//! * **Skipped keys** (`MKSKIPPED`, SPEC.md 9.1) are kept as an ordered
//!   deque of *chains* (one per header key: the spec's runs of equal
//!   header keys), each an ordered deque of `(n, mk)`. The chain list is
//!   the index: a header is trial-decrypted once per header key, a lookup
//!   inside the matching chain is a scan of `u32`s, eviction of the oldest
//!   entry is O(1). The global order (chain by chain, oldest first) is
//!   exactly the spec's list order, so "first match" and "evict oldest"
//!   are the spec's.
//! * **Header decryption once per key.** The results of step 1 are reused
//!   in step 2 (the current chain's header key is usually the key of the
//!   newest skipped chain) and in step 3's replay test ("decrypts under the
//!   header key of any `MKSKIPPED` entry" is known from step 1).
//! * **Secrets.** Every root, chain, header and message key lives in a
//!   zeroize-on-drop structure; skipped keys are individually boxed so that
//!   moving them inside the deques never leaves copies behind. `Debug` is
//!   redacted. Header keys are compared with `subtle`.

// Skipped keys are deliberately boxed even inside `Vec`s: moving a box moves
// a pointer, so no unzeroized copy of a message key is left behind when the
// containers grow or shift.
#![allow(clippy::vec_box)]

use std::collections::VecDeque;
use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::crypto::{aead, ct_eq, hash, x25519};
use crate::encoding::{Reader, LABEL_HEADER, LABEL_MESSAGE_KEY, LABEL_ROOT_RATCHET, TAG_X25519};
use crate::Error;

/// Most message keys skipped in one chain by one message (SPEC.md
/// REQ-RATCHET-004).
pub const MAX_SKIP: u32 = 1000;
/// Most skipped message keys one session stores (SPEC.md REQ-RATCHET-005).
pub const MAX_SKIPPED_TOTAL: usize = 2000;
/// Length of `HEADER(dh, pn, n) = EncX(dh) || u32(pn) || u32(n)` (SPEC.md section 9).
pub const HEADER_LEN: usize = 41;
/// Length of the header nonce of `HENCRYPT` (SPEC.md section 9).
pub const HEADER_NONCE_LEN: usize = 24;
/// Length of `HENCRYPT(hk, header, nonce)`: nonce, header, tag (SPEC.md section 9).
pub const ENC_HEADER_LEN: usize = 81;
/// Length of an AEAD tag, the ciphertext expansion of `ENCRYPT` (SPEC.md section 9.4).
pub const TAG_LEN: usize = 16;
/// Message type of a prekey message (SPEC.md section 8).
pub const MSG_PREKEY: u8 = 0x01;
/// Message type of a ratchet message (SPEC.md section 9.4).
pub const MSG_RATCHET: u8 = 0x02;

/// A 32-byte secret.
type Key = [u8; 32];

/// A decoded `HEADER(dh, pn, n)` (SPEC.md section 9). All public.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The sender's current ratchet public key.
    pub dh: [u8; 32],
    /// Number of messages in the sender's previous sending chain.
    pub pn: u32,
    /// Number of this message in its chain.
    pub n: u32,
}

/// `HEADER(dh, pn, n)` (SPEC.md section 9, REQ-RATCHET-001).
pub fn header(dh: &[u8; 32], pn: u32, n: u32) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    let (key, rest) = out.split_at_mut(33);
    let (pn_out, n_out) = rest.split_at_mut(4);
    if let Some((tag, body)) = key.split_first_mut() {
        *tag = TAG_X25519;
        body.copy_from_slice(dh);
    }
    pn_out.copy_from_slice(&pn.to_be_bytes());
    n_out.copy_from_slice(&n.to_be_bytes());
    out
}

/// Decodes a header strictly (SPEC.md section 9): key tag `0x01`, exactly
/// 41 bytes, and `n < 2^32 - 1`; anything else is `Malformed`.
pub fn read_header(bytes: &[u8]) -> Result<Header, Error> {
    let bytes: &[u8; HEADER_LEN] = bytes.try_into().map_err(|_| Error::Malformed)?;
    let (tag, rest) = bytes.split_first().ok_or(Error::Malformed)?;
    if *tag != TAG_X25519 {
        return Err(Error::Malformed);
    }
    let (dh, rest) = rest.split_at_checked(32).ok_or(Error::Malformed)?;
    let (pn, n) = rest.split_at_checked(4).ok_or(Error::Malformed)?;
    let dh: [u8; 32] = dh.try_into().map_err(|_| Error::Malformed)?;
    let pn = u32::from_be_bytes(pn.try_into().map_err(|_| Error::Malformed)?);
    let n = u32::from_be_bytes(n.try_into().map_err(|_| Error::Malformed)?);
    if n == u32::MAX {
        return Err(Error::Malformed);
    }
    Ok(Header { dh, pn, n })
}

/// `HENCRYPT(hk, header, nonce) = nonce || XAEAD(hk, nonce, "XCHAT-1 header", header)`
/// (SPEC.md section 9, REQ-RATCHET-001).
pub fn hencrypt(
    hk: &[u8; 32],
    header: &[u8; HEADER_LEN],
    nonce: &[u8; HEADER_NONCE_LEN],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENC_HEADER_LEN);
    out.extend_from_slice(nonce);
    out.extend_from_slice(&aead::xseal(hk, nonce, LABEL_HEADER, header));
    out
}

/// `HDECRYPT(hk, enc_header)`: the header, or `None` if `enc_header` is not
/// exactly 81 bytes (like a failed open), does not authenticate under `hk`,
/// or does not decode (SPEC.md section 9, REQ-RATCHET-001).
pub fn hdecrypt(hk: &[u8; 32], enc_header: &[u8]) -> Option<Header> {
    if enc_header.len() != ENC_HEADER_LEN {
        return None;
    }
    let (nonce, sealed) = enc_header.split_at_checked(HEADER_NONCE_LEN)?;
    let nonce: &[u8; HEADER_NONCE_LEN] = nonce.try_into().ok()?;
    let plain = aead::xopen(hk, nonce, LABEL_HEADER, sealed).ok()?;
    read_header(&plain).ok()
}

/// `KDF_RK_HE(rk, dh_out)` (SPEC.md section 9, REQ-RATCHET-001): new root
/// key, chain key, next header key.
fn kdf_rk_he(rk: &Key, dh_out: &Key) -> Result<(Key, Key, Key), Error> {
    let mut okm = Zeroizing::new([0u8; 96]);
    hash::hkdf_sha256(rk, dh_out, LABEL_ROOT_RATCHET, okm.as_mut_slice())
        .map_err(|_| Error::Malformed)?;
    let (a, rest) = okm.split_at(32);
    let (b, c) = rest.split_at(32);
    Ok((to_key(a), to_key(b), to_key(c)))
}

/// A 32-byte key from a slice known to hold 32 bytes (zeros otherwise,
/// which never happens: every caller splits a fixed-size array).
fn to_key(bytes: &[u8]) -> Key {
    let mut key = [0u8; 32];
    if let Some(src) = bytes.get(..32) {
        key.copy_from_slice(src);
    }
    key
}

/// `KDF_CK(ck) = (HMAC(ck, 0x02), HMAC(ck, 0x01))`: next chain key and message
/// key (SPEC.md section 9, REQ-RATCHET-001).
fn kdf_ck(ck: &Key) -> (Key, Key) {
    let mk = hash::hmac_sha256(ck, &[0x01]);
    let next = hash::hmac_sha256(ck, &[0x02]);
    (next, mk)
}

/// `MSGKEYS(mk)` (SPEC.md section 9): `HKDF(zeros(32), mk, "XCHAT-1 message
/// key", 76)` split 32 + 12 + 32. One zeroize-on-drop buffer holds all three,
/// so neither the AEAD key nor the hedge key is ever copied out.
struct MessageKeys(Zeroizing<[u8; 76]>);

impl MessageKeys {
    fn derive(mk: &Key) -> Result<MessageKeys, Error> {
        let mut okm = Zeroizing::new([0u8; 76]);
        hash::hkdf_sha256(&[0u8; 32], mk, LABEL_MESSAGE_KEY, okm.as_mut_slice())
            .map_err(|_| Error::Malformed)?;
        Ok(MessageKeys(okm))
    }

    /// `key = OKM[0..32]`, the message AEAD key.
    fn key(&self) -> &[u8; 32] {
        let (key, _) = self
            .0
            .split_first_chunk::<32>()
            .unwrap_or((&[0u8; 32], &[]));
        key
    }

    /// `HEDGE(mk, r, plaintext) = HMAC(hedge_key, r || plaintext)[0..24]`
    /// with `hedge_key = OKM[44..76]`: the header nonce (SPEC.md section 9.3
    /// step 3, REQ-RATCHET-009). A PRF of the plaintext under a key of this
    /// message alone, so a repeated `r`, a restored state, or both, never put
    /// two plaintexts under one (key, nonce).
    fn hedge(&self, r: &[u8; HEADER_NONCE_LEN], plaintext: &[u8]) -> [u8; HEADER_NONCE_LEN] {
        let hedge_key = self.0.get(44..).unwrap_or_default();
        let tag = Zeroizing::new(hash::hmac_sha256_parts(hedge_key, &[r, plaintext]));
        let mut nonce = [0u8; HEADER_NONCE_LEN];
        if let Some(src) = tag.get(..HEADER_NONCE_LEN) {
            nonce.copy_from_slice(src);
        }
        nonce
    }

    /// The body nonce `nonce_base XOR nonce[0..12]`, `nonce_base = OKM[32..44]`
    /// (SPEC.md section 9, `ENCRYPT`).
    fn body_nonce(&self, header_nonce: &[u8]) -> [u8; 12] {
        let mut out = [0u8; 12];
        if let (Some(base), Some(n)) = (self.0.get(32..44), header_nonce.get(..12)) {
            for ((o, b), x) in out.iter_mut().zip(base).zip(n) {
                *o = b ^ x;
            }
        }
        out
    }
}

/// `DECRYPT(mk, nonce, ciphertext, aad)` with `nonce = enc_header[0..24]`;
/// any failure is `AuthenticationFailed` (SPEC.md section 9).
fn decrypt_mk(
    mk: &Key,
    enc_header: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, Error> {
    let keys = MessageKeys::derive(mk)?;
    aead::open(keys.key(), &keys.body_nonce(enc_header), aad, ciphertext)
        .map_err(|_| Error::AuthenticationFailed)
}

/// `AD || prefix || enc_header` (SPEC.md sections 9.3, 9.5).
fn associated_data(ad: &[u8; 32], prefix: &[u8], enc_header: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + 2 + enc_header.len());
    out.extend_from_slice(ad);
    out.extend_from_slice(prefix);
    out.extend_from_slice(enc_header);
    out
}

/// Splits a `RatchetBody` into `enc_header` and ciphertext; shorter than
/// `81 + 16` bytes is `Malformed` (SPEC.md section 9.4).
pub fn split_body(body: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    if body.len() < ENC_HEADER_LEN + TAG_LEN {
        return Err(Error::Malformed);
    }
    body.split_at_checked(ENC_HEADER_LEN)
        .ok_or(Error::Malformed)
}

/// The fixed-size part of the state of SPEC.md section 9.1 (everything but
/// `MKSKIPPED`). Small, so an operation works on a copy of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct Core {
    dhs_secret: Key,
    dhs_public: Key,
    dhr: Option<Key>,
    rk: Key,
    cks: Option<Key>,
    ckr: Option<Key>,
    hks: Option<Key>,
    hkr: Option<Key>,
    nhks: Key,
    nhkr: Key,
    ns: u32,
    nr: u32,
    pn: u32,
}

/// One skipped message key `(n, mk)`; boxed in the deques so moves copy
/// only the pointer, and wiped when dropped.
#[derive(Zeroize, ZeroizeOnDrop)]
struct SkippedMk {
    n: u32,
    mk: Key,
}

/// The skipped keys of one receiving chain, all under header key `hk`,
/// `n` increasing (SPEC.md section 9.1: one chain's entries are contiguous).
struct SkippedChain {
    hk: Zeroizing<Key>,
    keys: VecDeque<Box<SkippedMk>>,
}

/// `MKSKIPPED` (SPEC.md section 9.1): chains oldest first, keys oldest
/// first within a chain. Adjacent chains never share a header key (they
/// are merged), so the chains are exactly the spec's runs.
#[derive(Default)]
struct Skipped {
    chains: VecDeque<Box<SkippedChain>>,
    total: usize,
}

impl Skipped {
    /// Appends `keys` (numbers increasing) under `hk`, then evicts the oldest
    /// entries beyond `MAX_SKIPPED_TOTAL` (SPEC.md 9.5 "Skipping", REQ-RATCHET-005).
    fn append(&mut self, hk: &Key, keys: Vec<Box<SkippedMk>>) {
        if !keys.is_empty() {
            self.total = self.total.saturating_add(keys.len());
            match self.chains.back_mut() {
                Some(last) if ct_eq(last.hk.as_slice(), hk) => last.keys.extend(keys),
                _ => self.chains.push_back(Box::new(SkippedChain {
                    hk: Zeroizing::new(*hk),
                    keys: keys.into(),
                })),
            }
        }
        self.evict();
    }

    /// Drops the oldest entries until at most `MAX_SKIPPED_TOTAL` remain.
    fn evict(&mut self) {
        while self.total > MAX_SKIPPED_TOTAL {
            let Some(first) = self.chains.front_mut() else {
                self.total = 0;
                return;
            };
            let excess = self.total - MAX_SKIPPED_TOTAL;
            let take = excess.min(first.keys.len());
            drop(first.keys.drain(..take));
            self.total -= take;
            if first.keys.is_empty() {
                self.chains.pop_front();
            }
        }
    }

    /// Removes key `k` of chain `c` (used once, REQ-RATCHET-008); an emptied
    /// chain goes, and its neighbours merge if they share a header key.
    fn remove(&mut self, c: usize, k: usize) {
        let Some(chain) = self.chains.get_mut(c) else {
            return;
        };
        if chain.keys.remove(k).is_some() {
            self.total = self.total.saturating_sub(1);
        }
        if chain.keys.is_empty() {
            self.chains.remove(c);
            if c > 0 && c < self.chains.len() {
                let same = match (self.chains.get(c - 1), self.chains.get(c)) {
                    (Some(a), Some(b)) => ct_eq(a.hk.as_slice(), b.hk.as_slice()),
                    _ => false,
                };
                if same {
                    if let Some(next) = self.chains.remove(c) {
                        let mut next = next;
                        if let Some(prev) = self.chains.get_mut(c - 1) {
                            prev.keys.append(&mut next.keys);
                        }
                    }
                }
            }
        }
    }

    /// Deep copy (secrets stay boxed and wiped on drop).
    fn duplicate(&self) -> Skipped {
        let chains = self
            .chains
            .iter()
            .map(|c| {
                Box::new(SkippedChain {
                    hk: c.hk.clone(),
                    keys: c
                        .keys
                        .iter()
                        .map(|k| Box::new(SkippedMk { n: k.n, mk: k.mk }))
                        .collect(),
                })
            })
            .collect();
        Skipped {
            chains,
            total: self.total,
        }
    }
}

/// The Double Ratchet state of one session (SPEC.md section 9.1).
pub struct RatchetState {
    core: Box<Core>,
    skipped: Skipped,
}

impl Clone for RatchetState {
    fn clone(&self) -> Self {
        RatchetState {
            core: self.core.clone(),
            skipped: self.skipped.duplicate(),
        }
    }
}

impl fmt::Debug for RatchetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RatchetState")
            .field("ns", &self.core.ns)
            .field("nr", &self.core.nr)
            .field("pn", &self.core.pn)
            .field("skipped", &self.skipped.total)
            .field("keys", &"[redacted]")
            .finish()
    }
}

/// What a successful [`RatchetState::encrypt`] changes: the next sending
/// chain key and `Ns + 1` (SPEC.md 9.3 steps 2 and 4).
pub struct SendUpdate {
    cks: Zeroizing<Key>,
    ns: u32,
}

impl fmt::Debug for SendUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendUpdate([redacted])")
    }
}

/// What a successful [`RatchetState::decrypt`] changes (SPEC.md 9.5).
pub struct RecvUpdate(RecvChange);

enum RecvChange {
    /// Step 1: delete the used skipped key (chain, index).
    UseSkipped(usize, usize),
    /// Steps 2-4: the new fixed-size state and the keys skipped on the way,
    /// per header key, in order.
    Advance(Box<Core>, Vec<(Zeroizing<Key>, Vec<Box<SkippedMk>>)>),
}

impl fmt::Debug for RecvUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecvUpdate([redacted])")
    }
}

/// `SkipMessageKeysHE` on a copy of the fixed-size state: the bound first
/// (in `u64`, before any derivation), then the keys `Nr..until` of the
/// receiving chain if it is set (SPEC.md 9.5 "Skipping", REQ-RATCHET-004).
fn skip(
    core: &mut Core,
    until: u32,
    out: &mut Vec<(Zeroizing<Key>, Vec<Box<SkippedMk>>)>,
) -> Result<(), Error> {
    if u64::from(core.nr) + u64::from(MAX_SKIP) < u64::from(until) {
        return Err(Error::TooManySkipped);
    }
    if let (Some(ck_start), Some(hk)) = (core.ckr, core.hkr) {
        let mut ck = Zeroizing::new(ck_start);
        let mut keys = Vec::with_capacity(until.saturating_sub(core.nr) as usize);
        for n in core.nr..until {
            let (next, mk) = kdf_ck(&ck);
            *ck = next;
            keys.push(Box::new(SkippedMk { n, mk }));
        }
        core.ckr = Some(*ck);
        if until > core.nr {
            core.nr = until;
        }
        if !keys.is_empty() {
            out.push((Zeroizing::new(hk), keys));
        }
    }
    Ok(())
}

impl RatchetState {
    /// `RatchetInitAliceHE` (SPEC.md section 9.2, REQ-RATCHET-007):
    /// `NonContributory` if Bob's ratchet key gives an all-zero DH output.
    pub fn init_alice(
        sk: &[u8; 32],
        bob_ratchet_pub: &[u8; 32],
        hka: &[u8; 32],
        nhkb: &[u8; 32],
        secret: &[u8; 32],
    ) -> Result<RatchetState, Error> {
        let shared = x25519::dh(secret, bob_ratchet_pub)?;
        let (rk, cks, nhks) = kdf_rk_he(sk, &shared)?;
        Ok(RatchetState {
            core: Box::new(Core {
                dhs_secret: *secret,
                dhs_public: x25519::public_key(secret),
                dhr: Some(*bob_ratchet_pub),
                rk,
                cks: Some(cks),
                ckr: None,
                hks: Some(*hka),
                hkr: None,
                nhks,
                nhkr: *nhkb,
                ns: 0,
                nr: 0,
                pn: 0,
            }),
            skipped: Skipped::default(),
        })
    }

    /// `RatchetInitBobHE` (SPEC.md section 9.2): Bob's ratchet key pair is
    /// his signed prekey (`bob_ratchet_public` is its public key, which the
    /// caller already has).
    pub fn init_bob(
        sk: &[u8; 32],
        bob_ratchet_secret: &[u8; 32],
        bob_ratchet_public: &[u8; 32],
        hka: &[u8; 32],
        nhkb: &[u8; 32],
    ) -> RatchetState {
        RatchetState {
            core: Box::new(Core {
                dhs_secret: *bob_ratchet_secret,
                dhs_public: *bob_ratchet_public,
                dhr: None,
                rk: *sk,
                cks: None,
                ckr: None,
                hks: None,
                hkr: None,
                nhks: *nhkb,
                nhkr: *hka,
                ns: 0,
                nr: 0,
                pn: 0,
            }),
            skipped: Skipped::default(),
        }
    }

    /// Number of stored skipped message keys.
    pub fn skipped_len(&self) -> usize {
        self.skipped.total
    }

    /// `RatchetEncryptHE` (SPEC.md section 9.3, REQ-RATCHET-002,
    /// REQ-RATCHET-009): returns `RatchetBody = enc_header || ciphertext` and
    /// the update to commit. `r` is 24 fresh random bytes; the header nonce
    /// is `HEDGE(mk, r, plaintext)`, which also gives the body nonce.
    /// `NoSendingChain` if `CKs` is none, `ChainExhausted` if `Ns = 2^32 - 1`.
    pub fn encrypt(
        &self,
        ad: &[u8; 32],
        prefix: &[u8],
        plaintext: &[u8],
        r: &[u8; HEADER_NONCE_LEN],
    ) -> Result<(Vec<u8>, SendUpdate), Error> {
        self.encrypt_framed(ad, prefix, &[], plaintext, r)
    }

    /// [`RatchetState::encrypt`] writing `frame || RatchetBody` into one
    /// buffer: the caller's message bytes before the body (a light
    /// envelope's prefix, a prekey message's header, a ratchet message's two
    /// bytes) are written first, so the message is assembled without
    /// copying the body again.
    pub fn encrypt_framed(
        &self,
        ad: &[u8; 32],
        prefix: &[u8],
        frame: &[u8],
        plaintext: &[u8],
        r: &[u8; HEADER_NONCE_LEN],
    ) -> Result<(Vec<u8>, SendUpdate), Error> {
        let (Some(cks), Some(hks)) = (&self.core.cks, &self.core.hks) else {
            return Err(Error::NoSendingChain);
        };
        if self.core.ns == u32::MAX {
            return Err(Error::ChainExhausted);
        }
        let (next_ck, mk) = kdf_ck(cks);
        let (next_ck, mk) = (Zeroizing::new(next_ck), Zeroizing::new(mk));
        let keys = MessageKeys::derive(&mk)?;
        let nonce = keys.hedge(r, plaintext);
        let h = header(&self.core.dhs_public, self.core.pn, self.core.ns);
        let enc_header = hencrypt(hks, &h, &nonce);
        let aad = associated_data(ad, prefix, &enc_header);
        // enc_header || plaintext || tag in one buffer, the body sealed in
        // place (the bytes of ENCRYPT(mk, nonce, plaintext, aad) appended).
        let start = frame.len().saturating_add(ENC_HEADER_LEN);
        let mut body = Vec::with_capacity(
            start
                .saturating_add(plaintext.len())
                .saturating_add(TAG_LEN),
        );
        body.extend_from_slice(frame);
        body.extend_from_slice(&enc_header);
        body.extend_from_slice(plaintext);
        let body_nonce = keys.body_nonce(&nonce);
        let sealed = body
            .get_mut(start..)
            .ok_or(Error::Malformed)
            .and_then(|pt| aead::seal_in_place(keys.key(), &body_nonce, &aad, pt));
        match sealed {
            Ok(tag) => body.extend_from_slice(&tag),
            Err(_) => {
                // Beyond the AEAD's limit `seal` is empty (as in the spec):
                // wipe the plaintext copy and keep enc_header only.
                if let Some(pt) = body.get_mut(start..) {
                    pt.zeroize();
                }
                body.truncate(start);
            }
        }
        Ok((
            body,
            SendUpdate {
                cks: next_ck,
                ns: self.core.ns + 1,
            },
        ))
    }

    /// Applies the update of a successful [`RatchetState::encrypt`] on this
    /// state.
    pub fn commit_send(&mut self, update: SendUpdate) {
        self.core.cks = Some(*update.cks);
        self.core.ns = update.ns;
    }

    /// `RatchetDecryptHE` (SPEC.md section 9.5, REQ-RATCHET-003) on a
    /// `RatchetBody`, with `secret` the fresh ratchet secret used only if a
    /// DH ratchet step happens. Returns the plaintext and the update to
    /// commit; the state itself is not changed.
    pub fn decrypt(
        &self,
        ad: &[u8; 32],
        prefix: &[u8],
        body: &[u8],
        secret: &[u8; 32],
    ) -> Result<(Vec<u8>, RecvUpdate), Error> {
        self.decrypt_recognized(ad, prefix, body, secret)?
            .ok_or(Error::AuthenticationFailed)
    }

    /// [`RatchetState::decrypt`], except that a header this state does not
    /// *recognize* (no skipped chain's key, `HKr` or `NHKr` opens it: SPEC.md
    /// section 15.2, step R4) is `Ok(None)` instead of
    /// `AuthenticationFailed`. Routing within a contact tries its sessions
    /// with this, in order, and the first `Some` or error is the answer:
    /// exactly "the first session that recognizes the header decrypts it",
    /// with each header decrypted once.
    pub(crate) fn decrypt_recognized(
        &self,
        ad: &[u8; 32],
        prefix: &[u8],
        body: &[u8],
        secret: &[u8; 32],
    ) -> Result<Option<(Vec<u8>, RecvUpdate)>, Error> {
        let (enc_header, ciphertext) = split_body(body)?;
        let aad = associated_data(ad, prefix, enc_header);
        // Step 1: skipped keys, one header decryption per header key.
        let mut tried: Vec<Option<Header>> = Vec::with_capacity(self.skipped.chains.len());
        for (c, chain) in self.skipped.chains.iter().enumerate() {
            let h = hdecrypt(&chain.hk, enc_header);
            if let Some(h) = h {
                if let Some(k) = chain.keys.iter().position(|e| e.n == h.n) {
                    let entry = chain.keys.get(k).ok_or(Error::Malformed)?;
                    let plaintext = decrypt_mk(&entry.mk, enc_header, ciphertext, &aad)?;
                    return Ok(Some((plaintext, RecvUpdate(RecvChange::UseSkipped(c, k)))));
                }
            }
            tried.push(h);
        }
        // Steps 2 and 3: DecryptHeader, reusing step 1's decryptions.
        let cached = |hk: &Key| -> Option<Option<Header>> {
            self.skipped
                .chains
                .iter()
                .zip(tried.iter())
                .find(|(chain, _)| ct_eq(chain.hk.as_slice(), hk))
                .map(|(_, h)| *h)
        };
        let decrypt_with = |hk: &Key| cached(hk).unwrap_or_else(|| hdecrypt(hk, enc_header));
        let current = self.core.hkr.as_ref().and_then(decrypt_with);
        let (h, dh_ratchet) = match current {
            Some(h) if h.n < self.core.nr => return Err(Error::Replay),
            Some(h) => (h, false),
            None => match decrypt_with(&self.core.nhkr) {
                Some(h) => (h, true),
                None if tried.iter().any(Option::is_some) => return Err(Error::Replay),
                None => return Ok(None),
            },
        };
        let mut next = self.core.clone();
        let mut pending = Vec::new();
        if dh_ratchet {
            skip(&mut next, h.pn, &mut pending)?;
            dh_ratchet_step(&mut next, &h, secret)?;
        }
        skip(&mut next, h.n, &mut pending)?;
        // Step 4: one step of the receiving chain.
        let mk = match next.ckr {
            Some(ck) if next.nr < u32::MAX => {
                let (next_ck, mk) = kdf_ck(&ck);
                next.ckr = Some(next_ck);
                next.nr += 1;
                Zeroizing::new(mk)
            }
            _ => return Err(Error::Malformed),
        };
        let plaintext = decrypt_mk(&mk, enc_header, ciphertext, &aad)?;
        Ok(Some((
            plaintext,
            RecvUpdate(RecvChange::Advance(next, pending)),
        )))
    }

    /// Applies the update of a successful [`RatchetState::decrypt`] made on
    /// this very state (and nothing else since).
    pub fn commit_recv(&mut self, update: RecvUpdate) {
        match update.0 {
            RecvChange::UseSkipped(c, k) => self.skipped.remove(c, k),
            RecvChange::Advance(core, pending) => {
                self.core = core;
                for (hk, keys) in pending {
                    self.skipped.append(&hk, keys);
                }
            }
        }
    }

    /// The state in the ratchet part of the session export format
    /// ([`crate::session`] module docs, from `u8(flags)` on). Secret.
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        self.export_into(&mut out);
        out
    }

    /// Serializes the state (format: [`crate::session`] module docs).
    pub(crate) fn export_into(&self, out: &mut Vec<u8>) {
        let c = &self.core;
        let flags = u8::from(c.dhr.is_some())
            | u8::from(c.cks.is_some()) << 1
            | u8::from(c.ckr.is_some()) << 2
            | u8::from(c.hks.is_some()) << 3
            | u8::from(c.hkr.is_some()) << 4;
        out.push(flags);
        out.extend_from_slice(&c.dhs_secret);
        for key in [&c.dhr, &c.cks, &c.ckr, &c.hks, &c.hkr]
            .into_iter()
            .flatten()
        {
            out.extend_from_slice(key);
        }
        out.extend_from_slice(&c.rk);
        out.extend_from_slice(&c.nhks);
        out.extend_from_slice(&c.nhkr);
        out.extend_from_slice(&c.ns.to_be_bytes());
        out.extend_from_slice(&c.nr.to_be_bytes());
        out.extend_from_slice(&c.pn.to_be_bytes());
        out.extend_from_slice(&(self.skipped.chains.len() as u32).to_be_bytes());
        for chain in &self.skipped.chains {
            out.extend_from_slice(chain.hk.as_slice());
            out.extend_from_slice(&(chain.keys.len() as u32).to_be_bytes());
            for k in &chain.keys {
                out.extend_from_slice(&k.n.to_be_bytes());
                out.extend_from_slice(&k.mk);
            }
        }
    }

    /// Parses what [`RatchetState::export_into`] wrote, strictly; any
    /// violation is `InvalidState`.
    pub(crate) fn import_from(r: &mut Reader<'_>) -> Result<RatchetState, Error> {
        let flags = r.u8()?;
        if flags & !0x1f != 0 {
            return Err(Error::InvalidState);
        }
        let has = |bit: u8| flags & (1 << bit) != 0;
        // CKs comes with HKs and CKr with HKr in every reachable state.
        if has(1) != has(3) || has(2) != has(4) {
            return Err(Error::InvalidState);
        }
        let dhs_secret = r.array::<32>()?;
        let mut opt = |bit: u8| -> Result<Option<Key>, Error> {
            if has(bit) {
                r.array::<32>().map(Some)
            } else {
                Ok(None)
            }
        };
        let dhr = opt(0)?;
        let cks = opt(1)?;
        let ckr = opt(2)?;
        let hks = opt(3)?;
        let hkr = opt(4)?;
        let core = Box::new(Core {
            dhs_public: x25519::public_key(&dhs_secret),
            dhs_secret,
            dhr,
            rk: r.array::<32>()?,
            cks,
            ckr,
            hks,
            hkr,
            nhks: r.array::<32>()?,
            nhkr: r.array::<32>()?,
            ns: r.u32()?,
            nr: r.u32()?,
            pn: r.u32()?,
        });
        let n_chains = r.u32()?;
        let mut skipped = Skipped::default();
        for _ in 0..n_chains {
            let hk = Zeroizing::new(r.array::<32>()?);
            let count = r.u32()? as usize;
            if count == 0 || count > MAX_SKIPPED_TOTAL - skipped.total {
                return Err(Error::InvalidState);
            }
            if let Some(last) = skipped.chains.back() {
                if ct_eq(last.hk.as_slice(), hk.as_slice()) {
                    return Err(Error::InvalidState);
                }
            }
            let mut keys = VecDeque::with_capacity(count);
            let mut prev: Option<u32> = None;
            for _ in 0..count {
                let n = r.u32()?;
                if prev.is_some_and(|p| p >= n) {
                    return Err(Error::InvalidState);
                }
                prev = Some(n);
                keys.push_back(Box::new(SkippedMk {
                    n,
                    mk: r.array::<32>()?,
                }));
            }
            skipped.total += count;
            skipped
                .chains
                .push_back(Box::new(SkippedChain { hk, keys }));
        }
        Ok(RatchetState { core, skipped })
    }
}

/// `DHRatchetHE(state, header)` with the new ratchet secret (SPEC.md 9.5
/// step 3, REQ-RATCHET-007): both DH outputs are checked (`NonContributory`)
/// before anything changes.
fn dh_ratchet_step(core: &mut Core, h: &Header, secret: &Key) -> Result<(), Error> {
    let dh_recv = x25519::dh(&core.dhs_secret, &h.dh)?;
    let (rk_recv, ckr, nhkr) = kdf_rk_he(&core.rk, &dh_recv)?;
    let rk_recv = Zeroizing::new(rk_recv);
    let dh_send = x25519::dh(secret, &h.dh)?;
    let (rk, cks, nhks) = kdf_rk_he(&rk_recv, &dh_send)?;
    core.pn = core.ns;
    core.ns = 0;
    core.nr = 0;
    core.hks = Some(core.nhks);
    core.hkr = Some(core.nhkr);
    core.dhr = Some(h.dh);
    core.ckr = Some(ckr);
    core.nhkr = nhkr;
    core.dhs_secret = *secret;
    core.dhs_public = x25519::public_key(secret);
    core.rk = rk;
    core.cks = Some(cks);
    core.nhks = nhks;
    Ok(())
}
