//! The scripted multi-party scenario runner (a test harness over SPEC.md
//! section 15, not part of the protocol).
//!
//! A scenario sets up four parties from one 32-byte seed: `alice`, `bob`,
//! `carol`, and `mallory`, an impostor whose identity claims the handle
//! `alice` with keys of its own. Each has an [`Account`] with a prekey
//! store and a published mailbox. A script of events then plays through
//! the public functions of [`crate::account`]: a party fetches another's
//! bundle from the directory and starts a session, sends a text, offers a
//! pairwise mailbox, or seals arbitrary message bytes (a hostile but
//! authenticated peer); the relay delivers, drops, duplicates, reorders
//! (delivers out of order), tampers with, misdelivers an envelope to
//! another mailbox, or refuses it as *gone*, and then its sender resends it
//! sealed; a party accepts a changed identity, rotates its signed prekey,
//! or is snapshotted and later restored (a device restored from a backup,
//! randomness counter included, as a VM snapshot would be). Every envelope,
//! the mailbox it was posted to, and every outcome is recorded. Test vectors, differential tests
//! and fuzzing drive whole conversations through it.
//!
//! All randomness is derived from the seed with HKDF and a per-purpose
//! label and counter (see [`draw`]), so a scenario is a pure function of its
//! seed and script. Each party has one counter, `draws`, that every
//! successful randomness-consuming operation (start, send, offer, resend,
//! inject, receive, rotate) uses as `n` and then increments; a failed operation changes
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
use crate::{envelope, ml_kem, Error};

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
    /// `from` sends a text to its contact with `to`'s handle (SPEC.md
    /// section 15.1): sealed to `to`'s published mailbox, or in a light
    /// envelope to `to`'s pairwise mailbox (section 12.1); the envelope
    /// gets the next wire index.
    Send {
        from: Party,
        to: Party,
        text: Vec<u8>,
    },
    /// `from` offers its contact with `to`'s handle a fresh pairwise
    /// mailbox (SPEC.md section 12.1); the update's envelope gets the next
    /// wire index.
    OfferMailbox { from: Party, to: Party },
    /// `from` offers its contact with `to`'s handle, as a new pairwise
    /// mailbox, one it already holds: its published mailbox if `published`,
    /// else its current pairwise mailbox for that contact (nothing happens
    /// if it holds none). SPEC.md section 12.1 refuses it (`Malformed`).
    OfferHeldMailbox {
        from: Party,
        to: Party,
        published: bool,
    },
    /// `from`, a hostile but authenticated peer, seals `payload` verbatim
    /// as the message of a sealed envelope (SPEC.md section 12) from its
    /// own identity to `to`'s identity and published mailbox, with its
    /// `send envelope` draw; the envelope gets the next wire index. No
    /// session is involved: `to`'s receive steps after opening (SPEC.md
    /// section 15.2 R2-R5) see whatever bytes `payload` holds.
    Inject {
        from: Party,
        to: Party,
        payload: Vec<u8>,
    },
    /// The relay refuses envelope `index` because its mailbox is gone; its
    /// sender resends it sealed (SPEC.md section 12.1, `resend_sealed`) to
    /// the recipient's published mailbox, as the next wire index.
    Gone { index: usize },
    /// The relay delivers envelope `index` to the mailbox it was posted to.
    /// Delivering out of order is reordering; delivering twice is
    /// duplication.
    Deliver { index: usize },
    /// The relay delivers envelope `index` to party `to` at another
    /// mailbox: `to`'s published mailbox if `of` is `None`, else the
    /// current pairwise mailbox `to` holds for its contact with `of`'s
    /// handle (nothing happens if it holds none).
    Misdeliver {
        index: usize,
        to: Party,
        of: Option<Party>,
    },
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
    /// The party's account; its published mailbox is `account.mailbox`.
    pub account: Account,
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
    /// The mailbox each envelope was posted to.
    pub posted: Vec<[u8; 16]>,
    /// The sender of each envelope.
    pub senders: Vec<Party>,
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
        account: account::new(&id, &store, &first16(&party_draw(seed, p, b"mailbox", 0))),
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
        draws: n.wrapping_add(1),
    })
}

