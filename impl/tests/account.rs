//! The application API (`xchat::Account`) on its own, without the `hazmat`
//! layers: persistence, transactional receiving, and the per-operation
//! errors with their context (SPEC.md sections 15 and 16; issue 10).
//!
//! Every operation runs on a seeded `StdRng`, so each run is the same.

use rand::rngs::StdRng;
use rand::SeedableRng;
use xchat::error::{ImportError, ReceiveError, SendError, StartError};
use xchat::{bundle, identity};
use xchat::{Account, Content, Error, Handle, Outgoing, PqKind, PrekeyStore, Receipt};

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn user(name: &str, seed: u64) -> Account {
    let rng = &mut rng(seed);
    let handle: Handle = name.parse().unwrap();
    let mut store = PrekeyStore::generate(1, rng);
    store.generate_one_time_prekey(10, rng);
    store.add_pq_prekey(bundle::generate_pq_prekey(20, PqKind::LastResort, rng));
    let mailbox = [seed as u8; 16];
    Account::new(identity::generate(handle, rng), store, mailbox)
}

fn verified_bundle(of: &Account, opk: Option<u32>) -> xchat::VerifiedBundle {
    bundle::make_bundle(of.identity(), of.store(), opk, 20)
        .unwrap()
        .verify()
        .unwrap()
}

fn handle(a: &Account) -> Handle {
    *a.identity().handle()
}

fn text(t: &str) -> Content {
    Content::Text(t.into())
}

fn message(r: Result<Receipt, ReceiveError>) -> Content {
    match r {
        Ok(Receipt::Message(m)) => m.content,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// Alice and Bob with a session in both directions and pairwise mailboxes
/// offered both ways; Carol with a session to Bob. Returns the envelopes
/// Bob received, in order (mailbox, bytes).
struct World {
    alice: Account,
    bob: Account,
    carol: Account,
    to_bob: Vec<Outgoing>,
    r: StdRng,
}

fn world() -> World {
    let (mut alice, mut bob, mut carol) = (user("alice", 1), user("bob", 2), user("carol", 3));
    let r = &mut rng(4);
    let mut to_bob = Vec::new();
    alice
        .start(&handle(&bob), &verified_bundle(&bob, Some(10)), r)
        .unwrap();
    let out = alice
        .send(&handle(&bob), &text("hello bob"), bob.mailbox(), r)
        .unwrap();
    assert_eq!(
        message(bob.receive(&out.mailbox, &out.envelope, r)),
        text("hello bob")
    );
    to_bob.push(out);
    let out = bob
        .send(&handle(&alice), &text("hello alice"), alice.mailbox(), r)
        .unwrap();
    message(alice.receive(&out.mailbox, &out.envelope, r));
    let out = bob
        .offer_mailbox(&handle(&alice), alice.mailbox(), r)
        .unwrap();
    message(alice.receive(&out.mailbox, &out.envelope, r));
    let out = alice
        .offer_mailbox(&handle(&bob), bob.mailbox(), r)
        .unwrap();
    message(bob.receive(&out.mailbox, &out.envelope, r));
    to_bob.push(out);
    for i in 0..3 {
        let out = alice
            .send(
                &handle(&bob),
                &text(&format!("light {i}")),
                bob.mailbox(),
                r,
            )
            .unwrap();
        assert_ne!(
            out.mailbox,
            *bob.mailbox(),
            "a light envelope to the pairwise mailbox"
        );
        message(bob.receive(&out.mailbox, &out.envelope, r));
        to_bob.push(out);
    }
    carol
        .start(&handle(&bob), &verified_bundle(&bob, None), r)
        .unwrap();
    let out = carol
        .send(&handle(&bob), &text("hi, carol"), bob.mailbox(), r)
        .unwrap();
    message(bob.receive(&out.mailbox, &out.envelope, r));
    to_bob.push(out);
    World {
        alice,
        bob,
        carol,
        to_bob,
        r: rng(5),
    }
}

#[test]
fn export_import_round_trip_and_continuation() {
    let mut w = world();
    for account in [&w.alice, &w.bob, &w.carol] {
        let bytes = account.export();
        let back = Account::import(&bytes).unwrap();
        assert_eq!(*back.export(), *bytes, "export is canonical");
        assert_eq!(back.contacts().len(), account.contacts().len());
    }
    assert_eq!(w.bob.contacts().len(), 2);
    // The restored Bob and the live Bob take the next message alike.
    let mut restored = Account::import(&w.bob.export()).unwrap();
    let out = w
        .alice
        .send(
            &handle(&w.bob),
            &text("after restore"),
            w.bob.mailbox(),
            &mut w.r,
        )
        .unwrap();
    let live = message(w.bob.receive(&out.mailbox, &out.envelope, &mut rng(9)));
    let back = message(restored.receive(&out.mailbox, &out.envelope, &mut rng(9)));
    assert_eq!((live, back), (text("after restore"), text("after restore")));
    assert_eq!(*restored.export(), *w.bob.export());
}

#[test]
fn failed_receives_change_nothing() {
    let mut w = world();
    let before = w.bob.export();
    let mut rejected = 0;
    // Every envelope Bob already took, again (replays), and with one byte
    // flipped at several places, at its own mailbox and at the others.
    let mailboxes: Vec<[u8; 16]> = {
        let mut m = vec![*w.bob.mailbox()];
        for c in w.bob.contacts() {
            m.extend_from_slice(c.mailboxes());
        }
        m
    };
    for out in &w.to_bob {
        let mut variants = vec![out.envelope.clone()];
        for at in [0, 1, 17, 40, out.envelope.len() / 2, out.envelope.len() - 1] {
            let mut bad = out.envelope.clone();
            bad[at] ^= 0x01;
            variants.push(bad);
        }
        variants.push(out.envelope[..out.envelope.len() - 1].to_vec());
        let mut longer = out.envelope.clone();
        longer.push(0);
        variants.push(longer);
        for v in &variants {
            for m in &mailboxes {
                let r = w.bob.receive(m, v, &mut w.r);
                assert!(r.is_err(), "accepted a replayed or damaged envelope");
                assert_eq!(
                    *w.bob.export(),
                    *before,
                    "a failed receive changed the account"
                );
                rejected += 1;
            }
        }
    }
    // Junk at an unknown mailbox.
    let r = w.bob.receive(&[0xEE; 16], b"junk", &mut w.r);
    assert_eq!(
        r.unwrap_err(),
        ReceiveError::UnknownMailbox {
            mailbox: [0xEE; 16]
        }
    );
    assert_eq!(*w.bob.export(), *before);
    assert!(rejected > 100, "{rejected}");
    // And Bob still works.
    let out = w
        .alice
        .send(
            &handle(&w.bob),
            &text("still fine"),
            w.bob.mailbox(),
            &mut w.r,
        )
        .unwrap();
    assert_eq!(
        message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r)),
        text("still fine")
    );
}

