//! Prekey bundles (SPEC.md section 7): building from a store, the encoding
//! and its strict decoding, and verification (signatures and the ML-KEM
//! modulus check) before use.

mod common;

use common::fixtures::{identity_of, store_of, SHAPES};
use common::{json, Tally, Verdict};
use xchat_spec::bundle::{
    decode, encode, kind_byte, make_bundle, pqpk_message, sign_pqpk, sign_spk, spk_message, verify,
    Bundle, PqKind, PrekeyStore, BUNDLE_LEN_NO_OPK, BUNDLE_LEN_OPK,
};
use xchat_spec::encoding::{enc_ml_kem, enc_x25519, u32_be};
use xchat_spec::handle::{enc_handle, parse_handle};
use xchat_spec::identity::{self, IdentitySecret};
use xchat_spec::{ed25519, x25519, Error};

/// Bob's bundles of the four shapes.
fn bundles() -> Vec<(IdentitySecret, PrekeyStore, Bundle)> {
    let id = identity_of("bob");
    let store = store_of("bob");
    let mut out = Vec::new();
    for (opk, pq) in SHAPES {
        let b = make_bundle(&id, &store, opk, pq).expect("ids in store");
        out.push((id.clone(), store.clone(), b));
    }
    out
}

/// REQ-BUNDLE-001, REQ-BUNDLE-002: round trip with and without OPK, both
/// PQ kinds; the layout is the one of SPEC.md section 7 and the lengths are
/// 1504 and 1541 bytes.
#[test]
fn round_trip_all_shapes() {
    let mut t = Tally::new("bundle round trips");
    for (id, store, b) in bundles() {
        // make_bundle took the keys from the store and signed them.
        assert_eq!(b.identity, identity::public_of(&id));
        assert_eq!(b.spk, x25519::x25519_base(&store.spk_secret));
        let pq = store.pqpks.iter().find(|p| p.id == b.pqpk_id).unwrap();
        assert_eq!((b.pqpk.clone(), b.pqpk_kind), (pq.ek.clone(), pq.kind));
        if let Some((opk_id, opk)) = b.opk {
            let secret = store.opks.iter().find(|o| o.0 == opk_id).unwrap().1;
            assert_eq!(opk, x25519::x25519_base(&secret));
        }
        assert_eq!(verify(&b), Ok(()));

        // The encoding, field by field as SPEC.md section 7 writes it.
        let mut expected = vec![0x01];
        expected.extend_from_slice(&identity::encode(&b.identity));
        expected.extend_from_slice(&u32_be(b.spk_id));
        expected.extend_from_slice(&enc_x25519(&b.spk));
        expected.extend_from_slice(&b.spk_sig);
        match b.opk {
            None => expected.push(0x00),
            Some((opk_id, opk)) => {
                expected.push(0x01);
                expected.extend_from_slice(&u32_be(opk_id));
                expected.extend_from_slice(&enc_x25519(&opk));
            }
        }
        expected.extend_from_slice(&u32_be(b.pqpk_id));
        expected.push(kind_byte(b.pqpk_kind));
        expected.extend_from_slice(&enc_ml_kem(&b.pqpk));
        expected.extend_from_slice(&b.pqpk_sig);
        let enc = encode(&b);
        assert_eq!(enc, expected);
        let len = if b.opk.is_some() {
            BUNDLE_LEN_OPK
        } else {
            BUNDLE_LEN_NO_OPK
        };
        assert_eq!(enc.len(), len);
        assert_eq!(
            enc.len(),
            1 + 147 + 4 + 33 + 64 + 1 + if b.opk.is_some() { 37 } else { 0 } + 4 + 1 + 1185 + 64
        );
        assert_eq!(decode(&enc), Ok(b.clone()));
        t.check();
    }
    assert_eq!(
        (kind_byte(PqKind::OneTime), kind_byte(PqKind::LastResort)),
        (0x01, 0x02)
    );
    t.finish(4);
}

/// SPEC.md section 7: the signed messages are exactly the labelled
/// concatenations, signed with the identity's seed.
#[test]
fn signed_messages_follow_section_7() {
    let (id, _, b) = bundles().remove(0);
    let mut m = b"XCHAT-1 signed prekey".to_vec();
    m.extend_from_slice(&enc_handle(&id.handle));
    m.extend_from_slice(&u32_be(b.spk_id));
    m.extend_from_slice(&enc_x25519(&b.spk));
    assert_eq!(spk_message(&id.handle, b.spk_id, &b.spk), m);
    assert_eq!(ed25519::verify(&b.identity.sig_pub, &m, &b.spk_sig), Ok(()));
    let mut m = b"XCHAT-1 pq prekey".to_vec();
    m.extend_from_slice(&enc_handle(&id.handle));
    m.extend_from_slice(&u32_be(b.pqpk_id));
    m.push(0x01);
    m.extend_from_slice(&enc_ml_kem(&b.pqpk));
    assert_eq!(pqpk_message(&id.handle, b.pqpk_id, b.pqpk_kind, &b.pqpk), m);
    assert_eq!(
        ed25519::verify(&b.identity.sig_pub, &m, &b.pqpk_sig),
        Ok(())
    );
}

