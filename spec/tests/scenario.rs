//! The scripted runner (`scenario::run`, SPEC.md section 15) on two-party
//! scripts (Alice starts with Bob first): exact expected outcomes (in order, out of order, drops,
//! duplicates, tampering, the `MAX_SKIP` bound, Bob sending first),
//! determinism, and a property test over random schedules and seeds.
//!
//! A failed delivery must leave the recipient exactly as it was
//! (REQ-SESSION-002): the runner does not even count a draw of randomness
//! for it, so a script and the same script without its rejected deliveries
//! end in identical states and wire bytes. The tests compare exactly that.

mod common;

use common::Tally;
use proptest::prelude::*;
use xchat_spec::bundle::PqKind;
use xchat_spec::content::Content;
use xchat_spec::ratchet::MAX_SKIP;
use xchat_spec::scenario::{run, Event, Outcome, Party, PartyState, Setup, Transcript};
use xchat_spec::session::Session;
use xchat_spec::Error;

use Party::{Alice, Bob};

fn setup_with(seed: u8, with_opk: bool, pq_kind: PqKind) -> Setup {
    Setup {
        seed: [seed; 32],
        with_opk,
        pq_kind,
    }
}

fn setup(seed: u8) -> Setup {
    setup_with(seed, true, PqKind::OneTime)
}

/// The four setups: with/without OPK, one-time/last-resort PQ prekey.
fn all_setups(seed: u8) -> Vec<Setup> {
    let mut out = Vec::new();
    for with_opk in [true, false] {
        for kind in [PqKind::OneTime, PqKind::LastResort] {
            out.push(setup_with(seed, with_opk, kind));
        }
    }
    out
}

fn other(p: Party) -> Party {
    if p == Alice {
        Bob
    } else {
        Alice
    }
}

fn send(from: Party, text: &str) -> Event {
    Event::Send {
        from,
        to: other(from),
        text: text.as_bytes().to_vec(),
    }
}

/// The current session of `state` with its only contact.
fn current(state: &PartyState) -> Option<&Session> {
    state.account.contacts.first()?.sessions.first()
}

fn deliver(index: usize) -> Event {
    Event::Deliver { index }
}

fn sent(index: usize, from: Party) -> Outcome {
    Outcome::Sent {
        index,
        from,
        to: other(from),
    }
}

fn delivered(index: usize, to: Party, text: &str) -> Outcome {
    Outcome::Delivered {
        index,
        to,
        content: Content::Text(text.as_bytes().to_vec()),
    }
}

fn rejected(index: usize, to: Party, error: Error) -> Outcome {
    Outcome::Rejected { index, to, error }
}

/// Runs `events` after Alice has started a session with Bob (the two-party
/// scripts of this file), and returns the transcript without that first
/// outcome.
fn run_ok(setup: &Setup, events: &[Event]) -> Transcript {
    let mut script = vec![Event::Start {
        from: Alice,
        to: Bob,
    }];
    script.extend_from_slice(events);
    let mut t = run(setup, &script).expect("the runner never fails on these setups");
    assert_eq!(t.outcomes.len(), script.len());
    assert_eq!(
        t.outcomes.remove(0),
        Outcome::Started {
            from: Alice,
            to: Bob
        }
    );
    t
}

/// Everything of a transcript but the outcomes: Bob's bundle, the wire,
/// and both parties' final states (sessions, stores, draw counters).
fn final_state(t: &Transcript) -> impl PartialEq + std::fmt::Debug + '_ {
    (&t.wire, &t.recipients, &t.parties)
}

/// The script without the events at `skip` (by position).
fn without(events: &[Event], skip: &[usize]) -> Vec<Event> {
    events
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip.contains(i))
        .map(|(_, e)| e.clone())
        .collect()
}