#[test]
fn errors_carry_their_context() {
    let mut w = world();
    let (alice, bob) = (handle(&w.alice), handle(&w.bob));
    // A replayed first message whose session is still held goes to that
    // session (P2); its chain has moved on since (both sides ratcheted), so
    // no header key recognizes it: AuthenticationFailed, with the prekeys
    // it names.
    let first = &w.to_bob[0];
    let r = w.bob.receive(&first.mailbox, &first.envelope, &mut w.r);
    assert_eq!(
        r.unwrap_err(),
        ReceiveError::Handshake {
            sender: alice,
            spk_id: 1,
            opk_id: Some(10),
            pqpk_id: 20,
            kind: Error::AuthenticationFailed,
        }
    );
    // A replayed light envelope: the contact's message, a Replay.
    let light = &w.to_bob[2];
    let e = w
        .bob
        .receive(&light.mailbox, &light.envelope, &mut w.r)
        .unwrap_err();
    assert_eq!(
        e,
        ReceiveError::Message {
            sender: alice,
            kind: Error::Replay
        }
    );
    assert_eq!(e.kind().kind_name(), "Replay");
    // Sending to a stranger is misuse, not hostile input.
    let stranger: Handle = "dave".parse().unwrap();
    let e = w
        .bob
        .send(&stranger, &text("?"), &[0; 16], &mut w.r)
        .unwrap_err();
    assert_eq!(e, SendError::NoSession { peer: stranger });
    assert_eq!(e.kind(), Error::UnknownSession);
    let e = w
        .bob
        .send(
            &alice,
            &Content::MailboxUpdate {
                serial: 9,
                mailbox: [1; 16],
            },
            &[0; 16],
            &mut w.r,
        )
        .unwrap_err();
    assert_eq!(e, SendError::InvalidContent);
    // Content that cannot be encoded (call parameters one byte over
    // REQ-CALL-001's bound) is refused before the session lookup: also
    // for a handle without a session, and with nothing changed.
    let oversized = Content::Call(xchat::content::CallSignal::Offer {
        call_id: [1; 16],
        key: xchat::content::CallKey::new(1, [2; 32]),
        params: vec![0; xchat::content::MAX_CALL_PARAMS_LEN + 1],
    });
    let before = w.bob.export();
    for to in [alice, "nobody".parse().unwrap()] {
        let e = w.bob.send(&to, &oversized, &[0; 16], &mut w.r).unwrap_err();
        assert_eq!(e, SendError::InvalidContent);
    }
    assert_eq!(*before, *w.bob.export());
    // An attachment pointer (its length at most 2^63 by construction) is
    // content like any other.
    let pointer = xchat::content::AttachmentPointer::new(
        xchat::content::MediaKind::Photo,
        [3; 32],
        xchat::content::MAX_ATTACHMENT_LEN,
    )
    .unwrap();
    let out = w
        .bob
        .send(
            &alice,
            &Content::Attachment(pointer.clone()),
            w.alice.mailbox(),
            &mut w.r,
        )
        .unwrap();
    assert_eq!(
        message(w.alice.receive(&out.mailbox, &out.envelope, &mut w.r)),
        Content::Attachment(pointer)
    );
    // A bundle for a pinned handle with another identity.
    let eve = user("alice", 66);
    let before = w.bob.export();
    let e = w
        .bob
        .start(&alice, &verified_bundle(&eve, None), &mut w.r)
        .unwrap_err();
    let StartError::IdentityChanged { pinned, offered } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(**pinned, *w.alice.identity().public());
    assert_eq!(**offered, *eve.identity().public());
    assert_eq!(e.kind(), Error::IdentityChanged);
    // Carol's bundle for the handle `alice`: another handle's bundle.
    let e = w
        .bob
        .start(&alice, &verified_bundle(&w.carol, None), &mut w.r)
        .unwrap_err();
    assert_eq!(e, StartError::WrongHandle);
    assert_eq!(*w.bob.export(), *before);
    let _ = bob;
}

