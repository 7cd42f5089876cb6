//! Differential tests of `xchat::call` and the call signal contents
//! against the executable specification (`xchat_spec::call`, SPEC.md
//! section 20):
//!
//! * random walks of two parties through start, answer, reject, hang-up,
//!   rekey, signal delivery (repeated and out of order), frame encryption
//!   and decryption (replayed, reordered and mutated): every signal and
//!   frame has the spec's bytes, every decision the spec's result, and
//!   after every step each side's calls have the spec's phases, KIDs and
//!   counters. The spec keeps its old state on an error, so the walk also
//!   checks that a failed impl operation changed nothing;
//! * the RNG draw order of `start`, `answer`, `rekey` against the `_with`
//!   variants;
//! * transactionality directly: a clone taken before a failing operation
//!   behaves exactly like the state after it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../../spec/tests/common/mod.rs"]
mod common;
mod harness;

use harness::{ours, run, theirs};
use proptest::prelude::*;

use xchat::call::{Calls, Phase};
use xchat::content::{self, CallSignal, Content};
use xchat::handle::Handle;
use xchat_spec as spec;

fn handle(s: &str) -> (Handle, spec::handle::Handle) {
    (
        s.parse().unwrap(),
        spec::handle::parse_handle(s.as_bytes()).unwrap(),
    )
}

/// One step of the walk. `who` is 0 (alice) or 1 (bob); ids index two
/// call ids.
#[derive(Clone, Debug)]
enum Op {
    Start(usize, usize, [u8; 32], usize),
    Answer(usize, usize, [u8; 32]),
    Reject(usize, usize),
    HangUp(usize, usize),
    Rekey(usize, usize, [u8; 32]),
    /// Deliver the `n`th signal `who` sent (any one, again or late).
    Deliver(usize, usize),
    /// Encrypt a frame of `len` bytes.
    Encrypt(usize, usize, usize),
    /// Decrypt the `n`th frame sent to `who`, optionally with a flipped bit.
    Decrypt(usize, usize, Option<usize>),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0usize..2;
    let id = 0usize..2;
    prop_oneof![
        1 => (who.clone(), id.clone(), any::<[u8; 32]>(), 0usize..40).prop_map(|(w, i, k, p)| Op::Start(w, i, k, p)),
        1 => (who.clone(), id.clone(), any::<[u8; 32]>()).prop_map(|(w, i, k)| Op::Answer(w, i, k)),
        1 => (who.clone(), id.clone()).prop_map(|(w, i)| Op::Reject(w, i)),
        1 => (who.clone(), id.clone()).prop_map(|(w, i)| Op::HangUp(w, i)),
        2 => (who.clone(), id.clone(), any::<[u8; 32]>()).prop_map(|(w, i, k)| Op::Rekey(w, i, k)),
        4 => (who.clone(), 0usize..64).prop_map(|(w, n)| Op::Deliver(w, n)),
        6 => (who.clone(), id.clone(), 0usize..200).prop_map(|(w, i, n)| Op::Encrypt(w, i, n)),
        6 => (who, 0usize..400, prop::option::weighted(0.2, 0usize..4000)).prop_map(|(w, n, m)| Op::Decrypt(w, n, m)),
    ]
}

/// The spec's view of an impl signal, through the wire bytes (which
/// the walk also compares).
fn to_spec_signal(s: &CallSignal) -> spec::content::CallSignal {
    let bytes = content::encode(&Content::Call(s.clone())).unwrap();
    match spec::content::decode(&bytes).unwrap() {
        spec::content::Content::Call(s) => s,
        other => panic!("not a call signal: {other:?}"),
    }
}

fn signal_of(c: Content) -> CallSignal {
    match c {
        Content::Call(s) => s,
        other => panic!("not a call signal: {other:?}"),
    }
}

struct Side {
    ours: Calls,
    theirs: spec::call::Calls,
    /// Signals this side sent, as impl values.
    sent: Vec<CallSignal>,
    /// Frames this side received: (call id index, bytes).
    inbox: Vec<(usize, Vec<u8>)>,
}

