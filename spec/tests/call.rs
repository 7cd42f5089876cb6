//! Calls (SPEC.md section 20): call signal encoding (REQ-CALL-001), the
//! call state machine (REQ-CALL-002, REQ-CALL-003), frames
//! (REQ-CALL-004, REQ-CALL-005), the replay window (REQ-CALL-006) and the
//! grace window of replaced peer keys (REQ-CALL-007).

use proptest::prelude::*;
use xchat_spec::call::{self, Calls, Phase, CALL_KEY_GRACE, CALL_REPLAY_WINDOW, MAX_CALLS};
use xchat_spec::content::{self, CallKey, CallSignal, Content, MAX_CALL_PARAMS_LEN};
use xchat_spec::handle::{parse_handle, Handle};
use xchat_spec::sframe::{self, CipherSuite, Header};
use xchat_spec::Error;

fn h(s: &str) -> Handle {
    parse_handle(s.as_bytes()).unwrap()
}

const ID: [u8; 16] = [0x11; 16];
const KA: [u8; 32] = [0xA1; 32];
const KB: [u8; 32] = [0xB1; 32];

fn offer() -> CallSignal {
    CallSignal::Offer {
        call_id: ID,
        key: CallKey {
            kid: 0x0102,
            base_key: KA,
        },
        params: b"v=0".to_vec(),
    }
}

/// REQ-CALL-001: the exact bytes of every signal type, hand-assembled from
/// the layout of section 20.1, and their strict decoding.
#[test]
fn signal_encodings_are_the_layout() {
    let mut o = vec![0x04, 0x01];
    o.extend_from_slice(&ID);
    o.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2]);
    o.extend_from_slice(&KA);
    o.extend_from_slice(&[0x00, 0x03]);
    o.extend_from_slice(b"v=0");
    assert_eq!(o.len(), 63);
    assert_eq!(content::encode(&Content::Call(offer())), o);

    let mut r = vec![0x04, 0x03];
    r.extend_from_slice(&ID);
    assert_eq!(r.len(), 18);
    assert_eq!(
        content::encode(&Content::Call(CallSignal::Reject { call_id: ID })),
        r
    );
    let mut hu = r.clone();
    hu[1] = 0x04;
    assert_eq!(
        content::encode(&Content::Call(CallSignal::HangUp { call_id: ID })),
        hu
    );
    let ku = CallSignal::KeyUpdate {
        call_id: ID,
        key: CallKey {
            kid: 7,
            base_key: KB,
        },
    };
    let mut k = vec![0x04, 0x05];
    k.extend_from_slice(&ID);
    k.extend_from_slice(&7u64.to_be_bytes());
    k.extend_from_slice(&KB);
    assert_eq!(k.len(), 58);
    assert_eq!(content::encode(&Content::Call(ku.clone())), k);

    let ans = CallSignal::Answer {
        call_id: ID,
        key: CallKey {
            kid: 0,
            base_key: KB,
        },
        params: Vec::new(),
    };
    let enc = content::encode(&Content::Call(ans.clone()));
    assert_eq!(enc.len(), 60);
    assert_eq!(enc[1], 0x02);
    for (sig, bytes) in [
        (offer(), o),
        (CallSignal::Reject { call_id: ID }, r),
        (CallSignal::HangUp { call_id: ID }, hu),
        (ku, k),
        (ans, enc),
    ] {
        assert_eq!(content::decode(&bytes), Ok(Content::Call(sig)));
        // Every truncation and one trailing byte: Malformed.
        for n in 0..bytes.len() {
            assert_eq!(
                content::decode(&bytes[..n]),
                Err(Error::Malformed),
                "prefix {n}"
            );
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(content::decode(&long), Err(Error::Malformed));
    }
}

