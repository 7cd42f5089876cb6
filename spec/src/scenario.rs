//! The scripted multi-party scenario runner (a test harness over SPEC.md
//! section 15, not part of the protocol).
//!
//! A scenario sets up four parties from one 32-byte seed: `alice`, `bob`,
//! `carol`, and `mallory`, an impostor whose identity claims the handle
//! `alice` with keys of its own. Each has an [`Account`] with a prekey
//! store and a mailbox. A script of events then plays through the public
//! functions of [`crate::account`]: a party fetches another's bundle from
//! the directory and starts a session, sends a text, the relay delivers,
//! drops, duplicates, reorders (delivers out of order) or tampers with an
//! envelope, a party accepts a changed identity, rotates its signed
//! prekey, or is snapshotted and later restored (a device restored from a
//! backup, randomness counter included, as a VM snapshot would be). Every
//! envelope and every outcome is recorded. Test vectors, differential tests
//! and fuzzing drive whole conversations through it.
//!
//! All randomness is derived from the seed with HKDF and a per-purpose
//! label and counter (see [`draw`]), so a scenario is a pure function of its
//! seed and script. Each party has one counter, `draws`, that every
//! successful randomness-consuming operation (start, send, receive,
//! rotate) uses as `n` and then increments; a failed operation changes
//! nothing, the counter included. The labels start with
//! `"xchat-spec scenario"`: they belong to this harness, not to the
//! protocol.

use crate::account::{self, Account, Receipt};
use crate::bundle::{self, Bundle, PqKind, PqPrekeySecret, PrekeyStore};
use crate::content::Content;
use crate::encoding::u32_be;
use crate::handle::Handle;
use crate::identity::{self, IdentityPublic};
use crate::suite::{kdf, key_at};
use crate::{ml_kem, Error};

/// The parties of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// `alice`.
    Alice,
    /// `bob`.
    Bob,
    /// `carol`.
    Carol,
    /// `mallory`, whose identity claims the handle `alice`.
    Mallory,
}

/// Every party, in the order of their index.
pub const PARTIES: [Party; 4] = [Party::Alice, Party::Bob, Party::Carol, Party::Mallory];

/// One step of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `from` fetches `to`'s bundle from the directory and starts a session
    /// with the handle that bundle names (SPEC.md section 8).
    Start { from: Party, to: Party },
    /// `from` sends a text to its contact with `to`'s handle, at `to`'s
    /// mailbox; the envelope gets the next wire index.
    Send {
        from: Party,
        to: Party,
        text: Vec<u8>,
    },
    /// The relay delivers envelope `index` to its recipient. Delivering out
    /// of order is reordering; delivering twice is duplication.
    Deliver { index: usize },
    /// The relay drops envelope `index`: later deliveries of it do nothing.
    Drop { index: usize },
    /// The relay delivers envelope `index` a second time.
    Duplicate { index: usize },
    /// The relay delivers a copy of envelope `index` with the byte at
    /// `byte` (modulo the length) XORed with `mask` (a zero mask is taken
    /// as `0x01`, so the copy always differs).
    Tamper { index: usize, byte: usize, mask: u8 },
    /// `who` accepts `of`'s identity for the handle it claims (SPEC.md
    /// REQ-PEER-002).
    AcceptIdentity { who: Party, of: Party },
    /// `who` rotates its signed prekey (SPEC.md section 16).
    RotatePrekey { who: Party },
    /// `who`'s whole state is saved (a backup).
    Snapshot { who: Party },
    /// `who`'s state is replaced by its last snapshot (nothing happens if
    /// there is none).
    Restore { who: Party },
}

/// What one event did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `from` started a session with `to`.
    Started { from: Party, to: Party },
    /// `from` could not start a session with `to`.
    StartFailed {
        from: Party,
        to: Party,
        error: Error,
    },
    /// `from` sent envelope `index` to `to`.
    Sent {
        index: usize,
        from: Party,
        to: Party,
    },
    /// `from` could not send to `to` (e.g. no session).
    SendFailed {
        from: Party,
        to: Party,
        error: Error,
    },
    /// The recipient accepted envelope `index` and decrypted this content.
    Delivered {
        index: usize,
        to: Party,
        content: Content,
    },
    /// The recipient got envelope `index` from an identity other than the
    /// one pinned for its handle; nothing changed.
    IdentityChanged {
        index: usize,
        to: Party,
        offered: IdentityPublic,
    },
    /// The recipient rejected envelope `index` (or its tampered copy); its
    /// state is unchanged.
    Rejected {
        index: usize,
        to: Party,
        error: Error,
    },
    /// An accept-identity, rotation, snapshot or restore happened.
    Done,
    /// Nothing happened: the index names no envelope, or a dropped one, or
    /// a restore has no snapshot.
    Ignored,
}

