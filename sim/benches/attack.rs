//! The CPU an attacker can force per received envelope (issue 13, part 4),
//! on the application API:
//!
//! * anonymous: a junk sealed envelope at the published mailbox (one
//!   envelope opening), a junk light envelope at an unknown mailbox;
//! * the relay (it knows the pairwise mailboxes) or a hostile peer: a
//!   junk light envelope at a contact's pairwise mailbox, tried against
//!   every session of the contact and every skipped chain of each session
//!   (one header decryption per header key): measured with no skipped keys
//!   and with the worst case, 1 + MAX_PREVIOUS_SESSIONS sessions each
//!   holding MAX_SKIPPED_TOTAL skipped keys in one-key chains (which the
//!   peer forces by skipping one message per DH ratchet step).
//!
//! Every junk envelope is rejected and leaves the account unchanged, so
//! each iteration receives the same envelope on the same account.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use xchat::bundle;
use xchat::{Account, Content, Outgoing, Receipt};

// The integration tests' set-up (a user, its handle), shared rather than
// copied.
#[path = "../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;
use common::{h, user};

const MAX_SKIPPED_TOTAL: usize = 2000;
const SESSIONS: usize = 5;

fn say(from: &mut Account, to: &Account, r: &mut ChaCha20Rng) -> Outgoing {
    from.send(&h(to), &Content::Text("x".into()), to.mailbox(), r)
        .unwrap()
}

fn accept(a: &mut Account, o: &Outgoing, r: &mut ChaCha20Rng) {
    assert!(matches!(
        a.receive(&o.mailbox, &o.envelope, r),
        Ok(Receipt::Message(_))
    ));
}

/// Bob with `sessions` sessions with Alice, each with `chains` one-key
/// skipped chains, and a pairwise mailbox of Bob's that Alice uses; a
/// junk light envelope there (a real one with a header byte flipped).
fn victim(sessions: usize, chains: usize) -> (Account, Outgoing) {
    let mut r = ChaCha20Rng::from_seed([9; 32]);
    let mut alice = user("alice", &mut r);
    let mut bob = user("bob", &mut r);
    for _ in 0..sessions {
        let b = bundle::make_bundle(bob.identity(), bob.store(), None, 20)
            .unwrap()
            .verify()
            .unwrap();
        alice.start(&h(&bob), &b, &mut r).unwrap();
        let o = say(&mut alice, &bob, &mut r);
        accept(&mut bob, &o, &mut r);
        let o = say(&mut bob, &alice, &mut r);
        accept(&mut alice, &o, &mut r);
        for _ in 0..chains {
            let _dropped = say(&mut alice, &bob, &mut r);
            let o = say(&mut alice, &bob, &mut r);
            accept(&mut bob, &o, &mut r);
            let o = say(&mut bob, &alice, &mut r);
            accept(&mut alice, &o, &mut r);
        }
    }
    let o = bob
        .offer_mailbox(&h(&alice), alice.mailbox(), &mut r)
        .unwrap();
    accept(&mut alice, &o, &mut r);
    let mut junk = say(&mut alice, &bob, &mut r);
    assert_ne!(junk.mailbox, *bob.mailbox(), "a light envelope");
    junk.envelope[18 + 40] ^= 1;
    let c = bob.contact(&h(&alice)).unwrap();
    assert_eq!(c.sessions().len(), sessions);
    if chains > 0 {
        assert!(c.sessions().iter().all(|s| s.skipped_keys() == chains));
    }
    (bob, junk)
}

fn junk(c: &mut Criterion) {
    let mut g = c.benchmark_group("junk");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let mut r = ChaCha20Rng::from_seed([3; 32]);

    let (mut bob, light) = victim(1, 0);
    let before = bob.export();
    let mut sealed = vec![0u8; light.envelope.len() + 100];
    r.fill_bytes(&mut sealed);
    // `u8(0x01) || mailbox || E || c1 || c2` (SPEC.md section 12) with
    // the right version and mailbox and random `E`: the recipient runs the
    // ephemeral DH and fails `c1`'s tag.
    let published = *bob.mailbox();
    sealed[0] = 0x01;
    sealed[1..17].copy_from_slice(&published);
    g.bench_function(
        "sealed envelope at the published mailbox (anonymous)",
        |b| b.iter(|| black_box(bob.receive(&published, &sealed, &mut r).is_err())),
    );
    g.bench_function("light envelope at an unknown mailbox (anonymous)", |b| {
        b.iter(|| black_box(bob.receive(&[0xEE; 16], &light.envelope, &mut r).is_err()))
    });
    g.bench_function(
        "light envelope at a pairwise mailbox, 1 session, no skipped keys",
        |b| {
            b.iter(|| {
                black_box(
                    bob.receive(&light.mailbox, &light.envelope, &mut r)
                        .is_err(),
                )
            })
        },
    );
    assert_eq!(*bob.export(), *before);

    let (mut bob, light) = victim(SESSIONS, MAX_SKIPPED_TOTAL);
    let before = bob.export();
    g.bench_function(
        "light envelope at a pairwise mailbox, 5 sessions x 2000 one-key skipped chains (worst case)",
        |b| b.iter(|| black_box(bob.receive(&light.mailbox, &light.envelope, &mut r).is_err())),
    );
    assert_eq!(*bob.export(), *before);
    g.finish();
}

criterion_group!(benches, junk);
criterion_main!(benches);
