//! Sessions and accounts: the whole send / receive pipeline (SPEC.md
//! section 15) through the public functions of `account` and `session`:
//! content, padding, the handshake or the ratchet, and the sealed-sender
//! envelope. Checks the prekey phase (REQ-HS-005), the composition of the
//! layers (REQ-SESSION-001), routing by the sender's identity (REQ-ENV-004),
//! and that every failed receive is rejected with its documented error
//! (REQ-SESSION-002; that it leaves the account as it was holds by
//! construction, since receiving borrows the account, and is checked on
//! whole scripts in `tests/scenario.rs`). The attacks of the revision-2 review (identity
//! takeover, replayed first messages, another identity's handshake,
//! simultaneous initiation) are in `tests/account.rs`.

mod common;

use common::fixtures::{bob_store, identity_of, rand32};
use common::Tally;
use xchat_spec::account::{self, Account, Receipt, Received};
use xchat_spec::bundle::{make_bundle, Bundle};
use xchat_spec::content::{self, AttachmentPointer, Content, MediaKind};
use xchat_spec::envelope::{self, envelope_len};
use xchat_spec::handle::{parse_handle, Handle};
use xchat_spec::handshake::{self, decode_prekey_message};
use xchat_spec::identity::{self, IdentityPublic, IdentitySecret};
use xchat_spec::ratchet::{MSG_PREKEY, MSG_RATCHET};
use xchat_spec::session::{self, message_type, Session};
use xchat_spec::{attachment, padding, Error};

fn public(id: &IdentitySecret) -> IdentityPublic {
    identity::public_of(id)
}

fn mailbox_of(name: &str) -> [u8; 16] {
    rand32(&format!("{name} mailbox"))[..16].try_into().unwrap()
}

fn text(s: &str) -> Content {
    Content::Text(s.as_bytes().to_vec())
}

/// One party: its account, mailbox, and a counter for its "fresh"
/// randomness.
#[derive(Clone)]
struct Party {
    name: &'static str,
    account: Account,
    mailbox: [u8; 16],
    n: u64,
}

impl Party {
    fn me(&self) -> &IdentitySecret {
        &self.account.identity
    }

    fn handle(&self) -> Handle {
        self.account.identity.handle
    }

    fn fresh(&mut self, what: &str) -> [u8; 32] {
        self.n += 1;
        rand32(&format!("{} {what} {}", self.name, self.n))
    }

    /// The current session with `peer`, if any.
    fn session(&self, peer: &Party) -> Option<&Session> {
        let c = account::find_contact(&self.account, &peer.handle())?;
        self.account.contacts[c].sessions.first()
    }

    /// Forgets every session with `peer` (the contact and the handshake
    /// records stay).
    fn forget_sessions(&mut self, peer: &Party) {
        let c = account::find_contact(&self.account, &peer.handle()).unwrap();
        self.account.contacts[c].sessions.clear();
    }

    /// Sends `content` to `to`'s mailbox; returns the envelope.
    fn send(&mut self, to: &Party, content: &Content) -> Vec<u8> {
        let nonce: [u8; 24] = self.fresh("nonce")[..24].try_into().unwrap();
        let e = self.fresh("ephemeral");
        let (next, _, sealed) = account::send(
            &self.account,
            &to.handle(),
            content,
            &to.mailbox,
            &nonce,
            &e,
        )
        .unwrap();
        self.account = next;
        sealed
    }

    /// Replaces the current session with `peer`.
    fn set_session(&mut self, peer: &Party, s: Session) {
        let c = account::find_contact(&self.account, &peer.handle()).unwrap();
        self.account.contacts[c].sessions[0] = s;
    }

    /// Sends `content` in the session with `peer`, but to `mailbox`.
    fn send_via(&mut self, peer: &Party, mailbox: &[u8; 16], content: &Content) -> Vec<u8> {
        let nonce: [u8; 24] = self.fresh("nonce")[..24].try_into().unwrap();
        let e = self.fresh("ephemeral");
        let (next, _, sealed) =
            account::send(&self.account, &peer.handle(), content, mailbox, &nonce, &e).unwrap();
        self.account = next;
        sealed
    }