#[test]
fn an_impostor_is_identity_changed_and_changes_nothing() {
    let mut w = world();
    let mut eve = user("alice", 77);
    eve.start(&handle(&w.bob), &verified_bundle(&w.bob, None), &mut w.r)
        .unwrap();
    let out = eve
        .send(
            &handle(&w.bob),
            &text("it's alice, new phone"),
            w.bob.mailbox(),
            &mut w.r,
        )
        .unwrap();
    let before = w.bob.export();
    match w.bob.receive(&out.mailbox, &out.envelope, &mut w.r) {
        Ok(Receipt::IdentityChanged { pinned, offered }) => {
            assert_eq!(pinned, *w.alice.identity().public());
            assert_eq!(offered, *eve.identity().public());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(*w.bob.export(), *before);
}

/// Byte offsets in Bob's export of `world()`: the first contact's session
/// count, from the format in `Account::export`'s docs.
fn first_contact_session_count_at(export: &[u8]) -> usize {
    let store_len = u32::from_be_bytes(export[81..85].try_into().unwrap()) as usize;
    let contact = 85 + store_len + 16 + 4;
    let mailboxes_at = contact + 147 + 4;
    mailboxes_at + 1 + 16 * export[mailboxes_at] as usize
}

#[test]
fn import_is_strict_and_bounded() {
    let w = world();
    let good = w.bob.export();
    // Every strict prefix, and one byte more.
    // Each error names where the field it could not read starts: never
    // past the cut, and a different place for cuts in different fields.
    let mut offsets = std::collections::BTreeSet::new();
    for cut in 0..good.len() {
        let e = Account::import(&good[..cut]).unwrap_err();
        let offset = match e {
            ImportError::Length { offset } | ImportError::Invalid { offset, .. } => offset,
            other => panic!("prefix {cut}: {other:?}"),
        };
        assert!(offset <= cut, "prefix {cut}: {e:?}");
        offsets.insert(offset);
    }
    // The empty input fails at its version byte, the first prefix holding
    // the version byte at the field after it.
    assert_eq!(
        Account::import(&good[..0]).unwrap_err(),
        ImportError::Length { offset: 0 }
    );
    assert!(matches!(
        Account::import(&good[..1]).unwrap_err(),
        ImportError::Length { offset: 1 } | ImportError::Invalid { offset: 1, .. }
    ));
    assert!(offsets.len() > 20, "{} distinct offsets", offsets.len());
    let mut longer = good.to_vec();
    longer.push(0);
    assert!(matches!(
        Account::import(&longer),
        Err(ImportError::Length { .. })
    ));
    let mut v2 = good.to_vec();
    v2[0] = 2;
    assert_eq!(
        Account::import(&v2).unwrap_err(),
        ImportError::UnsupportedVersion { found: 2 }
    );
    // Too many sessions for one contact (SPEC.md section 16: 1 + 4).
    let at = first_contact_session_count_at(&good);
    assert_eq!(good[at], 1, "one session with alice");
    let mut many = good.to_vec();
    many[at] = 6;
    assert_eq!(
        Account::import(&many).unwrap_err(),
        ImportError::TooMany {
            what: "sessions per contact",
            max: 5
        }
    );
    // One flipped bit anywhere: an error, or an account whose export is
    // exactly the input (the format is canonical); never a panic.
    let mut accepted = 0;
    for at in (0..good.len()).step_by(7) {
        let mut bad = good.to_vec();
        bad[at] ^= 0x10;
        if let Ok(a) = Account::import(&bad) {
            assert_eq!(*a.export(), bad);
            accepted += 1;
        }
    }
    // Secrets, ids and counters take any value; tags, counts, identities
    // and invariants do not.
    assert!(accepted < good.len() / 7, "{accepted}");
}

/// REQ-ROUTE-005 (the simulator's finding 3, `sim/`): Alice starts from a
/// bundle of Bob's that goes stale before her first message arrives; Bob
/// re-keys and writes twice in his new session. The first goes behind
/// Alice's pending session (REQ-ROUTE-004, her `EK` being the smaller), the
/// second makes Bob's session current at Alice, and her answer arrives.
#[test]
fn a_responder_rekey_recovers_from_a_stale_first_message() {
    let mut checked = 0;
    for seed in 100..164u64 {
        let (mut alice, mut bob) = (user("alice", seed), user("bob", seed + 1000));
        let r = &mut rng(seed);
        alice
            .start(&handle(&bob), &verified_bundle(&bob, None), r)
            .unwrap();
        bob.rotate_signed_prekey(r);
        bob.rotate_signed_prekey(r);
        let to_bob = |alice: &mut Account, bob: &mut Account, r: &mut StdRng| {
            let o = alice
                .send(&handle(bob), &text("hi"), bob.mailbox(), r)
                .unwrap();
            bob.receive(&o.mailbox, &o.envelope, r).map(|_| ())
        };
        let e = to_bob(&mut alice, &mut bob, r).unwrap_err();
        assert!(
            matches!(
                e,
                ReceiveError::Handshake {
                    kind: Error::UnknownPrekey,
                    spk_id: 1,
                    ..
                }
            ),
            "{e:?}"
        );
        bob.start(&handle(&alice), &verified_bundle(&alice, None), r)
            .unwrap();
        let alice_ek = *alice
            .contact(&handle(&bob))
            .unwrap()
            .current()
            .unwrap()
            .ek();
        let bob_ek = *bob
            .contact(&handle(&alice))
            .unwrap()
            .current()
            .unwrap()
            .ek();
        if alice_ek >= bob_ek {
            continue;
        }
        let from_bob = |alice: &mut Account, bob: &mut Account, r: &mut StdRng, t: &str| {
            let o = bob
                .send(&handle(alice), &text(t), alice.mailbox(), r)
                .unwrap();
            message(alice.receive(&o.mailbox, &o.envelope, r))
        };
        assert_eq!(from_bob(&mut alice, &mut bob, r, "b1"), text("b1"));
        // REQ-ROUTE-004: Alice's pending session stays current...
        let current =
            |a: &Account, b: &Account| *a.contact(&handle(b)).unwrap().current().unwrap().ek();
        assert_eq!(current(&alice, &bob), alice_ek);
        assert!(to_bob(&mut alice, &mut bob, r).is_err());
        // ...until Bob's second message in his session (REQ-ROUTE-005).
        assert_eq!(from_bob(&mut alice, &mut bob, r, "b2"), text("b2"));
        assert_eq!(current(&alice, &bob), bob_ek);
        to_bob(&mut alice, &mut bob, r).expect("Alice's answer in Bob's session");
        checked += 1;
    }
    assert!(
        checked >= 8,
        "only {checked} seeds gave Alice the smaller EK"
    );
}

/// What an application reads back: a contact's sessions (current first),
/// its mailboxes, the number of handshake records, and a `Debug` that names
/// the contact (and never prints a secret: `Contact` holds none but the
/// cached `DHs`, which it leaves out).
#[test]
fn contact_accessors_and_debug() {
    let w = world();
    let bob_at_alice = w.alice.contact(&handle(&w.bob)).unwrap();
    assert_eq!(bob_at_alice.sessions().len(), 1);
    assert!(std::ptr::eq(
        bob_at_alice.current().unwrap(),
        &bob_at_alice.sessions()[0]
    ));
    assert_eq!(bob_at_alice.mailboxes().len(), 1);
    assert_eq!(bob_at_alice.identity().handle, handle(&w.bob));
    // Bob accepted two first messages (Alice's and Carol's); Alice and
    // Carol only initiated.
    assert_eq!(w.bob.handshake_records(), 2);
    assert_eq!(w.alice.handshake_records(), 0);
    assert_eq!(w.carol.handshake_records(), 0);
    let shown = format!("{bob_at_alice:?}");
    assert!(
        shown.starts_with("Contact {") && shown.contains("handle") && shown.contains("bob"),
        "{shown}"
    );
    assert!(shown.contains("verified: false") || shown.contains("verified: true"));
}

/// SPEC.md section 16: a contact holds its current session and at most
/// `MAX_PREVIOUS_SESSIONS` = 4 previous ones; every re-key puts the new
/// session in front and drops the oldest beyond five. The responder
/// records one handshake per first message it accepts.
#[test]
fn a_contact_keeps_at_most_five_sessions() {
    let mut w = world();
    let bob = handle(&w.bob);
    let records = w.bob.handshake_records();
    for i in 0..6 {
        w.alice
            .start(&bob, &verified_bundle(&w.bob, None), &mut w.r)
            .unwrap();
        let out = w
            .alice
            .send(
                &bob,
                &text(&format!("re-key {i}")),
                w.bob.mailbox(),
                &mut w.r,
            )
            .unwrap();
        message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r));
        assert_eq!(w.bob.handshake_records(), records + i + 1);
        let at_alice = w.alice.contact(&bob).unwrap();
        assert_eq!(at_alice.sessions().len(), (i + 2).min(5));
        let at_bob = w.bob.contact(&handle(&w.alice)).unwrap();
        assert_eq!(at_bob.sessions().len(), (i + 2).min(5));
    }
}

