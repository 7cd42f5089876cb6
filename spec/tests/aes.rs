//! AES-128/256 (FIPS 197) against the AESAVS ECB known-answer and
//! multi-block files, and AES-CTR (SP 800-38A section 6.5, 32-bit counter)
//! against the RFC 3686 vectors, all from `vectors/external/nist-cavp/aes/`;
//! the S-box against its definition; CTR's structure on random inputs.

mod common;

use common::{aes_ctr_cases, aes_ecb_cases, to_hex, Tally};
use proptest::prelude::*;
use xchat_spec::aes::{
    aes128_encrypt_block, aes256_encrypt_block, cipher, key_expansion, BLOCK_LEN, SBOX,
};
use xchat_spec::aes_ctr::{aes_ctr, inc32, pre_ctr};
use xchat_spec::Error;

/// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS 197
/// section 4.2), written independently of the spec.
fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0;
    for _ in 0..8 {
        if b & 1 == 1 {
            p ^= a;
        }
        let hi = a & 0x80;
        a <<= 1;
        if hi != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

#[test]
fn sbox_is_the_fips_197_definition() {
    // FIPS 197 section 5.1.1: b' = affine(b^-1), with 0 mapped to 0 first.
    for x in 0..=255u8 {
        let inv = (0..=255u8).find(|&y| gmul(x, y) == 1).unwrap_or(0);
        let mut r = inv;
        for k in 1..5 {
            r ^= inv.rotate_left(k);
        }
        assert_eq!(SBOX[usize::from(x)], r ^ 0x63, "S-box at {x:#04x}");
    }
}

#[test]
fn fips_197_appendix_c_examples() {
    // FIPS 197 Appendix C.1 and C.3 (plaintext 00112233..ff).
    let pt: [u8; 16] = std::array::from_fn(|i| (i as u8) * 0x11);
    let k128: [u8; 16] = std::array::from_fn(|i| i as u8);
    let k256: [u8; 32] = std::array::from_fn(|i| i as u8);
    assert_eq!(
        to_hex(&aes128_encrypt_block(&k128, &pt)),
        "69c4e0d86a7b0430d8cdb78070b4c55a"
    );
    assert_eq!(
        to_hex(&aes256_encrypt_block(&k256, &pt)),
        "8ea2b7ca516745bfeafc49904b496089"
    );
    assert_eq!(key_expansion(&k128).map(|rk| rk.rounds()), Ok(10));
    assert_eq!(key_expansion(&k256).map(|rk| rk.rounds()), Ok(14));
}

#[test]
fn key_expansion_rejects_other_lengths() {
    for len in [0, 1, 15, 17, 24, 31, 33, 64] {
        assert_eq!(
            key_expansion(&vec![0u8; len]),
            Err(Error::InvalidLength),
            "{len}"
        );
    }
}

#[test]
fn aesavs_ecb_known_answers() {
    let mut t = Tally::new("AESAVS ECB (FIPS 197) encrypt + decrypt records");
    let mut decrypt_records = 0;
    for c in aes_ecb_cases() {
        let rk = key_expansion(&c.key).unwrap_or_else(|e| panic!("{}: {e:?}", c.id));
        assert_eq!(c.pt.len() % BLOCK_LEN, 0, "{}", c.id);
        assert_eq!(c.pt.len(), c.ct.len(), "{}", c.id);
        // ECB: each block on its own (SP 800-38A section 6.1). A [DECRYPT]
        // record is the same (key, plaintext, ciphertext) relation read the
        // other way; only the forward cipher is specified here, so it is
        // checked as CIPH_K(PLAINTEXT) = CIPHERTEXT.
        let mut out = Vec::new();
        for block in c.pt.chunks(BLOCK_LEN) {
            out.extend_from_slice(&cipher(&rk, block.try_into().expect("block")));
        }
        assert_eq!(to_hex(&out), to_hex(&c.ct), "{}", c.id);
        if c.key.len() == 16 && c.pt.len() == 16 {
            let k: [u8; 16] = c.key.as_slice().try_into().expect("key");
            let p: [u8; 16] = c.pt.as_slice().try_into().expect("pt");
            assert_eq!(aes128_encrypt_block(&k, &p).to_vec(), c.ct, "{}", c.id);
        }
        if c.key.len() == 32 && c.pt.len() == 16 {
            let k: [u8; 32] = c.key.as_slice().try_into().expect("key");
            let p: [u8; 16] = c.pt.as_slice().try_into().expect("pt");
            assert_eq!(aes256_encrypt_block(&k, &p).to_vec(), c.ct, "{}", c.id);
        }
        decrypt_records += usize::from(c.decrypt_section);
        t.check();
    }
    // 1418 records in the ten files (nist-cavp MANIFEST: 1418/1418), half
    // of them in [DECRYPT] sections.
    assert_eq!(decrypt_records, 709);
    assert_eq!(t.finish(1418), 1418);
}

#[test]
fn rfc3686_aes_ctr() {
    let mut t = Tally::new("RFC 3686 AES-CTR");
    for c in aes_ctr_cases() {
        assert_eq!(
            aes_ctr(&c.key, &c.icb, &c.pt).map(|v| to_hex(&v)),
            Ok(to_hex(&c.ct)),
            "{}",
            c.id
        );
        // Decryption is the same function.
        assert_eq!(aes_ctr(&c.key, &c.icb, &c.ct), Ok(c.pt.clone()), "{}", c.id);
        t.check();
    }
    assert_eq!(t.finish(6), 6);
}

#[test]
fn inc32_wraps_the_last_32_bits_only() {
    let mut b = [0xffu8; 16];
    b[11] = 0x00;
    let mut expected = [0xffu8; 16];
    expected[11] = 0x00;
    expected[12..].copy_from_slice(&[0, 0, 0, 0]);
    assert_eq!(inc32(&b), expected);
    let mut b = [0u8; 16];
    b[15] = 0xff;
    let mut expected = [0u8; 16];
    expected[14] = 1;
    assert_eq!(inc32(&b), expected);
}

#[test]
fn ctr_precondition_and_rejection() {
    let mut icb = [0u8; 16];
    assert!(pre_ctr(&icb, 0));
    assert!(pre_ctr(&icb, 1 << 36));
    assert!(!pre_ctr(&icb, (1 << 36) + 1));
    icb[12..].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    assert!(pre_ctr(&icb, 16));
    assert!(!pre_ctr(&icb, 17));
    assert_eq!(
        aes_ctr(&[0u8; 16], &icb, &[0u8; 17]),
        Err(Error::InvalidLength)
    );
    assert_eq!(
        aes_ctr(&[0u8; 24], &[0u8; 16], &[]),
        Err(Error::InvalidLength)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(64)))]

    /// CTR is its own inverse, and block j of the keystream is
    /// CIPH_K(T_j) with T_j = inc32^(j-1)(T_1) (SP 800-38A section 6.5).
    #[test]
    fn ctr_structure(
        key in prop_oneof![proptest::collection::vec(any::<u8>(), 16), proptest::collection::vec(any::<u8>(), 32)],
        icb in any::<[u8; 16]>(),
        data in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let mut icb = icb;
        icb[12] = 0; // far from the wrap
        let ct = aes_ctr(&key, &icb, &data).expect("ctr");
        prop_assert_eq!(ct.len(), data.len());
        prop_assert_eq!(aes_ctr(&key, &icb, &ct).expect("ctr"), data.clone());
        let rk = key_expansion(&key).expect("key");
        let mut t = icb;
        for (j, chunk) in data.chunks(16).enumerate() {
            let ks = cipher(&rk, &t);
            for (i, b) in chunk.iter().enumerate() {
                prop_assert_eq!(ct[16 * j + i], b ^ ks[i]);
            }
            t = inc32(&t);
        }
    }
}
