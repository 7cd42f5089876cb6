//! AES-GCM (SP 800-38D) against the CAVS GCM excerpts (96-bit IVs, 128-bit
//! tags, AES-128 and AES-256, encryption records and decryption records
//! with their `FAIL` entries) and Wycheproof `aes_gcm_test.json` (every IV
//! length, valid cases and modified tags); round trips and tampering on
//! random inputs.

mod common;

use common::{gcm_cases, to_hex, wycheproof_aead, Tally, Verdict};
use proptest::prelude::*;
use xchat_spec::aes_gcm::{open, seal, MAX_PLAINTEXT_LEN, NONCE_LEN, TAG_LEN};
use xchat_spec::Error;

#[test]
fn constants() {
    assert_eq!((NONCE_LEN, TAG_LEN), (12, 16));
    // SP 800-38D section 5.2.1.1: 2^39 - 256 bits.
    assert_eq!(MAX_PLAINTEXT_LEN * 8, (1u64 << 39) - 256);
}

#[test]
fn cavs_gcm_excerpts() {
    let mut t = Tally::new("CAVS GCM (iv96, tag128) encrypt + decrypt records");
    let (mut enc, mut dec_pass, mut dec_fail) = (0, 0, 0);
    for c in gcm_cases() {
        let id = &c.id;
        match (&c.pt, c.decrypt_file) {
            (Some(pt), decrypt_file) => {
                assert_eq!(
                    seal(&c.key, &c.iv, &c.aad, pt).map(|v| to_hex(&v)),
                    Ok(to_hex(&c.sealed)),
                    "{id}"
                );
                assert_eq!(
                    open(&c.key, &c.iv, &c.aad, &c.sealed).as_ref(),
                    Ok(pt),
                    "{id}"
                );
                if decrypt_file {
                    dec_pass += 1;
                } else {
                    enc += 1;
                }
            }
            (None, true) => {
                assert_eq!(
                    open(&c.key, &c.iv, &c.aad, &c.sealed),
                    Err(Error::AuthenticationFailed),
                    "{id}"
                );
                dec_fail += 1;
            }
            (None, false) => panic!("{id}: an encryption record without PT"),
        }
        t.check();
    }
    println!("GCM: {enc} encryptions, {dec_pass} decryptions, {dec_fail} FAIL entries rejected");
    assert_eq!((enc, dec_pass + dec_fail, dec_fail), (750, 750, 387));
    assert_eq!(t.finish(1500), 1500);
}

#[test]
fn wycheproof_aes_gcm() {
    let mut t = Tally::new("wycheproof aes_gcm");
    let (mut valid, mut invalid, mut aes192) = (0, 0, 0);
    for c in wycheproof_aead("wycheproof/aes_gcm_test.json") {
        let (id, aad, sealed) = (&c.id, &c.aad, &c.sealed);
        if c.key.len() == 24 {
            // AES-192 is not part of XCHAT (spec/src/aes.rs): rejected.
            assert_eq!(
                seal(&c.key, &c.iv, aad, &c.msg),
                Err(Error::InvalidLength),
                "{id}"
            );
            assert_eq!(
                open(&c.key, &c.iv, aad, sealed),
                Err(Error::InvalidLength),
                "{id}"
            );
            aes192 += 1;
            t.check();
            continue;
        }
        match c.verdict {
            Verdict::Valid => {
                assert_eq!(
                    seal(&c.key, &c.iv, aad, &c.msg).map(|v| to_hex(&v)),
                    Ok(to_hex(sealed)),
                    "{id}"
                );
                assert_eq!(open(&c.key, &c.iv, aad, sealed), Ok(c.msg.clone()), "{id}");
                valid += 1;
            }
            Verdict::Invalid => {
                let expected = if c.iv.is_empty() {
                    // SP 800-38D section 5.2.1.1: 1 <= len(IV).
                    assert!(c.flags.contains(&"ZeroLengthIv".to_string()), "{id}");
                    assert_eq!(seal(&c.key, &c.iv, aad, &c.msg), Err(Error::InvalidLength));
                    Error::InvalidLength
                } else {
                    assert!(c.flags.contains(&"ModifiedTag".to_string()), "{id}");
                    Error::AuthenticationFailed
                };
                assert_eq!(open(&c.key, &c.iv, aad, sealed), Err(expected), "{id}");
                invalid += 1;
            }
            Verdict::Acceptable => panic!("{id}: unexpected acceptable case, no policy for it"),
        }
        t.check();
    }
    println!("wycheproof aes_gcm: {valid} valid, {invalid} invalid, {aes192} AES-192 rejected");
    assert_eq!(t.finish(316), 316);
}

#[test]
fn length_rejections() {
    let key = [7u8; 16];
    let iv = [1u8; 12];
    for len in [0usize, 8, 15, 24, 31, 33] {
        assert_eq!(
            seal(&vec![0; len], &iv, &[], &[]),
            Err(Error::InvalidLength)
        );
        assert_eq!(
            open(&vec![0; len], &iv, &[], &[0; 16]),
            Err(Error::InvalidLength)
        );
    }
    assert_eq!(seal(&key, &[], &[], &[]), Err(Error::InvalidLength));
    for len in 0..TAG_LEN {
        assert_eq!(
            open(&key, &iv, &[], &vec![0; len]),
            Err(Error::InvalidLength)
        );
    }
    assert_eq!(
        open(&key, &iv, &[], &[0; 16]),
        Err(Error::AuthenticationFailed)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::proptest_cases(64)))]

    /// open(seal(m)) = m; any flipped bit of the sealed message or the AAD
    /// is AuthenticationFailed (SP 800-38D section 7.2).
    #[test]
    fn round_trip_and_tamper(
        key in prop_oneof![proptest::collection::vec(any::<u8>(), 16), proptest::collection::vec(any::<u8>(), 32)],
        iv in proptest::collection::vec(any::<u8>(), 1..40),
        aad in proptest::collection::vec(any::<u8>(), 0..40),
        pt in proptest::collection::vec(any::<u8>(), 0..70),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let sealed = seal(&key, &iv, &aad, &pt).expect("seal");
        prop_assert_eq!(sealed.len(), pt.len() + TAG_LEN);
        prop_assert_eq!(open(&key, &iv, &aad, &sealed), Ok(pt.clone()));
        let mut bad = sealed.clone();
        let i = flip.index(bad.len());
        bad[i] ^= 1 << bit;
        prop_assert_eq!(open(&key, &iv, &aad, &bad), Err(Error::AuthenticationFailed));
        let mut bad_aad = aad.clone();
        bad_aad.push(0);
        prop_assert_eq!(open(&key, &iv, &bad_aad, &sealed), Err(Error::AuthenticationFailed));
    }
}