/// REQ-CALL-001: unknown types and over-long parameters are Malformed; the
/// longest parameters round-trip; encoding refuses longer ones.
#[test]
fn signal_bounds() {
    for ty in [0x00u8, 0x06, 0xFF] {
        let mut b = vec![0x04, ty];
        b.extend_from_slice(&ID);
        assert_eq!(content::decode(&b), Err(Error::Malformed), "type {ty}");
    }
    let max = CallSignal::Answer {
        call_id: ID,
        key: CallKey {
            kid: 1,
            base_key: KA,
        },
        params: vec![0x5A; MAX_CALL_PARAMS_LEN],
    };
    let enc = content::encode(&Content::Call(max.clone()));
    assert_eq!(enc.len(), 60 + MAX_CALL_PARAMS_LEN);
    assert_eq!(content::decode(&enc), Ok(Content::Call(max)));
    // The length field one above the bound, with the bytes present.
    let mut over = enc[..58].to_vec();
    over.extend_from_slice(&((MAX_CALL_PARAMS_LEN + 1) as u16).to_be_bytes());
    over.extend_from_slice(&vec![0x5A; MAX_CALL_PARAMS_LEN + 1]);
    assert_eq!(content::decode(&over), Err(Error::Malformed));
    let too_long = Content::Call(CallSignal::Offer {
        call_id: ID,
        key: CallKey {
            kid: 1,
            base_key: KA,
        },
        params: vec![0; MAX_CALL_PARAMS_LEN + 1],
    });
    assert!(!content::pre_encode(&too_long));
    assert_eq!(content::encode(&too_long), Vec::<u8>::new());
}

/// Alice calls Bob; Bob answers; returns both sides' call states.
fn connected() -> (Calls, Calls) {
    let (alice, bob) = (h("alice"), h("bob"));
    let (a, off) = call::start(call::new_calls(), &bob, &ID, &KA, b"sdp-a").unwrap();
    let b = call::receive_signal(call::new_calls(), &alice, &off).unwrap();
    assert_eq!(b.calls[0].phase, Phase::Incoming);
    let (b, ans) = call::answer(b, &alice, &ID, &KB, b"sdp-b").unwrap();
    let a = call::receive_signal(a, &bob, &ans).unwrap();
    assert_eq!(a.calls[0].phase, Phase::Active);
    assert_eq!(b.calls[0].phase, Phase::Active);
    (a, b)
}

/// REQ-CALL-002, REQ-CALL-004, REQ-CALL-005: a call's frames are exactly
/// RFC 9605 frames under (KID 0, base_key) with CTR 0, 1, ..., and open on
/// the other side.
#[test]
fn frames_are_sframe_under_the_signaled_key() {
    let (alice, bob) = (h("alice"), h("bob"));
    let (mut a, mut b) = connected();
    let ks = sframe::derive_key_salt(CipherSuite::Aes128GcmSha256Tag128, 0, &KA).unwrap();
    for ctr in 0..3u64 {
        let pt = vec![ctr as u8; 100];
        let (a2, f) = call::encrypt_frame(a, &bob, &ID, b"m", &pt).unwrap();
        a = a2;
        let want = sframe::encrypt(
            CipherSuite::Aes128GcmSha256Tag128,
            &ks,
            &Header { kid: 0, ctr },
            b"m",
            &pt,
        )
        .unwrap();
        assert_eq!(f, want);
        assert_eq!(f.len(), 1 + 100 + 16, "one header byte while KID, CTR < 8");
        // Wrong metadata: the AAD differs.
        assert_eq!(
            call::decrypt_frame(b.clone(), &alice, &ID, b"x", &f).map(|_| ()),
            Err(Error::AuthenticationFailed)
        );
        let (b2, got) = call::decrypt_frame(b, &alice, &ID, b"m", &f).unwrap();
        b = b2;
        assert_eq!(got, pt);
    }
    // And back, under Bob's key.
    let (_, f) = call::encrypt_frame(b, &alice, &ID, b"", b"hi").unwrap();
    let (_, got) = call::decrypt_frame(a, &bob, &ID, b"", &f).unwrap();
    assert_eq!(got, b"hi");
}

