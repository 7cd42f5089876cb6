//! Calls: SFrame (RFC 9605) sender keys carried by call signals over
//! sessions (SPEC.md section 20); mirrors `xchat_spec::call`.
//!
//! [`Calls`] is an account's call state, held by the application next to
//! its `Account`. Signals travel as ordinary contents: [`Calls::start`],
//! [`Calls::answer`], [`Calls::reject`], [`Calls::hang_up`] and
//! [`Calls::rekey`] return the [`Content`] to send with `Account::send`,
//! and a received `Content::Call` is applied with [`Calls::on_signal`],
//! naming the sender's handle (the contact whose session decrypted it).
//! Media frames go through [`Calls::encrypt_frame`] and
//! [`Calls::decrypt_frame`] with the suite `0x0004`
//! `AES_128_GCM_SHA256_128` ([`CALL_SUITE`]).
//!
//! Every operation is transactional: it checks and computes everything
//! first and changes the state only when it succeeds, so an error leaves
//! `Calls` exactly as it was. Keys are held as derived SFrame keys
//! ([`sframe::KeyAndSalt`], zeroized on drop, never printed).
//!
//! # Randomness (the spec's explicit inputs, in this order)
//!
//! | operation | draws | spec input (`xchat_spec::call`) |
//! |---|---|---|
//! | [`Calls::start`] | 16, then 32 | `call_id`, `base_key` of `start` |
//! | [`Calls::answer`] | 32 | `base_key` of `answer` |
//! | [`Calls::rekey`] | 32 | `base_key` of `rekey` |
//!
//! The draws happen before any check; each operation has a `_with`
//! variant taking the bytes explicitly.

use core::fmt;

use rand_core::CryptoRng;

use crate::content::{CallKey, CallSignal, Content, MAX_CALL_PARAMS_LEN};
use crate::crypto::random_array;
use crate::handle::Handle;
use crate::sframe::{self, CipherSuite, Header, KeyAndSalt};
use crate::Error;

/// The SFrame cipher suite of every call frame (SPEC.md section 20):
/// `0x0004` `AES_128_GCM_SHA256_128` (RFC 9605 section 4.5).
pub const CALL_SUITE: CipherSuite = CipherSuite::Aes128GcmSha256Tag128;
/// Most calls held at once (SPEC.md sections 16 and 20.2).
pub const MAX_CALLS: usize = 16;
/// Most peer keys held per call (SPEC.md sections 16 and 20.2).
pub const MAX_CALL_PEER_KEYS: usize = 2;
/// Frames under a peer's newest key after which its older keys are
/// deleted (SPEC.md section 16, REQ-CALL-007).
pub const CALL_KEY_GRACE: u32 = 256;
/// Counters per peer key in the replay window (SPEC.md section 16,
/// REQ-CALL-006).
pub const CALL_REPLAY_WINDOW: u64 = 128;

/// A call id (SPEC.md section 20.1).
pub type CallId = [u8; 16];

/// The phase of a call (SPEC.md section 20.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Offered by this side, not answered.
    Outgoing,
    /// Offered by the peer, not answered.
    Incoming,
    /// Answered.
    Active,
}

/// The replay window of one peer key (SPEC.md REQ-CALL-006): the highest
/// counter accepted, and a bit per counter of `top - 127 ..= top`, in bit
/// `CTR mod 128` (the spec's slots).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayWindow {
    top: Option<u64>,
    seen: u128,
}

impl ReplayWindow {
    /// The bit of `ctr`.
    fn bit(ctr: u64) -> u128 {
        1u128 << (ctr % CALL_REPLAY_WINDOW)
    }

    /// Whether the window accepts `ctr` (REQ-CALL-006): nothing accepted
    /// yet, above `top`, or within the window and not seen.
    pub fn accepts(&self, ctr: u64) -> bool {
        match self.top {
            None => true,
            Some(top) if ctr > top => true,
            Some(top) if top - ctr >= CALL_REPLAY_WINDOW => false,
            Some(_) => self.seen & Self::bit(ctr) == 0,
        }
    }

