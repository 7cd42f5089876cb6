//! Pairwise mailboxes and light envelopes (SPEC.md section 12.1) through
//! the scenario runner: the move from the published mailbox to pairwise
//! ones, the light envelope's bytes, misdelivery, rotation and its grace
//! window, reordered updates, the *gone* fallback, re-keys, and the
//! operations' errors. Every rejected delivery must leave the recipient as
//! it was (REQ-SESSION-002): the tests compare whole party states.

use xchat_spec::account::{self, Account};
use xchat_spec::bundle::PqKind;
use xchat_spec::content::Content;
use xchat_spec::handle::parse_handle;
use xchat_spec::mailbox::{self, LIGHT_PREFIX_LEN, MAX_RETIRED_MAILBOXES, MIN_LIGHT_LEN};
use xchat_spec::scenario::{run, Event, Outcome, Party, Setup, Transcript};
use xchat_spec::Error;

use Party::{Alice, Bob, Carol};

fn setup() -> Setup {
    Setup {
        seed: [0x5A; 32],
        with_opk: false,
        pq_kind: PqKind::LastResort,
    }
}

fn send(from: Party, to: Party, text: &str) -> Event {
    Event::Send {
        from,
        to,
        text: text.as_bytes().to_vec(),
    }
}

fn offer(from: Party, to: Party) -> Event {
    Event::OfferMailbox { from, to }
}

fn deliver(index: usize) -> Event {
    Event::Deliver { index }
}

fn text(s: &str) -> Content {
    Content::Text(s.as_bytes().to_vec())
}

fn party(t: &Transcript, p: Party) -> &Account {
    &t.parties[xchat_spec::scenario::index_of(p)].account
}

fn contact(a: &Account, of: Party) -> &account::Contact {
    let h = parse_handle(xchat_spec::scenario::claimed_handle(of)).unwrap();
    &a.contacts[account::find_contact(a, &h).unwrap()]
}

/// Alice starts with Bob and says hello (0); Bob answers with a mailbox
/// update (1, sealed: Alice has offered none); Alice offers hers (2, light
/// to Bob's pairwise mailbox now that she knows it and her session left its
/// prekey phase). Both then talk through pairwise mailboxes.
fn moved() -> Vec<Event> {
    vec![
        Event::Start {
            from: Alice,
            to: Bob,
        },
        send(Alice, Bob, "hello"),
        deliver(0),
        offer(Bob, Alice),
        deliver(1),
        offer(Alice, Bob),
        deliver(2),
    ]
}

/// REQ-MAILBOX-001, REQ-MAILBOX-002, REQ-MAILBOX-003: after the exchange,
/// each side's messages go in light envelopes to the other's pairwise
/// mailbox, byte for byte `0x01 0x03 || mailbox || RatchetBody`, and are
/// delivered with the right content; before it, everything is sealed to
/// the published mailboxes.
#[test]
fn conversation_moves_to_pairwise_mailboxes() {
    let mut events = moved();
    events.push(send(Alice, Bob, "light from alice"));
    events.push(deliver(3));
    events.push(send(Bob, Alice, "light from bob"));
    events.push(deliver(4));
    let t = run(&setup(), &events).unwrap();
    let (alice, bob) = (party(&t, Alice), party(&t, Bob));
    let bob_pairwise = contact(bob, Alice).mailboxes[0];
    let alice_pairwise = contact(alice, Bob).mailboxes[0];
    assert_ne!(bob_pairwise, bob.mailbox);
    assert_ne!(alice_pairwise, alice.mailbox);
    // Where each envelope went.
    assert_eq!(t.posted[0], bob.mailbox);
    assert_eq!(t.posted[1], alice.mailbox);
    assert_eq!(t.posted[2], bob_pairwise);
    assert_eq!(t.posted[3], bob_pairwise);
    assert_eq!(t.posted[4], alice_pairwise);
    // The light envelopes' bytes: prefix, then a ratchet body of the
    // padded 256-byte content.
    for i in [2, 3, 4] {
        let w = &t.wire[i];
        assert_eq!(w[0], 0x01);
        assert_eq!(w[1], 0x03);
        assert_eq!(w[2..18], t.posted[i]);
        assert_eq!(w.len(), LIGHT_PREFIX_LEN + 81 + 256 + 16);
        assert_eq!(mailbox::decode_light(w), Ok(t.posted[i]));
    }
    // 212 bytes less than the sealed envelope of a ratchet message of the
    // same padded size (wire 1: Bob's update, sealed, 256 bytes padded).
    assert_eq!(t.wire[1].len() - t.wire[4].len(), 212);
    assert_eq!(
        t.outcomes[events.len() - 3],
        Outcome::Delivered {
            index: 3,
            to: Bob,
            content: text("light from alice")
        }
    );
    assert_eq!(
        t.outcomes[events.len() - 1],
        Outcome::Delivered {
            index: 4,
            to: Alice,
            content: text("light from bob")
        }
    );
    // Each side's session holds the other's mailbox with serial 1.
    let s = &contact(alice, Bob).sessions[0];
    assert_eq!((s.peer_mailbox, s.peer_serial), (Some(bob_pairwise), 1));
    assert_eq!(contact(bob, Alice).serial, 1);
}

