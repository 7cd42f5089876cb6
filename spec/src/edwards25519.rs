//! The twisted Edwards curve edwards25519 and its scalars, RFC 8032
//! (Edwards-Curve Digital Signature Algorithm, January 2017), section 5.1.
//!
//! The curve is `-x^2 + y^2 = 1 + d x^2 y^2` over GF(2^255 - 19) with
//! `d = -121665/121666`; its group has order `8 L` with the prime
//! `L = 2^252 + 27742317777372353535851937790883648493` (section 5.1).
//!
//! * Points are kept in extended homogeneous coordinates (X:Y:Z:T) with
//!   `x = X/Z`, `y = Y/Z`, `x y = T/Z`, and added and doubled with the
//!   formulas of section 5.1.4.
//! * Encoding and decoding are sections 5.1.2 and 5.1.3. Decoding is
//!   strict as the RFC says: it fails for `y >= p`, for a `y` with no `x`
//!   on the curve, and for `x = 0` with the sign bit set.
//! * Scalars are 32-byte little-endian integers; the three operations
//!   Ed25519 needs mod L (reduce a 64-byte hash, `(r + k a) mod L`, and the
//!   test `S < L`) are done on bytes, bit by bit, for readability.

use crate::field25519::FieldElement;
use core::ops::Add;

/// The curve constant d = -121665/121666 mod p, little-endian
/// (RFC 8032, section 5.1).
const D_BYTES: [u8; 32] = [
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
    0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
];

/// sqrt(-1) = 2^((p-1)/4) mod p, little-endian (RFC 8032, section 5.1.3,
/// step 3).
const SQRT_M1_BYTES: [u8; 32] = [
    0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
    0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
];

/// x-coordinate of the base point B, little-endian (RFC 8032, section 5.1:
/// the unique point with y = 4/5 and x positive, i.e. even).
const BASE_X_BYTES: [u8; 32] = [
    0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c, 0x69,
    0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21,
];

/// y-coordinate 4/5 of the base point B, little-endian (RFC 8032,
/// section 5.1).
const BASE_Y_BYTES: [u8; 32] = [
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
];

/// The group order L = 2^252 + 27742317777372353535851937790883648493,
/// little-endian (RFC 8032, section 5.1).
pub const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

/// The curve constant d (RFC 8032, section 5.1).
pub fn d() -> FieldElement {
    FieldElement::from_bytes(&D_BYTES)
}

/// sqrt(-1) in GF(p) (RFC 8032, section 5.1.3, step 3).
pub fn sqrt_m1() -> FieldElement {
    FieldElement::from_bytes(&SQRT_M1_BYTES)
}

/// A point of edwards25519 in extended homogeneous coordinates
/// (RFC 8032, section 5.1.4).
#[derive(Clone, Copy, Debug)]
pub struct Point {
    x: FieldElement,
    y: FieldElement,
    z: FieldElement,
    t: FieldElement,
}

impl Point {
    /// The neutral element (0, 1) (RFC 8032, section 5.1.4).
    pub fn identity() -> Point {
        Point {
            x: FieldElement::ZERO,
            y: FieldElement::ONE,
            z: FieldElement::ONE,
            t: FieldElement::ZERO,
        }
    }

    /// The base point B of RFC 8032, section 5.1.
    pub fn base() -> Point {
        Point::from_affine(
            FieldElement::from_bytes(&BASE_X_BYTES),
            FieldElement::from_bytes(&BASE_Y_BYTES),
        )
    }

    /// The point (x, y) as (x : y : 1 : x y) (RFC 8032, section 5.1.3,
    /// last step).
    fn from_affine(x: FieldElement, y: FieldElement) -> Point {
        Point {
            x,
            y,
            z: FieldElement::ONE,
            t: x * y,
        }
    }

    /// Point doubling, RFC 8032 section 5.1.4.
    pub fn double(self) -> Point {
        let a = self.x.square();
        let b = self.y.square();
        let c = self.z.square() + self.z.square();
        let h = a + b;
        let e = h - (self.x + self.y).square();
        let g = a - b;
        let f = c + g;
        Point {
            x: e * f,
            y: g * h,
            t: e * h,
            z: f * g,
        }
    }

    /// [s]P for a 256-bit little-endian integer s (RFC 8032, section 5.1:
    /// "[s]P" is repeated addition), by double-and-add from the most
    /// significant bit. Any s is accepted; s need not be reduced mod L.
    pub fn scalar_mul(self, s: &[u8; 32]) -> Point {
        let mut r = Point::identity();
        for i in 0..256 {
            let bit = 255 - i;
            r = r.double();
            if (s[bit / 8] >> (bit % 8)) & 1 == 1 {
                r = r + self;
            }
        }
        r
    }

    /// [8]P: multiplication by the cofactor (RFC 8032, section 5.1).
    pub fn mul_by_cofactor(self) -> Point {
        self.double().double().double()
    }

    /// Whether P has small order: [8]P is the identity, for the cofactor 8
    /// of RFC 8032, section 5.1 (P is one of the 8 points of order 1, 2, 4
    /// or 8).
    pub fn is_small_order(self) -> bool {
        self.mul_by_cofactor() == Point::identity()
    }

    /// Encoding, RFC 8032 section 5.1.2: y in little-endian with bit 255
    /// set to the low bit of x.
    pub fn encode(self) -> [u8; 32] {
        let z_inv = self.z.invert();
        let x = self.x * z_inv;
        let y = self.y * z_inv;
        let mut out = y.to_bytes();
        if x.is_negative() {
            out[31] |= 0x80;
        }
        out
    }

