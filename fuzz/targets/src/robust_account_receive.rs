//! `robust_account_receive`: arbitrary envelopes into
//! `xchat::account::Account::receive` of an account with a live session
//! (impl only).
//!
//! The fixture ([`Fixture`], built once, all randomness fixed): Alice and
//! Bob, a session that went both ways (Alice's prekey message, Bob's
//! reply, so Alice left the prekey phase), Bob's pairwise mailbox offered
//! and taken (SPEC.md section 12.1), then two more messages from Alice not
//! yet delivered to Bob, in light envelopes to that mailbox. Each input
//! delivers up to 4 envelopes to Bob, each one of:
//!
//! * `0`: raw bytes (`var`);
//! * `1`: a recorded envelope (`u8` index) mutated (`mode, pos, mask`);
//! * `2`: a payload (`var`) sealed to Bob's mailbox by one of Alice, Carol
//!   (a stranger) or Mallory (claims Alice's handle with other keys)
//!   (`u8` sender, `r: 32`);
//! * `3`: the same with the payload after a ratchet-message prefix
//!   `0x01 0x02`, or (odd sender byte) a light-envelope prefix `0x01 0x03`
//!   and Bob's pairwise mailbox;
//!
//! then the mailbox it arrives at (`u8`: Bob's published mailbox, his
//! pairwise mailbox for Alice, or 16 bytes from the input) and the receive
//! randomness (`32`). Input: `count: u8`, then per delivery `kind: u8`, its
//! fields, the mailbox choice and the randomness.
//!
//! Invariants: no panic; after every error and every `IdentityChanged`
//! Bob's whole state ([`state`]: identity, prekey store, published
//! mailbox, contacts with their mailboxes and sessions' exports, handshake
//! records) is byte-identical to what it
//! was before the call.

use std::sync::OnceLock;

use xchat::account::{Account, Outgoing, Receipt};
use xchat::bundle::{self, PqKind, PqPrekeySecret, PrekeyStore};
use xchat::content::Content;
use xchat::envelope;
use xchat::handle::{self, Handle};
use xchat::identity::{self, IdentitySecret};

use crate::check::mutate;
use crate::input::Input;
use crate::io::Replay;

/// The fixed parties and envelopes.
pub struct Fixture {
    /// Bob, with a live session with Alice.
    pub bob: Account,
    /// Alice, after Bob's reply (out of the prekey phase), having sent the
    /// two recorded ratchet messages.
    pub alice: Account,
    /// Bob's published mailbox.
    pub bob_mailbox: [u8; 16],
    /// Bob's pairwise mailbox for Alice.
    pub bob_pairwise: [u8; 16],
    /// Senders for kinds 2 and 3: Alice, Carol, Mallory.
    pub senders: Vec<IdentitySecret>,
    /// Recorded envelopes to Bob: Alice's first (already received: a
    /// repeat), then two light envelopes not delivered yet.
    pub envelopes: Vec<Vec<u8>>,
}

fn handle_of(text: &[u8]) -> Handle {
    handle::parse_handle(text).unwrap_or_else(|_| unreachable!("valid handle"))
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(build)
}

