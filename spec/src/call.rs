//! Calls: SFrame (RFC 9605) sender keys carried by call signals over
//! sessions (SPEC.md section 20).
//!
//! The state of an account's calls is a [`Calls`] value, passed in and
//! returned by every operation (the subset has no `&mut`). Randomness is an
//! explicit input: `start` takes `call_id` and `base_key`, `answer` and
//! `rekey` take `base_key` (REQ-CALL-002). Frames use the one suite of
//! section 20, `0x0004` `AES_128_GCM_SHA256_128`, through [`crate::sframe`].
//!
//! Every operation returns an error without a new state, so a failure
//! changes nothing (the caller keeps the state it passed in).

use crate::content::{CallKey, CallSignal, MAX_CALL_PARAMS_LEN};
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

/// The replay window of one peer key (REQ-CALL-006): the highest counter
/// accepted, if any, and which counters were accepted, in slot
/// `CTR mod CALL_REPLAY_WINDOW` (valid for `top - 127 ..= top`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayWindow {
    pub top: Option<u64>,
    pub seen: Vec<bool>,
}

/// This side's sender key in a call (SPEC.md section 20.2): its `KID`, its
/// `base_key`, the derived SFrame key and salt, and the next `CTR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnKey {
    pub kid: u64,
    pub base_key: [u8; 32],
    pub key_salt: KeyAndSalt,
    pub ctr: u64,
}

/// A peer's sender key in a call (SPEC.md section 20.2), with its replay
/// window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerKey {
    pub kid: u64,
    pub base_key: [u8; 32],
    pub key_salt: KeyAndSalt,
    pub window: ReplayWindow,
}

/// One call (SPEC.md section 20.2). `peer_keys` is oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub peer: Handle,
    pub call_id: [u8; 16],
    pub phase: Phase,
    pub own: Option<OwnKey>,
    pub peer_keys: Vec<PeerKey>,
    /// Frames still accepted under older peer keys (REQ-CALL-007).
    pub grace: u32,
}

/// An account's calls, oldest first (SPEC.md section 20.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calls {
    pub calls: Vec<Call>,
}

/// No calls (SPEC.md section 20.2).
pub fn new_calls() -> Calls {
    Calls { calls: Vec::new() }
}

/// The empty replay window (REQ-CALL-006).
pub fn new_window() -> ReplayWindow {
    ReplayWindow {
        top: None,
        // cast: CALL_REPLAY_WINDOW = 128 fits in usize.
        seen: vec![false; CALL_REPLAY_WINDOW as usize],
    }
}

/// The slot of `ctr` in a replay window (REQ-CALL-006).
fn slot(ctr: u64) -> usize {
    // cast: the remainder is below 128.
    (ctr % CALL_REPLAY_WINDOW) as usize
}

/// Whether the replay window accepts `ctr` (REQ-CALL-006): nothing
/// accepted yet, above `top`, or within the window and not seen.
pub fn window_accepts(w: &ReplayWindow, ctr: u64) -> bool {
    match w.top {
        None => true,
        Some(top) => {
            if ctr > top {
                true
            } else if top - ctr >= CALL_REPLAY_WINDOW {
                false
            } else {
                !w.seen[slot(ctr)]
            }
        }
    }
}

/// The window after accepting `ctr` (REQ-CALL-006; the caller checked
/// [`window_accepts`]): a new `top` clears the slots of the counters
/// between the old `top` and `ctr` (all of them if it moves a whole window
/// or more), then `ctr` is marked.
pub fn window_mark(w: &ReplayWindow, ctr: u64) -> ReplayWindow {
    let mut seen = w.seen.clone();
    let top = match w.top {
        None => {
            // cast: CALL_REPLAY_WINDOW = 128 fits in usize.
            seen = vec![false; CALL_REPLAY_WINDOW as usize];
            ctr
        }
        Some(top) => {
            if ctr > top {
                let gap = ctr - top;
                if gap >= CALL_REPLAY_WINDOW {
                    // cast: as above.
                    seen = vec![false; CALL_REPLAY_WINDOW as usize];
                } else {
                    for i in 1..gap {
                        seen[slot(top + i)] = false;
                    }
                }
                ctr
            } else {
                top
            }
        }
    };
    seen[slot(ctr)] = true;
    ReplayWindow {
        top: Some(top),
        seen,
    }
}

/// The index of the call with `peer` and `call_id`, if held (SPEC.md
/// section 20.2).
pub fn find(calls: &Calls, peer: &Handle, call_id: &[u8; 16]) -> Option<usize> {
    let mut found = None;
    for i in 0..calls.calls.len() {
        if calls.calls[i].peer == *peer && calls.calls[i].call_id == *call_id {
            found = Some(i);
        }
    }
    found
}

