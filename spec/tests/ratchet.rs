//! The Double Ratchet with header encryption (SPEC.md section 9; Signal's
//! Double Ratchet, section 4). No external vectors exist for XCHAT-1, so these
//! tests check the KDFs against the primitives they are defined from, the
//! state evolution of SPEC.md 9.2-9.5 over a known schedule, agreement of both
//! sides, out-of-order delivery, the bounds of REQ-RATCHET-004/005, replays,
//! and that every modification of a message is rejected with the documented
//! error. (The receiver's state cannot change on a failure: every function
//! here borrows the state and returns a new one only on success; see
//! `Party::reject`.)

mod common;

use common::{hex_array, Tally, X25519_SMALL_ORDER};
use proptest::prelude::*;
use xchat_spec::ratchet::{
    decrypt, decrypt_message, decrypt_mk, encrypt, encrypt_message, encrypt_mk, evict_oldest,
    hdecrypt, header, hedge_nonce, hencrypt, init_alice, init_bob, kdf_ck, kdf_rk_he, msgkeys,
    pre_encrypt, read_header, Header, RatchetState, SkippedKey, ENC_HEADER_LEN, HEADER_LEN,
    MAX_SKIP, MAX_SKIPPED_TOTAL, MSG_PREKEY, MSG_RATCHET,
};
use xchat_spec::{chacha20poly1305, hkdf, hmac, sha2, suite, xchacha20poly1305, Error};

const AD: [u8; 32] = [0xAD; 32];
const RATCHET_PREFIX: [u8; 2] = [0x01, MSG_RATCHET];

fn bytes32(seed: u8) -> [u8; 32] {
    core::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8))
}

fn sk() -> [u8; 32] {
    bytes32(1)
}
fn hka() -> [u8; 32] {
    bytes32(2)
}
fn nhkb() -> [u8; 32] {
    bytes32(3)
}
fn alice_secret() -> [u8; 32] {
    bytes32(4)
}
fn bob_secret() -> [u8; 32] {
    bytes32(5)
}

/// Deterministic "fresh randomness" for test runs: SHA-256 of a label.
fn fresh32(who: &str, what: &str, i: u64) -> [u8; 32] {
    sha2::sha256(&[who.as_bytes(), what.as_bytes(), &i.to_be_bytes()].concat())
}

/// One side of a conversation: its state and counters for its randomness.
#[derive(Clone)]
struct Party {
    name: &'static str,
    st: RatchetState,
    sends: u64,
    recvs: u64,
}

impl Party {
    fn send(&mut self, pt: &[u8]) -> Vec<u8> {
        let nonce: [u8; 24] = fresh32(self.name, "nonce", self.sends)[..24]
            .try_into()
            .unwrap();
        self.sends += 1;
        let (st, msg) = encrypt_message(&self.st, &AD, pt, &nonce).expect("encrypt");
        self.st = st;
        msg
    }

    fn recv(&mut self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let secret = fresh32(self.name, "ratchet", self.recvs);
        self.recvs += 1;
        let (st, pt) = decrypt_message(&self.st, &AD, msg, &secret)?;
        self.st = st;
        Ok(pt)
    }

    /// Receiving `msg` fails with `want` (REQ-RATCHET-003). That the state
    /// is unchanged needs no assertion here: `decrypt_message` borrows the
    /// state and returns a new one only on success, and `recv` stores it
    /// only then, so comparing `st` with a clone taken before could not
    /// fail. The property that can fail is checked where state is kept
    /// across a failure: the impl's in-place ratchet against the spec after
    /// every operation (`impl/tests/session_diff.rs`) and whole scripts with
    /// and without their failing events (`tests/scenario.rs`).
    fn reject(&mut self, msg: &[u8], want: Error) {
        assert_eq!(self.recv(msg), Err(want));
    }
}

fn setup() -> (Party, Party) {
    let bob_pub = suite::public_key(&bob_secret());
    let alice = init_alice(&sk(), &bob_pub, &hka(), &nhkb(), &alice_secret()).expect("alice");
    let bob = init_bob(&sk(), &bob_secret(), &hka(), &nhkb());
    let party = |name, st| Party {
        name,
        st,
        sends: 0,
        recvs: 0,
    };
    (party("alice", alice), party("bob", bob))
}

fn pt(tag: &str, i: usize) -> Vec<u8> {
    format!("{tag} message {i}").into_bytes()
}

/// Sends `count` messages from `p`, returning them with their plaintexts.
fn send_many(p: &mut Party, tag: &str, count: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    (0..count)
        .map(|i| {
            let plain = pt(tag, i);
            (p.send(&plain), plain)
        })
        .collect()
}

/// A ratchet body built by hand with header key `hk` (for hostile headers).
fn forged_body(hk: &[u8; 32], h: &[u8; HEADER_LEN]) -> Vec<u8> {
    let mut body = hencrypt(hk, h, &[7u8; 24]);
    body.extend_from_slice(&encrypt_mk(&[9u8; 32], &[7u8; 24], b"forged", b"whatever").unwrap());
    body
}

fn forged_message(hk: &[u8; 32], h: &[u8; HEADER_LEN]) -> Vec<u8> {
    [RATCHET_PREFIX.to_vec(), forged_body(hk, h)].concat()
}