/// Builds the fixture. Panics if the impl cannot run its own protocol.
pub fn build() -> Fixture {
    let alice_id = IdentitySecret::from_randomness(handle_of(b"alice"), &[0x11; 64]);
    let bob_id = IdentitySecret::from_randomness(handle_of(b"bob"), &[0x22; 64]);
    let carol = IdentitySecret::from_randomness(handle_of(b"carol"), &[0x33; 64]);
    let mallory = IdentitySecret::from_randomness(handle_of(b"alice"), &[0x44; 64]);
    let mut store = PrekeyStore::new(1, &[0x23; 32]);
    store.add_one_time_prekey(7, &[0x24; 32]);
    store.add_pq_prekey(PqPrekeySecret::from_randomness(
        3,
        PqKind::OneTime,
        &[0x25; 64],
    ));
    store.add_pq_prekey(PqPrekeySecret::from_randomness(
        4,
        PqKind::LastResort,
        &[0x26; 64],
    ));
    let served = bundle::make_bundle(&bob_id, &store, Some(7), 3)
        .and_then(|b| b.verify())
        .unwrap_or_else(|e| panic!("fixture bundle: {e:?}"));
    let (alice_mailbox, bob_mailbox) = ([0xA1; 16], [0xB0; 16]);
    let mut alice = Account::new(
        alice_id.clone(),
        PrekeyStore::new(1, &[0x12; 32]),
        alice_mailbox,
    );
    let mut bob = Account::new(bob_id, store, bob_mailbox);
    alice
        .start_with(
            &handle_of(b"bob"),
            &served,
            &[0x13; 32],
            &[0x14; 32],
            &[0x15; 32],
        )
        .unwrap_or_else(|e| panic!("fixture start: {e:?}"));
    let send = |from: &mut Account, to: &[u8], mailbox: &[u8; 16], text: &str, n: u8| {
        let mut rng = Replay::new(&[&[n; 24], &[n ^ 0x5A; 32]]);
        from.send(
            &handle_of(to),
            &Content::Text(text.into()),
            mailbox,
            &mut rng,
        )
        .unwrap_or_else(|e| panic!("fixture send: {e:?}"))
        .envelope
    };
    let first = send(&mut alice, b"bob", &bob_mailbox, "hello bob", 1);
    let reply_to = |acct: &mut Account, mailbox: &[u8; 16], env: &[u8], n: u8| match acct.receive(
        mailbox,
        env,
        &mut Replay::new(&[&[n; 32]]),
    ) {
        Ok(Receipt::Message(_)) => {}
        other => panic!("fixture receive: {other:?}"),
    };
    reply_to(&mut bob, &bob_mailbox, &first, 2);
    let reply = send(&mut bob, b"alice", &alice_mailbox, "hi alice", 3);
    reply_to(&mut alice, &alice_mailbox, &reply, 4);
    let Outgoing {
        envelope: offer, ..
    } = bob
        .offer_mailbox(
            &handle_of(b"alice"),
            &alice_mailbox,
            &mut Replay::new(&[&[0xB1; 16], &[7; 24], &[8; 32]]),
        )
        .unwrap_or_else(|e| panic!("fixture offer: {e:?}"));
    reply_to(&mut alice, &alice_mailbox, &offer, 9);
    let bob_pairwise = [0xB1; 16];
    let second = send(&mut alice, b"bob", &bob_mailbox, "second", 5);
    let third = send(&mut alice, b"bob", &bob_mailbox, "third", 6);
    assert_eq!(
        second.get(2..18),
        Some(&bob_pairwise[..]),
        "a light envelope"
    );
    Fixture {
        bob,
        alice,
        bob_mailbox,
        bob_pairwise,
        senders: vec![alice_id, carol, mallory],
        envelopes: vec![first, second, third],
    }
}

/// The whole state of an account as bytes: identity secret, prekey store,
/// each contact's identity and sessions (exported), the handshake-record
/// count.
pub fn state(a: &Account) -> Vec<u8> {
    let mut out = a.identity().to_bytes().to_vec();
    out.extend_from_slice(&a.store().to_bytes());
    out.extend_from_slice(a.mailbox());
    for c in a.contacts() {
        out.extend_from_slice(&identity::encode(c.identity()));
        out.extend_from_slice(&(c.mailboxes().len() as u64).to_be_bytes());
        for m in c.mailboxes() {
            out.extend_from_slice(m);
        }
        out.extend_from_slice(&(c.sessions().len() as u64).to_be_bytes());
        for s in c.sessions() {
            let e = s.export();
            out.extend_from_slice(&(e.len() as u64).to_be_bytes());
            out.extend_from_slice(&e);
        }
    }
    out.extend_from_slice(&(a.handshake_records() as u64).to_be_bytes());
    out
}

/// The target.
pub fn run(data: &[u8]) {
    let f = fixture();
    let mut bob = f.bob.clone();
    let mut i = Input::new(data);
    let count = i.u8() % 4 + 1;
    for _ in 0..count {
        let envelope = match i.u8() % 4 {
            0 => i.var().to_vec(),
            1 => {
                let mut e = f.envelopes[usize::from(i.u8()) % f.envelopes.len()].clone();
                let (mode, pos, mask) = (i.u8(), i.u32(), i.u8());
                mutate(&mut e, mode, pos, mask);
                e
            }
            k => {
                let sender = &f.senders[usize::from(i.u8()) % f.senders.len()];
                let r = i.array::<32>();
                let light = usize::from(i.u8()) % 2 == 1;
                let mut payload = match (k, light) {
                    (3, false) => vec![0x01, 0x02],
                    (3, true) => [&[0x01, 0x03][..], &f.bob_pairwise[..]].concat(),
                    _ => Vec::new(),
                };
                payload.extend_from_slice(i.var());
                let bob_pub = bob.identity().public().dh_pub;
                match envelope::seal(
                    sender,
                    &bob_pub,
                    &f.bob_mailbox,
                    &payload,
                    &mut Replay::new(&[&r]),
                ) {
                    Ok(e) => e,
                    Err(_) => continue,
                }
            }
        };
        let mailbox = match i.u8() % 3 {
            0 => f.bob_mailbox,
            1 => f.bob_pairwise,
            _ => i.array::<16>(),
        };
        let secret = i.array::<32>();
        let before = state(&bob);
        let r = bob.receive(&mailbox, &envelope, &mut Replay::new(&[&secret]));
        match r {
            Ok(Receipt::Message(_)) => {}
            Ok(Receipt::IdentityChanged { .. }) | Err(_) => {
                assert!(
                    state(&bob) == before,
                    "Account::receive changed the state on {r:?}"
                );
            }
        }
    }
}
