//! Accounts (SPEC.md sections 15 and 16): pinning, sessions per peer,
//! routing, handshake records, simultaneous initiation and prekey rotation,
//! through the multi-party scenario runner. Each attack of the revision-2
//! security review has a test here that revision 1 failed; the doc comment
//! of each says what revision 1 did.

mod common;

use common::Tally;
use xchat_spec::account::{
    self, HandshakeRecord, MAX_HANDSHAKES_PER_SIGNED_PREKEY, MAX_PREVIOUS_SESSIONS,
};
use xchat_spec::bundle::{self, PqKind, MAX_RETIRED_SIGNED_PREKEYS};
use xchat_spec::content::Content;
use xchat_spec::identity;
use xchat_spec::scenario::{
    index_of, run, set_up_party, Event, Outcome, Party, PartyState, Setup, Transcript,
};
use xchat_spec::Error;

use Party::{Alice, Bob, Carol, Mallory};

fn setup(seed: u8, with_opk: bool, pq_kind: PqKind) -> Setup {
    Setup {
        seed: [seed; 32],
        with_opk,
        pq_kind,
    }
}

fn start(from: Party, to: Party) -> Event {
    Event::Start { from, to }
}

fn send(from: Party, to: Party, text: &str) -> Event {
    Event::Send {
        from,
        to,
        text: text.as_bytes().to_vec(),
    }
}

fn deliver(index: usize) -> Event {
    Event::Deliver { index }
}

fn started(from: Party, to: Party) -> Outcome {
    Outcome::Started { from, to }
}