/// REQ-RATCHET-001: KDF_RK_HE, KDF_CK, HEADER, HENCRYPT, MSGKEYS, HEDGE and
/// ENCRYPT are the formulas of SPEC.md section 9, recomputed here from the
/// primitives.
#[test]
fn kdfs_match_spec_formulas() {
    let (rk, dh_out, ck, mk) = (bytes32(10), bytes32(11), bytes32(12), bytes32(13));
    let okm = hkdf::hkdf_sha256(&rk, &dh_out, b"XCHAT-1 root ratchet", 96).unwrap();
    let (a, b, c) = kdf_rk_he(&rk, &dh_out).unwrap();
    assert_eq!([a.to_vec(), b.to_vec(), c.to_vec()].concat(), okm);

    let (next, m) = kdf_ck(&ck);
    assert_eq!(m, hmac::hmac_sha256(&ck, &[1]));
    assert_eq!(next, hmac::hmac_sha256(&ck, &[2]));

    let dh = bytes32(14);
    let h = header(&dh, 0x01020304, 0xA0B0C0D0);
    let mut want = vec![0x01];
    want.extend_from_slice(&dh);
    want.extend_from_slice(&[1, 2, 3, 4, 0xA0, 0xB0, 0xC0, 0xD0]);
    assert_eq!(h.to_vec(), want);
    assert_eq!(HEADER_LEN, 41);
    assert_eq!(
        read_header(&h),
        Ok(Header {
            dh,
            pn: 0x01020304,
            n: 0xA0B0C0D0
        })
    );

    let nonce = [0x55u8; 24];
    let enc = hencrypt(&ck, &h, &nonce);
    let sealed = xchacha20poly1305::seal(&ck, &nonce, b"XCHAT-1 header", &h);
    assert_eq!(enc, [nonce.to_vec(), sealed].concat());
    assert_eq!(enc.len(), ENC_HEADER_LEN);
    assert_eq!(ENC_HEADER_LEN, 81);
    assert_eq!(hdecrypt(&ck, &enc), Some(read_header(&h).unwrap()));
    assert_eq!(hdecrypt(&mk, &enc), None);

    let okm = hkdf::hkdf_sha256(&[0u8; 32], &mk, b"XCHAT-1 message key", 76).unwrap();
    let key: [u8; 32] = okm[..32].try_into().unwrap();
    let nonce_base: [u8; 12] = okm[32..44].try_into().unwrap();
    let hedge_key: [u8; 32] = okm[44..].try_into().unwrap();
    assert_eq!(msgkeys(&mk), Ok((key, nonce_base, hedge_key)));
    let r = [0x66u8; 24];
    let tag = hmac::hmac_sha256(&hedge_key, &[r.as_slice(), b"hello"].concat());
    let hedged: [u8; 24] = tag[..24].try_into().unwrap();
    assert_eq!(hedge_nonce(&mk, &r, b"hello"), Ok(hedged));
    let n12: [u8; 12] = core::array::from_fn(|i| nonce_base[i] ^ hedged[i]);
    let ct = encrypt_mk(&mk, &hedged, b"hello", b"aad").unwrap();
    assert_eq!(ct, chacha20poly1305::seal(&key, &n12, b"aad", b"hello"));
    assert_eq!(decrypt_mk(&mk, &hedged, &ct, b"aad"), Ok(b"hello".to_vec()));
    // Only the first 12 bytes of the header nonce reach the body nonce.
    let mut other = hedged;
    other[12] ^= 1;
    assert_eq!(encrypt_mk(&mk, &other, b"hello", b"aad").unwrap(), ct);
    other[11] ^= 1;
    assert_eq!(
        decrypt_mk(&mk, &other, &ct, b"aad"),
        Err(Error::AuthenticationFailed)
    );

    assert!(pre_encrypt(1 << 20));
    assert!(!pre_encrypt(274_877_906_881));
}

/// REQ-RATCHET-001: a header decodes strictly: wrong key tag, wrong length,
/// and `n = 2^32 - 1` (which no sender produces) do not decode.
#[test]
fn header_decoding_is_strict() {
    let h = header(&bytes32(1), 5, 6);
    let mut bad_tag = h;
    bad_tag[0] = 0x02;
    assert_eq!(read_header(&bad_tag), Err(Error::Malformed));
    assert_eq!(read_header(&h[..40]), Err(Error::Malformed));
    assert_eq!(
        read_header(&[h.to_vec(), vec![0]].concat()),
        Err(Error::Malformed)
    );
    assert_eq!(
        read_header(&header(&bytes32(1), 5, u32::MAX)),
        Err(Error::Malformed)
    );
    assert!(read_header(&header(&bytes32(1), u32::MAX, u32::MAX - 1)).is_ok());
    // Authenticating under the key is not enough: the header must decode.
    let hk = bytes32(9);
    assert_eq!(hdecrypt(&hk, &hencrypt(&hk, &bad_tag, &[0; 24])), None);
    // An input that is not exactly 81 bytes gives nothing, like a failed
    // open, even if its first 81 bytes are a valid encrypted header.
    let good = hencrypt(&hk, &h, &[3; 24]);
    assert!(hdecrypt(&hk, &good).is_some());
    for len in [0, 24, 80] {
        assert_eq!(hdecrypt(&hk, &good[..len]), None);
    }
    assert_eq!(hdecrypt(&hk, &[good.clone(), vec![0]].concat()), None);
}

