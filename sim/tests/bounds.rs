//! Bounded memory under attack (issue 13, part 4): accounts driven to each
//! bound of SPEC.md section 16 through the application API, with the exact
//! counts and the exact bytes each bound costs in the account's export
//! (`Account::export`, the state an account holds; in memory each entry
//! costs its export bytes plus container overhead).
//!
//! Run with `--nocapture` to print the figures of sim/README.md's table.

mod common;

use common::{bundle_of, h, user};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use xchat::error::ReceiveError;
use xchat::{Account, Content, Error, Outgoing, Receipt};

/// SPEC.md section 16 (and `xchat`'s constants of the same names).
const MAX_SKIP: usize = 1000;
const MAX_SKIPPED_TOTAL: usize = 2000;
const MAX_PREVIOUS_SESSIONS: usize = 4;
const MAX_HANDSHAKES_PER_SIGNED_PREKEY: usize = 4096;
const MAX_RETIRED_SIGNED_PREKEYS: usize = 1;
const MAX_RETIRED_MAILBOXES: usize = 2;

/// Export bytes of one skipped key (`u32(n) || MK`) and of one skipped
/// chain's header (`HK || u32(#keys)`).
const SKIPPED_KEY_BYTES: usize = 4 + 32;
const SKIPPED_CHAIN_BYTES: usize = 32 + 4;
/// Export bytes of one handshake record (`u32(spk_id) || EK`).
const RECORD_BYTES: usize = 4 + 32;
/// Export bytes of one pairwise mailbox.
const MAILBOX_BYTES: usize = 16;

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

fn accept(a: &mut Account, o: &Outgoing, r: &mut ChaCha20Rng) {
    match a.receive(&o.mailbox, &o.envelope, r) {
        Ok(Receipt::Message(_)) => {}
        other => panic!("{other:?}"),
    }
}

fn say(from: &mut Account, to: &Account, r: &mut ChaCha20Rng) -> Outgoing {
    from.send(&h(to), &Content::Text("x".into()), to.mailbox(), r)
        .unwrap()
}

/// A session in an export: its export length, skipped chains and keys.
type SessionLayout = (usize, usize, usize);

/// Per contact (in export order): its mailboxes, and its sessions.
struct Layout {
    contacts: Vec<(usize, Vec<SessionLayout>)>,
    records: usize,
}

struct Cur<'a>(&'a [u8], usize);

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let s = &self.0[self.1..self.1 + n];
        self.1 += n;
        s
    }
    fn u8(&mut self) -> usize {
        self.take(1)[0] as usize
    }
    fn u32(&mut self) -> usize {
        let b = self.take(4);
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
    }
}

/// The skipped chains and keys of a session export (its format in
/// impl/src/session.rs's module docs).
fn skipped_of(s: &[u8]) -> (usize, usize) {
    let mut c = Cur(s, 0);
    c.take(1 + 147 + 64);
    if c.u8() == 1 {
        c.take(147 + 4);
        if c.u8() == 1 {
            c.take(4);
        }
        c.take(4 + 33 + 1088);
    }
    if c.u8() == 1 {
        c.take(16);
    }
    c.take(4);
    let flags = c.u8();
    c.take(32 + 32 * (flags & 0x1f).count_ones() as usize + 96 + 12);
    let (chains, mut keys) = (c.u32(), 0);
    for _ in 0..chains {
        c.take(32);
        let n = c.u32();
        c.take(36 * n);
        keys += n;
    }
    assert_eq!(c.1, s.len(), "session export parsed to its end");
    (chains, keys)
}

fn layout(a: &Account) -> Layout {
    let e = a.export();
    let mut c = Cur(&e, 0);
    c.take(1 + 80);
    let n = c.u32();
    c.take(n + 16);
    let mut contacts = Vec::new();
    for _ in 0..c.u32() {
        c.take(147 + 4);
        let m = c.u8();
        c.take(16 * m);
        let mut sessions = Vec::new();
        for _ in 0..c.u8() {
            let n = c.u32();
            let (chains, keys) = skipped_of(c.take(n));
            sessions.push((n, chains, keys));
        }
        contacts.push((m, sessions));
    }
    let records = c.u32();
    c.take(RECORD_BYTES * records);
    assert_eq!(c.1, e.len(), "account export parsed to its end");
    Layout { contacts, records }
}

/// Alice and Bob with a session both ways (no skipped keys).
fn pair(seed: u8) -> (Account, Account, ChaCha20Rng) {
    let mut r = rng(seed);
    let mut alice = user("alice", &mut r);
    let mut bob = user("bob", &mut r);
    alice.start(&h(&bob), &bundle_of(&bob), &mut r).unwrap();
    let o = say(&mut alice, &bob, &mut r);
    accept(&mut bob, &o, &mut r);
    let o = say(&mut bob, &alice, &mut r);
    accept(&mut alice, &o, &mut r);
    (alice, bob, r)
}