/// One party's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyState {
    /// The party's account.
    pub account: Account,
    /// The mailbox id its envelopes are addressed to.
    pub mailbox: [u8; 16],
    /// How many randomness-consuming operations it completed.
    pub draws: u32,
}

/// How a scenario is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The seed every key and random input is derived from.
    pub seed: [u8; 32],
    /// Whether each party's store holds a one-time prekey (id 7), which its
    /// bundles offer while it is held.
    pub with_opk: bool,
    /// The kind of each party's post-quantum prekey (id 3).
    pub pq_kind: PqKind,
}

/// A whole run: every envelope on the wire, each event's outcome, and every
/// party's final state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    /// Every envelope sent, by wire index.
    pub wire: Vec<Vec<u8>>,
    /// The recipient of each envelope.
    pub recipients: Vec<Party>,
    /// One outcome per event, in script order.
    pub outcomes: Vec<Outcome>,
    /// Every party at the end, in the order of [`PARTIES`].
    pub parties: Vec<PartyState>,
}

/// `n`-th 32-byte draw for `purpose` from `seed` (test harness randomness):
/// `HKDF-SHA-256(salt = seed, ikm = u32(n), info = "xchat-spec scenario " ||
/// purpose, 32)`, with the suite's `kdf` (SPEC.md section 3; RFC 5869) but
/// a label of this harness, not one of the protocol labels of SPEC.md
/// section 3.2.
pub fn draw(seed: &[u8; 32], purpose: &[u8], n: u32) -> [u8; 32] {
    let mut info = b"xchat-spec scenario ".to_vec();
    info.extend_from_slice(purpose);
    match kdf(seed, &u32_be(n), &info, 32) {
        Ok(okm) => key_at(&okm, 0),
        Err(_) => [0u8; 32],
    }
}

/// The party's name, which starts each of its draw purposes (test harness
/// over SPEC.md section 15; not a protocol value).
pub fn name(p: Party) -> &'static [u8] {
    match p {
        Party::Alice => b"alice",
        Party::Bob => b"bob",
        Party::Carol => b"carol",
        Party::Mallory => b"mallory",
    }
}

/// The handle a party's identity claims (`mallory` claims `alice`): the
/// impostor of SPEC.md section 15.1, whose envelopes REQ-PEER-002 turns
/// into `IdentityChanged`.
pub fn claimed_handle(p: Party) -> &'static [u8] {
    match p {
        Party::Mallory => b"alice",
        other => name(other),
    }
}

/// The index of a party in [`PARTIES`] (test harness over SPEC.md section
/// 15; not a protocol value).
pub fn index_of(p: Party) -> usize {
    match p {
        Party::Alice => 0,
        Party::Bob => 1,
        Party::Carol => 2,
        Party::Mallory => 3,
    }
}

/// `draw(seed, name(p) || " " || purpose, n)`: a party's own randomness
/// (test harness over SPEC.md section 15, see [`draw`]).
pub fn party_draw(seed: &[u8; 32], p: Party, purpose: &[u8], n: u32) -> [u8; 32] {
    let mut full = name(p).to_vec();
    full.push(b' ');
    full.extend_from_slice(purpose);
    draw(seed, &full, n)
}

fn concat64(a: &[u8; 32], b: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for i in 0..32 {
        out[i] = a[i];
        out[32 + i] = b[i];
    }
    out
}

fn first24(full: &[u8; 32]) -> [u8; 24] {
    let mut out = [0u8; 24];
    for i in 0..24 {
        out[i] = full[i];
    }
    out
}

fn first16(full: &[u8; 32]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for i in 0..16 {
        out[i] = full[i];
    }
    out
}