/// REQ-BUNDLE-001, REQ-BUNDLE-002, REQ-ENC-001, REQ-ENC-002, REQ-ENC-003: every single-byte flip
/// of an encoded bundle is a decode error or a verification error, except
/// in the unsigned one-time prekey and its id (SPEC.md section 7), where
/// the flip yields a different bundle (whose use then fails in the
/// handshake).
#[test]
fn every_byte_flip_is_rejected() {
    let mut t = Tally::new("bundle byte flips");
    let all = bundles();
    for (_, _, b) in [&all[0], &all[3]] {
        let enc = encode(b);
        // Offsets of the unsigned OPK id and key bytes (after the tag).
        let opk_start = 1 + 147 + 4 + 33 + 64 + 1;
        for pos in 0..enc.len() {
            let mut bad = enc.clone();
            bad[pos] ^= 0x01;
            let result = decode(&bad).and_then(|d| verify(&d).map(|()| d));
            let unsigned = b.opk.is_some()
                && ((opk_start..opk_start + 4).contains(&pos)
                    || (opk_start + 5..opk_start + 37).contains(&pos));
            match result {
                Ok(d) => {
                    assert!(unsigned, "flip at {pos} accepted");
                    assert_ne!(d.opk, b.opk);
                    assert_eq!(Bundle { opk: b.opk, ..d }, b.clone());
                }
                Err(e) => {
                    assert!(!unsigned, "unsigned flip at {pos} rejected: {e:?}");
                    assert!(
                        [
                            Error::Malformed,
                            Error::UnsupportedVersion,
                            Error::InvalidHandle,
                            Error::InvalidSignature,
                            Error::InvalidKey
                        ]
                        .contains(&e),
                        "flip at {pos}: {e:?}"
                    );
                }
            }
            t.check();
        }
    }
    t.finish(BUNDLE_LEN_OPK + BUNDLE_LEN_NO_OPK);
}

/// REQ-BUNDLE-001, REQ-ENC-003: every truncation and every extension is
/// `Malformed`; `has_opk` and `k` outside their values are `Malformed`.
#[test]
fn truncation_extension_and_ranges() {
    let mut t = Tally::new("bundle truncations/extensions/ranges");
    for (_, _, b) in bundles() {
        let enc = encode(&b);
        for n in 0..enc.len() {
            assert_eq!(decode(&enc[..n]), Err(Error::Malformed), "cut {n}");
            t.check();
        }
        for extra in [vec![0u8], vec![0xFF; 37]] {
            let mut long = enc.clone();
            long.extend_from_slice(&extra);
            assert_eq!(decode(&long), Err(Error::Malformed));
            t.check();
        }
        let has_opk_pos = 1 + 147 + 4 + 33 + 64;
        let k_pos = has_opk_pos + 1 + if b.opk.is_some() { 37 } else { 0 } + 4;
        for v in [0x02u8, 0x03, 0x80, 0xFF] {
            let mut bad = enc.clone();
            bad[has_opk_pos] = v;
            assert_eq!(decode(&bad), Err(Error::Malformed), "has_opk {v}");
            t.check();
        }
        for v in [0x00u8, 0x03, 0x04, 0xFF] {
            let mut bad = enc.clone();
            bad[k_pos] = v;
            assert_eq!(decode(&bad), Err(Error::Malformed), "k {v}");
            t.check();
        }
        for v in [0x00u8, 0x02] {
            let mut bad = enc.clone();
            bad[0] = v;
            assert_eq!(decode(&bad), Err(Error::UnsupportedVersion));
            let mut bad = enc.clone();
            bad[1] = v;
            assert_eq!(decode(&bad), Err(Error::UnsupportedVersion));
            t.check();
        }
    }
    t.finish(2 * (BUNDLE_LEN_OPK + BUNDLE_LEN_NO_OPK) + 4 * (2 + 4 + 4 + 2));
}