/// REQ-RATCHET-002: initialization is SPEC.md section 9.2.
#[test]
fn initial_states() {
    let (alice, bob) = setup();
    let (a, b) = (&alice.st, &bob.st);
    let bob_pub = suite::public_key(&bob_secret());
    let dh_out = suite::dh(&alice_secret(), &bob_pub).unwrap();
    let (rk, cks, nhks) = kdf_rk_he(&sk(), &dh_out).unwrap();
    assert_eq!(a.dhs_public, suite::public_key(&alice_secret()));
    assert_eq!(
        (a.dhr, a.rk, a.cks, a.ckr),
        (Some(bob_pub), rk, Some(cks), None)
    );
    assert_eq!(
        (a.hks, a.hkr, a.nhks, a.nhkr),
        (Some(hka()), None, nhks, nhkb())
    );
    assert_eq!((a.ns, a.nr, a.pn, a.mkskipped.len()), (0, 0, 0, 0));
    assert_eq!(
        (b.dhs_secret, b.dhs_public, b.dhr, b.rk),
        (bob_secret(), bob_pub, None, sk())
    );
    assert_eq!((b.cks, b.ckr, b.hks, b.hkr), (None, None, None, None));
    assert_eq!((b.nhks, b.nhkr, b.ns, b.nr, b.pn), (nhkb(), hka(), 0, 0, 0));
}

/// `receiver` has decrypted everything `sender` sent on its current chain:
/// their chain keys, header keys and counters agree.
fn assert_caught_up(sender: &Party, receiver: &Party) {
    let (s, r) = (&sender.st, &receiver.st);
    assert_eq!(r.ckr, s.cks);
    assert_eq!(r.hkr, s.hks);
    assert_eq!(r.nr, s.ns);
    assert_eq!(r.dhr, Some(s.dhs_public));
}

/// Delivers `msgs` to `p` in order, checking plaintexts.
fn deliver(p: &mut Party, msgs: &[(Vec<u8>, Vec<u8>)]) {
    for (m, plain) in msgs {
        assert_eq!(p.recv(m).as_ref(), Ok(plain));
    }
}

/// REQ-RATCHET-002, REQ-RATCHET-003: a conversation with five DH ratchet
/// steps; after each round the counters have the values SPEC.md 9.3/9.5 give,
/// and both sides' keys agree.
#[test]
fn conversation_state_evolution() {
    let (mut a, mut b) = setup();
    let mut t = Tally::new("ratchet conversation rounds");

    let m = send_many(&mut a, "a1", 3);
    assert_eq!((a.st.ns, a.st.pn), (3, 0));
    let a_nhks = a.st.nhks;
    deliver(&mut b, &m);
    // Bob's DH ratchet step: PN = Ns = 0, HKs = NHKB, HKr = HKA, and his
    // first KDF_RK_HE equals Alice's initial one (so NHKr = Alice's NHKs).
    assert_eq!((b.st.ns, b.st.nr, b.st.pn), (0, 3, 0));
    assert_eq!(
        (b.st.hks, b.st.hkr, b.st.nhkr),
        (Some(nhkb()), Some(hka()), a_nhks)
    );
    assert_eq!(
        b.st.dhs_public,
        suite::public_key(&fresh32("bob", "ratchet", 0))
    );
    assert_caught_up(&a, &b);
    t.check();

    let m = send_many(&mut b, "b1", 2);
    let b_nhks = b.st.nhks;
    deliver(&mut a, &m);
    assert_eq!((a.st.ns, a.st.nr, a.st.pn), (0, 2, 3));
    assert_eq!(
        (a.st.hks, a.st.hkr, a.st.nhkr),
        (Some(a_nhks), Some(nhkb()), b_nhks)
    );
    assert_caught_up(&b, &a);
    t.check();

    let m = send_many(&mut a, "a2", 1);
    // The header carries PN = 3 and n = 0 under Alice's HKs.
    let h = hdecrypt(&a.st.hks.unwrap(), &m[0].0[2..2 + ENC_HEADER_LEN]).unwrap();
    assert_eq!((h.dh, h.pn, h.n), (a.st.dhs_public, 3, 0));
    deliver(&mut b, &m);
    assert_eq!((b.st.ns, b.st.nr, b.st.pn), (0, 1, 2));
    assert_caught_up(&a, &b);
    t.check();

    let m = send_many(&mut b, "b2", 4);
    deliver(&mut a, &m);
    assert_eq!((a.st.ns, a.st.nr, a.st.pn), (0, 4, 1));
    assert_caught_up(&b, &a);
    t.check();

    let m = send_many(&mut a, "a3", 2);
    deliver(&mut b, &m);
    assert_eq!((b.st.ns, b.st.nr, b.st.pn), (0, 2, 4));
    assert_caught_up(&a, &b);
    t.check();

    // Both keep sending on their chains without new DH steps.
    let m = send_many(&mut a, "a3b", 3);
    deliver(&mut b, &m);
    assert_eq!((b.st.ns, b.st.nr, b.st.pn, a.st.ns), (0, 5, 4, 5));
    assert_caught_up(&a, &b);
    assert!(a.st.mkskipped.is_empty() && b.st.mkskipped.is_empty());
    t.check();
    t.finish(6);
}