    /// Marks `ctr`, which [`ReplayWindow::accepts`] (REQ-CALL-006): a new
    /// top first clears the bits of the counters it skips.
    pub fn mark(&mut self, ctr: u64) {
        match self.top {
            Some(top) if ctr <= top => {}
            Some(top) if ctr - top < CALL_REPLAY_WINDOW => {
                let mut c = top;
                while c + 1 < ctr {
                    c += 1;
                    self.seen &= !Self::bit(c);
                }
                self.top = Some(ctr);
            }
            _ => {
                self.seen = 0;
                self.top = Some(ctr);
            }
        }
        self.seen |= Self::bit(ctr);
    }

    /// The highest counter accepted, if any.
    pub fn top(&self) -> Option<u64> {
        self.top
    }
}

/// This side's sender key in a call (SPEC.md section 20.2).
#[derive(Clone)]
struct OwnKey {
    kid: u64,
    key_salt: KeyAndSalt,
    ctr: u64,
}

/// A peer's sender key in a call, with its replay window (SPEC.md section
/// 20.2).
#[derive(Clone)]
struct PeerKey {
    kid: u64,
    key_salt: KeyAndSalt,
    window: ReplayWindow,
}

/// One call (SPEC.md section 20.2); `peer_keys` is oldest first.
#[derive(Clone)]
struct Call {
    peer: Handle,
    call_id: CallId,
    phase: Phase,
    own: Option<OwnKey>,
    peer_keys: Vec<PeerKey>,
    grace: u32,
}

/// An account's calls, oldest first (SPEC.md section 20.2). `Debug` shows
/// peers, phases and KIDs, never keys.
#[derive(Clone, Default)]
pub struct Calls {
    calls: Vec<Call>,
}

impl fmt::Debug for Calls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for c in &self.calls {
            l.entry(&format_args!(
                "{} {:?} own kid {:?} peer kids {:?}",
                c.peer,
                c.phase,
                c.own.as_ref().map(|o| o.kid),
                c.peer_keys.iter().map(|k| k.kid).collect::<Vec<_>>()
            ));
        }
        l.finish()
    }
}

/// The SFrame key and salt of a sender key in the call suite (RFC 9605
/// section 4.4.2).
fn derive(kid: u64, base_key: &[u8; 32]) -> Result<KeyAndSalt, Error> {
    sframe::derive_key_salt(CALL_SUITE, kid, base_key)
}

/// A peer key with an empty window (REQ-CALL-003).
fn peer_key(key: &CallKey) -> Result<PeerKey, Error> {
    Ok(PeerKey {
        kid: key.kid(),
        key_salt: derive(key.kid(), key.base_key())?,
        window: ReplayWindow::default(),
    })
}

impl Calls {
    /// No calls.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of calls held.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether no call is held.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The index of the call with `peer` and `call_id`.
    fn find(&self, peer: &Handle, call_id: &CallId) -> Option<usize> {
        self.calls
            .iter()
            .position(|c| c.peer == *peer && c.call_id == *call_id)
    }

    /// The call with `peer` and `call_id`, or `UnknownSession`.
    fn get(&self, peer: &Handle, call_id: &CallId) -> Result<(usize, &Call), Error> {
        let i = self.find(peer, call_id).ok_or(Error::UnknownSession)?;
        let call = self.calls.get(i).ok_or(Error::UnknownSession)?;
        Ok((i, call))
    }

    /// The call at index `i` (found by [`Calls::get`]), mutably.
    fn at(&mut self, i: usize) -> Result<&mut Call, Error> {
        self.calls.get_mut(i).ok_or(Error::UnknownSession)
    }

    /// The phase of the call with `peer` and `call_id`, if held.
    pub fn phase(&self, peer: &Handle, call_id: &CallId) -> Option<Phase> {
        self.get(peer, call_id).ok().map(|(_, c)| c.phase)
    }

    /// The KIDs of the peer keys held for a call, oldest first.
    pub fn peer_kids(&self, peer: &Handle, call_id: &CallId) -> Vec<u64> {
        self.get(peer, call_id)
            .map(|(_, c)| c.peer_keys.iter().map(|k| k.kid).collect())
            .unwrap_or_default()
    }