fn sent(index: usize, from: Party, to: Party) -> Outcome {
    Outcome::Sent { index, from, to }
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

fn party(t: &Transcript, p: Party) -> &PartyState {
    &t.parties[index_of(p)]
}

fn public(t: &Transcript, p: Party) -> identity::IdentityPublic {
    identity::public_of(&party(t, p).account.identity)
}

/// The `EK`s of `p`'s sessions with its contact for `handle`, current first.
fn eks(t: &Transcript, p: Party, handle: &[u8]) -> Vec<[u8; 32]> {
    let a = &party(t, p).account;
    let h = xchat_spec::handle::parse_handle(handle).unwrap();
    let c = account::find_contact(a, &h).unwrap();
    a.contacts[c].sessions.iter().map(|s| s.ek).collect()
}

/// Runs `events` and checks the outcomes against `want`, position by
/// position (so a mismatch names its event).
fn check(s: &Setup, events: &[Event], want: &[Outcome]) -> Transcript {
    let t = run(s, events).expect("runner");
    assert_eq!(t.outcomes.len(), want.len());
    for (i, (got, want)) in t.outcomes.iter().zip(want).enumerate() {
        assert_eq!(got, want, "event {i}: {:?}", events[i]);
    }
    t
}

/// REQ-PEER-001, REQ-PEER-002, REQ-SESSION-002 (finding 1): Mallory's
/// identity claims `alice`. Once Bob has pinned the real Alice, Mallory's
/// prekey message yields `IdentityChanged` with Mallory's identity and
/// changes nothing: Alice's session goes on in both directions. Only
/// `accept_identity` re-pins; then Mallory's message is accepted and the
/// real Alice is the one reported as changed. Revision 1 accepted
/// Mallory's message as `alice` and replaced Alice's session.
#[test]
fn identity_takeover_is_refused() {
    let events = vec![
        start(Alice, Bob),
        send(Alice, Bob, "hi bob"),
        deliver(0),
        start(Mallory, Bob),
        send(Mallory, Bob, "i am alice"),
        deliver(1),
        send(Alice, Bob, "still me"),
        deliver(2),
        send(Bob, Alice, "hi alice"),
        deliver(3),
        // The directory serves Mallory's bundle when Bob looks up `alice`.
        start(Bob, Mallory),
        Event::AcceptIdentity {
            who: Bob,
            of: Mallory,
        },
        deliver(1),
        send(Alice, Bob, "it was not me"),
        deliver(4),
    ];
    let s = setup(1, true, PqKind::LastResort);
    let t0 = run(&s, &events[..6]).unwrap();
    let mallory = public(&t0, Mallory);
    let alice = public(&t0, Alice);
    let want = vec![
        started(Alice, Bob),
        sent(0, Alice, Bob),
        delivered(0, Bob, "hi bob"),
        started(Mallory, Bob),
        sent(1, Mallory, Bob),
        Outcome::IdentityChanged {
            index: 1,
            to: Bob,
            offered: mallory.clone(),
        },
        sent(2, Alice, Bob),
        delivered(2, Bob, "still me"),
        sent(3, Bob, Alice),
        delivered(3, Alice, "hi alice"),
        Outcome::StartFailed {
            from: Bob,
            to: Mallory,
            error: Error::IdentityChanged,
        },
        Outcome::Done,
        delivered(1, Bob, "i am alice"),
        sent(4, Alice, Bob),
        Outcome::IdentityChanged {
            index: 4,
            to: Bob,
            offered: alice.clone(),
        },
    ];
    let t = check(&s, &events, &want);
    // After the explicit accept, `alice` is pinned to Mallory, with one
    // session, and Bob still has one contact.
    let bob = &party(&t, Bob).account;
    assert_eq!(bob.contacts.len(), 1);
    assert!(account::same_peer(&bob.contacts[0].identity, &mallory));
    assert_eq!(bob.contacts[0].sessions.len(), 1);
    // The IdentityChanged receipt itself changed nothing: the script up to
    // it and the script without it end in the same state.
    let before = run(&s, &events[..5]).unwrap();
    let after = run(&s, &events[..6]).unwrap();
    assert_eq!(before.parties, after.parties);
    // Peer equality is by handle and keys: Mallory's identity differs from
    // Alice's in its keys only.
    assert_eq!(mallory.handle, alice.handle);
    assert!(!account::same_peer(&mallory, &alice));
    let mut rebound = alice.clone();
    rebound.binding[0] ^= 1;
    assert!(account::same_peer(&rebound, &alice));
}

/// REQ-HS-006, REQ-ROUTE-003, REQ-PREKEY-001 (finding 2): a bundle without
/// a one-time prekey and with a last-resort PQ prekey. Alice starts session
/// A, later session B. The delivery sequence [A1, A1, B1, A1] gives
/// accepted, `Replay`, accepted, `Replay`, and Bob's next message in B
/// still decrypts (revision 1: accepted, `Replay`, accepted, *accepted*,
/// and session B was gone). Once session A is deleted beyond
/// `MAX_PREVIOUS_SESSIONS`, the handshake record still refuses A1
/// (`Replay`); once its signed prekey is deleted by two rotations, the
/// handshake itself does (`UnknownPrekey`).
#[test]
fn replayed_first_message_after_rekey() {
    let mut events = vec![
        start(Alice, Bob),
        send(Alice, Bob, "A1"),
        deliver(0),
        deliver(0),
        start(Alice, Bob),
        send(Alice, Bob, "B1"),
        deliver(1),
        deliver(0),
        send(Bob, Alice, "in B"),
        deliver(2),
    ];
    let mut want = vec![
        started(Alice, Bob),
        sent(0, Alice, Bob),
        delivered(0, Bob, "A1"),
        rejected(0, Bob, Error::Replay),
        started(Alice, Bob),
        sent(1, Alice, Bob),
        delivered(1, Bob, "B1"),
        rejected(0, Bob, Error::Replay),
        sent(2, Bob, Alice),
        delivered(2, Alice, "in B"),
    ];
    // Re-key MAX_PREVIOUS_SESSIONS more times: session A ages out.
    for k in 0..MAX_PREVIOUS_SESSIONS {
        let index = 3 + k;
        let text = format!("rekey {k}");
        events.extend([start(Alice, Bob), send(Alice, Bob, &text), deliver(index)]);
        want.extend([
            started(Alice, Bob),
            sent(index, Alice, Bob),
            delivered(index, Bob, &text),
        ]);
    }
    events.push(deliver(0));
    want.push(rejected(0, Bob, Error::Replay));
    events.extend([
        Event::RotatePrekey { who: Bob },
        deliver(0),
        Event::RotatePrekey { who: Bob },
        deliver(0),
    ]);
    want.extend([
        Outcome::Done,
        rejected(0, Bob, Error::Replay),
        Outcome::Done,
        rejected(0, Bob, Error::UnknownPrekey),
    ]);
    let t = check(&setup(2, false, PqKind::LastResort), &events, &want);
    let bob = &party(&t, Bob).account;
    assert_eq!(bob.contacts[0].sessions.len(), 1 + MAX_PREVIOUS_SESSIONS);
    assert!(
        bob.handshakes.is_empty(),
        "records go with their signed prekey"
    );
    assert_eq!(bob.store.spk_id, 3);
    assert_eq!(bob.store.retired_spks.len(), MAX_RETIRED_SIGNED_PREKEYS);
    assert_eq!(bob.store.retired_spks[0].0, 2);
}

/// REQ-ROUTE-002, REQ-ENV-004 (finding 3): Carol's prekey message to Bob
/// makes a second contact and leaves Alice's session alone: Alice's next
/// ratchet message still decrypts. Revision 1 kept one session per party:
/// Carol's handshake replaced Alice's and her message was
/// `AuthenticationFailed`.
#[test]
fn another_identity_cannot_knock_out_a_session() {
    let events = vec![
        start(Alice, Bob),
        send(Alice, Bob, "a0"),
        deliver(0),
        send(Bob, Alice, "b0"),
        deliver(1),
        start(Carol, Bob),
        send(Carol, Bob, "c0"),
        deliver(2),
        send(Alice, Bob, "a1"),
        deliver(3),
        send(Bob, Carol, "to carol"),
        deliver(4),
    ];
    let want = vec![
        started(Alice, Bob),
        sent(0, Alice, Bob),
        delivered(0, Bob, "a0"),
        sent(1, Bob, Alice),
        delivered(1, Alice, "b0"),
        started(Carol, Bob),
        sent(2, Carol, Bob),
        delivered(2, Bob, "c0"),
        sent(3, Alice, Bob),
        delivered(3, Bob, "a1"),
        sent(4, Bob, Carol),
        delivered(4, Carol, "to carol"),
    ];
    let t = check(&setup(3, true, PqKind::LastResort), &events, &want);
    assert_eq!(party(&t, Bob).account.contacts.len(), 2);
}

/// REQ-ROUTE-004 (finding 5): Alice and Bob start sessions with each other
/// at once. Whatever the order the first messages arrive in, both keep the
/// session pair started by the smaller `EK`, leave their prekey phase, and
/// every message in either pair is accepted exactly once. Revision 1
/// replaced each side's initiator session with a responder session, so
/// both sides' later ratchet messages failed.
#[test]
fn simultaneous_initiation_converges() {
    let mut tally = Tally::new("simultaneous initiation seeds and orders");
    for seed in 0..8u8 {
        for bob_first in [false, true] {
            let (first, second) = if bob_first { (1, 0) } else { (0, 1) };
            let (to_first, to_second) = if bob_first {
                (Alice, Bob)
            } else {
                (Bob, Alice)
            };
            let text = |i: usize| if i == 0 { "a0" } else { "b0" };
            let events = vec![
                start(Alice, Bob),
                start(Bob, Alice),
                send(Alice, Bob, "a0"),
                send(Bob, Alice, "b0"),
                deliver(first),
                deliver(second),
                send(Alice, Bob, "a1"),
                send(Bob, Alice, "b1"),
                deliver(2),
                deliver(3),
                send(Alice, Bob, "a2"),
                deliver(4),
                send(Bob, Alice, "b2"),
                deliver(5),
            ];
            let want = vec![
                started(Alice, Bob),
                started(Bob, Alice),
                sent(0, Alice, Bob),
                sent(1, Bob, Alice),
                delivered(first, to_first, text(first)),
                delivered(second, to_second, text(second)),
                sent(2, Alice, Bob),
                sent(3, Bob, Alice),
                delivered(2, Bob, "a1"),
                delivered(3, Alice, "b1"),
                sent(4, Alice, Bob),
                delivered(4, Bob, "a2"),
                sent(5, Bob, Alice),
                delivered(5, Alice, "b2"),
            ];
            let t = check(
                &setup(seed, seed % 2 == 0, PqKind::LastResort),
                &events,
                &want,
            );
            let (a, b) = (eks(&t, Alice, b"bob"), eks(&t, Bob, b"alice"));
            assert_eq!(a.len(), 2);
            assert_eq!(a[0], b[0], "both current sessions are one pair");
            assert_eq!(a[0], a[0].min(a[1]), "the pair of the smaller EK");
            for p in [Alice, Bob] {
                let acct = &party(&t, p).account;
                assert!(acct.contacts[0].sessions[0].pending.is_none());
            }
            tally.check();
        }
    }
    tally.finish(16);
}

/// REQ-HS-006, section 16: when the current signed prekey has
/// `MAX_HANDSHAKES_PER_SIGNED_PREKEY` records, a new handshake on it is
/// refused with `UnknownPrekey` and nothing changes; after a rotation, a
/// bundle with the new signed prekey completes, and the old records stay
/// (their signed prekey is retired, still held).
#[test]
fn full_record_set_refuses_handshakes_until_rotation() {
    let s = setup(4, false, PqKind::LastResort);
    let events = vec![start(Alice, Bob), send(Alice, Bob, "hello")];
    let t = run(&s, &events).unwrap();
    let mut bob = set_up_party(&s, Bob).unwrap();
    let fake = (0..MAX_HANDSHAKES_PER_SIGNED_PREKEY).map(|i| HandshakeRecord {
        spk_id: 1,
        ek: [i as u8; 32],
    });
    bob.account.handshakes = fake.collect();
    let secret = [9u8; 32];
    let r = account::receive(&bob.account, &bob.account.mailbox, &t.wire[0], &secret);
    assert_eq!(r.map(|x| x.1), Err(Error::UnknownPrekey));
    // One fewer record: accepted, and recorded.
    let mut room = bob.clone();
    room.account.handshakes.pop();
    let (after, _) =
        account::receive(&room.account, &room.account.mailbox, &t.wire[0], &secret).unwrap();
    assert_eq!(after.handshakes.len(), MAX_HANDSHAKES_PER_SIGNED_PREKEY);
    assert!(account::recorded(
        &after,
        1,
        &after.contacts[0].sessions[0].ek
    ));
    // Rotation: the records of the retired signed prekey stay.
    let rotated = account::rotate_signed_prekey(&bob.account, &[5u8; 32]);
    assert_eq!(rotated.handshakes, bob.account.handshakes);
    assert_eq!(rotated.store.spk_id, 2);
    assert!(bundle::holds_spk(&rotated.store, 1));
}

/// REQ-PREKEY-001: rotation ids are consecutive, the retired list is
/// bounded, and the records of a deleted signed prekey are deleted with it.
#[test]
fn signed_prekey_rotation() {
    let s = setup(5, true, PqKind::OneTime);
    let mut a = set_up_party(&s, Bob).unwrap().account;
    a.handshakes = vec![
        HandshakeRecord {
            spk_id: 1,
            ek: [1; 32],
        },
        HandshakeRecord {
            spk_id: 2,
            ek: [2; 32],
        },
    ];
    let r1 = account::rotate_signed_prekey(&a, &[7; 32]);
    assert_eq!((r1.store.spk_id, r1.store.spk_secret), (2, [7; 32]));
    assert_eq!(r1.store.retired_spks, vec![(1, a.store.spk_secret)]);
    assert_eq!(r1.handshakes, a.handshakes);
    let r2 = account::rotate_signed_prekey(&r1, &[8; 32]);
    assert_eq!(r2.store.spk_id, 3);
    assert_eq!(r2.store.retired_spks, vec![(2, [7; 32])]);
    assert_eq!(
        r2.handshakes,
        vec![HandshakeRecord {
            spk_id: 2,
            ek: [2; 32]
        }]
    );
    assert!(!bundle::holds_spk(&r2.store, 1));
    assert_eq!(bundle::find_spk(&r2.store, 2), Some([7; 32]));
    // Ids wrap without colliding.
    let mut w = a.clone();
    w.store.spk_id = u32::MAX;
    let r = account::rotate_signed_prekey(&w, &[6; 32]);
    assert_eq!(r.store.spk_id, 0);
    assert_eq!(r.store.retired_spks[0].0, u32::MAX);
    // Everything else of the store is untouched.
    assert_eq!(r2.store.opks, a.store.opks);
    assert_eq!(r2.store.pqpks, a.store.pqpks);
}

/// REQ-ROUTE-001, REQ-ROUTE-002, REQ-SESSION-002: after a re-key, a
/// ratchet message still in flight in the old session decrypts in it (a
/// previous session) and makes it current again, as the peer evidently
/// still uses it; sending with no contact is `UnknownSession`; a ratchet
/// message that no session of the sender's contact recognizes is
/// `AuthenticationFailed`.
#[test]
fn routing_to_previous_sessions() {
    let events = vec![
        start(Alice, Bob),
        send(Alice, Bob, "a0"),
        deliver(0),
        send(Bob, Alice, "b0"),
        deliver(1),
        send(Alice, Bob, "old, in flight"),
        // Bob re-keys: a new session, which Alice accepts.
        start(Bob, Alice),
        send(Bob, Alice, "new"),
        deliver(3),
        deliver(2),
        send(Bob, Carol, "nobody"),
        send(Alice, Bob, "after"),
        deliver(4),
    ];
    let want = vec![
        started(Alice, Bob),
        sent(0, Alice, Bob),
        delivered(0, Bob, "a0"),
        sent(1, Bob, Alice),
        delivered(1, Alice, "b0"),
        sent(2, Alice, Bob),
        started(Bob, Alice),
        sent(3, Bob, Alice),
        delivered(3, Alice, "new"),
        delivered(2, Bob, "old, in flight"),
        Outcome::SendFailed {
            from: Bob,
            to: Carol,
            error: Error::UnknownSession,
        },
        sent(4, Alice, Bob),
        delivered(4, Bob, "after"),
    ];
    let t = check(&setup(6, true, PqKind::LastResort), &events, &want);
    // Bob's old session became current again when "old, in flight"
    // arrived in it; Alice answered in her current session (the new one),
    // which Bob still holds as previous and decrypted there.
    let bob = eks(&t, Bob, b"alice");
    let alice = eks(&t, Alice, b"bob");
    assert_eq!(bob.len(), 2);
    assert_eq!(alice.len(), 2);
    assert_eq!(bob[0], alice[0]);
    // A ratchet message from Alice under a header key no session of Bob's
    // knows: routed to no session, `AuthenticationFailed`, nothing changes.
    let alice_state = party(&t, Alice);
    let mut rogue = alice_state.account.contacts[0].sessions[0].clone();
    rogue.ratchet.hks = Some([0x42; 32]);
    let padded =
        xchat_spec::padding::pad(&xchat_spec::content::encode(&Content::Text(b"x".to_vec())));
    let (_, message) = xchat_spec::session::encrypt(&rogue, &padded, &[1; 24]).unwrap();
    let bob_state = party(&t, Bob);
    let sealed = xchat_spec::envelope::seal(
        &alice_state.account.identity,
        &identity::public_of(&bob_state.account.identity).dh_pub,
        &bob_state.account.mailbox,
        &message,
        &[3; 32],
    )
    .unwrap();
    let r = account::receive(
        &bob_state.account,
        &bob_state.account.mailbox,
        &sealed,
        &[0; 32],
    );
    assert_eq!(r.map(|x| x.1), Err(Error::AuthenticationFailed));
}

/// REQ-RATCHET-009, REQ-ENV-005 (finding 6) at the account level: Alice's
/// device is restored from a snapshot, randomness counter included (as a
/// VM snapshot restores its RNG), and sends again. Two different texts get
/// different header nonces and different envelope keys `E`, so no (key,
/// nonce) pair seals two plaintexts; the same text gives the very same
/// envelope, which leaks nothing. Bob accepts the first of the two and
/// rejects the other as a `Replay` of that message number. Revision 1
/// sealed both under one message key and nonce.
#[test]
fn restored_state_resend_never_reuses_a_nonce() {
    let script = |second: &str| {
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "m0"),
            deliver(0),
            send(Bob, Alice, "ack"),
            deliver(1),
            Event::Snapshot { who: Alice },
            send(Alice, Bob, "PAY BOB 10 EUR"),
            Event::Restore { who: Alice },
            send(Alice, Bob, second),
            deliver(3),
            deliver(2),
        ]
    };
    let s = setup(7, true, PqKind::OneTime);
    let t = run(&s, &script("PAY EVE 9999 EUR")).unwrap();
    assert_eq!(t.outcomes[9], delivered(3, Bob, "PAY EVE 9999 EUR"));
    assert_eq!(t.outcomes[10], rejected(2, Bob, Error::Replay));
    let bob = &party(&t, Bob).account;
    let open = |i: usize| {
        xchat_spec::envelope::open(&bob.identity, &party(&t, Bob).account.mailbox, &t.wire[i])
            .unwrap()
            .1
    };
    let (m2, m3) = (open(2), open(3));
    assert_eq!((m2[1], m3[1]), (0x02, 0x02), "ratchet messages");
    assert_eq!(m2.len(), m3.len());
    assert_ne!(m2[2..26], m3[2..26], "header nonces differ");
    assert_ne!(
        t.wire[2][17..49],
        t.wire[3][17..49],
        "envelope keys E differ"
    );
    // The same text after the restore: byte-identical envelope.
    let same = run(&s, &script("PAY BOB 10 EUR")).unwrap();
    assert_eq!(same.wire[2], same.wire[3]);
}