/// REQ-RATCHET-002: `len(RatchetBody) = 81 + len(plaintext) + 16` and a
/// RatchetMessage adds the two prefix bytes; prefix `0x01 0x01` (prekey
/// message) is bound into the AEAD too.
#[test]
fn body_lengths_and_prefix() {
    let (a, b) = setup();
    let mut t = Tally::new("ratchet body lengths");
    for len in [0usize, 1, 15, 16, 17, 100, 1000, 4096] {
        let plain = vec![0x42u8; len];
        let nonce = [len as u8; 24];
        let (_, body) = encrypt(&a.st, &AD, &[1, MSG_PREKEY], &plain, &nonce).unwrap();
        assert_eq!(body.len(), 81 + len + 16);
        let (_, msg) = encrypt_message(&a.st, &AD, &plain, &nonce).unwrap();
        assert_eq!(msg.len(), 2 + 81 + len + 16);
        assert_eq!(msg[..2], RATCHET_PREFIX);
        let secret = bytes32(20);
        let (_, got) = decrypt(&b.st, &AD, &[1, MSG_PREKEY], &body, &secret).unwrap();
        assert_eq!(got, plain);
        // The same body under the ratchet-message prefix does not open.
        let wrong = decrypt(&b.st, &AD, &RATCHET_PREFIX, &body, &secret);
        assert_eq!(wrong, Err(Error::AuthenticationFailed));
        t.check();
    }
    t.finish(8);
}

/// Heap's algorithm: every permutation of `0..n`.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn go(k: usize, a: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if k <= 1 {
            out.push(a.clone());
            return;
        }
        for i in 0..k {
            go(k - 1, a, out);
            let j = if k.is_multiple_of(2) { i } else { 0 };
            if i + 1 < k {
                a.swap(j, k - 1);
            }
        }
    }
    let mut out = Vec::new();
    go(n, &mut (0..n).collect(), &mut out);
    out
}

/// Delivers `msgs` to a copy of `receiver` in `order`: each decrypts once to
/// its plaintext, and a second delivery of message `i` fails with
/// `replay[i]`; returns the final party.
fn deliver_in_order(
    receiver: &Party,
    msgs: &[(Vec<u8>, Vec<u8>)],
    order: &[usize],
    replay: &[Error],
) -> Party {
    let mut r = receiver.clone();
    for &i in order {
        assert_eq!(
            r.recv(&msgs[i].0).as_ref(),
            Ok(&msgs[i].1),
            "order {order:?}"
        );
    }
    for (i, (m, _)) in msgs.iter().enumerate() {
        r.reject(m, replay[i]);
    }
    assert!(r.st.mkskipped.is_empty());
    r
}

/// REQ-RATCHET-003, REQ-RATCHET-006, REQ-RATCHET-008: every delivery order of
/// five messages of one chain decrypts each exactly once.
#[test]
fn every_permutation_one_chain() {
    let (mut a, b) = setup();
    let msgs = send_many(&mut a, "p", 5);
    let mut t = Tally::new("ratchet permutations of 5 messages, one chain");
    for order in permutations(5) {
        let r = deliver_in_order(&b, &msgs, &order, &[Error::Replay; 5]);
        assert_eq!((r.st.nr, r.st.ckr), (5, a.st.cks));
        t.check();
    }
    t.finish(120);
}

/// REQ-RATCHET-003, REQ-RATCHET-006, REQ-RATCHET-008: every delivery order
/// of five messages spread over two of Alice's chains (one left over from the old chain, the
/// rest after a DH ratchet step), so old-chain keys are skipped through `pn`.
#[test]
fn every_permutation_across_chains() {
    let (mut a, mut b) = setup();
    let first = send_many(&mut a, "c1", 2);
    deliver(&mut b, &first[..1]);
    let reply = send_many(&mut b, "r", 1);
    deliver(&mut a, &reply);
    let mut msgs = vec![first[1].clone()];
    msgs.extend(send_many(&mut a, "c2", 4));
    // Once all are delivered, no key of the old chain is stored, so its
    // header key is forgotten: its replay is AuthenticationFailed
    // (REQ-RATCHET-006); the current chain's replays are Replay.
    let mut replay = [Error::Replay; 5];
    replay[0] = Error::AuthenticationFailed;
    let mut t = Tally::new("ratchet permutations of 5 messages, two chains");
    for order in permutations(5) {
        let r = deliver_in_order(&b, &msgs, &order, &replay);
        assert_caught_up(&a, &r);
        assert_eq!(r.st.pn, 1);
        t.check();
    }
    t.finish(120);
}

/// REQ-RATCHET-004, REQ-RATCHET-008: a gap of exactly MAX_SKIP is accepted
/// and every skipped message then decrypts exactly once.
#[test]
fn gap_of_exactly_max_skip() {
    let (mut a, mut b) = setup();
    let msgs = send_many(&mut a, "gap", MAX_SKIP as usize + 1);
    deliver(&mut b, &msgs[MAX_SKIP as usize..]);
    assert_eq!(b.st.mkskipped.len(), MAX_SKIP as usize);
    assert_eq!(b.st.nr, MAX_SKIP + 1);
    let mut t = Tally::new("ratchet skipped messages after a gap of MAX_SKIP");
    // A scrambled order (7 is coprime to 1000).
    for k in 0..MAX_SKIP as usize {
        let i = (k * 7) % MAX_SKIP as usize;
        assert_eq!(b.recv(&msgs[i].0).as_ref(), Ok(&msgs[i].1));
        assert_eq!(b.st.mkskipped.len(), MAX_SKIP as usize - k - 1);
        t.check();
    }
    for i in [0, 1, 500, 999, 1000] {
        b.reject(&msgs[i].0, Error::Replay);
    }
    t.finish(MAX_SKIP as usize);
}