    /// This side's current KID and next CTR in a call, if it has a key.
    pub fn own_counter(&self, peer: &Handle, call_id: &CallId) -> Option<(u64, u64)> {
        let (_, c) = self.get(peer, call_id).ok()?;
        c.own.as_ref().map(|o| (o.kid, o.ctr))
    }

    /// Appends `call`, first deleting, while `MAX_CALLS` calls are held,
    /// the oldest incoming (unanswered) call, else the oldest call (SPEC.md
    /// section 20.2): offers, which any contact can send, push out
    /// unanswered offers before a call the user placed or answered.
    fn add(&mut self, call: Call) {
        while self.calls.len() >= MAX_CALLS {
            let victim = self
                .calls
                .iter()
                .position(|c| c.phase == Phase::Incoming)
                .unwrap_or(0);
            self.calls.remove(victim);
        }
        self.calls.push(call);
    }

    /// Starts a call with `peer` (SPEC.md section 20.2, REQ-CALL-002): the
    /// new call's id and the offer to send. Randomness: `call_id` (16
    /// bytes), then `base_key` (32).
    pub fn start<R: CryptoRng + ?Sized>(
        &mut self,
        peer: &Handle,
        params: &[u8],
        rng: &mut R,
    ) -> Result<(CallId, Content), Error> {
        let call_id = random_array::<16, R>(rng);
        let base_key = random_array::<32, R>(rng);
        let content = self.start_with(peer, &call_id, &base_key, params)?;
        Ok((*call_id, content))
    }

    /// [`Calls::start`] with explicit randomness (the spec's
    /// `call::start`): `Malformed` for parameters longer than
    /// [`MAX_CALL_PARAMS_LEN`], then `Replay` if the call is held.
    pub fn start_with(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        base_key: &[u8; 32],
        params: &[u8],
    ) -> Result<Content, Error> {
        if params.len() > MAX_CALL_PARAMS_LEN {
            return Err(Error::Malformed);
        }
        if self.find(peer, call_id).is_some() {
            return Err(Error::Replay);
        }
        let own = OwnKey {
            kid: 0,
            key_salt: derive(0, base_key)?,
            ctr: 0,
        };
        self.add(Call {
            peer: *peer,
            call_id: *call_id,
            phase: Phase::Outgoing,
            own: Some(own),
            peer_keys: Vec::new(),
            grace: 0,
        });
        Ok(Content::Call(CallSignal::Offer {
            call_id: *call_id,
            key: CallKey::new(0, *base_key),
            params: params.to_vec(),
        }))
    }

    /// Answers an incoming call (SPEC.md section 20.2, REQ-CALL-002): the
    /// answer to send. Randomness: `base_key` (32 bytes).
    pub fn answer<R: CryptoRng + ?Sized>(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        params: &[u8],
        rng: &mut R,
    ) -> Result<Content, Error> {
        let base_key = random_array::<32, R>(rng);
        self.answer_with(peer, call_id, &base_key, params)
    }

    /// [`Calls::answer`] with explicit randomness (the spec's
    /// `call::answer`): `Malformed` for parameters longer than
    /// [`MAX_CALL_PARAMS_LEN`], then `UnknownSession` unless the call is
    /// held and incoming.
    pub fn answer_with(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        base_key: &[u8; 32],
        params: &[u8],
    ) -> Result<Content, Error> {
        if params.len() > MAX_CALL_PARAMS_LEN {
            return Err(Error::Malformed);
        }
        let (i, call) = self.get(peer, call_id)?;
        if call.phase != Phase::Incoming {
            return Err(Error::UnknownSession);
        }
        let own = OwnKey {
            kid: 0,
            key_salt: derive(0, base_key)?,
            ctr: 0,
        };
        let call = self.at(i)?;
        call.phase = Phase::Active;
        call.own = Some(own);
        Ok(Content::Call(CallSignal::Answer {
            call_id: *call_id,
            key: CallKey::new(0, *base_key),
            params: params.to_vec(),
        }))
    }

    /// Replaces this side's key in a call (SPEC.md section 20.2,
    /// REQ-CALL-002): the key update to send. Randomness: `base_key` (32
    /// bytes).
    pub fn rekey<R: CryptoRng + ?Sized>(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        rng: &mut R,
    ) -> Result<Content, Error> {
        let base_key = random_array::<32, R>(rng);
        self.rekey_with(peer, call_id, &base_key)
    }