/// REQ-MAILBOX-002, REQ-SESSION-002: a light envelope moved to another
/// mailbox, or with its mailbox bytes rewritten, or at a mailbox nobody
/// holds, is rejected and changes nothing.
#[test]
fn misdelivered_light_envelopes_are_rejected() {
    let mut base = moved();
    // Carol and Bob also move to pairwise mailboxes.
    base.extend([
        Event::Start {
            from: Carol,
            to: Bob,
        },
        send(Carol, Bob, "carol here"),
        deliver(3),
        offer(Bob, Carol),
        deliver(4),
        send(Alice, Bob, "for bob"),
    ]);
    let light = 5;
    let before = run(&setup(), &base).unwrap();
    let bob_before = party(&before, Bob).clone();
    assert_eq!(before.wire[light][1], 0x03);
    let cases: Vec<(Event, Error)> = vec![
        // At Bob's published mailbox: the sealed path cannot open it.
        (
            Event::Misdeliver {
                index: light,
                to: Bob,
                of: None,
            },
            Error::WrongRecipient,
        ),
        // At Bob's pairwise mailbox for Carol: L2.
        (
            Event::Misdeliver {
                index: light,
                to: Bob,
                of: Some(Carol),
            },
            Error::WrongRecipient,
        ),
        // Its mailbox bytes changed: L2 at the mailbox it was posted to.
        (
            Event::Tamper {
                index: light,
                byte: 9,
                mask: 0x40,
            },
            Error::WrongRecipient,
        ),
        // Its type byte changed: L1.
        (
            Event::Tamper {
                index: light,
                byte: 1,
                mask: 0x01,
            },
            Error::Malformed,
        ),
        // Its body changed: the session's AEAD.
        (
            Event::Tamper {
                index: light,
                byte: 200,
                mask: 0x01,
            },
            Error::AuthenticationFailed,
        ),
        // At Alice, who holds no such mailbox: R0.
        (
            Event::Misdeliver {
                index: light,
                to: Carol,
                of: None,
            },
            Error::WrongRecipient,
        ),
    ];
    for (event, want) in cases {
        let mut events = base.clone();
        events.push(event.clone());
        let t = run(&setup(), &events).unwrap();
        match t.outcomes.last().unwrap() {
            Outcome::Rejected { error, .. } => assert_eq!(*error, want, "{event:?}"),
            other => panic!("{event:?}: {other:?}"),
        }
        assert_eq!(party(&t, Bob), &bob_before, "{event:?} changed Bob");
    }
    // Rewriting the mailbox bytes to Bob's mailbox for Carol and posting it
    // there: L2 passes, but only Carol's sessions are tried, and none
    // recognizes Alice's header (never trial decryption across contacts).
    let carol_box = contact(&bob_before, Carol).mailboxes[0];
    let mut moved_bytes = before.wire[light].clone();
    moved_bytes[2..18].copy_from_slice(&carol_box);
    let r = account::receive(&bob_before, &carol_box, &moved_bytes, &[7; 32]);
    assert_eq!(r.map(|x| x.1), Err(Error::AuthenticationFailed));
    // And the untouched envelope is still delivered afterwards.
    let mut events = base.clone();
    events.push(deliver(light));
    let t = run(&setup(), &events).unwrap();
    assert_eq!(
        t.outcomes.last().unwrap(),
        &Outcome::Delivered {
            index: light,
            to: Bob,
            content: text("for bob")
        }
    );
}