/// Applies a spec operation: the new state on success, the old one kept
/// on error; returns the result without the state.
fn step<T>(
    state: &mut spec::call::Calls,
    f: impl FnOnce(spec::call::Calls) -> Result<(spec::call::Calls, T), spec::Error>,
) -> Result<T, spec::Error> {
    match f(state.clone()) {
        Ok((s, t)) => {
            *state = s;
            Ok(t)
        }
        Err(e) => Err(e),
    }
}

/// Outcomes seen, by operation and result kind (coverage of the walks).
type Seen = std::collections::BTreeMap<String, usize>;

fn note<T>(seen: &mut Seen, op: &str, r: &Result<T, String>) {
    let k = match r {
        Ok(_) => "Ok",
        Err(e) => e.as_str(),
    };
    *seen.entry(format!("{op} {k}")).or_default() += 1;
}

fn walk(ops: Vec<Op>, seen: &mut Seen) -> Result<(), TestCaseError> {
    const IDS: [[u8; 16]; 2] = [[0xAA; 16], [0xBB; 16]];
    let names = [handle("alice"), handle("bob")];
    let mut sides: Vec<Side> = (0..2)
        .map(|_| Side {
            ours: Calls::new(),
            theirs: spec::call::new_calls(),
            sent: Vec::new(),
            inbox: Vec::new(),
        })
        .collect();
    for op in ops {
        match op {
            Op::Start(w, i, k, p) => {
                let peer = &names[1 - w];
                let params = vec![0x70; p];
                let s = &mut sides[w];
                let o = ours(s.ours.start_with(&peer.0, &IDS[i], &k, &params)).map(signal_of);
                let t = theirs(step(&mut s.theirs, |c| {
                    spec::call::start(c, &peer.1, &IDS[i], &k, &params)
                }));
                prop_assert_eq!(o.as_ref().map(to_spec_signal).map_err(|e| e.clone()), t);
                if let Ok(sig) = o {
                    s.sent.push(sig);
                }
            }
            Op::Answer(w, i, k) => {
                let peer = &names[1 - w];
                let s = &mut sides[w];
                let o = ours(s.ours.answer_with(&peer.0, &IDS[i], &k, b"ans")).map(signal_of);
                let t = theirs(step(&mut s.theirs, |c| {
                    spec::call::answer(c, &peer.1, &IDS[i], &k, b"ans")
                }));
                prop_assert_eq!(o.as_ref().map(to_spec_signal).map_err(|e| e.clone()), t);
                if let Ok(sig) = o {
                    s.sent.push(sig);
                }
            }
            Op::Reject(w, i) | Op::HangUp(w, i) => {
                let peer = &names[1 - w];
                let reject = matches!(op, Op::Reject(..));
                let s = &mut sides[w];
                let o = if reject {
                    s.ours.reject(&peer.0, &IDS[i])
                } else {
                    s.ours.hang_up(&peer.0, &IDS[i])
                };
                let o = ours(o).map(signal_of);
                let t = theirs(step(&mut s.theirs, |c| {
                    if reject {
                        spec::call::reject(c, &peer.1, &IDS[i])
                    } else {
                        spec::call::hang_up(c, &peer.1, &IDS[i])
                    }
                }));
                prop_assert_eq!(o.as_ref().map(to_spec_signal).map_err(|e| e.clone()), t);
                if let Ok(sig) = o {
                    s.sent.push(sig);
                }
            }
            Op::Rekey(w, i, k) => {
                let peer = &names[1 - w];
                let s = &mut sides[w];
                let o = ours(s.ours.rekey_with(&peer.0, &IDS[i], &k)).map(signal_of);
                let t = theirs(step(&mut s.theirs, |c| {
                    spec::call::rekey(c, &peer.1, &IDS[i], &k)
                }));
                prop_assert_eq!(o.as_ref().map(to_spec_signal).map_err(|e| e.clone()), t);
                if let Ok(sig) = o {
                    s.sent.push(sig);
                }
            }
            Op::Deliver(w, n) => {
                if sides[w].sent.is_empty() {
                    continue;
                }
                let sig = sides[w].sent[n % sides[w].sent.len()].clone();
                let from = &names[w];
                let r = &mut sides[1 - w];
                let o = ours(r.ours.on_signal(&from.0, &sig));
                let spec_sig = to_spec_signal(&sig);
                let t = theirs(step(&mut r.theirs, |c| {
                    spec::call::receive_signal(c, &from.1, &spec_sig).map(|c| (c, ()))
                }));
                note(seen, "signal", &o);
                prop_assert_eq!(o, t);
            }
            Op::Encrypt(w, i, len) => {
                let peer = &names[1 - w];
                let pt: Vec<u8> = (0..len).map(|j| j as u8).collect();
                let s = &mut sides[w];
                let o = ours(s.ours.encrypt_frame(&peer.0, &IDS[i], b"meta", &pt));
                let t = theirs(step(&mut s.theirs, |c| {
                    spec::call::encrypt_frame(c, &peer.1, &IDS[i], b"meta", &pt)
                }));
                note(seen, "encrypt", &o);
                prop_assert_eq!(&o, &t);
                if let Ok(f) = o {
                    sides[1 - w].inbox.push((i, f));
                }
            }
            Op::Decrypt(w, n, m) => {
                if sides[w].inbox.is_empty() {
                    continue;
                }
                let (i, mut f) = sides[w].inbox[n % sides[w].inbox.len()].clone();
                if let Some(bit) = m {
                    let bit = bit % (8 * f.len());
                    f[bit / 8] ^= 1 << (bit % 8);
                }
                let peer = &names[1 - w];
                let s = &mut sides[w];
                let o = ours(s.ours.decrypt_frame(&peer.0, &IDS[i], b"meta", &f));
                let t = theirs(step(&mut s.theirs, |c| {
                    spec::call::decrypt_frame(c, &peer.1, &IDS[i], b"meta", &f)
                }));
                note(seen, "decrypt", &o);
                prop_assert_eq!(o, t);
            }
        }
        // The states agree on everything observable.
        for w in 0..2 {
            let peer = &names[1 - w];
            let s = &sides[w];
            prop_assert_eq!(s.ours.len(), s.theirs.calls.len());
            for id in &IDS {
                let sp = spec::call::find(&s.theirs, &peer.1, id).map(|j| &s.theirs.calls[j]);
                let phase = sp.map(|c| match c.phase {
                    spec::call::Phase::Outgoing => Phase::Outgoing,
                    spec::call::Phase::Incoming => Phase::Incoming,
                    spec::call::Phase::Active => Phase::Active,
                });
                prop_assert_eq!(s.ours.phase(&peer.0, id), phase);
                let kids: Vec<u64> = sp
                    .map(|c| c.peer_keys.iter().map(|k| k.kid).collect())
                    .unwrap_or_default();
                prop_assert_eq!(s.ours.peer_kids(&peer.0, id), kids);
                let own = sp.and_then(|c| c.own.as_ref().map(|o| (o.kid, o.ctr)));
                prop_assert_eq!(s.ours.own_counter(&peer.0, id), own);
            }
        }
    }
    Ok(())
}