/// REQ-CALL-005: the order of the checks on a received frame.
#[test]
fn decrypt_check_order() {
    let (alice, bob) = (h("alice"), h("bob"));
    let (a, b) = connected();
    let (_, f) = call::encrypt_frame(a, &bob, &ID, b"", b"frame").unwrap();
    let err = |calls: &Calls, peer: &Handle, id: &[u8; 16], frame: &[u8]| {
        call::decrypt_frame(calls.clone(), peer, id, b"", frame).err()
    };
    // Unknown call (other id, other peer) before anything else.
    assert_eq!(err(&b, &alice, &[0; 16], &[]), Some(Error::UnknownSession));
    assert_eq!(err(&b, &bob, &ID, &f), Some(Error::UnknownSession));
    // A header that does not decode.
    assert_eq!(err(&b, &alice, &ID, &[]), Some(Error::Malformed));
    assert_eq!(err(&b, &alice, &ID, &[0x08]), Some(Error::Malformed));
    // A KID with no key.
    let mut other = f.clone();
    other[0] = 0x10; // KID 1, CTR 0
    assert_eq!(
        err(&b, &alice, &ID, &other),
        Some(Error::AuthenticationFailed)
    );
    // A body shorter than the tag.
    assert_eq!(err(&b, &alice, &ID, &f[..10]), Some(Error::Malformed));
    // A flipped ciphertext bit.
    let mut bad = f.clone();
    bad[3] ^= 1;
    assert_eq!(
        err(&b, &alice, &ID, &bad),
        Some(Error::AuthenticationFailed)
    );
    // A forged frame does not move the window: the real one still opens.
    let (b, got) = call::decrypt_frame(b, &alice, &ID, b"", &f).unwrap();
    assert_eq!(got, b"frame");
    // Replay is checked before authentication.
    assert_eq!(err(&b, &alice, &ID, &f), Some(Error::Replay));
    assert_eq!(err(&b, &alice, &ID, &bad), Some(Error::Replay));
}

/// REQ-CALL-006: reordering within the window is accepted, repeats and
/// counters a window behind the top are Replay.
#[test]
fn replay_window_decisions() {
    let (alice, bob) = (h("alice"), h("bob"));
    let (mut a, mut b) = connected();
    let mut frames = Vec::new();
    for _ in 0..300 {
        let (a2, f) = call::encrypt_frame(a, &bob, &ID, b"", b"x").unwrap();
        a = a2;
        frames.push(f);
    }
    let open = |b: &mut Calls, i: usize| match call::decrypt_frame(
        b.clone(),
        &alice,
        &ID,
        b"",
        &frames[i],
    ) {
        Ok((b2, _)) => {
            *b = b2;
            Ok(())
        }
        Err(e) => Err(e),
    };
    assert_eq!(open(&mut b, 200), Ok(()));
    assert_eq!(open(&mut b, 73), Ok(()), "200 - 73 = 127 < 128");
    assert_eq!(open(&mut b, 72), Err(Error::Replay), "200 - 72 = 128");
    assert_eq!(open(&mut b, 73), Err(Error::Replay));
    assert_eq!(open(&mut b, 199), Ok(()));
    assert_eq!(open(&mut b, 200), Err(Error::Replay));
    assert_eq!(open(&mut b, 299), Ok(()));
    assert_eq!(
        open(&mut b, 199),
        Err(Error::Replay),
        "still in the window, seen"
    );
    assert_eq!(open(&mut b, 172), Ok(()), "slot reused after the move");
    assert_eq!(open(&mut b, 171), Err(Error::Replay));
}

/// A naive model of REQ-CALL-006: the set of accepted counters.
fn model_accepts(seen: &[u64], ctr: u64) -> bool {
    match seen.iter().max() {
        None => true,
        Some(&top) => !seen.contains(&ctr) && (ctr > top || top - ctr < CALL_REPLAY_WINDOW),
    }
}