    /// The raw receive, without updating the party.
    fn try_receive(&self, sealed: &[u8]) -> Result<(Account, Receipt), Error> {
        account::receive(
            &self.account,
            &self.mailbox,
            sealed,
            &rand32(&format!("{} receive {}", self.name, self.n)),
        )
    }

    /// Receives `sealed`, which must be accepted; returns what it yielded.
    fn accept(&mut self, sealed: &[u8]) -> Received {
        let (next, receipt) = self.try_receive(sealed).expect("receive");
        self.n += 1;
        self.account = next;
        match receipt {
            Receipt::Message(r) => r,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// Receives `sealed`, which must be accepted; returns sender and content.
    fn receive(&mut self, sealed: &[u8]) -> (IdentityPublic, Content) {
        let r = self.accept(sealed);
        (r.sender, r.content)
    }

    /// Receiving `sealed` fails with `want` (REQ-SESSION-002). `&self`: a
    /// failed receive returns no account, so there is nothing to compare.
    fn reject(&self, sealed: &[u8], want: Error) {
        assert_eq!(self.try_receive(sealed).map(|r| r.1), Err(want));
    }
}

/// A party named `name` with the store of `bob_store()` shape.
fn party(name: &'static str) -> Party {
    Party {
        name,
        account: account::new(
            &identity_of(name),
            &common::fixtures::store_of(name),
            &mailbox_of(name),
        ),
        mailbox: mailbox_of(name),
        n: 0,
    }
}

/// Alice (with a session started from Bob's bundle), Bob (no session yet)
/// and Carol (a valid third identity), for a bundle with `opk` and PQ
/// prekey `pq`.
fn parties_with(opk: Option<u32>, pq: u32, tag: &str) -> (Party, Party, Party, Bundle) {
    let mut bob = party("bob");
    bob.account.store = bob_store();
    let bundle = make_bundle(bob.me(), &bob_store(), opk, pq).unwrap();
    let mut alice = party("alice");
    alice.account = account::start(
        &alice.account,
        &parse_handle(b"bob").unwrap(),
        &bundle,
        &rand32(&format!("{tag} ek")),
        &rand32(&format!("{tag} kem")),
        &rand32(&format!("{tag} ratchet")),
    )
    .unwrap();
    (alice, bob, party("carol"), bundle)
}

fn parties() -> (Party, Party, Party, Bundle) {
    parties_with(Some(101), 200, "handshake")
}

/// The type of the message inside an envelope (opened as its recipient).
fn inner_type(to: &Party, sealed: &[u8]) -> u8 {
    let (_, message) = envelope::open(to.me(), &to.mailbox, sealed).unwrap();
    message_type(&message).unwrap()
}

/// REQ-HS-005, REQ-SESSION-001: messages in both directions. Alice sends
/// prekey messages until she decrypts Bob's first reply, ratchet messages
/// afterwards; Bob starts the session from whichever prekey message arrives
/// first and decrypts the others with his session, even with an empty
/// prekey store; every message arrives with its sender and content.
#[test]
fn both_directions_and_prekey_phase() {
    let (mut alice, mut bob, _, _) = parties();
    let a: Vec<Vec<u8>> = (0..3)
        .map(|i| alice.send(&bob, &text(&format!("a{i}"))))
        .collect();
    for m in &a {
        assert_eq!(inner_type(&bob, m), MSG_PREKEY);
    }
    // The second one arrives first and starts Bob's session.
    assert_eq!(bob.receive(&a[1]), (public(alice.me()), text("a1")));
    assert!(bob.session(&alice).unwrap().pending.is_none());
    assert!(!bob.account.store.opks.iter().any(|(id, _)| *id == 101));
    // The first one, with the session alone: no prekey needed.
    bob.account.store.opks.clear();
    bob.account.store.pqpks.clear();
    assert_eq!(bob.receive(&a[0]), (public(alice.me()), text("a0")));
    // Bob's reply is a ratchet message.
    let b0 = bob.send(&alice, &text("b0"));
    assert_eq!(inner_type(&alice, &b0), MSG_RATCHET);
    // Alice has not read it yet: still a prekey message.
    let a3 = alice.send(&bob, &text("a3"));
    assert_eq!(inner_type(&bob, &a3), MSG_PREKEY);
    assert!(alice.session(&bob).unwrap().pending.is_some());
    assert_eq!(alice.receive(&b0), (public(bob.me()), text("b0")));
    assert!(alice.session(&bob).unwrap().pending.is_none());
    let a4 = alice.send(&bob, &text("a4"));
    assert_eq!(inner_type(&bob, &a4), MSG_RATCHET);
    // Late prekey messages still decrypt with Bob's session.
    assert_eq!(bob.receive(&a4).1, text("a4"));
    assert_eq!(bob.receive(&a[2]).1, text("a2"));
    assert_eq!(bob.receive(&a3).1, text("a3"));
    // A few more rounds, both ways, some in a burst.
    let mut t = Tally::new("conversation messages both ways");
    for round in 0..5 {
        let from_b: Vec<Vec<u8>> = (0..round + 1)
            .map(|i| bob.send(&alice, &text(&format!("b {round} {i}"))))
            .collect();
        for (i, m) in from_b.iter().enumerate().rev() {
            assert_eq!(inner_type(&alice, m), MSG_RATCHET);
            assert_eq!(
                alice.receive(m),
                (public(bob.me()), text(&format!("b {round} {i}")))
            );
            t.check();
        }
        let m = alice.send(&bob, &text(&format!("a {round}")));
        assert_eq!(inner_type(&bob, &m), MSG_RATCHET);
        assert_eq!(
            bob.receive(&m),
            (public(alice.me()), text(&format!("a {round}")))
        );
        t.check();
    }
    t.finish(20);
}

/// REQ-SESSION-001: the layers compose exactly in the order of SPEC.md
/// section 15: peeling them by hand (envelope, prekey message, handshake
/// and ratchet, padding, content) gives what `receive` gives, and the
/// lengths are the sums of the layers' formulas.
#[test]
fn layers_compose_in_order() {
    let (mut alice, bob, _, _) = parties();
    let content = text("layers");
    let sealed = alice.send(&bob, &content);
    let encoded = content::encode(&content);
    assert_eq!(encoded.len(), 1 + 4 + 6);
    let padded = padding::pad(&encoded);
    assert_eq!(padded.len(), 256);
    // prekey header (with OPK) + enc_header + padded + tag, in the envelope.
    let message_len = 1283 + 81 + 256 + 16;
    assert_eq!(sealed.len(), envelope_len(message_len));
    assert_eq!(sealed.len(), 1 + 16 + 32 + 163 + message_len + 16);
    assert_eq!(sealed[1..17], bob.mailbox);

    let (sender, message) = envelope::open(bob.me(), &bob.mailbox, &sealed).unwrap();
    assert_eq!(sender, public(alice.me()));
    assert_eq!(message.len(), message_len);
    let (header, _) = decode_prekey_message(&message).unwrap();
    assert_eq!(header.initiator, sender);
    let secret = rand32("bob receive 0");
    let accepted = handshake::respond(bob.me(), &bob.account.store, &message, &secret).unwrap();
    assert_eq!(accepted.plaintext, padded);
    let by_hand = content::decode(&padding::unpad(&accepted.plaintext).unwrap()).unwrap();
    assert_eq!(by_hand, content);

    let (after, receipt) = bob.try_receive(&sealed).unwrap();
    let r = match receipt {
        Receipt::Message(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.content, content);
    assert_eq!(r.sender, sender);
    assert!(r.new_contact && r.new_session);
    assert_eq!(after.store, accepted.store);
    assert_eq!(after.contacts.len(), 1);
    assert_eq!(after.contacts[0].identity, sender);
    let s = &after.contacts[0].sessions[0];
    assert_eq!(s.ratchet, accepted.state);
    assert_eq!(s.ad, accepted.ad);
    assert_eq!(s.ek, header.ek);
    assert_eq!(s.peer, sender);
    assert_eq!(s.pending, None);
    // Alice's session repeats the same header until Bob answers.
    assert_eq!(alice.session(&bob).unwrap().pending, Some(header));
}

/// REQ-SESSION-002 (REQ-ENV-002 at the session layer): an envelope for
/// another mailbox is `WrongRecipient`; one sealed to another identity key
/// (with Bob's mailbox) is `AuthenticationFailed`; nothing changes, and the
/// genuine envelope still delivers afterwards.
#[test]
fn wrong_mailbox_and_wrong_identity() {
    let (mut alice, mut bob, carol, _) = parties();
    let sealed = alice.send(&bob, &text("for bob"));
    // Alice addresses Carol's mailbox (the relay delivers it to Bob).
    let to_carol_mailbox = alice.send_via(&bob, &carol.mailbox, &text("misaddressed"));
    bob.reject(&to_carol_mailbox, Error::WrongRecipient);
    // Sealed to Carol's identity key but Bob's mailbox.
    let nonce = [3u8; 24];
    let (_, message) =
        session::encrypt(alice.session(&bob).unwrap(), &padding::pad(&[]), &nonce).unwrap();
    let to_carol_key = envelope::seal(
        alice.me(),
        &public(carol.me()).dh_pub,
        &bob.mailbox,
        &message,
        &rand32("e"),
    )
    .unwrap();
    bob.reject(&to_carol_key, Error::AuthenticationFailed);
    assert_eq!(bob.receive(&sealed).1, text("for bob"));
    bob.reject(&to_carol_mailbox, Error::WrongRecipient);
    bob.reject(&to_carol_key, Error::AuthenticationFailed);
}

/// REQ-ENV-004: Carol, a valid identity, wraps Alice's session messages
/// (a prekey message and a ratchet message) in envelopes of her own to
/// Bob: the prekey message fails with `AuthenticationFailed` (the envelope's
/// sender is not its initiator) whether or not he has a session, the
/// ratchet message with `UnknownSession` (Carol has no session), and
/// nothing changes; Alice's own envelopes still deliver.
#[test]
fn third_party_envelopes_rejected() {
    let (mut alice, mut bob, carol, _) = parties();
    let mut t = Tally::new("conversation third-party envelopes");
    let (bob_key, bob_mailbox) = (public(bob.me()).dh_pub, bob.mailbox);
    let wrap = |message: &[u8], tag: &str| {
        envelope::seal(carol.me(), &bob_key, &bob_mailbox, message, &rand32(tag)).unwrap()
    };
    let session = alice.session(&bob).unwrap().clone();
    let (next, prekey_message) = session::encrypt(
        &session,
        &padding::pad(&content::encode(&text("p"))),
        &[1; 24],
    )
    .unwrap();
    alice.set_session(&bob, next);
    assert_eq!(message_type(&prekey_message), Ok(MSG_PREKEY));
    let first = alice.send(&bob, &text("first"));
    let carol_prekey = wrap(&prekey_message, "carol e1");
    // No session yet: the responder side runs, the sender check fails, and
    // no one-time prekey is consumed.
    bob.reject(&carol_prekey, Error::AuthenticationFailed);
    t.check();
    assert_eq!(bob.receive(&first).1, text("first"));
    // With a session: the repeated prekey message under Carol's envelope.
    bob.reject(&carol_prekey, Error::AuthenticationFailed);
    t.check();
    let reply = bob.send(&alice, &text("reply"));
    alice.receive(&reply);
    let ratchet_session = alice.session(&bob).unwrap().clone();
    let (next, ratchet_message) = session::encrypt(
        &ratchet_session,
        &padding::pad(&content::encode(&text("r"))),
        &[2; 24],
    )
    .unwrap();
    alice.set_session(&bob, next);
    assert_eq!(message_type(&ratchet_message), Ok(MSG_RATCHET));
    // Carol is no contact of Bob's: her envelope selects no session, and
    // Alice's sessions are never tried (REQ-ROUTE-002).
    bob.reject(&wrap(&ratchet_message, "carol e2"), Error::UnknownSession);
    t.check();
    // Alice's own envelope around the same ratchet message delivers.
    let genuine = envelope::seal(
        alice.me(),
        &public(bob.me()).dh_pub,
        &bob.mailbox,
        &ratchet_message,
        &rand32("alice e"),
    )
    .unwrap();
    assert_eq!(bob.receive(&genuine).1, text("r"));
    t.finish(3);
}

/// Section 15 step 3: a ratchet message with no session is `UnknownSession`
/// (for Bob, who lost his session, and for Carol, who never had one).
#[test]
fn ratchet_message_without_session() {
    let (mut alice, mut bob, _, _) = parties();
    let first = alice.send(&bob, &text("first"));
    bob.receive(&first);
    let reply = bob.send(&alice, &text("reply"));
    alice.receive(&reply);
    let ratchet = alice.send(&bob, &text("ratchet"));
    assert_eq!(inner_type(&bob, &ratchet), MSG_RATCHET);
    let mut forgetful = bob.clone();
    forgetful.forget_sessions(&alice);
    forgetful.reject(&ratchet, Error::UnknownSession);
    assert_eq!(bob.receive(&ratchet).1, text("ratchet"));
}

/// REQ-HS-004, REQ-HS-005, REQ-HS-006: replays of the first envelope. Bob's
/// session rejects a replay as `Replay` (also for a bundle without one-time
/// prekeys, where the handshake alone would accept it again); once that
/// session is gone, the handshake record still makes it `Replay` (revision
/// 1 accepted it again and replaced the session); an account without the
/// record, with the one-time prekeys consumed, says `UnknownPrekey`.
#[test]
fn replayed_first_envelope() {
    for (opk, pq) in [(Some(101), 200), (None, 201)] {
        let (mut alice, mut bob, _, _) = parties_with(opk, pq, "replay");
        let first = alice.send(&bob, &text("first"));
        bob.receive(&first);
        bob.reject(&first, Error::Replay);
        let mut forgetful = bob.clone();
        forgetful.forget_sessions(&alice);
        forgetful.reject(&first, Error::Replay);
        let mut amnesiac = bob.clone();
        amnesiac.account.handshakes.clear();
        amnesiac.forget_sessions(&alice);
        if opk.is_some() {
            amnesiac.reject(&first, Error::UnknownPrekey);
        } else {
            assert_eq!(amnesiac.receive(&first).1, text("first"));
        }
    }
}

/// REQ-ROUTE-003, REQ-ROUTE-004 (section 15.4, re-key): a prekey message
/// with a new `EK` from the peer starts a new session that becomes current;
/// the old one stays as a previous session, so the old handshake's late
/// prekey message still decrypts there instead of being lost, and Bob's
/// replies go to the new session.
#[test]
fn new_handshake_keeps_old_session_as_previous() {
    let (mut alice, mut bob, _, bundle) = parties();
    let old = alice.send(&bob, &text("old 0"));
    let old_late = alice.send(&bob, &text("old 1"));
    bob.receive(&old);
    let old_ek = bob.session(&alice).unwrap().ek;
    // Alice restarts from a bundle without the consumed OPK.
    let fresh_bundle = make_bundle(bob.me(), &bob_store(), Some(102), 201).unwrap();
    assert_eq!(fresh_bundle.identity, bundle.identity);
    alice.account = account::start(
        &alice.account,
        &parse_handle(b"bob").unwrap(),
        &fresh_bundle,
        &rand32("restart ek"),
        &rand32("restart kem"),
        &rand32("restart ratchet"),
    )
    .unwrap();
    assert_eq!(alice.account.contacts[0].sessions.len(), 2);
    let new = alice.send(&bob, &text("new"));
    let r = bob.accept(&new);
    assert_eq!((r.sender, r.content), (public(alice.me()), text("new")));
    assert!(!r.new_contact && r.new_session);
    let s = bob.session(&alice).unwrap();
    assert_ne!(s.ek, old_ek);
    assert_eq!(s.ek, alice.session(&bob).unwrap().ek);
    assert_eq!(bob.account.contacts[0].sessions[1].ek, old_ek);
    // The old handshake's late prekey message decrypts in the old session.
    assert_eq!(bob.receive(&old_late).1, text("old 1"));
    assert_eq!(
        bob.session(&alice).unwrap().ek,
        alice.session(&bob).unwrap().ek
    );
    let reply = bob.send(&alice, &text("reply"));
    assert_eq!(alice.receive(&reply).1, text("reply"));
}

/// The error a flip of envelope byte `i` must give (SPEC.md section 12,
/// opening steps 1-7): version, mailbox, then every other byte is bound by
/// the AEADs (a flipped `E` could in principle be of small order).
fn envelope_flip_errors(i: usize) -> &'static [Error] {
    match i {
        0 => &[Error::UnsupportedVersion],
        1..=16 => &[Error::WrongRecipient],
        17..=48 => &[Error::AuthenticationFailed, Error::NonContributory],
        _ => &[Error::AuthenticationFailed],
    }
}

fn flip_all(t: &mut Tally, to: &Party, sealed: &[u8]) {
    for i in 0..sealed.len() {
        let mut m = sealed.to_vec();
        m[i] ^= 0x01;
        match to.try_receive(&m) {
            Ok(_) => panic!("flip at {i} accepted"),
            Err(e) => assert!(envelope_flip_errors(i).contains(&e), "flip at {i}: {e:?}"),
        }
        t.check();
    }
}

/// REQ-SESSION-002: every single-byte flip of a prekey-message envelope (at
/// Bob without a session, so the handshake would run) and of a ratchet-
/// message envelope (at Bob with a session, and at Alice) is rejected with
/// the error of its field, and the unmodified envelopes still deliver.
/// (Nothing is compared for "unchanged": `try_receive` borrows the account
/// and returns the next one only on success; the runner-level property is
/// `tests/scenario.rs`'s run with and without the failing events.)
#[test]
fn every_envelope_byte_flip_rejected() {
    let (mut alice, mut bob, _, _) = parties();
    let mut t = Tally::new("conversation envelope byte flips");
    let first = alice.send(&bob, &text("first"));
    flip_all(&mut t, &bob, &first);
    assert_eq!(bob.receive(&first).1, text("first"));
    let reply = bob.send(&alice, &text("reply"));
    flip_all(&mut t, &alice, &reply);
    assert_eq!(alice.receive(&reply).1, text("reply"));
    let ratchet = alice.send(&bob, &text("ratchet"));
    assert_eq!(inner_type(&bob, &ratchet), MSG_RATCHET);
    flip_all(&mut t, &bob, &ratchet);
    assert_eq!(bob.receive(&ratchet).1, text("ratchet"));
    t.finish(first.len() + 2 * reply.len());
}

/// REQ-SESSION-002: truncated and extended envelopes are rejected with the
/// documented error.
#[test]
fn envelope_truncations_and_extensions_rejected() {
    let (mut alice, bob, _, _) = parties();
    let mut t = Tally::new("conversation envelope truncations/extensions");
    let first = alice.send(&bob, &text("first"));
    for len in 0..first.len() {
        let want = if len == 0 || len < 1 + 16 + 32 + 163 + 16 {
            Error::Malformed
        } else {
            Error::AuthenticationFailed
        };
        bob.reject(&first[..len], want);
        t.check();
    }
    for extra in 1..=16usize {
        bob.reject(
            &[first.clone(), vec![0; extra]].concat(),
            Error::AuthenticationFailed,
        );
        t.check();
    }
    t.finish(first.len() + 16);
}

/// SPEC.md sections 11, 13, 15: an attachment end to end. Alice seals a
/// photo with `attachment::seal`, sends the pointer as content, Bob
/// receives the pointer and opens the ciphertext (which travels apart from
/// the message) to the photo; a pointer with another key does not open it.
#[test]
fn attachment_end_to_end() {
    let (mut alice, mut bob, _, _) = parties();
    let photo: Vec<u8> = (0..150_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let key = rand32("photo key");
    let (pointer, ciphertext) = attachment::seal(MediaKind::Photo, &key, &photo);
    assert_eq!(pointer.length, 150_000);
    assert_eq!(pointer.key, key);
    assert_eq!(
        ciphertext[..attachment::COMMITMENT_LEN],
        attachment::attachment_keys(&key).1
    );
    assert_eq!(
        ciphertext.len() as u64,
        attachment::ciphertext_len(photo.len() as u64)
    );
    let sealed = alice.send(&bob, &Content::Attachment(pointer.clone()));
    let (sender, received) = bob.receive(&sealed);
    assert_eq!(sender, public(alice.me()));
    let got: AttachmentPointer = match received {
        Content::Attachment(p) => p,
        other => panic!("expected an attachment pointer, got {other:?}"),
    };
    assert_eq!(got, pointer);
    assert_eq!(got.kind, MediaKind::Photo);
    assert_eq!(attachment::open(&got, &ciphertext), Ok(photo));
    let mut wrong = got.clone();
    wrong.key[0] ^= 1;
    assert_eq!(
        attachment::open(&wrong, &ciphertext),
        Err(Error::AuthenticationFailed)
    );
}

/// REQ-ENV-004, section 15 step 4: for a prekey message naming no session,
/// the envelope's sender is checked against the initiator before the
/// handshake runs, so Carol's envelope around Alice's first prekey message
/// is `AuthenticationFailed` whatever Bob's store holds (here: its one-time
/// prekeys already consumed, which the handshake would report as
/// `UnknownPrekey`).
#[test]
fn sender_checked_before_handshake() {
    let (mut alice, mut bob, carol, _) = parties();
    let session = alice.session(&bob).unwrap().clone();
    let (next, first_message) = session::encrypt(
        &session,
        &padding::pad(&content::encode(&text("f"))),
        &[4; 24],
    )
    .unwrap();
    alice.set_session(&bob, next);
    let bob_key = public(bob.me()).dh_pub;
    let seal_from = |who: &IdentitySecret, tag: &str| {
        envelope::seal(who, &bob_key, &bob.mailbox, &first_message, &rand32(tag)).unwrap()
    };
    let genuine = seal_from(alice.me(), "alice e");
    let forged = seal_from(carol.me(), "carol e");
    bob.reject(&forged, Error::AuthenticationFailed);
    assert_eq!(bob.receive(&genuine).1, text("f"));
    let mut forgetful = bob.clone();
    forgetful.forget_sessions(&alice);
    forgetful.account.handshakes.clear();
    forgetful.reject(&genuine, Error::UnknownPrekey);
    forgetful.reject(&forged, Error::AuthenticationFailed);
}

/// Section 15 step 3: a prekey message names a session only if both its
/// `EK` and its initiator are the session's. Alice, misbehaving, sends a
/// prekey message with her session's `EK` but Carol's identity as the
/// initiator: it names no session, and the envelope's sender (Alice) is
/// not its initiator: `AuthenticationFailed`, nothing changes.
#[test]
fn prekey_message_names_session_by_ek_and_initiator() {
    let (mut alice, mut bob, carol, _) = parties();
    let first = alice.send(&bob, &text("first"));
    bob.receive(&first);
    let session = alice.session(&bob).unwrap().clone();
    let (_, message) = session::encrypt(
        &session,
        &padding::pad(&content::encode(&text("x"))),
        &[5; 24],
    )
    .unwrap();
    let (mut header, body) = decode_prekey_message(&message).unwrap();
    assert_eq!(header.ek, bob.session(&alice).unwrap().ek);
    header.initiator = public(carol.me());
    let crafted = handshake::encode_prekey_message(&header, &body);
    let sealed = envelope::seal(
        alice.me(),
        &public(bob.me()).dh_pub,
        &bob.mailbox,
        &crafted,
        &rand32("crafted e"),
    )
    .unwrap();
    bob.reject(&sealed, Error::AuthenticationFailed);
    // Unchanged header: it names the session and decrypts with it.
    let sealed = envelope::seal(
        alice.me(),
        &public(bob.me()).dh_pub,
        &bob.mailbox,
        &message,
        &rand32("plain e"),
    )
    .unwrap();
    assert_eq!(bob.receive(&sealed).1, text("x"));
}