/// REQ-BUNDLE-002: a `spk_sig` or `pqpk_sig` made by another identity, a
/// kind changed after signing, or a key swapped after signing is
/// `InvalidSignature`.
#[test]
fn forged_signatures_are_rejected() {
    let (id, _, b) = bundles().remove(0);
    let mallory = identity_of("mallory");
    let forged_spk = Bundle {
        spk_sig: sign_spk(&mallory, b.spk_id, &b.spk),
        ..b.clone()
    };
    assert_eq!(verify(&forged_spk), Err(Error::InvalidSignature));
    let forged_pq = Bundle {
        pqpk_sig: sign_pqpk(&mallory, b.pqpk_id, b.pqpk_kind, &b.pqpk),
        ..b.clone()
    };
    assert_eq!(verify(&forged_pq), Err(Error::InvalidSignature));
    // Mallory's own keys under Bob's identity.
    let other = make_bundle(&mallory, &store_of("mallory"), None, 201).unwrap();
    let swapped = Bundle {
        spk: other.spk,
        spk_sig: other.spk_sig,
        ..b.clone()
    };
    assert_eq!(verify(&swapped), Err(Error::InvalidSignature));
    let swapped_pq = Bundle {
        pqpk: other.pqpk.clone(),
        pqpk_sig: other.pqpk_sig,
        ..b.clone()
    };
    assert_eq!(verify(&swapped_pq), Err(Error::InvalidSignature));
    // One-time relabelled as last resort (and re-encoded): signature covers k.
    let relabelled = Bundle {
        pqpk_kind: PqKind::LastResort,
        ..b.clone()
    };
    assert_eq!(
        verify(&decode(&encode(&relabelled)).unwrap()),
        Err(Error::InvalidSignature)
    );
    // Ids are signed too.
    for changed in [
        Bundle {
            spk_id: 8,
            ..b.clone()
        },
        Bundle {
            pqpk_id: 201,
            ..b.clone()
        },
    ] {
        assert_eq!(verify(&changed), Err(Error::InvalidSignature));
    }
    // A correct signature by Bob over the same key for another handle.
    let bobby = IdentitySecret {
        handle: parse_handle(b"bobby").unwrap(),
        ..id.clone()
    };
    let moved = Bundle {
        spk_sig: sign_spk(&bobby, b.spk_id, &b.spk),
        ..b.clone()
    };
    assert_eq!(verify(&moved), Err(Error::InvalidSignature));
    // A broken identity binding comes first.
    let mut bad_identity = b.clone();
    bad_identity.identity.binding[0] ^= 1;
    assert_eq!(verify(&bad_identity), Err(Error::InvalidSignature));
}

/// REQ-BUNDLE-002, REQ-SUITE-002: a correctly signed PQ prekey that fails
/// the FIPS 203 modulus check is `InvalidKey`: a coefficient set to q =
/// 3329 by hand, and every Wycheproof ML-KEM-768 encapsulation key (valid
/// ones verify, invalid ones are `InvalidKey`).
#[test]
fn kem_modulus_check() {
    let (id, _, b) = bundles().remove(0);
    let resign = |pqpk: Vec<u8>| Bundle {
        pqpk_sig: sign_pqpk(&id, b.pqpk_id, b.pqpk_kind, &pqpk),
        pqpk,
        ..b.clone()
    };
    // ByteEncode_12 (FIPS 203 Algorithm 5): coefficient 0 is the low 12
    // bits of bytes 0..2, little-endian; q = 0xD01.
    let mut ek = b.pqpk.clone();
    ek[0] = 0x01;
    ek[1] = (ek[1] & 0xF0) | 0x0D;
    let q_key = resign(ek);
    assert_eq!(verify(&q_key), Err(Error::InvalidKey));
    // Still decodes: the check is verification's, not the encoding's.
    assert_eq!(decode(&encode(&q_key)), Ok(q_key.clone()));

    let file = json("wycheproof/mlkem_768_encaps_test.json");
    let mut t = Tally::new("wycheproof mlkem_768_encaps keys in bundles");
    for case in common::wycheproof_cases(&file) {
        let ek = case.hex("ek");
        let bundle = resign(ek.clone());
        match case.verdict {
            Verdict::Valid => assert_eq!(verify(&bundle), Ok(()), "{}", case.id()),
            Verdict::Invalid => {
                // Every invalid case of this file is an invalid key.
                assert_eq!(verify(&bundle), Err(Error::InvalidKey), "{}", case.id());
                if ek.len() != 1184 {
                    // Wrong length: the bundle encoding cannot carry it.
                    assert!(decode(&encode(&bundle)).is_err(), "{}", case.id());
                }
            }
            Verdict::Acceptable => panic!("no acceptable cases expected: {}", case.id()),
        }
        t.check();
    }
    t.finish(250);
}

/// SPEC.md section 7: make_bundle refuses ids the store does not hold.
#[test]
fn make_bundle_unknown_ids() {
    let id = identity_of("bob");
    let store = store_of("bob");
    assert_eq!(
        make_bundle(&id, &store, Some(99), 200),
        Err(Error::UnknownPrekey)
    );
    assert_eq!(
        make_bundle(&id, &store, None, 202),
        Err(Error::UnknownPrekey)
    );
}