/// REQ-SESSION-001, REQ-HS-005: in-order delivery both ways, for all four
/// bundle shapes; Alice's prekey phase ends with Bob's reply, Bob's
/// one-time prekeys are consumed.
#[test]
fn in_order() {
    let events = vec![
        send(Alice, "a0"),
        send(Alice, "a1"),
        deliver(0),
        deliver(1),
        send(Bob, "b0"),
        deliver(2),
        send(Alice, "a2"),
        deliver(3),
        send(Bob, "b1"),
        send(Bob, "b2"),
        deliver(4),
        deliver(5),
    ];
    let want = vec![
        sent(0, Alice),
        sent(1, Alice),
        delivered(0, Bob, "a0"),
        delivered(1, Bob, "a1"),
        sent(2, Bob),
        delivered(2, Alice, "b0"),
        sent(3, Alice),
        delivered(3, Bob, "a2"),
        sent(4, Bob),
        sent(5, Bob),
        delivered(4, Alice, "b1"),
        delivered(5, Alice, "b2"),
    ];
    let mut tally = Tally::new("session in-order setups");
    for s in all_setups(1) {
        let t = run_ok(&s, &events);
        assert_eq!(t.outcomes, want);
        assert_eq!(t.recipients, vec![Bob, Bob, Alice, Bob, Alice, Alice]);
        let alice_session = current(&t.parties[0]).unwrap();
        assert!(alice_session.pending.is_none());
        let bob_session = current(&t.parties[1]).unwrap();
        assert_eq!(bob_session.ek, alice_session.ek);
        assert_eq!(bob_session.ad, alice_session.ad);
        assert!(t.parties[1].account.store.opks.is_empty());
        assert_eq!(
            t.parties[1].account.store.pqpks.len(),
            usize::from(s.pq_kind == PqKind::LastResort)
        );
        tally.check();
    }
    tally.finish(4);
}

/// REQ-SESSION-001: out-of-order delivery within the bounds, in three
/// chains (Alice's prekey chain, Bob's reply chain, Alice's next chain).
#[test]
fn out_of_order() {
    let mut events: Vec<Event> = (0..6).map(|i| send(Alice, &format!("a{i}"))).collect();
    let mut want: Vec<Outcome> = (0..6).map(|i| sent(i, Alice)).collect();
    for i in [4, 2, 0, 5, 1, 3] {
        events.push(deliver(i));
        want.push(delivered(i, Bob, &format!("a{i}")));
    }
    for i in 6..9 {
        events.push(send(Bob, &format!("b{i}")));
        want.push(sent(i, Bob));
    }
    for i in [8, 6, 7] {
        events.push(deliver(i));
        want.push(delivered(i, Alice, &format!("b{i}")));
    }
    // Alice's next chain, and a message of the previous one still in flight.
    events.push(send(Alice, "a9"));
    want.push(sent(9, Alice));
    events.push(send(Bob, "b10"));
    want.push(sent(10, Bob));
    events.push(send(Alice, "a11"));
    want.push(sent(11, Alice));
    for (i, to) in [(11, Bob), (10, Alice), (9, Bob)] {
        events.push(deliver(i));
        want.push(delivered(
            i,
            to,
            &format!("{}{i}", if to == Bob { "a" } else { "b" }),
        ));
    }
    let t = run_ok(&setup(2), &events);
    assert_eq!(t.outcomes, want);
}

/// Dropped envelopes are never delivered (later deliveries, duplicates and
/// tampered copies of them are `Ignored`), indices that name no envelope
/// are `Ignored`, and the other messages arrive regardless.
#[test]
fn drops() {
    let events = vec![
        send(Alice, "a0"),
        send(Alice, "a1"),
        send(Alice, "a2"),
        Event::Drop { index: 1 },
        deliver(1),
        deliver(2),
        Event::Duplicate { index: 1 },
        Event::Tamper {
            index: 1,
            byte: 0,
            mask: 1,
        },
        deliver(0),
        deliver(7),
        Event::Drop { index: 9 },
        send(Alice, "a3"),
        deliver(3),
    ];
    let want = vec![
        sent(0, Alice),
        sent(1, Alice),
        sent(2, Alice),
        Outcome::Ignored,
        Outcome::Ignored,
        delivered(2, Bob, "a2"),
        Outcome::Ignored,
        Outcome::Ignored,
        delivered(0, Bob, "a0"),
        Outcome::Ignored,
        Outcome::Ignored,
        sent(3, Alice),
        delivered(3, Bob, "a3"),
    ];
    let t = run_ok(&setup(3), &events);
    assert_eq!(t.outcomes, want);
    // Bob keeps the key of the dropped message (it is merely skipped).
    assert_eq!(current(&t.parties[1]).unwrap().ratchet.mkskipped.len(), 1);
}

