//! Whole sessions (SPEC.md sections 12.1, 15 and 16): scripted multi-party
//! runs and the passive vectors of one party's receiving.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::build::*;
use super::bundle::Store;
use super::content::ContentFields;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{Error, Hex};
use xchat_spec::bundle::{self, PqKind};
use xchat_spec::envelope;
use xchat_spec::identity;
use xchat_spec::padding;
use xchat_spec::scenario::{self, Event, Party, Setup};

/// A scenario party on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Who {
    Alice,
    Bob,
    Carol,
    Mallory,
}

impl From<Who> for Party {
    fn from(w: Who) -> Party {
        match w {
            Who::Alice => Party::Alice,
            Who::Bob => Party::Bob,
            Who::Carol => Party::Carol,
            Who::Mallory => Party::Mallory,
        }
    }
}

impl From<Party> for Who {
    fn from(p: Party) -> Who {
        match p {
            Party::Alice => Who::Alice,
            Party::Bob => Who::Bob,
            Party::Carol => Who::Carol,
            Party::Mallory => Who::Mallory,
        }
    }
}

/// One event of a `session_run` script (the scenario's [`Event`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EventIn {
    Start {
        from: Who,
        to: Who,
    },
    Send {
        from: Who,
        to: Who,
        text: Hex,
    },
    OfferMailbox {
        from: Who,
        to: Who,
    },
    OfferHeldMailbox {
        from: Who,
        to: Who,
        published: bool,
    },
    Inject {
        from: Who,
        to: Who,
        payload: Hex,
    },
    Gone {
        index: usize,
    },
    Deliver {
        index: usize,
    },
    Misdeliver {
        index: usize,
        to: Who,
        of: Option<Who>,
    },
    Drop {
        index: usize,
    },
    Duplicate {
        index: usize,
    },
    Tamper {
        index: usize,
        byte: usize,
        mask: u8,
    },
    AcceptIdentity {
        who: Who,
        of: Who,
    },
    RotatePrekey {
        who: Who,
    },
    Snapshot {
        who: Who,
    },
    Restore {
        who: Who,
    },
}

/// A field of an event in one form or the other (party, optional party,
/// text, number): the conversions [`mirror_events`] applies field by field.
trait Mirror<T> {
    fn mirror(self) -> T;
}

macro_rules! mirror_via_into {
    ($($a:ty => $b:ty),* $(,)?) => {
        $(impl Mirror<$b> for $a {
            #[allow(clippy::useless_conversion)]
            fn mirror(self) -> $b {
                self.into()
            }
        })*
    };
}

mirror_via_into! {
    Who => Party, Party => Who, Hex => Vec<u8>, Vec<u8> => Hex, usize => usize, u8 => u8,
    bool => bool,
}

impl<A: Mirror<B>, B> Mirror<Option<B>> for Option<A> {
    fn mirror(self) -> Option<B> {
        self.map(Mirror::mirror)
    }
}

/// The conversions both ways between the scenario's [`Event`] and its
/// wire form [`EventIn`], written once from the variants' field lists.
macro_rules! mirror_events {
    ($($v:ident { $($f:ident),* }),* $(,)?) => {
        impl From<&Event> for EventIn {
            fn from(e: &Event) -> EventIn {
                match e.clone() {
                    $(Event::$v { $($f),* } => EventIn::$v { $($f: $f.mirror()),* },)*
                }
            }
        }

        impl From<&EventIn> for Event {
            fn from(e: &EventIn) -> Event {
                match e.clone() {
                    $(EventIn::$v { $($f),* } => Event::$v { $($f: $f.mirror()),* },)*
                }
            }
        }
    };
}

mirror_events! {
    Start { from, to },
    Send { from, to, text },
    OfferMailbox { from, to },
    OfferHeldMailbox { from, to, published },
    Inject { from, to, payload },
    Gone { index },
    Deliver { index },
    Misdeliver { index, to, of },
    Drop { index },
    Duplicate { index },
    Tamper { index, byte, mask },
    AcceptIdentity { who, of },
    RotatePrekey { who },
    Snapshot { who },
    Restore { who },
}

/// One outcome of a `session_run`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Started {
        from: Who,
        to: Who,
    },
    StartFailed {
        from: Who,
        to: Who,
        error: Error,
    },
    Sent {
        index: usize,
        from: Who,
        to: Who,
    },
    SendFailed {
        from: Who,
        to: Who,
        error: Error,
    },
    Delivered {
        index: usize,
        to: Who,
        content: ContentFields,
    },
    IdentityChanged {
        index: usize,
        to: Who,
        offered: Hex,
    },
    Rejected {
        index: usize,
        to: Who,
        error: Error,
    },
    Done,
    Ignored,
}

wire! {
    /// The input of `session_run`.
    pub struct RunIn {
        seed: Hex = "hex, 32",
        with_opk: bool = "bool: each party's store holds one-time prekey 7",
        pq_kind: u64 = "int: kind of each party's PQ prekey 3",
        events: Vec<EventIn> = "list of `{action: start, from, to}`, `{action: send, from, to, text}` (text: hex, UTF-8), `{action: offer_mailbox, from, to}`, `{action: offer_held_mailbox, from, to, published}`, `{action: inject, from, to, payload}` (payload: hex, any bytes, sealed verbatim), `{action: gone, index}`, `{action: deliver, index}`, `{action: misdeliver, index, to, of}` (of: a party or null), `{action: drop, index}`, `{action: duplicate, index}`, `{action: tamper, index, byte, mask}`, `{action: accept_identity, who, of}`, `{action: rotate_prekey, who}`, `{action: snapshot, who}`, `{action: restore, who}`; parties are `alice`, `bob`, `carol`, `mallory`",
    }
}