/// SPEC.md sections 12.1 and 16: a contact keeps its current pairwise
/// mailbox and `MAX_RETIRED_MAILBOXES` = 2 retired ones, newest first; an
/// offer beyond deletes the oldest, which then no longer routes
/// (`UnknownMailbox`) while the retired ones still do.
#[test]
fn pairwise_mailboxes_keep_two_retired() {
    let mut w = world();
    let bob = handle(&w.bob);
    let mut offered = w.alice.contact(&bob).unwrap().mailboxes().to_vec();
    assert_eq!(offered.len(), 1);
    for i in 0..3 {
        let out = w
            .alice
            .offer_mailbox(&bob, w.bob.mailbox(), &mut w.r)
            .unwrap();
        message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r));
        let held = w.alice.contact(&bob).unwrap().mailboxes().to_vec();
        offered.insert(0, held[0]);
        assert_eq!(held.len(), (i + 2).min(3));
        assert_eq!(held, offered[..held.len()]);
    }
    let junk = [1u8; 120];
    let gone = offered[3];
    assert!(matches!(
        w.alice.receive(&gone, &junk, &mut w.r),
        Err(ReceiveError::UnknownMailbox { mailbox }) if mailbox == gone
    ));
    for held in &offered[..3] {
        assert!(matches!(
            w.alice.receive(held, &junk, &mut w.r),
            Err(ReceiveError::Envelope { .. } | ReceiveError::Message { .. })
        ));
    }
}

/// SPEC.md section 16 and REQ-HS-006 step P4: at most
/// `MAX_HANDSHAKES_PER_SIGNED_PREKEY` = 4,096 first messages are accepted
/// per signed prekey; the next is `UnknownPrekey` and changes nothing. The
/// records of a retired prekey do not count against the current one.
#[test]
fn handshakes_per_signed_prekey_are_bounded() {
    let mut w = world();
    let bob = handle(&w.bob);
    let spk_before = w.bob.handshake_records();
    // The world's two handshakes (Alice's and Carol's) are on this prekey.
    // Alice starts a new session to Bob from his current bundle and writes.
    let rekey = |w: &mut World, t: &str| {
        w.alice
            .start(&bob, &verified_bundle(&w.bob, None), &mut w.r)
            .unwrap();
        w.alice
            .send(&bob, &text(t), w.bob.mailbox(), &mut w.r)
            .unwrap()
    };
    for i in spk_before..4096 {
        let out = rekey(&mut w, "again");
        message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r));
        assert_eq!(w.bob.handshake_records(), i + 1);
    }
    let out = rekey(&mut w, "one too many");
    let before = w.bob.export();
    assert_eq!(
        w.bob
            .receive(&out.mailbox, &out.envelope, &mut w.r)
            .unwrap_err()
            .kind(),
        Error::UnknownPrekey
    );
    assert_eq!(*w.bob.export(), *before);
    // A new signed prekey: its handshakes are accepted again.
    w.bob.rotate_signed_prekey(&mut w.r);
    let out = rekey(&mut w, "fresh prekey");
    assert_eq!(
        message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r)),
        text("fresh prekey")
    );
    assert_eq!(w.bob.handshake_records(), 4097);
}

