//! Differential test of whole conversations: the spec's scenario runner
//! (`xchat_spec::scenario`, through the spec adapter) against the impl's accounts
//! (through the impl adapter, the code behind the conformance adapter binary), on
//! random multi-party schedules: starts in any direction (simultaneous
//! initiation included), sends, deliveries in any order, drops,
//! duplicates, tampering, an impostor's handshakes, identity acceptance,
//! signed-prekey rotation, snapshot and restore, pairwise-mailbox offers,
//! misdelivery to other mailboxes, refused (*gone*) light envelopes
//! resent sealed, and a hostile but authenticated peer sealing arbitrary
//! message bytes (`Event::Inject`). Every wire byte, every mailbox posted to and every
//! outcome (content, error kind, identity change) must be equal.
//!
//! A failed operation that changed the impl's state would show up as a
//! divergence in a later event's bytes or outcome; the spec side's own
//! "failures change nothing" property is `spec/tests/scenario.rs`.
//!
//! 64 schedules by default; `PROPTEST_CASES` overrides it.

#[path = "../../spec/tests/common/mod.rs"]
mod common;

use proptest::prelude::*;
use xchat_spec::bundle::PqKind;
use xchat_spec::scenario::{Event, Party, Setup};
use xchat_vectors::adapters::{imp::Impl, spec::Spec};
use xchat_vectors::conformance::dispatch;
use xchat_vectors::ops::session::session_run_input;
use xchat_vectors::wire::{Answer, Obj};

fn party() -> impl Strategy<Value = Party> {
    prop_oneof![
        4 => Just(Party::Alice),
        4 => Just(Party::Bob),
        1 => Just(Party::Carol),
        1 => Just(Party::Mallory),
    ]
}

/// A hostile peer's payload (`Event::Inject`): none, or the version byte
/// and a message type (prekey, ratchet, light, an unknown one) or a wrong
/// version, then random bytes, sometimes cut or padded to the minimum
/// lengths of SPEC.md 15.2 R4 (99 bytes for a ratchet message, one less,
/// 115 for a light one).
fn hostile_payload() -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop_oneof![
        1 => Just(Vec::new()),
        2 => Just(vec![0x01, 0x01]),
        3 => Just(vec![0x01, 0x02]),
        2 => Just(vec![0x01, 0x03]),
        1 => Just(vec![0x01, 0x07]),
        1 => Just(vec![0x02, 0x02]),
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

fn event(max_index: usize) -> impl Strategy<Value = Event> {
    let text = prop::collection::vec(b'a'..=b'z', 0..24);
    prop_oneof![
        2 => (party(), party(), hostile_payload())
            .prop_map(|(from, to, payload)| Event::Inject { from, to, payload }),
        3 => (party(), party()).prop_map(|(from, to)| Event::Start { from, to }),
        8 => (party(), party(), text).prop_map(|(from, to, text)| Event::Send { from, to, text }),
        10 => (0..max_index).prop_map(|index| Event::Deliver { index }),
        1 => (0..max_index).prop_map(|index| Event::Drop { index }),
        2 => (0..max_index).prop_map(|index| Event::Duplicate { index }),
        2 => (0..max_index, any::<usize>(), any::<u8>())
            .prop_map(|(index, byte, mask)| Event::Tamper { index, byte, mask }),
        3 => (party(), party()).prop_map(|(from, to)| Event::OfferMailbox { from, to }),
        1 => (party(), party(), any::<bool>())
            .prop_map(|(from, to, published)| Event::OfferHeldMailbox { from, to, published }),
        1 => (0..max_index).prop_map(|index| Event::Gone { index }),
        1 => (0..max_index, party(), prop::option::of(party()))
            .prop_map(|(index, to, of)| Event::Misdeliver { index, to, of }),
        1 => (party(), party()).prop_map(|(who, of)| Event::AcceptIdentity { who, of }),
        1 => party().prop_map(|who| Event::RotatePrekey { who }),
        1 => party().prop_map(|who| Event::Snapshot { who }),
        1 => party().prop_map(|who| Event::Restore { who }),
    ]
}

/// Alice starts with Bob first, so most schedules get past the handshake.
fn schedule() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec(event(20), 1..40).prop_map(|mut events| {
        events.insert(
            0,
            Event::Start {
                from: Party::Alice,
                to: Party::Bob,
            },
        );
        events
    })
}

