//! Sealed-sender envelopes (SPEC.md section 12): seal/open round trip, the
//! layout and length, what the relay can see, and every rejection with its
//! error kind.

mod common;

use common::fixtures::identity_pair as party;
use common::Tally;
use xchat_spec::chacha20poly1305;
use xchat_spec::encoding::enc_x25519;
use xchat_spec::envelope::{
    envelope_len, ephemeral_keys, hedge_ephemeral, open, seal, static_key, HEADER_LEN, MAILBOX_LEN,
};
use xchat_spec::handle::handle_bytes;
use xchat_spec::hkdf::hkdf_sha256;
use xchat_spec::identity::{self, generate, IdentityPublic, IdentitySecret};
use xchat_spec::sha2::{sha256, sha512};
use xchat_spec::{hmac, x25519, Error};

fn e(tag: &str) -> [u8; 32] {
    sha256(tag.as_bytes())
}

const MAILBOX: [u8; 16] = *b"mailbox-of-bob-1";
const PAYLOAD: &[u8] = b"\x01\x02 a ratchet message, as opaque bytes";

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `e = HMAC(IKdh_S secret, "XCHAT-1 sealed sender hedge" || r || mailbox || EncX(IKdh_R) || payload)`
/// as SPEC.md section 12 step 1 writes it.
fn hedge_by_hand(
    sender_dh_secret: &[u8; 32],
    r: &[u8; 32],
    recipient_dh_pub: &[u8; 32],
    payload: &[u8],
) -> [u8; 32] {
    let msg = [
        b"XCHAT-1 sealed sender hedge".as_slice(),
        r,
        &MAILBOX,
        &enc_x25519(recipient_dh_pub),
        payload,
    ]
    .concat();
    hmac::hmac_sha256(sender_dh_secret, &msg)
}

/// The envelope built step by step from SPEC.md section 12 with the
/// primitives, for an arbitrary (possibly badly bound) sender identity.
fn seal_by_hand(
    sender_encoding: &[u8],
    sender_dh_secret: &[u8; 32],
    recipient_dh_pub: &[u8; 32],
    e_secret: &[u8; 32],
    payload: &[u8],
) -> Vec<u8> {
    let e_pub = x25519::x25519_base(e_secret);
    let dh_e = x25519::x25519(e_secret, recipient_dh_pub);
    let info = [
        b"XCHAT-1 sealed sender ephemeral".as_slice(),
        &MAILBOX,
        &enc_x25519(&e_pub),
        &enc_x25519(recipient_dh_pub),
    ]
    .concat();
    let okm1 = hkdf_sha256(&[0u8; 32], &dh_e, &info, 64).unwrap();
    let chain: [u8; 32] = okm1[..32].try_into().unwrap();
    let k1: [u8; 32] = okm1[32..].try_into().unwrap();
    let ad1 = [[0x01u8].as_slice(), &MAILBOX, &e_pub].concat();
    let c1 = chacha20poly1305::seal(&k1, &[0; 12], &ad1, sender_encoding);
    let dh_s = x25519::x25519(sender_dh_secret, recipient_dh_pub);
    let info2 = [b"XCHAT-1 sealed sender static".as_slice(), &c1].concat();
    let k2: [u8; 32] = hkdf_sha256(&chain, &dh_s, &info2, 32)
        .unwrap()
        .try_into()
        .unwrap();
    let ad2 = [ad1.as_slice(), &c1].concat();
    let c2 = chacha20poly1305::seal(&k2, &[0; 12], &ad2, payload);
    [ad2, c2].concat()
}

