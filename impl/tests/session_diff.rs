//! Differential tests of the implementation's sessions and ratchets
//! against the executable specification.
//!
//! * The ratchet pair: both ratchets of a session, spec and implementation,
//!   driven in lockstep over random operations, every body and every error
//!   kind equal, and the states equal through the documented export.
//! * Session export and import: garbage and every mutation of real exports
//!   are `InvalidState` (or re-export exactly), never a panic.
//!
//! The whole-protocol differential test (accounts, routing, handshakes, over
//! random multi-party schedules) runs both sides through the conformance
//! adapters: `vectors/tests/session_diff.rs`.
//!
//! The number of random cases is 256 by default; `PROPTEST_CASES`
//! overrides it (impl/README.md, "Differential testing").

#[path = "../../spec/tests/common/mod.rs"]
mod common;

use std::collections::VecDeque;
use std::convert::Infallible;

use proptest::prelude::*;
use rand_core::{TryCryptoRng, TryRng};

use xchat::account::Account;
use xchat::bundle::{self, PqKind, PqPrekeySecret, PrekeyStore};
use xchat::content::Content;
use xchat::handle::parse_handle;
use xchat::identity::IdentitySecret;
use xchat::session::Session;
use xchat_spec::scenario::draw;

/// Deterministic test randomness: `draw(seed, "session_diff rng", n)`,
/// 32 bytes at a time.
struct CounterRng {
    n: u32,
    buf: VecDeque<u8>,
}

impl TryRng for CounterRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for b in dst {
            if self.buf.is_empty() {
                self.buf
                    .extend(draw(&[3u8; 32], b"session_diff rng", self.n));
                self.n += 1;
            }
            *b = self.buf.pop_front().unwrap_or(0);
        }
        Ok(())
    }
}

impl TryCryptoRng for CounterRng {}

/// Two impl sessions in the middle of a conversation: skipped keys in two
/// chains on Bob's side, Alice's prekey phase over.
fn mid_session() -> (Session, Session) {
    let mut rng = CounterRng {
        n: 0,
        buf: VecDeque::new(),
    };
    let alice_id = IdentitySecret::from_randomness(parse_handle(b"alice").unwrap(), &[1; 64]);
    let bob_id = IdentitySecret::from_randomness(parse_handle(b"bob").unwrap(), &[2; 64]);
    let mut store = PrekeyStore::new(1, &[3; 32]);
    store.add_one_time_prekey(7, &[4; 32]);
    store.add_pq_prekey(PqPrekeySecret::from_randomness(
        3,
        PqKind::LastResort,
        &[5; 64],
    ));
    let verified = bundle::make_bundle(&bob_id, &store, Some(7), 3)
        .unwrap()
        .verify()
        .unwrap();
    let (a_box, b_box) = ([1u8; 16], [2u8; 16]);
    let mut alice = Account::new(alice_id, PrekeyStore::new(0, &[0; 32]), a_box);
    let mut bob = Account::new(bob_id, store, b_box);
    let (a_handle, b_handle) = (
        parse_handle(b"alice").unwrap(),
        parse_handle(b"bob").unwrap(),
    );
    alice.start(&b_handle, &verified, &mut rng).unwrap();
    let text = |t: &str| Content::Text(t.to_string());
    let a: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            alice
                .send(&b_handle, &text(&format!("a{i}")), &b_box, &mut rng)
                .unwrap()
                .envelope
        })
        .collect();
    bob.receive(&b_box, &a[2], &mut rng).unwrap();
    let b: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            bob.send(&a_handle, &text(&format!("b{i}")), &a_box, &mut rng)
                .unwrap()
                .envelope
        })
        .collect();
    alice.receive(&a_box, &b[2], &mut rng).unwrap();
    // Bob offers a pairwise mailbox, so Alice's session exports one and
    // her next messages go in light envelopes.
    let offer = bob.offer_mailbox(&a_handle, &a_box, &mut rng).unwrap();
    alice
        .receive(&offer.mailbox, &offer.envelope, &mut rng)
        .unwrap();
    let a3 = alice
        .send(&b_handle, &text("a3"), &b_box, &mut rng)
        .unwrap();
    assert_eq!(&a3.mailbox, &bob.contacts()[0].mailboxes()[0]);
    let a3 = a3.envelope;
    let _a4 = alice
        .send(&b_handle, &text("a4"), &b_box, &mut rng)
        .unwrap();
    let pairwise = bob.contacts()[0].mailboxes()[0];
    bob.receive(&pairwise, &a3, &mut rng).unwrap();
    assert!(alice.contacts()[0]
        .current()
        .unwrap()
        .peer_mailbox()
        .is_some());
    let current = |acct: &Account| acct.contacts()[0].current().unwrap().clone();
    (current(&alice), current(&bob))
}

