//! AES-GCM, NIST SP 800-38D (Recommendation for Block Cipher Modes of
//! Operation: Galois/Counter Mode (GCM) and GMAC, November 2007), with
//! AES-128 or AES-256 (FIPS 197) and 128-bit tags.
//!
//! Written step by step after the standard: multiplication in GF(2^128)
//! (section 6.3, Algorithm 1), `GHASH` (section 6.4, Algorithm 2), `GCTR`
//! (section 6.5, Algorithm 3, which is CTR mode with `inc32`,
//! [`crate::aes_ctr::ctr`]), authenticated encryption (section 7.1,
//! Algorithm 4) and decryption (section 7.2, Algorithm 5). The IV may have
//! any non-zero length in bytes; a 96-bit IV is the recommended one (and
//! the one SFrame uses, RFC 9605 section 4.5), other lengths go through
//! `GHASH` (section 7.1 step 2). The sealed message is the ciphertext
//! followed by the 16-byte tag (RFC 5116 section 5.1).
//!
//! Tags are compared with `==`, which is not constant time: see the crate
//! documentation.

use crate::aes::{cipher, key_expansion, RoundKeys, BLOCK_LEN};
use crate::aes_ctr::{ctr, inc32};
use crate::error::Error;

/// The recommended IV length in bytes (SP 800-38D section 5.2.1.1: 96 bits).
pub const NONCE_LEN: usize = 12;
/// The tag length in bytes (SP 800-38D section 5.2.1.2: `t = 128`).
pub const TAG_LEN: usize = 16;
/// Largest plaintext in bytes, SP 800-38D section 5.2.1.1:
/// `len(P) <= 2^39 - 256` bits.
pub const MAX_PLAINTEXT_LEN: u64 = (1 << 36) - 32;
/// Largest AAD in bytes, SP 800-38D section 5.2.1.1: `len(A) <= 2^64 - 1`
/// bits, i.e. `2^61 - 1` whole bytes.
pub const MAX_AAD_LEN: u64 = (1 << 61) - 1;
/// Largest IV in bytes, SP 800-38D section 5.2.1.1:
/// `1 <= len(IV) <= 2^64 - 1` bits, i.e. `2^61 - 1` whole bytes.
pub const MAX_IV_LEN: u64 = (1 << 61) - 1;

/// `R = 11100001 || 0^120`, SP 800-38D section 6.3.
const R: u128 = 0xe1 << 120;

/// A block as the bit string of SP 800-38D: bit 0 (the leftmost) is the
/// most significant bit of the big-endian integer.
fn to_u128(block: &[u8; BLOCK_LEN]) -> u128 {
    u128::from_be_bytes(*block)
}

/// `X • Y`, the product of two blocks in GF(2^128), SP 800-38D section 6.3,
/// Algorithm 1: `Z_0 = 0`, `V_0 = Y`; for `i = 0..127`, `Z_{i+1}` is
/// `Z_i XOR V_i` if bit `x_i` is 1 (else `Z_i`), and `V_{i+1}` is
/// `V_i >> 1`, XORed with `R` if the rightmost bit of `V_i` was 1.
fn gf_mul(x: u128, y: u128) -> u128 {
    let mut z = 0u128;
    let mut v = y;
    for i in 0..128 {
        if (x >> (127 - i)) & 1 == 1 {
            z ^= v;
        }
        if v & 1 == 0 {
            v >>= 1;
        } else {
            v = (v >> 1) ^ R;
        }
    }
    z
}

/// `GHASH_H(X)`, SP 800-38D section 6.4, Algorithm 2, for `X` a whole
/// number of blocks: `Y_0 = 0`, `Y_i = (Y_{i-1} XOR X_i) • H`.
fn ghash(h: u128, x: &[u8]) -> u128 {
    let mut y = 0u128;
    for i in 0..x.len() / BLOCK_LEN {
        let mut block = [0u8; BLOCK_LEN];
        for j in 0..BLOCK_LEN {
            block[j] = x[BLOCK_LEN * i + j];
        }
        y = gf_mul(y ^ to_u128(&block), h);
    }
    y
}

/// The `GHASH` of SP 800-38D section 7.1 steps 2 and 5 over two padded
/// strings: `a || 0^v || b || 0^u || [a_bits]_64 || [b_bits]_64`, where the
/// zero padding brings `a` and `b` each to a whole number of blocks.
/// Step 5 passes `(A, C, len(A), len(C))`; step 2 passes `(IV, "", 0,
/// len(IV))`, which is its `IV || 0^(s+64) || [len(IV)]_64`.
fn ghash_padded(h: u128, a: &[u8], b: &[u8], a_bits_len: u64, b_bits_len: u64) -> u128 {
    let mut data = a.to_vec();
    data.resize(a.len().div_ceil(BLOCK_LEN) * BLOCK_LEN, 0);
    data.extend_from_slice(b);
    data.resize(data.len().div_ceil(BLOCK_LEN) * BLOCK_LEN, 0);
    data.extend_from_slice(&a_bits_len.to_be_bytes());
    data.extend_from_slice(&b_bits_len.to_be_bytes());
    ghash(h, &data)
}

