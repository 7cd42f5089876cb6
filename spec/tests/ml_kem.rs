//! Known-answer tests for `xchat_spec::ml_kem` (FIPS 203 final,
//! ML-KEM-768): NIST ACVP internal projections (keyGen, encapDecap), the
//! pq-crystals KAT (first 50 records), the four Wycheproof ML-KEM-768 files,
//! and the accumulated test of `mlkem/ACCUMULATED.md` (Go's
//! TestAccumulated), plus direct tests of the input checks of FIPS 203
//! sections 7.2 and 7.3 and of the `pre_` predicates.
mod common;

use common::{
    hex, mlkem_acvp_encap_decap, mlkem_acvp_keygen, mlkem_pq_kat_first50, read_text, seed_to_d_z,
    to_hex, MlKemAcvpFunction, Tally, Verdict,
};
use xchat_spec::ml_kem::encoding::{
    pre_byte_decode, pre_byte_encode, pre_compress, pre_decompress,
};
use xchat_spec::ml_kem::sampling::pre_sample_poly_cbd;
use xchat_spec::ml_kem::{
    check_decapsulation_inputs, check_encapsulation_key, decaps_internal, encaps_internal,
    keygen_internal, CT_LEN, DK_LEN, EK_LEN, SS_LEN,
};
use xchat_spec::sha3::{shake128, Shake128};
use xchat_spec::Error;

#[test]
fn acvp_keygen_internal() {
    let mut t = Tally::new("ACVP ML-KEM-768 keyGen");
    for case in mlkem_acvp_keygen() {
        let (ek, dk) = keygen_internal(&case.d, &case.z);
        let id = case.tc_id;
        assert_eq!(to_hex(&ek), to_hex(&case.ek), "tcId {id}");
        assert_eq!(to_hex(&dk), to_hex(&case.dk), "tcId {id}");
        t.check();
    }
    t.finish(25);
}

#[test]
fn acvp_encap_decap_internal() {
    let mut t = Tally::new("ACVP ML-KEM-768 encapDecap");
    for case in mlkem_acvp_encap_decap() {
        let id = case.tc_id;
        let (k, c) = (&case.k, &case.c);
        match &case.function {
            MlKemAcvpFunction::Encapsulation { ek, dk, m } => {
                let (key, ct) = encaps_internal(ek, m).expect("valid ek");
                assert_eq!(to_hex(&ct), to_hex(c), "tcId {id}");
                assert_eq!(to_hex(&key), to_hex(k), "tcId {id}");
                let back = decaps_internal(dk, &ct).expect("valid dk");
                assert_eq!(to_hex(&back), to_hex(k), "tcId {id} decaps");
            }
            MlKemAcvpFunction::Decapsulation { dk } => {
                let key = decaps_internal(dk, c).expect("valid inputs");
                assert_eq!(to_hex(&key), to_hex(k), "tcId {id}");
            }
        }
        t.check();
    }
    t.finish(35);
}

#[test]
fn pq_crystals_kat_first50() {
    let mut t = Tally::new("kat_MLKEM_768 (first 50)");
    for r in mlkem_pq_kat_first50() {
        let id = &r.count;
        let (ek, dk) = keygen_internal(&r.d, &r.z);
        assert_eq!(to_hex(&ek), to_hex(&r.pk), "count {id} pk");
        assert_eq!(to_hex(&dk), to_hex(&r.sk), "count {id} sk");
        let (ss, ct) = encaps_internal(&ek, &r.msg).expect("valid ek");
        assert_eq!(to_hex(&ct), to_hex(&r.ct), "count {id} ct");
        assert_eq!(to_hex(&ss), to_hex(&r.ss), "count {id} ss");
        let back = decaps_internal(&dk, &ct).expect("valid inputs");
        assert_eq!(to_hex(&back), to_hex(&r.ss), "count {id} decaps");
        // ct_n is a random ciphertext: implicit rejection gives ss_n.
        let rejected = decaps_internal(&dk, &r.ct_n).expect("valid lengths");
        assert_eq!(to_hex(&rejected), to_hex(&r.ss_n), "count {id} ss_n");
        t.check();
    }
    t.finish(50);
}

