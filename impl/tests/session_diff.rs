//! Differential protocol test: the implementation's sessions against the
//! executable specification's session runner (`xchat_spec::session`).
//!
//! A runner mirroring `xchat_spec::session::run` drives `xchat::session`
//! through the same setup (every key from the same seed-derived bytes, fed to
//! the implementation through a replaying RNG that must be drained exactly)
//! and the same event schedule. Every wire byte, every decrypted content,
//! every error kind and both parties' final states (sessions compared
//! through the documented export format, stores through theirs) must equal
//! the spec's transcript. Every rejected delivery must leave the recipient's
//! exported session and store byte-identical (REQ-SESSION-002).
//!
//! The number of random schedules is 256 by default; `PROPTEST_CASES`
//! overrides it (impl/README.md, "Differential testing").

use std::collections::VecDeque;
use std::convert::Infallible;

use proptest::prelude::*;
use rand_core::{TryCryptoRng, TryRng};

use xchat::bundle::{self, PqKind, PqPrekeySecret, PrekeyStore};
use xchat::content::Content;
use xchat::handle::parse_handle;
use xchat::identity::IdentitySecret;
use xchat::session::Session;
use xchat_spec::session::{draw, Event, Outcome, Party, Setup, Transcript};

/// An RNG that hands out exactly the bytes it was given, in order.
struct ReplayRng {
    bytes: VecDeque<u8>,
}

impl ReplayRng {
    fn new(parts: &[&[u8]]) -> Self {
        ReplayRng {
            bytes: parts.iter().flat_map(|p| p.iter().copied()).collect(),
        }
    }

    fn drained(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl TryRng for ReplayRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        panic!("the implementation must draw bytes with fill_bytes only")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        panic!("the implementation must draw bytes with fill_bytes only")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for b in dst {
            *b = self
                .bytes
                .pop_front()
                .expect("the implementation draws more randomness than the spec");
        }
        Ok(())
    }
}

impl TryCryptoRng for ReplayRng {}

fn draw64(seed: &[u8; 32], purpose: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&draw(seed, purpose, 0));
    out[32..].copy_from_slice(&draw(seed, purpose, 1));
    out
}

fn draw16(seed: &[u8; 32], purpose: &[u8]) -> [u8; 16] {
    draw(seed, purpose, 0)[..16].try_into().unwrap()
}

fn impl_kind(k: xchat_spec::bundle::PqKind) -> PqKind {
    match k {
        xchat_spec::bundle::PqKind::OneTime => PqKind::OneTime,
        xchat_spec::bundle::PqKind::LastResort => PqKind::LastResort,
    }
}

/// One party on the implementation's side.
struct ImplParty {
    identity: IdentitySecret,
    mailbox: [u8; 16],
    store: PrekeyStore,
    session: Option<Session>,
    draws: u32,
}

/// The implementation's setup, from the same seed-derived bytes as
/// `xchat_spec::session::set_up`. Returns both parties and Bob's bundle.
fn impl_set_up(setup: &Setup) -> (ImplParty, ImplParty, bundle::Bundle) {
    let seed = &setup.seed;
    let alice_id = IdentitySecret::from_randomness(
        parse_handle(b"alice").unwrap(),
        &draw64(seed, b"alice identity"),
    );
    let bob_id = IdentitySecret::from_randomness(
        parse_handle(b"bob").unwrap(),
        &draw64(seed, b"bob identity"),
    );
    let mut dz = [0u8; 64];
    dz[..32].copy_from_slice(&draw(seed, b"bob pq prekey d", 0));
    dz[32..].copy_from_slice(&draw(seed, b"bob pq prekey z", 0));
    let mut store = PrekeyStore::new(1, &draw(seed, b"bob signed prekey", 0));
    if setup.with_opk {
        store.add_one_time_prekey(7, &draw(seed, b"bob one-time prekey", 0));
    }
    store.add_pq_prekey(PqPrekeySecret::from_randomness(
        3,
        impl_kind(setup.pq_kind),
        &dz,
    ));
    let opk_id = setup.with_opk.then_some(7);
    let bob_bundle = bundle::make_bundle(&bob_id, &store, opk_id, 3).unwrap();
    let verified = bob_bundle.clone().verify().unwrap();
    let mut rng = ReplayRng::new(&[
        &draw(seed, b"alice handshake ephemeral", 0),
        &draw(seed, b"alice handshake kem", 0),
        &draw(seed, b"alice handshake ratchet", 0),
    ]);
    let session = Session::initiate(
        &alice_id,
        &parse_handle(b"bob").unwrap(),
        &verified,
        &mut rng,
    )
    .unwrap();
    assert!(rng.drained(), "initiate must draw exactly 3 x 32 bytes");
    let alice = ImplParty {
        identity: alice_id,
        mailbox: draw16(seed, b"alice mailbox"),
        store: PrekeyStore::new(0, &[0u8; 32]),
        session: Some(session),
        draws: 0,
    };
    let bob = ImplParty {
        identity: bob_id,
        mailbox: draw16(seed, b"bob mailbox"),
        store,
        session: None,
        draws: 0,
    };
    (alice, bob, bob_bundle)
}