/// The SFrame key and salt of a sender key (RFC 9605 section 4.4.2) in the
/// call suite (SPEC.md section 20).
fn derive(kid: u64, base_key: &[u8; 32]) -> Result<KeyAndSalt, Error> {
    sframe::derive_key_salt(CALL_SUITE, kid, base_key)
}

/// This side's key `(kid, base_key)` at `CTR = 0` (REQ-CALL-002).
fn own_key(kid: u64, base_key: &[u8; 32]) -> Result<OwnKey, Error> {
    Ok(OwnKey {
        kid,
        base_key: *base_key,
        key_salt: derive(kid, base_key)?,
        ctr: 0,
    })
}

/// A peer's key `(kid, base_key)` with an empty window (REQ-CALL-003).
fn peer_key(key: &CallKey) -> Result<PeerKey, Error> {
    Ok(PeerKey {
        kid: key.kid,
        base_key: key.base_key,
        key_salt: derive(key.kid, &key.base_key)?,
        window: new_window(),
    })
}

/// The call deleted to make room for a new one (SPEC.md section 20.2):
/// the oldest incoming (unanswered) call, else the oldest call.
pub fn eviction_victim(calls: &Calls) -> usize {
    let mut victim = 0;
    let mut found = false;
    for i in 0..calls.calls.len() {
        if !found && calls.calls[i].phase == Phase::Incoming {
            victim = i;
            found = true;
        }
    }
    victim
}

/// `calls` with `call` appended, after deleting [`eviction_victim`]s
/// while `MAX_CALLS` calls are held (SPEC.md section 20.2).
fn add_call(calls: Calls, call: Call) -> Calls {
    let mut out = calls;
    let held = out.calls.len();
    if held >= MAX_CALLS {
        for _ in (MAX_CALLS - 1)..held {
            let v = eviction_victim(&out);
            out = remove_call(out, v);
        }
    }
    let mut list = out.calls;
    list.push(call);
    Calls { calls: list }
}

/// `calls` without the call at index `i` (SPEC.md section 20.2).
fn remove_call(calls: Calls, i: usize) -> Calls {
    let mut out = calls.calls;
    out.remove(i);
    Calls { calls: out }
}

/// `calls` with the call at index `i` replaced (SPEC.md section 20.2).
fn replace_call(calls: Calls, i: usize, call: Call) -> Calls {
    let mut out = calls.calls;
    out[i] = call;
    Calls { calls: out }
}

/// `start(peer, call_id, base_key, p)` (SPEC.md section 20.2,
/// REQ-CALL-002): a new outgoing call with the own key `(0, base_key)` and
/// its offer. Errors: `Malformed` for parameters longer than
/// [`MAX_CALL_PARAMS_LEN`], then `Replay` if the call is already held.
pub fn start(
    calls: Calls,
    peer: &Handle,
    call_id: &[u8; 16],
    base_key: &[u8; 32],
    params: &[u8],
) -> Result<(Calls, CallSignal), Error> {
    if params.len() > MAX_CALL_PARAMS_LEN {
        return Err(Error::Malformed);
    }
    if find(&calls, peer, call_id).is_some() {
        return Err(Error::Replay);
    }
    let call = Call {
        peer: *peer,
        call_id: *call_id,
        phase: Phase::Outgoing,
        own: Some(own_key(0, base_key)?),
        peer_keys: Vec::new(),
        grace: 0,
    };
    let signal = CallSignal::Offer {
        call_id: *call_id,
        key: CallKey {
            kid: 0,
            base_key: *base_key,
        },
        params: params.to_vec(),
    };
    Ok((add_call(calls, call), signal))
}

/// `answer(peer, call_id, base_key, p)` (SPEC.md section 20.2,
/// REQ-CALL-002): an incoming call becomes active with the own key `(0,
/// base_key)`; returns the answer. Errors: `Malformed` for parameters
/// longer than [`MAX_CALL_PARAMS_LEN`], then `UnknownSession` if no
/// incoming call with `peer` and `call_id` is held.
pub fn answer(
    calls: Calls,
    peer: &Handle,
    call_id: &[u8; 16],
    base_key: &[u8; 32],
    params: &[u8],
) -> Result<(Calls, CallSignal), Error> {
    if params.len() > MAX_CALL_PARAMS_LEN {
        return Err(Error::Malformed);
    }
    let i = match find(&calls, peer, call_id) {
        Some(i) => i,
        None => return Err(Error::UnknownSession),
    };
    if calls.calls[i].phase != Phase::Incoming {
        return Err(Error::UnknownSession);
    }
    let mut call = calls.calls[i].clone();
    call.phase = Phase::Active;
    call.own = Some(own_key(0, base_key)?);
    let signal = CallSignal::Answer {
        call_id: *call_id,
        key: CallKey {
            kid: 0,
            base_key: *base_key,
        },
        params: params.to_vec(),
    };
    Ok((replace_call(calls, i, call), signal))
}

