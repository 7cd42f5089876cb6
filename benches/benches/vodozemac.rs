//! The peer: Matrix Olm as vodozemac 0.11 implements it (X3DH-style 3DH,
//! Double Ratchet without header encryption, AES-256-CBC + HMAC-SHA-256,
//! no post-quantum KEM, no padding, no sealed sender). Same operations and
//! sizes as the `handshake`, `message` and `round_trip` groups of
//! `protocol.rs`, so the README compares them.
//!
//! Olm session establishment does not verify the one-time key's signature
//! (matrix-sdk does that above vodozemac), so its figure has no signature
//! verification at all, where ours has three (initiator) and one (responder).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use vodozemac::olm::{Account, OlmMessage, Session, SessionConfig};
use xchat_benches::{content, MEASURE, MESSAGE_SIZES, SAMPLES, WARM_UP};

/// Bob's account with one published one-time key, and that key.
fn bob_with_otk() -> (Account, vodozemac::Curve25519PublicKey) {
    let mut bob = Account::new();
    bob.generate_one_time_keys(1);
    let otk = *bob.one_time_keys().values().next().unwrap();
    bob.mark_keys_as_published();
    (bob, otk)
}

/// Alice's outbound session to a fresh Bob, her first (pre-key) message,
/// and Bob's inbound session from it.
fn establish(alice: &Account, text: &[u8]) -> (Session, Session) {
    let (mut bob, otk) = bob_with_otk();
    let mut a = alice
        .create_outbound_session(SessionConfig::version_1(), bob.curve25519_key(), otk)
        .unwrap();
    let OlmMessage::PreKey(m) = a.encrypt(text).unwrap() else {
        panic!("first message is a pre-key message")
    };
    let b = bob
        .create_inbound_session(SessionConfig::version_1(), alice.curve25519_key(), &m)
        .unwrap()
        .session;
    (a, b)
}

/// Two sessions after the first message and one reply, so Alice's pre-key
/// phase is over and both sides hold a sending and a receiving chain.
fn established(text: &[u8]) -> (Session, Session) {
    let alice = Account::new();
    let (mut a, mut b) = establish(&alice, text);
    let reply = b.encrypt(text).unwrap();
    a.decrypt(&reply).unwrap();
    (a, b)
}

fn vodozemac_groups(c: &mut Criterion) {
    let hello = content(64);

    // Session establishment: Alice's outbound session and first message
    // (64 B), Bob's inbound session, which decrypts it. Bob's account and
    // one-time key are made in the untimed set-up of each iteration.
    let mut g = c.benchmark_group("vodozemac_handshake");
    g.sample_size(SAMPLES)
        .warm_up_time(WARM_UP)
        .measurement_time(MEASURE);
    let alice = Account::new();
    g.bench_function("initiator", |b| {
        b.iter_batched(
            bob_with_otk,
            |(bob, otk)| {
                let mut a = alice
                    .create_outbound_session(SessionConfig::version_1(), bob.curve25519_key(), otk)
                    .unwrap();
                (a.encrypt(&hello).unwrap(), bob)
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("responder", |b| {
        b.iter_batched(
            || {
                let (bob, otk) = bob_with_otk();
                let mut a = alice
                    .create_outbound_session(SessionConfig::version_1(), bob.curve25519_key(), otk)
                    .unwrap();
                let OlmMessage::PreKey(m) = a.encrypt(&hello).unwrap() else {
                    panic!("pre-key message")
                };
                (bob, m)
            },
            |(mut bob, m)| {
                bob.create_inbound_session(SessionConfig::version_1(), alice.curve25519_key(), &m)
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("both", |b| b.iter(|| establish(&alice, &hello)));
    g.finish();

    // One message on an established chain, encrypt + decrypt.
    let mut g = c.benchmark_group("vodozemac_message");
    g.sample_size(SAMPLES)
        .warm_up_time(WARM_UP)
        .measurement_time(MEASURE);
    for size in MESSAGE_SIZES {
        let text = content(size);
        let (mut a, mut b_session) = established(&text);
        g.bench_function(BenchmarkId::from_parameter(size), |b| {
            b.iter(|| {
                let m = a.encrypt(&text).unwrap();
                b_session.decrypt(&m).unwrap()
            })
        });
    }
    g.finish();

    // Alternating round trip of 1 KiB: a DH ratchet step each way.
    let mut g = c.benchmark_group("vodozemac_round_trip");
    g.sample_size(SAMPLES)
        .warm_up_time(WARM_UP)
        .measurement_time(MEASURE);
    let text = content(1024);
    let (mut a, mut b_session) = established(&text);
    g.bench_function("1024", |b| {
        b.iter(|| {
            let m = a.encrypt(&text).unwrap();
            b_session.decrypt(&m).unwrap();
            let m = b_session.encrypt(&text).unwrap();
            a.decrypt(&m).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, vodozemac_groups);
criterion_main!(benches);