/// Bit length of `len` bytes, as the 64-bit field of SP 800-38D section
/// 7.1 (the callers have bounded `len` by `2^61 - 1`).
fn bits(len: usize) -> u64 {
    match u64::try_from(len) {
        // The callers' bound of 2^61 - 1 bytes keeps the product below 2^64.
        Ok(n) => n.wrapping_mul(8),
        Err(_) => 0,
    }
}

/// Whether `len` bytes are at most `max`.
fn within(len: usize, max: u64) -> bool {
    match u64::try_from(len) {
        Ok(n) => n <= max,
        Err(_) => false,
    }
}

/// The pre-counter block `J_0`, SP 800-38D section 7.1 step 2: `IV ||
/// 0^31 || 1` for a 96-bit IV, else `GHASH_H(IV || 0^(s+64) ||
/// [len(IV)]_64)`.
fn pre_counter_block(h: u128, iv: &[u8]) -> [u8; BLOCK_LEN] {
    if iv.len() == NONCE_LEN {
        let mut j0 = [0u8; BLOCK_LEN];
        for i in 0..NONCE_LEN {
            j0[i] = iv[i];
        }
        j0[15] = 1;
        j0
    } else {
        ghash_padded(h, iv, &[], 0, bits(iv.len())).to_be_bytes()
    }
}

/// The tag `T = MSB_t(GCTR_K(J_0, S))`, SP 800-38D section 7.1 steps 5-6,
/// with `S = GHASH_H(A || 0^v || C || 0^u || [len(A)]_64 || [len(C)]_64)`.
fn compute_tag(
    rk: &RoundKeys,
    h: u128,
    j0: &[u8; BLOCK_LEN],
    aad: &[u8],
    c: &[u8],
) -> [u8; TAG_LEN] {
    let s = ghash_padded(h, aad, c, bits(aad.len()), bits(c.len()));
    let t = ctr(rk, j0, &s.to_be_bytes());
    let mut tag = [0u8; TAG_LEN];
    for i in 0..TAG_LEN {
        tag[i] = t[i];
    }
    tag
}

/// The checks shared by [`seal`] and [`open`], and the values both
/// derive: the round keys, `H = CIPH_K(0^128)` (section 7.1 step 1) and
/// `J_0` (step 2).
fn setup(key: &[u8], iv: &[u8], aad: &[u8]) -> Result<(RoundKeys, u128, [u8; BLOCK_LEN]), Error> {
    let rk = key_expansion(key)?;
    if iv.is_empty() || !within(iv.len(), MAX_IV_LEN) || !within(aad.len(), MAX_AAD_LEN) {
        Err(Error::InvalidLength)
    } else {
        let h = to_u128(&cipher(&rk, &[0u8; BLOCK_LEN]));
        let j0 = pre_counter_block(h, iv);
        Ok((rk, h, j0))
    }
}

/// `GCM-AE_K(IV, P, A)`, SP 800-38D section 7.1, Algorithm 4, with
/// AES-128 or AES-256 and `t = 128`: `C = GCTR_K(inc32(J_0), P)`, then the
/// tag over `A` and `C`. Returns `C || T`.
///
/// Errors: [`Error::InvalidLength`] if the key is neither 16 nor 32 bytes,
/// the IV is empty, or a length exceeds section 5.2.1.1
/// ([`MAX_PLAINTEXT_LEN`], [`MAX_AAD_LEN`], [`MAX_IV_LEN`]).
pub fn seal(key: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    let (rk, h, j0) = setup(key, iv, aad)?;
    if !within(plaintext.len(), MAX_PLAINTEXT_LEN) {
        return Err(Error::InvalidLength);
    }
    let mut out = ctr(&rk, &inc32(&j0), plaintext);
    let tag = compute_tag(&rk, h, &j0, aad, &out);
    out.extend_from_slice(&tag);
    Ok(out)
}

/// `GCM-AD_K(IV, C, A, T)`, SP 800-38D section 7.2, Algorithm 5, with
/// `t = 128`: recomputes the tag over `A` and `C` and, only if it equals
/// the received `T`, returns `P = GCTR_K(inc32(J_0), C)`.
///
/// Errors: [`Error::InvalidLength`] as for [`seal`], or if the input is
/// shorter than a tag (step 1: "If the bit lengths of IV, A or C are not
/// supported, or if len(T) != t, then return FAIL"); then
/// [`Error::AuthenticationFailed`] if the tag does not match (step 8).
pub fn open(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Vec<u8>, Error> {
    let (rk, h, j0) = setup(key, iv, aad)?;
    if ciphertext_and_tag.len() < TAG_LEN {
        return Err(Error::InvalidLength);
    }
    let ct_len = ciphertext_and_tag.len() - TAG_LEN;
    if !within(ct_len, MAX_PLAINTEXT_LEN) {
        return Err(Error::InvalidLength);
    }
    let c = &ciphertext_and_tag[..ct_len];
    let mut tag = [0u8; TAG_LEN];
    for i in 0..TAG_LEN {
        tag[i] = ciphertext_and_tag[ct_len + i];
    }
    if compute_tag(&rk, h, &j0, aad, c) != tag {
        return Err(Error::AuthenticationFailed);
    }
    Ok(ctr(&rk, &inc32(&j0), c))
}