/// REQ-RATCHET-004: skipping MAX_SKIP + 1 keys fails with TooManySkipped and
/// changes nothing, on a new chain (`n`), the current chain (`n`) and the
/// old chain (`pn`); the messages that fit still decrypt afterwards.
#[test]
fn gap_of_max_skip_plus_one() {
    let max = MAX_SKIP as usize;
    // New chain: Bob's first message has n = MAX_SKIP + 1.
    let (mut a, mut b) = setup();
    let msgs = send_many(&mut a, "g", max + 2);
    b.reject(&msgs[max + 1].0, Error::TooManySkipped);
    deliver(&mut b, &msgs[max..]);

    // Current chain: Nr = 1, message n = MAX_SKIP + 2.
    let (mut a, mut b) = setup();
    let msgs = send_many(&mut a, "g", max + 3);
    deliver(&mut b, &msgs[..1]);
    b.reject(&msgs[max + 2].0, Error::TooManySkipped);
    deliver(&mut b, &msgs[max + 1..]);

    // Old chain: Bob has Nr = 1 and Alice's next chain says PN = MAX_SKIP + 2.
    let (mut a, mut b) = setup();
    let old = send_many(&mut a, "g", max + 2);
    deliver(&mut b, &old[..1]);
    deliver(&mut a, &send_many(&mut b, "r", 1));
    let next = send_many(&mut a, "n", 1);
    b.reject(&next[0].0, Error::TooManySkipped);
    // Once one more old message arrives, the gap fits.
    deliver(&mut b, &old[1..2]);
    deliver(&mut b, &next);
    assert_eq!(b.st.mkskipped.len(), max);
}

/// REQ-RATCHET-004: hostile header numbers near 2^32 under valid header keys
/// are rejected at once (no 2^32-step loop, no overflow of Nr).
#[test]
fn hostile_header_numbers() {
    let (mut a, mut b) = setup();
    deliver(&mut b, &send_many(&mut a, "x", 1));
    let (hkr, nhkr, dh) = (b.st.hkr.unwrap(), b.st.nhkr, a.st.dhs_public);
    let fresh_dh = suite::public_key(&bytes32(77));
    // n = 2^32 - 1 does not decode: as if the header did not authenticate.
    b.reject(
        &forged_message(&hkr, &header(&dh, 0, u32::MAX)),
        Error::AuthenticationFailed,
    );
    b.reject(
        &forged_message(&hkr, &header(&dh, 0, u32::MAX - 1)),
        Error::TooManySkipped,
    );
    let h = header(&fresh_dh, u32::MAX, 0);
    b.reject(&forged_message(&nhkr, &h), Error::TooManySkipped);
    let h = header(&fresh_dh, 1, u32::MAX - 1);
    b.reject(&forged_message(&nhkr, &h), Error::TooManySkipped);
    // Fresh Bob (no receiving chain yet): the bound still applies to pn.
    let (_, mut fresh) = setup();
    fresh.reject(
        &forged_message(&hka(), &header(&fresh_dh, 1001, 0)),
        Error::TooManySkipped,
    );
    fresh.reject(
        &forged_message(&hka(), &header(&fresh_dh, 0, 1001)),
        Error::TooManySkipped,
    );
}

/// REQ-RATCHET-002, REQ-RATCHET-003: the last message numbers of a chain:
/// Ns = 2^32 - 2 still sends and Nr reaches 2^32 - 1 without overflow; then
/// the sender's chain is exhausted and the receiver reports a replay.
#[test]
fn counters_at_the_top() {
    let (mut a, mut b) = setup();
    deliver(&mut b, &send_many(&mut a, "x", 1));
    a.st.ns = u32::MAX - 1;
    b.st.nr = u32::MAX - 1;
    let last = send_many(&mut a, "last", 1);
    assert_eq!(a.st.ns, u32::MAX);
    deliver(&mut b, &last);
    assert_eq!(b.st.nr, u32::MAX);
    let r = encrypt_message(&a.st, &AD, b"more", &[0; 24]);
    assert_eq!(r, Err(Error::ChainExhausted));
    b.reject(&last[0].0, Error::Replay);
}