/// Alice writes Bob three messages; the first two are lost, the third
/// arrives: Bob's session then holds two skipped keys in one chain.
fn lose_two_then_deliver(w: &mut World) {
    let bob = handle(&w.bob);
    for t in ["lost 1", "lost 2", "kept"] {
        let out = w
            .alice
            .send(&bob, &text(t), w.bob.mailbox(), &mut w.r)
            .unwrap();
        if t == "kept" {
            message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r));
        }
    }
}

/// `Account::export` writes into one allocation of exactly the export's
/// size: a buffer that grew while being written would have been copied,
/// and the old one freed without being wiped, leaving secrets on the heap
/// (`sim/tests/zeroize.rs` checks the freed heap itself).
#[test]
fn export_is_one_allocation_of_its_exact_size() {
    let mut w = world();
    let fresh = user("dave", 9);
    // Skipped keys too: Bob holds two once two messages of Alice's are
    // lost.
    lose_two_then_deliver(&mut w);
    for a in [&w.alice, &w.bob, &w.carol, &fresh] {
        let e = a.export();
        assert_eq!(e.capacity(), e.len(), "{}", handle(a));
        // Each session's own export (the account's is built from them).
        for c in a.contacts() {
            for s in c.sessions() {
                let e = s.export();
                assert_eq!(e.capacity(), e.len(), "{}'s session", handle(a));
            }
        }
    }
}

/// `Account::import` checks the handshake records (SPEC.md sections 15.3
/// and 16): at most 2 x 4,096 of them, each on a signed prekey the store
/// holds, none twice, at most 4,096 on one prekey. The records are the
/// export's tail: `u32(n) || n x (u32(spk_id) || EK)`.
#[test]
fn import_checks_handshake_records() {
    let w = world();
    let good = w.bob.export();
    let n = w.bob.handshake_records();
    assert_eq!(n, 2);
    let at = good.len() - 36 * n - 4;
    assert_eq!(good[at..at + 4], (n as u32).to_be_bytes());
    let with_count = |count: u32| {
        let mut bad = good.to_vec();
        bad[at..at + 4].copy_from_slice(&count.to_be_bytes());
        Account::import(&bad).unwrap_err()
    };
    let too_many = ImportError::TooMany {
        what: "handshake records",
        max: 8192,
    };
    assert_eq!(with_count(8193), too_many);
    assert_eq!(with_count(u32::MAX), too_many);
    // 8,192 is allowed; the third record is missing.
    assert_eq!(with_count(8192), ImportError::Length { offset: good.len() });
    let record = |i: usize| at + 4 + 36 * i;
    let invalid = |i: usize| ImportError::Invalid {
        field: "handshake record",
        offset: record(i),
    };
    // A signed prekey the store does not hold.
    let mut bad = good.to_vec();
    bad[record(1)..record(1) + 4].copy_from_slice(&77u32.to_be_bytes());
    assert_eq!(Account::import(&bad).unwrap_err(), invalid(1));
    // The same record twice.
    let mut bad = good.to_vec();
    bad.copy_within(record(0)..record(1), record(1));
    assert_eq!(Account::import(&bad).unwrap_err(), invalid(1));
    // 4,097 distinct records on Bob's signed prekey: the last is refused.
    let spk = &good[record(0)..record(0) + 4];
    let mut many = good[..at].to_vec();
    many.extend_from_slice(&4097u32.to_be_bytes());
    for i in 0..4097u32 {
        many.extend_from_slice(spk);
        let mut ek = [0u8; 32];
        ek[..4].copy_from_slice(&i.to_be_bytes());
        many.extend_from_slice(&ek);
    }
    assert_eq!(Account::import(&many).unwrap_err(), invalid(4096));
    // 4,096 are accepted, and export to the same bytes.
    let mut full = good[..at].to_vec();
    full.extend_from_slice(&4096u32.to_be_bytes());
    full.extend_from_slice(&many[record(0)..record(4096)]);
    let imported = Account::import(&full).unwrap();
    assert_eq!(imported.handshake_records(), 4096);
    assert_eq!(*imported.export(), full);
}

/// Where the first contact's serial starts in an export (then its mailbox
/// count, mailboxes, session count).
fn first_contact_serial_at(export: &[u8]) -> usize {
    let store_len = u32::from_be_bytes(export[81..85].try_into().unwrap()) as usize;
    85 + store_len + 16 + 4 + 147
}