wire! {
    /// The output of `session_run`.
    pub struct RunOut {
        wire: Vec<Hex> = "list of hex: every envelope sent, by index",
        posted: Vec<Hex> = "list of hex, 16 bytes each: the mailbox each envelope was posted to, by index",
        outcomes: Vec<Outcome> = "list, one per event: `{outcome: started, from, to}`, `{outcome: start_failed, from, to, error}`, `{outcome: sent, index, from, to}`, `{outcome: send_failed, from, to, error}`, `{outcome: delivered, index, to, content}`, `{outcome: identity_changed, index, to, offered}` (offered: hex EncIdentity), `{outcome: rejected, index, to, error}`, `{outcome: done}`, `{outcome: ignored}`",
    }
}

/// One envelope a passive party receives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The envelope.
    pub envelope: Hex,
    /// The fresh ratchet secret of that receive (32 bytes).
    pub secret: Hex,
}

/// The result of one passive delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
// A wire value made once per delivery: its size does not matter, and
// boxing the content would only change every construction site.
#[allow(clippy::large_enum_variant)]
pub enum Receipt {
    /// A message: its opened sender and content.
    Message { sender: Hex, content: ContentFields },
    /// A known handle offered another identity; nothing changed.
    IdentityChanged { identity_changed: Hex },
    /// The delivery was rejected and changed nothing.
    Failed { error: Error },
}

/// The wire form of a passive delivery's result from either
/// implementation (both `account::Receipt`s have these variants), with that
/// implementation's `Receipt` type, EncIdentity encoder and content fields.
#[macro_export]
macro_rules! receipt_out {
    ($r:expr, $receipt:ident, $encode_identity:path, $content_out:path) => {
        match $r {
            Ok($receipt::Message(rec)) => $crate::ops::session::Receipt::Message {
                sender: $encode_identity(&rec.sender).to_vec().into(),
                content: $content_out(&rec.content),
            },
            Ok($receipt::IdentityChanged { offered, .. }) => {
                $crate::ops::session::Receipt::IdentityChanged {
                    identity_changed: $encode_identity(&offered).to_vec().into(),
                }
            }
            Err(e) => $crate::ops::session::Receipt::Failed { error: e.into() },
        }
    };
}

wire! {
    /// The input of `session_receive_responder`.
    pub struct ResponderIn {
        ..store: Store,
        mailbox: Hex = "hex, 16: Bob's mailbox",
        deliveries: Vec<Delivery> = "list of `{envelope, secret}`: the envelope and the 32-byte fresh ratchet secret of that receive",
    }
}

wire! {
    /// The input of `session_receive_initiator`.
    pub struct InitiatorIn {
        handle: Hex = "hex",
        identity_randomness: Hex = "hex, 64",
        peer: Hex = "hex: Bob's handle",
        bundle: Hex = "hex: Bob's bundle",
        ek_secret: Hex = "hex, 32",
        kem_m: Hex = "hex, 32",
        ratchet_secret: Hex = "hex, 32",
        mailbox: Hex = "hex, 16: Alice's mailbox",
        deliveries: Vec<Delivery> = "list of `{envelope, secret}`",
    }
}

wire! {
    /// The output of the passive ops.
    pub struct ReceiveOut {
        results: Vec<Receipt> = "list, one per delivery, in order: `{sender, content}` (sender: hex, the opened sender's EncIdentity; content: object with the fields of `content_decode`), `{identity_changed}` (hex: the offered EncIdentity; nothing changed) or `{error}`",
    }
}

pub const SESSION_RUN: Meta = Meta {
    section: "SPEC.md sections 12.1, 15 and 16 (spec/src/scenario.rs, the scripted runner)",
    reqs: &["REQ-MAILBOX-001", "REQ-MAILBOX-002", "REQ-MAILBOX-003", "REQ-MAILBOX-004", "REQ-SESSION-001", "REQ-SESSION-002", "REQ-HS-004", "REQ-HS-005", "REQ-HS-006", "REQ-ENV-004", "REQ-PEER-001", "REQ-PEER-002", "REQ-ROUTE-001", "REQ-ROUTE-002", "REQ-ROUTE-003", "REQ-ROUTE-004", "REQ-PREKEY-001"],
    summary: "a whole multi-party scenario (alice, bob, carol, and mallory, whose identity claims the handle alice) from a seed and a script (see README: the set-up and randomness derivation)",
    errors: &[],
    cases,
};

pub const SESSION_RECEIVE_RESPONDER: Meta = Meta {
    section: "SPEC.md section 15 (receiving), passive",
    reqs: &["REQ-SESSION-001", "REQ-SESSION-002", "REQ-HS-003", "REQ-HS-004", "REQ-ENV-004", "REQ-RATCHET-006"],
    summary: "passive vector: Bob's secrets and the envelopes he receives, in order; every delivery is received by Bob's account (SPEC.md 15.2: no contacts at first, this prekey store), which a failed delivery leaves unchanged",
    errors: &[],
    cases,
};

pub const SESSION_RECEIVE_INITIATOR: Meta = Meta {
    section: "SPEC.md section 15 (receiving), passive",
    reqs: &["REQ-SESSION-001", "REQ-SESSION-002", "REQ-HS-005", "REQ-RATCHET-006"],
    summary: "passive vector: Alice's account (an empty prekey store, spk_id 0) starts a session from Bob's bundle (SPEC.md 15.1 `start`), then receives the envelopes in order",
    errors: &[],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "session_run" => {
            for (id, setup, events) in scripts(g) {
                c.add(id, session_run_input(&setup, &events));
            }
        }
        "session_receive_responder" | "session_receive_initiator" => passive(c, op, g),
        _ => {}
    }
    cases.0
}