/// 256 random sessions by default; `PROPTEST_CASES` overrides (0 fails).
fn cases() -> u32 {
    common::proptest_cases(256)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases().saturating_mul(4),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random bytes never import (and never panic), with or without the
    /// version byte in front.
    #[test]
    fn import_garbage_is_invalid_state(mut bytes in prop::collection::vec(any::<u8>(), 0..600), versioned in any::<bool>()) {
        if versioned && !bytes.is_empty() {
            bytes[0] = xchat::session::EXPORT_VERSION;
        }
        let r = Session::import(&bytes);
        prop_assert!(matches!(r, Err(xchat::Error::InvalidState)), "{:?}", r.map(|_| ()));
    }
}

/// Every truncation, a trailing byte, every other version byte and every
/// single-byte change of real exports: `InvalidState` or, if the change
/// lands in key material, a state whose export is exactly the input. Never
/// a panic.
#[test]
fn import_mutations_of_real_exports() {
    let (alice, bob) = mid_session();
    assert!(bob.skipped_keys() > 0);
    let mut checked = 0;
    for session in [&alice, &bob] {
        let bytes = session.export().to_vec();
        assert!(Session::import(&bytes).is_ok());
        for len in 0..bytes.len() {
            assert_eq!(
                Session::import(&bytes[..len]).unwrap_err(),
                xchat::Error::InvalidState
            );
            checked += 1;
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Session::import(&longer).unwrap_err(),
            xchat::Error::InvalidState
        );
        for v in [0x00u8, 0x01, 0x03, 0xff] {
            let mut b = bytes.clone();
            b[0] = v;
            assert_eq!(Session::import(&b).unwrap_err(), xchat::Error::InvalidState);
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            if let Ok(s) = Session::import(&b) {
                assert_eq!(*s.export(), b, "non-canonical import at byte {i}");
            }
            checked += 1;
        }
    }
    println!("import mutations: {checked} cases");
    assert!(checked > 1000);
}

/// Both ratchets of a pair, spec and implementation, driven in lockstep.
struct RatchetPair {
    spec: [xchat_spec::ratchet::RatchetState; 2],
    imp: [xchat::ratchet::RatchetState; 2],
    /// Every body sent: (recipient, body).
    wire: Vec<(usize, Vec<u8>)>,
    counter: u32,
    log: Vec<String>,
}

const RATCHET_AD: [u8; 32] = [7u8; 32];
const RATCHET_PREFIX: [u8; 2] = [0x01, 0x02];

fn det(label: &str, n: u32) -> [u8; 32] {
    draw(&[5u8; 32], label.as_bytes(), n)
}

impl RatchetPair {
    fn new() -> Self {
        let (sk, hka, nhkb) = (det("sk", 0), det("hka", 0), det("nhkb", 0));
        let (alice_secret, bob_secret) = (det("alice", 0), det("bob", 0));
        let bob_pub = xchat::crypto::x25519::public_key(&bob_secret);
        let spec = [
            xchat_spec::ratchet::init_alice(&sk, &bob_pub, &hka, &nhkb, &alice_secret).unwrap(),
            xchat_spec::ratchet::init_bob(&sk, &bob_secret, &hka, &nhkb),
        ];
        let imp = [
            xchat::ratchet::RatchetState::init_alice(&sk, &bob_pub, &hka, &nhkb, &alice_secret)
                .unwrap(),
            xchat::ratchet::RatchetState::init_bob(&sk, &bob_secret, &bob_pub, &hka, &nhkb),
        ];
        RatchetPair {
            spec,
            imp,
            wire: Vec::new(),
            counter: 0,
            log: Vec::new(),
        }
    }

    fn check_states(&self) {
        for p in 0..2 {
            assert!(
                *self.imp[p].export() == spec_ratchet_export(&self.spec[p]),
                "ratchet state of party {p} differs after {:?}",
                self.log.last()
            );
            assert_eq!(self.imp[p].skipped_len(), self.spec[p].mkskipped.len());
        }
    }