/// Sets up party `p` from `setup`: identity from `identity` draws 0 and 1,
/// signed prekey id 1 from `signed prekey` 0, one-time prekey id 7 from
/// `one-time prekey` 0 if `with_opk`, PQ prekey id 3 of `pq_kind` from
/// `pq prekey d` 0 and `pq prekey z` 0, mailbox from the first 16 bytes of
/// `mailbox` 0 (each purpose prefixed with the party's name and a space).
/// The identity is generated as in SPEC.md section 6, the prekeys form the
/// store of SPEC.md sections 7 and 16, and the PQ prekey is an ML-KEM-768
/// key pair from `(d, z)` (FIPS 203, Algorithm 16).
pub fn set_up_party(setup: &Setup, p: Party) -> Result<PartyState, Error> {
    let seed = &setup.seed;
    let handle = crate::handle::parse_handle(claimed_handle(p))?;
    let (id, _) = identity::generate(
        &handle,
        &concat64(
            &party_draw(seed, p, b"identity", 0),
            &party_draw(seed, p, b"identity", 1),
        ),
    );
    let (pq_ek, pq_dk) = ml_kem::keygen_internal(
        &party_draw(seed, p, b"pq prekey d", 0),
        &party_draw(seed, p, b"pq prekey z", 0),
    );
    let opks = if setup.with_opk {
        vec![(7u32, party_draw(seed, p, b"one-time prekey", 0))]
    } else {
        Vec::new()
    };
    let store = PrekeyStore {
        spk_id: 1,
        spk_secret: party_draw(seed, p, b"signed prekey", 0),
        retired_spks: Vec::new(),
        opks,
        pqpks: vec![PqPrekeySecret {
            id: 3,
            kind: setup.pq_kind,
            ek: pq_ek,
            dk: pq_dk,
        }],
    };
    Ok(PartyState {
        account: account::new(&id, &store),
        mailbox: first16(&party_draw(seed, p, b"mailbox", 0)),
        draws: 0,
    })
}

/// The bundle the directory serves for a party now: its current signed
/// prekey, its first one-time prekey if it holds any, and its first PQ
/// prekey (`UnknownPrekey` if it holds none), made and signed as in
/// SPEC.md section 7.
pub fn served_bundle(state: &PartyState) -> Result<Bundle, Error> {
    let store = &state.account.store;
    let opk_id = if store.opks.is_empty() {
        None
    } else {
        Some(store.opks[0].0)
    };
    if store.pqpks.is_empty() {
        return Err(Error::UnknownPrekey);
    }
    bundle::make_bundle(&state.account.identity, store, opk_id, store.pqpks[0].id)
}

fn handle_of(p: Party) -> Result<Handle, Error> {
    crate::handle::parse_handle(claimed_handle(p))
}

/// `from` starts a session with `to` from `to`'s served bundle, with
/// `handshake ephemeral`, `handshake kem` and `handshake ratchet` draws.
fn start(
    setup: &Setup,
    from: Party,
    s: &PartyState,
    t: &PartyState,
    to: Party,
) -> Result<PartyState, Error> {
    let seed = &setup.seed;
    let b = served_bundle(t)?;
    let n = s.draws;
    let account = account::start(
        &s.account,
        &handle_of(to)?,
        &b,
        &party_draw(seed, from, b"handshake ephemeral", n),
        &party_draw(seed, from, b"handshake kem", n),
        &party_draw(seed, from, b"handshake ratchet", n),
    )?;
    Ok(PartyState {
        account,
        mailbox: s.mailbox,
        draws: n.wrapping_add(1),
    })
}

/// `from` sends `text` to `to`, with the first 24 bytes of `send nonce` as
/// the header randomness and `send envelope` as the envelope's.
fn send(
    setup: &Setup,
    from: Party,
    s: &PartyState,
    to: Party,
    to_mailbox: &[u8; 16],
    text: &[u8],
) -> Result<(PartyState, Vec<u8>), Error> {
    let seed = &setup.seed;
    let n = s.draws;
    let (account, sealed) = account::send(
        &s.account,
        &handle_of(to)?,
        &Content::Text(text.to_vec()),
        to_mailbox,
        &first24(&party_draw(seed, from, b"send nonce", n)),
        &party_draw(seed, from, b"send envelope", n),
    )?;
    Ok((
        PartyState {
            account,
            mailbox: s.mailbox,
            draws: n.wrapping_add(1),
        },
        sealed,
    ))
}

/// `to` receives `sealed` with the `receive` draw; an `IdentityChanged`
/// receipt changes nothing, the counter included.
fn receive(
    setup: &Setup,
    to: Party,
    r: &PartyState,
    sealed: &[u8],
) -> Result<(PartyState, Receipt), Error> {
    let n = r.draws;
    let (account, receipt) = account::receive(
        &r.account,
        &r.mailbox,
        sealed,
        &party_draw(&setup.seed, to, b"receive", n),
    )?;
    let draws = match receipt {
        Receipt::Message(_) => n.wrapping_add(1),
        Receipt::IdentityChanged { .. } => n,
    };
    Ok((
        PartyState {
            account,
            mailbox: r.mailbox,
            draws,
        },
        receipt,
    ))
}