/// REQ-SESSION-002 (REQ-RATCHET-006 at the session layer): a second
/// delivery is `Replay` while the chain's header key is known (prekey and
/// ratchet messages, both directions), and `AuthenticationFailed` once it
/// is not (a prekey message after both sides moved to new chains); the
/// rejections change nothing.
#[test]
fn duplicates() {
    let events = vec![
        send(Alice, "a0"),
        send(Alice, "a1"),
        deliver(0),
        Event::Duplicate { index: 0 },
        deliver(1),
        deliver(1),
        send(Bob, "b2"),
        deliver(2),
        Event::Duplicate { index: 2 },
        send(Alice, "a3"),
        deliver(3),
        Event::Duplicate { index: 3 },
        Event::Duplicate { index: 0 },
    ];
    let want = vec![
        sent(0, Alice),
        sent(1, Alice),
        delivered(0, Bob, "a0"),
        rejected(0, Bob, Error::Replay),
        delivered(1, Bob, "a1"),
        rejected(1, Bob, Error::Replay),
        sent(2, Bob),
        delivered(2, Alice, "b2"),
        rejected(2, Alice, Error::Replay),
        sent(3, Alice),
        delivered(3, Bob, "a3"),
        rejected(3, Bob, Error::Replay),
        rejected(0, Bob, Error::AuthenticationFailed),
    ];
    let t = run_ok(&setup(4), &events);
    assert_eq!(t.outcomes, want);
    let clean = run_ok(&setup(4), &without(&events, &[3, 5, 8, 11, 12]));
    assert_eq!(final_state(&t), final_state(&clean));
}

/// REQ-SESSION-002: tampered copies are rejected with the error of the
/// byte's field (version, mailbox, AEAD) at a Bob without and with a
/// session and at Alice; the original still delivers, and the final states
/// equal those of the script without the tampered copies.
#[test]
fn tamper_then_original_delivers() {
    let tamper = |index, byte, mask| Event::Tamper { index, byte, mask };
    let events = vec![
        send(Alice, "a0"),
        tamper(0, 0, 0),
        tamper(0, 5, 0xFF),
        tamper(0, 30, 0x04),
        tamper(0, 100, 0x80),
        tamper(0, 500, 0x20),
        tamper(0, usize::MAX, 0x01),
        deliver(0),
        send(Bob, "b1"),
        tamper(1, 400, 0x10),
        deliver(1),
        send(Alice, "a2"),
        tamper(2, 250, 0x02),
        deliver(2),
    ];
    let want = vec![
        sent(0, Alice),
        rejected(0, Bob, Error::UnsupportedVersion),
        rejected(0, Bob, Error::WrongRecipient),
        rejected(0, Bob, Error::AuthenticationFailed),
        rejected(0, Bob, Error::AuthenticationFailed),
        rejected(0, Bob, Error::AuthenticationFailed),
        rejected(0, Bob, Error::AuthenticationFailed),
        delivered(0, Bob, "a0"),
        sent(1, Bob),
        rejected(1, Alice, Error::AuthenticationFailed),
        delivered(1, Alice, "b1"),
        sent(2, Alice),
        rejected(2, Bob, Error::AuthenticationFailed),
        delivered(2, Bob, "a2"),
    ];
    let t = run_ok(&setup(5), &events);
    assert_eq!(t.outcomes, want);
    let clean = run_ok(&setup(5), &without(&events, &[1, 2, 3, 4, 5, 6, 9, 12]));
    assert_eq!(final_state(&t), final_state(&clean));
}