/// Random walks; every outcome of signal delivery and of frames is
/// reached (counted over all cases and printed).
#[test]
fn diff_call_walks() {
    let seen = std::sync::Mutex::new(Seen::new());
    run(
        "call walks (start/answer/reject/hang-up/rekey/deliver/frames)",
        300,
        prop::collection::vec(op(), 1..120),
        |ops| walk(ops, &mut seen.lock().unwrap()),
    );
    let seen = seen.into_inner().unwrap();
    println!("{seen:#?}");
    for k in [
        "signal Ok",
        "signal Replay",
        "signal UnknownSession",
        "encrypt Ok",
        "encrypt UnknownSession",
        "encrypt NoSendingChain",
        "decrypt Ok",
        "decrypt Replay",
        "decrypt AuthenticationFailed",
        "decrypt UnknownSession",
    ] {
        assert!(seen.get(k).is_some_and(|n| *n > 0), "never reached: {k}");
    }
}

/// A walk that reaches the grace window and the replay window: a call,
/// 300 frames, a key update, old frames late, 256 frames under the new
/// key, then the old key's frames rejected; identical in both.
#[test]
fn diff_call_long_walk() {
    let mut ops = vec![
        Op::Start(0, 0, [1; 32], 5),
        Op::Deliver(0, 0),
        Op::Answer(1, 0, [2; 32]),
        Op::Deliver(1, 0),
    ];
    for n in 0..300 {
        ops.push(Op::Encrypt(0, 0, 10));
        ops.push(Op::Decrypt(1, n, None));
    }
    ops.push(Op::Rekey(0, 0, [3; 32]));
    ops.push(Op::Deliver(0, 1));
    for n in 0..300 {
        ops.push(Op::Decrypt(1, (n * 7) % 300, None));
        ops.push(Op::Encrypt(0, 0, 10));
        ops.push(Op::Decrypt(1, 300 + n, None));
        ops.push(Op::Decrypt(1, 299 - (n % 40), Some(n)));
    }
    let mut seen = Seen::new();
    walk(ops, &mut seen).unwrap();
    println!("{seen:#?}");
    // 300 + 300 fresh frames, the 300 late old-key frames only while the
    // grace window lasts.
    assert!(seen["decrypt Ok"] >= 600, "{seen:?}");
    assert!(seen["decrypt Replay"] > 0 && seen["decrypt AuthenticationFailed"] > 0);
}

