//! SFrame (RFC 9605) against the working group's vectors in
//! `vectors/external/sframe/`: the 289 header encodings (section 4.3), the
//! AES-CTR + HMAC AEAD vectors (section 4.5.1; 3 for suites 1-3 and 3 for
//! the post-RFC suites 6-8), and the full vectors (sections 4.4.2-4.4.4; 5
//! for the RFC's suites 1-5 and 3 for suites 6-8): key schedule, nonce,
//! AAD, ciphertext, decryption, and rejection of every single-bit change.
//! Then the header's strict decoding (every rejection it documents) and
//! round trips on random inputs.

mod common;

use common::{sframe_aead_cases, sframe_all_cases, sframe_headers, to_hex, Tally};
use proptest::prelude::*;
use xchat_spec::sframe::{
    aead_decrypt, aead_encrypt, decode_header, decrypt, derive_key_salt, derive_subkeys,
    encode_header, encrypt, key_label, nonce, pre_derive_subkeys, salt_label, sframe_secret,
    CipherSuite, Header, KeyAndSalt, ALL_SUITES, MAX_HEADER_LEN, NONCE_LEN,
};
use xchat_spec::Error;

fn suite(id: u16) -> CipherSuite {
    CipherSuite::from_id(id).unwrap_or_else(|| panic!("suite {id} unsupported"))
}

#[test]
fn suite_table() {
    // RFC 9605 section 4.5, Table 2 (and draft-barnes-sframe-iana-256 for 6-8):
    // (id, Nh, Nka, Nk, Nt).
    let table = [
        (1, 32, 16, 48, 10),
        (2, 32, 16, 48, 8),
        (3, 32, 16, 48, 4),
        (4, 32, 16, 16, 16),
        (5, 64, 32, 32, 16),
        (6, 64, 32, 96, 10),
        (7, 64, 32, 96, 8),
        (8, 64, 32, 96, 4),
    ];
    for (i, (id, nh, nka, nk, nt)) in table.into_iter().enumerate() {
        let s = suite(id);
        assert_eq!(s, ALL_SUITES[i]);
        assert_eq!(s.id(), id);
        assert_eq!(
            (s.nh(), s.nka(), s.nk(), s.nt()),
            (nh, nka, nk, nt),
            "{s:?}"
        );
        assert_eq!(s.is_ctr_hmac(), id != 4 && id != 5);
    }
    for id in [0u16, 9, 0xf000, 0xffff] {
        assert_eq!(CipherSuite::from_id(id), None);
    }
}

#[test]
fn header_vectors() {
    let mut t = Tally::new("sframe header encodings");
    for h in sframe_headers() {
        let header = Header {
            kid: h.kid,
            ctr: h.ctr,
        };
        assert_eq!(
            to_hex(&encode_header(&header)),
            to_hex(&h.encoded),
            "{header:?}"
        );
        assert_eq!(
            decode_header(&h.encoded),
            Ok((header, h.encoded.len())),
            "{header:?}"
        );
        // Trailing bytes are the ciphertext, not part of the header.
        let mut more = h.encoded.clone();
        more.extend_from_slice(&[0xaa, 0xbb]);
        assert_eq!(decode_header(&more), Ok((header, h.encoded.len())));
        // Every proper prefix is truncated.
        for len in 0..h.encoded.len() {
            assert_eq!(decode_header(&h.encoded[..len]), Err(Error::Malformed));
        }
        t.check();
    }
    assert_eq!(t.finish(289), 289);
}

#[test]
fn aes_ctr_hmac_vectors() {
    let mut t = Tally::new("sframe aes_ctr_hmac + aes_256_ctr_hmac");
    for key in ["aes_ctr_hmac", "aes_256_ctr_hmac"] {
        for c in sframe_aead_cases(key) {
            let s = suite(c.suite);
            assert!(s.is_ctr_hmac());
            assert_eq!(
                derive_subkeys(s, &c.key),
                (c.enc_key.clone(), c.auth_key.clone())
            );
            assert_eq!(
                aead_encrypt(s, &c.key, &c.nonce, &c.aad, &c.pt).map(|v| to_hex(&v)),
                Ok(to_hex(&c.ct)),
                "{s:?}"
            );
            assert_eq!(
                aead_decrypt(s, &c.key, &c.nonce, &c.aad, &c.ct),
                Ok(c.pt.clone())
            );
            for i in 0..c.ct.len() * 8 {
                let mut bad = c.ct.clone();
                bad[i / 8] ^= 1 << (i % 8);
                assert_eq!(
                    aead_decrypt(s, &c.key, &c.nonce, &c.aad, &bad),
                    Err(Error::AuthenticationFailed),
                    "{s:?} bit {i}"
                );
            }
            t.check();
        }
    }
    assert_eq!(t.finish(6), 6);
}