/// REQ-RATCHET-005, REQ-RATCHET-006: skipped keys over four chains exceed
/// MAX_SKIPPED_TOTAL; the oldest are evicted, the store holds exactly the
/// cap, and a message whose key was evicted fails (Replay while its chain's
/// header key is still stored, AuthenticationFailed once it is not).
#[test]
fn skipped_store_cap_evicts_oldest() {
    let (mut a, mut b) = setup();
    let per = 801usize;
    let mut chains = Vec::new();
    let mut hks = Vec::new();
    for c in 0..4 {
        if c > 0 {
            deliver(&mut a, &send_many(&mut b, "r", 1));
        }
        let msgs = send_many(&mut a, &format!("chain{c}"), per);
        deliver(&mut b, &msgs[per - 1..]);
        hks.push(b.st.hkr.unwrap());
        chains.push(msgs);
        let stored = b.st.mkskipped.len();
        match c {
            0 => assert_eq!(stored, 800),
            1 => assert_eq!(stored, 1600),
            2 => {
                assert_eq!(stored, MAX_SKIPPED_TOTAL);
                let first = SkippedKey {
                    hk: hks[0],
                    n: 400,
                    mk: b.st.mkskipped[0].mk,
                };
                assert_eq!(b.st.mkskipped[0], first);
                assert_eq!(b.st.mkskipped[399].hk, hks[0]);
                assert_eq!((b.st.mkskipped[400].hk, b.st.mkskipped[400].n), (hks[1], 0));
                let last = &b.st.mkskipped[MAX_SKIPPED_TOTAL - 1];
                assert_eq!((last.hk, last.n), (hks[2], 799));
                // Evicted, but chain 0's header key is still known.
                b.reject(&chains[0][0].0, Error::Replay);
                b.reject(&chains[0][399].0, Error::Replay);
                deliver(&mut b, &chains[0][400..401]);
                assert_eq!(b.st.mkskipped.len(), MAX_SKIPPED_TOTAL - 1);
            }
            _ => {
                // 1999 + 800 = 2799: evicts chain 0's last 399 and 400 of chain 1.
                assert_eq!(stored, MAX_SKIPPED_TOTAL);
                assert_eq!((b.st.mkskipped[0].hk, b.st.mkskipped[0].n), (hks[1], 400));
                b.reject(&chains[0][401].0, Error::AuthenticationFailed);
                b.reject(&chains[1][0].0, Error::Replay);
                deliver(&mut b, &chains[1][400..401]);
                deliver(&mut b, &chains[3][..1]);
            }
        }
    }
    // evict_oldest on its own: keeps the newest MAX_SKIPPED_TOTAL, in order.
    let list: Vec<SkippedKey> = (0..MAX_SKIPPED_TOTAL as u32 + 5)
        .map(|n| SkippedKey {
            hk: [0; 32],
            n,
            mk: [0; 32],
        })
        .collect();
    let kept = evict_oldest(&list);
    assert_eq!(kept.len(), MAX_SKIPPED_TOTAL);
    assert_eq!(
        (kept[0].n, kept[MAX_SKIPPED_TOTAL - 1].n),
        (5, MAX_SKIPPED_TOTAL as u32 + 4)
    );
    assert_eq!(evict_oldest(&list[..10]), list[..10].to_vec());
}

/// REQ-RATCHET-006, REQ-RATCHET-008: replays of a message of the current
/// chain, of a used skipped key, and of an old chain whose header key is
/// still stored are `Replay`; an old chain with no stored key is
/// `AuthenticationFailed` (its header key is gone).
#[test]
fn replays_rejected() {
    let (mut a, mut b) = setup();
    let c1 = send_many(&mut a, "c1", 3);
    deliver(&mut b, &c1[1..]); // skips c1[0]
    b.reject(&c1[2].0, Error::Replay); // current chain
    deliver(&mut b, &c1[..1]); // skipped key used and deleted
    b.reject(&c1[0].0, Error::Replay);

    let c1b = send_many(&mut a, "c1b", 2);
    deliver(&mut b, &c1b[1..]); // skips c1b[0], keeps chain 1's header key
    deliver(&mut a, &send_many(&mut b, "r", 1));
    let c2 = send_many(&mut a, "c2", 1);
    deliver(&mut b, &c2);
    // Old chain 1, header key still stored (entry for c1b[0]):
    b.reject(&c1[1].0, Error::Replay);
    b.reject(&c1b[1].0, Error::Replay);
    deliver(&mut b, &c1b[..1]);
    // Now no entry of chain 1 remains: its header key is forgotten.
    assert!(b.st.mkskipped.is_empty());
    b.reject(&c1[1].0, Error::AuthenticationFailed);
    b.reject(&c1b[0].0, Error::AuthenticationFailed);
    b.reject(&c2[0].0, Error::Replay);
}

/// The expected error for a message whose byte `pos` was modified
/// (SPEC.md section 9.4).
fn flip_error(pos: usize) -> Error {
    match pos {
        0 => Error::UnsupportedVersion,
        1 => Error::Malformed,
        _ => Error::AuthenticationFailed, // header (2..83) and ciphertext (83..)
    }
}

/// REQ-RATCHET-003: every single-byte modification (three masks per byte) of
/// a message of a skipped key, of the current chain and of the next chain is
/// rejected with the documented error; the unmodified
/// messages still decrypt afterwards.
#[test]
fn single_byte_flips_rejected() {
    let (mut a, mut b) = setup();
    let c1 = send_many(&mut a, "flip", 4);
    deliver(&mut b, &c1[2..3]); // c1[0], c1[1] skipped
    let mut a2 = a.clone();
    deliver(&mut a2, &send_many(&mut b.clone(), "r", 1));
    let next = send_many(&mut a2, "flip next", 1);
    let targets = [&c1[0].0, &c1[3].0, &next[0].0];
    let mut t = Tally::new("ratchet single-byte flips");
    for msg in targets {
        for pos in 0..msg.len() {
            for mask in [0x01u8, 0x80, 0xFF] {
                let mut bad = msg.clone();
                bad[pos] ^= mask;
                b.reject(&bad, flip_error(pos));
                t.check();
            }
        }
        assert!(b.clone().recv(msg).is_ok());
    }
    t.finish(3 * 3 * (2 + 81 + 16));
}