/// REQ-CONTENT-002: a content that cannot be encoded is refused by `send`
/// (`Malformed`, nothing changes, no draw is used): a text that is not
/// valid UTF-8 (a stray continuation byte, an overlong form, a surrogate).
/// The sender's next message is the one it would have sent anyway, and
/// arrives; the receiver never sees bytes it would have to reject.
#[test]
fn unencodable_content_is_not_sent() {
    let s = setup(31, true, PqKind::OneTime);
    let bad = |text: &[u8]| Event::Send {
        from: Alice,
        to: Bob,
        text: text.to_vec(),
    };
    let failed = || Outcome::SendFailed {
        from: Alice,
        to: Bob,
        error: Error::Malformed,
    };
    let events = [
        start(Alice, Bob),
        bad(&[b'o', b'k', 0x80]),
        bad(&[0xC0, 0xAF]),
        bad(&[0xED, 0xA0, 0x80]),
        send(Alice, Bob, "hello"),
        deliver(0),
    ];
    let t = check(
        &s,
        &events,
        &[
            started(Alice, Bob),
            failed(),
            failed(),
            failed(),
            sent(0, Alice, Bob),
            delivered(0, Bob, "hello"),
        ],
    );
    // The same run without the refused sends gives the same wire bytes.
    let clean = run(&s, &[start(Alice, Bob), send(Alice, Bob, "hello")]).expect("runner");
    assert_eq!(t.wire, clean.wire);
}