/// `rekey(peer, call_id, base_key)` (SPEC.md section 20.2, REQ-CALL-002):
/// the own key becomes `(kid + 1, base_key)` at `CTR = 0`, the previous one
/// is deleted; returns the key update. Errors: `UnknownSession` (call not
/// held), `NoSendingChain` (no own key yet), `ChainExhausted` (`kid` is
/// `2^64 - 1`).
pub fn rekey(
    calls: Calls,
    peer: &Handle,
    call_id: &[u8; 16],
    base_key: &[u8; 32],
) -> Result<(Calls, CallSignal), Error> {
    let i = match find(&calls, peer, call_id) {
        Some(i) => i,
        None => return Err(Error::UnknownSession),
    };
    let kid = match &calls.calls[i].own {
        Some(own) => own.kid,
        None => return Err(Error::NoSendingChain),
    };
    let kid = match kid.checked_add(1) {
        Some(k) => k,
        None => return Err(Error::ChainExhausted),
    };
    let mut call = calls.calls[i].clone();
    call.own = Some(own_key(kid, base_key)?);
    let signal = CallSignal::KeyUpdate {
        call_id: *call_id,
        key: CallKey {
            kid,
            base_key: *base_key,
        },
    };
    Ok((replace_call(calls, i, call), signal))
}

/// `reject(peer, call_id)` (SPEC.md section 20.2, REQ-CALL-002): deletes an
/// incoming call and returns the reject. Error: `UnknownSession` if no
/// incoming call with `peer` and `call_id` is held.
pub fn reject(
    calls: Calls,
    peer: &Handle,
    call_id: &[u8; 16],
) -> Result<(Calls, CallSignal), Error> {
    let i = match find(&calls, peer, call_id) {
        Some(i) => i,
        None => return Err(Error::UnknownSession),
    };
    if calls.calls[i].phase != Phase::Incoming {
        return Err(Error::UnknownSession);
    }
    let signal = CallSignal::Reject { call_id: *call_id };
    Ok((remove_call(calls, i), signal))
}

/// `hang_up(peer, call_id)` (SPEC.md section 20.2, REQ-CALL-002): deletes
/// a held call with all its keys and returns the hang-up. Error:
/// `UnknownSession` if the call is not held.
pub fn hang_up(
    calls: Calls,
    peer: &Handle,
    call_id: &[u8; 16],
) -> Result<(Calls, CallSignal), Error> {
    let i = match find(&calls, peer, call_id) {
        Some(i) => i,
        None => return Err(Error::UnknownSession),
    };
    let signal = CallSignal::HangUp { call_id: *call_id };
    Ok((remove_call(calls, i), signal))
}

/// Applies a call signal received from `peer` (SPEC.md section 20.2,
/// REQ-CALL-003). Errors (nothing changes): an offer for a held call is
/// `Replay`; an answer or reject for a call that is not held or not
/// outgoing, a hang-up for a call not held, or a key update for a call not
/// held or without a peer key is `UnknownSession`; a key update whose
/// `kid` is not above the newest peer `kid` is `Replay`.
pub fn receive_signal(calls: Calls, peer: &Handle, signal: &CallSignal) -> Result<Calls, Error> {
    let call_id = crate::content::call_id_of(signal);
    let found = find(&calls, peer, &call_id);
    match signal {
        CallSignal::Offer { key, .. } => match found {
            Some(_) => Err(Error::Replay),
            None => {
                let call = Call {
                    peer: *peer,
                    call_id,
                    phase: Phase::Incoming,
                    own: None,
                    peer_keys: vec![peer_key(key)?],
                    grace: 0,
                };
                Ok(add_call(calls, call))
            }
        },
        CallSignal::Answer { key, .. } => {
            let i = match found {
                Some(i) => i,
                None => return Err(Error::UnknownSession),
            };
            if calls.calls[i].phase != Phase::Outgoing {
                return Err(Error::UnknownSession);
            }
            let mut call = calls.calls[i].clone();
            call.phase = Phase::Active;
            call.peer_keys = vec![peer_key(key)?];
            Ok(replace_call(calls, i, call))
        }
        CallSignal::Reject { .. } => match found {
            Some(i) => {
                if calls.calls[i].phase != Phase::Outgoing {
                    Err(Error::UnknownSession)
                } else {
                    Ok(remove_call(calls, i))
                }
            }
            None => Err(Error::UnknownSession),
        },
        CallSignal::HangUp { .. } => match found {
            Some(i) => Ok(remove_call(calls, i)),
            None => Err(Error::UnknownSession),
        },
        CallSignal::KeyUpdate { key, .. } => {
            let i = match found {
                Some(i) => i,
                None => return Err(Error::UnknownSession),
            };
            let n = calls.calls[i].peer_keys.len();
            if n == 0 {
                return Err(Error::UnknownSession);
            }
            let newest = calls.calls[i].peer_keys[n - 1].clone();
            if key.kid <= newest.kid {
                return Err(Error::Replay);
            }
            let mut call = calls.calls[i].clone();
            call.peer_keys = vec![newest, peer_key(key)?];
            call.grace = CALL_KEY_GRACE;
            Ok(replace_call(calls, i, call))
        }
    }
}

