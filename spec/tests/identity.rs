//! Identities (SPEC.md section 6): generation, the 147-byte encoding, strict
//! decoding, and verification of the binding signature under the strict
//! Ed25519 policy; also the label list of SPEC.md section 3.2.

mod common;

use common::fixtures::rand64;
use common::Tally;
use xchat_spec::encoding::{enc_ed25519, enc_x25519};
use xchat_spec::handle::{enc_handle, parse_handle, Handle};
use xchat_spec::identity::{
    binding_message, decode, encode, generate, public_of, read_identity, verify, IdentityPublic,
    IDENTITY_LEN,
};
use xchat_spec::{ed25519, suite, x25519, Error};

fn h(s: &str) -> Handle {
    parse_handle(s.as_bytes()).expect("valid handle")
}

/// SPEC.md section 6: generation splits `r` into `sig_seed || dh_secret`
/// and derives the public keys and binding as specified.
#[test]
fn generate_follows_section_6() {
    let r = rand64("alice");
    let (secret, public) = generate(&h("Alice"), &r);
    assert_eq!(secret.handle, h("alice"));
    assert_eq!(secret.sig_seed.to_vec(), r[..32].to_vec());
    assert_eq!(secret.dh_secret.to_vec(), r[32..].to_vec());
    assert_eq!(public.sig_pub, ed25519::public_key(&secret.sig_seed));
    assert_eq!(public.dh_pub, x25519::x25519_base(&secret.dh_secret));
    let mut msg = b"XCHAT-1 identity binding".to_vec();
    msg.extend_from_slice(&enc_handle(&public.handle));
    msg.extend_from_slice(&enc_ed25519(&public.sig_pub));
    msg.extend_from_slice(&enc_x25519(&public.dh_pub));
    assert_eq!(
        binding_message(&public.handle, &public.sig_pub, &public.dh_pub),
        msg
    );
    assert_eq!(
        ed25519::verify(&public.sig_pub, &msg, &public.binding),
        Ok(())
    );
    assert_eq!(public, public_of(&secret));
}

/// REQ-ID-001, REQ-ID-002: encode/decode round trip, 147 bytes, with the
/// layout `u8(1) || EncHandle || EncEd || EncX || binding`; verify accepts.
#[test]
fn encode_decode_round_trip() {
    let mut t = Tally::new("identity round trips");
    for (i, name) in ["a", "bob", "Alice_Smith_07", "zzzzzzzzzzzzzzz"]
        .iter()
        .enumerate()
    {
        let (_, public) = generate(&h(name), &rand64(&format!("id {i}")));
        let enc = encode(&public);
        assert_eq!(enc.len(), IDENTITY_LEN);
        assert_eq!(IDENTITY_LEN, 147);
        assert_eq!(enc[0], 0x01);
        assert_eq!(enc[1..17], enc_handle(&public.handle));
        assert_eq!(enc[17..50], enc_ed25519(&public.sig_pub));
        assert_eq!(enc[50..83], enc_x25519(&public.dh_pub));
        assert_eq!(enc[83..147], public.binding);
        assert_eq!(decode(&enc), Ok(public.clone()));
        assert_eq!(verify(&public), Ok(()));
        let mut framed = vec![0xEE; 5];
        framed.extend_from_slice(&enc);
        framed.push(0x00);
        assert_eq!(read_identity(&framed, 5), Ok((public.clone(), 152)));
        t.check();
    }
    t.finish(4);
}

/// REQ-ID-001, REQ-ID-002, REQ-ENC-001, REQ-ENC-002, REQ-ENC-003: every
/// single-byte change of the encoding (four masks per byte) is rejected by
/// decoding or by verification, never accepted.
#[test]
fn every_byte_flip_is_rejected() {
    let (_, public) = generate(&h("carol_99"), &rand64("carol"));
    let enc = encode(&public);
    let mut t = Tally::new("identity byte flips");
    for pos in 0..enc.len() {
        for mask in [0x01u8, 0x20, 0x80, 0xFF] {
            let mut bad = enc.clone();
            bad[pos] ^= mask;
            let result = decode(&bad).and_then(|id| verify(&id).map(|()| id));
            match result {
                Ok(id) => panic!("flip {pos}/{mask:#x} accepted: {id:?}"),
                Err(e) => {
                    let expected: &[Error] = match pos {
                        0 => &[Error::UnsupportedVersion],
                        1..=16 => &[Error::InvalidHandle, Error::InvalidSignature],
                        17 | 50 => &[Error::Malformed],
                        _ => &[Error::InvalidSignature],
                    };
                    assert!(expected.contains(&e), "flip {pos}/{mask:#x}: {e:?}");
                }
            }
            t.check();
        }
    }
    t.finish(4 * 147);
}