    /// Decoding, RFC 8032 section 5.1.3. Returns `None` when decoding
    /// fails: y >= p (step 1), x^2 = u/v has no root (step 3), or x = 0
    /// with the sign bit set (step 4).
    pub fn decode(b: &[u8; 32]) -> Option<Point> {
        // Step 1: y is bits 0-254, x_0 is bit 255; y >= p fails.
        let x_0 = b[31] >> 7;
        if !FieldElement::is_canonical(b) {
            return None;
        }
        let y = FieldElement::from_bytes(b);
        // Step 2: the candidate root x = u v^3 (u v^7)^((p-5)/8) of
        // x^2 = u / v, with u = y^2 - 1 and v = d y^2 + 1.
        let u = y.square() - FieldElement::ONE;
        let v = d() * y.square() + FieldElement::ONE;
        let v3 = v.square() * v;
        let v7 = v3.square() * v;
        let candidate = u * v3 * (u * v7).pow_p_minus_5_over_8();
        // Step 3: v x^2 = u: x is the root; v x^2 = -u: x sqrt(-1) is;
        // otherwise u / v is not a square and decoding fails.
        let vxx = v * candidate.square();
        let x = if vxx == u {
            candidate
        } else if vxx == -u {
            candidate * sqrt_m1()
        } else {
            return None;
        };
        // Step 4: x = 0 has no negative form; otherwise pick the root
        // whose low bit is x_0.
        if x.is_zero() && x_0 == 1 {
            return None;
        }
        let x = if x.is_negative() != (x_0 == 1) { -x } else { x };
        Some(Point::from_affine(x, y))
    }
}

/// Point addition, RFC 8032 section 5.1.4 (the formulas for a = -1 of
/// Hisil, Wong, Carter and Dawson, complete on edwards25519).
impl Add for Point {
    type Output = Point;
    fn add(self, q: Point) -> Point {
        let two_d = d() + d();
        let a = (self.y - self.x) * (q.y - q.x);
        let b = (self.y + self.x) * (q.y + q.x);
        let c = self.t * two_d * q.t;
        let dd = self.z * (q.z + q.z);
        let e = b - a;
        let f = dd - c;
        let g = dd + c;
        let h = b + a;
        Point {
            x: e * f,
            y: g * h,
            t: e * h,
            z: f * g,
        }
    }
}

/// Equality of points: equality of the affine coordinates, compared
/// projectively as X1 Z2 = X2 Z1 and Y1 Z2 = Y2 Z1 (RFC 8032, section 6,
/// `point_equal`).
impl PartialEq for Point {
    fn eq(&self, q: &Point) -> bool {
        self.x * q.z == q.x * self.z && self.y * q.z == q.y * self.z
    }
}

impl Eq for Point {}

/// Whether a < b, both 32-byte little-endian integers: the first differing
/// byte from the most significant end decides.
fn less_than(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut decided = false;
    let mut result = false;
    for i in 0..32 {
        let j = 31 - i;
        if !decided && a[j] != b[j] {
            decided = true;
            result = a[j] < b[j];
        }
    }
    result
}

/// a - b for 32-byte little-endian integers with a >= b.
fn sub_bytes(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0u8;
    for i in 0..32 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow);
        out[i] = d2;
        borrow = u8::from(b1 || b2);
    }
    out
}

/// 2a + bit for a 32-byte little-endian integer a < 2^255.
fn double_plus(a: &[u8; 32], bit: u8) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = bit;
    for i in 0..32 {
        out[i] = (a[i] << 1) | carry;
        carry = a[i] >> 7;
    }
    out
}

/// Whether the 32-byte little-endian integer s is below L: the range check
/// `0 <= s < L` on S of RFC 8032, section 5.1.7, step 1.
pub fn scalar_is_canonical(s: &[u8; 32]) -> bool {
    less_than(s, &L)
}

/// A 64-byte little-endian integer mod L (RFC 8032, sections 5.1.6 steps 2
/// and 4 and 5.1.7 step 2: "interpret the 64-octet digest as a
/// little-endian integer" and reduce it mod L). Horner's rule in base 2 from
/// the most significant bit: acc = 2 acc + bit, then subtract L once if
/// acc >= L (acc < L implies 2 acc + 1 < 2 L < 2^254, so it fits).
pub fn scalar_reduce(wide: &[u8; 64]) -> [u8; 32] {
    let mut acc = [0u8; 32];
    for i in 0..512 {
        let bit = 511 - i;
        acc = double_plus(&acc, (wide[bit / 8] >> (bit % 8)) & 1);
        if !less_than(&acc, &L) {
            acc = sub_bytes(&acc, &L);
        }
    }
    acc
}

/// (r + k a) mod L for 32-byte little-endian integers (RFC 8032,
/// section 5.1.6, step 4: "S = (r + k * s) mod L"). The exact integer
/// r + k a is below 2^512; it is formed in 64 bytes and reduced.
pub fn scalar_mul_add(k: &[u8; 32], a: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    // Schoolbook product by bytes: column i + j collects a_i b_j; 32
    // products of two bytes stay below 2^21.
    let mut cols = [0u32; 64];
    for i in 0..32 {
        for j in 0..32 {
            cols[i + j] += u32::from(k[i]) * u32::from(a[j]);
        }
    }
    // Add r, then carry in base 256.
    for i in 0..32 {
        cols[i] += u32::from(r[i]);
    }
    let mut wide = [0u8; 64];
    let mut carry = 0u32;
    for i in 0..64 {
        let v = cols[i] + carry;
        wide[i] = v.to_le_bytes()[0];
        carry = v >> 8;
    }
    scalar_reduce(&wide)
}
