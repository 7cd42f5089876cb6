//! Instruction counts of the hot paths, for machines too noisy for
//! wall-clock ratios (benches/README.md, "Instruction counts"). `icount
//! MODE N` sets up the benchmarks' fixtures, then runs the operation of
//! MODE N times:
//!
//! | mode | one operation |
//! |---|---|
//! | `handshake-impl`, `handshake-spec`, `handshake-floor` | initiator (bundle with a one-time prekey, first message of 64 B) then responder |
//! | `message-impl`, `message-spec`, `message-floor` | a 1 KiB message on an established chain, encrypt + decrypt (the `message` group) |
//! | `light`, `sealed` | a 1 KiB message through `Account::send` and `Account::receive`, in a light envelope to a pairwise mailbox or sealed to the published mailbox (the `pairwise` group) |
//! | `sealed-floor` | the sealed path's floor: ratchet floor + envelope with `DHs` remembered |
//! | `attachment-impl`, `attachment-spec`, `attachment-floor` | seal + open of a 1 MiB attachment, one thread (`seal_into` / `open_into` for the impl) |
//!
//! `benches/icount.sh` runs every mode under `valgrind --tool=callgrind`
//! with two values of N and prints the difference per operation, so the
//! set-up cancels out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../benches/floor/mod.rs"]
mod floor;
use xchat::account::Account;
use xchat::content::{Content, MediaKind};
use xchat::handshake::{self as ihs, PREKEY_PREFIX};
use xchat_benches::{bytes, content, impl_parties, parties, rng, vec_bytes, ImplParties};
use xchat_spec::{padding, ratchet, session};

const MODES: [&str; 12] = [
    "handshake-impl",
    "handshake-spec",
    "handshake-floor",
    "message-impl",
    "message-spec",
    "message-floor",
    "light",
    "sealed",
    "sealed-floor",
    "attachment-impl",
    "attachment-spec",
    "attachment-floor",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let (mode, n) = match (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    ) {
        (Some(m), Some(n)) if MODES.contains(&m.as_str()) => (m, n),
        _ => {
            eprintln!("usage: icount {} N", MODES.join("|"));
            std::process::exit(2);
        }
    };
    match mode.as_str() {
        "handshake-impl" | "handshake-spec" | "handshake-floor" => handshake(&mode, n),
        "message-impl" | "message-spec" | "message-floor" => message(&mode, n),
        "light" | "sealed" | "sealed-floor" => account(&mode, n),
        _ => attachment(&mode, n),
    }
}

fn handshake(mode: &str, n: usize) {
    let p = parties(true);
    let ip = impl_parties(&p);
    let f = floor::Fixture::new(&p, &parties(false));
    let hello = content(64);
    let mut r = rng(2);
    let (s1, s2, s3, nonce): ([u8; 32], [u8; 32], [u8; 32], [u8; 24]) =
        (bytes(&mut r), bytes(&mut r), bytes(&mut r), bytes(&mut r));
    for _ in 0..n {
        match mode {
            "handshake-impl" => {
                let (mut state, header, ad) =
                    ihs::initiate_unverified(&ip.alice, &ip.bob_handle, &ip.bundle, &s1, &s2, &s3)
                        .unwrap();
                let padded = xchat::padding::pad(&hello).unwrap();
                let body = state
                    .encrypt(&ad, &PREKEY_PREFIX, &padded, &nonce)
                    .unwrap()
                    .commit();
                let message = ihs::encode_prekey_message(&header, &body);
                std::hint::black_box(ihs::respond(&ip.bob, &ip.store, &message, &s3).unwrap());
            }
            "handshake-spec" => {
                let s = session::start(&p.alice, &p.bob.handle, &p.bundle, &s1, &s2, &s3).unwrap();
                let (_, message) = session::encrypt(&s, &padding::pad(&hello), &nonce).unwrap();
                std::hint::black_box(session::accept(&p.bob, &p.store, &message, &s3).unwrap());
            }
            _ => {
                let (wire, ck) = floor::handshake_initiator(&f, true, &hello);
                std::hint::black_box(floor::handshake_responder(&f, true, &wire, &ck));
            }
        }
    }
}