/// A party's state after a successful sending operation that used draw
/// counter `n` (it counts one draw), with the mailbox posted to and the
/// envelope; a failure passes through and changes nothing.
fn advanced(
    sent: Result<(Account, [u8; 16], Vec<u8>), Error>,
    n: u32,
) -> Result<(PartyState, [u8; 16], Vec<u8>), Error> {
    let (account, posted, envelope) = sent?;
    Ok((
        PartyState {
            account,
            draws: n.wrapping_add(1),
        },
        posted,
        envelope,
    ))
}

/// `from` sends `text` to `to`, with the first 24 bytes of `send nonce` as
/// the header randomness and `send envelope` as the envelope's. Returns the
/// mailbox posted to and the envelope.
fn send(
    setup: &Setup,
    from: Party,
    s: &PartyState,
    to: Party,
    to_mailbox: &[u8; 16],
    text: &[u8],
) -> Result<(PartyState, [u8; 16], Vec<u8>), Error> {
    let seed = &setup.seed;
    let n = s.draws;
    let sent = account::send(
        &s.account,
        &handle_of(to)?,
        &Content::Text(text.to_vec()),
        to_mailbox,
        &first24(&party_draw(seed, from, b"send nonce", n)),
        &party_draw(seed, from, b"send envelope", n),
    );
    advanced(sent, n)
}

/// `from` offers `to` the pairwise mailbox `mailbox` (the first 16 bytes
/// of its `pairwise mailbox` draw, for [`Event::OfferMailbox`]), with
/// `send nonce` and `send envelope` as in [`send`].
fn offer(
    setup: &Setup,
    from: Party,
    s: &PartyState,
    to: Party,
    mailbox: &[u8; 16],
    to_mailbox: &[u8; 16],
) -> Result<(PartyState, [u8; 16], Vec<u8>), Error> {
    let seed = &setup.seed;
    let n = s.draws;
    let sent = account::offer_mailbox(
        &s.account,
        &handle_of(to)?,
        mailbox,
        to_mailbox,
        &first24(&party_draw(seed, from, b"send nonce", n)),
        &party_draw(seed, from, b"send envelope", n),
    );
    advanced(sent, n)
}

/// `from` resends the refused light envelope `light` to `to` sealed, with
/// `send envelope` as the envelope's randomness.
fn resend(
    setup: &Setup,
    from: Party,
    s: &PartyState,
    to: Party,
    to_mailbox: &[u8; 16],
    light: &[u8],
) -> Result<(PartyState, [u8; 16], Vec<u8>), Error> {
    let n = s.draws;
    let sent = account::resend_sealed(
        &s.account,
        &handle_of(to)?,
        light,
        to_mailbox,
        &party_draw(&setup.seed, from, b"send envelope", n),
    );
    advanced(sent, n)
}

/// `from` (in state `s`) seals `payload` verbatim to `to` (in state `t`):
/// SPEC.md section 12's sealing from `from`'s identity to `to`'s DH key and
/// published mailbox, with `send envelope` as the envelope's randomness,
/// as in [`resend`]. Returns the mailbox posted to and the envelope; the
/// sender's account is unchanged, its counter counts one draw.
fn inject(
    setup: &Setup,
    from: Party,
    s: &PartyState,
    t: &PartyState,
    payload: &[u8],
) -> Result<(PartyState, [u8; 16], Vec<u8>), Error> {
    let n = s.draws;
    let recipient = identity::public_of(&t.account.identity);
    let sealed = envelope::seal(
        &s.account.identity,
        &recipient.dh_pub,
        &t.account.mailbox,
        payload,
        &party_draw(&setup.seed, from, b"send envelope", n),
    )?;
    advanced(Ok((s.account.clone(), t.account.mailbox, sealed)), n)
}

/// `to` receives `sealed` with the `receive` draw; an `IdentityChanged`
/// receipt changes nothing, the counter included.
fn receive(
    setup: &Setup,
    to: Party,
    r: &PartyState,
    mailbox: &[u8; 16],
    sealed: &[u8],
) -> Result<(PartyState, Receipt), Error> {
    let n = r.draws;
    let (account, receipt) = account::receive(
        &r.account,
        mailbox,
        sealed,
        &party_draw(&setup.seed, to, b"receive", n),
    )?;
    let draws = match receipt {
        Receipt::Message(_) => n.wrapping_add(1),
        Receipt::IdentityChanged { .. } => n,
    };
    Ok((PartyState { account, draws }, receipt))
}