/// REQ-RATCHET-003: every truncation and some extensions of a message are
/// rejected (`Malformed` below `2 + 81 + 16` bytes, `AuthenticationFailed`
/// above).
#[test]
fn truncation_and_extension_rejected() {
    let (mut a, mut b) = setup();
    let msg = send_many(&mut a, "truncate me", 1).remove(0).0;
    let mut t = Tally::new("ratchet truncations and extensions");
    for len in 0..msg.len() {
        let want = if len < 2 + 81 + 16 {
            Error::Malformed
        } else {
            Error::AuthenticationFailed
        };
        b.reject(&msg[..len], want);
        t.check();
    }
    for extra in [vec![0u8], vec![0xFF], vec![0; 16], vec![1, 2, 3]] {
        b.reject(&[msg.clone(), extra].concat(), Error::AuthenticationFailed);
        t.check();
    }
    // A prekey-type message is not a ratchet message.
    let mut prekey = msg.clone();
    prekey[1] = MSG_PREKEY;
    b.reject(&prekey, Error::Malformed);
    assert!(b.recv(&msg).is_ok());
    t.finish(msg.len() + 4);
}

/// REQ-RATCHET-007: a small-order ratchet key is `NonContributory`: as Bob's
/// key at Alice's initialization, and in a header of a next chain (built
/// with the valid next header key) at a fresh and at a running Bob.
#[test]
fn small_order_ratchet_key_rejected() {
    let (mut a, b) = setup();
    let mut running = b.clone();
    deliver(&mut running, &send_many(&mut a, "x", 1));
    let mut fresh = b;
    let mut t = Tally::new("ratchet small-order ratchet keys");
    for u in X25519_SMALL_ORDER {
        let point = hex_array::<32>(u);
        let r = init_alice(&sk(), &point, &hka(), &nhkb(), &alice_secret());
        assert_eq!(r, Err(Error::NonContributory));
        fresh.reject(
            &forged_message(&hka(), &header(&point, 0, 0)),
            Error::NonContributory,
        );
        let nhkr = running.st.nhkr;
        running.reject(
            &forged_message(&nhkr, &header(&point, 1, 0)),
            Error::NonContributory,
        );
        t.check();
    }
    t.finish(X25519_SMALL_ORDER.len());
}

/// REQ-RATCHET-002: Bob cannot encrypt before his first decryption.
#[test]
fn bob_cannot_send_first() {
    let (mut a, mut b) = setup();
    let r = encrypt(&b.st, &AD, &RATCHET_PREFIX, b"hi", &[0; 24]);
    assert_eq!(r, Err(Error::NoSendingChain));
    assert_eq!(
        encrypt_message(&b.st, &AD, b"hi", &[0; 24]),
        Err(Error::NoSendingChain)
    );
    deliver(&mut b, &send_many(&mut a, "x", 1));
    deliver(&mut a, &send_many(&mut b, "now", 1));
}

/// REQ-RATCHET-003: a message decrypted under another AD (another session's
/// transcript) is `AuthenticationFailed`.
#[test]
fn wrong_ad_rejected() {
    let (mut a, b) = setup();
    let msg = send_many(&mut a, "ad", 1).remove(0).0;
    let secret = bytes32(30);
    for ad in [[0u8; 32], [0xAC; 32], {
        let mut x = AD;
        x[31] ^= 1;
        x
    }] {
        assert_eq!(
            decrypt_message(&b.st, &ad, &msg, &secret),
            Err(Error::AuthenticationFailed)
        );
    }
    assert_eq!(
        decrypt_message(&b.st, &AD, &msg, &secret).unwrap().1,
        b"ad message 0"
    );
}

/// One step of the random schedule of the property test below.
#[derive(Clone, Debug)]
enum Op {
    AliceSends,
    BobSends,
    DeliverToBob(usize),
    DeliverToAlice(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::AliceSends),
        2 => Just(Op::BobSends),
        2 => any::<usize>().prop_map(Op::DeliverToBob),
        2 => any::<usize>().prop_map(Op::DeliverToAlice),
    ]
}

/// In-flight messages to one party: (message, plaintext).
type Queue = Vec<(Vec<u8>, Vec<u8>)>;

