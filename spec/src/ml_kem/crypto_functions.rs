//! The cryptographic functions of ML-KEM, FIPS 203 section 4.1: PRF, H, J
//! and G from SHA-3 and SHAKE (FIPS 202). The XOF of section 4.1 is
//! SHAKE128 read incrementally, [`crate::sha3::Shake128`], which
//! SampleNTT uses directly.

use crate::sha3::{sha3_256, sha3_512, shake256};

/// PRF_eta(s, b) = SHAKE256(s || b, 8 * 64 * eta), FIPS 203 section 4.1
/// (equation 4.3): 64 eta bytes. FIPS 203 uses eta in {2, 3}; a larger
/// eta is capped at 3 only so that the function is total.
pub fn prf(eta: usize, s: &[u8; 32], b: u8) -> Vec<u8> {
    let mut input = s.to_vec();
    input.push(b);
    shake256(&input, 64 * eta.min(3))
}

/// H(s) = SHA3-256(s), FIPS 203 section 4.1 (equation 4.4).
pub fn h(s: &[u8]) -> [u8; 32] {
    sha3_256(s)
}

/// J(s) = SHAKE256(s, 8 * 32), FIPS 203 section 4.1 (equation 4.4).
pub fn j(s: &[u8]) -> [u8; 32] {
    let out = shake256(s, 32);
    let mut k = [0u8; 32];
    for i in 0..32 {
        k[i] = out[i];
    }
    k
}

/// G(c) = SHA3-512(c), split into its first and last 32 bytes, FIPS 203
/// section 4.1 (equation 4.5).
pub fn g(c: &[u8]) -> ([u8; 32], [u8; 32]) {
    let out = sha3_512(c);
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    for i in 0..32 {
        a[i] = out[i];
        b[i] = out[32 + i];
    }
    (a, b)
}
