//! Elements of Z_q and of the rings R_q and T_q, FIPS 203 sections 2.4.4
//! and 2.4.5. A polynomial of R_q and an NTT representation in T_q are both
//! 256 coefficients in Z_q, held reduced in 0..q.

use super::parameters::{N, Q};

/// A polynomial of R_q, or the NTT representation of one (an element of
/// T_q): 256 coefficients in 0..q (FIPS 203, section 2.4.4).
pub type Poly = [u16; N];

/// x mod q (FIPS 203, section 2.3, the "mod" of a nonnegative integer).
pub fn reduce(x: u32) -> u16 {
    // cast: x mod q is below q = 3329 < 2^16.
    (x % u32::from(Q)) as u16
}

/// a + b in Z_q (FIPS 203, section 2.4.4).
pub fn add_q(a: u16, b: u16) -> u16 {
    reduce(u32::from(a) + u32::from(b))
}

/// a - b in Z_q (FIPS 203, section 2.4.4); q is added before subtracting
/// so that the integer difference never goes negative.
pub fn sub_q(a: u16, b: u16) -> u16 {
    reduce(u32::from(reduce(u32::from(a))) + u32::from(Q) - u32::from(reduce(u32::from(b))))
}

/// a * b in Z_q (FIPS 203, section 2.4.4).
pub fn mul_q(a: u16, b: u16) -> u16 {
    reduce(u32::from(a) * u32::from(b))
}

/// f + g in R_q (or T_q), coefficient by coefficient (FIPS 203, section
/// 2.4.4).
pub fn poly_add(f: &Poly, g: &Poly) -> Poly {
    let mut h = [0u16; N];
    for i in 0..N {
        h[i] = add_q(f[i], g[i]);
    }
    h
}

/// f - g in R_q (or T_q), coefficient by coefficient (FIPS 203, section
/// 2.4.4).
pub fn poly_sub(f: &Poly, g: &Poly) -> Poly {
    let mut h = [0u16; N];
    for i in 0..N {
        h[i] = sub_q(f[i], g[i]);
    }
    h
}