// ---- sessions -----------------------------------------------------------

fn send(from: Party, to: Party, text: &str) -> Event {
    Event::Send {
        from,
        to,
        text: text.as_bytes().to_vec(),
    }
}

/// A script's set-up: its seed from `label`.
fn script_setup(g: &Gen, label: &str, with_opk: bool, pq_kind: PqKind) -> Setup {
    Setup {
        seed: g.arr(label),
        with_opk,
        pq_kind,
    }
}

/// Alice starts a session with Bob (the opening of most scripts).
fn alice_starts() -> Event {
    Event::Start {
        from: Party::Alice,
        to: Party::Bob,
    }
}

/// The classic two-party scripts (Alice starts, both talk): the passive
/// vectors are cut from these.
fn two_party_scripts(g: &Gen) -> Vec<(String, Setup, Vec<Event>)> {
    use Event::*;
    use Party::*;
    let setup =
        |label: &str, with_opk: bool, pq_kind: PqKind| script_setup(g, label, with_opk, pq_kind);
    vec![
        (
            "conversation".into(),
            setup("conversation", true, PqKind::OneTime),
            vec![
                alice_starts(),
                send(Alice, Bob, "hi bob"),
                Deliver { index: 0 },
                send(Bob, Alice, "hi alice"),
                Deliver { index: 1 },
                send(Alice, Bob, "how are you?"),
                send(Alice, Bob, "(new chain)"),
                Deliver { index: 3 },
                Deliver { index: 2 },
            ],
        ),
        (
            "drops-reorders-duplicates".into(),
            setup("drops", false, PqKind::LastResort),
            vec![
                alice_starts(),
                send(Alice, Bob, "p0"),
                send(Alice, Bob, "p1"),
                send(Alice, Bob, "p2"),
                Drop { index: 0 },
                Deliver { index: 2 },
                Duplicate { index: 2 },
                Deliver { index: 0 },
                Deliver { index: 1 },
                send(Bob, Alice, "b0"),
                send(Bob, Alice, "b1"),
                Deliver { index: 4 },
                send(Alice, Bob, "after reply"),
                Deliver { index: 3 },
                Deliver { index: 5 },
                Duplicate { index: 1 },
            ],
        ),
        (
            "tampering-and-early-send".into(),
            setup("tamper", true, PqKind::OneTime),
            vec![
                send(Bob, Alice, "before any session"),
                alice_starts(),
                send(Alice, Bob, "first"),
                Tamper {
                    index: 0,
                    byte: 0,
                    mask: 0x02,
                },
                Tamper {
                    index: 0,
                    byte: 1,
                    mask: 0x01,
                },
                Tamper {
                    index: 0,
                    byte: 60,
                    mask: 0x80,
                },
                Tamper {
                    index: 0,
                    byte: 5000,
                    mask: 0x01,
                },
                Deliver { index: 0 },
                Duplicate { index: 0 },
                send(Bob, Alice, "reply"),
                Tamper {
                    index: 1,
                    byte: 100,
                    mask: 0x01,
                },
                Deliver { index: 1 },
                Deliver { index: 7 },
            ],
        ),
        (
            "prekey-phase-repeats".into(),
            setup("prekey phase", false, PqKind::OneTime),
            vec![
                alice_starts(),
                send(Alice, Bob, "one"),
                send(Alice, Bob, "two"),
                Deliver { index: 1 },
                Deliver { index: 0 },
                send(Bob, Alice, "ack"),
                Deliver { index: 2 },
                send(Alice, Bob, "ratchet message"),
                Deliver { index: 3 },
            ],
        ),
    ]
}