/// `Account::import` checks each contact (SPEC.md sections 12.1, 15.1 and
/// 16): at most 3 pairwise mailboxes and 5 sessions, a non-zero serial once
/// a mailbox was offered, and no mailbox id held twice (the published one,
/// another of the same contact's, or another contact's). The largest
/// allowed counts import and export to the same bytes.
#[test]
fn import_checks_each_contact() {
    let mut w = world();
    let bob = handle(&w.bob);
    // Alice: Bob is her first contact, with one mailbox and one session.
    let good = w.alice.export().to_vec();
    let serial_at = first_contact_serial_at(&good);
    let count_at = serial_at + 4;
    assert_eq!(good[count_at], 1);
    let mailbox_at = count_at + 1;
    let import = |bytes: &[u8]| Account::import(bytes);
    let invalid = |field: &'static str, offset: usize| ImportError::Invalid { field, offset };
    // Serial 0 with a mailbox offered.
    let mut bad = good.clone();
    bad[serial_at..serial_at + 4].copy_from_slice(&[0; 4]);
    assert_eq!(
        import(&bad).unwrap_err(),
        invalid("mailbox serial", count_at)
    );
    // Four mailboxes.
    let mut bad = good.clone();
    bad[count_at] = 4;
    assert_eq!(
        import(&bad).unwrap_err(),
        ImportError::TooMany {
            what: "pairwise mailboxes per contact",
            max: 3
        }
    );
    // The mailbox is the published one.
    let mut bad = good.clone();
    let published = *w.alice.mailbox();
    bad[mailbox_at..mailbox_at + 16].copy_from_slice(&published);
    assert_eq!(
        import(&bad).unwrap_err(),
        invalid("pairwise mailbox (held twice)", mailbox_at)
    );
    // Three offers later: three mailboxes (the bound), importable.
    for _ in 0..3 {
        let out = w
            .alice
            .offer_mailbox(&bob, w.bob.mailbox(), &mut w.r)
            .unwrap();
        message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r));
    }
    let three = w.alice.export().to_vec();
    assert_eq!(three[count_at], 3);
    assert_eq!(*import(&three).unwrap().export(), three);
    // The same mailbox twice within the contact.
    let mut bad = three.clone();
    bad.copy_within(mailbox_at..mailbox_at + 16, mailbox_at + 16);
    assert_eq!(
        import(&bad).unwrap_err(),
        invalid("pairwise mailbox (held twice)", mailbox_at + 16)
    );
    // Five sessions (the bound): importable.
    for _ in 0..4 {
        w.alice
            .start(&bob, &verified_bundle(&w.bob, None), &mut w.r)
            .unwrap();
    }
    let five = w.alice.export().to_vec();
    assert_eq!(five[first_contact_session_count_at(&five)], 5);
    assert_eq!(*import(&five).unwrap().export(), five);
}

/// A pairwise mailbox id held by two contacts is refused on import.
#[test]
fn import_refuses_a_mailbox_held_by_two_contacts() {
    let mut w = world();
    // Bob's contacts: Alice (one mailbox Bob offered her), then Carol.
    let carol = handle(&w.carol);
    let out = w
        .bob
        .offer_mailbox(&carol, w.carol.mailbox(), &mut w.r)
        .unwrap();
    message(w.carol.receive(&out.mailbox, &out.envelope, &mut w.r));
    let good = w.bob.export().to_vec();
    let alice_mailbox = w.bob.contact(&handle(&w.alice)).unwrap().mailboxes()[0];
    let carol_mailbox = w.bob.contact(&carol).unwrap().mailboxes()[0];
    let at = good.windows(16).position(|x| x == carol_mailbox).unwrap();
    let mut bad = good.clone();
    bad[at..at + 16].copy_from_slice(&alice_mailbox);
    assert_eq!(
        Account::import(&bad).unwrap_err(),
        ImportError::Invalid {
            field: "pairwise mailbox (held twice)",
            offset: at
        }
    );
    assert_eq!(*Account::import(&good).unwrap().export(), good);
}

/// What a session reports (SPEC.md sections 8, 9 and 12.1): both sides'
/// sessions share `AD`; a session holds the pairwise mailbox its peer
/// offered in it; a receiver counts the skipped keys of lost messages.
#[test]
fn sessions_report_ad_peer_mailbox_and_skipped_keys() {
    let mut w = world();
    let (alice, bob) = (handle(&w.alice), handle(&w.bob));
    let at_alice = w.alice.contact(&bob).unwrap().current().unwrap();
    let at_bob = w.bob.contact(&alice).unwrap().current().unwrap();
    assert_eq!(at_alice.associated_data(), at_bob.associated_data());
    assert_ne!(at_alice.associated_data(), &[0; 32]);
    assert_ne!(at_alice.associated_data(), &[1; 32]);
    // Each side holds the mailbox the other offered it.
    assert_eq!(
        at_alice.peer_mailbox(),
        Some(&w.bob.contact(&alice).unwrap().mailboxes()[0])
    );
    assert_eq!(
        at_bob.peer_mailbox(),
        Some(&w.alice.contact(&bob).unwrap().mailboxes()[0])
    );
    assert_eq!(at_bob.skipped_keys(), 0);
    lose_two_then_deliver(&mut w);
    let at_bob = w.bob.contact(&alice).unwrap().current().unwrap();
    assert_eq!(at_bob.skipped_keys(), 2);
}

/// SPEC.md section 12.1, REQ-MAILBOX-001: only a mailbox update with a
/// serial greater than the session's takes effect. A sender restored from
/// an older export offers again under a serial its peer already took (in a
/// message the peer has not seen: its ratchet moved on past the restored
/// state); the peer ignores it and keeps the mailbox it had.
#[test]
fn a_mailbox_update_with_a_used_serial_is_ignored() {
    let mut w = world();
    let (alice, bob) = (handle(&w.alice), handle(&w.bob));
    let snapshot = w.alice.export();
    let out = w
        .alice
        .offer_mailbox(&bob, w.bob.mailbox(), &mut w.r)
        .unwrap();
    message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r));
    let taken = w.alice.contact(&bob).unwrap().mailboxes()[0];
    let reply = w
        .bob
        .send(&alice, &text("to the new one"), w.alice.mailbox(), &mut w.r)
        .unwrap();
    assert_eq!(reply.mailbox, taken);
    // Alice restored: her first message reuses the offer's message key
    // (`Replay` at Bob); her second offer carries the same serial.
    let mut restored = Account::import(&snapshot).unwrap();
    let again = restored
        .send(&bob, &text("again"), w.bob.mailbox(), &mut w.r)
        .unwrap();
    assert_eq!(
        w.bob
            .receive(&again.mailbox, &again.envelope, &mut w.r)
            .unwrap_err()
            .kind(),
        Error::Replay
    );
    let out = restored
        .offer_mailbox(&bob, w.bob.mailbox(), &mut w.r)
        .unwrap();
    let ignored = restored.contact(&bob).unwrap().mailboxes()[0];
    assert_ne!(ignored, taken);
    message(w.bob.receive(&out.mailbox, &out.envelope, &mut w.r));
    let reply = w
        .bob
        .send(
            &alice,
            &text("still the old one"),
            w.alice.mailbox(),
            &mut w.r,
        )
        .unwrap();
    assert_eq!(reply.mailbox, taken);
}