/// REQ-MAILBOX-001: rotation keeps `MAX_RETIRED_MAILBOXES` retired
/// mailboxes receiving (the grace window); a message to one retired beyond
/// it is refused with `WrongRecipient`.
#[test]
fn rotation_grace_window() {
    assert_eq!(MAX_RETIRED_MAILBOXES, 2);
    let mut events = moved();
    // Alice sends one light message to Bob's first pairwise mailbox, which
    // stays in flight (3).
    events.push(send(Alice, Bob, "in flight 1"));
    // Bob rotates twice more; Alice takes both updates.
    events.extend([offer(Bob, Alice), deliver(4), offer(Bob, Alice), deliver(5)]);
    // Bob's first mailbox is now the oldest retired one: still receiving.
    let mut within = events.clone();
    within.push(deliver(3));
    let t = run(&setup(), &within).unwrap();
    assert_eq!(
        t.outcomes.last().unwrap(),
        &Outcome::Delivered {
            index: 3,
            to: Bob,
            content: text("in flight 1")
        }
    );
    assert_eq!(contact(party(&t, Bob), Alice).mailboxes.len(), 3);
    assert_eq!(contact(party(&t, Bob), Alice).serial, 3);
    // One more rotation deletes it.
    events.extend([offer(Bob, Alice), deliver(6), deliver(3)]);
    let t = run(&setup(), &events).unwrap();
    assert_eq!(
        t.outcomes.last().unwrap(),
        &Outcome::Rejected {
            index: 3,
            to: Bob,
            error: Error::WrongRecipient
        }
    );
    assert!(!contact(party(&t, Bob), Alice)
        .mailboxes
        .contains(&t.posted[3]));
}

/// REQ-MAILBOX-001: updates reordered by the relay: the one with the higher
/// serial wins whatever the order of arrival, and the older one is still
/// delivered (as content) without taking effect.
#[test]
fn reordered_updates_keep_the_newest() {
    let mut events = moved();
    events.extend([offer(Bob, Alice), offer(Bob, Alice), deliver(4), deliver(3)]);
    let t = run(&setup(), &events).unwrap();
    let alice = party(&t, Alice);
    let alice_pairwise = contact(alice, Bob).mailboxes[0];
    assert_eq!((t.posted[3], t.posted[4]), (alice_pairwise, alice_pairwise));
    let newest = contact(party(&t, Bob), Alice).mailboxes[0];
    let s = &contact(alice, Bob).sessions[0];
    assert_eq!((s.peer_mailbox, s.peer_serial), (Some(newest), 3));
    match &t.outcomes[events.len() - 1] {
        Outcome::Delivered {
            content: Content::MailboxUpdate { serial, .. },
            ..
        } => assert_eq!(*serial, 2),
        other => panic!("{other:?}"),
    }
}

