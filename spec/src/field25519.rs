//! Arithmetic in the prime field GF(p), p = 2^255 - 19: the field of
//! curve25519 (RFC 7748, section 4.1) and of edwards25519 (RFC 8032,
//! section 5.1).
//!
//! An element is held as five limbs of nominally 51 bits,
//! `l0 + l1 2^51 + l2 2^102 + l3 2^153 + l4 2^204`. Between operations a
//! limb may exceed 51 bits slightly (every operation returns limbs below
//! 2^52) and the value need not be below p. Only [`FieldElement::to_bytes`]
//! produces the canonical value in `[0, p)`, and equality compares canonical
//! values, so the representation never leaks into results.
//!
//! The one identity behind every reduction: 2^255 = 19 (mod p), so whatever
//! overflows bit 255 re-enters at bit 0 multiplied by 19.
//!
//! Addition, subtraction, multiplication and negation are the operators
//! `+`, `-`, `*` and unary `-`, so the curve formulas in [`crate::x25519`]
//! and [`crate::edwards25519`] read as they are printed in the RFCs.

use core::ops::{Add, Mul, Neg, Sub};

/// 2^51 - 1: the bits a limb keeps after a carry.
const MASK51: u64 = (1 << 51) - 1;

/// p = 2^255 - 19 as five 51-bit limbs.
const P_LIMBS: [u64; 5] = [MASK51 - 18, MASK51, MASK51, MASK51, MASK51];

/// p - 2, little-endian: the inversion exponent (Fermat: z^(p-2) = 1/z),
/// RFC 7748, section 5 ("x_2 * (z_2^(p - 2))").
const P_MINUS_2: [u8; 32] = [
    0xeb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
];

/// (p - 5) / 8 = 2^252 - 3, little-endian: the exponent of the square-root
/// candidate of RFC 8032, section 5.1.3, step 2.
const P_MINUS_5_OVER_8: [u8; 32] = [
    0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f,
];

/// An element of GF(2^255 - 19).
#[derive(Clone, Copy, Debug)]
pub struct FieldElement {
    limbs: [u64; 5],
}

/// One carry pass over wide limbs: each limb keeps its low 51 bits and
/// passes the rest up; the excess of the top limb wraps to limb 0 times 19
/// (2^255 = 19 mod p).
fn carry(t: [u128; 5]) -> [u128; 5] {
    let mask = u128::from(MASK51);
    let mut r = t;
    for i in 0..4 {
        r[i + 1] += r[i] >> 51;
        r[i] &= mask;
    }
    let top = r[4] >> 51;
    r[4] &= mask;
    r[0] += 19 * top;
    r
}

/// Turns wide limbs (each below 2^115) into a field element with limbs
/// below 2^52. The first carry pass leaves limbs 1-4 below 2^51 and limb 0
/// below 2^70; the second moves at most 2^19 into limb 1, so at most 1
/// travels further and limb 0 ends below 2^51 + 19.
fn reduce(t: [u128; 5]) -> FieldElement {
    let r = carry(carry(t));
    let mut limbs = [0u64; 5];
    for i in 0..5 {
        // cast: after the two carry passes every limb is below 2^52 (see
        // the function comment), so it fits in a u64 unchanged.
        limbs[i] = r[i] as u64;
    }
    FieldElement { limbs }
}

/// The limbs widened to u128, for products and sums without overflow.
fn widen(limbs: [u64; 5]) -> [u128; 5] {
    let mut w = [0u128; 5];
    for i in 0..5 {
        w[i] = u128::from(limbs[i]);
    }
    w
}

/// Bytes `8i..8i+8` of `b` as a little-endian u64.
fn load64(b: &[u8; 32], i: usize) -> u64 {
    u64::from_le_bytes([
        b[8 * i],
        b[8 * i + 1],
        b[8 * i + 2],
        b[8 * i + 3],
        b[8 * i + 4],
        b[8 * i + 5],
        b[8 * i + 6],
        b[8 * i + 7],
    ])
}