/// An outcome in a form both sides map to: contents as their encoding,
/// errors as their kind name.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Out {
    Sent {
        index: usize,
        from: Party,
    },
    SendFailed {
        from: Party,
        error: String,
    },
    Delivered {
        index: usize,
        to: Party,
        content: Vec<u8>,
    },
    Rejected {
        index: usize,
        to: Party,
        error: String,
    },
    Ignored,
}

fn from_spec(o: &Outcome) -> Out {
    match o {
        Outcome::Sent { index, from } => Out::Sent {
            index: *index,
            from: *from,
        },
        Outcome::SendFailed { from, error } => Out::SendFailed {
            from: *from,
            error: format!("{error:?}"),
        },
        Outcome::Delivered { index, to, content } => Out::Delivered {
            index: *index,
            to: *to,
            content: xchat_spec::content::encode(content),
        },
        Outcome::Rejected { index, to, error } => Out::Rejected {
            index: *index,
            to: *to,
            error: format!("{error:?}"),
        },
        Outcome::Ignored => Out::Ignored,
    }
}

/// What the implementation's run produced.
struct ImplRun {
    bundle: bundle::Bundle,
    wire: Vec<Vec<u8>>,
    outcomes: Vec<Out>,
    alice: ImplParty,
    bob: ImplParty,
}

/// Replaces the party's session by `import(export())`, checking the
/// export is canonical.
fn reimport(p: &mut ImplParty) {
    if let Some(s) = &p.session {
        let bytes = s.export();
        let again = Session::import(&bytes).expect("import of an export");
        assert_eq!(*again.export(), *bytes, "export/import round trip");
        p.session = Some(again);
    }
}