/// REQ-RATCHET-004 at the session layer, REQ-SESSION-002: Alice sends
/// `MAX_SKIP + 2` messages; delivering the last one first would skip
/// `MAX_SKIP + 1` keys: `TooManySkipped` (at a Bob without a session yet:
/// the handshake's first decryption fails), and the run ends exactly as the
/// script without that delivery. The one before it skips exactly
/// `MAX_SKIP` keys and is accepted; then the last one and an early one
/// (from the skipped keys) arrive too.
#[test]
fn beyond_max_skip() {
    let n = MAX_SKIP as usize + 2;
    let mut events: Vec<Event> = (0..n).map(|i| send(Alice, &format!("m{i}"))).collect();
    events.push(deliver(n - 1));
    events.push(deliver(n - 2));
    events.push(deliver(n - 1));
    events.push(deliver(0));
    let t = run_ok(&setup(6), &events);
    assert_eq!(
        t.outcomes[n..],
        [
            rejected(n - 1, Bob, Error::TooManySkipped),
            delivered(n - 2, Bob, &format!("m{}", n - 2)),
            delivered(n - 1, Bob, &format!("m{}", n - 1)),
            delivered(0, Bob, "m0"),
        ]
    );
    let skipped = &current(&t.parties[1]).unwrap().ratchet.mkskipped;
    assert_eq!(skipped.len(), MAX_SKIP as usize - 1);
    let clean = run_ok(&setup(6), &without(&events, &[n]));
    assert_eq!(final_state(&t), final_state(&clean));
}

/// Section 9.3 at the session layer: Bob cannot send before a session
/// exists (`SendFailed`, no envelope, no wire index); once Alice's first
/// message arrives he can.
#[test]
fn bob_sends_first() {
    let events = vec![
        send(Bob, "too early"),
        send(Alice, "a0"),
        send(Bob, "still too early"),
        deliver(0),
        send(Bob, "b1"),
        deliver(1),
    ];
    let want = vec![
        Outcome::SendFailed {
            from: Bob,
            to: Alice,
            error: Error::UnknownSession,
        },
        sent(0, Alice),
        Outcome::SendFailed {
            from: Bob,
            to: Alice,
            error: Error::UnknownSession,
        },
        delivered(0, Bob, "a0"),
        sent(1, Bob),
        delivered(1, Alice, "b1"),
    ];
    let t = run_ok(&setup(7), &events);
    assert_eq!(t.outcomes, want);
    assert_eq!(t.wire.len(), 2);
}

/// A mixed script used by the determinism test.
fn mixed_script() -> Vec<Event> {
    vec![
        send(Alice, "a0"),
        send(Alice, "a1"),
        deliver(1),
        Event::Duplicate { index: 1 },
        send(Bob, "b2"),
        Event::Tamper {
            index: 2,
            byte: 77,
            mask: 3,
        },
        deliver(2),
        send(Alice, "a3"),
        Event::Drop { index: 0 },
        deliver(3),
        send(Bob, "b4"),
        deliver(4),
    ]
}

/// The runner is a pure function of setup and script: the same inputs give
/// an identical transcript (wire bytes included); another seed gives other
/// keys and other wire bytes for every envelope, with the same outcomes.
#[test]
fn determinism() {
    let events = mixed_script();
    let a = run_ok(&setup(8), &events);
    let b = run_ok(&setup(8), &events);
    assert_eq!(a, b);
    let c = run_ok(&setup(9), &events);
    assert_eq!(c.outcomes, a.outcomes);
    assert_eq!(c.wire.len(), a.wire.len());
    assert_ne!(c.parties, a.parties);
    for (x, y) in a.wire.iter().zip(&c.wire) {
        assert_eq!(x.len(), y.len());
        assert_ne!(x, y);
    }
    let d = run_ok(&setup_with(8, false, PqKind::OneTime), &events);
    assert_eq!(d.outcomes, a.outcomes);
    assert_ne!(d.wire[0], a.wire[0]);
    assert_eq!(d.wire[0].len(), a.wire[0].len() - 4);
}