#[test]
fn skipped_keys_stop_at_max_skipped_total_and_cost_36_bytes_each() {
    let (mut alice, mut bob, mut r) = pair(1);
    let base = layout(&bob).contacts[0].1[0];
    assert_eq!((base.1, base.2), (0, 0));
    // Alice floods: MAX_SKIP + 1 messages of which Bob gets only the last
    // (MAX_SKIP skipped), three chains in a row (Bob answers in between so
    // that Alice ratchets): 3000 skipped, the oldest 1000 evicted.
    for round in 0..3 {
        let mut last = None;
        for _ in 0..=MAX_SKIP {
            last = Some(say(&mut alice, &bob, &mut r));
        }
        accept(&mut bob, &last.unwrap(), &mut r);
        let s = layout(&bob).contacts[0].1[0];
        let expected = ((round + 1) * MAX_SKIP).min(MAX_SKIPPED_TOTAL);
        assert_eq!(s.2, expected, "round {round}");
        let current = bob.contact(&h(&alice)).unwrap().current().unwrap();
        assert_eq!(current.skipped_keys(), expected);
        // Exact bytes: every key and every chain header, nothing else.
        assert_eq!(
            s.0,
            base.0 + SKIPPED_KEY_BYTES * s.2 + SKIPPED_CHAIN_BYTES * s.1,
            "round {round}"
        );
        let o = say(&mut bob, &alice, &mut r);
        accept(&mut alice, &o, &mut r);
    }
    // One more than MAX_SKIP on a chain: TooManySkipped, nothing changes.
    let mut last = None;
    for _ in 0..=MAX_SKIP + 1 {
        last = Some(say(&mut alice, &bob, &mut r));
    }
    let before = bob.export();
    let o = last.unwrap();
    let e = bob.receive(&o.mailbox, &o.envelope, &mut r).unwrap_err();
    assert_eq!(e.kind(), Error::TooManySkipped);
    assert_eq!(*bob.export(), *before);
    let s = layout(&bob).contacts[0].1[0];
    eprintln!(
        "session without skipped keys: {} export bytes; with {} skipped keys in {} chains: {}",
        base.0, s.2, s.1, s.0
    );
}

#[test]
fn skipped_chains_worst_case_one_key_per_chain() {
    // The most expensive layout: every skipped key in a chain of its own
    // (the peer skips one message per DH ratchet step): 72 bytes per key.
    let (mut alice, mut bob, mut r) = pair(2);
    let base = layout(&bob).contacts[0].1[0].0;
    for _ in 0..MAX_SKIPPED_TOTAL + 5 {
        let _lost = say(&mut alice, &bob, &mut r);
        let o = say(&mut alice, &bob, &mut r);
        accept(&mut bob, &o, &mut r);
        let o = say(&mut bob, &alice, &mut r);
        accept(&mut alice, &o, &mut r);
    }
    let s = layout(&bob).contacts[0].1[0];
    assert_eq!((s.1, s.2), (MAX_SKIPPED_TOTAL, MAX_SKIPPED_TOTAL));
    assert_eq!(
        s.0,
        base + (SKIPPED_KEY_BYTES + SKIPPED_CHAIN_BYTES) * MAX_SKIPPED_TOTAL
    );
    eprintln!(
        "session with {} one-key chains: {} export bytes (base {base})",
        s.1, s.0
    );
}

#[test]
fn a_contact_keeps_one_current_and_four_previous_sessions() {
    let (mut alice, mut bob, mut r) = pair(3);
    let mut sizes = Vec::new();
    for i in 0..8 {
        alice.start(&h(&bob), &bundle_of(&bob), &mut r).unwrap();
        let o = say(&mut alice, &bob, &mut r);
        accept(&mut bob, &o, &mut r);
        let l = layout(&bob);
        assert_eq!(l.contacts.len(), 1);
        let sessions = &l.contacts[0].1;
        assert_eq!(sessions.len(), (i + 2).min(1 + MAX_PREVIOUS_SESSIONS));
        sizes = sessions.iter().map(|s| s.0).collect();
    }
    assert_eq!(sizes.len(), 1 + MAX_PREVIOUS_SESSIONS);
    // Alice, the initiator, holds her pending sessions (prekey header
    // included until Bob answers) under the same bound.
    let l = layout(&alice);
    assert_eq!(l.contacts[0].1.len(), 1 + MAX_PREVIOUS_SESSIONS);
    let pending: Vec<usize> = l.contacts[0].1.iter().map(|s| s.0).collect();
    eprintln!("responder sessions: {sizes:?} bytes; initiator sessions: {pending:?} bytes");
}