    /// Party `from` sends one message; returns its wire index.
    fn send(&mut self, from: usize) -> Option<usize> {
        self.counter += 1;
        let nonce: [u8; 24] = det("nonce", self.counter)[..24].try_into().unwrap();
        let pt = format!("msg {}", self.counter).into_bytes();
        let s = xchat_spec::ratchet::encrypt(
            &self.spec[from],
            &RATCHET_AD,
            &RATCHET_PREFIX,
            &pt,
            &nonce,
        );
        let i = self.imp[from].encrypt(&RATCHET_AD, &RATCHET_PREFIX, &pt, &nonce);
        let index = match (s, i) {
            (Ok((state, body)), Ok(pending)) => {
                assert_eq!(body, pending.message(), "ratchet body");
                self.spec[from] = state;
                pending.commit();
                self.wire.push((1 - from, body));
                Some(self.wire.len() - 1)
            }
            (Err(e), Err(f)) => {
                assert_eq!(format!("{e:?}"), f.kind_name());
                None
            }
            (s, i) => panic!(
                "send: spec {:?} vs impl {:?}",
                s.map(|x| x.1),
                i.map(|p| p.message().to_vec())
            ),
        };
        self.log.push(format!("send from {from} -> {index:?}"));
        self.check_states();
        index
    }

    /// Delivers wire message `index`, optionally tampered; returns the
    /// outcome as a string (plaintext or error kind).
    fn deliver(&mut self, index: usize, tamper: Option<(usize, u8)>) -> String {
        let (to, mut body) = self.wire[index].clone();
        if let Some((byte, mask)) = tamper {
            let at = byte % body.len();
            body[at] ^= mask.max(1);
        }
        self.counter += 1;
        let secret = det("secret", self.counter);
        let s = xchat_spec::ratchet::decrypt(
            &self.spec[to],
            &RATCHET_AD,
            &RATCHET_PREFIX,
            &body,
            &secret,
        );
        let i = self.imp[to].decrypt(&RATCHET_AD, &RATCHET_PREFIX, &body, &secret);
        let out = match (s, i) {
            (Ok((state, pt)), Ok(pending)) => {
                assert_eq!(pt, pending.plaintext(), "plaintext");
                self.spec[to] = state;
                drop(pending.commit());
                String::from_utf8(pt).unwrap()
            }
            (Err(e), Err(f)) => {
                assert_eq!(
                    format!("{e:?}"),
                    f.kind_name(),
                    "error kind delivering {index}"
                );
                f.kind_name().to_string()
            }
            (s, i) => panic!(
                "deliver {index}: spec {:?} vs impl {:?}",
                s.map(|x| x.1),
                i.map(|p| p.plaintext().to_vec())
            ),
        };
        self.log
            .push(format!("deliver {index} tamper {tamper:?} -> {out}"));
        self.check_states();
        out
    }
}

/// Skipped-key eviction across three chains (REQ-RATCHET-005): 1000 keys
/// skipped in each of two chains, then 500 more evict the oldest 500; a
/// message whose key was evicted but whose chain still has keys is
/// `Replay`, one from a fully evicted chain `AuthenticationFailed`, late
/// messages with kept keys decrypt; states equal the spec's throughout.
#[test]
fn ratchet_differential_eviction() {
    let mut p = RatchetPair::new();
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for (round, last) in [(0, 1000usize), (1, 1000), (2, 500)] {
        let sent: Vec<usize> = (0..=last).map(|_| p.send(0).unwrap()).collect();
        assert!(
            p.deliver(sent[last], None).starts_with("msg"),
            "round {round}"
        );
        chains.push(sent);
        let back = p.send(1).unwrap();
        assert!(p.deliver(back, None).starts_with("msg"));
    }
    assert_eq!(p.imp[1].skipped_len(), xchat::ratchet::MAX_SKIPPED_TOTAL);
    // Chain 0 kept only its keys 500..999.
    assert_eq!(p.deliver(chains[0][3], None), "Replay");
    assert!(p.deliver(chains[0][700], None).starts_with("msg"));
    assert_eq!(p.deliver(chains[0][700], None), "Replay");
    assert!(p.deliver(chains[1][5], None).starts_with("msg"));
    assert!(p.deliver(chains[2][499], None).starts_with("msg"));
    assert_eq!(p.deliver(chains[2][499], None), "Replay");
    assert_eq!(
        p.deliver(chains[2][10], Some((100, 0x80))),
        "AuthenticationFailed"
    );
    assert!(p.deliver(chains[2][10], None).starts_with("msg"));
    // Three more rounds of 1000 evict chain 0 completely.
    for _ in 0..2 {
        let sent: Vec<usize> = (0..=1000).map(|_| p.send(0).unwrap()).collect();
        p.deliver(sent[1000], None);
        let back = p.send(1).unwrap();
        p.deliver(back, None);
    }
    assert_eq!(p.deliver(chains[0][800], None), "AuthenticationFailed");
    println!("ratchet eviction: {} operations checked", p.log.len());
}