#[test]
fn wycheproof_mlkem_768_test() {
    let mut t = Tally::new("wycheproof mlkem_768_test");
    for case in common::wycheproof_mlkem_768_test() {
        let id = &case.id;
        let c = &case.c;
        match seed_to_d_z(&case.seed) {
            None => {
                // "Private key too short/long": a seed that is not 64 bytes
                // cannot be passed as (d, z): rejected by type.
                assert_eq!(case.verdict, Verdict::Invalid, "{id}");
                assert_ne!(case.seed.len(), 64, "{id}");
            }
            Some((d, z)) => {
                let (ek, dk) = keygen_internal(&d, &z);
                if let Some(want_ek) = &case.ek {
                    assert_eq!(to_hex(&ek), to_hex(want_ek), "{id} ek");
                }
                let result = decaps_internal(&dk, c);
                match case.verdict {
                    Verdict::Valid => {
                        let key = result.unwrap_or_else(|e| panic!("{id}: {e:?}"));
                        assert_eq!(to_hex(&key), to_hex(&case.k), "{id}");
                    }
                    Verdict::Invalid => {
                        // "Ciphertext too short/long".
                        assert_ne!(c.len(), CT_LEN, "{id}");
                        assert_eq!(result, Err(Error::InvalidLength), "{id}");
                    }
                    Verdict::Acceptable => panic!("{id}: no acceptable cases expected"),
                }
            }
        }
        t.check();
    }
    t.finish(193);
}

#[test]
fn wycheproof_mlkem_768_keygen_seed() {
    let mut t = Tally::new("wycheproof mlkem_768_keygen_seed_test");
    for case in common::wycheproof_mlkem_768_keygen_seed() {
        let id = &case.id;
        assert_eq!(case.verdict, Verdict::Valid, "{id}");
        let (d, z) = seed_to_d_z(&case.seed).expect("64-byte seed");
        let (ek, dk) = keygen_internal(&d, &z);
        assert_eq!(to_hex(&ek), to_hex(&case.ek), "{id} ek");
        assert_eq!(to_hex(&dk), to_hex(&case.dk), "{id} dk");
        t.check();
    }
    t.finish(100);
}

#[test]
fn wycheproof_mlkem_768_encaps() {
    let mut t = Tally::new("wycheproof mlkem_768_encaps_test");
    for case in common::wycheproof_mlkem_768_encaps() {
        let id = &case.id;
        let ek = &case.ek;
        let result = encaps_internal(ek, &case.m);
        match case.verdict {
            Verdict::Valid => {
                let (key, c) = result.unwrap_or_else(|e| panic!("{id}: {e:?}"));
                assert_eq!(to_hex(&c), to_hex(&case.c), "{id} c");
                assert_eq!(to_hex(&key), to_hex(&case.k), "{id} K");
            }
            Verdict::Invalid => {
                // Wrong length: the type check; otherwise "Public key not
                // reduced" / ModulusOverflow: the modulus check.
                let expected = if ek.len() != EK_LEN {
                    Error::InvalidLength
                } else {
                    Error::InvalidEncapsulationKey
                };
                assert_eq!(result, Err(expected), "{id}");
                assert_eq!(check_encapsulation_key(ek), Err(expected), "{id}");
            }
            Verdict::Acceptable => panic!("{id}: no acceptable cases expected"),
        }
        t.check();
    }
    t.finish(265);
}

#[test]
fn wycheproof_mlkem_768_semi_expanded_decaps() {
    let mut t = Tally::new("wycheproof mlkem_768_semi_expanded_decaps_test");
    for case in common::wycheproof_mlkem_768_semi_expanded_decaps() {
        let id = &case.id;
        let (dk, c) = (&case.dk, &case.c);
        let result = decaps_internal(dk, c);
        match case.verdict {
            Verdict::Valid => {
                let key = result.unwrap_or_else(|e| panic!("{id}: {e:?}"));
                let want = case.k.as_ref().expect("K");
                assert_eq!(to_hex(&key), to_hex(want), "{id}");
            }
            Verdict::Invalid => {
                let flag = case.flags.first().map(String::as_str).unwrap_or("");
                let expected = match flag {
                    "IncorrectCiphertextLength" => {
                        assert_ne!(c.len(), CT_LEN, "{id}");
                        Error::InvalidLength
                    }
                    "IncorrectDecapsulationKeyLength" => {
                        assert_ne!(dk.len(), DK_LEN, "{id}");
                        Error::InvalidLength
                    }
                    "InvalidDecapsulationKey" => Error::InvalidDecapsulationKey,
                    other => panic!("{id}: unexpected flag {other:?}"),
                };
                assert_eq!(result, Err(expected), "{id}");
            }
            Verdict::Acceptable => panic!("{id}: no acceptable cases expected"),
        }
        t.check();
    }
    t.finish(9);
}

