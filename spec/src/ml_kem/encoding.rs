//! Conversion and compression, FIPS 203 section 4.2.1: bit and byte
//! arrays (Algorithms 3 and 4), Compress_d and Decompress_d (equations 4.7
//! and 4.8), ByteEncode_d and ByteDecode_d (Algorithms 5 and 6).
//!
//! FIPS 203 uses d in 1..=12 (1..=11 for compression). To keep every
//! function total, a larger d is treated as the largest the standard uses;
//! the `pre_` predicates state the real domain.

use super::parameters::{N, Q};
use super::polynomials::{reduce, Poly};

/// BitsToBytes, FIPS 203 Algorithm 3: bit `i` of `b` (one bit per entry,
/// each 0 or 1) becomes bit `i mod 8` of byte `i / 8` (little-endian bit
/// order). A bit count that is not a multiple of 8 is padded with zeros.
pub fn bits_to_bytes(b: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0u8; b.len().div_ceil(8)];
    for i in 0..b.len() {
        bytes[i / 8] |= (b[i] & 1) << (i % 8);
    }
    bytes
}

/// BytesToBits, FIPS 203 Algorithm 4: the inverse of BitsToBytes, one bit
/// per output entry.
pub fn bytes_to_bits(bytes: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 8 * bytes.len()];
    for i in 0..bytes.len() {
        let mut c = bytes[i];
        for j in 0..8 {
            b[8 * i + j] = c % 2;
            c /= 2;
        }
    }
    b
}

/// Whether Compress_d applies to x: 1 <= d < 12 and x in Z_q
/// (FIPS 203, section 4.2.1, equation 4.7).
pub fn pre_compress(d: usize, x: u16) -> bool {
    (1..12).contains(&d) && x < Q
}

/// Compress_d(x) = round((2^d / q) * x) mod 2^d, FIPS 203 section 4.2.1
/// (equation 4.7), in integers: q is odd, so (2^d x) / q is never exactly
/// half-way and round(y) = floor((2^(d+1) x + q) / 2q).
#[cfg_attr(hax, hax_lib::requires(pre_compress(d, x)))]
pub fn compress(d: usize, x: u16) -> u16 {
    let d = d.min(11);
    let x = u32::from(reduce(u32::from(x)));
    let q = u32::from(Q);
    let rounded = ((x << (d + 1)) + q) / (2 * q);
    // cast: masked to d < 12 bits, so it fits in u16.
    (rounded & ((1u32 << d) - 1)) as u16
}

/// Whether Decompress_d applies to y: 1 <= d < 12 and y in Z_(2^d)
/// (FIPS 203, section 4.2.1, equation 4.8).
pub fn pre_decompress(d: usize, y: u16) -> bool {
    (1..12).contains(&d) && u32::from(y) < (1u32 << d)
}

/// Decompress_d(y) = round((q / 2^d) * y), FIPS 203 section 4.2.1
/// (equation 4.8), in integers: round(z) = floor(z + 1/2), so the result is
/// floor((2 q y + 2^d) / 2^(d+1)).
#[cfg_attr(hax, hax_lib::requires(pre_decompress(d, y)))]
pub fn decompress(d: usize, y: u16) -> u16 {
    let d = d.min(11);
    let y = u32::from(y) & ((1u32 << d) - 1);
    let q = u32::from(Q);
    // cast: y < 2^d, so the result is at most q (2^d - 1) / 2^d + 1/2 < q.
    ((2 * q * y + (1u32 << d)) >> (d + 1)) as u16
}

/// Compress_d applied to each coefficient (FIPS 203, section 2.4.8).
pub fn compress_poly(d: usize, f: &Poly) -> Poly {
    let mut out = [0u16; N];
    for i in 0..N {
        out[i] = compress(d, f[i]);
    }
    out
}

/// Decompress_d applied to each coefficient (FIPS 203, section 2.4.8).
pub fn decompress_poly(d: usize, f: &Poly) -> Poly {
    let mut out = [0u16; N];
    for i in 0..N {
        out[i] = decompress(d, f[i]);
    }
    out
}

/// Whether ByteEncode_d applies to F: 1 <= d <= 12 and every coefficient
/// in Z_m, m = 2^d for d < 12 and m = q for d = 12 (FIPS 203, Algorithm 5).
pub fn pre_byte_encode(d: usize, f: &Poly) -> bool {
    let m: u32 = if d < 12 {
        1u32 << d.min(11)
    } else {
        u32::from(Q)
    };
    let mut in_range = true;
    for i in 0..N {
        in_range = in_range && u32::from(f[i]) < m;
    }
    (1..13).contains(&d) && in_range
}

/// ByteEncode_d, FIPS 203 Algorithm 5: each of the 256 coefficients as d
/// bits, least significant first, packed into 32 d bytes.
#[cfg_attr(hax, hax_lib::requires(pre_byte_encode(d, f)))]
pub fn byte_encode(d: usize, f: &Poly) -> Vec<u8> {
    let d = d.min(12);
    let mut b = vec![0u8; N * d];
    for i in 0..N {
        let mut a = f[i];
        for j in 0..d {
            // cast: a mod 2 is 0 or 1.
            b[i * d + j] = (a % 2) as u8;
            a /= 2;
        }
    }
    bits_to_bytes(&b)
}

/// Whether ByteDecode_d applies to B: 1 <= d <= 12 and B has 32 d bytes
/// (FIPS 203, Algorithm 6).
pub fn pre_byte_decode(d: usize, b: &[u8]) -> bool {
    (1..13).contains(&d) && b.len() == 32 * d
}

/// ByteDecode_d, FIPS 203 Algorithm 6: 256 integers of d bits each, reduced
/// mod m, m = 2^d for d < 12 and m = q for d = 12. For d = 12 the reduction
/// is what the modulus check of section 7.2 detects: an encoded value of q
/// or more does not survive ByteEncode_12(ByteDecode_12(..)). Missing
/// input bytes read as zero and extra ones are ignored (outside the
/// precondition).
#[cfg_attr(hax, hax_lib::requires(pre_byte_decode(d, b)))]
pub fn byte_decode(d: usize, b: &[u8]) -> Poly {
    let d = d.min(12);
    let m: u32 = if d < 12 { 1u32 << d } else { u32::from(Q) };
    let mut bits = bytes_to_bits(b);
    bits.resize(N * d, 0);
    let mut f = [0u16; N];
    for i in 0..N {
        let mut x = 0u32;
        for j in 0..d {
            x += u32::from(bits[i * d + j]) << j;
        }
        // cast: x mod m is below m <= 2^12.
        f[i] = (x % m) as u16;
    }
    f
}