impl FieldElement {
    /// The element 0.
    pub const ZERO: FieldElement = FieldElement {
        limbs: [0, 0, 0, 0, 0],
    };
    /// The element 1.
    pub const ONE: FieldElement = FieldElement {
        limbs: [1, 0, 0, 0, 0],
    };

    /// A small integer as a field element (constants such as a24 = 121665
    /// of RFC 7748, section 5).
    pub fn from_u32(n: u32) -> FieldElement {
        FieldElement {
            limbs: [u64::from(n), 0, 0, 0, 0],
        }
    }

    /// Decodes 32 little-endian bytes, ignoring bit 255: RFC 7748,
    /// section 5 (decodeUCoordinate masks the most significant bit) and
    /// RFC 8032, section 5.1.3 step 1 (bit 255 is the sign of x, not part of
    /// y). Values in `[p, 2^255)` are accepted and reduced, as RFC 7748
    /// requires; [`FieldElement::is_canonical`] tells them apart for
    /// RFC 8032.
    pub fn from_bytes(b: &[u8; 32]) -> FieldElement {
        let w0 = load64(b, 0);
        let w1 = load64(b, 1);
        let w2 = load64(b, 2);
        let w3 = load64(b, 3) & ((1 << 63) - 1);
        FieldElement {
            limbs: [
                w0 & MASK51,
                ((w0 >> 51) | (w1 << 13)) & MASK51,
                ((w1 >> 38) | (w2 << 26)) & MASK51,
                ((w2 >> 25) | (w3 << 39)) & MASK51,
                w3 >> 12,
            ],
        }
    }

    /// The canonical limbs: each below 2^51 and the value below p. Two
    /// carry passes bring limbs below 2^52 down to 51 bits (value below
    /// 2^255 < 2p); one conditional subtraction of p finishes.
    fn canonical(self) -> [u64; 5] {
        let r = carry(carry(widen(self.limbs)));
        let mut l = [0u64; 5];
        for i in 0..5 {
            // cast: after the two carry passes every limb is below 2^51.
            l[i] = r[i] as u64;
        }
        // The value is >= p exactly when limbs 1-4 are all ones and limb 0
        // is at least 2^51 - 19; subtracting p then clears limbs 1-4.
        let at_least_p = l[0] >= P_LIMBS[0]
            && l[1] == MASK51
            && l[2] == MASK51
            && l[3] == MASK51
            && l[4] == MASK51;
        if at_least_p {
            [l[0] - P_LIMBS[0], 0, 0, 0, 0]
        } else {
            l
        }
    }

    /// Encodes the canonical value (in `[0, p)`) as 32 little-endian bytes,
    /// bit 255 clear: RFC 7748, section 5 (encodeUCoordinate) and RFC 8032,
    /// section 5.1.2.
    pub fn to_bytes(self) -> [u8; 32] {
        let l = self.canonical();
        let words = [
            l[0] | (l[1] << 51),
            (l[1] >> 13) | (l[2] << 38),
            (l[2] >> 26) | (l[3] << 25),
            (l[3] >> 39) | (l[4] << 12),
        ];
        let mut out = [0u8; 32];
        for i in 0..4 {
            let b = words[i].to_le_bytes();
            for j in 0..8 {
                out[8 * i + j] = b[j];
            }
        }
        out
    }

    /// Whether the 255-bit little-endian integer in `b` (bit 255 ignored)
    /// is below p, i.e. a canonical encoding. RFC 8032, section 5.1.3,
    /// step 1: "If the resulting value is >= p, decoding fails."
    pub fn is_canonical(b: &[u8; 32]) -> bool {
        let mut y = *b;
        y[31] &= 0x7f;
        FieldElement::from_bytes(b).to_bytes() == y
    }

