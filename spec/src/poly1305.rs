//! The Poly1305 one-time authenticator and its key generation, RFC 8439
//! (ChaCha20 and Poly1305 for IETF Protocols, June 2018), sections 2.5 and
//! 2.6.
//!
//! Poly1305 evaluates a polynomial in the clamped key half `r` modulo the
//! prime p = 2^130 - 5 and adds the other key half `s` modulo 2^128
//! (section 2.5.1).
//!
//! ## Arithmetic modulo 2^130 - 5
//!
//! A number below 2^131 is held in five limbs of 26 bits each, least
//! significant first: `value = l[0] + l[1]·2^26 + l[2]·2^52 + l[3]·2^78 +
//! l[4]·2^104`. The limbs live in `u64`s, so a product of two limbs (below
//! 2^54) and a sum of a few such products cannot overflow. Reduction uses
//! 2^130 = 5 (mod p): whatever lies at or above bit 130 is multiplied by 5
//! and added back at the bottom. Accumulator values are kept *partially*
//! reduced (below 2^130 + 2^37, which is less than 2·p) and are fully
//! reduced only once, before the tag is formed.

use crate::chacha20::{chacha20_block, KEY_LEN, NONCE_LEN};

/// Length in bytes of a Poly1305 one-time key `r || s` (RFC 8439, section 2.5).
pub const POLY1305_KEY_LEN: usize = 32;
/// Length in bytes of a Poly1305 tag (RFC 8439, section 2.5).
pub const TAG_LEN: usize = 16;

/// A number modulo 2^130 - 5 as five 26-bit limbs (see the module docs).
type Limbs = [u64; 5];

/// 2^26 - 1, the mask of one limb.
const LIMB_MASK: u64 = (1 << 26) - 1;

/// The clamping mask of RFC 8439 section 2.5.1: `r &=
/// 0x0ffffffc0ffffffc0ffffffc0fffffff` clears the top four bits of bytes 3,
/// 7, 11 and 15 and the bottom two bits of bytes 4, 8 and 12.
const CLAMP_MASK: u128 = 0x0ffffffc0ffffffc0ffffffc0fffffff;

/// Splits `low + high·2^128` (below 2^131) into 26-bit limbs.
fn to_limbs(low: u128, high: u64) -> Limbs {
    let mut l = [0u64; 5];
    for i in 0..4 {
        // cast: masked to 26 bits, so the value fits in a u64.
        l[i] = ((low >> (26 * i)) as u64) & LIMB_MASK;
    }
    // Bits 104..127 of `low` and bits 128.. from `high`.
    // cast: `low >> 104` has at most 24 bits, so it fits in a u64.
    l[4] = ((low >> 104) as u64) | (high << 24);
    l
}

/// Propagates carries from each limb into the next; what is carried out of
/// bit 130 is worth 5 per unit (2^130 = 5 mod p) and is added back into
/// limb 0, whose own carry then goes once more into limb 1. Keeps the value modulo p. For input limbs below
/// 2^60 the output limbs are below 2^27 (limb 1 may keep a small carry from
/// the fold) and the value is below 2^130 + 2^37, less than 2·p.
fn carry(a: Limbs) -> Limbs {
    let mut l = a;
    for i in 0..4 {
        l[i + 1] += l[i] >> 26;
        l[i] &= LIMB_MASK;
    }
    let top = l[4] >> 26;
    l[4] &= LIMB_MASK;
    l[0] += 5 * top;
    l[1] += l[0] >> 26;
    l[0] &= LIMB_MASK;
    l
}

/// `a + b` modulo p (partially reduced).
fn add(a: Limbs, b: Limbs) -> Limbs {
    let mut sum = [0u64; 5];
    for i in 0..5 {
        sum[i] = a[i] + b[i];
    }
    carry(sum)
}

/// `a · b` modulo p (partially reduced): the schoolbook product, whose
/// column `k >= 5` has weight 2^(26k) = 2^130 · 2^(26(k-5)) = 5 · 2^(26(k-5))
/// (mod p) and is therefore added, times 5, to column `k - 5`.
fn mul(a: Limbs, b: Limbs) -> Limbs {
    let mut columns = [0u64; 9];
    for i in 0..5 {
        for j in 0..5 {
            columns[i + j] += a[i] * b[j];
        }
    }
    let mut folded = [0u64; 5];
    for k in 0..5 {
        folded[k] = columns[k];
    }
    for k in 5..9 {
        folded[k - 5] += 5 * columns[k];
    }
    carry(folded)
}

