//! Handshake, per-message, alternating round trip and envelope benchmarks:
//! the implementation (`xchat`), the executable spec (`xchat-spec`) and the
//! primitive floor (`floor/mod.rs`) of each operation, in one run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod floor;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use xchat::account::{Account, Outgoing};
use xchat::content::Content;
use xchat::handshake::{self as ihs, PREKEY_PREFIX};
use xchat::ratchet::RatchetState;
use xchat_benches::{
    bytes, content, parties, rng, Parties, MEASURE, MESSAGE_SIZES, SAMPLES, WARM_UP,
};
use xchat_benches::{impl_parties, ImplParties};
use xchat_spec::{envelope, identity, padding, ratchet, session};

/// `u8(0x01) || u8(0x02)`: the prefix of a ratchet message (SPEC.md 9.4).
const RATCHET_PREFIX: [u8; 2] = [0x01, 0x02];

/// Two implementation ratchet states after the handshake and one reply (as
/// [`xchat_benches::established_spec`]), and `AD`.
fn established_impl(ip: &ImplParties) -> (RatchetState, RatchetState, [u8; 32]) {
    let mut r = rng(1);
    let s1: [u8; 32] = bytes(&mut r);
    let s2: [u8; 32] = bytes(&mut r);
    let s3: [u8; 32] = bytes(&mut r);
    let n: [u8; 24] = bytes(&mut r);
    let s4: [u8; 32] = bytes(&mut r);
    let hello = xchat::padding::pad(b"hello").unwrap();
    let (mut a, header, ad) =
        ihs::initiate_unverified(&ip.alice, &ip.bob_handle, &ip.bundle, &s1, &s2, &s3).unwrap();
    let body = a.encrypt(&ad, &PREKEY_PREFIX, &hello, &n).unwrap().commit();
    let message = ihs::encode_prekey_message(&header, &body);
    let mut b = ihs::respond(&ip.bob, &ip.store, &message, &s4)
        .unwrap()
        .state;
    let body = b
        .encrypt(&ad, &RATCHET_PREFIX, &hello, &n)
        .unwrap()
        .commit();
    let _ = a
        .decrypt(&ad, &RATCHET_PREFIX, &body, &s1)
        .unwrap()
        .commit();
    (a, b, ad)
}

fn config<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(SAMPLES)
        .warm_up_time(WARM_UP)
        .measurement_time(MEASURE);
    g
}

/// Group `handshake`: the initiator starts a session from Bob's bundle and
/// encrypts the first (prekey) message; the responder accepts that message
/// (verifies, derives, decrypts the first ratchet body). Envelopes are not
/// included (group `envelope`).
fn handshake(c: &mut Criterion) {
    let with = parties(true);
    let without = parties(false);
    let f = floor::Fixture::new(&with, &without);
    let hello = content(64);
    let first = padding::pad(&hello);
    let mut g = config(c, "handshake");
    for (opk, p) in [("opk", &with), ("no_opk", &without)] {
        let with_opk = opk == "opk";
        let mut r = rng(2);
        let (s1, s2, s3, n): ([u8; 32], [u8; 32], [u8; 32], [u8; 24]) =
            (bytes(&mut r), bytes(&mut r), bytes(&mut r), bytes(&mut r));
        // Implementation: verify the bundle, initiate, encrypt the first
        // message, encode the prekey message.
        let ip = impl_parties(p);
        let initiate = || {
            let (mut state, header, ad) =
                ihs::initiate_unverified(&ip.alice, &ip.bob_handle, &ip.bundle, &s1, &s2, &s3)
                    .unwrap();
            let padded = xchat::padding::pad(&hello).unwrap();
            let body = state
                .encrypt(&ad, &PREKEY_PREFIX, &padded, &n)
                .unwrap()
                .commit();
            (state, ihs::encode_prekey_message(&header, &body))
        };
        g.bench_function(BenchmarkId::new("initiator/impl", opk), |b| {
            b.iter(initiate)
        });
        let (_, impl_message) = initiate();
        g.bench_function(BenchmarkId::new("responder/impl", opk), |b| {
            b.iter(|| ihs::respond(&ip.bob, &ip.store, &impl_message, &s3).unwrap())
        });
        // Spec.
        g.bench_function(BenchmarkId::new("initiator/spec", opk), |b| {
            b.iter(|| {
                let s = session::start(&p.alice, &p.bob.handle, &p.bundle, &s1, &s2, &s3).unwrap();
                session::encrypt(&s, &first, &n).unwrap()
            })
        });
        let s = session::start(&p.alice, &p.bob.handle, &p.bundle, &s1, &s2, &s3).unwrap();
        let (_, message) = session::encrypt(&s, &first, &n).unwrap();
        g.bench_function(BenchmarkId::new("responder/spec", opk), |b| {
            b.iter(|| session::accept(&p.bob, &p.store, &message, &s3).unwrap())
        });
        // Floor.
        g.bench_function(BenchmarkId::new("initiator/floor", opk), |b| {
            b.iter(|| floor::handshake_initiator(&f, with_opk, black_box(&hello)))
        });
        let (wire, ck) = floor::handshake_initiator(&f, with_opk, &hello);
        g.bench_function(BenchmarkId::new("responder/floor", opk), |b| {
            b.iter(|| floor::handshake_responder(&f, with_opk, &wire, &ck))
        });
    }
    g.finish();
}