    /// x^2, the squaring of the formulas of RFC 7748, section 5 and
    /// RFC 8032, section 5.1.4.
    pub fn square(self) -> FieldElement {
        self * self
    }

    /// x^e for a 256-bit little-endian exponent e, by square-and-multiply
    /// from the most significant bit.
    fn pow(self, e: &[u8; 32]) -> FieldElement {
        let mut r = FieldElement::ONE;
        for i in 0..256 {
            let bit = 255 - i;
            r = r.square();
            if (e[bit / 8] >> (bit % 8)) & 1 == 1 {
                r = r * self;
            }
        }
        r
    }

    /// 1/x computed as x^(p-2) (RFC 7748, section 5; Fermat's little
    /// theorem). Maps 0 to 0, which X25519 relies on.
    pub fn invert(self) -> FieldElement {
        self.pow(&P_MINUS_2)
    }

    /// x^((p-5)/8), the power in the square-root candidate of RFC 8032,
    /// section 5.1.3, step 2.
    pub fn pow_p_minus_5_over_8(self) -> FieldElement {
        self.pow(&P_MINUS_5_OVER_8)
    }

    /// Whether the canonical value is 0 (the test "x = 0" of RFC 8032,
    /// section 5.1.3, step 4).
    pub fn is_zero(self) -> bool {
        self.to_bytes() == [0u8; 32]
    }

    /// Whether x is "negative", i.e. its canonical value is odd
    /// (RFC 8032, section 5.1.2 and section 5.1.3, step 4).
    pub fn is_negative(self) -> bool {
        self.to_bytes()[0] & 1 == 1
    }
}

/// Field addition (RFC 7748, section 4.1).
impl Add for FieldElement {
    type Output = FieldElement;
    fn add(self, rhs: FieldElement) -> FieldElement {
        let a = widen(self.limbs);
        let b = widen(rhs.limbs);
        let mut t = [0u128; 5];
        for i in 0..5 {
            t[i] = a[i] + b[i];
        }
        reduce(t)
    }
}

/// Field subtraction (RFC 7748, section 4.1): a + 4p - b, so that no limb
/// goes negative (the limbs of b are below 2^52, those of 4p above 2^52).
impl Sub for FieldElement {
    type Output = FieldElement;
    fn sub(self, rhs: FieldElement) -> FieldElement {
        let a = widen(self.limbs);
        let b = widen(rhs.limbs);
        let mut t = [0u128; 5];
        for i in 0..5 {
            t[i] = a[i] + 4 * u128::from(P_LIMBS[i]) - b[i];
        }
        reduce(t)
    }
}

/// Field negation: 0 - x.
impl Neg for FieldElement {
    type Output = FieldElement;
    fn neg(self) -> FieldElement {
        FieldElement::ZERO - self
    }
}

/// Field multiplication (RFC 7748, section 4.1): schoolbook product of the
/// limbs. A term `a_i b_j` belongs at 2^(51(i+j)); when i + j >= 5 that is
/// 2^255 times 2^(51(i+j-5)), so it is added to limb i + j - 5 times 19.
/// With limbs below 2^52 each product is below 2^109 (2^57 times 2^52 with
/// the 19) and each column of five below 2^112.
impl Mul for FieldElement {
    type Output = FieldElement;
    fn mul(self, rhs: FieldElement) -> FieldElement {
        let a = self.limbs;
        let b = rhs.limbs;
        let mut t = [0u128; 5];
        for i in 0..5 {
            for j in 0..5 {
                if i + j < 5 {
                    t[i + j] += u128::from(a[i]) * u128::from(b[j]);
                } else {
                    t[i + j - 5] += u128::from(a[i]) * u128::from(19 * b[j]);
                }
            }
        }
        reduce(t)
    }
}

/// Equality of field elements: equality of canonical values.
impl PartialEq for FieldElement {
    fn eq(&self, other: &FieldElement) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for FieldElement {}