fn message(mode: &str, n: usize) {
    let p = parties(true);
    let ip = impl_parties(&p);
    let f = floor::Fixture::new(&p, &parties(false));
    let text = content(1024);
    let mut r = rng(3);
    let (nonce, secret): ([u8; 24], [u8; 32]) = (bytes(&mut r), bytes(&mut r));
    match mode {
        "message-impl" => {
            let (mut a, mut b, ad) = established_impl(&ip);
            for _ in 0..n {
                let padded = xchat::padding::pad(&text).unwrap();
                let body = a.encrypt(&ad, &[1, 2], &padded, &nonce).unwrap().commit();
                let out = b.decrypt(&ad, &[1, 2], &body, &secret).unwrap().commit();
                std::hint::black_box(xchat::padding::unpad(&out).unwrap());
            }
        }
        "message-spec" => {
            let (alice, bob) = xchat_benches::established_spec(&p);
            let ad = alice.ad;
            let (mut a, mut b) = (alice.ratchet, bob.ratchet);
            for _ in 0..n {
                let padded = padding::pad(&text);
                let (a2, m) = ratchet::encrypt_message(&a, &ad, &padded, &nonce).unwrap();
                let (b2, out) = ratchet::decrypt_message(&b, &ad, &m, &secret).unwrap();
                (a, b) = (a2, b2);
                std::hint::black_box(padding::unpad(&out).unwrap());
            }
        }
        _ => {
            let ck = f.key;
            for _ in 0..n {
                let wire = floor::message_send(&f, &ck, &text);
                std::hint::black_box(floor::message_receive(&f, &ck, &wire));
            }
        }
    }
}

/// The `message` group's established implementation chain.
fn established_impl(
    ip: &ImplParties,
) -> (
    xchat::ratchet::RatchetState,
    xchat::ratchet::RatchetState,
    [u8; 32],
) {
    let mut r = rng(1);
    let (s1, s2, s3, s4): ([u8; 32], [u8; 32], [u8; 32], [u8; 32]) =
        (bytes(&mut r), bytes(&mut r), bytes(&mut r), bytes(&mut r));
    let n: [u8; 24] = bytes(&mut r);
    let hello = xchat::padding::pad(b"hello").unwrap();
    let (mut a, header, ad) =
        ihs::initiate_unverified(&ip.alice, &ip.bob_handle, &ip.bundle, &s1, &s2, &s3).unwrap();
    let body = a.encrypt(&ad, &PREKEY_PREFIX, &hello, &n).unwrap().commit();
    let message = ihs::encode_prekey_message(&header, &body);
    let mut b = ihs::respond(&ip.bob, &ip.store, &message, &s4)
        .unwrap()
        .state;
    let body = b.encrypt(&ad, &[1, 2], &hello, &n).unwrap().commit();
    drop(a.decrypt(&ad, &[1, 2], &body, &s1).unwrap().commit());
    (a, b, ad)
}

fn account(mode: &str, n: usize) {
    let p = parties(true);
    let ip = impl_parties(&p);
    let f = floor::Fixture::new(&p, &parties(false));
    let raw = content(1024);
    if mode == "sealed-floor" {
        let ck = f.key;
        let static_dh = floor::dh(&f.alice_ik, &f.bob_ik_pub);
        let alice_identity = xchat_spec::identity::encode(&p.alice_public);
        for _ in 0..n {
            std::hint::black_box(floor::sealed_message(
                &f,
                &ck,
                &raw,
                &alice_identity,
                &static_dh,
            ));
        }
        return;
    }
    let text = Content::Text(String::from_utf8(raw).unwrap());
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
    let o = alice
        .send(&ip.bob_handle, &text, &p.bob_mailbox, &mut r)
        .unwrap();
    bob.receive(&o.mailbox, &o.envelope, &mut r).unwrap();
    let o = bob
        .send(&alice_handle, &text, &p.alice_mailbox, &mut r)
        .unwrap();
    alice.receive(&o.mailbox, &o.envelope, &mut r).unwrap();
    if mode == "light" {
        let o = bob
            .offer_mailbox(&alice_handle, &p.alice_mailbox, &mut r)
            .unwrap();
        alice.receive(&o.mailbox, &o.envelope, &mut r).unwrap();
        assert!(alice.contacts()[0]
            .current()
            .unwrap()
            .peer_mailbox()
            .is_some());
    }
    for _ in 0..n {
        let o = alice
            .send(&ip.bob_handle, &text, &p.bob_mailbox, &mut r)
            .unwrap();
        bob.receive(&o.mailbox, &o.envelope, &mut r).unwrap();
    }
}

fn attachment(mode: &str, n: usize) {
    let mut r = rng(6);
    let file = vec_bytes(&mut r, 1 << 20);
    let key: [u8; 32] = bytes(&mut r);
    match mode {
        "attachment-impl" => {
            // One thread: the pool of the calling thread only.
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .unwrap();
            let (mut sealed, mut opened) = (Vec::new(), Vec::new());
            pool.install(|| {
                for _ in 0..n {
                    let ptr =
                        xchat::attachment::seal_into(MediaKind::File, &mut r, &file, &mut sealed)
                            .unwrap();
                    xchat::attachment::open_into(&ptr, &sealed, &mut opened).unwrap();
                }
            });
        }
        "attachment-spec" => {
            use xchat_spec::{attachment, content};
            for _ in 0..n {
                let (ptr, ct) = attachment::seal(content::MediaKind::File, &key, &file);
                std::hint::black_box(attachment::open(&ptr, &ct).unwrap());
            }
        }
        _ => {
            for _ in 0..n {
                let ct = floor::attachment_seal(&key, &file);
                std::hint::black_box(floor::attachment_open(&key, &ct));
            }
        }
    }
}