    /// [`Calls::rekey`] with explicit randomness (the spec's
    /// `call::rekey`): `UnknownSession`, `NoSendingChain` (no own key yet),
    /// `ChainExhausted` (`kid = 2^64 - 1`). The new key is `(kid + 1,
    /// base_key)` at `CTR = 0`; the previous one is deleted.
    pub fn rekey_with(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        base_key: &[u8; 32],
    ) -> Result<Content, Error> {
        let (i, call) = self.get(peer, call_id)?;
        let own = call.own.as_ref().ok_or(Error::NoSendingChain)?;
        let kid = own.kid.checked_add(1).ok_or(Error::ChainExhausted)?;
        let own = OwnKey {
            kid,
            key_salt: derive(kid, base_key)?,
            ctr: 0,
        };
        self.at(i)?.own = Some(own);
        Ok(Content::Call(CallSignal::KeyUpdate {
            call_id: *call_id,
            key: CallKey::new(kid, *base_key),
        }))
    }

    /// Rejects an incoming call (SPEC.md section 20.2, REQ-CALL-002): the
    /// call and its keys are deleted; the reject to send. `UnknownSession`
    /// unless the call is held and incoming.
    pub fn reject(&mut self, peer: &Handle, call_id: &CallId) -> Result<Content, Error> {
        let (i, call) = self.get(peer, call_id)?;
        if call.phase != Phase::Incoming {
            return Err(Error::UnknownSession);
        }
        self.calls.remove(i);
        Ok(Content::Call(CallSignal::Reject { call_id: *call_id }))
    }

    /// Ends a call (SPEC.md section 20.2, REQ-CALL-002): the call and its
    /// keys are deleted; the hang-up to send. `UnknownSession` if the call
    /// is not held.
    pub fn hang_up(&mut self, peer: &Handle, call_id: &CallId) -> Result<Content, Error> {
        let (i, _) = self.get(peer, call_id)?;
        self.calls.remove(i);
        Ok(Content::Call(CallSignal::HangUp { call_id: *call_id }))
    }

    /// Applies a call signal received from `peer`, the contact whose
    /// session decrypted it (SPEC.md section 20.2, REQ-CALL-003). Errors
    /// (nothing changes): `Replay` for an offer of a held call or a key
    /// update whose `kid` is not above the newest peer `kid`;
    /// `UnknownSession` for an answer or reject of a call not held or not
    /// outgoing, a hang-up of a call not held, a key update of a call not
    /// held or without a peer key.
    pub fn on_signal(&mut self, peer: &Handle, signal: &CallSignal) -> Result<(), Error> {
        let found = self.find(peer, signal.call_id());
        match signal {
            CallSignal::Offer { call_id, key, .. } => {
                if found.is_some() {
                    return Err(Error::Replay);
                }
                let pk = peer_key(key)?;
                self.add(Call {
                    peer: *peer,
                    call_id: *call_id,
                    phase: Phase::Incoming,
                    own: None,
                    peer_keys: vec![pk],
                    grace: 0,
                });
            }
            CallSignal::Answer { key, .. } => {
                let i = found.ok_or(Error::UnknownSession)?;
                if self.at(i)?.phase != Phase::Outgoing {
                    return Err(Error::UnknownSession);
                }
                let pk = peer_key(key)?;
                let call = self.at(i)?;
                call.phase = Phase::Active;
                call.peer_keys = vec![pk];
            }
            CallSignal::Reject { .. } => {
                let i = found.ok_or(Error::UnknownSession)?;
                if self.at(i)?.phase != Phase::Outgoing {
                    return Err(Error::UnknownSession);
                }
                self.calls.remove(i);
            }
            CallSignal::HangUp { .. } => {
                let i = found.ok_or(Error::UnknownSession)?;
                self.calls.remove(i);
            }
            CallSignal::KeyUpdate { key, .. } => {
                let i = found.ok_or(Error::UnknownSession)?;
                let newest = self.at(i)?.peer_keys.last().ok_or(Error::UnknownSession)?;
                if key.kid() <= newest.kid {
                    return Err(Error::Replay);
                }
                let pk = peer_key(key)?;
                let call = self.at(i)?;
                let keep = call.peer_keys.len().saturating_sub(1);
                call.peer_keys.drain(..keep);
                call.peer_keys.push(pk);
                call.grace = CALL_KEY_GRACE;
            }
        }
        Ok(())
    }