/// The RNG draws of `start`, `answer`, `rekey` are the `_with` inputs, in
/// the documented order.
#[test]
fn rng_draw_order() {
    struct Counter(u8);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            unreachable!()
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            unreachable!()
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                *b = self.0;
                self.0 = self.0.wrapping_add(1);
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Counter {}
    let seq = |from: u8, n: usize| -> Vec<u8> { (0..n).map(|i| from + i as u8).collect() };
    let (bob, _) = handle("bob");
    let (alice, _) = handle("alice");
    let mut rng = Counter(0);
    let mut a = Calls::new();
    let (id, offer) = a.start(&bob, b"p", &mut rng).unwrap();
    assert_eq!(id.to_vec(), seq(0, 16));
    let mut a2 = Calls::new();
    let with = a2
        .start_with(&bob, &id, &seq(16, 32).try_into().unwrap(), b"p")
        .unwrap();
    assert_eq!(offer, with);
    let mut b = Calls::new();
    b.on_signal(&alice, &signal_of(offer)).unwrap();
    let ans = b.answer(&alice, &id, b"", &mut rng).unwrap();
    match &ans {
        Content::Call(CallSignal::Answer { key, .. }) => {
            assert_eq!(key.base_key().to_vec(), seq(48, 32))
        }
        other => panic!("{other:?}"),
    }
    let ku = a.rekey(&bob, &id, &mut rng).unwrap();
    match &ku {
        Content::Call(CallSignal::KeyUpdate { key, .. }) => {
            assert_eq!(key.kid(), 1);
            assert_eq!(key.base_key().to_vec(), seq(80, 32))
        }
        other => panic!("{other:?}"),
    }
}

/// A failed operation changes nothing: the state after it behaves exactly
/// like a clone taken before it (the next frame has the same bytes, the
/// same frames open).
#[test]
fn failures_change_nothing() {
    let (alice, _) = handle("alice");
    let (bob, _) = handle("bob");
    let id = [7u8; 16];
    let mut a = Calls::new();
    let offer = signal_of(a.start_with(&bob, &id, &[1; 32], b"").unwrap());
    let mut b = Calls::new();
    b.on_signal(&alice, &offer).unwrap();
    let ans = signal_of(b.answer_with(&alice, &id, &[2; 32], b"").unwrap());
    a.on_signal(&bob, &ans).unwrap();
    let f1 = a.encrypt_frame(&bob, &id, b"", b"one").unwrap();
    let before_a = a.clone();
    let before_b = b.clone();
    // Failing operations on both sides.
    assert_eq!(
        a.start_with(&bob, &id, &[9; 32], b""),
        Err(xchat::Error::Replay)
    );
    assert_eq!(a.on_signal(&bob, &ans), Err(xchat::Error::UnknownSession));
    assert_eq!(a.on_signal(&bob, &offer), Err(xchat::Error::Replay));
    let stale = CallSignal::KeyUpdate {
        call_id: id,
        key: content::CallKey::new(0, [5; 32]),
    };
    assert_eq!(b.on_signal(&alice, &stale), Err(xchat::Error::Replay));
    assert_eq!(
        a.encrypt_frame(&alice, &id, b"", b""),
        Err(xchat::Error::UnknownSession)
    );
    let mut bad = f1.clone();
    bad[2] ^= 1;
    assert_eq!(
        b.decrypt_frame(&alice, &id, b"", &bad),
        Err(xchat::Error::AuthenticationFailed)
    );
    assert_eq!(
        b.decrypt_frame(&alice, &id, b"", &[0x08]),
        Err(xchat::Error::Malformed)
    );
    assert_eq!(
        a.answer_with(
            &bob,
            &id,
            &[3; 32],
            &vec![0; content::MAX_CALL_PARAMS_LEN + 1]
        ),
        Err(xchat::Error::Malformed)
    );
    // Both behave as before.
    let mut before_a = before_a;
    let mut before_b = before_b;
    assert_eq!(
        a.encrypt_frame(&bob, &id, b"", b"two").unwrap(),
        before_a.encrypt_frame(&bob, &id, b"", b"two").unwrap()
    );
    assert_eq!(b.decrypt_frame(&alice, &id, b"", &f1).unwrap(), b"one");
    assert_eq!(
        before_b.decrypt_frame(&alice, &id, b"", &f1).unwrap(),
        b"one"
    );
    assert_eq!(format!("{a:?}"), format!("{before_a:?}"));
    assert_eq!(format!("{b:?}"), format!("{before_b:?}"));
    // Debug shows no key material.
    let dbg = format!("{offer:?} {a:?}");
    assert!(!dbg.contains("1, 1, 1") && !dbg.contains("[1"), "{dbg}");
}