/// `Session::import` checks the ratchet's skipped keys and key flags
/// (SPEC.md section 16; the format of `Session::export`, whose last part
/// is the ratchet state and whose tail is the skipped chains
/// `u32(#chains) || (HK || u32(#keys) || #keys x (u32(n) || MK))*`): a
/// chain of no key, more than `MAX_SKIPPED_TOTAL` = 2,000 keys in one
/// chain or over all chains, and a sending chain key without its header
/// key are `InvalidState`; 2,000 keys are accepted and export to the same
/// bytes.
#[cfg(feature = "hazmat")]
#[test]
fn session_import_checks_skipped_keys_and_flags() {
    use xchat::session::Session;
    let mut w = world();
    lose_two_then_deliver(&mut w);
    let e = w.bob.contact(&handle(&w.alice)).unwrap().sessions()[0]
        .export()
        .to_vec();
    // Bob's session: one chain of two skipped keys at the end.
    let chains_at = e.len() - (4 + 32 + 4 + 2 * 36);
    assert_eq!(e[chains_at..chains_at + 4], 1u32.to_be_bytes());
    assert_eq!(e[chains_at + 36..chains_at + 40], 2u32.to_be_bytes());
    let hk = e[chains_at + 4..chains_at + 36].to_vec();
    let with_chains = |chains: &[(u8, u32)]| {
        let mut out = e[..chains_at].to_vec();
        out.extend_from_slice(&(chains.len() as u32).to_be_bytes());
        for (i, &(tag, count)) in chains.iter().enumerate() {
            let mut key = hk.clone();
            key[0] ^= tag;
            out.extend_from_slice(&key);
            out.extend_from_slice(&count.to_be_bytes());
            for n in 0..count {
                out.extend_from_slice(&(n + 10_000 * i as u32).to_be_bytes());
                out.extend_from_slice(&[0x42; 32]);
            }
        }
        out
    };
    let invalid = |bytes: &[u8]| matches!(Session::import(bytes), Err(Error::InvalidState));
    assert_eq!(*Session::import(&e).unwrap().export(), e);
    assert!(invalid(&with_chains(&[(0, 0)])));
    assert!(invalid(&with_chains(&[(0, 2001)])));
    assert!(invalid(&with_chains(&[(0, 1000), (1, 1001)])));
    for limit in [
        with_chains(&[(0, 2000)]),
        with_chains(&[(0, 1000), (1, 1000)]),
    ] {
        assert_eq!(*Session::import(&limit).unwrap().export(), limit);
    }
    // The ratchet's flags: bit 1 CKs, 3 HKs (keys in the order DHr, CKs,
    // CKr, HKs, HKr after DHs). CKs without HKs, the rest aligned.
    let ratchet_at = chains_at - (1 + 32 + 5 * 32 + 3 * 32 + 3 * 4);
    assert_eq!(e[ratchet_at], 0x1f);
    let hks_at = ratchet_at + 1 + 32 + 3 * 32;
    let mut no_hks = e[..hks_at].to_vec();
    no_hks.extend_from_slice(&e[hks_at + 32..]);
    no_hks[ratchet_at] = 0x17;
    assert!(invalid(&no_hks));
}