/// Mirrors `xchat_spec::session::run` on the implementation. After event
/// `i`, if `reimport_after[i]`, both sessions go through export/import.
fn impl_run(setup: &Setup, events: &[Event], reimport_after: &[bool]) -> ImplRun {
    let (mut alice, mut bob, bob_bundle) = impl_set_up(setup);
    let seed = setup.seed;
    let mut wire: Vec<Vec<u8>> = Vec::new();
    let mut recipients: Vec<Party> = Vec::new();
    let mut dropped: Vec<bool> = Vec::new();
    let mut outcomes = Vec::new();
    for (e, event) in events.iter().enumerate() {
        let outcome = match event {
            Event::Send { from, text } => {
                let (sender, mailbox) = match from {
                    Party::Alice => (&mut alice, bob.mailbox),
                    Party::Bob => (&mut bob, alice.mailbox),
                };
                let purpose: &[u8] = match from {
                    Party::Alice => b"alice send",
                    Party::Bob => b"bob send",
                };
                let content = Content::Text(String::from_utf8(text.clone()).unwrap());
                match &mut sender.session {
                    None => Out::SendFailed {
                        from: *from,
                        error: "UnknownSession".into(),
                    },
                    Some(session) => {
                        let d = sender.draws;
                        let mut rng = ReplayRng::new(&[
                            &draw(&seed, purpose, d.wrapping_mul(2))[..24],
                            &draw(&seed, purpose, d.wrapping_mul(2).wrapping_add(1)),
                        ]);
                        let before = session.export();
                        match session.send(&sender.identity, &content, &mailbox, &mut rng) {
                            Ok(sealed) => {
                                assert!(rng.drained(), "send must draw exactly 24 + 32 bytes");
                                sender.draws = d.wrapping_add(1);
                                wire.push(sealed);
                                recipients.push(xchat_spec::session::other(*from));
                                dropped.push(false);
                                Out::Sent {
                                    index: wire.len() - 1,
                                    from: *from,
                                }
                            }
                            Err(error) => {
                                assert_eq!(
                                    *session.export(),
                                    *before,
                                    "failed send changed the session"
                                );
                                Out::SendFailed {
                                    from: *from,
                                    error: error.kind_name().into(),
                                }
                            }
                        }
                    }
                }
            }
            Event::Drop { index } => {
                if *index < dropped.len() {
                    dropped[*index] = true;
                }
                Out::Ignored
            }
            Event::Deliver { index } | Event::Duplicate { index } | Event::Tamper { index, .. } => {
                if *index < wire.len() && !dropped[*index] {
                    let mut sealed = wire[*index].clone();
                    if let Event::Tamper { byte, mask, .. } = event {
                        if !sealed.is_empty() {
                            let at = byte % sealed.len();
                            sealed[at] ^= if *mask == 0 { 0x01 } else { *mask };
                        }
                    }
                    let to = recipients[*index];
                    let recipient = match to {
                        Party::Alice => &mut alice,
                        Party::Bob => &mut bob,
                    };
                    let purpose: &[u8] = match to {
                        Party::Alice => b"alice receive",
                        Party::Bob => b"bob receive",
                    };
                    let mut rng = ReplayRng::new(&[&draw(&seed, purpose, recipient.draws)]);
                    let before = (
                        recipient.session.as_ref().map(|s| s.export()),
                        recipient.store.to_bytes(),
                    );
                    match Session::receive(
                        &recipient.identity,
                        &recipient.mailbox,
                        recipient.session.as_mut(),
                        &mut recipient.store,
                        &sealed,
                        &mut rng,
                    ) {
                        Ok(received) => {
                            assert!(rng.drained(), "receive must draw exactly 32 bytes");
                            if let Some(s) = received.new_session {
                                recipient.session = Some(s);
                            }
                            recipient.draws = recipient.draws.wrapping_add(1);
                            Out::Delivered {
                                index: *index,
                                to,
                                content: xchat::content::encode(&received.content).unwrap(),
                            }
                        }
                        Err(error) => {
                            let after = (
                                recipient.session.as_ref().map(|s| s.export()),
                                recipient.store.to_bytes(),
                            );
                            assert!(
                                before.0.as_deref() == after.0.as_deref() && *before.1 == *after.1,
                                "a failed receive ({error:?}) changed the state (event {e})"
                            );
                            Out::Rejected {
                                index: *index,
                                to,
                                error: error.kind_name().into(),
                            }
                        }
                    }
                } else {
                    Out::Ignored
                }
            }
        };
        outcomes.push(outcome);
        if reimport_after.get(e).copied().unwrap_or(false) {
            reimport(&mut alice);
            reimport(&mut bob);
        }
    }
    ImplRun {
        bundle: bob_bundle,
        wire,
        outcomes,
        alice,
        bob,
    }
}

/// The spec's session in the implementation's export format (documented in
/// `xchat::session`): the differential check of whole states.
fn spec_session_export(s: &xchat_spec::conversation::Session) -> Vec<u8> {
    let mut out = vec![0x01];
    out.extend_from_slice(&xchat_spec::identity::encode(&s.peer));
    out.extend_from_slice(&s.ad);
    out.extend_from_slice(&s.ek);
    match &s.pending {
        Some(h) => {
            out.push(0x01);
            let encoded = xchat_spec::handshake::encode_prekey_message(h, &[]);
            out.extend_from_slice(&encoded[2..]);
        }
        None => out.push(0x00),
    }
    out.extend_from_slice(&spec_ratchet_export(&s.ratchet));
    out
}

/// The spec's ratchet state in the ratchet part of the export format.
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