/// REQ-MAILBOX-004: the relay refuses a light envelope as *gone*; Alice
/// resends the same bytes sealed, Bob accepts it once through his
/// published mailbox, and Alice's later messages go sealed until Bob
/// offers again. A relay that lied and delivers the original too gets
/// `Replay` for the second copy.
#[test]
fn gone_mailbox_falls_back_to_sealed() {
    let mut events = moved();
    events.extend([send(Alice, Bob, "refused"), Event::Gone { index: 3 }]);
    let t = run(&setup(), &events).unwrap();
    let bob = party(&t, Bob);
    assert_eq!(
        t.outcomes.last().unwrap(),
        &Outcome::Sent {
            index: 4,
            from: Alice,
            to: Bob
        }
    );
    assert_eq!(t.posted[4], bob.mailbox);
    // The sealed envelope carries the light envelope unchanged.
    let (sender, payload) =
        xchat_spec::envelope::open(&bob.identity, &bob.mailbox, &t.wire[4]).unwrap();
    assert_eq!(sender.handle, parse_handle(b"alice").unwrap());
    assert_eq!(payload, t.wire[3]);
    // Alice forgot Bob's pairwise mailbox in that session.
    assert_eq!(
        contact(party(&t, Alice), Bob).sessions[0].peer_mailbox,
        None
    );
    // Delivery of the resend, then the next message goes sealed, then the
    // original shows up after all.
    events.extend([
        deliver(4),
        send(Alice, Bob, "after the fallback"),
        deliver(5),
    ]);
    let t = run(&setup(), &events).unwrap();
    let bob = party(&t, Bob);
    assert_eq!(
        t.outcomes[events.len() - 3],
        Outcome::Delivered {
            index: 4,
            to: Bob,
            content: text("refused")
        }
    );
    assert_eq!(t.posted[5], bob.mailbox);
    assert_eq!(t.wire[5].len(), 1 + 16 + 32 + 163 + 2 + 81 + 256 + 16 + 16);
    assert_eq!(
        t.outcomes[events.len() - 1],
        Outcome::Delivered {
            index: 5,
            to: Bob,
            content: text("after the fallback")
        }
    );
    // The relay's lie: the original light envelope, delivered directly
    // (a fresh run where it was not marked gone).
    let mut lie = moved();
    lie.extend([send(Alice, Bob, "refused"), deliver(3)]);
    let direct = run(&setup(), &lie).unwrap();
    let bob = party(&direct, Bob);
    let resent = account::resend_sealed(
        party(&direct, Alice),
        &parse_handle(b"bob").unwrap(),
        &direct.wire[3],
        &bob.mailbox,
        &[3; 32],
    )
    .unwrap()
    .2;
    let r = account::receive(bob, &bob.mailbox, &resent, &[4; 32]);
    assert_eq!(r.map(|x| x.1), Err(Error::Replay));
}

/// REQ-MAILBOX-003, REQ-MAILBOX-001: a re-key (Alice restored an old
/// backup and starts over) makes a session without Bob's pairwise mailbox,
/// so she seals until Bob offers in the new session; Bob's new responder
/// session has none of Alice's either.
#[test]
fn rekey_starts_without_peer_mailboxes() {
    let mut events = vec![Event::Snapshot { who: Alice }];
    events.extend(moved());
    // The restored device draws afresh (its rotation takes draw 0, so the
    // new handshake is not the old one replayed).
    events.extend([
        Event::Restore { who: Alice },
        Event::RotatePrekey { who: Alice },
        Event::Start {
            from: Alice,
            to: Bob,
        },
        send(Alice, Bob, "new session"),
        deliver(3),
        send(Bob, Alice, "reply"),
    ]);
    let t = run(&setup(), &events).unwrap();
    let (alice, bob) = (party(&t, Alice), party(&t, Bob));
    assert_eq!(
        t.outcomes[events.len() - 2],
        Outcome::Delivered {
            index: 3,
            to: Bob,
            content: text("new session")
        }
    );
    assert_eq!(t.posted[3], bob.mailbox);
    // Bob answers in the new session, which knows no mailbox of Alice's:
    // sealed to her published mailbox.
    assert_eq!(t.posted[4], alice.mailbox);
    assert_eq!(contact(bob, Alice).sessions[0].peer_mailbox, None);
    // Bob's old pairwise mailbox for Alice is still his (the contact keeps
    // its mailboxes), so in-flight messages of the old session arrive.
    assert_eq!(contact(bob, Alice).mailboxes.len(), 1);
}