/// Group `message`: one message on an established chain, Alice to Bob,
/// encrypt and decrypt (padding, ratchet encryption, ratchet decryption,
/// unpadding), for content of 64 B, 1 KiB and 16 KiB.
fn message(c: &mut Criterion) {
    let p = parties(true);
    let ip = impl_parties(&p);
    let f = floor::Fixture::new(&p, &parties(false));
    let mut g = config(c, "message");
    for size in MESSAGE_SIZES {
        let text = content(size);
        // Implementation: pad, encrypt, commit; decrypt, commit, unpad.
        let (mut a, mut b_state, ad) = established_impl(&ip);
        let mut r = rng(3);
        let (nonce, secret): ([u8; 24], [u8; 32]) = (bytes(&mut r), bytes(&mut r));
        g.bench_function(BenchmarkId::new("impl", size), |b| {
            b.iter(|| {
                let padded = xchat::padding::pad(&text).unwrap();
                let body = a
                    .encrypt(&ad, &RATCHET_PREFIX, &padded, &nonce)
                    .unwrap()
                    .commit();
                let out = b_state
                    .decrypt(&ad, &RATCHET_PREFIX, &body, &secret)
                    .unwrap()
                    .commit();
                xchat::padding::unpad(&out).unwrap()
            })
        });
        // Spec.
        let (alice, bob) = xchat_benches::established_spec(&p);
        let ad = alice.ad;
        let (mut a, mut b_state) = (alice.ratchet, bob.ratchet);
        let mut r = rng(3);
        let (nonce, secret): ([u8; 24], [u8; 32]) = (bytes(&mut r), bytes(&mut r));
        g.bench_function(BenchmarkId::new("spec", size), |b| {
            b.iter(|| {
                let padded = padding::pad(&text);
                let (a2, m) = ratchet::encrypt_message(&a, &ad, &padded, &nonce).unwrap();
                let (b2, out) = ratchet::decrypt_message(&b_state, &ad, &m, &secret).unwrap();
                a = a2;
                b_state = b2;
                padding::unpad(&out).unwrap()
            })
        });
        // Floor.
        let ck = f.key;
        g.bench_function(BenchmarkId::new("floor", size), |b| {
            b.iter(|| {
                let wire = floor::message_send(&f, &ck, &text);
                floor::message_receive(&f, &ck, &wire)
            })
        });
    }
    g.finish();
}