/// The scripted sessions: id, set-up and events. Besides the two-party
/// scripts, one script per attack of the revision-2 review (SPEC.md
/// section 15): each expects what revision 1 got wrong.
pub fn scripts(g: &Gen) -> Vec<(String, Setup, Vec<Event>)> {
    use Event::*;
    use Party::*;
    let setup =
        |label: &str, with_opk: bool, pq_kind: PqKind| script_setup(g, label, with_opk, pq_kind);
    let start = |from: Party, to: Party| Start { from, to };
    let mut out = two_party_scripts(g);
    // Finding 1: Mallory claims `alice`; Bob has pinned the real Alice.
    out.push((
        "identity-takeover".into(),
        setup("identity takeover", true, PqKind::LastResort),
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "hi bob"),
            Deliver { index: 0 },
            start(Mallory, Bob),
            send(Mallory, Bob, "i am alice"),
            Deliver { index: 1 },
            send(Alice, Bob, "still me"),
            Deliver { index: 2 },
            send(Bob, Alice, "hi alice"),
            Deliver { index: 3 },
            start(Bob, Mallory),
            AcceptIdentity {
                who: Bob,
                of: Mallory,
            },
            Deliver { index: 1 },
            send(Alice, Bob, "it was not me"),
            Deliver { index: 4 },
            send(Bob, Mallory, "to the new alice"),
            Deliver { index: 5 },
        ],
    ));
    // Finding 2: [A1, A1, B1, A1], then A ages out, then two rotations.
    let mut replay = vec![
        start(Alice, Bob),
        send(Alice, Bob, "A1"),
        Deliver { index: 0 },
        Deliver { index: 0 },
        start(Alice, Bob),
        send(Alice, Bob, "B1"),
        Deliver { index: 1 },
        Deliver { index: 0 },
        send(Bob, Alice, "in B"),
        Deliver { index: 2 },
    ];
    for k in 0..4 {
        replay.extend([
            start(Alice, Bob),
            send(Alice, Bob, &format!("rekey {k}")),
            Deliver { index: 3 + k },
        ]);
    }
    replay.extend([
        Deliver { index: 0 },
        RotatePrekey { who: Bob },
        Deliver { index: 0 },
        RotatePrekey { who: Bob },
        Deliver { index: 0 },
    ]);
    out.push((
        "handshake-replay-after-rekey".into(),
        setup("handshake replay", false, PqKind::LastResort),
        replay,
    ));
    // Finding 3: Carol's handshake between Alice's messages.
    out.push((
        "another-identity-interleaved".into(),
        setup("interleaved", true, PqKind::LastResort),
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "a0"),
            Deliver { index: 0 },
            send(Bob, Alice, "b0"),
            Deliver { index: 1 },
            start(Carol, Bob),
            send(Carol, Bob, "c0"),
            Deliver { index: 2 },
            send(Alice, Bob, "a1"),
            Deliver { index: 3 },
            send(Bob, Carol, "to carol"),
            Deliver { index: 4 },
        ],
    ));
    // Routing inside a contact: after Bob re-keys, a message Alice sent in
    // the old session is still in flight; it decrypts in Bob's previous
    // session, which becomes current again (SPEC.md 15.2 R4-R5).
    out.push((
        "late-message-in-previous-session".into(),
        setup("previous session", true, PqKind::LastResort),
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "a0"),
            Deliver { index: 0 },
            send(Bob, Alice, "b0"),
            Deliver { index: 1 },
            send(Alice, Bob, "old, in flight"),
            start(Bob, Alice),
            send(Bob, Alice, "new session"),
            Deliver { index: 3 },
            Deliver { index: 2 },
            send(Bob, Alice, "back in the old one"),
            Deliver { index: 4 },
            send(Alice, Bob, "a1"),
            Deliver { index: 5 },
            send(Bob, Alice, "b1"),
            Deliver { index: 6 },
        ],
    ));
    // Finding 5: simultaneous initiation, both arrival orders.
    for (name, first, second) in [("alice-first", 0, 1), ("bob-first", 1, 0)] {
        out.push((
            format!("simultaneous-initiation-{name}"),
            setup(&format!("simultaneous {name}"), false, PqKind::LastResort),
            vec![
                start(Alice, Bob),
                start(Bob, Alice),
                send(Alice, Bob, "a0"),
                send(Bob, Alice, "b0"),
                Deliver { index: first },
                Deliver { index: second },
                send(Alice, Bob, "a1"),
                send(Bob, Alice, "b1"),
                Deliver { index: 2 },
                Deliver { index: 3 },
                send(Alice, Bob, "a2"),
                Deliver { index: 4 },
            ],
        ));
    }
    // Finding 6: a restored state sends again with the same randomness.
    out.push((
        "restored-state-resend".into(),
        setup("restored state", true, PqKind::OneTime),
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "m0"),
            Deliver { index: 0 },
            send(Bob, Alice, "ack"),
            Deliver { index: 1 },
            Snapshot { who: Alice },
            send(Alice, Bob, "PAY BOB 10 EUR"),
            Restore { who: Alice },
            send(Alice, Bob, "PAY EVE 9999 EUR"),
            Deliver { index: 3 },
            Deliver { index: 2 },
        ],
    ));
    // REQ-ROUTE-005: Alice's first message names a signed prekey Bob no
    // longer holds; Bob re-keys and writes twice; with Alice's `EK` the
    // smaller, his first message goes behind her pending session
    // (REQ-ROUTE-004), his second makes his session current at her, and
    // her answer arrives. The set-up is the first label whose seed gives
    // Alice the smaller `EK` (so the tie-break is exercised).
    let stale_events = vec![
        start(Alice, Bob),
        RotatePrekey { who: Bob },
        RotatePrekey { who: Bob },
        send(Alice, Bob, "stale"),
        Deliver { index: 0 },
        start(Bob, Alice),
        send(Bob, Alice, "b1"),
        Deliver { index: 1 },
        send(Alice, Bob, "still stale"),
        Deliver { index: 2 },
        send(Bob, Alice, "b2"),
        Deliver { index: 3 },
        send(Alice, Bob, "recovered"),
        Deliver { index: 4 },
    ];
    let alice_smaller = |setup: &Setup| {
        let Ok(t) = xchat_spec::scenario::run(setup, &stale_events) else {
            return false;
        };
        let ek_of = |p: Party| {
            let a = &t.parties[xchat_spec::scenario::index_of(p)].account;
            a.contacts
                .first()
                .map(|c| c.sessions.iter().map(|s| s.ek).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        let (a, b) = (ek_of(Alice), ek_of(Bob));
        matches!((a.last(), b.first()), (Some(x), Some(y)) if x < y)
    };
    if let Some(stale_setup) = (0..64)
        .map(|k| {
            setup(
                &format!("stale first message {k}"),
                false,
                PqKind::LastResort,
            )
        })
        .find(|s| alice_smaller(s))
    {
        out.push((
            "stale-first-message-responder-rekey".into(),
            stale_setup,
            stale_events,
        ));
    }
    // REQ-CONTENT-002: texts that are not valid UTF-8 are refused by
    // `send` (`Malformed`, nothing drawn, nothing changed); the next
    // message goes out as if they had never been tried.
    out.push((
        "unencodable-text-not-sent".into(),
        setup("unencodable text", true, PqKind::OneTime),
        vec![
            start(Alice, Bob),
            Send {
                from: Alice,
                to: Bob,
                text: vec![b'o', b'k', 0x80],
            },
            Send {
                from: Alice,
                to: Bob,
                text: vec![0xED, 0xA0, 0x80],
            },
            send(Alice, Bob, "hello"),
            Deliver { index: 0 },
        ],
    ));
    out.extend(pairwise_scripts(g));
    out.push(injection_script(g));
    out.push(resealing_script(g));
    out
}

/// An inner message of `kind` (after the version byte 0x01), `len` bytes
/// in all, the rest from `g` under `label`.
fn typed(g: &Gen, label: &str, kind: u8, len: usize) -> Vec<u8> {
    let mut m = vec![0x01, kind];
    m.extend(g.bytes(label, len.saturating_sub(2)));
    m.truncate(len);
    m
}

/// The opening of the `inject` scripts: Alice starts, both write once,
/// both messages are delivered (wire indices 0 and 1).
fn greeting() -> Vec<Event> {
    use Party::*;
    vec![
        alice_starts(),
        send(Alice, Bob, "hello"),
        Event::Deliver { index: 0 },
        send(Bob, Alice, "hi"),
        Event::Deliver { index: 1 },
    ]
}

/// A hostile but authenticated peer (SPEC.md 15.2 R2-R5): after Alice and
/// Bob talked, Alice, a pinned contact with a session, seals payloads no
/// honest sender makes (`inject`), each delivered to Bob: an empty payload,
/// an unknown type byte, a wrong version byte, ratchet messages one byte
/// below the minimum `2 + 81 + 16` and well below it, one of exactly the
/// minimum length of random bytes (recognized by no session), her own first
/// (prekey) message cut in half, light messages resent sealed with garbage
/// (too short to decode, and of the minimum length), then once more
/// duplicated and tampered, and at the end refused as gone (Alice cannot
/// resend a sealed envelope: `Malformed`; it is dropped). Carol, a stranger with no session, injects a
/// ratchet message of the minimum length (`UnknownSession`) and a shorter
/// one (`Malformed`: lengths are checked before sessions); Mallory, whose identity claims
/// the pinned handle `alice`, injects an empty one (the pin, R2, comes
/// before the payload). Every rejection leaves Bob as he was: Alice's next
/// message and Bob's reply are delivered.
fn injection_script(g: &Gen) -> (String, Setup, Vec<Event>) {
    use Event::*;
    use Party::*;
    let setup = script_setup(g, "injection", true, PqKind::OneTime);
    let opening = greeting();
    // Alice's first message, opened as Bob opens it: a prekey message.
    let t = scenario::run(&setup, &opening).expect("opening runs");
    let bob = &t.parties[scenario::index_of(Bob)].account;
    let (_, prekey_message) =
        envelope::open(&bob.identity, &bob.mailbox, &t.wire[0]).expect("opens");
    let min_ratchet = 2 + xchat_spec::ratchet::ENC_HEADER_LEN + xchat_spec::ratchet::TAG_LEN;
    let min_light = xchat_spec::mailbox::MIN_LIGHT_LEN;
    let mut wrong_version = typed(g, "injection wrong version", 0x02, min_ratchet);
    wrong_version[0] = 0x02;
    let payloads: Vec<(Party, Vec<u8>)> = vec![
        (Alice, Vec::new()),
        (Alice, typed(g, "injection unknown type", 0x07, min_ratchet)),
        (Alice, wrong_version),
        (Alice, typed(g, "injection short", 0x02, min_ratchet - 1)),
        (Alice, typed(g, "injection shorter", 0x02, 40)),
        (Alice, typed(g, "injection minimum", 0x02, min_ratchet)),
        (Alice, prekey_message[..prekey_message.len() / 2].to_vec()),
        (Alice, typed(g, "injection light short", 0x03, 24)),
        (Alice, typed(g, "injection light", 0x03, min_light)),
        (Carol, typed(g, "injection stranger", 0x02, min_ratchet)),
        // Too short, from a stranger: the length check (R3) comes before
        // the session lookup (R4), so `Malformed`, not `UnknownSession`.
        (
            Carol,
            typed(g, "injection stranger short", 0x02, min_ratchet - 1),
        ),
        (Mallory, Vec::new()),
    ];
    let mut events = opening;
    let first = 2;
    for (k, (from, payload)) in payloads.into_iter().enumerate() {
        events.push(Inject {
            from,
            to: Bob,
            payload,
        });
        events.push(Deliver { index: first + k });
    }
    events.extend([
        Duplicate { index: first + 5 },
        Tamper {
            index: first + 5,
            byte: 40,
            mask: 0x01,
        },
        send(Alice, Bob, "still talking"),
        Deliver { index: 14 },
        send(Bob, Alice, "so am i"),
        Deliver { index: 15 },
        Gone { index: first + 5 },
        Deliver { index: first + 5 },
    ]);
    ("hostile-contact-injects".into(), setup, events)
}

/// Real messages re-sealed by `inject` (SPEC.md 15.2 R2-R5 on well-formed
/// messages in envelopes of another sender or a second envelope): Alice's
/// prekey message (0) and ratchet message (2), opened as Bob opens them.
/// Before 2 is delivered Alice re-seals it (its first delivery, in a new
/// envelope), then 2 itself arrives (a replay); Alice re-seals her prekey
/// message after Bob accepted it (rejected, as a duplicate of its first
/// envelope right after is), and once with its last byte flipped;
/// Carol (a stranger) and Mallory (claiming `alice`) re-seal Alice's
/// prekey message; Alice re-seals Bob's message to her (1), and Carol
/// Alice's ratchet message. Alice's next message is delivered.
fn resealing_script(g: &Gen) -> (String, Setup, Vec<Event>) {
    use Event::*;
    use Party::*;
    let setup = script_setup(g, "resealing", true, PqKind::LastResort);
    let mut opening = greeting();
    opening.push(send(Party::Alice, Party::Bob, "ratchet"));
    let t = scenario::run(&setup, &opening).expect("opening runs");
    let inner = |to: Party, index: usize| {
        let a = &t.parties[scenario::index_of(to)].account;
        envelope::open(&a.identity, &a.mailbox, &t.wire[index])
            .expect("opens")
            .1
    };
    let prekey_message = inner(Bob, 0);
    let ratchet_message = inner(Bob, 2);
    let bobs_message = inner(Alice, 1);
    let mut flipped = prekey_message.clone();
    if let Some(last) = flipped.last_mut() {
        *last ^= 0x01;
    }
    let mut events = opening;
    let payloads: Vec<(Party, Vec<u8>)> = vec![
        (Alice, ratchet_message.clone()),
        (Alice, prekey_message.clone()),
        (Alice, flipped),
        (Carol, prekey_message.clone()),
        (Mallory, prekey_message),
        (Alice, bobs_message),
        (Carol, ratchet_message),
    ];
    let first = 3;
    let count = payloads.len();
    for (k, (from, payload)) in payloads.into_iter().enumerate() {
        events.push(Inject {
            from,
            to: Bob,
            payload,
        });
        events.push(Deliver { index: first + k });
        match k {
            0 => events.push(Deliver { index: 2 }),
            // The same message in its first envelope: what Bob makes of
            // it depends on the sender and the message, not the envelope.
            1 => events.push(Duplicate { index: 0 }),
            _ => {}
        }
    }
    events.extend([
        send(Alice, Bob, "still talking"),
        Deliver {
            index: first + count,
        },
    ]);
    (
        "hostile-contact-reseals-real-messages".into(),
        setup,
        events,
    )
}

/// Alice starts with Bob and says hello (0); Bob offers a pairwise mailbox
/// (1, sealed: he knows none of Alice's); Alice offers hers (2, light:
/// her session left its prekey phase and knows Bob's).
fn moved_to_pairwise() -> Vec<Event> {
    use Event::*;
    use Party::*;
    vec![
        alice_starts(),
        send(Alice, Bob, "hello"),
        Deliver { index: 0 },
        OfferMailbox {
            from: Bob,
            to: Alice,
        },
        Deliver { index: 1 },
        OfferMailbox {
            from: Alice,
            to: Bob,
        },
        Deliver { index: 2 },
    ]
}

/// The pairwise-mailbox scripts (SPEC.md section 12.1): the move, light
/// envelopes both ways, rotation and its grace window, reordered updates,
/// misdelivery, the *gone* fallback, a re-key, and offers that fail.
fn pairwise_scripts(g: &Gen) -> Vec<(String, Setup, Vec<Event>)> {
    use Event::*;
    use Party::*;
    let setup =
        |label: &str, with_opk: bool, pq_kind: PqKind| script_setup(g, label, with_opk, pq_kind);
    let offer = |from: Party, to: Party| OfferMailbox { from, to };
    let mut out = Vec::new();
    // The move, light both ways, then three rotations by Bob with updates
    // reordered, a message in flight to his first mailbox (inside the
    // grace window, then beyond it).
    let mut rotation = moved_to_pairwise();
    rotation.extend([
        send(Alice, Bob, "light to bob"),
        Deliver { index: 3 },
        send(Bob, Alice, "light to alice"),
        Deliver { index: 4 },
        send(Alice, Bob, "in flight 1"),
        send(Alice, Bob, "in flight 2"),
        offer(Bob, Alice),
        offer(Bob, Alice),
        Deliver { index: 8 },
        Deliver { index: 7 },
        Deliver { index: 5 },
        offer(Bob, Alice),
        Deliver { index: 9 },
        Deliver { index: 6 },
        send(Alice, Bob, "to the newest"),
        Deliver { index: 10 },
    ]);
    out.push((
        "pairwise-rotation-and-grace".into(),
        setup("pairwise rotation", false, PqKind::LastResort),
        rotation,
    ));
    // Misdelivery: a light envelope at Bob's published mailbox, at his
    // pairwise mailbox for Carol, at Carol's; its mailbox bytes, type byte
    // and body tampered; then delivered as posted.
    let mut misdelivery = moved_to_pairwise();
    misdelivery.extend([
        Start {
            from: Carol,
            to: Bob,
        },
        send(Carol, Bob, "carol here"),
        Deliver { index: 3 },
        offer(Bob, Carol),
        Deliver { index: 4 },
        send(Alice, Bob, "for bob"),
        Misdeliver {
            index: 5,
            to: Bob,
            of: None,
        },
        Misdeliver {
            index: 5,
            to: Bob,
            of: Some(Carol),
        },
        Misdeliver {
            index: 5,
            to: Carol,
            of: None,
        },
        Tamper {
            index: 5,
            byte: 9,
            mask: 0x40,
        },
        Tamper {
            index: 5,
            byte: 1,
            mask: 0x01,
        },
        Tamper {
            index: 5,
            byte: 0,
            mask: 0x03,
        },
        Tamper {
            index: 5,
            byte: 200,
            mask: 0x01,
        },
        Deliver { index: 5 },
        Duplicate { index: 5 },
        send(Bob, Carol, "carol, still sealed to you"),
        Deliver { index: 6 },
    ]);
    out.push((
        "pairwise-misdelivery".into(),
        setup("pairwise misdelivery", true, PqKind::LastResort),
        misdelivery,
    ));
    // The relay refuses a light envelope as gone: resent sealed, accepted
    // once; later messages go sealed until Bob offers again.
    let mut gone = moved_to_pairwise();
    gone.extend([
        send(Alice, Bob, "refused"),
        Gone { index: 3 },
        Deliver { index: 4 },
        Duplicate { index: 4 },
        send(Alice, Bob, "sealed again"),
        Deliver { index: 5 },
        offer(Bob, Alice),
        Deliver { index: 6 },
        send(Alice, Bob, "light again"),
        Deliver { index: 7 },
        Gone { index: 0 },
    ]);
    out.push((
        "pairwise-gone-falls-back-to-sealed".into(),
        setup("pairwise gone", false, PqKind::LastResort),
        gone,
    ));
    // A restored Alice re-keys: the new session knows no mailbox, so both
    // sides seal until they offer again. Bob's message in flight to Alice's
    // old pairwise mailbox is lost with the state she restored from before
    // it existed (`WrongRecipient`, section 12.1 "Restored state").
    let mut rekey = vec![Snapshot { who: Alice }];
    rekey.extend(moved_to_pairwise());
    rekey.extend([
        send(Bob, Alice, "old session, in flight"),
        Restore { who: Alice },
        RotatePrekey { who: Alice },
        alice_starts(),
        send(Alice, Bob, "new session"),
        Deliver { index: 4 },
        send(Bob, Alice, "reply, sealed"),
        Deliver { index: 5 },
        offer(Alice, Bob),
        Deliver { index: 6 },
        send(Bob, Alice, "light again"),
        Deliver { index: 7 },
        Deliver { index: 3 },
    ]);
    out.push((
        "pairwise-after-rekey".into(),
        setup("pairwise rekey", true, PqKind::LastResort),
        rekey,
    ));
    // Offers that fail change nothing (no contact, no session, an
    // impostor's, a mailbox already held: the published one or the current
    // pairwise one); an offer in the prekey phase goes sealed in a prekey
    // message, and the responder's new session takes it (P6). A contact
    // whose sessions went with an accepted identity has none to send or
    // offer in (`UnknownSession`).
    out.push((
        "pairwise-offer-failures-and-first-message".into(),
        setup("pairwise failures", true, PqKind::LastResort),
        vec![
            offer(Alice, Bob),
            alice_starts(),
            offer(Bob, Alice),
            offer(Alice, Carol),
            OfferHeldMailbox {
                from: Alice,
                to: Bob,
                published: true,
            },
            offer(Alice, Bob),
            OfferHeldMailbox {
                from: Alice,
                to: Bob,
                published: false,
            },
            Deliver { index: 0 },
            offer(Mallory, Bob),
            send(Bob, Alice, "light from the start"),
            Deliver { index: 1 },
            send(Alice, Bob, "sealed: bob offered none"),
            Deliver { index: 2 },
            AcceptIdentity {
                who: Bob,
                of: Mallory,
            },
            send(Bob, Alice, "no session with the new identity"),
            offer(Bob, Alice),
            OfferHeldMailbox {
                from: Bob,
                to: Alice,
                published: false,
            },
        ],
    ));
    out
}

/// The `session_run` request input of a script.
pub fn session_run_input(setup: &Setup, events: &[Event]) -> Value {
    let events: Vec<EventIn> = events.iter().map(EventIn::from).collect();
    json!({"seed": hx(&setup.seed), "with_opk": setup.with_opk, "pq_kind": bundle::kind_byte(setup.pq_kind), "events": events})
}

fn pdraw(seed: &[u8; 32], p: Party, purpose: &[u8], n: u32) -> [u8; 32] {
    scenario::party_draw(seed, p, purpose, n)
}

/// The passive vectors: each two-party script's deliveries to one party,
/// with that party's secrets as the scenario runner derived them and the
/// ratchet secret of each receive (`receive` at the party's draw counter
/// then, read off a run of the script up to that event).
fn passive(c: &mut Cases, op: &str, g: &Gen) {
    let to = if op == "session_receive_responder" {
        Party::Bob
    } else {
        Party::Alice
    };
    let p = scenario::index_of(to);
    for (id, setup, events) in two_party_scripts(g) {
        let t = scenario::run(&setup, &events).expect("script runs");
        let seed = &setup.seed;
        let mut deliveries = Vec::new();
        let mut dropped = vec![false; t.wire.len()];
        for (pos, e) in events.iter().enumerate() {
            if let Event::Drop { index } = e {
                if *index < dropped.len() {
                    dropped[*index] = true;
                }
            }
            let (index, tamper) = match e {
                Event::Deliver { index } | Event::Duplicate { index } => (*index, None),
                Event::Tamper { index, byte, mask } => (*index, Some((*byte, *mask))),
                _ => continue,
            };
            if index >= t.wire.len() || dropped[index] || t.recipients[index] != to {
                continue;
            }
            let mut env = t.wire[index].clone();
            if let Some((byte, mask)) = tamper {
                let at = byte % env.len();
                env[at] ^= if mask == 0 { 1 } else { mask };
            }
            let before = scenario::run(&setup, &events[..pos]).expect("prefix runs");
            let n = before.parties[p].draws;
            deliveries
                .push(json!({"envelope": hx(&env), "secret": hx(&pdraw(seed, to, b"receive", n))}));
        }
        if deliveries.is_empty() {
            continue;
        }
        let mailbox = &pdraw(seed, to, b"mailbox", 0)[..16];
        let identity_randomness = [
            pdraw(seed, to, b"identity", 0),
            pdraw(seed, to, b"identity", 1),
        ]
        .concat();
        let input = if to == Party::Bob {
            let mut i = json!({
                "handle": hx(b"bob"),
                "identity_randomness": hx(&identity_randomness),
                "spk_id": 1,
                "spk_secret": hx(&pdraw(seed, to, b"signed prekey", 0)),
            });
            if setup.with_opk {
                i["opk_id"] = json!(7);
                i["opk_secret"] = hx(&pdraw(seed, to, b"one-time prekey", 0));
            }
            i["pqpk_id"] = json!(3);
            i["pqpk_kind"] = json!(bundle::kind_byte(setup.pq_kind));
            i["pqpk_randomness"] = hx(&[
                pdraw(seed, to, b"pq prekey d", 0),
                pdraw(seed, to, b"pq prekey z", 0),
            ]
            .concat());
            i["mailbox"] = hx(mailbox);
            i["deliveries"] = Value::Array(deliveries);
            i
        } else {
            // Alice's start is her first draw-counting operation in every
            // two-party script (n = 0).
            let bob = scenario::set_up_party(&setup, Party::Bob).expect("set-up");
            let served = scenario::served_bundle(&bob).expect("bundle");
            json!({
                "handle": hx(b"alice"),
                "identity_randomness": hx(&identity_randomness),
                "peer": hx(b"bob"),
                "bundle": hx(&bundle::encode(&served)),
                "ek_secret": hx(&pdraw(seed, to, b"handshake ephemeral", 0)),
                "kem_m": hx(&pdraw(seed, to, b"handshake kem", 0)),
                "ratchet_secret": hx(&pdraw(seed, to, b"handshake ratchet", 0)),
                "mailbox": hx(mailbox),
                "deliveries": Value::Array(deliveries),
            })
        };
        if to == Party::Bob && id == "conversation" {
            c.add(
                "crafted-payloads-from-a-contact",
                crafted_deliveries(&setup, &t.wire[0], &input),
            );
        }
        if to == Party::Bob && setup.with_opk {
            let mut missing = input.clone();
            let o = missing.as_object_mut().unwrap();
            o.remove("opk_id");
            o.remove("opk_secret");
            c.add(format!("{id}-store-without-the-opk"), missing);
        }
        c.add(id, input);
    }
}

/// Bob's passive case for payloads no honest sender makes, each sealed in a
/// valid envelope by Alice after her first message made her a contact
/// (SPEC.md 15.2 R3, R4, P1): 0 and 1 bytes (`Malformed`, R3), ratchet
/// messages of 70 and 98 bytes (`Malformed`, R4's length check comes first)
/// and of 99 bytes (`AuthenticationFailed`: long enough, recognized by no
/// session), and a prekey message whose initiator has Alice's handle and
/// X25519 key but another Ed25519 key (`AuthenticationFailed`: not the same
/// peer as the envelope's sender, REQ-PEER-001).
fn crafted_deliveries(setup: &Setup, first: &[u8], bob_input: &Value) -> Value {
    let alice = scenario::set_up_party(setup, Party::Alice).expect("set-up");
    let bob = scenario::set_up_party(setup, Party::Bob).expect("set-up");
    let mallory = scenario::set_up_party(setup, Party::Mallory).expect("set-up");
    let me = &alice.account.identity;
    let bob_dh = identity::public_of(&bob.account.identity).dh_pub;
    let seal = |payload: &[u8], n: u8| {
        envelope::seal(me, &bob_dh, &bob.account.mailbox, payload, &[n; 32]).expect("seal")
    };
    let ratchet = |len: usize| {
        let mut m = vec![0x01, 0x02];
        m.resize(len, 0x5a);
        m
    };
    // Alice's handle and DH key, Mallory's signing key: a valid binding.
    let mixed = xchat_spec::identity::IdentitySecret {
        handle: me.handle,
        sig_seed: mallory.account.identity.sig_seed,
        dh_secret: me.dh_secret,
    };
    let served = scenario::served_bundle(&bob).expect("bundle");
    let s = xchat_spec::session::start(
        &mixed,
        &bob.account.identity.handle,
        &served,
        &[1; 32],
        &[2; 32],
        &[3; 32],
    )
    .expect("start");
    let padded = padding::pad(&xchat_spec::content::encode(
        &xchat_spec::content::Content::Text(b"mixed".to_vec()),
    ));
    let (_, mixed_message) = xchat_spec::session::encrypt(&s, &padded, &[4; 24]).expect("encrypt");
    let envelopes = [
        first.to_vec(),
        seal(&[], 10),
        seal(&[0x01], 11),
        seal(&ratchet(70), 12),
        seal(&ratchet(98), 13),
        seal(&ratchet(99), 14),
        seal(&mixed_message, 15),
    ];
    let deliveries: Vec<Value> = envelopes
        .iter()
        .enumerate()
        .map(|(i, e)| json!({"envelope": hx(e), "secret": hx(&[i as u8; 32])}))
        .collect();
    let mut input = bob_input.clone();
    input["deliveries"] = Value::Array(deliveries);
    input
}