/// REQ-MAILBOX-001, REQ-SESSION-002: the operations' errors, in order, and
/// that a failure changes nothing.
#[test]
fn operation_errors() {
    let t = run(&setup(), &moved()).unwrap();
    let (alice, bob) = (party(&t, Alice), party(&t, Bob));
    let bob_h = parse_handle(b"bob").unwrap();
    let carol_h = parse_handle(b"carol").unwrap();
    let r = [1u8; 24];
    let e = [2u8; 32];
    let fresh = [0xEE; 16];
    // No contact or session: UnknownSession, before the mailbox checks.
    assert_eq!(
        account::offer_mailbox(alice, &carol_h, &alice.mailbox, &[9; 16], &r, &e).map(|x| x.1),
        Err(Error::UnknownSession)
    );
    // A mailbox already held: the published one, or a pairwise one.
    let held = contact(alice, Bob).mailboxes[0];
    for m in [alice.mailbox, held] {
        assert_eq!(
            account::offer_mailbox(alice, &bob_h, &m, &bob.mailbox, &r, &e).map(|x| x.1),
            Err(Error::Malformed)
        );
    }
    // The serial cannot wrap.
    let mut worn = alice.clone();
    let c = account::find_contact(&worn, &bob_h).unwrap();
    worn.contacts[c].serial = u32::MAX;
    assert_eq!(
        account::offer_mailbox(&worn, &bob_h, &fresh, &bob.mailbox, &r, &e).map(|x| x.1),
        Err(Error::Malformed)
    );
    // `send` refuses a mailbox update.
    let update = Content::MailboxUpdate {
        serial: 9,
        mailbox: fresh,
    };
    assert_eq!(
        account::send(alice, &bob_h, &update, &bob.mailbox, &r, &e).map(|x| x.1),
        Err(Error::Malformed)
    );
    // `resend_sealed`: not a light envelope, then no contact.
    let sealed = &t.wire[0];
    assert_eq!(
        account::resend_sealed(alice, &bob_h, sealed, &bob.mailbox, &e).map(|x| x.1),
        Err(Error::Malformed)
    );
    let light = &t.wire[2];
    assert!(light.len() >= MIN_LIGHT_LEN);
    assert_eq!(
        account::resend_sealed(alice, &carol_h, light, &bob.mailbox, &e).map(|x| x.1),
        Err(Error::UnknownSession)
    );
    // A successful offer rotates: the new mailbox in front, serial + 1.
    let (next, to, _) =
        account::offer_mailbox(alice, &bob_h, &fresh, &bob.mailbox, &r, &e).unwrap();
    assert_eq!(to, contact(bob, Alice).mailboxes[0]);
    assert_eq!(contact(&next, Bob).mailboxes, vec![fresh, held]);
    assert_eq!(contact(&next, Bob).serial, 2);
    // Receiving at a mailbox the account does not hold.
    assert_eq!(
        account::receive(bob, &[0x11; 16], &t.wire[2], &[0; 32]).map(|x| x.1),
        Err(Error::WrongRecipient)
    );
}

/// REQ-MAILBOX-002: light-envelope decoding, in the order of section 12.1.
#[test]
fn light_decoding_order() {
    let m = [0x42u8; 16];
    let mut good = vec![0x01, 0x03];
    good.extend_from_slice(&m);
    good.extend_from_slice(&[0u8; 97]);
    assert_eq!(mailbox::decode_light(&good), Ok(m));
    assert_eq!(mailbox::decode_light(&[]), Err(Error::Malformed));
    assert_eq!(
        mailbox::decode_light(&[0x02]),
        Err(Error::UnsupportedVersion)
    );
    assert_eq!(
        mailbox::decode_light(&[0x02, 0x07]),
        Err(Error::UnsupportedVersion)
    );
    assert_eq!(mailbox::decode_light(&[0x01]), Err(Error::Malformed));
    let mut other_type = good.clone();
    other_type[1] = 0x02;
    assert_eq!(mailbox::decode_light(&other_type), Err(Error::Malformed));
    for cut in 2..good.len() {
        assert_eq!(
            mailbox::decode_light(&good[..cut]),
            Err(Error::Malformed),
            "{cut}"
        );
    }
}

/// REQ-MAILBOX-001: accepting a new identity for a handle deletes the
/// contact's pairwise mailboxes, which belonged to the old identity.
#[test]
fn accept_identity_deletes_mailboxes() {
    let t = run(&setup(), &moved()).unwrap();
    let bob = party(&t, Bob);
    let held = contact(bob, Alice).mailboxes[0];
    let mallory = xchat_spec::identity::public_of(&party(&t, Party::Mallory).identity);
    let next = account::accept_identity(bob, &mallory).unwrap();
    assert!(contact(&next, Alice).mailboxes.is_empty());
    assert_eq!(account::mailbox_owner(&next, &held), None);
    assert_eq!(
        account::receive(&next, &held, &t.wire[2], &[0; 32]).map(|x| x.1),
        Err(Error::WrongRecipient)
    );
}