/// Delivers the in-flight message `pick` (mod the queue length) to `to`:
/// it decrypts to its plaintext, and once only (a second delivery is a
/// `Replay`, or `AuthenticationFailed` if it was the last skipped key of an
/// old chain, whose header key is then forgotten: REQ-RATCHET-006).
fn deliver_pick(to: &mut Party, queue: &mut Queue, pick: usize) -> bool {
    if queue.is_empty() {
        return false;
    }
    let (msg, plain) = queue.remove(pick % queue.len());
    assert_eq!(to.recv(&msg), Ok(plain));
    let again = to.recv(&msg);
    let replay = matches!(again, Err(Error::Replay) | Err(Error::AuthenticationFailed));
    assert!(replay, "second delivery: {again:?}");
    true
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: common::proptest_cases(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// REQ-RATCHET-003, REQ-RATCHET-006, REQ-RATCHET-008: random schedules
    /// of a few dozen messages in both directions (Bob only once he can
    /// send), delivered in random orders: every message decrypts exactly
    /// once to its plaintext, and at the end no skipped key is left.
    #[test]
    fn random_delivery_orders(ops in prop::collection::vec(op(), 10..60),
                              drain in prop::collection::vec(any::<usize>(), 60)) {
        let (mut a, mut b) = setup();
        let (mut to_a, mut to_b): (Queue, Queue) = (Vec::new(), Vec::new());
        let (mut sent, mut delivered) = (0usize, 0usize);
        for o in ops {
            match o {
                Op::AliceSends => {
                    let plain = pt("alice", sent);
                    to_b.push((a.send(&plain), plain));
                    sent += 1;
                }
                Op::BobSends if b.st.cks.is_none() => {
                    let r = encrypt_message(&b.st, &AD, b"x", &[0; 24]);
                    prop_assert_eq!(r, Err(Error::NoSendingChain));
                }
                Op::BobSends => {
                    let plain = pt("bob", sent);
                    to_a.push((b.send(&plain), plain));
                    sent += 1;
                }
                Op::DeliverToBob(i) => delivered += deliver_pick(&mut b, &mut to_b, i) as usize,
                Op::DeliverToAlice(i) => delivered += deliver_pick(&mut a, &mut to_a, i) as usize,
            }
        }
        for k in 0..sent {
            let pick = drain[k % drain.len()];
            let bob_first = !to_b.is_empty() && (pick % 2 == 0 || to_a.is_empty());
            let done = if bob_first {
                deliver_pick(&mut b, &mut to_b, pick / 2)
            } else {
                deliver_pick(&mut a, &mut to_a, pick / 2)
            };
            delivered += done as usize;
        }
        prop_assert_eq!(delivered, sent);
        prop_assert!(a.st.mkskipped.is_empty() && b.st.mkskipped.is_empty());
    }
}

// ---- nonce misuse resistance (REQ-RATCHET-009) ---------------------------

/// A state that has sent once and so has a sending chain with a header key
/// used before (the header key lives for the whole chain).
fn sender_mid_chain() -> RatchetState {
    let (mut alice, _) = setup();
    alice.send(b"first");
    alice.st
}

/// REQ-RATCHET-009, body AEAD: a restored state (a clone) encrypting with
/// the same `r` gives different header nonces, so different body nonces
/// under the same message key, for different plaintexts: the ciphertexts are
/// not related by the XOR of the plaintexts. The same plaintext gives the
/// identical message, and a fresh `r` a fresh nonce.
#[test]
fn restored_state_and_repeated_r_body_aead() {
    let st = sender_mid_chain();
    let restored = st.clone();
    let r = [0x42u8; 24];
    let (p1, p2) = (b"attack at dawn!!".to_vec(), b"retreat at nine!".to_vec());
    let (_, m1) = encrypt_message(&st, &AD, &p1, &r).unwrap();
    let (_, m2) = encrypt_message(&restored, &AD, &p2, &r).unwrap();
    let body = 2 + ENC_HEADER_LEN;
    // Same message key (same chain position), different header nonces.
    assert_eq!(m1.len(), m2.len());
    assert_ne!(m1[2..26], m2[2..26]);
    // The body nonces differ in their first 12 bytes (nonce_base XOR nonce[0..12]).
    assert_ne!(m1[2..14], m2[2..14]);
    // Not XOR-related: c1 XOR c2 is not p1 XOR p2.
    let ct_xor: Vec<u8> = (0..p1.len()).map(|i| m1[body + i] ^ m2[body + i]).collect();
    let pt_xor: Vec<u8> = (0..p1.len()).map(|i| p1[i] ^ p2[i]).collect();
    assert_ne!(ct_xor, pt_xor);
    // The nonce is exactly HEDGE(mk, r, plaintext) for the state's next mk.
    let (_, mk) = kdf_ck(&st.cks.unwrap());
    assert_eq!(m1[2..26], hedge_nonce(&mk, &r, &p1).unwrap());
    assert_eq!(m2[2..26], hedge_nonce(&mk, &r, &p2).unwrap());
    // Same state, same r, same plaintext: identical bytes, nothing new leaks.
    let (_, again) = encrypt_message(&restored, &AD, &p1, &r).unwrap();
    assert_eq!(again, m1);
    // Restored state, fresh r: a fresh nonce for the same plaintext.
    let (_, fresh) = encrypt_message(&restored, &AD, &p1, &[0x43u8; 24]).unwrap();
    assert_ne!(fresh[2..26], m1[2..26]);
    assert_ne!(fresh[body..], m1[body..]);
    // Each decrypts for the receiver of the same chain.
    let (_, bob) = {
        let (mut alice, mut bob) = setup();
        let first = alice.send(b"first");
        assert_eq!(bob.recv(&first).unwrap(), b"first");
        (alice, bob)
    };
    for (m, p) in [(&m1, &p1), (&m2, &p2), (&fresh, &p1)] {
        let mut b = bob.clone();
        assert_eq!(b.recv(m).as_deref(), Ok(p.as_slice()));
    }
}

/// REQ-RATCHET-009, header XAEAD: two messages of one chain encrypted with
/// the same `r` (a repeating RNG, state not restored) get different header
/// nonces under the chain's header key, even with the same plaintext.
#[test]
fn repeated_r_on_one_chain_header_aead() {
    let st = sender_mid_chain();
    let r = [0x42u8; 24];
    let (st2, m1) = encrypt_message(&st, &AD, b"same", &r).unwrap();
    let (_, m2) = encrypt_message(&st2, &AD, b"same", &r).unwrap();
    assert_eq!(st.hks, st2.hks);
    assert_ne!(m1[2..26], m2[2..26]);
    assert_ne!(m1[2..26], r[..]);
    // Both headers open under the same header key, with numbers 1 and 2.
    let hk = st.hks.unwrap();
    assert_eq!(
        hdecrypt(&hk, &m1[2..2 + ENC_HEADER_LEN]).map(|h| h.n),
        Some(1)
    );
    assert_eq!(
        hdecrypt(&hk, &m2[2..2 + ENC_HEADER_LEN]).map(|h| h.n),
        Some(2)
    );
}