#[test]
fn handshake_records_stop_at_4096_per_signed_prekey_and_one_retired() {
    let mut r = rng(4);
    let mut bob = user("bob", &mut r);
    let mut alice = user("alice", &mut r);
    let empty = bob.export().len();
    // A fresh account: version, identity secret, u32(len) || store
    // (signed prekey, no retired, no one-time prekey, one ML-KEM-768
    // last-resort prekey: id, kind, ek, dk), published mailbox, no
    // contacts, no records.
    let store = (4 + 32) + 4 + 4 + 4 + (4 + 1 + 1184 + 2400);
    assert_eq!(empty, 1 + 80 + 4 + store + 16 + 4 + 4);
    assert_eq!(empty, 3746);
    let mut accepted = 0;
    let handshake = |alice: &mut Account, bob: &mut Account, r: &mut ChaCha20Rng| {
        alice.start(&h(bob), &bundle_of(bob), r).unwrap();
        let o = say(alice, bob, r);
        let before = bob.export();
        match bob.receive(&o.mailbox, &o.envelope, r) {
            Ok(Receipt::Message(_)) => true,
            Err(ReceiveError::Handshake { kind, .. }) => {
                assert_eq!(kind, Error::UnknownPrekey);
                assert_eq!(
                    *bob.export(),
                    *before,
                    "a refused handshake changes nothing"
                );
                false
            }
            other => panic!("{other:?}"),
        }
    };
    for _ in 0..MAX_HANDSHAKES_PER_SIGNED_PREKEY {
        assert!(handshake(&mut alice, &mut bob, &mut r));
        accepted += 1;
    }
    assert_eq!(bob.handshake_records(), MAX_HANDSHAKES_PER_SIGNED_PREKEY);
    // The record set of the signed prekey is full: refused (P4).
    assert!(!handshake(&mut alice, &mut bob, &mut r));
    // A rotation: the retired prekey keeps its records, the new one fills.
    bob.rotate_signed_prekey(&mut r);
    for _ in 0..MAX_HANDSHAKES_PER_SIGNED_PREKEY {
        assert!(handshake(&mut alice, &mut bob, &mut r));
        accepted += 1;
    }
    let full = (1 + MAX_RETIRED_SIGNED_PREKEYS) * MAX_HANDSHAKES_PER_SIGNED_PREKEY;
    assert_eq!(bob.handshake_records(), full);
    assert!(!handshake(&mut alice, &mut bob, &mut r));
    let l = layout(&bob);
    assert_eq!(l.records, full);
    let sessions: usize = l.contacts[0].1.iter().map(|s| s.0 + 4).sum();
    let contact = 147 + 4 + 1 + MAILBOX_BYTES * l.contacts[0].0 + 1 + sessions;
    // The export grew by the contact and exactly 36 bytes per record.
    let store_growth = 4 + 32; // one retired signed prekey: u32(id) || secret
    assert_eq!(
        bob.export().len(),
        empty + store_growth + contact + RECORD_BYTES * full
    );
    eprintln!(
        "{full} handshake records: {} bytes of {} export bytes",
        RECORD_BYTES * full,
        bob.export().len()
    );
    // A second rotation drops the oldest prekey's records.
    bob.rotate_signed_prekey(&mut r);
    assert_eq!(
        bob.handshake_records(),
        MAX_RETIRED_SIGNED_PREKEYS * MAX_HANDSHAKES_PER_SIGNED_PREKEY
    );
    assert_eq!(accepted, full);
}

#[test]
fn a_contact_keeps_one_current_and_two_retired_mailboxes() {
    let (mut alice, mut bob, mut r) = pair(5);
    for i in 0..6 {
        let o = bob
            .offer_mailbox(&h(&alice), alice.mailbox(), &mut r)
            .unwrap();
        accept(&mut alice, &o, &mut r);
        let l = layout(&bob);
        assert_eq!(l.contacts[0].0, (i + 1).min(1 + MAX_RETIRED_MAILBOXES));
        assert_eq!(
            bob.contact(&h(&alice)).unwrap().mailboxes().len(),
            (i + 1).min(1 + MAX_RETIRED_MAILBOXES)
        );
    }
    // A retired mailbox still receives; the deleted one is WrongRecipient.
    let mailboxes = bob.contact(&h(&alice)).unwrap().mailboxes().to_vec();
    let o = say(&mut alice, &bob, &mut r);
    assert_eq!(o.mailbox, mailboxes[0]);
    let e = bob.receive(&[0xAB; 16], &o.envelope, &mut r).unwrap_err();
    assert_eq!(e.kind(), Error::WrongRecipient);
    eprintln!(
        "{} pairwise mailboxes per contact: {} export bytes",
        mailboxes.len(),
        MAILBOX_BYTES * mailboxes.len()
    );
}