    /// Encrypts a media frame of the call with `peer` and `call_id`
    /// (SPEC.md section 20.3, REQ-CALL-004): an RFC 9605 section 4.4.3
    /// frame under this side's key with `KID = kid` and the next `CTR`.
    /// Errors: `UnknownSession`, `NoSendingChain`, `ChainExhausted` (rekey
    /// first).
    pub fn encrypt_frame(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        metadata: &[u8],
        frame: &[u8],
    ) -> Result<Vec<u8>, Error> {
        // Sized for the whole frame: header, ciphertext, tag.
        let mut out = Vec::with_capacity(frame.len().saturating_add(sframe::MAX_HEADER_LEN + 16));
        self.encrypt_frame_into(peer, call_id, metadata, frame, &mut out)?;
        Ok(out)
    }

    /// [`Calls::encrypt_frame`] into the caller's buffer `out` (cleared,
    /// then the frame; reused across frames, it spares an allocation per
    /// frame). On an error `out` is empty and nothing changed.
    pub fn encrypt_frame_into(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        metadata: &[u8],
        frame: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        out.clear();
        let i = self.find(peer, call_id).ok_or(Error::UnknownSession)?;
        let own = self.at(i)?.own.as_mut().ok_or(Error::NoSendingChain)?;
        if own.ctr == u64::MAX {
            return Err(Error::ChainExhausted);
        }
        let header = Header {
            kid: own.kid,
            ctr: own.ctr,
        };
        sframe::encrypt_into(CALL_SUITE, &own.key_salt, &header, metadata, frame, out)?;
        // The counter moves only for a frame that was produced.
        own.ctr += 1;
        Ok(())
    }

    /// Decrypts a media frame of the call with `peer` and `call_id`
    /// (SPEC.md section 20.3, REQ-CALL-005). Checks, in order:
    /// `UnknownSession`; the header (`Malformed`); a peer key with its KID
    /// (`AuthenticationFailed`); its replay window (`Replay`,
    /// REQ-CALL-006); the frame (`Malformed`, `AuthenticationFailed`). Only
    /// then is `CTR` marked and the grace window applied (REQ-CALL-007).
    pub fn decrypt_frame(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        metadata: &[u8],
        frame: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(frame.len());
        self.decrypt_frame_into(peer, call_id, metadata, frame, &mut out)?;
        Ok(out)
    }

    /// [`Calls::decrypt_frame`] into the caller's buffer `out` (cleared,
    /// then the plaintext; reused across frames). On an error `out` is
    /// empty and nothing changed.
    pub fn decrypt_frame_into(
        &mut self,
        peer: &Handle,
        call_id: &CallId,
        metadata: &[u8],
        frame: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        out.clear();
        let i = self.find(peer, call_id).ok_or(Error::UnknownSession)?;
        let (header, _) = sframe::decode_header(frame)?;
        let call = self.at(i)?;
        let newest = call.peer_keys.len().saturating_sub(1);
        let k = call
            .peer_keys
            .iter()
            .position(|k| k.kid == header.kid)
            .ok_or(Error::AuthenticationFailed)?;
        let key = call
            .peer_keys
            .get_mut(k)
            .ok_or(Error::AuthenticationFailed)?;
        if !key.window.accepts(header.ctr) {
            return Err(Error::Replay);
        }
        sframe::decrypt_into(CALL_SUITE, &key.key_salt, metadata, frame, out)?;
        key.window.mark(header.ctr);
        if k == newest && newest > 0 {
            // A frame under the newest key: one step of the grace window.
            if call.grace <= 1 {
                call.grace = 0;
                call.peer_keys.drain(..newest);
            } else {
                call.grace -= 1;
            }
        }
        Ok(())
    }
}