/// REQ-ENV-001: seal/open round trip returns the sender's identity and
/// the payload; the envelope equals the step-by-step construction of
/// SPEC.md section 12, and its length is `1 + 16 + 32 + 163 + len + 16`.
#[test]
fn round_trip_and_layout() {
    let mut t = Tally::new("envelope round trips");
    let (alice, alice_pub) = party("alice");
    let (bob, bob_pub) = party("bob");
    for (i, payload) in [&b""[..], b"x", PAYLOAD, &[0xAB; 1000]].iter().enumerate() {
        let r = e(&format!("e{i}"));
        let eph = hedge_by_hand(&alice.dh_secret, &r, &bob_pub.dh_pub, payload);
        assert_eq!(
            hedge_ephemeral(&alice.dh_secret, &r, &MAILBOX, &bob_pub.dh_pub, payload),
            eph
        );
        assert_ne!(eph, r);
        let env = seal(&alice, &bob_pub.dh_pub, &MAILBOX, payload, &r).unwrap();
        assert_eq!(env.len(), 1 + 16 + 32 + 163 + payload.len() + 16);
        assert_eq!(env.len(), envelope_len(payload.len()));
        assert_eq!(HEADER_LEN, 212);
        assert_eq!(env[0], 0x01);
        assert_eq!(env[1..17], MAILBOX);
        assert_eq!(env[17..49], x25519::x25519_base(&eph));
        assert_eq!(
            env,
            seal_by_hand(
                &identity::encode(&alice_pub),
                &alice.dh_secret,
                &bob_pub.dh_pub,
                &eph,
                payload
            )
        );
        assert_eq!(
            open(&bob, &MAILBOX, &env),
            Ok((alice_pub.clone(), payload.to_vec()))
        );
        t.check();
    }
    assert_eq!(MAILBOX_LEN, 16);
    // The exposed KDF steps agree with HKDF as written.
    let (chain, k1) = ephemeral_keys(&[7; 32], &MAILBOX, &[8; 32], &[9; 32]).unwrap();
    let info = [
        b"XCHAT-1 sealed sender ephemeral".as_slice(),
        &MAILBOX,
        &enc_x25519(&[8; 32]),
        &enc_x25519(&[9; 32]),
    ]
    .concat();
    assert_eq!(
        [chain, k1].concat(),
        hkdf_sha256(&[0; 32], &[7; 32], &info, 64).unwrap()
    );
    let k2 = static_key(&chain, &[5; 32], b"c1").unwrap();
    assert_eq!(
        k2.to_vec(),
        hkdf_sha256(&chain, &[5; 32], b"XCHAT-1 sealed sender staticc1", 32).unwrap()
    );
    t.finish(4);
}

/// REQ-ENV-003: nothing of the sender appears in the clear: neither the
/// handle bytes, nor sig_pub, nor dh_pub (nor their tagged encodings);
/// everything after `mailbox || E` is ciphertext that changes with `e`.
#[test]
fn no_sender_metadata_in_clear() {
    let (alice, alice_pub) = party("alice_smith_42");
    let (_, bob_pub) = party("bob");
    let env = seal(&alice, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &e("e")).unwrap();
    assert!(!contains(&env, &handle_bytes(&alice_pub.handle)));
    assert!(!contains(&env, &alice_pub.sig_pub));
    assert!(!contains(&env, &alice_pub.dh_pub));
    assert!(!contains(&env, &alice_pub.binding));
    assert!(!contains(&env, &bob_pub.dh_pub));
    assert!(!contains(&env, &PAYLOAD[4..]));
    let other = seal(&alice, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &e("e'")).unwrap();
    assert_eq!(env.len(), other.len());
    for i in HEADER_LEN - 163..env.len() {
        // Overwhelmingly, fresh ciphertext differs in most bytes; check that
        // no 8-byte window of the ciphertext part repeats across envelopes.
        if i + 8 <= env.len() {
            assert_ne!(env[i..i + 8], other[i..i + 8]);
        }
    }
}

/// REQ-ENV-002: another mailbox is `WrongRecipient`; an envelope opened
/// with another identity key is `AuthenticationFailed`.
#[test]
fn wrong_recipient_and_wrong_identity() {
    let (alice, _) = party("alice");
    let (bob, bob_pub) = party("bob");
    let (carol, _) = party("carol");
    let env = seal(&alice, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &e("e")).unwrap();
    let mut other_box = MAILBOX;
    other_box[15] ^= 1;
    assert_eq!(open(&bob, &other_box, &env), Err(Error::WrongRecipient));
    assert_eq!(
        open(&carol, &MAILBOX, &env),
        Err(Error::AuthenticationFailed)
    );
    // Same handle, another key: still the wrong identity key.
    let bob2 = generate(&bob.handle, &sha512(b"bob again")).0;
    assert_eq!(
        open(&bob2, &MAILBOX, &env),
        Err(Error::AuthenticationFailed)
    );
}

/// REQ-ENV-001, REQ-ENV-002, REQ-ENV-003: every single-byte flip of an
/// envelope is rejected, with the error of the field it hits.
#[test]
fn every_byte_flip_is_rejected() {
    let (alice, _) = party("alice");
    let (bob, bob_pub) = party("bob");
    let env = seal(&alice, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &e("e")).unwrap();
    let mut t = Tally::new("envelope byte flips");
    for pos in 0..env.len() {
        for mask in [0x01u8, 0x80] {
            let mut bad = env.clone();
            bad[pos] ^= mask;
            let expected = match pos {
                0 => Error::UnsupportedVersion,
                1..=16 => Error::WrongRecipient,
                _ => Error::AuthenticationFailed,
            };
            let got = open(&bob, &MAILBOX, &bad);
            // Flipping bit 255 of E is ignored by X25519 (RFC 7748 section 5)
            // but E is also in the KDF info and the AD, so it still fails.
            assert_eq!(got, Err(expected), "flip {pos}/{mask:#x}");
            t.check();
        }
    }
    t.finish(2 * env.len());
}