proptest! {
    /// REQ-CALL-006: the window's decisions equal the model's on random
    /// counter sequences (near each other, so that every branch is taken).
    #[test]
    fn window_matches_model(base in 0u64..u64::MAX / 2, steps in prop::collection::vec(0u64..400, 1..200)) {
        let mut w = call::new_window();
        let mut seen = Vec::new();
        for s in steps {
            let ctr = base + s;
            let acc = call::window_accepts(&w, ctr);
            prop_assert_eq!(acc, model_accepts(&seen, ctr));
            if acc {
                w = call::window_mark(&w, ctr);
                seen.push(ctr);
            }
        }
    }
}

/// REQ-CALL-002, REQ-CALL-003: the errors of the operations and of
/// received signals, each on a state where it is the first failing check.
#[test]
fn state_machine_errors() {
    let (alice, bob, carol) = (h("alice"), h("bob"), h("carol"));
    let (a0, off) = call::start(call::new_calls(), &bob, &ID, &KA, b"").unwrap();
    // start: params bound first, then duplicates.
    let long = vec![0u8; MAX_CALL_PARAMS_LEN + 1];
    assert_eq!(
        call::start(a0.clone(), &bob, &ID, &KA, &long).err(),
        Some(Error::Malformed)
    );
    assert_eq!(
        call::start(a0.clone(), &bob, &ID, &KA, b"").err(),
        Some(Error::Replay)
    );
    // Same id with another peer is another call.
    assert!(call::start(a0.clone(), &carol, &ID, &KA, b"").is_ok());
    // Outgoing: no answer, no reject from this side; rekey is allowed.
    assert_eq!(
        call::answer(a0.clone(), &bob, &ID, &KB, b"").err(),
        Some(Error::UnknownSession)
    );
    assert_eq!(
        call::reject(a0.clone(), &bob, &ID).err(),
        Some(Error::UnknownSession)
    );
    assert!(call::rekey(a0.clone(), &bob, &ID, &KB).is_ok());
    // Outgoing: no peer key, so a key update from the peer is unknown and
    // a frame has no key.
    let ku = CallSignal::KeyUpdate {
        call_id: ID,
        key: CallKey {
            kid: 1,
            base_key: KB,
        },
    };
    assert_eq!(
        call::receive_signal(a0.clone(), &bob, &ku).err(),
        Some(Error::UnknownSession)
    );
    // Incoming side.
    let b0 = call::receive_signal(call::new_calls(), &alice, &off).unwrap();
    assert_eq!(
        call::receive_signal(b0.clone(), &alice, &off).err(),
        Some(Error::Replay)
    );
    assert_eq!(
        call::rekey(b0.clone(), &alice, &ID, &KB).err(),
        Some(Error::NoSendingChain)
    );
    assert_eq!(
        call::encrypt_frame(b0.clone(), &alice, &ID, b"", b"").err(),
        Some(Error::NoSendingChain)
    );
    let ans = CallSignal::Answer {
        call_id: ID,
        key: CallKey {
            kid: 0,
            base_key: KB,
        },
        params: vec![],
    };
    assert_eq!(
        call::receive_signal(b0.clone(), &alice, &ans).err(),
        Some(Error::UnknownSession),
        "answer to an incoming call"
    );
    assert_eq!(
        call::receive_signal(b0.clone(), &alice, &CallSignal::Reject { call_id: ID }).err(),
        Some(Error::UnknownSession)
    );
    // Signals from another peer or for another id: unknown.
    for s in [
        ans.clone(),
        CallSignal::Reject { call_id: ID },
        CallSignal::HangUp { call_id: ID },
        ku.clone(),
    ] {
        assert_eq!(
            call::receive_signal(b0.clone(), &carol, &s).err(),
            Some(Error::UnknownSession)
        );
    }
    assert_eq!(
        call::hang_up(b0.clone(), &carol, &ID).err(),
        Some(Error::UnknownSession)
    );
    assert_eq!(
        call::rekey(b0.clone(), &carol, &ID, &KB).err(),
        Some(Error::UnknownSession)
    );
    assert_eq!(
        call::encrypt_frame(b0.clone(), &carol, &ID, b"", b"").err(),
        Some(Error::UnknownSession)
    );
    // A key update on an incoming call is applied (the peer key is held).
    let b1 = call::receive_signal(b0.clone(), &alice, &ku).unwrap();
    assert_eq!(b1.calls[0].peer_keys.len(), 2);
    // Stale or repeated key updates: Replay.
    assert_eq!(
        call::receive_signal(b1.clone(), &alice, &ku).err(),
        Some(Error::Replay)
    );
    let old = CallSignal::KeyUpdate {
        call_id: ID,
        key: CallKey {
            kid: 0,
            base_key: KB,
        },
    };
    assert_eq!(
        call::receive_signal(b0.clone(), &alice, &old).err(),
        Some(Error::Replay)
    );
    // Reject deletes the incoming call and its keys; the caller's side too.
    let (b2, rej) = call::reject(b0.clone(), &alice, &ID).unwrap();
    assert!(b2.calls.is_empty());
    let a1 = call::receive_signal(a0.clone(), &bob, &rej).unwrap();
    assert!(a1.calls.is_empty());
    // Hang-up from either side on an active call.
    let (a, b) = connected();
    let (a2, hu) = call::hang_up(a, &bob, &ID).unwrap();
    assert!(a2.calls.is_empty());
    let b2 = call::receive_signal(b.clone(), &alice, &hu).unwrap();
    assert!(b2.calls.is_empty());
    assert_eq!(
        call::receive_signal(b2, &alice, &hu).err(),
        Some(Error::UnknownSession)
    );
    assert_eq!(
        call::decrypt_frame(call::new_calls(), &alice, &ID, b"", &[0]).err(),
        Some(Error::UnknownSession)
    );
}