/// REQ-RATCHET-009, message body AEAD: a restored state (a clone of the
/// implementation's state, as after a backup or VM snapshot) encrypting two
/// different plaintexts with the same `r` gets two different header nonces,
/// so two different body nonces under the one message key, and ciphertexts
/// that are not XOR-related; the same plaintext gives identical bytes; a
/// fresh `r` gives a fresh nonce. Every body equals the spec's and decrypts.
#[test]
fn ratchet_restored_state_repeated_r_body_aead() {
    let mut p = RatchetPair::new();
    let first = p.send(0).unwrap();
    assert!(p.deliver(first, None).starts_with("msg"));
    let restored = p.imp[0].clone();
    let r = [0x42u8; 24];
    let (p1, p2) = (b"attack at dawn!!".to_vec(), b"retreat at nine!".to_vec());
    let seal = |st: &xchat::ratchet::RatchetState, pt: &[u8], r: &[u8; 24]| {
        // On a copy: the state under test stays where it is.
        let body = st
            .clone()
            .encrypt(&RATCHET_AD, &RATCHET_PREFIX, pt, r)
            .unwrap()
            .discard();
        let (_, spec_body) =
            xchat_spec::ratchet::encrypt(&p.spec[0], &RATCHET_AD, &RATCHET_PREFIX, pt, r).unwrap();
        assert_eq!(body, spec_body);
        body
    };
    let b1 = seal(&p.imp[0], &p1, &r);
    let b2 = seal(&restored, &p2, &r);
    assert_ne!(b1[..24], b2[..24]);
    assert_ne!(b1[..12], b2[..12]);
    let ct_xor: Vec<u8> = (0..p1.len()).map(|i| b1[81 + i] ^ b2[81 + i]).collect();
    let pt_xor: Vec<u8> = (0..p1.len()).map(|i| p1[i] ^ p2[i]).collect();
    assert_ne!(ct_xor, pt_xor);
    assert_eq!(seal(&restored, &p1, &r), b1);
    let fresh = seal(&restored, &p1, &[0x43u8; 24]);
    assert_ne!(fresh[..24], b1[..24]);
    assert_ne!(fresh[81..], b1[81..]);
    for (body, pt) in [(&b1, &p1), (&b2, &p2), (&fresh, &p1)] {
        let pending = p.imp[1]
            .decrypt(&RATCHET_AD, &RATCHET_PREFIX, body, &det("secret", 99))
            .unwrap();
        assert_eq!(pending.plaintext(), &pt[..]);
    }
}

/// REQ-RATCHET-001: `HDECRYPT` of an input that is not exactly 81 bytes
/// gives nothing, like a failed open, in the implementation as in the spec,
/// even when the input starts or ends with a valid encrypted header.
#[test]
fn hdecrypt_other_lengths_give_nothing() {
    let hk = det("hk", 0);
    let h = xchat::ratchet::header(&det("dh", 0), 3, 4);
    let enc = xchat::ratchet::hencrypt(&hk, &h, &[9u8; 24]);
    assert_eq!(enc, xchat_spec::ratchet::hencrypt(&hk, &h, &[9u8; 24]));
    let padded = [enc.clone(), enc.clone()].concat();
    for len in 0..=padded.len() {
        for input in [&padded[..len], &padded[padded.len() - len..]] {
            let ours = xchat::ratchet::hdecrypt(&hk, input).map(|h| (h.dh, h.pn, h.n));
            let spec = xchat_spec::ratchet::hdecrypt(&hk, input).map(|h| (h.dh, h.pn, h.n));
            assert_eq!(ours, spec, "length {len}");
            assert_eq!(ours.is_some(), len == 81, "length {len}");
        }
    }
}