/// Runs `events` from `setup` through the account operations of SPEC.md
/// section 15 (start, send, receive, accept an identity) and the prekey
/// rotation of section 16: every failed operation leaves its party's state
/// as it was, which the transcript's final states let tests check.
pub fn run(setup: &Setup, events: &[Event]) -> Result<Transcript, Error> {
    let mut parties = Vec::new();
    for i in 0..PARTIES.len() {
        parties.push(set_up_party(setup, PARTIES[i])?);
    }
    let mut snapshots: Vec<Option<PartyState>> = vec![None, None, None, None];
    let mut wire: Vec<Vec<u8>> = Vec::new();
    let mut recipients: Vec<Party> = Vec::new();
    let mut dropped: Vec<bool> = Vec::new();
    let mut outcomes = Vec::new();
    for e in 0..events.len() {
        let outcome = match &events[e] {
            Event::Start { from, to } => {
                let (f, t) = (index_of(*from), index_of(*to));
                match start(setup, *from, &parties[f], &parties[t], *to) {
                    Ok(next) => {
                        parties[f] = next;
                        Outcome::Started {
                            from: *from,
                            to: *to,
                        }
                    }
                    Err(error) => Outcome::StartFailed {
                        from: *from,
                        to: *to,
                        error,
                    },
                }
            }
            Event::Send { from, to, text } => {
                let (f, t) = (index_of(*from), index_of(*to));
                let mailbox = parties[t].mailbox;
                match send(setup, *from, &parties[f], *to, &mailbox, text) {
                    Ok((next, sealed)) => {
                        parties[f] = next;
                        wire.push(sealed);
                        recipients.push(*to);
                        dropped.push(false);
                        Outcome::Sent {
                            index: wire.len() - 1,
                            from: *from,
                            to: *to,
                        }
                    }
                    Err(error) => Outcome::SendFailed {
                        from: *from,
                        to: *to,
                        error,
                    },
                }
            }
            Event::Drop { index } => {
                if *index < dropped.len() {
                    dropped[*index] = true;
                }
                Outcome::Ignored
            }
            Event::Deliver { index } | Event::Duplicate { index } | Event::Tamper { index, .. } => {
                if *index < wire.len() && !dropped[*index] {
                    let mut sealed = wire[*index].clone();
                    if let Event::Tamper { byte, mask, .. } = &events[e] {
                        if !sealed.is_empty() {
                            let at = byte % sealed.len();
                            sealed[at] ^= if *mask == 0 { 0x01 } else { *mask };
                        }
                    }
                    let to = recipients[*index];
                    let t = index_of(to);
                    match receive(setup, to, &parties[t], &sealed) {
                        Ok((next, Receipt::Message(received))) => {
                            parties[t] = next;
                            Outcome::Delivered {
                                index: *index,
                                to,
                                content: received.content,
                            }
                        }
                        Ok((_, Receipt::IdentityChanged { offered, .. })) => {
                            Outcome::IdentityChanged {
                                index: *index,
                                to,
                                offered,
                            }
                        }
                        Err(error) => Outcome::Rejected {
                            index: *index,
                            to,
                            error,
                        },
                    }
                } else {
                    Outcome::Ignored
                }
            }
            Event::AcceptIdentity { who, of } => {
                let (w, o) = (index_of(*who), index_of(*of));
                let offered = identity::public_of(&parties[o].account.identity);
                match account::accept_identity(&parties[w].account, &offered) {
                    Ok(next) => {
                        parties[w].account = next;
                        Outcome::Done
                    }
                    Err(_) => Outcome::Ignored,
                }
            }
            Event::RotatePrekey { who } => {
                let w = index_of(*who);
                let n = parties[w].draws;
                let secret = party_draw(&setup.seed, *who, b"rotated signed prekey", n);
                parties[w].account = account::rotate_signed_prekey(&parties[w].account, &secret);
                parties[w].draws = n.wrapping_add(1);
                Outcome::Done
            }
            Event::Snapshot { who } => {
                let w = index_of(*who);
                snapshots[w] = Some(parties[w].clone());
                Outcome::Done
            }
            Event::Restore { who } => {
                let w = index_of(*who);
                match &snapshots[w] {
                    Some(saved) => {
                        parties[w] = saved.clone();
                        Outcome::Done
                    }
                    None => Outcome::Ignored,
                }
            }
        };
        outcomes.push(outcome);
    }
    Ok(Transcript {
        wire,
        recipients,
        outcomes,
        parties,
    })
}

/// The public identity of a party's state (for checks on transcripts), as
/// SPEC.md section 6 derives it from the secret one.
pub fn public_identity(state: &PartyState) -> IdentityPublic {
    identity::public_of(&state.account.identity)
}