/// The spec's prekey store in `PrekeyStore::to_bytes`'s format.
fn spec_store_bytes(st: &xchat_spec::bundle::PrekeyStore) -> Vec<u8> {
    let mut out = st.spk_id.to_be_bytes().to_vec();
    out.extend_from_slice(&st.spk_secret);
    out.extend_from_slice(&(st.opks.len() as u32).to_be_bytes());
    for (id, secret) in &st.opks {
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(secret);
    }
    out.extend_from_slice(&(st.pqpks.len() as u32).to_be_bytes());
    for pq in &st.pqpks {
        out.extend_from_slice(&pq.id.to_be_bytes());
        out.push(xchat_spec::bundle::kind_byte(pq.kind));
        out.extend_from_slice(&pq.ek);
        out.extend_from_slice(&pq.dk);
    }
    out
}

/// Runs both and compares everything; returns the spec's transcript.
fn compare(
    setup: &Setup,
    events: &[Event],
    reimport_after: &[bool],
) -> Result<Transcript, TestCaseError> {
    let spec = xchat_spec::session::run(setup, events).expect("spec runner");
    let imp = impl_run(setup, events, reimport_after);
    prop_assert_eq!(
        xchat::bundle::encode(&imp.bundle),
        xchat_spec::bundle::encode(&spec.bundle),
        "bundle bytes"
    );
    let spec_outcomes: Vec<Out> = spec.outcomes.iter().map(from_spec).collect();
    for (i, (a, b)) in imp.outcomes.iter().zip(&spec_outcomes).enumerate() {
        prop_assert_eq!(a, b, "outcome of event {} ({:?})", i, events[i]);
    }
    prop_assert_eq!(imp.outcomes.len(), spec_outcomes.len());
    prop_assert_eq!(imp.wire.len(), spec.wire.len());
    for (i, (a, b)) in imp.wire.iter().zip(&spec.wire).enumerate() {
        prop_assert!(a == b, "wire bytes of envelope {} differ", i);
    }
    for (name, ip, sp) in [
        ("alice", &imp.alice, &spec.alice),
        ("bob", &imp.bob, &spec.bob),
    ] {
        let ie = ip.session.as_ref().map(|s| s.export().to_vec());
        let se = sp.session.as_ref().map(spec_session_export);
        prop_assert!(ie == se, "final session of {} differs", name);
        prop_assert!(
            *ip.store.to_bytes() == spec_store_bytes(&sp.store),
            "final store of {}",
            name
        );
        prop_assert_eq!(ip.draws, sp.draws);
    }
    Ok(spec)
}

fn schedule(max_len: usize) -> impl Strategy<Value = Vec<Event>> {
    let text = "[a-zé ]{0,8}".prop_map(String::into_bytes);
    let index = 0usize..16;
    let event = prop_oneof![
        4 => text.clone().prop_map(|text| Event::Send { from: Party::Alice, text }),
        3 => text.prop_map(|text| Event::Send { from: Party::Bob, text }),
        6 => index.clone().prop_map(|index| Event::Deliver { index }),
        1 => index.clone().prop_map(|index| Event::Drop { index }),
        2 => index.clone().prop_map(|index| Event::Duplicate { index }),
        2 => (index, any::<usize>(), any::<u8>())
            .prop_map(|(index, byte, mask)| Event::Tamper { index, byte, mask }),
    ];
    prop::collection::vec(event, 1..max_len)
}

fn any_setup() -> impl Strategy<Value = Setup> {
    (
        any::<[u8; 32]>(),
        any::<bool>(),
        prop_oneof![
            Just(xchat_spec::bundle::PqKind::OneTime),
            Just(xchat_spec::bundle::PqKind::LastResort)
        ],
    )
        .prop_map(|(seed, with_opk, pq_kind)| Setup {
            seed,
            with_opk,
            pq_kind,
        })
}

/// 256 random sessions by default; `PROPTEST_CASES` overrides.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random schedules: wire bytes, outcomes (contents and error kinds),
    /// final sessions and stores equal the spec's; failed receives change
    /// nothing.
    #[test]
    fn differential_random_schedules(setup in any_setup(), events in schedule(32)) {
        compare(&setup, &events, &[])?;
    }

    /// The same with both sessions exported and re-imported after random
    /// events: the transcript is unchanged and every export is canonical.
    #[test]
    fn differential_with_export_import(
        setup in any_setup(),
        events in schedule(24),
        reimport_after in prop::collection::vec(prop::bool::weighted(0.3), 24),
    ) {
        compare(&setup, &events, &reimport_after)?;
    }
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
            bytes[0] = 0x01;
        }
        let r = Session::import(&bytes);
        prop_assert!(matches!(r, Err(xchat::Error::InvalidState)), "{:?}", r.map(|_| ()));
    }
}