/// The expected accumulated hash for `n` from the table in
/// `mlkem/ACCUMULATED.md` (row `| <n with thousands commas> | `hex` | ..`).
fn accumulated_expected(n: &str) -> Vec<u8> {
    let text = read_text("mlkem/ACCUMULATED.md");
    let prefix = format!("| {n} |");
    let row = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no row for n = {n} in ACCUMULATED.md"));
    let cell = row.split('|').nth(2).expect("expected column").trim();
    let h = cell
        .strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .unwrap_or_else(|| panic!("unexpected cell {cell:?}"));
    let bytes = hex(h);
    assert_eq!(bytes.len(), 32);
    bytes
}

/// Go's TestAccumulated as described in ACCUMULATED.md: inputs from one
/// SHAKE128("") stream, outputs (ek, c, K, and the rejection key of a
/// random ciphertext) absorbed into one SHAKE128, whose first 32 bytes are
/// compared with the table.
fn accumulated(n: usize, label: &str) {
    let expected = accumulated_expected(label);
    let mut s = Shake128::absorb_final(b"");
    let mut o = Vec::new();
    let mut t = Tally::new(&format!("ML-KEM-768 accumulated, n = {label}"));
    for _ in 0..n {
        let (next, seed) = s.squeeze(64);
        let (next, m) = next.squeeze(32);
        let (next, c1) = next.squeeze(CT_LEN);
        s = next;
        let d: [u8; 32] = seed[..32].try_into().expect("32");
        let z: [u8; 32] = seed[32..].try_into().expect("32");
        let m: [u8; 32] = m.try_into().expect("32");
        let (ek, dk) = keygen_internal(&d, &z);
        o.extend_from_slice(&ek);
        let (k, c) = encaps_internal(&ek, &m).expect("valid ek");
        o.extend_from_slice(&c);
        o.extend_from_slice(&k);
        assert_eq!(decaps_internal(&dk, &c), Ok(k));
        o.extend_from_slice(&decaps_internal(&dk, &c1).expect("valid lengths"));
        t.check();
    }
    assert_eq!(to_hex(&shake128(&o, 32)), to_hex(&expected));
    t.finish(n);
}

#[test]
fn accumulated_100() {
    accumulated(100, "100");
}

/// The full 10,000 rounds: 13 s in release on the 2-core CI machine, so it
/// runs in the test command, unlike RFC 7748's 1,000,000 X25519 iterations
/// (`tests/x25519.rs`, about 110 s), which stay `#[ignore]`d.
#[test]
fn accumulated_10000() {
    accumulated(10_000, "10,000");
}

/// A valid ML-KEM-768 key pair from the ACVP keyGen file.
fn acvp_key_pair() -> (Vec<u8>, Vec<u8>) {
    let case = mlkem_acvp_keygen().swap_remove(0);
    (case.ek, case.dk)
}

/// Sets the first 12-bit coefficient of an encoded key to `value`
/// (ByteEncode_12 packs it into byte 0 and the low half of byte 1).
fn set_first_coefficient(ek: &[u8], value: u16) -> Vec<u8> {
    let mut out = ek.to_vec();
    out[0] = value.to_le_bytes()[0];
    out[1] = (out[1] & 0xf0) | (value.to_le_bytes()[1] & 0x0f);
    out
}