/// Group `round_trip`: Alice sends 1 KiB to Bob, Bob answers 1 KiB; each
/// receiver performs a DH ratchet step. One iteration is two messages.
fn round_trip(c: &mut Criterion) {
    let p = parties(true);
    let f = floor::Fixture::new(&p, &parties(false));
    let text = content(1024);
    let mut g = config(c, "round_trip");
    // Implementation.
    let ip = impl_parties(&p);
    let (mut a, mut b_state, ad) = established_impl(&ip);
    let mut r = rng(4);
    let (nonce, s1, s2): ([u8; 24], [u8; 32], [u8; 32]) =
        (bytes(&mut r), bytes(&mut r), bytes(&mut r));
    g.bench_function("impl", |b| {
        b.iter(|| {
            let padded = xchat::padding::pad(&text).unwrap();
            let body = a
                .encrypt(&ad, &RATCHET_PREFIX, &padded, &nonce)
                .unwrap()
                .commit();
            let out = b_state
                .decrypt(&ad, &RATCHET_PREFIX, &body, &s1)
                .unwrap()
                .commit();
            black_box(xchat::padding::unpad(&out).unwrap());
            let padded = xchat::padding::pad(&text).unwrap();
            let body = b_state
                .encrypt(&ad, &RATCHET_PREFIX, &padded, &nonce)
                .unwrap()
                .commit();
            let out = a
                .decrypt(&ad, &RATCHET_PREFIX, &body, &s2)
                .unwrap()
                .commit();
            xchat::padding::unpad(&out).unwrap()
        })
    });
    // Spec.
    let (alice, bob) = xchat_benches::established_spec(&p);
    let ad = alice.ad;
    let (mut a, mut b_state) = (alice.ratchet, bob.ratchet);
    g.bench_function("spec", |b| {
        b.iter(|| {
            let (a2, m) = ratchet::encrypt_message(&a, &ad, &padding::pad(&text), &nonce).unwrap();
            let (b2, out) = ratchet::decrypt_message(&b_state, &ad, &m, &s1).unwrap();
            black_box(padding::unpad(&out).unwrap());
            let (b3, m) = ratchet::encrypt_message(&b2, &ad, &padding::pad(&text), &nonce).unwrap();
            let (a3, out) = ratchet::decrypt_message(&a2, &ad, &m, &s2).unwrap();
            a = a3;
            b_state = b3;
            padding::unpad(&out).unwrap()
        })
    });
    // Floor: per message, the message floor plus the receiver's DH ratchet step.
    let ck = f.key;
    g.bench_function("floor", |b| {
        b.iter(|| {
            let wire = floor::message_send(&f, &ck, &text);
            black_box(floor::dh_ratchet_step(&f, &ck, &f.alice_ik_pub));
            black_box(floor::message_receive(&f, &ck, &wire));
            let wire = floor::message_send(&f, &ck, &text);
            black_box(floor::dh_ratchet_step(&f, &ck, &f.bob_ik_pub));
            floor::message_receive(&f, &ck, &wire)
        })
    });
    g.finish();
}