/// REQ-ENC-003: truncations (to below the minimum or into c2) and a wrong
/// version are rejected; short inputs are `Malformed`.
#[test]
fn truncation_and_extension() {
    let (alice, _) = party("alice");
    let (bob, bob_pub) = party("bob");
    let env = seal(&alice, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &e("e")).unwrap();
    let mut t = Tally::new("envelope truncations/extensions");
    for n in 0..env.len() {
        let expected = if n < HEADER_LEN + 16 {
            Error::Malformed
        } else {
            Error::AuthenticationFailed
        };
        assert_eq!(open(&bob, &MAILBOX, &env[..n]), Err(expected), "cut {n}");
        t.check();
    }
    for extra in [vec![0u8], vec![0xFF; 16]] {
        let long = [env.clone(), extra].concat();
        assert_eq!(
            open(&bob, &MAILBOX, &long),
            Err(Error::AuthenticationFailed)
        );
        t.check();
    }
    t.finish(env.len() + 2);
}

/// REQ-ENV-001, REQ-SUITE-001: a small-order recipient key (all zero, or a
/// point of order 8) makes sealing fail with `NonContributory`; so does a
/// small-order `E` on opening.
#[test]
fn non_contributory() {
    let (alice, _) = party("alice");
    let (bob, _) = party("bob");
    // u = 0 and u = 1 have small order; the other is a point of order 8
    // (RFC 7748 section 6.1; the list of Bernstein's Curve25519 page).
    let order8: [u8; 32] = [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ];
    let mut one = [0u8; 32];
    one[0] = 1;
    for key in [[0u8; 32], one, order8] {
        assert_eq!(
            seal(&alice, &key, &MAILBOX, PAYLOAD, &e("e")),
            Err(Error::NonContributory)
        );
        let mut env = seal(&alice, &party("bob").1.dh_pub, &MAILBOX, PAYLOAD, &e("e")).unwrap();
        env[17..49].copy_from_slice(&key);
        assert_eq!(open(&bob, &MAILBOX, &env), Err(Error::NonContributory));
    }
}

/// REQ-ENV-001, REQ-ID-001: the opened sender identity's
/// binding is verified: an envelope built by hand for a sender whose binding
/// is invalid (signed for another handle) is `InvalidSignature`, though both
/// AEADs verify; a sender identity with a small-order DH key is caught by
/// the static DH check after the binding (`NonContributory`).
#[test]
fn sender_binding_is_verified() {
    let (alice, alice_pub) = party("alice");
    let (bob, bob_pub) = party("bob");
    // A correct hand-built envelope opens: the construction is right.
    let good = seal_by_hand(
        &identity::encode(&alice_pub),
        &alice.dh_secret,
        &bob_pub.dh_pub,
        &e("e"),
        PAYLOAD,
    );
    assert_eq!(
        open(&bob, &MAILBOX, &good),
        Ok((alice_pub.clone(), PAYLOAD.to_vec()))
    );
    // Mallory claims "alice" with her own keys and a binding she made for "mallory".
    let (mallory, mallory_pub) = party("mallory");
    let claimed = IdentityPublic {
        handle: alice_pub.handle,
        ..mallory_pub
    };
    let env = seal_by_hand(
        &identity::encode(&claimed),
        &mallory.dh_secret,
        &bob_pub.dh_pub,
        &e("e"),
        PAYLOAD,
    );
    assert_eq!(open(&bob, &MAILBOX, &env), Err(Error::InvalidSignature));
    // Alice's public identity with a corrupted binding.
    let mut corrupted = alice_pub.clone();
    corrupted.binding[63] ^= 0x10;
    let env = seal_by_hand(
        &identity::encode(&corrupted),
        &alice.dh_secret,
        &bob_pub.dh_pub,
        &e("e"),
        PAYLOAD,
    );
    assert_eq!(open(&bob, &MAILBOX, &env), Err(Error::InvalidSignature));
    // A properly bound identity whose DH key has small order.
    let zero_dh = IdentitySecret {
        dh_secret: [0; 32],
        ..alice.clone()
    };
    let mut zero_pub = identity::public_of(&zero_dh);
    zero_pub.dh_pub = [0; 32];
    zero_pub.binding = xchat_spec::ed25519::sign(
        &alice.sig_seed,
        &identity::binding_message(&zero_pub.handle, &zero_pub.sig_pub, &zero_pub.dh_pub),
    );
    assert_eq!(identity::verify(&zero_pub), Ok(()));
    let env = seal_by_hand(
        &identity::encode(&zero_pub),
        &alice.dh_secret,
        &bob_pub.dh_pub,
        &e("e"),
        PAYLOAD,
    );
    assert_eq!(open(&bob, &MAILBOX, &env), Err(Error::NonContributory));
}