#[test]
fn section_7_2_encapsulation_key_checks() {
    let (ek, _) = acvp_key_pair();
    let m = [0x42u8; 32];
    assert_eq!(check_encapsulation_key(&ek), Ok(()));
    // Type check: the length comes first.
    for len in [0, EK_LEN - 1, EK_LEN + 1] {
        let mut bad = ek.clone();
        bad.resize(len, 0);
        assert_eq!(check_encapsulation_key(&bad), Err(Error::InvalidLength));
        assert_eq!(encaps_internal(&bad, &m), Err(Error::InvalidLength));
    }
    // Modulus check: q - 1 is a coefficient, q and above are not.
    assert_eq!(
        check_encapsulation_key(&set_first_coefficient(&ek, 3328)),
        Ok(())
    );
    for value in [3329u16, 3330, 4095] {
        let bad = set_first_coefficient(&ek, value);
        assert_eq!(
            check_encapsulation_key(&bad),
            Err(Error::InvalidEncapsulationKey),
            "{value}"
        );
        assert_eq!(
            encaps_internal(&bad, &m),
            Err(Error::InvalidEncapsulationKey)
        );
    }
    // The last coefficient (before rho) is checked too; rho is not.
    let mut bad = ek.clone();
    bad[384 * 3 - 1] = 0xff;
    assert_eq!(
        check_encapsulation_key(&bad),
        Err(Error::InvalidEncapsulationKey)
    );
    let mut rho_changed = ek.clone();
    rho_changed[EK_LEN - 1] ^= 0xff;
    assert_eq!(check_encapsulation_key(&rho_changed), Ok(()));
}

#[test]
fn section_7_3_decapsulation_checks() {
    let (ek, dk) = acvp_key_pair();
    let (k, c) = encaps_internal(&ek, &[7u8; 32]).expect("valid ek");
    assert_eq!(check_decapsulation_inputs(&dk, &c), Ok(()));
    assert_eq!(decaps_internal(&dk, &c), Ok(k));
    // Ciphertext type check.
    for len in [0, CT_LEN - 1, CT_LEN + 1] {
        let mut bad = c.clone();
        bad.resize(len, 0);
        assert_eq!(decaps_internal(&dk, &bad), Err(Error::InvalidLength));
    }
    // Decapsulation key type check.
    for len in [0, DK_LEN - 1, DK_LEN + 1] {
        let mut bad = dk.clone();
        bad.resize(len, 0);
        assert_eq!(decaps_internal(&bad, &c), Err(Error::InvalidLength));
    }
    // Hash check: the stored H(ek) at 768k + 32 and the embedded ek at 384k.
    for index in [768 * 3 + 32, 768 * 3 + 63, 384 * 3, 768 * 3 + 31] {
        let mut bad = dk.clone();
        bad[index] ^= 1;
        assert_eq!(
            decaps_internal(&bad, &c),
            Err(Error::InvalidDecapsulationKey),
            "byte {index}"
        );
    }
    // dk_PKE and z are not covered by the hash check: a changed z only
    // changes the implicit-rejection key, which a valid c does not use.
    let mut z_changed = dk.clone();
    z_changed[DK_LEN - 1] ^= 1;
    assert_eq!(decaps_internal(&z_changed, &c), Ok(k));
    // An invalid ciphertext gives a key different from K, and the
    // rejection key depends on z.
    let mut c_bad = c.clone();
    c_bad[0] ^= 1;
    let rejected = decaps_internal(&dk, &c_bad).expect("valid lengths");
    assert_ne!(rejected, k);
    assert_ne!(decaps_internal(&z_changed, &c_bad), Ok(rejected));
    assert_eq!(rejected.len(), SS_LEN);
}

#[test]
fn pre_predicates() {
    let zero = [0u16; 256];
    let mut big = [0u16; 256];
    big[255] = 3329;
    assert!(pre_compress(10, 3328));
    assert!(!pre_compress(10, 3329));
    assert!(!pre_compress(12, 0));
    assert!(!pre_compress(0, 0));
    assert!(pre_decompress(4, 15));
    assert!(!pre_decompress(4, 16));
    assert!(!pre_decompress(12, 0));
    assert!(pre_byte_encode(12, &zero));
    assert!(!pre_byte_encode(12, &big));
    assert!(!pre_byte_encode(11, &big));
    assert!(!pre_byte_encode(13, &zero));
    assert!(pre_byte_decode(12, &[0u8; 384]));
    assert!(!pre_byte_decode(12, &[0u8; 383]));
    assert!(!pre_byte_decode(0, &[]));
    assert!(pre_sample_poly_cbd(2, &[0u8; 128]));
    assert!(pre_sample_poly_cbd(3, &[0u8; 192]));
    assert!(!pre_sample_poly_cbd(2, &[0u8; 127]));
    assert!(!pre_sample_poly_cbd(4, &[0u8; 256]));
}