/// Group `envelope`: seal a 1 KiB payload from Alice to Bob's mailbox, and
/// Bob opens it (which includes verifying Alice's identity binding).
fn envelope_group(c: &mut Criterion) {
    let p: Parties = parties(true);
    let f = floor::Fixture::new(&p, &parties(false));
    let payload = content(1024);
    let alice_identity = identity::encode(&p.alice_public);
    let mut r = rng(5);
    let e: [u8; 32] = bytes(&mut r);
    let mut g = config(c, "envelope");
    let ip = impl_parties(&p);
    let bob_dh_pub = p.bob_public.dh_pub;
    let mut er = rng(5);
    g.bench_function("impl", |b| {
        b.iter(|| {
            let sealed =
                xchat::envelope::seal(&ip.alice, &bob_dh_pub, &p.bob_mailbox, &payload, &mut er)
                    .unwrap();
            xchat::envelope::open(&ip.bob, &p.bob_mailbox, &sealed).unwrap()
        })
    });
    g.bench_function("spec", |b| {
        b.iter(|| {
            let sealed =
                envelope::seal(&p.alice, &p.bob_public.dh_pub, &p.bob_mailbox, &payload, &e)
                    .unwrap();
            envelope::open(&p.bob, &p.bob_mailbox, &sealed).unwrap()
        })
    });
    g.bench_function("floor", |b| {
        b.iter(|| {
            let sealed = floor::envelope_seal(&f, &alice_identity, &payload, None);
            floor::envelope_open(&f, &sealed, false, None)
        })
    });
    g.bench_function("floor_with_verify", |b| {
        b.iter(|| {
            let sealed = floor::envelope_seal(&f, &alice_identity, &payload, None);
            floor::envelope_open(&f, &sealed, true, None)
        })
    });
    g.finish();
}

/// Two implementation accounts after Alice's first message and Bob's reply
/// (so Alice's prekey phase is over). With `pairwise`, Bob and then Alice
/// have offered each other a pairwise mailbox (SPEC.md section 12.1), so
/// every later message goes in a light envelope; without, every message is
/// sealed to the published mailbox.
fn accounts(p: &Parties, ip: &ImplParties, pairwise: bool) -> (Account, Account) {
    let mut r = rng(8);
    let alice_handle = ip.alice.public().handle;
    let mut alice = Account::new(
        ip.alice.clone(),
        xchat::bundle::PrekeyStore::new(0, &[0; 32]),
        p.alice_mailbox,
    );
    let mut bob = Account::new(ip.bob.clone(), ip.store.clone(), p.bob_mailbox);
    let verified = ip.bundle.clone().verify().unwrap();
    alice.start(&ip.bob_handle, &verified, &mut r).unwrap();
    let hello = Content::Text("hello".into());
    let mut deliver = |to: &mut Account, out: Outgoing| {
        to.receive(&out.mailbox, &out.envelope, &mut r).unwrap();
    };
    let out = alice
        .send(&ip.bob_handle, &hello, &p.bob_mailbox, &mut rng(9))
        .unwrap();
    deliver(&mut bob, out);
    let out = bob
        .send(&alice_handle, &hello, &p.alice_mailbox, &mut rng(10))
        .unwrap();
    deliver(&mut alice, out);
    if pairwise {
        let out = bob
            .offer_mailbox(&alice_handle, &p.alice_mailbox, &mut rng(11))
            .unwrap();
        deliver(&mut alice, out);
        let out = alice
            .offer_mailbox(&ip.bob_handle, &p.bob_mailbox, &mut rng(12))
            .unwrap();
        deliver(&mut bob, out);
    }
    (alice, bob)
}

/// Group `pairwise`: one 1 KiB message after the handshake through the
/// application API (`Account::send`, then `Account::receive` at the mailbox
/// the envelope was posted to), in a light envelope to a pairwise mailbox
/// and sealed to the published mailbox, against the ratchet message floor
/// of the `message` group (SPEC.md section 12.1: the light envelope adds no
/// public-key operation to the ratchet message).
fn pairwise(c: &mut Criterion) {
    let p = parties(true);
    let ip = impl_parties(&p);
    let f = floor::Fixture::new(&p, &parties(false));
    let text = Content::Text(String::from_utf8(content(1024)).unwrap());
    let mut g = config(c, "pairwise");
    for (name, light) in [("light/impl", true), ("sealed/impl", false)] {
        let (mut alice, mut bob) = accounts(&p, &ip, light);
        let mut r = rng(13);
        let out = alice
            .send(&ip.bob_handle, &text, &p.bob_mailbox, &mut r)
            .unwrap();
        assert_eq!(out.mailbox != p.bob_mailbox, light);
        g.bench_function(name, |b| {
            b.iter(|| {
                let out = alice
                    .send(&ip.bob_handle, &text, &p.bob_mailbox, &mut r)
                    .unwrap();
                bob.receive(&out.mailbox, &out.envelope, &mut r).unwrap()
            })
        });
    }
    let raw = content(1024);
    let ck = f.key;
    g.bench_function("floor", |b| {
        b.iter(|| {
            let wire = floor::message_send(&f, &ck, &raw);
            floor::message_receive(&f, &ck, &wire)
        })
    });
    let static_dh = floor::dh(&f.alice_ik, &f.bob_ik_pub);
    let alice_identity = identity::encode(&p.alice_public);
    g.bench_function("sealed_floor", |b| {
        b.iter(|| floor::sealed_message(&f, &ck, &raw, &alice_identity, &static_dh))
    });
    g.finish();
}

