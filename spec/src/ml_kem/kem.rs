//! The internal algorithms of ML-KEM, FIPS 203 section 6 (Algorithms 16,
//! 17 and 18), for ML-KEM-768, with the input checks of section 7.2
//! (encapsulation key) and 7.3 (decapsulation key and ciphertext) run
//! before them.
//!
//! The internal algorithms take their randomness (d, z, m) as inputs; the
//! external ML-KEM.KeyGen and ML-KEM.Encaps (Algorithms 19 and 20) only
//! draw it from an approved RBG, which this pure specification leaves to
//! its caller.

use super::crypto_functions::{g, h, j};
use super::encoding::{byte_decode, byte_encode};
use super::k_pke::{k_pke_decrypt, k_pke_encrypt, k_pke_keygen};
use super::parameters::{CT_LEN, DK_LEN, DK_PKE_LEN, EK_LEN, K, SS_LEN};
use crate::Error;

/// The encapsulation key checks of FIPS 203, section 7.2: (1) type check,
/// `ek` has 384k + 32 bytes, else [`Error::InvalidLength`]; (2) modulus
/// check, `ByteEncode_12(ByteDecode_12(ek[0:384k])) = ek[0:384k]`, i.e. every
/// encoded coefficient is below q, else [`Error::InvalidEncapsulationKey`].
pub fn check_encapsulation_key(ek: &[u8]) -> Result<(), Error> {
    if ek.len() != EK_LEN {
        return Err(Error::InvalidLength);
    }
    let mut reencoded = Vec::new();
    for i in 0..K {
        let chunk = &ek[384 * i..384 * (i + 1)];
        reencoded.extend_from_slice(&byte_encode(12, &byte_decode(12, chunk)));
    }
    if reencoded.as_slice() != &ek[0..DK_PKE_LEN] {
        return Err(Error::InvalidEncapsulationKey);
    }
    Ok(())
}

/// The decapsulation input checks of FIPS 203, section 7.3: (1) ciphertext
/// type check, `c` has 32 (d_u k + d_v) bytes; (2) decapsulation key type
/// check, `dk` has 768k + 96 bytes (both else [`Error::InvalidLength`]);
/// (3) hash check, `H(dk[384k : 768k + 32]) = dk[768k + 32 : 768k + 64]`,
/// the stored hash of the encapsulation key, else
/// [`Error::InvalidDecapsulationKey`].
pub fn check_decapsulation_inputs(dk: &[u8], c: &[u8]) -> Result<(), Error> {
    if c.len() != CT_LEN {
        return Err(Error::InvalidLength);
    }
    if dk.len() != DK_LEN {
        return Err(Error::InvalidLength);
    }
    let test = h(&dk[384 * K..768 * K + 32]);
    if test.as_slice() != &dk[768 * K + 32..768 * K + 64] {
        return Err(Error::InvalidDecapsulationKey);
    }
    Ok(())
}

/// ML-KEM.KeyGen_internal, FIPS 203 Algorithm 16: from the seeds d and z,
/// the encapsulation key ek = ek_PKE (1184 bytes) and the decapsulation
/// key dk = dk_PKE || ek || H(ek) || z (2400 bytes).
pub fn keygen_internal(d: &[u8; 32], z: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
    let (ek_pke, dk_pke) = k_pke_keygen(d);
    let ek = ek_pke;
    let mut dk = dk_pke;
    dk.extend_from_slice(&ek);
    dk.extend_from_slice(&h(&ek));
    dk.extend_from_slice(z);
    (ek, dk)
}

/// ML-KEM.Encaps_internal, FIPS 203 Algorithm 17, after the checks of
/// section 7.2 ([`check_encapsulation_key`]): from the 32-byte randomness
/// m, (K, r) = G(m || H(ek)) and c = K-PKE.Encrypt(ek, m, r). Returns the
/// shared secret key K and the ciphertext c (1088 bytes).
pub fn encaps_internal(ek: &[u8], m: &[u8; 32]) -> Result<([u8; SS_LEN], Vec<u8>), Error> {
    check_encapsulation_key(ek)?;
    let mut ek_array = [0u8; EK_LEN];
    ek_array.copy_from_slice(ek);
    let mut input = m.to_vec();
    input.extend_from_slice(&h(ek));
    let (shared_key, r) = g(&input);
    let c = k_pke_encrypt(&ek_array, m, &r);
    Ok((shared_key, c))
}

/// ML-KEM.Decaps_internal, FIPS 203 Algorithm 18, after the checks of
/// section 7.3 ([`check_decapsulation_inputs`]): decrypts c to m', derives
/// (K', r') = G(m' || h), re-encrypts m' with r' and returns K' if that
/// gives c again, and otherwise the implicit-rejection key
/// K_bar = J(z || c).
pub fn decaps_internal(dk: &[u8], c: &[u8]) -> Result<[u8; SS_LEN], Error> {
    check_decapsulation_inputs(dk, c)?;
    let mut dk_pke = [0u8; DK_PKE_LEN];
    dk_pke.copy_from_slice(&dk[0..384 * K]);
    let mut ek_pke = [0u8; EK_LEN];
    ek_pke.copy_from_slice(&dk[384 * K..768 * K + 32]);
    let stored_h = &dk[768 * K + 32..768 * K + 64];
    let z = &dk[768 * K + 64..768 * K + 96];
    let mut c_array = [0u8; CT_LEN];
    c_array.copy_from_slice(c);

    let m_prime = k_pke_decrypt(&dk_pke, &c_array);
    let mut input = m_prime.to_vec();
    input.extend_from_slice(stored_h);
    let (k_prime, r_prime) = g(&input);
    let mut rejection_input = z.to_vec();
    rejection_input.extend_from_slice(c);
    let k_bar = j(&rejection_input);
    let c_prime = k_pke_encrypt(&ek_pke, &m_prime, &r_prime);
    if c_prime.as_slice() != c {
        Ok(k_bar)
    } else {
        Ok(k_prime)
    }
}
