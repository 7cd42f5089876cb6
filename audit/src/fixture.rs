//! The conversations every experiment runs on: scripts of the spec's
//! scenario runner (`xchat_spec::scenario`), a pure function of a fixed
//! seed and the script, so the bundle is the same on every run.

use xchat_spec::account::{self, Receipt};
use xchat_spec::attachment;
use xchat_spec::bundle::PqKind;
use xchat_spec::content::{AttachmentPointer, Content, MediaKind};
use xchat_spec::handle::{parse_handle, Handle};
use xchat_spec::scenario::{self, Event, Party, PartyState, Setup, Transcript};

use crate::{spec, Result};

/// The seed of every fixture (32 bytes of ASCII, no secret).
pub const SEED: [u8; 32] = *b"xchat-audit fixture seed 2026-11";

/// The scenario set-up: a one-time prekey held, and a last-resort PQ prekey
/// (reused, so that several peers can start sessions with one party).
pub fn setup() -> Setup {
    Setup {
        seed: SEED,
        with_opk: true,
        pq_kind: PqKind::LastResort,
    }
}

/// A text event.
pub fn send(from: Party, to: Party, text: &str) -> Event {
    Event::Send {
        from,
        to,
        text: text.as_bytes().to_vec(),
    }
}

/// The reference conversation of the exposure map and the tamper matrix:
/// alice starts with bob and sends (wire 0: a prekey message sealed to
/// bob's published mailbox), bob answers (wire 1: a ratchet message,
/// sealed), both offer pairwise mailboxes (wire 2, 3), then one light
/// envelope each way (wire 4, 5).
pub fn conversation() -> Vec<Event> {
    use Party::{Alice, Bob};
    vec![
        Event::Start {
            from: Alice,
            to: Bob,
        },
        send(Alice, Bob, "hello bob, this is alice"),
        Event::Deliver { index: 0 },
        send(Bob, Alice, "hi alice"),
        Event::Deliver { index: 1 },
        Event::OfferMailbox {
            from: Bob,
            to: Alice,
        },
        Event::Deliver { index: 2 },
        Event::OfferMailbox {
            from: Alice,
            to: Bob,
        },
        Event::Deliver { index: 3 },
        send(Alice, Bob, "now on our pairwise mailbox"),
        Event::Deliver { index: 4 },
        send(Bob, Alice, "received"),
        Event::Deliver { index: 5 },
    ]
}

/// Wire index of the conversation's sealed prekey message.
pub const WIRE_SEALED_PREKEY: usize = 0;
/// Wire index of the conversation's sealed ratchet message.
pub const WIRE_SEALED_RATCHET: usize = 1;
/// Wire index of the conversation's light envelope.
pub const WIRE_LIGHT: usize = 4;

/// Runs `events` from the fixture set-up.
pub fn run(events: &[Event]) -> Result<Transcript> {
    spec("scenario::run", scenario::run(&setup(), events))
}

/// The position in `events` of the event that delivers wire `index` first.
pub fn delivery_of(events: &[Event], index: usize) -> Option<usize> {
    events
        .iter()
        .position(|e| matches!(e, Event::Deliver { index: i } if *i == index))
}

/// What a recipient holds just before wire `index` of `events` is
/// delivered: the transcript of the events before that delivery (its wire
/// holds the envelope, its final states the recipient's state).
pub fn before_delivery(events: &[Event], index: usize) -> Result<Transcript> {
    let at = delivery_of(events, index).ok_or_else(|| {
        crate::AuditError::Input("fixture".into(), format!("wire {index} is never delivered"))
    })?;
    run(&events[..at])
}

/// The handle a party's identity claims.
pub fn handle_of(p: Party) -> Result<Handle> {
    spec("parse_handle", parse_handle(scenario::claimed_handle(p)))
}

/// The receive randomness a party uses for its next operation (as the
/// scenario runner draws it).
pub fn receive_draw(p: Party, state: &PartyState) -> [u8; 32] {
    scenario::party_draw(&SEED, p, b"receive", state.draws)
}

/// `who` receives `envelope` at `mailbox` with its next receive draw:
/// `Ok(true)` if a message was accepted, `Ok(false)` for an identity
/// change, the error otherwise.
pub fn receive(
    who: Party,
    state: &PartyState,
    mailbox: &[u8; 16],
    envelope: &[u8],
) -> std::result::Result<(PartyState, bool), xchat_spec::Error> {
    let (account, receipt) =
        account::receive(&state.account, mailbox, envelope, &receive_draw(who, state))?;
    let accepted = matches!(receipt, Receipt::Message(_));
    Ok((
        PartyState {
            account,
            draws: if accepted {
                state.draws.wrapping_add(1)
            } else {
                state.draws
            },
        },
        accepted,
    ))
}

/// An attachment sent outside the scenario runner (which only sends
/// texts): the sealed file, the pointer envelope and where it was posted.
#[derive(Clone, Debug)]
pub struct SentAttachment {
    pub pointer: AttachmentPointer,
    pub ciphertext: Vec<u8>,
    pub mailbox: [u8; 16],
    pub envelope: Vec<u8>,
}

/// `from` seals `file` under a key drawn from the fixture seed (purpose
/// `attachment key`, counter `n`) and sends its pointer to `to` with the
/// scenario's send draws; returns the sender's new state and what the
/// relay and the attachment store see.
pub fn send_attachment(
    from: Party,
    state: &PartyState,
    to: Party,
    to_published: &[u8; 16],
    file: &[u8],
    n: u32,
) -> Result<(PartyState, SentAttachment)> {
    let key = scenario::party_draw(&SEED, from, b"attachment key", n);
    let (pointer, ciphertext) = attachment::seal(MediaKind::File, &key, file);
    let d = state.draws;
    let nonce_full = scenario::party_draw(&SEED, from, b"send nonce", d);
    let mut nonce = [0u8; 24];
    nonce.copy_from_slice(&nonce_full[..24]);
    let (account, mailbox, envelope) = spec(
        "account::send (attachment)",
        account::send(
            &state.account,
            &handle_of(to)?,
            &Content::Attachment(pointer.clone()),
            to_published,
            &nonce,
            &scenario::party_draw(&SEED, from, b"send envelope", d),
        ),
    )?;
    Ok((
        PartyState {
            account,
            draws: d.wrapping_add(1),
        },
        SentAttachment {
            pointer,
            ciphertext,
            mailbox,
            envelope,
        },
    ))
}

/// A deterministic file of `len` bytes made of numbered 16-byte records
/// `tag` + counter, so that every aligned 16 bytes are distinct.
pub fn canary_file(tag: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 16);
    let mut i = 0u32;
    while out.len() < len {
        let rec = format!("{tag:<8.8}{i:08x}");
        out.extend_from_slice(rec.as_bytes());
        i += 1;
    }
    out.truncate(len);
    out
}