/// Bob with `n` contacts (sessions he started from `n` fresh identities'
/// bundles) and a pairwise mailbox offered to the first; returns Bob and
/// that pairwise mailbox.
fn bob_with_contacts(p: &Parties, ip: &ImplParties, n: usize) -> (Account, [u8; 16]) {
    use xchat::bundle::{self, PqKind, PrekeyStore};
    let mut r = rng(14);
    let mut bob = Account::new(ip.bob.clone(), ip.store.clone(), p.bob_mailbox);
    for k in 0..n {
        let handle: xchat::handle::Handle = format!("u{k}").parse().unwrap();
        let id = xchat::identity::generate(handle, &mut r);
        let mut store = PrekeyStore::generate(1, &mut r);
        store.add_pq_prekey(bundle::generate_pq_prekey(2, PqKind::LastResort, &mut r));
        let b = bundle::make_bundle(&id, &store, None, 2)
            .unwrap()
            .verify()
            .unwrap();
        bob.start(&handle, &b, &mut r).unwrap();
    }
    let first: xchat::handle::Handle = "u0".parse().unwrap();
    let out = bob.offer_mailbox(&first, &[0x77; 16], &mut r).unwrap();
    assert_eq!(out.mailbox, [0x77; 16]);
    let pairwise = bob.contacts()[0].mailboxes()[0];
    (bob, pairwise)
}

/// Group `junk`: `Account::receive` of junk (SPEC.md section 15.2) at an
/// account with 1 and with 1,000 contacts. At the published mailbox: a
/// sealed-envelope-shaped junk with the right mailbox, so the one envelope
/// open runs up to `c1` (one DH) and fails; at a pairwise mailbox: a
/// light-envelope-shaped junk, tried by that one contact's sessions only
/// (no public-key operation). Neither may depend on the number of contacts.
fn junk(c: &mut Criterion) {
    let p = parties(true);
    let ip = impl_parties(&p);
    let mut g = config(c, "junk");
    let mut r = rng(15);
    for n in [1usize, 1000] {
        let (mut bob, pairwise) = bob_with_contacts(&p, &ip, n);
        let mut sealed = vec![0x01];
        sealed.extend_from_slice(&p.bob_mailbox);
        sealed.extend(xchat_benches::vec_bytes(&mut r, 32 + 163 + 400));
        let mut light = vec![0x01, 0x03];
        light.extend_from_slice(&pairwise);
        light.extend(xchat_benches::vec_bytes(&mut r, 81 + 256 + 16));
        for (name, mailbox, envelope) in [
            ("sealed", p.bob_mailbox, &sealed),
            ("light", pairwise, &light),
        ] {
            assert_eq!(
                bob.receive(&mailbox, envelope, &mut r).unwrap_err().kind(),
                xchat::Error::AuthenticationFailed
            );
            g.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| bob.receive(&mailbox, envelope, &mut r).unwrap_err())
            });
        }
    }
    g.finish();
}

criterion_group!(
    benches,
    handshake,
    message,
    round_trip,
    envelope_group,
    pairwise,
    junk
);
criterion_main!(benches);