/// The buffer-reusing variants (`sframe::encrypt_into` / `decrypt_into`,
/// `Calls::encrypt_frame_into` / `decrypt_frame_into`) give the same
/// bytes, plaintexts and errors as the allocating ones, for every suite,
/// on a buffer left dirty by the previous frame, and leave it empty on an
/// error.
#[test]
fn into_variants_are_the_same() {
    use xchat::sframe::{self as sf, CipherSuite, Header, ALL_SUITES};
    let mut out = vec![0xEE; 7];
    let mut pt_buf = vec![0xDD; 3];
    let mut checked = 0;
    for suite in ALL_SUITES {
        let ks = sf::derive_key_salt(suite, 3, b"base key").unwrap();
        for (n, size) in [0usize, 1, 15, 16, 17, 100, 1200, 5000]
            .into_iter()
            .enumerate()
        {
            let pt: Vec<u8> = (0..size).map(|i| (i * 13 + n) as u8).collect();
            let meta: &[u8] = if n % 2 == 0 { b"" } else { b"meta" };
            let h = Header {
                kid: 3,
                ctr: 1000 + n as u64,
            };
            let frame = sf::encrypt(suite, &ks, &h, meta, &pt).unwrap();
            sf::encrypt_into(suite, &ks, &h, meta, &pt, &mut out).unwrap();
            assert_eq!(out, frame);
            assert_eq!(
                sf::decrypt_into(suite, &ks, meta, &frame, &mut pt_buf).unwrap(),
                h
            );
            assert_eq!(pt_buf, pt);
            // Every single-bit flip of the first and last bytes and every
            // truncation: the same error, an empty buffer.
            let mut bad_frames = vec![frame[..frame.len() - 1].to_vec(), Vec::new()];
            for at in [0, frame.len() - 1] {
                for bit in 0..8 {
                    let mut b = frame.clone();
                    b[at] ^= 1 << bit;
                    bad_frames.push(b);
                }
            }
            for bad in bad_frames {
                pt_buf.extend_from_slice(b"dirty");
                let want = sf::decrypt(suite, &ks, meta, &bad);
                let got = sf::decrypt_into(suite, &ks, meta, &bad, &mut pt_buf)
                    .map(|h| (h, pt_buf.clone()));
                assert_eq!(got, want);
                if want.is_err() {
                    assert!(pt_buf.is_empty());
                }
                checked += 1;
            }
        }
    }
    println!("sframe into variants: {checked} mutated frames");
    // A key of another suite's length: the same error, an empty buffer.
    let ks = sf::derive_key_salt(CipherSuite::Aes128GcmSha256Tag128, 0, b"k").unwrap();
    let h = Header { kid: 0, ctr: 0 };
    let s5 = CipherSuite::Aes256GcmSha512Tag128;
    assert_eq!(
        sf::encrypt_into(s5, &ks, &h, b"", b"x", &mut out),
        sf::encrypt(s5, &ks, &h, b"", b"x").map(|_| ())
    );
    assert!(out.is_empty());

    // Calls: the same frames and decisions with reused buffers.
    let (alice, _) = handle("alice");
    let (bob, _) = handle("bob");
    let id = [9u8; 16];
    let mut a1 = Calls::new();
    let offer = signal_of(a1.start_with(&bob, &id, &[1; 32], b"").unwrap());
    let mut b1 = Calls::new();
    b1.on_signal(&alice, &offer).unwrap();
    let (mut a2, mut b2) = (a1.clone(), b1.clone());
    let mut frames = Vec::new();
    for n in 0..40usize {
        let pt = vec![n as u8; n * 37];
        let f = a1.encrypt_frame(&bob, &id, b"", &pt).unwrap();
        a2.encrypt_frame_into(&bob, &id, b"", &pt, &mut out)
            .unwrap();
        assert_eq!(out, f);
        frames.push(f);
    }
    for i in [5usize, 3, 5, 39, 0, 2, 2, 38] {
        let want = b1.decrypt_frame(&alice, &id, b"", &frames[i]);
        let got = b2
            .decrypt_frame_into(&alice, &id, b"", &frames[i], &mut pt_buf)
            .map(|()| pt_buf.clone());
        assert_eq!(got, want);
        if want.is_err() {
            assert!(pt_buf.is_empty());
        }
    }
    assert_eq!(
        b2.encrypt_frame_into(&alice, &id, b"", b"", &mut out),
        Err(xchat::Error::NoSendingChain)
    );
    assert!(out.is_empty());
}