/// REQ-RATCHET-009, header XAEAD: two messages of one sending chain (one
/// header key) encrypted with the same `r` and the same plaintext get
/// different header nonces; both equal the spec's bodies.
#[test]
fn ratchet_repeated_r_one_chain_header_aead() {
    let p = RatchetPair::new();
    let (mut imp, mut spec) = (p.imp[0].clone(), p.spec[0].clone());
    let r = [0x42u8; 24];
    let mut nonces = Vec::new();
    for _ in 0..3 {
        let body = imp
            .encrypt(&RATCHET_AD, &RATCHET_PREFIX, b"same", &r)
            .unwrap()
            .commit();
        let (next, spec_body) =
            xchat_spec::ratchet::encrypt(&spec, &RATCHET_AD, &RATCHET_PREFIX, b"same", &r).unwrap();
        assert_eq!(body, spec_body);
        spec = next;
        assert_ne!(body[..24], r[..]);
        nonces.push(body[..24].to_vec());
    }
    assert_eq!(spec.hks, p.spec[0].hks);
    assert_ne!(nonces[0], nonces[1]);
    assert_ne!(nonces[1], nonces[2]);
    assert_ne!(nonces[0], nonces[2]);
}

#[derive(Clone, Debug)]
enum ROp {
    Send { from: usize, count: usize },
    Deliver { index: usize },
    Tamper { index: usize, byte: usize, mask: u8 },
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random ratchet-level schedules with bursts (skips up to and beyond
    /// `MAX_SKIP` within a chain): bodies, plaintexts, error kinds and the
    /// whole states (skipped keys included) equal the spec's.
    #[test]
    fn ratchet_differential_random(ops in prop::collection::vec(prop_oneof![
        4 => (0usize..2, prop_oneof![9 => 1usize..4, 1 => 995usize..1005])
            .prop_map(|(from, count)| ROp::Send { from, count }),
        6 => (0usize..64).prop_map(|index| ROp::Deliver { index }),
        1 => (0usize..64, any::<usize>(), any::<u8>())
            .prop_map(|(index, byte, mask)| ROp::Tamper { index, byte, mask }),
    ], 1..40)) {
        let mut p = RatchetPair::new();
        for op in &ops {
            match *op {
                ROp::Send { from, count } => {
                    for _ in 0..count {
                        p.send(from);
                    }
                }
                ROp::Deliver { index } => {
                    if let Some(i) = index.checked_rem(p.wire.len()) {
                        p.deliver(i, None);
                    }
                }
                ROp::Tamper { index, byte, mask } => {
                    if let Some(i) = index.checked_rem(p.wire.len()) {
                        p.deliver(i, Some((byte, mask)));
                    }
                }
            }
        }
    }
}

/// The spec's ratchet state in the implementation's export format (impl/src/session.rs).
fn spec_ratchet_export(r: &xchat_spec::ratchet::RatchetState) -> Vec<u8> {
    let mut out = Vec::new();
    let flags = u8::from(r.dhr.is_some())
        | (u8::from(r.cks.is_some()) << 1)
        | (u8::from(r.ckr.is_some()) << 2)
        | (u8::from(r.hks.is_some()) << 3)
        | (u8::from(r.hkr.is_some()) << 4);
    out.push(flags);
    out.extend_from_slice(&r.dhs_secret);
    for k in [r.dhr, r.cks, r.ckr, r.hks, r.hkr].into_iter().flatten() {
        out.extend_from_slice(&k);
    }
    out.extend_from_slice(&r.rk);
    out.extend_from_slice(&r.nhks);
    out.extend_from_slice(&r.nhkr);
    for x in [r.ns, r.nr, r.pn] {
        out.extend_from_slice(&x.to_be_bytes());
    }
    // Runs of equal header keys are the chains.
    type Chain<'a> = (&'a [u8; 32], Vec<(u32, &'a [u8; 32])>);
    let mut chains: Vec<Chain<'_>> = Vec::new();
    for e in &r.mkskipped {
        match chains.last_mut() {
            Some((hk, keys)) if **hk == e.hk => keys.push((e.n, &e.mk)),
            _ => chains.push((&e.hk, vec![(e.n, &e.mk)])),
        }
    }
    out.extend_from_slice(&(chains.len() as u32).to_be_bytes());
    for (hk, keys) in chains {
        out.extend_from_slice(hk);
        out.extend_from_slice(&(keys.len() as u32).to_be_bytes());
        for (n, mk) in keys {
            out.extend_from_slice(&n.to_be_bytes());
            out.extend_from_slice(mk);
        }
    }
    out
}