/// REQ-ID-002, REQ-ENV-001: a sender encoding that authenticates under
/// `k1` but is not a valid `EncIdentity` is rejected by strict decoding.
#[test]
fn sender_encoding_is_strict() {
    let (alice, alice_pub) = party("alice");
    let (bob, bob_pub) = party("bob");
    let enc = identity::encode(&alice_pub);
    for (pos, value, expected) in [
        (0usize, 0x02u8, Error::UnsupportedVersion),
        (2, b'A', Error::InvalidHandle),
        (17, 0x01, Error::Malformed),
        (50, 0x02, Error::Malformed),
    ] {
        let mut bad = enc.clone();
        bad[pos] = value;
        let env = seal_by_hand(&bad, &alice.dh_secret, &bob_pub.dh_pub, &e("e"), PAYLOAD);
        assert_eq!(open(&bob, &MAILBOX, &env), Err(expected), "{pos}");
    }
}

/// REQ-ENV-004: `open` returns the authenticated sender identity, which
/// differs per sender, so the recipient can compare it with the session's
/// peer; a sender cannot claim another's identity (the static DH binds
/// `IKdh_S`: an envelope carrying Alice's public identity but sealed with
/// Mallory's DH secret fails).
#[test]
fn opened_sender_identifies_the_peer() {
    let (alice, alice_pub) = party("alice");
    let (carol, carol_pub) = party("carol");
    let (mallory, _) = party("mallory");
    let (bob, bob_pub) = party("bob");
    let from_alice = seal(&alice, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &e("1")).unwrap();
    let from_carol = seal(&carol, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &e("2")).unwrap();
    let (sa, _) = open(&bob, &MAILBOX, &from_alice).unwrap();
    let (sc, _) = open(&bob, &MAILBOX, &from_carol).unwrap();
    assert_eq!(sa, alice_pub);
    assert_eq!(sc, carol_pub);
    assert_ne!(sa, sc);
    let claimed = identity::encode(&alice_pub);
    let env = seal_by_hand(
        &claimed,
        &mallory.dh_secret,
        &bob_pub.dh_pub,
        &e("3"),
        PAYLOAD,
    );
    assert_eq!(open(&bob, &MAILBOX, &env), Err(Error::AuthenticationFailed));
}

/// REQ-ENV-005, both zero-nonce AEADs (`c1` under `k1`, `c2` under `k2`):
/// the same sender with the same randomness `r` (a repeating RNG or a
/// restored snapshot) and a different payload, mailbox or recipient gets a
/// different `E`, so different keys; identical inputs give the identical
/// envelope.
#[test]
fn repeated_randomness_envelope_aeads() {
    let (alice, _) = party("alice");
    let (bob, bob_pub) = party("bob");
    let (_, carol_pub) = party("carol");
    let r = e("same r");
    let env1 = seal(&alice, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &r).unwrap();
    let mut other_payload = PAYLOAD.to_vec();
    other_payload[10] ^= 1;
    let env2 = seal(&alice, &bob_pub.dh_pub, &MAILBOX, &other_payload, &r).unwrap();
    let e_of = |env: &[u8]| env[17..49].to_vec();
    // Different payload: different E, so different k1 (and c1) and k2.
    assert_ne!(e_of(&env1), e_of(&env2));
    assert_ne!(env1[49..212], env2[49..212]);
    // Not the same keystream: c2 XOR c2' is not payload XOR payload'.
    let ct_xor: Vec<u8> = (0..PAYLOAD.len())
        .map(|i| env1[212 + i] ^ env2[212 + i])
        .collect();
    let pt_xor: Vec<u8> = (0..PAYLOAD.len())
        .map(|i| PAYLOAD[i] ^ other_payload[i])
        .collect();
    assert_ne!(ct_xor, pt_xor);
    // Different mailbox or recipient: different E as well.
    let other_mailbox = *b"mailbox-of-bob-2";
    let env3 = seal(&alice, &bob_pub.dh_pub, &other_mailbox, PAYLOAD, &r).unwrap();
    let env4 = seal(&alice, &carol_pub.dh_pub, &MAILBOX, PAYLOAD, &r).unwrap();
    for other in [&env3, &env4] {
        assert_ne!(e_of(&env1), e_of(other));
    }
    // Identical inputs: identical envelope, which still opens.
    let again = seal(&alice, &bob_pub.dh_pub, &MAILBOX, PAYLOAD, &r).unwrap();
    assert_eq!(again, env1);
    assert_eq!(open(&bob, &MAILBOX, &env2).unwrap().1, other_payload);
    // E is PUB of the hedge, never PUB(r).
    assert_ne!(e_of(&env1), x25519::x25519_base(&r).to_vec());
}
