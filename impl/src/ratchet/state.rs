//! The ratchet state and its two operations (SPEC.md sections 9.1-9.3 and
//! 9.5): `RatchetEncryptHE` and `RatchetDecryptHE`, each computed on the
//! borrowed state and applied by a commit that cannot be misused.
//!
//! [`RatchetState::encrypt`] and [`RatchetState::decrypt`] take the state
//! by `&mut` and return a pending operation ([`PendingSend`],
//! [`PendingRecv`]) that holds that borrow: the output can be read, and the
//! state changes only when [`PendingSend::commit`] / [`PendingRecv::commit`]
//! is called; dropping it changes nothing. Because the pending operation
//! borrows the state it was computed on, the compiler rules out applying it
//! to another state or after any other change (REQ-RATCHET-003,
//! REQ-SESSION-002). With feature `hazmat` (the module is private
//! without it), two doctests show it: a receive checked and then committed
//! compiles, and using the state while a receive is pending does not.
#![cfg_attr(
    feature = "hazmat",
    doc = r#"
```
# use xchat::ratchet::RatchetState;
fn receive(state: &mut RatchetState, body: &[u8]) -> Option<Vec<u8>> {
    let pending = state.decrypt(&[0; 32], &[1, 2], body, &[7; 32]).ok()?;
    let ok = pending.plaintext().len() > 2; // checks before committing
    ok.then(|| pending.commit().to_vec())
}
```

```compile_fail
# use xchat::ratchet::RatchetState;
fn receive(state: &mut RatchetState, body: &[u8]) -> Option<Vec<u8>> {
    let pending = state.decrypt(&[0; 32], &[1, 2], body, &[7; 32]).ok()?;
    let sent = state.encrypt(&[0; 32], &[1, 2], b"x", &[0; 24]).ok()?.commit();
    Some(pending.commit().to_vec())
}
```
"#
)]

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::crypto::{aead, x25519};
use crate::Error;

use super::header::{
    hdecrypt, header, hencrypt, split_body, Header, ENC_HEADER_LEN, HEADER_NONCE_LEN, TAG_LEN,
};
use super::keys::{kdf_ck, kdf_rk_he, ChainKey, HeaderKey, MessageKey, MessageKeys, RootKey};
use super::skipped::{Skipped, SkippedMk, SkippedRun};
use super::MAX_SKIP;

/// The fixed-size part of the state of SPEC.md section 9.1 (everything but
/// `MKSKIPPED`). Small, so a receive works on a copy of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(super) struct Core {
    pub(super) dhs_secret: [u8; 32],
    #[zeroize(skip)]
    pub(super) dhs_public: [u8; 32],
    #[zeroize(skip)]
    pub(super) dhr: Option<[u8; 32]>,
    pub(super) rk: RootKey,
    pub(super) cks: Option<ChainKey>,
    pub(super) ckr: Option<ChainKey>,
    pub(super) hks: Option<HeaderKey>,
    pub(super) hkr: Option<HeaderKey>,
    pub(super) nhks: HeaderKey,
    pub(super) nhkr: HeaderKey,
    #[zeroize(skip)]
    pub(super) ns: u32,
    #[zeroize(skip)]
    pub(super) nr: u32,
    #[zeroize(skip)]
    pub(super) pn: u32,
}

/// The Double Ratchet state of one session (SPEC.md section 9.1).
pub struct RatchetState {
    pub(super) core: Box<Core>,
    pub(super) skipped: Skipped,
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

/// A computed `RatchetEncryptHE` (SPEC.md 9.3): the body, and the next
/// sending chain key and `Ns + 1`, applied to the state it borrows only by
/// [`PendingSend::commit`].
#[must_use = "the state changes only on commit(); dropping this sends nothing"]
pub struct PendingSend<'a> {
    state: &'a mut RatchetState,
    message: Vec<u8>,
    cks: ChainKey,
    ns: u32,
}

impl fmt::Debug for PendingSend<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingSend([redacted])")
    }
}

impl PendingSend<'_> {
    /// The message (`frame || RatchetBody`), to use before committing (for
    /// example to seal it in an envelope, which may still fail).
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    /// Applies the send (SPEC.md 9.3 steps 2 and 4) and returns the message.
    pub fn commit(self) -> Vec<u8> {
        let PendingSend {
            state,
            message,
            cks,
            ns,
        } = self;
        state.core.cks = Some(cks);
        state.core.ns = ns;
        message
    }

    /// The message **without** applying the send: the next encryption
    /// reuses this message key (its hedged nonce keeps different
    /// plaintexts apart, SPEC.md 9.3). For tests and vectors that need a
    /// message from a state they keep unchanged.
    pub fn discard(self) -> Vec<u8> {
        self.message
    }
}

/// A computed `RatchetDecryptHE` (SPEC.md 9.5): the plaintext, and the
/// change of the state it borrows, applied only by [`PendingRecv::commit`].
#[must_use = "the state changes only on commit(); dropping this receives nothing"]
pub struct PendingRecv<'a> {
    state: &'a mut RatchetState,
    plaintext: Zeroizing<Vec<u8>>,
    change: RecvChange,
}