fn setup() -> impl Strategy<Value = Setup> {
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

fn cases() -> u32 {
    common::proptest_cases(64)
}

/// Runs one schedule on both sides; returns the number of delivered
/// messages (to check that schedules exercise something).
fn compare(setup: &Setup, events: &[Event]) -> Result<usize, TestCaseError> {
    let input = session_run_input(setup, events)
        .as_object()
        .cloned()
        .expect("an object");
    let spec = dispatch(&mut Spec, "session_run", &input);
    let imp = dispatch(&mut Impl, "session_run", &input);
    let Ok(out) = &spec else {
        return Err(TestCaseError::fail(format!("spec failed: {spec:?}")));
    };
    if spec != imp {
        // Name the first diverging event.
        let (s, i) = (&out["outcomes"], imp_outcomes(&imp));
        let at = s
            .as_array()
            .into_iter()
            .flatten()
            .zip(i.iter())
            .position(|(a, b)| a != b);
        return Err(TestCaseError::fail(format!(
            "spec and impl diverge at event {at:?}: {:?}",
            at.map(|k| (&events[k], &s[k], &i[k]))
        )));
    }
    Ok(out["outcomes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["outcome"] == "delivered")
        .count())
}

fn imp_outcomes(a: &Answer<Obj>) -> Vec<serde_json::Value> {
    match a {
        Ok(o) => o["outcomes"].as_array().cloned().unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// REQ-SESSION-001, REQ-SESSION-002, REQ-PEER-002, REQ-ROUTE-001..004,
    /// REQ-HS-006, REQ-MAILBOX-001..004: spec and impl agree on every byte and outcome of random
    /// multi-party schedules.
    #[test]
    fn random_multi_party_schedules(s in setup(), events in schedule()) {
        compare(&s, &events)?;
    }
}

/// Fixed schedules that random ones rarely reach: a long skip beyond
/// `MAX_SKIP`, and simultaneous initiation followed by an impostor.
#[test]
fn fixed_schedules() {
    let send = |from, to, t: &str| Event::Send {
        from,
        to,
        text: t.as_bytes().to_vec(),
    };
    let n = 1002usize;
    let mut skip = vec![Event::Start {
        from: Party::Alice,
        to: Party::Bob,
    }];
    skip.extend((0..n).map(|i| send(Party::Alice, Party::Bob, &format!("m{i}"))));
    for index in [n - 1, n - 2, n - 1, 0, 17, 17] {
        skip.push(Event::Deliver { index });
    }
    skip.push(send(Party::Bob, Party::Alice, "ok"));
    skip.push(Event::Deliver { index: n });
    skip.push(Event::Deliver { index: 5 });
    let s = Setup {
        seed: [6u8; 32],
        with_opk: false,
        pq_kind: PqKind::OneTime,
    };
    let delivered = compare(&s, &skip).unwrap();
    // n-1 first is TooManySkipped (1001 > MAX_SKIP); then n-2, n-1, 0, 17,
    // the reply and 5 are delivered, and the second 17 is a Replay.
    assert_eq!(delivered, 6);

    let mut race = vec![
        Event::Start {
            from: Party::Alice,
            to: Party::Bob,
        },
        Event::Start {
            from: Party::Bob,
            to: Party::Alice,
        },
        send(Party::Alice, Party::Bob, "a"),
        send(Party::Bob, Party::Alice, "b"),
        Event::Deliver { index: 1 },
        Event::Deliver { index: 0 },
        Event::Start {
            from: Party::Mallory,
            to: Party::Bob,
        },
        send(Party::Mallory, Party::Bob, "i am alice"),
        Event::Deliver { index: 2 },
    ];
    race.extend([
        send(Party::Alice, Party::Bob, "a2"),
        send(Party::Bob, Party::Alice, "b2"),
        Event::Deliver { index: 3 },
        Event::Deliver { index: 4 },
    ]);
    let s = Setup {
        seed: [8u8; 32],
        with_opk: true,
        pq_kind: PqKind::LastResort,
    };
    assert_eq!(compare(&s, &race).unwrap(), 4);
}