/// Checks a transcript of a random script against the model: sends get
/// consecutive indices (Bob's fail until a message reached him); a delivery
/// of a dropped or unsent index is `Ignored`; the first untampered delivery
/// of an envelope is `Delivered` to its recipient with exactly the text
/// sent, any later one `Rejected` (`Replay`, or `AuthenticationFailed` once
/// the chain's header key is gone); a tampered copy is always `Rejected`.
/// Returns the positions of the rejected events.
fn check_against_model(events: &[Event], t: &Transcript) -> Vec<usize> {
    let mut texts: Vec<(Party, Vec<u8>)> = Vec::new();
    let mut dropped: Vec<bool> = Vec::new();
    let mut delivered_count: Vec<usize> = Vec::new();
    let mut bob_has_session = false;
    let mut rejected_at = Vec::new();
    assert_eq!(t.outcomes.len(), events.len());
    for (pos, (e, o)) in events.iter().zip(&t.outcomes).enumerate() {
        match e {
            Event::Send { from, text, .. } => {
                let can_send = *from == Alice || bob_has_session;
                if can_send {
                    assert_eq!(*o, sent(texts.len(), *from), "event {pos}");
                    texts.push((*from, text.clone()));
                    dropped.push(false);
                    delivered_count.push(0);
                } else {
                    let want = Outcome::SendFailed {
                        from: Bob,
                        to: Alice,
                        error: Error::UnknownSession,
                    };
                    assert_eq!(*o, want, "event {pos}");
                }
            }
            Event::Drop { index } => {
                assert_eq!(*o, Outcome::Ignored, "event {pos}");
                if *index < dropped.len() {
                    dropped[*index] = true;
                }
            }
            Event::Deliver { index } | Event::Duplicate { index } | Event::Tamper { index, .. } => {
                if *index >= texts.len() || dropped[*index] {
                    assert_eq!(*o, Outcome::Ignored, "event {pos}");
                    continue;
                }
                let (from, text) = &texts[*index];
                let to = if *from == Alice { Bob } else { Alice };
                let tampered = matches!(e, Event::Tamper { .. });
                match o {
                    Outcome::Delivered {
                        index: i,
                        to: got_to,
                        content,
                    } => {
                        assert!(!tampered, "event {pos}: tampered copy delivered");
                        assert_eq!((*i, *got_to), (*index, to), "event {pos}");
                        assert_eq!(*content, Content::Text(text.clone()), "event {pos}");
                        assert_eq!(delivered_count[*index], 0, "event {pos}: delivered twice");
                        delivered_count[*index] += 1;
                        if to == Bob {
                            bob_has_session = true;
                        }
                    }
                    Outcome::Rejected {
                        index: i,
                        to: got_to,
                        error,
                    } => {
                        assert_eq!((*i, *got_to), (*index, to), "event {pos}");
                        if !tampered {
                            assert_eq!(delivered_count[*index], 1, "event {pos}: {error:?}");
                            assert!(
                                matches!(error, Error::Replay | Error::AuthenticationFailed),
                                "event {pos}: {error:?}"
                            );
                        }
                        rejected_at.push(pos);
                    }
                    other => panic!("event {pos}: unexpected {other:?}"),
                }
            }
            other => panic!("event {pos}: the model covers two-party scripts, not {other:?}"),
        }
    }
    rejected_at
}

/// Random schedules: sends from both sides (Alice more often), deliveries
/// in random order, drops, duplicates and tampered copies, over indices a
/// little beyond the number of sends (so some name no envelope). With at
/// most 60 events, no delivery gap comes near `MAX_SKIP`.
fn schedule() -> impl Strategy<Value = Vec<Event>> {
    let text = "[a-z]{0,6}".prop_map(String::into_bytes);
    let index = 0usize..24;
    let event = prop_oneof![
        4 => text.clone().prop_map(|text| Event::Send { from: Alice, to: Bob, text }),
        2 => text.prop_map(|text| Event::Send { from: Bob, to: Alice, text }),
        6 => index.clone().prop_map(|index| Event::Deliver { index }),
        1 => index.clone().prop_map(|index| Event::Drop { index }),
        2 => index.clone().prop_map(|index| Event::Duplicate { index }),
        2 => (index, any::<usize>(), any::<u8>())
            .prop_map(|(index, byte, mask)| Event::Tamper { index, byte, mask }),
    ];
    prop::collection::vec(event, 1..60)
}