/// REQ-CALL-004, REQ-CALL-002: the counter and KID limits.
#[test]
fn exhaustion() {
    let bob = h("bob");
    let (mut a, _) = connected();
    let own = a.calls[0].own.as_mut().unwrap();
    own.ctr = u64::MAX - 1;
    let (a, f) = call::encrypt_frame(a, &bob, &ID, b"", b"last").unwrap();
    assert_eq!(
        sframe::decode_header(&f).unwrap().0,
        Header {
            kid: 0,
            ctr: u64::MAX - 1
        }
    );
    assert_eq!(
        call::encrypt_frame(a.clone(), &bob, &ID, b"", b"").err(),
        Some(Error::ChainExhausted)
    );
    // rekey starts a new key at CTR 0.
    let (a, ku) = call::rekey(a, &bob, &ID, &[9; 32]).unwrap();
    assert_eq!(
        ku,
        CallSignal::KeyUpdate {
            call_id: ID,
            key: CallKey {
                kid: 1,
                base_key: [9; 32]
            }
        }
    );
    let (mut a, f) = call::encrypt_frame(a, &bob, &ID, b"", b"").unwrap();
    assert_eq!(
        sframe::decode_header(&f).unwrap().0,
        Header { kid: 1, ctr: 0 }
    );
    a.calls[0].own.as_mut().unwrap().kid = u64::MAX;
    assert_eq!(
        call::rekey(a, &bob, &ID, &[9; 32]).err(),
        Some(Error::ChainExhausted)
    );
}