/// A session in the middle of a conversation with skipped keys in two
/// chains and a pending prekey header on one side.
fn mid_session() -> (ImplRun, Setup) {
    let setup = Setup {
        seed: [9u8; 32],
        with_opk: true,
        pq_kind: xchat_spec::bundle::PqKind::LastResort,
    };
    let s = |from, t: &str| Event::Send {
        from,
        text: t.as_bytes().to_vec(),
    };
    let d = |index| Event::Deliver { index };
    let events = vec![
        s(Party::Alice, "a0"),
        s(Party::Alice, "a1"),
        s(Party::Alice, "a2"),
        d(2),
        s(Party::Bob, "b0"),
        s(Party::Bob, "b1"),
        s(Party::Bob, "b2"),
        d(5),
        s(Party::Alice, "a3"),
        s(Party::Alice, "a4"),
        d(8),
    ];
    compare(&setup, &events, &[]).unwrap();
    (impl_run(&setup, &events, &[]), setup)
}

/// Every truncation, a trailing byte, every other version byte and every
/// single-byte change of real exports: `InvalidState` or, if the change
/// lands in key material, a state whose export is exactly the input. Never
/// a panic.
#[test]
fn import_mutations_of_real_exports() {
    let (run, _) = mid_session();
    let mut checked = 0;
    for party in [&run.alice, &run.bob] {
        let bytes = party.session.as_ref().unwrap().export().to_vec();
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
        for v in [0x00u8, 0x02, 0xff] {
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

/// Bob skips exactly `MAX_SKIP` keys (accepted) and one more (rejected
/// with `TooManySkipped`), then late messages arrive from the skipped keys:
/// byte for byte as in the spec.
#[test]
fn differential_beyond_max_skip() {
    let n = xchat::ratchet::MAX_SKIP as usize + 2;
    let mut events: Vec<Event> = (0..n)
        .map(|i| Event::Send {
            from: Party::Alice,
            text: format!("m{i}").into_bytes(),
        })
        .collect();
    for index in [n - 1, n - 2, n - 1, 0, 17, 17] {
        events.push(Event::Deliver { index });
    }
    events.push(Event::Send {
        from: Party::Bob,
        text: b"ok".to_vec(),
    });
    events.push(Event::Deliver { index: n });
    events.push(Event::Deliver { index: 5 });
    let setup = Setup {
        seed: [6u8; 32],
        with_opk: false,
        pq_kind: xchat_spec::bundle::PqKind::OneTime,
    };
    let spec = compare(&setup, &events, &[]).unwrap();
    let errors: Vec<String> = spec
        .outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Rejected { error, .. } => Some(format!("{error:?}")),
            _ => None,
        })
        .collect();
    println!(
        "beyond MAX_SKIP: {} events, rejections {errors:?}",
        events.len()
    );
    assert!(errors.contains(&"TooManySkipped".to_string()));
    assert!(errors.contains(&"Replay".to_string()));
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
            (Ok((state, body)), Ok((ibody, update))) => {
                assert_eq!(body, ibody, "ratchet body");
                self.spec[from] = state;
                self.imp[from].commit_send(update);
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
                i.map(|x| x.0)
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
            (Ok((state, pt)), Ok((ipt, update))) => {
                assert_eq!(pt, ipt, "plaintext");
                self.spec[to] = state;
                self.imp[to].commit_recv(update);
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
                i.map(|x| x.0)
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
        let (body, _) = st.encrypt(&RATCHET_AD, &RATCHET_PREFIX, pt, r).unwrap();
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
        let (got, _) = p.imp[1]
            .decrypt(&RATCHET_AD, &RATCHET_PREFIX, body, &det("secret", 99))
            .unwrap();
        assert_eq!(&got, pt);
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
        let (body, update) = imp
            .encrypt(&RATCHET_AD, &RATCHET_PREFIX, b"same", &r)
            .unwrap();
        let (next, spec_body) =
            xchat_spec::ratchet::encrypt(&spec, &RATCHET_AD, &RATCHET_PREFIX, b"same", &r).unwrap();
        assert_eq!(body, spec_body);
        imp.commit_send(update);
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