/// A skipped key used out of order leaves `MKSKIPPED` in the spec's runs
/// (SPEC.md section 9.1: a run is a maximal sequence of equal header keys;
/// REQ-RATCHET-008 removes the used key). Two cases: the oldest run
/// emptied while a newer one remains (nothing to merge, and no run before
/// it), and a run emptied between two runs of one header key, which then
/// become one run. The second state is not reachable by messages alone
/// (header keys do not recur), but a restored export can hold it, and the
/// session export must stay what `Session::import` accepts.
#[cfg(feature = "hazmat")]
#[test]
fn skipped_key_used_out_of_order_keeps_runs_canonical() {
    use xchat::session::Session;
    let mut w = world();
    let (alice, bob) = (handle(&w.alice), handle(&w.bob));
    let send = |w: &mut World, from_alice: bool, t: &str| {
        let (from, to, to_handle) = if from_alice {
            (&mut w.alice, &w.bob, &bob)
        } else {
            (&mut w.bob, &w.alice, &alice)
        };
        from.send(to_handle, &text(t), to.mailbox(), &mut w.r)
            .unwrap()
    };
    // Bob skips one message of Alice's chain A, then one of chain B.
    let x0 = send(&mut w, true, "x0");
    let x1 = send(&mut w, true, "x1");
    message(w.bob.receive(&x1.mailbox, &x1.envelope, &mut w.r));
    let y = send(&mut w, false, "y");
    message(w.alice.receive(&y.mailbox, &y.envelope, &mut w.r));
    let x2 = send(&mut w, true, "x2");
    let x3 = send(&mut w, true, "x3");
    message(w.bob.receive(&x3.mailbox, &x3.envelope, &mut w.r));
    let session = |a: &Account| a.contact(&alice).unwrap().sessions()[0].export().to_vec();
    let e = session(&w.bob);
    // Two runs of one key each: u32 count, then (hk, u32 1, u32 n, mk).
    const RUN: usize = 32 + 4 + 4 + 32;
    let chains_at = e.len() - (4 + 2 * RUN);
    assert_eq!(e[chains_at..chains_at + 4], 2u32.to_be_bytes());
    let (run_a, run_b) = (
        &e[chains_at + 4..chains_at + 4 + RUN],
        &e[chains_at + 4 + RUN..],
    );
    let before = w.bob.export();

    // The oldest run emptied: run B alone remains.
    assert_eq!(
        message(w.bob.receive(&x0.mailbox, &x0.envelope, &mut w.r)),
        text("x0")
    );
    let after = session(&w.bob);
    assert_eq!(
        after[after.len() - 4 - RUN..after.len() - RUN],
        1u32.to_be_bytes()
    );
    assert_eq!(after[after.len() - RUN..], *run_b);
    assert_eq!(*Session::import(&after).unwrap().export(), after);

    // Runs X, A, X, B with X a header key of no message: using A's key
    // merges the two X runs into one (keys 5 and 7).
    let mut fake_hk = run_a[..32].to_vec();
    fake_hk[0] ^= 0x55;
    let fake_run = |ns: &[u32]| {
        let mut r = fake_hk.clone();
        r.extend_from_slice(&(ns.len() as u32).to_be_bytes());
        for n in ns {
            r.extend_from_slice(&n.to_be_bytes());
            r.extend_from_slice(&[0x42; 32]);
        }
        r
    };
    let with_runs = |runs: &[&[u8]]| {
        let mut out = e[..chains_at].to_vec();
        out.extend_from_slice(&(runs.len() as u32).to_be_bytes());
        for r in runs {
            out.extend_from_slice(r);
        }
        out
    };
    // Bob's account with `runs` in place of his session's receives x0
    // (its key is in run A) and x2 (run B): the session's runs after x0
    // must be `after_x0`.
    let restore_and_receive = |w: &mut World, runs: &[&[u8]], after_x0: &[&[u8]]| {
        let crafted = with_runs(runs);
        let expected = with_runs(after_x0);
        assert_eq!(*Session::import(&crafted).unwrap().export(), crafted);
        // Bob's account export with the crafted session in place of his own.
        let at = before
            .windows(e.len())
            .position(|s| s == e.as_slice())
            .unwrap();
        assert_eq!(before[at - 4..at], (e.len() as u32).to_be_bytes());
        let mut restored = before[..at - 4].to_vec();
        restored.extend_from_slice(&(crafted.len() as u32).to_be_bytes());
        restored.extend_from_slice(&crafted);
        restored.extend_from_slice(&before[at + e.len()..]);
        let mut bob_restored = Account::import(&restored).unwrap();
        assert_eq!(session(&bob_restored), crafted);
        assert_eq!(
            message(bob_restored.receive(&x0.mailbox, &x0.envelope, &mut w.r)),
            text("x0")
        );
        let got = session(&bob_restored);
        assert_eq!(
            got[got.len() - expected.len() + chains_at..],
            expected[chains_at..]
        );
        assert_eq!(*Session::import(&got).unwrap().export(), got);
        // x2 still opens under the key left in run B.
        assert_eq!(
            message(bob_restored.receive(&x2.mailbox, &x2.envelope, &mut w.r)),
            text("x2")
        );
    };
    restore_and_receive(
        &mut w,
        &[&fake_run(&[5]), run_a, &fake_run(&[7]), run_b],
        &[&fake_run(&[5, 7]), run_b],
    );
    // Neighbours under different header keys stay apart.
    restore_and_receive(
        &mut w,
        &[&fake_run(&[5]), run_a, run_b],
        &[&fake_run(&[5]), run_b],
    );
}

/// The store's public accessors: the current signed prekey's id, and the
/// retired ones held, newest first, at most `MAX_RETIRED_SIGNED_PREKEYS`
/// (SPEC.md section 16, REQ-PREKEY-001).
#[test]
fn prekey_store_reports_its_signed_prekey_ids() {
    let mut store = PrekeyStore::new(5, &[0x5A; 32]);
    assert_eq!((store.spk_id(), store.retired_spk_ids()), (5, vec![]));
    store.rotate_signed_prekey(&[0x5B; 32]);
    assert_eq!((store.spk_id(), store.retired_spk_ids()), (6, vec![5]));
    store.rotate_signed_prekey(&[0x5C; 32]);
    assert_eq!(bundle::MAX_RETIRED_SIGNED_PREKEYS, 1);
    assert_eq!((store.spk_id(), store.retired_spk_ids()), (7, vec![6]));
    assert!(store.holds_spk(6) && !store.holds_spk(5));
    // Its serialization is one allocation of its exact size (a buffer that
    // grew would leave unwiped copies of the secrets), with every kind of
    // prekey present, and reads back to the same bytes.
    store.add_one_time_prekey(9, &[0x6B; 32]);
    store.add_one_time_prekey(10, &[0x6C; 32]);
    let mut r = rng(8);
    for (id, kind) in [(20, PqKind::LastResort), (21, PqKind::OneTime)] {
        store.add_pq_prekey(bundle::generate_pq_prekey(id, kind, &mut r));
    }
    let bytes = store.to_bytes();
    assert_eq!(bytes.capacity(), bytes.len());
    assert_eq!(*PrekeyStore::from_bytes(&bytes).unwrap().to_bytes(), *bytes);
}