/// SPEC.md section 20.2, the bound on held calls: a random mix of offers
/// received, answers and calls placed, beyond MAX_CALLS, leaves the same
/// calls in the same phases in the impl as in the spec.
#[test]
fn diff_call_table_bound() {
    let full = std::sync::atomic::AtomicUsize::new(0);
    run(
        "call table bound (offers, answers, starts beyond MAX_CALLS)",
        100,
        prop::collection::vec((0u8..3, any::<u8>()), 1..80),
        |steps| {
            let (alice, s_alice) = handle("alice");
            let mut o_calls = Calls::new();
            let mut t_calls = spec::call::new_calls();
            for (kind, i) in steps {
                let id = [i; 16];
                match kind {
                    0 => {
                        let offer = spec::content::CallSignal::Offer {
                            call_id: id,
                            key: spec::content::CallKey {
                                kid: 0,
                                base_key: [i; 32],
                            },
                            params: vec![],
                        };
                        let bytes =
                            spec::content::encode(&spec::content::Content::Call(offer.clone()));
                        let Content::Call(o) = content::decode(&bytes).unwrap() else {
                            unreachable!()
                        };
                        let a = ours(o_calls.on_signal(&alice, &o));
                        let t = theirs(step(&mut t_calls, |c| {
                            spec::call::receive_signal(c, &s_alice, &offer).map(|c| (c, ()))
                        }));
                        prop_assert_eq!(a, t);
                    }
                    1 => {
                        let a = ours(o_calls.answer_with(&alice, &id, &[7; 32], b"")).map(|_| ());
                        let t = theirs(step(&mut t_calls, |c| {
                            spec::call::answer(c, &s_alice, &id, &[7; 32], b"")
                        }))
                        .map(|_| ());
                        prop_assert_eq!(a, t);
                    }
                    _ => {
                        let a = ours(o_calls.start_with(&alice, &id, &[8; 32], b"")).map(|_| ());
                        let t = theirs(step(&mut t_calls, |c| {
                            spec::call::start(c, &s_alice, &id, &[8; 32], b"")
                        }))
                        .map(|_| ());
                        prop_assert_eq!(a, t);
                    }
                }
                prop_assert_eq!(o_calls.len(), t_calls.calls.len());
                if o_calls.len() == xchat::call::MAX_CALLS {
                    full.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                for c in &t_calls.calls {
                    let phase = match c.phase {
                        spec::call::Phase::Outgoing => Phase::Outgoing,
                        spec::call::Phase::Incoming => Phase::Incoming,
                        spec::call::Phase::Active => Phase::Active,
                    };
                    prop_assert_eq!(o_calls.phase(&alice, &c.call_id), Some(phase));
                }
            }
            Ok(())
        },
    );
    assert!(full.into_inner() > 0, "the table never filled");
}