/// REQ-ID-002, REQ-ENC-003: every truncation and every extension is
/// `Malformed`; another version byte is `UnsupportedVersion`.
#[test]
fn truncation_extension_version() {
    let (_, public) = generate(&h("dave"), &rand64("dave"));
    let enc = encode(&public);
    let mut t = Tally::new("identity truncations/extensions");
    for n in 0..enc.len() {
        assert_eq!(decode(&enc[..n]), Err(Error::Malformed), "cut {n}");
        t.check();
    }
    for extra in [vec![0u8], vec![0x01], vec![0; 64]] {
        let mut long = enc.clone();
        long.extend_from_slice(&extra);
        assert_eq!(decode(&long), Err(Error::Malformed));
        t.check();
    }
    for v in [0x00u8, 0x02, 0xFF] {
        let mut bad = enc.clone();
        bad[0] = v;
        assert_eq!(decode(&bad), Err(Error::UnsupportedVersion));
        t.check();
    }
    t.finish(147 + 6);
}

/// REQ-ENC-001: the key fields carry their own tags; swapping in the other
/// 32-byte key tag (or the KEM tag) is `Malformed`.
#[test]
fn key_tags_are_checked() {
    let (_, public) = generate(&h("erin"), &rand64("erin"));
    let enc = encode(&public);
    for (pos, wrong) in [(17, 0x01u8), (17, 0x03), (50, 0x02), (50, 0x03)] {
        let mut bad = enc.clone();
        bad[pos] = wrong;
        assert_eq!(decode(&bad), Err(Error::Malformed), "{pos} {wrong}");
    }
}

/// REQ-ID-001: a binding signed for another handle, or by another key, or
/// over another DH key, is `InvalidSignature`.
#[test]
fn binding_from_elsewhere_is_rejected() {
    let r = rand64("frank");
    let (_, frank) = generate(&h("frank"), &r);
    let (_, other) = generate(&h("frankie"), &r);
    // Same keys, binding signed for the handle "frankie".
    let moved = IdentityPublic {
        binding: other.binding,
        ..frank.clone()
    };
    assert_eq!(verify(&moved), Err(Error::InvalidSignature));
    // Handle renamed without re-signing.
    let renamed = IdentityPublic {
        handle: h("frankie"),
        ..frank.clone()
    };
    assert_eq!(verify(&renamed), Err(Error::InvalidSignature));
    // Another identity's DH key under frank's binding.
    let (_, grace) = generate(&h("frank"), &rand64("grace"));
    let swapped = IdentityPublic {
        dh_pub: grace.dh_pub,
        ..frank.clone()
    };
    assert_eq!(verify(&swapped), Err(Error::InvalidSignature));
    // Another signing key with a binding it made over frank's other fields.
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&rand64("mallory")[..32]);
    let mallory_sig = ed25519::sign(
        &seed,
        &binding_message(&frank.handle, &frank.sig_pub, &frank.dh_pub),
    );
    let forged = IdentityPublic {
        binding: mallory_sig,
        ..frank
    };
    assert_eq!(verify(&forged), Err(Error::InvalidSignature));
}

/// The group order L of edwards25519, little-endian (RFC 8032 section 5.1).
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// REQ-SUITE-003: the strict policy applies to bindings: `S + L` (same
/// signature modulo L, rule 1) and a small-order `sig_pub` (rule 3) are
/// `InvalidSignature`.
#[test]
fn strict_verification_policy() {
    let (_, id) = generate(&h("heidi"), &rand64("heidi"));
    let mut malleated = id.clone();
    let mut carry = 0u16;
    for (i, l) in L.iter().enumerate() {
        let sum = u16::from(id.binding[32 + i]) + u16::from(*l) + carry;
        malleated.binding[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert_eq!(verify(&malleated), Err(Error::InvalidSignature));
    // The identity point (encoding of y = 1) as sig_pub: small order.
    let mut identity_point = [0u8; 32];
    identity_point[0] = 1;
    let small = IdentityPublic {
        sig_pub: identity_point,
        ..id
    };
    assert_eq!(verify(&small), Err(Error::InvalidSignature));
}

/// REQ-SUITE-004: the labels of SPEC.md section 3.2 are pairwise distinct
/// and prefix-free, and the checker notices a prefix or a duplicate.
#[test]
fn labels_are_prefix_free() {
    assert!(suite::labels_prefix_free(&suite::LABELS));
    assert_eq!(suite::LABELS.len(), 14);
    assert!(suite::LABELS.contains(&b"XCHAT-1 sealed sender hedge".as_slice()));
    for l in suite::LABELS {
        assert!(l.starts_with(b"XCHAT-1 "));
    }
    // The two attachment labels of section 13 replace `"XCHAT-1
    // attachment"`, which is a prefix of both and so could not stay.
    assert!(suite::LABELS.contains(&&b"XCHAT-1 attachment key"[..]));
    assert!(suite::LABELS.contains(&&b"XCHAT-1 attachment chunk"[..]));
    assert!(!suite::LABELS.contains(&&b"XCHAT-1 attachment"[..]));
    let mut with_old = suite::LABELS.to_vec();
    with_old.push(b"XCHAT-1 attachment");
    assert!(!suite::labels_prefix_free(&with_old));
    let prefixed: [&[u8]; 3] = [
        b"XCHAT-1 header",
        b"XCHAT-1 attachment",
        b"XCHAT-1 header key",
    ];
    assert!(!suite::labels_prefix_free(&prefixed));
    let duplicate: [&[u8]; 2] = [b"XCHAT-1 header", b"XCHAT-1 header"];
    assert!(!suite::labels_prefix_free(&duplicate));
}