/// The relay's side of a run: every envelope posted, where, by whom, for
/// whom, and whether it was dropped.
struct Relay {
    wire: Vec<Vec<u8>>,
    posted: Vec<[u8; 16]>,
    senders: Vec<Party>,
    recipients: Vec<Party>,
    dropped: Vec<bool>,
}

/// Whether `index` names an envelope of `relay` that was not dropped.
fn live(relay: &Relay, index: usize) -> bool {
    index < relay.wire.len() && !relay.dropped[index]
}

/// The outcome of a sending operation of `from`: on success the sender's
/// new state, and the envelope posted (the relay with it, and `Sent` with
/// its wire index); on failure no new state, the relay unchanged and
/// `SendFailed`.
fn posted_outcome(
    relay: Relay,
    from: Party,
    to: Party,
    sent: Result<(PartyState, [u8; 16], Vec<u8>), Error>,
) -> (Relay, Option<PartyState>, Outcome) {
    match sent {
        Ok((state, mailbox, envelope)) => {
            let mut next = relay;
            next.wire.push(envelope);
            next.posted.push(mailbox);
            next.senders.push(from);
            next.recipients.push(to);
            next.dropped.push(false);
            let index = next.wire.len() - 1;
            (next, Some(state), Outcome::Sent { index, from, to })
        }
        Err(error) => (relay, None, Outcome::SendFailed { from, to, error }),
    }
}

/// `to` (in state `state`) receives `envelope` (wire index `index`) at
/// `mailbox`: its new state if it accepted a message, and the outcome.
fn deliver(
    setup: &Setup,
    state: &PartyState,
    index: usize,
    to: Party,
    mailbox: &[u8; 16],
    envelope: &[u8],
) -> (Option<PartyState>, Outcome) {
    match receive(setup, to, state, mailbox, envelope) {
        Ok((next, Receipt::Message(received))) => (
            Some(next),
            Outcome::Delivered {
                index,
                to,
                content: received.content,
            },
        ),
        Ok((_, Receipt::IdentityChanged { offered, .. })) => {
            (None, Outcome::IdentityChanged { index, to, offered })
        }
        Err(error) => (None, Outcome::Rejected { index, to, error }),
    }
}

/// The mailbox of an [`Event::OfferHeldMailbox`]: `state`'s published
/// mailbox, or its current pairwise mailbox for its contact with `to`'s
/// handle, if any.
fn held_mailbox(state: &PartyState, to: Party, published: bool) -> Option<[u8; 16]> {
    if published {
        Some(state.account.mailbox)
    } else {
        misdelivery_mailbox(state, Some(to))
    }
}

/// The mailbox of a [`Event::Misdeliver`]: `to`'s published mailbox, or
/// the current pairwise mailbox it holds for its contact with `of`'s
/// handle, if any.
fn misdelivery_mailbox(state: &PartyState, of: Option<Party>) -> Option<[u8; 16]> {
    match of {
        None => Some(state.account.mailbox),
        Some(peer) => match handle_of(peer) {
            Ok(h) => match account::find_contact(&state.account, &h) {
                Some(c) if !state.account.contacts[c].mailboxes.is_empty() => {
                    Some(state.account.contacts[c].mailboxes[0])
                }
                _ => None,
            },
            Err(_) => None,
        },
    }
}