/// What a receive changes.
enum RecvChange {
    /// Step 1: delete the used skipped key (chain, index).
    UseSkipped(usize, usize),
    /// Steps 2-4: the new fixed-size state and the keys skipped on the way,
    /// per header key, in order.
    Advance(Box<Core>, Vec<SkippedRun>),
}

impl fmt::Debug for PendingRecv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingRecv([redacted])")
    }
}

impl PendingRecv<'_> {
    /// The plaintext, to check (unpad, decode) before committing.
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }

    /// Applies the receive and returns the plaintext.
    pub fn commit(self) -> Zeroizing<Vec<u8>> {
        let PendingRecv {
            state,
            plaintext,
            change,
        } = self;
        match change {
            RecvChange::UseSkipped(c, k) => state.skipped.remove(c, k),
            RecvChange::Advance(core, mut pending) => {
                state.core = core;
                // The header keys are cloned into the chains and the
                // originals dropped (wiped) in place with `pending`: moving
                // them out would leave their bytes in the freed buffer.
                for (hk, keys) in pending.iter_mut() {
                    state.skipped.append(hk, core::mem::take(keys));
                }
            }
        }
        plaintext
    }
}

/// `DECRYPT(mk, nonce, ciphertext, aad)` with `nonce = enc_header[0..24]`;
/// any failure is `AuthenticationFailed` (SPEC.md section 9).
fn decrypt_mk(
    mk: &MessageKey,
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

/// `SkipMessageKeysHE` on a copy of the fixed-size state: the bound first
/// (in `u64`, before any derivation), then the keys `Nr..until` of the
/// receiving chain if it is set (SPEC.md 9.5 "Skipping", REQ-RATCHET-004).
fn skip(core: &mut Core, until: u32, out: &mut Vec<SkippedRun>) -> Result<(), Error> {
    if u64::from(core.nr) + u64::from(MAX_SKIP) < u64::from(until) {
        return Err(Error::TooManySkipped);
    }
    if let (Some(ck_start), Some(hk)) = (&core.ckr, &core.hkr) {
        let mut ck = ck_start.clone();
        let mut keys = Vec::with_capacity(until.saturating_sub(core.nr) as usize);
        for n in core.nr..until {
            let (next, mk) = kdf_ck(&ck);
            ck = next;
            keys.push(Box::new(SkippedMk { n, mk }));
        }
        if !keys.is_empty() {
            out.push((hk.clone(), keys));
        }
        core.ckr = Some(ck);
        if until > core.nr {
            core.nr = until;
        }
    }
    Ok(())
}

/// `DHRatchetHE(state, header)` with the new ratchet secret (SPEC.md 9.5
/// step 3, REQ-RATCHET-007): both DH outputs are checked (`NonContributory`)
/// before anything changes.
fn dh_ratchet_step(core: &mut Core, h: &Header, secret: &[u8; 32]) -> Result<(), Error> {
    let dh_recv = x25519::dh(&core.dhs_secret, &h.dh)?;
    let (rk_recv, ckr, nhkr) = kdf_rk_he(&core.rk, &dh_recv)?;
    let dh_send = x25519::dh(secret, &h.dh)?;
    let (rk, cks, nhks) = kdf_rk_he(&rk_recv, &dh_send)?;
    core.pn = core.ns;
    core.ns = 0;
    core.nr = 0;
    core.hks = Some(core.nhks.clone());
    core.hkr = Some(core.nhkr.clone());
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
        let (rk, cks, nhks) = kdf_rk_he(&RootKey::from_bytes(sk), &shared)?;
        Ok(RatchetState {
            core: Box::new(Core {
                dhs_secret: *secret,
                dhs_public: x25519::public_key(secret),
                dhr: Some(*bob_ratchet_pub),
                rk,
                cks: Some(cks),
                ckr: None,
                hks: Some(HeaderKey::from_bytes(hka)),
                hkr: None,
                nhks,
                nhkr: HeaderKey::from_bytes(nhkb),
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
                rk: RootKey::from_bytes(sk),
                cks: None,
                ckr: None,
                hks: None,
                hkr: None,
                nhks: HeaderKey::from_bytes(nhkb),
                nhkr: HeaderKey::from_bytes(hka),
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
    /// REQ-RATCHET-009): the pending send, whose message is `RatchetBody =
    /// enc_header || ciphertext`. `r` is 24 fresh random bytes; the header
    /// nonce is `HEDGE(mk, r, plaintext)`, which also gives the body nonce.
    /// `NoSendingChain` if `CKs` is none, `ChainExhausted` if `Ns = 2^32 -
    /// 1`.
    pub fn encrypt(
        &mut self,
        ad: &[u8; 32],
        prefix: &[u8],
        plaintext: &[u8],
        r: &[u8; HEADER_NONCE_LEN],
    ) -> Result<PendingSend<'_>, Error> {
        self.encrypt_framed(ad, prefix, &[], plaintext, r)
    }

    /// [`RatchetState::encrypt`] writing `frame || RatchetBody` into one
    /// buffer: the caller's message bytes before the body (a light
    /// envelope's prefix, a prekey message's header, a ratchet message's two
    /// bytes) are written first, so the message is assembled without
    /// copying the body again.
    pub fn encrypt_framed(
        &mut self,
        ad: &[u8; 32],
        prefix: &[u8],
        frame: &[u8],
        plaintext: &[u8],
        r: &[u8; HEADER_NONCE_LEN],
    ) -> Result<PendingSend<'_>, Error> {
        let (Some(cks), Some(hks)) = (&self.core.cks, &self.core.hks) else {
            return Err(Error::NoSendingChain);
        };
        if self.core.ns == u32::MAX {
            return Err(Error::ChainExhausted);
        }
        let (next_ck, mk) = kdf_ck(cks);
        let keys = MessageKeys::derive(&mk)?;
        let nonce = keys.hedge(r, plaintext);
        let h = header(&self.core.dhs_public, self.core.pn, self.core.ns);
        let enc_header = hencrypt(hks.as_bytes(), &h, &nonce);
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
        let ns = self.core.ns + 1;
        Ok(PendingSend {
            state: self,
            message: body,
            cks: next_ck,
            ns,
        })
    }

    /// `RatchetDecryptHE` (SPEC.md section 9.5, REQ-RATCHET-003) on a
    /// `RatchetBody`, with `secret` the fresh ratchet secret used only if a
    /// DH ratchet step happens: the pending receive, with the plaintext.
    pub fn decrypt(
        &mut self,
        ad: &[u8; 32],
        prefix: &[u8],
        body: &[u8],
        secret: &[u8; 32],
    ) -> Result<PendingRecv<'_>, Error> {
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
        &mut self,
        ad: &[u8; 32],
        prefix: &[u8],
        body: &[u8],
        secret: &[u8; 32],
    ) -> Result<Option<PendingRecv<'_>>, Error> {
        let Some((plaintext, change)) = self.compute_recv(ad, prefix, body, secret)? else {
            return Ok(None);
        };
        Ok(Some(PendingRecv {
            state: self,
            plaintext: Zeroizing::new(plaintext),
            change,
        }))
    }

    /// The computation of a receive on the unchanged state.
    fn compute_recv(
        &self,
        ad: &[u8; 32],
        prefix: &[u8],
        body: &[u8],
        secret: &[u8; 32],
    ) -> Result<Option<(Vec<u8>, RecvChange)>, Error> {
        let (enc_header, ciphertext) = split_body(body)?;
        let aad = associated_data(ad, prefix, enc_header);
        // Step 1: skipped keys, one header decryption per header key.
        let mut tried: Vec<Option<Header>> = Vec::with_capacity(self.skipped.chains.len());
        for (c, chain) in self.skipped.chains.iter().enumerate() {
            let h = hdecrypt(chain.hk.as_bytes(), enc_header);
            if let Some(h) = h {
                if let Some(k) = chain.keys.iter().position(|e| e.n == h.n) {
                    let entry = chain.keys.get(k).ok_or(Error::Malformed)?;
                    let plaintext = decrypt_mk(&entry.mk, enc_header, ciphertext, &aad)?;
                    return Ok(Some((plaintext, RecvChange::UseSkipped(c, k))));
                }
            }
            tried.push(h);
        }
        // Steps 2 and 3: DecryptHeader, reusing step 1's decryptions.
        let cached = |hk: &HeaderKey| -> Option<Option<Header>> {
            self.skipped
                .chains
                .iter()
                .zip(tried.iter())
                .find(|(chain, _)| chain.hk.ct_eq(hk))
                .map(|(_, h)| *h)
        };
        let decrypt_with =
            |hk: &HeaderKey| cached(hk).unwrap_or_else(|| hdecrypt(hk.as_bytes(), enc_header));
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
        // At most two runs (the old chain up to `PN`, the new one up to
        // `N`): the capacity is final, so the vector never reallocates and
        // leaves no copy of a header key behind.
        let mut pending = Vec::with_capacity(2);
        if dh_ratchet {
            skip(&mut next, h.pn, &mut pending)?;
            dh_ratchet_step(&mut next, &h, secret)?;
        }
        skip(&mut next, h.n, &mut pending)?;
        // Step 4: one step of the receiving chain.
        let mk = match &next.ckr {
            Some(ck) if next.nr < u32::MAX => {
                let (next_ck, mk) = kdf_ck(ck);
                next.ckr = Some(next_ck);
                next.nr += 1;
                mk
            }
            _ => return Err(Error::Malformed),
        };
        let plaintext = decrypt_mk(&mk, enc_header, ciphertext, &aad)?;
        Ok(Some((plaintext, RecvChange::Advance(next, pending))))
    }
}