/// REQ-CALL-003, REQ-CALL-007: after a key update, the previous key opens
/// frames until CALL_KEY_GRACE frames have authenticated under the new one;
/// frames under the old key do not count; then it is deleted. A further
/// update deletes every key but the newest before adding its own.
#[test]
fn key_update_grace_window() {
    let (alice, bob) = (h("alice"), h("bob"));
    let (mut a, mut b) = connected();
    let mut old = Vec::new();
    for _ in 0..4 {
        let (a2, f) = call::encrypt_frame(a, &bob, &ID, b"", b"old").unwrap();
        a = a2;
        old.push(f);
    }
    let (mut a, ku) = call::rekey(a, &bob, &ID, &[0xC1; 32]).unwrap();
    b = call::receive_signal(b, &alice, &ku).unwrap();
    assert_eq!(b.calls[0].grace, CALL_KEY_GRACE);
    // An old frame does not count.
    let (b2, _) = call::decrypt_frame(b, &alice, &ID, b"", &old[0]).unwrap();
    b = b2;
    assert_eq!(b.calls[0].grace, CALL_KEY_GRACE);
    for i in 0..CALL_KEY_GRACE {
        let (a2, f) = call::encrypt_frame(a, &bob, &ID, b"", b"new").unwrap();
        a = a2;
        if i + 1 == CALL_KEY_GRACE {
            // Just before the last grace frame, the old key still opens.
            let (b2, _) = call::decrypt_frame(b.clone(), &alice, &ID, b"", &old[1]).unwrap();
            assert_eq!(b2.calls[0].peer_keys.len(), 2);
        }
        let (b2, pt) = call::decrypt_frame(b, &alice, &ID, b"", &f).unwrap();
        b = b2;
        assert_eq!(pt, b"new");
    }
    assert_eq!(b.calls[0].peer_keys.len(), 1);
    assert_eq!(b.calls[0].peer_keys[0].kid, 1);
    assert_eq!(
        call::decrypt_frame(b.clone(), &alice, &ID, b"", &old[2]).err(),
        Some(Error::AuthenticationFailed)
    );
    // Two updates in a row: at most two keys; the first is gone.
    let (a, ku2) = call::rekey(a, &bob, &ID, &[0xC2; 32]).unwrap();
    let (_, ku3) = call::rekey(a, &bob, &ID, &[0xC3; 32]).unwrap();
    let b = call::receive_signal(b, &alice, &ku2).unwrap();
    let b = call::receive_signal(b, &alice, &ku3).unwrap();
    let kids: Vec<u64> = b.calls[0].peer_keys.iter().map(|k| k.kid).collect();
    assert_eq!(kids, vec![2, 3]);
}

/// SPEC.md section 20.2: at most MAX_CALLS calls; a new one pushes out
/// the oldest incoming call, and only when none is incoming the oldest
/// call: offers never push out a call the user answered or placed while
/// an unanswered offer is held.
#[test]
fn call_table_is_bounded() {
    let (alice, bob) = (h("alice"), h("bob"));
    let offer = |i: u8| CallSignal::Offer {
        call_id: [i; 16],
        key: CallKey {
            kid: 0,
            base_key: KA,
        },
        params: vec![],
    };
    let mut calls = call::new_calls();
    for i in 0..(MAX_CALLS + 3) as u8 {
        calls = call::receive_signal(calls, &alice, &offer(i)).unwrap();
    }
    assert_eq!(calls.calls.len(), MAX_CALLS);
    assert_eq!(calls.calls[0].call_id, [3; 16]);
    assert_eq!(call::find(&calls, &alice, &[2; 16]), None);

    // An answered call and a placed one survive a flood of offers.
    let mut calls = call::new_calls();
    calls = call::receive_signal(calls, &alice, &offer(100)).unwrap();
    let (c, _) = call::answer(calls, &alice, &[100; 16], &KB, b"").unwrap();
    let (c, _) = call::start(c, &bob, &[101; 16], &KA, b"").unwrap();
    calls = c;
    for i in 0..40u8 {
        calls = call::receive_signal(calls, &alice, &offer(i)).unwrap();
        assert!(calls.calls.len() <= MAX_CALLS);
    }
    assert_eq!(calls.calls[0].phase, Phase::Active);
    assert_eq!(calls.calls[1].phase, Phase::Outgoing);
    assert_eq!(call::find(&calls, &alice, &[25; 16]), None);
    assert_eq!(call::find(&calls, &alice, &[26; 16]), Some(2));
    assert_eq!(call::eviction_victim(&calls), 2);
    // With no incoming call left, the oldest call goes.
    let mut placed = call::new_calls();
    for i in 0..(MAX_CALLS + 1) as u8 {
        let (c, _) = call::start(placed, &bob, &[i; 16], &KA, b"").unwrap();
        placed = c;
    }
    assert_eq!(placed.calls.len(), MAX_CALLS);
    assert_eq!(placed.calls[0].call_id, [1; 16]);
}