fn any_setup() -> impl Strategy<Value = Setup> {
    (
        any::<[u8; 32]>(),
        any::<bool>(),
        prop_oneof![Just(PqKind::OneTime), Just(PqKind::LastResort)],
    )
        .prop_map(|(seed, with_opk, pq_kind)| Setup {
            seed,
            with_opk,
            pq_kind,
        })
}

/// The number of random scenarios: 48 by default (each runs an ML-KEM
/// handshake in the spec, about a millisecond, and the script twice); set
/// the environment variable `PROPTEST_CASES` (proptest's own knob) to run
/// more, e.g. `PROPTEST_CASES=5000 cargo test --release -p xchat-spec
/// --test scenario`. `PROPTEST_CASES=0` fails (see `common::proptest_cases`).
fn cases() -> u32 {
    common::proptest_cases(48)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// REQ-SESSION-001, REQ-SESSION-002: over random seeds, bundle shapes
    /// and schedules, the runner never fails or panics, every outcome
    /// agrees with the model of `check_against_model`, and the script
    /// without its rejected events ends in exactly the same states and wire
    /// bytes (a failed receive changes nothing).
    #[test]
    fn random_schedules(setup in any_setup(), events in schedule()) {
        let t = run_ok(&setup, &events);
        let rejected_at = check_against_model(&events, &t);
        let clean = run_ok(&setup, &without(&events, &rejected_at));
        prop_assert_eq!(final_state(&t), final_state(&clean));
    }
}

/// A hostile peer's payload: none, or the version byte and a message type
/// (prekey, ratchet, light, an unknown one) or a wrong version, then random
/// bytes, sometimes cut or padded to the minimum lengths of SPEC.md 15.2
/// R4 (99 bytes for a ratchet message, one less, 115 for a light one).
fn hostile_payload() -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop_oneof![
        Just(Vec::new()),
        Just(vec![0x01, 0x01]),
        Just(vec![0x01, 0x02]),
        Just(vec![0x01, 0x03]),
        Just(vec![0x01, 0x07]),
        Just(vec![0x02, 0x02]),
    ];
    let len = prop_oneof![Just(None), Just(Some(99)), Just(Some(98)), Just(Some(115))];
    (prefix, prop::collection::vec(any::<u8>(), 0..200), len).prop_map(|(mut p, body, len)| {
        p.extend(body);
        if let Some(n) = len {
            p.resize(n, 0);
        }
        p
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// REQ-SESSION-002 against a hostile but authenticated peer: after a
    /// conversation, arbitrary messages sealed in valid envelopes by Alice
    /// (a pinned contact with a session) or Carol (a stranger) are each
    /// sealed (`sent`, counting one of the injector's draws) and rejected by
    /// Bob, and leave Bob exactly as the conversation left him.
    #[test]
    fn injected_messages_change_nothing(
        setup in any_setup(),
        payloads in prop::collection::vec((any::<bool>(), hostile_payload()), 1..8),
    ) {
        let opening = vec![
            Event::Send { from: Alice, to: Bob, text: b"hello".to_vec() },
            Event::Deliver { index: 0 },
            Event::Send { from: Bob, to: Alice, text: b"hi".to_vec() },
            Event::Deliver { index: 1 },
        ];
        let before = run_ok(&setup, &opening);
        let mut events = opening.clone();
        for (k, (stranger, payload)) in payloads.iter().enumerate() {
            let from = if *stranger { Party::Carol } else { Alice };
            events.push(Event::Inject { from, to: Bob, payload: payload.clone() });
            events.push(Event::Deliver { index: 2 + k });
        }
        let t = run_ok(&setup, &events);
        for (k, (stranger, _)) in payloads.iter().enumerate() {
            let from = if *stranger { Party::Carol } else { Alice };
            prop_assert_eq!(
                &t.outcomes[opening.len() + 2 * k],
                &Outcome::Sent { index: 2 + k, from, to: Bob }
            );
            let delivered = &t.outcomes[opening.len() + 2 * k + 1];
            prop_assert!(
                matches!(delivered, Outcome::Rejected { index, to: Bob, .. } if *index == 2 + k),
                "{:?}",
                delivered
            );
        }
        let b = xchat_spec::scenario::index_of(Bob);
        prop_assert_eq!(&t.parties[b], &before.parties[b]);
    }
}
