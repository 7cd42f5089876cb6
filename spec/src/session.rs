//! The scripted two-party scenario runner (SPEC.md section 15).
//!
//! A scenario sets up Alice and Bob from one 32-byte seed (identities,
//! Bob's prekeys and bundle, Alice's session from that bundle), then plays a
//! script of events through the public functions of [`crate::conversation`]:
//! a party sends, the relay delivers, drops, duplicates, reorders (delivers
//! out of order) or tampers with an envelope. It records every envelope and
//! every outcome. Test vectors, differential tests and fuzzing drive whole
//! sessions through it.
//!
//! All randomness is derived from the seed with HKDF and a per-purpose label
//! and counter, so a scenario is a pure function of its seed and script.
//! The labels start with `"xchat-spec scenario"`: they belong to this test
//! harness, not to the protocol.

use crate::bundle::{self, Bundle, PqKind, PqPrekeySecret, PrekeyStore};
use crate::content::Content;
use crate::conversation::{self, Session};
use crate::encoding::u32_be;
use crate::handle::Handle;
use crate::identity::{self, IdentityPublic, IdentitySecret};
use crate::suite::{kdf, key_at};
use crate::{ml_kem, Error};

/// One of the two parties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// The initiator.
    Alice,
    /// The responder.
    Bob,
}

/// One step of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `from` sends a text to the other party; the envelope gets the next
    /// wire index.
    Send { from: Party, text: Vec<u8> },
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
}

/// What one event did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A party sent envelope `index`.
    Sent { index: usize, from: Party },
    /// A party could not send (e.g. Bob before any session exists).
    SendFailed { from: Party, error: Error },
    /// The recipient accepted envelope `index` and decrypted this content.
    Delivered {
        index: usize,
        to: Party,
        content: Content,
    },
    /// The recipient rejected envelope `index` (or its tampered copy);
    /// its state is unchanged.
    Rejected {
        index: usize,
        to: Party,
        error: Error,
    },
    /// Nothing happened: the index names no envelope, or a dropped one.
    Ignored,
}

/// One party's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyState {
    /// The party's identity keys.
    pub identity: IdentitySecret,
    /// The mailbox id its envelopes are addressed to.
    pub mailbox: [u8; 16],
    /// Its prekey store (Alice's is empty).
    pub store: PrekeyStore,
    /// Its session with the other party, if one exists.
    pub session: Option<Session>,
    /// How many randomness draws this party has made.
    pub draws: u32,
}

/// How a scenario is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The seed every key and random input is derived from.
    pub seed: [u8; 32],
    /// Whether Bob's bundle includes a one-time prekey.
    pub with_opk: bool,
    /// The kind of Bob's post-quantum prekey.
    pub pq_kind: PqKind,
}

/// A whole run: the setup's public values, every envelope on the wire, each
/// event's outcome, and both parties' final states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    /// Bob's bundle as the directory served it.
    pub bundle: Bundle,
    /// Every envelope sent, by wire index.
    pub wire: Vec<Vec<u8>>,
    /// The recipient of each envelope.
    pub recipients: Vec<Party>,
    /// One outcome per event, in script order.
    pub outcomes: Vec<Outcome>,
    /// Alice at the end.
    pub alice: PartyState,
    /// Bob at the end.
    pub bob: PartyState,
}

/// `n`-th 32-byte draw for `purpose` from `seed` (test harness randomness).
pub fn draw(seed: &[u8; 32], purpose: &[u8], n: u32) -> [u8; 32] {
    let mut info = b"xchat-spec scenario ".to_vec();
    info.extend_from_slice(purpose);
    match kdf(seed, &u32_be(n), &info, 32) {
        Ok(okm) => key_at(&okm, 0),
        Err(_) => [0u8; 32],
    }
}

fn draw64(seed: &[u8; 32], purpose: &[u8]) -> [u8; 64] {
    let a = draw(seed, purpose, 0);
    let b = draw(seed, purpose, 1);
    let mut out = [0u8; 64];
    for i in 0..32 {
        out[i] = a[i];
        out[32 + i] = b[i];
    }
    out
}

fn draw24(seed: &[u8; 32], purpose: &[u8], n: u32) -> [u8; 24] {
    let full = draw(seed, purpose, n);
    let mut out = [0u8; 24];
    for i in 0..24 {
        out[i] = full[i];
    }
    out
}

fn draw16(seed: &[u8; 32], purpose: &[u8]) -> [u8; 16] {
    let full = draw(seed, purpose, 0);
    let mut out = [0u8; 16];
    for i in 0..16 {
        out[i] = full[i];
    }
    out
}

fn handle_of(name: &[u8]) -> Result<Handle, Error> {
    crate::handle::parse_handle(name)
}

