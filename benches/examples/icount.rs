//! Instruction counts of one 1 KiB message after the handshake, for
//! machines too noisy for wall-clock ratios (benches/README.md, "Instruction
//! counts"): `icount MODE N` sets up two accounts as the `pairwise` group of
//! `benches/protocol.rs` does, then sends N messages from Alice to Bob and
//! receives each, where MODE is
//!
//! * `light`: through the application API, after both offered pairwise
//!   mailboxes (light envelopes, SPEC.md section 12.1);
//! * `sealed`: through the application API, sealed to the published mailbox;
//! * `floor`: the ratchet message floor of `benches/floor/mod.rs`.
//!
//! Run it under `valgrind --tool=callgrind` with N = 1 and N = 101: the
//! difference of the two totals, divided by 100, is the cost of one message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../benches/floor/mod.rs"]
mod floor;
use xchat::account::Account;
use xchat::content::Content;
use xchat_benches::{content, impl_parties, parties, rng};

fn main() {
    let mut args = std::env::args().skip(1);
    let (mode, n) = match (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    ) {
        (Some(m), Some(n)) if ["light", "sealed", "floor"].contains(&m.as_str()) => (m, n),
        _ => {
            eprintln!("usage: icount light|sealed|floor N");
            std::process::exit(2);
        }
    };
    let p = parties(true);
    let ip = impl_parties(&p);
    let f = floor::Fixture::new(&p, &parties(false));
    let raw = content(1024);
    let text = Content::Text(String::from_utf8(raw.clone()).unwrap());
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
        if mode == "floor" {
            let ck = f.key;
            let wire = floor::message_send(&f, &ck, &raw);
            std::hint::black_box(floor::message_receive(&f, &ck, &wire));
        } else {
            let o = alice
                .send(&ip.bob_handle, &text, &p.bob_mailbox, &mut r)
                .unwrap();
            bob.receive(&o.mailbox, &o.envelope, &mut r).unwrap();
        }
    }
}