/// Runs `events` from `setup` through the account operations of SPEC.md
/// sections 12.1 and 15 (start, send, offer a mailbox, resend sealed,
/// receive, accept an identity), the envelope sealing of section 12 (an
/// injected message) and the prekey rotation of section 16:
/// every failed operation leaves its party's state as it was, which the
/// transcript's final states let tests check.
pub fn run(setup: &Setup, events: &[Event]) -> Result<Transcript, Error> {
    let mut parties = Vec::new();
    for i in 0..PARTIES.len() {
        parties.push(set_up_party(setup, PARTIES[i])?);
    }
    let mut snapshots: Vec<Option<PartyState>> = vec![None, None, None, None];
    let mut relay = Relay {
        wire: Vec::new(),
        posted: Vec::new(),
        senders: Vec::new(),
        recipients: Vec::new(),
        dropped: Vec::new(),
    };
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
                let published = parties[t].account.mailbox;
                let sent = send(setup, *from, &parties[f], *to, &published, text);
                let (next, state, outcome) = posted_outcome(relay, *from, *to, sent);
                relay = next;
                if let Some(state) = state {
                    parties[f] = state;
                }
                outcome
            }
            Event::OfferMailbox { from, to } => {
                let (f, t) = (index_of(*from), index_of(*to));
                let published = parties[t].account.mailbox;
                let fresh = first16(&party_draw(
                    &setup.seed,
                    *from,
                    b"pairwise mailbox",
                    parties[f].draws,
                ));
                let sent = offer(setup, *from, &parties[f], *to, &fresh, &published);
                let (next, state, outcome) = posted_outcome(relay, *from, *to, sent);
                relay = next;
                if let Some(state) = state {
                    parties[f] = state;
                }
                outcome
            }
            Event::OfferHeldMailbox {
                from,
                to,
                published,
            } => {
                let (f, t) = (index_of(*from), index_of(*to));
                match held_mailbox(&parties[f], *to, *published) {
                    Some(held) => {
                        let peer_published = parties[t].account.mailbox;
                        let sent = offer(setup, *from, &parties[f], *to, &held, &peer_published);
                        let (next, state, outcome) = posted_outcome(relay, *from, *to, sent);
                        relay = next;
                        if let Some(state) = state {
                            parties[f] = state;
                        }
                        outcome
                    }
                    None => Outcome::Ignored,
                }
            }
            Event::Inject { from, to, payload } => {
                let (f, t) = (index_of(*from), index_of(*to));
                let sent = inject(setup, *from, &parties[f], &parties[t], payload);
                let (next, state, outcome) = posted_outcome(relay, *from, *to, sent);
                relay = next;
                if let Some(state) = state {
                    parties[f] = state;
                }
                outcome
            }
            Event::Gone { index } => {
                if live(&relay, *index) {
                    relay.dropped[*index] = true;
                    let (from, to) = (relay.senders[*index], relay.recipients[*index]);
                    let (f, t) = (index_of(from), index_of(to));
                    let published = parties[t].account.mailbox;
                    let light = relay.wire[*index].clone();
                    let sent = resend(setup, from, &parties[f], to, &published, &light);
                    let (next, state, outcome) = posted_outcome(relay, from, to, sent);
                    relay = next;
                    if let Some(state) = state {
                        parties[f] = state;
                    }
                    outcome
                } else {
                    Outcome::Ignored
                }
            }
            Event::Drop { index } => {
                if *index < relay.dropped.len() {
                    relay.dropped[*index] = true;
                }
                Outcome::Ignored
            }
            Event::Deliver { index } | Event::Duplicate { index } | Event::Tamper { index, .. } => {
                if live(&relay, *index) {
                    let mut envelope = relay.wire[*index].clone();
                    if let Event::Tamper { byte, mask, .. } = &events[e] {
                        if !envelope.is_empty() {
                            let at = byte % envelope.len();
                            envelope[at] ^= if *mask == 0 { 0x01 } else { *mask };
                        }
                    }
                    let (to, mailbox) = (relay.recipients[*index], relay.posted[*index]);
                    let t = index_of(to);
                    let (next, outcome) =
                        deliver(setup, &parties[t], *index, to, &mailbox, &envelope);
                    if let Some(state) = next {
                        parties[t] = state;
                    }
                    outcome
                } else {
                    Outcome::Ignored
                }
            }
            Event::Misdeliver { index, to, of } => {
                match misdelivery_mailbox(&parties[index_of(*to)], *of) {
                    Some(mailbox) if live(&relay, *index) => {
                        let envelope = relay.wire[*index].clone();
                        {
                            let t = index_of(*to);
                            let (next, outcome) =
                                deliver(setup, &parties[t], *index, *to, &mailbox, &envelope);
                            if let Some(state) = next {
                                parties[t] = state;
                            }
                            outcome
                        }
                    }
                    _ => Outcome::Ignored,
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
        wire: relay.wire,
        posted: relay.posted,
        senders: relay.senders,
        recipients: relay.recipients,
        outcomes,
        parties,
    })
}

/// The public identity of a party's state (for checks on transcripts), as
/// SPEC.md section 6 derives it from the secret one.
pub fn public_identity(state: &PartyState) -> IdentityPublic {
    identity::public_of(&state.account.identity)
}