/// Sets up both parties and Bob's bundle from `setup` (Alice's session is
/// started from the bundle). Fails only if the derived keys are rejected,
/// which the protocol's checks make possible in principle.
pub fn set_up(setup: &Setup) -> Result<(PartyState, PartyState, Bundle), Error> {
    let seed = &setup.seed;
    let (alice_id, _) = identity::generate(&handle_of(b"alice")?, &draw64(seed, b"alice identity"));
    let (bob_id, _) = identity::generate(&handle_of(b"bob")?, &draw64(seed, b"bob identity"));
    let (pq_ek, pq_dk) = ml_kem::keygen_internal(
        &draw(seed, b"bob pq prekey d", 0),
        &draw(seed, b"bob pq prekey z", 0),
    );
    let opks = if setup.with_opk {
        vec![(7u32, draw(seed, b"bob one-time prekey", 0))]
    } else {
        Vec::new()
    };
    let store = PrekeyStore {
        spk_id: 1,
        spk_secret: draw(seed, b"bob signed prekey", 0),
        opks,
        pqpks: vec![PqPrekeySecret {
            id: 3,
            kind: setup.pq_kind,
            ek: pq_ek,
            dk: pq_dk,
        }],
    };
    let opk_id = if setup.with_opk { Some(7u32) } else { None };
    let bob_bundle = bundle::make_bundle(&bob_id, &store, opk_id, 3)?;
    let session = conversation::start(
        &alice_id,
        &handle_of(b"bob")?,
        &bob_bundle,
        &draw(seed, b"alice handshake ephemeral", 0),
        &draw(seed, b"alice handshake kem", 0),
        &draw(seed, b"alice handshake ratchet", 0),
    )?;
    let alice = PartyState {
        identity: alice_id,
        mailbox: draw16(seed, b"alice mailbox"),
        store: PrekeyStore {
            spk_id: 0,
            spk_secret: [0u8; 32],
            opks: Vec::new(),
            pqpks: Vec::new(),
        },
        session: Some(session),
        draws: 0,
    };
    let bob = PartyState {
        identity: bob_id,
        mailbox: draw16(seed, b"bob mailbox"),
        store,
        session: None,
        draws: 0,
    };
    Ok((alice, bob, bob_bundle))
}

/// `from` sends `content`; returns the new sender state and the envelope.
fn send(
    seed: &[u8; 32],
    from: Party,
    sender: &PartyState,
    recipient_mailbox: &[u8; 16],
    content: &Content,
) -> Result<(PartyState, Vec<u8>), Error> {
    let purpose: &[u8] = match from {
        Party::Alice => b"alice send",
        Party::Bob => b"bob send",
    };
    let session = match &sender.session {
        Some(s) => s,
        None => return Err(Error::UnknownSession),
    };
    let (session, sealed) = conversation::send(
        &sender.identity,
        session,
        content,
        recipient_mailbox,
        &draw24(seed, purpose, sender.draws.wrapping_mul(2)),
        &draw(seed, purpose, sender.draws.wrapping_mul(2).wrapping_add(1)),
    )?;
    let mut next = sender.clone();
    next.session = Some(session);
    next.draws = sender.draws.wrapping_add(1);
    Ok((next, sealed))
}

/// `to` receives `sealed`; returns the new recipient state and the content.
fn receive(
    seed: &[u8; 32],
    to: Party,
    recipient: &PartyState,
    sealed: &[u8],
) -> Result<(PartyState, Content), Error> {
    let purpose: &[u8] = match to {
        Party::Alice => b"alice receive",
        Party::Bob => b"bob receive",
    };
    let received = conversation::receive(
        &recipient.identity,
        &recipient.mailbox,
        recipient.session.as_ref(),
        &recipient.store,
        sealed,
        &draw(seed, purpose, recipient.draws),
    )?;
    let mut next = recipient.clone();
    next.session = Some(received.session);
    next.store = received.store;
    next.draws = recipient.draws.wrapping_add(1);
    Ok((next, received.content))
}

/// The other party.
pub fn other(p: Party) -> Party {
    match p {
        Party::Alice => Party::Bob,
        Party::Bob => Party::Alice,
    }
}

/// Runs `events` from `setup` (SPEC.md section 15; REQ-SESSION-001,
/// REQ-SESSION-002): every failed delivery leaves the recipient's state as
/// it was, which the transcript's final states let tests check.
pub fn run(setup: &Setup, events: &[Event]) -> Result<Transcript, Error> {
    let (mut alice, mut bob, bob_bundle) = set_up(setup)?;
    let mut wire: Vec<Vec<u8>> = Vec::new();
    let mut recipients: Vec<Party> = Vec::new();
    let mut dropped: Vec<bool> = Vec::new();
    let mut outcomes = Vec::new();
    for e in 0..events.len() {
        let outcome = match &events[e] {
            Event::Send { from, text } => {
                let content = Content::Text(text.clone());
                let (sender, mailbox) = match from {
                    Party::Alice => (&alice, bob.mailbox),
                    Party::Bob => (&bob, alice.mailbox),
                };
                match send(&setup.seed, *from, sender, &mailbox, &content) {
                    Ok((next, sealed)) => {
                        match from {
                            Party::Alice => alice = next,
                            Party::Bob => bob = next,
                        }
                        wire.push(sealed);
                        recipients.push(other(*from));
                        dropped.push(false);
                        Outcome::Sent {
                            index: wire.len() - 1,
                            from: *from,
                        }
                    }
                    Err(error) => Outcome::SendFailed { from: *from, error },
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
                    let recipient = match to {
                        Party::Alice => &alice,
                        Party::Bob => &bob,
                    };
                    match receive(&setup.seed, to, recipient, &sealed) {
                        Ok((next, content)) => {
                            match to {
                                Party::Alice => alice = next,
                                Party::Bob => bob = next,
                            }
                            Outcome::Delivered {
                                index: *index,
                                to,
                                content,
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
        };
        outcomes.push(outcome);
    }
    Ok(Transcript {
        bundle: bob_bundle,
        wire,
        recipients,
        outcomes,
        alice,
        bob,
    })
}

/// The public identity of a party's state (for checks on transcripts).
pub fn public_identity(state: &PartyState) -> IdentityPublic {
    identity::public_of(&state.identity)
}