/// The unique representative of `a` modulo p (below p, so up to 130 bits),
/// reduced modulo 2^128: only the low 128 bits enter the tag.
fn freeze_low128(a: Limbs) -> u128 {
    let h = carry(a);
    // h < 2^130 + 2^37 < 2p, so at most one subtraction of p is needed:
    // h >= p exactly when h + 5 reaches 2^130.
    let mut g = h;
    g[0] += 5;
    g = carry_no_fold(g);
    let reduced = if g[4] >> 26 == 1 {
        let mut r = g;
        r[4] &= LIMB_MASK;
        r
    } else {
        h
    };
    // Sum of limb·2^(26i) modulo 2^128: bits shifted past bit 127 are
    // dropped and the additions wrap, as the tag is taken modulo 2^128
    // (section 2.5.1).
    let mut low = 0u128;
    for i in 0..5 {
        low = low.wrapping_add(u128::from(reduced[i]) << (26 * i));
    }
    low
}

/// Carry propagation without folding bit 130 back (used to test whether a
/// value reached 2^130).
fn carry_no_fold(a: Limbs) -> Limbs {
    let mut l = a;
    for i in 0..4 {
        l[i + 1] += l[i] >> 26;
        l[i] &= LIMB_MASK;
    }
    l
}

/// Reads a block of at most 16 bytes (its only caller slices it so)
/// little-endian with the byte 0x01 appended, RFC 8439 section 2.5.1
/// (`le_bytes_to_num(msg[...] | [0x01])`): the result is `n + 2^(8·len)`.
fn block_to_limbs(block: &[u8]) -> Limbs {
    let mut bytes = [0u8; 17];
    for i in 0..block.len() {
        bytes[i] = block[i];
    }
    bytes[block.len()] = 0x01;
    let mut low_bytes = [0u8; 16];
    for i in 0..16 {
        low_bytes[i] = bytes[i];
    }
    to_limbs(u128::from_le_bytes(low_bytes), u64::from(bytes[16]))
}

/// The Poly1305 MAC of `msg` under the one-time key `key = r || s`, RFC
/// 8439 section 2.5.1:
///
/// ```text
/// r = le_bytes_to_num(key[0..15]); clamp(r)
/// s = le_bytes_to_num(key[16..31])
/// a = 0
/// for each 16-byte block (the last may be shorter):
///     n = le_bytes_to_num(block | [0x01])
///     a = ((a + n) * r) % p
/// a += s
/// return num_to_16_le_bytes(a)
/// ```
pub fn poly1305_mac(msg: &[u8], key: &[u8; POLY1305_KEY_LEN]) -> [u8; TAG_LEN] {
    let mut r_bytes = [0u8; 16];
    let mut s_bytes = [0u8; 16];
    for i in 0..16 {
        r_bytes[i] = key[i];
        s_bytes[i] = key[16 + i];
    }
    let r = to_limbs(u128::from_le_bytes(r_bytes) & CLAMP_MASK, 0);
    let s = u128::from_le_bytes(s_bytes);
    let mut a: Limbs = [0u64; 5];
    for i in 0..msg.len().div_ceil(16) {
        let start = 16 * i;
        let end = if start + 16 < msg.len() {
            start + 16
        } else {
            msg.len()
        };
        let block = &msg[start..end];
        a = mul(add(a, block_to_limbs(block)), r);
    }
    // (a + s) mod 2^128: the sum of two numbers below 2^128, wrapping.
    freeze_low128(a).wrapping_add(s).to_le_bytes()
}

/// Generates the Poly1305 one-time key for ChaCha20-Poly1305, RFC 8439
/// section 2.6: the first 32 bytes of the ChaCha20 block with counter 0.
pub fn poly1305_key_gen(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN]) -> [u8; POLY1305_KEY_LEN] {
    let block = chacha20_block(key, 0, nonce);
    let mut otk = [0u8; POLY1305_KEY_LEN];
    for i in 0..POLY1305_KEY_LEN {
        otk[i] = block[i];
    }
    otk
}
