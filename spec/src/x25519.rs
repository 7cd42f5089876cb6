//! X25519, RFC 7748 (Elliptic Curves for Security, January 2016),
//! section 5.
//!
//! [`x25519`] is the raw function of section 5: clamp the scalar
//! (decodeScalar25519), mask the top bit of the u-coordinate
//! (decodeUCoordinate), run the Montgomery ladder, encode the result
//! (encodeUCoordinate). It is defined for every 32-byte input, including
//! low-order points and points on the twist, and it does **not** reject an
//! all-zero output: section 6.1's check for the all-zero shared secret is a
//! protocol decision, made by the caller.

use crate::field25519::FieldElement;

/// The u-coordinate 9 of the curve25519 base point, encoded
/// (RFC 7748, section 4.1).
pub const BASE_POINT: [u8; 32] = [
    9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// (A - 2) / 4 = 121665 for curve25519 (RFC 7748, section 5).
const A24: u32 = 121665;

/// decodeScalar25519, RFC 7748 section 5: clear the three low bits (a
/// multiple of the cofactor 8), clear bit 255 and set bit 254.
pub fn decode_scalar25519(k: &[u8; 32]) -> [u8; 32] {
    let mut s = *k;
    s[0] &= 248;
    s[31] &= 127;
    s[31] |= 64;
    s
}

/// cswap of RFC 7748, section 5: swaps the pair when `swap` is 1. (The RFC
/// computes it with a mask for constant time; this crate is not constant
/// time, see the crate documentation.)
fn cswap(swap: u8, a: FieldElement, b: FieldElement) -> (FieldElement, FieldElement) {
    if swap == 1 {
        (b, a)
    } else {
        (a, b)
    }
}

/// X25519(k, u), RFC 7748 section 5: the u-coordinate of [k]P for the
/// point P with u-coordinate `u`, by the Montgomery ladder over bits 254
/// down to 0 of the clamped scalar.
pub fn x25519(scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let k = decode_scalar25519(scalar);
    // decodeUCoordinate: from_bytes masks bit 255 and reduces mod p.
    let x_1 = FieldElement::from_bytes(u);
    let a24 = FieldElement::from_u32(A24);
    let mut x_2 = FieldElement::ONE;
    let mut z_2 = FieldElement::ZERO;
    let mut x_3 = x_1;
    let mut z_3 = FieldElement::ONE;
    let mut swap = 0u8;
    for i in 0..255 {
        let t = 254 - i;
        let k_t = (k[t / 8] >> (t % 8)) & 1;
        swap ^= k_t;
        (x_2, x_3) = cswap(swap, x_2, x_3);
        (z_2, z_3) = cswap(swap, z_2, z_3);
        swap = k_t;

        let a = x_2 + z_2;
        let aa = a.square();
        let b = x_2 - z_2;
        let bb = b.square();
        let e = aa - bb;
        let c = x_3 + z_3;
        let d = x_3 - z_3;
        let da = d * a;
        let cb = c * b;
        x_3 = (da + cb).square();
        z_3 = x_1 * (da - cb).square();
        x_2 = aa * bb;
        z_2 = e * (aa + a24 * e);
    }
    // The final swap; only (x_2, z_2) is used after it.
    let (x_2, _) = cswap(swap, x_2, x_3);
    let (z_2, _) = cswap(swap, z_2, z_3);
    // encodeUCoordinate of x_2 / z_2 (z_2 = 0 gives 0: 0^(p-2) = 0).
    (x_2 * z_2.invert()).to_bytes()
}

/// X25519(k, 9): the public key for private key `scalar`, RFC 7748
/// section 6.1.
pub fn x25519_base(scalar: &[u8; 32]) -> [u8; 32] {
    x25519(scalar, &BASE_POINT)
}