/// Encrypts a media frame of the call with `peer` and `call_id` (SPEC.md
/// section 20.3, REQ-CALL-004): `sframe_encrypt` (RFC 9605 section 4.4.3)
/// under the own key with `KID = kid` and the next `CTR`, which is then
/// incremented. Errors: `UnknownSession`, `NoSendingChain`,
/// `ChainExhausted` (`CTR = 2^64 - 1`: rekey first).
pub fn encrypt_frame(
    calls: Calls,
    peer: &Handle,
    call_id: &[u8; 16],
    metadata: &[u8],
    frame: &[u8],
) -> Result<(Calls, Vec<u8>), Error> {
    let i = match find(&calls, peer, call_id) {
        Some(i) => i,
        None => return Err(Error::UnknownSession),
    };
    let own = match &calls.calls[i].own {
        Some(own) => own.clone(),
        None => return Err(Error::NoSendingChain),
    };
    if own.ctr == u64::MAX {
        return Err(Error::ChainExhausted);
    }
    let header = Header {
        kid: own.kid,
        ctr: own.ctr,
    };
    let out = sframe::encrypt(CALL_SUITE, &own.key_salt, &header, metadata, frame)?;
    let mut call = calls.calls[i].clone();
    call.own = Some(OwnKey {
        ctr: own.ctr + 1,
        ..own
    });
    Ok((replace_call(calls, i, call), out))
}

/// Decrypts a media frame of the call with `peer` and `call_id` (SPEC.md
/// section 20.3, REQ-CALL-005): checks, in order, that the call is held
/// (`UnknownSession`), the header (`Malformed`), a peer key with its KID
/// (`AuthenticationFailed`), the key's replay window (`Replay`,
/// REQ-CALL-006), then `sframe_decrypt` (RFC 9605 section 4.4.4:
/// `Malformed`, `AuthenticationFailed`); only then marks `CTR` in the
/// window and applies the grace counter (REQ-CALL-007).
pub fn decrypt_frame(
    calls: Calls,
    peer: &Handle,
    call_id: &[u8; 16],
    metadata: &[u8],
    frame: &[u8],
) -> Result<(Calls, Vec<u8>), Error> {
    let i = match find(&calls, peer, call_id) {
        Some(i) => i,
        None => return Err(Error::UnknownSession),
    };
    let (header, _) = sframe::decode_header(frame)?;
    let keys = &calls.calls[i].peer_keys;
    let mut k = keys.len();
    for j in 0..keys.len() {
        if keys[j].kid == header.kid {
            k = j;
        }
    }
    if k == keys.len() {
        return Err(Error::AuthenticationFailed);
    }
    if !window_accepts(&keys[k].window, header.ctr) {
        return Err(Error::Replay);
    }
    let (_, pt) = sframe::decrypt(CALL_SUITE, &keys[k].key_salt, metadata, frame)?;
    let mut call = calls.calls[i].clone();
    call.peer_keys[k].window = window_mark(&keys[k].window, header.ctr);
    if k + 1 == keys.len() && keys.len() > 1 {
        // A frame under the newest key: one step of the grace window.
        if call.grace <= 1 {
            call.grace = 0;
            call.peer_keys = vec![call.peer_keys[k].clone()];
        } else {
            call.grace -= 1;
        }
    }
    Ok((replace_call(calls, i, call), pt))
}