#[test]
fn sframe_vectors() {
    let mut t = Tally::new("sframe full vectors (suites 1-5 of RFC 9605, 6-8 post-RFC)");
    let mut seen = Vec::new();
    for c in sframe_all_cases() {
        let s = suite(c.suite);
        seen.push(c.suite);
        assert_eq!(key_label(s, c.kid), c.key_label, "{s:?}");
        assert_eq!(salt_label(s, c.kid), c.salt_label, "{s:?}");
        assert_eq!(
            to_hex(&sframe_secret(s, &c.base_key)),
            to_hex(&c.secret),
            "{s:?}"
        );
        let ks = derive_key_salt(s, c.kid, &c.base_key).expect("derive");
        assert_eq!(to_hex(&ks.key), to_hex(&c.key), "{s:?}");
        assert_eq!(ks.salt, c.salt, "{s:?}");
        assert_eq!(nonce(&ks.salt, c.ctr), c.nonce, "{s:?}");
        let header = Header {
            kid: c.kid,
            ctr: c.ctr,
        };
        let encoded = encode_header(&header);
        assert_eq!(
            [encoded.clone(), c.metadata.clone()].concat(),
            c.aad,
            "{s:?}"
        );
        assert_eq!(
            encrypt(s, &ks, &header, &c.metadata, &c.pt).map(|v| to_hex(&v)),
            Ok(to_hex(&c.ct)),
            "{s:?}"
        );
        assert_eq!(
            decrypt(s, &ks, &c.metadata, &c.ct),
            Ok((header, c.pt.clone()))
        );
        // Any flipped bit of the header, ciphertext or tag, or of the
        // metadata, is rejected: Malformed if the header no longer parses
        // (or the rest is shorter than a tag), AuthenticationFailed otherwise.
        for i in 0..c.ct.len() * 8 {
            let mut bad = c.ct.clone();
            bad[i / 8] ^= 1 << (i % 8);
            let got = decrypt(s, &ks, &c.metadata, &bad);
            let expected = match decode_header(&bad) {
                Ok((_, hl)) if bad.len() - hl >= s.nt() => Error::AuthenticationFailed,
                _ => Error::Malformed,
            };
            assert_eq!(got, Err(expected), "{s:?} bit {i}");
        }
        let mut bad_meta = c.metadata.clone();
        bad_meta[0] ^= 1;
        assert_eq!(
            decrypt(s, &ks, &bad_meta, &c.ct),
            Err(Error::AuthenticationFailed)
        );
        // Truncation below the tag length is Malformed.
        let short = &c.ct[..encoded.len() + s.nt() - 1];
        assert_eq!(decrypt(s, &ks, &c.metadata, short), Err(Error::Malformed));
        t.check();
    }
    assert_eq!(seen, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(t.finish(8), 8);
}

#[test]
fn strict_decoding_rejections() {
    // Empty input.
    assert_eq!(decode_header(&[]), Err(Error::Malformed));
    // A one-byte extended value below 8 belongs in the config byte: KID
    // (X = 1, K = 0) and CTR (Y = 1, C = 0).
    for v in 0..8u8 {
        assert_eq!(decode_header(&[0x80, v]), Err(Error::Malformed), "kid {v}");
        assert_eq!(decode_header(&[0x08, v]), Err(Error::Malformed), "ctr {v}");
        assert_eq!(
            decode_header(&[0x88, 8, v]),
            Err(Error::Malformed),
            "kid 8, ctr {v}"
        );
    }
    assert_eq!(
        decode_header(&[0x80, 8]),
        Ok((Header { kid: 8, ctr: 0 }, 2))
    );
    assert_eq!(
        decode_header(&[0x08, 8]),
        Ok((Header { kid: 0, ctr: 8 }, 2))
    );
    // A leading zero byte in a value of 2 to 8 bytes.
    for len in 2..=8usize {
        let mut kid = vec![0x80 | (((len - 1) as u8) << 4)];
        kid.extend(std::iter::repeat_n(0xff, len));
        kid[1] = 0;
        assert_eq!(decode_header(&kid), Err(Error::Malformed), "kid len {len}");
        let mut ctr = vec![0x08 | (len - 1) as u8];
        ctr.extend(std::iter::repeat_n(0xff, len));
        ctr[1] = 0;
        assert_eq!(decode_header(&ctr), Err(Error::Malformed), "ctr len {len}");
        // The same with a non-zero first byte is minimal and accepted.
        kid[1] = 1;
        assert_eq!(decode_header(&kid).map(|(_, n)| n), Ok(1 + len));
    }
    // Truncated extensions: KID of 8 bytes with 7 present; CTR missing.
    assert_eq!(
        decode_header(&[0xf0, 1, 2, 3, 4, 5, 6, 7]),
        Err(Error::Malformed)
    );
    assert_eq!(decode_header(&[0x89, 0x10, 0x01]), Err(Error::Malformed));
    // The longest header.
    let max = encode_header(&Header {
        kid: u64::MAX,
        ctr: u64::MAX,
    });
    assert_eq!(max.len(), MAX_HEADER_LEN);
    assert_eq!(max[0], 0xff);
}

#[test]
fn decode_accepts_exactly_the_encodings() {
    // Every config byte with every extension of up to 2 bytes: a header is
    // accepted iff it is the encoding of what it decodes to (so strict
    // decoding and encoding are inverse bijections on accepted inputs).
    let mut accepted = 0;
    for config in 0..=255u8 {
        for ext_len in 0..=2usize {
            for ext in 0..(1u32 << (8 * ext_len)) {
                let mut h = vec![config];
                h.extend_from_slice(&ext.to_be_bytes()[4 - ext_len..]);
                if let Ok((header, n)) = decode_header(&h) {
                    if n == h.len() {
                        assert_eq!(encode_header(&header), h);
                        accepted += 1;
                    }
                }
            }
        }
    }
    // 64 one-byte headers, 2 * 8 * 248 two-byte ones (one 1-byte value >= 8),
    // and for three bytes: 248 * 248 (two 1-byte values) + 2 * 8 * 255 * 256
    // (one 2-byte value without a leading zero).
    assert_eq!(accepted, 64 + 2 * 8 * 248 + 248 * 248 + 2 * 8 * 255 * 256);
}

#[test]
fn key_length_rejections() {
    for s in ALL_SUITES {
        assert!(pre_derive_subkeys(s, s.nk()));
        assert!(!pre_derive_subkeys(s, s.nk() - 1) && !pre_derive_subkeys(s, s.nk() + 1));
        let ks = KeyAndSalt {
            key: vec![0; s.nk() + 1],
            salt: [0; NONCE_LEN],
        };
        let header = Header { kid: 1, ctr: 2 };
        assert_eq!(
            encrypt(s, &ks, &header, &[], b"x"),
            Err(Error::InvalidLength)
        );
        assert_eq!(decrypt(s, &ks, &[], &[0x12; 40]), Err(Error::InvalidLength));
        assert_eq!(
            aead_decrypt(s, &[0; 1], &[0; NONCE_LEN], &[], &[0; 40]),
            Err(Error::InvalidLength)
        );
        let ok = derive_key_salt(s, 1, b"base").expect("derive");
        assert_eq!(
            aead_decrypt(s, &ok.key, &[0; NONCE_LEN], &[], &vec![0; s.nt() - 1]),
            Err(Error::InvalidLength)
        );
    }
}

fn any_suite() -> impl Strategy<Value = CipherSuite> {
    (0usize..ALL_SUITES.len()).prop_map(|i| ALL_SUITES[i])
}

/// KID and CTR values spread over every encoded length.
fn any_value() -> impl Strategy<Value = u64> {
    (0u32..65, any::<u64>()).prop_map(|(bits, v)| {
        if bits == 64 {
            v
        } else {
            v & ((1u64 << bits) - 1)
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(64)))]

    #[test]
    fn header_round_trip(kid in any_value(), ctr in any_value(), tail in proptest::collection::vec(any::<u8>(), 0..4)) {
        let header = Header { kid, ctr };
        let enc = encode_header(&header);
        prop_assert!(!enc.is_empty() && enc.len() <= MAX_HEADER_LEN);
        let mut with_tail = enc.clone();
        with_tail.extend_from_slice(&tail);
        prop_assert_eq!(decode_header(&with_tail), Ok((header, enc.len())));
    }

    /// decrypt(encrypt(m)) = (header, m) for every suite; the output is the
    /// header, then as many bytes as the plaintext, then Nt tag bytes.
    #[test]
    fn sframe_round_trip(
        s in any_suite(),
        base_key in proptest::collection::vec(any::<u8>(), 0..48),
        kid in any_value(),
        ctr in any_value(),
        metadata in proptest::collection::vec(any::<u8>(), 0..24),
        pt in proptest::collection::vec(any::<u8>(), 0..70),
    ) {
        let ks = derive_key_salt(s, kid, &base_key).expect("derive");
        prop_assert_eq!(ks.key.len(), s.nk());
        let header = Header { kid, ctr };
        let ct = encrypt(s, &ks, &header, &metadata, &pt).expect("encrypt");
        prop_assert_eq!(ct.len(), encode_header(&header).len() + pt.len() + s.nt());
        prop_assert_eq!(decrypt(s, &ks, &metadata, &ct), Ok((header, pt)));
    }
}
