//! The Counter (CTR) mode of AES, NIST SP 800-38A (Recommendation for Block
//! Cipher Modes of Operation, December 2001), section 6.5, with the
//! counter blocks of RFC 3686 and RFC 9605 section 4.5.1: a 32-bit
//! big-endian counter in the last four bytes of the block, incremented by
//! the standard incrementing function of SP 800-38A Appendix B.1 with
//! `m = 32` (the `inc32` of SP 800-38D section 6.2, which GCM's `GCTR`
//! uses too, [`crate::aes_gcm`]).
//!
//! Encryption and decryption are the same function: the input is XORed
//! with the keystream `CIPH_K(T_1) | CIPH_K(T_2) | ...`, the last block of
//! keystream truncated to the length of the input (section 6.5, "the
//! final block may be a partial block"). The counter wraps modulo 2^32 as
//! `inc32` prescribes; callers bound their input so that it never does
//! (RFC 3686 section 2.1, RFC 9605 section 4.5.1), see [`pre_ctr`].

use crate::aes::{cipher, key_expansion, RoundKeys, BLOCK_LEN};
use crate::error::Error;

/// `inc32(X)`, SP 800-38D section 6.2 (SP 800-38A Appendix B.1 with
/// `m = 32`): the last 32 bits of the block, read as a big-endian integer,
/// are incremented modulo 2^32; the first 96 bits are unchanged.
pub fn inc32(block: &[u8; BLOCK_LEN]) -> [u8; BLOCK_LEN] {
    let mut out = *block;
    let ctr = u32::from_be_bytes([block[12], block[13], block[14], block[15]]).wrapping_add(1);
    let bytes = ctr.to_be_bytes();
    for i in 0..4 {
        out[12 + i] = bytes[i];
    }
    out
}

/// Precondition of [`ctr`] for inputs that must not reuse a counter block
/// (SP 800-38A section 6.5 and Appendix B: "the counter blocks must be
/// distinct"): the `len` bytes need at most `2^32 - c` blocks, where `c`
/// is the 32-bit counter field of the initial counter block, so that
/// `inc32` never wraps.
pub fn pre_ctr(initial_counter_block: &[u8; BLOCK_LEN], len: usize) -> bool {
    let c = u32::from_be_bytes([
        initial_counter_block[12],
        initial_counter_block[13],
        initial_counter_block[14],
        initial_counter_block[15],
    ]);
    let available = (1u64 << 32) - u64::from(c);
    match u64::try_from(len.div_ceil(BLOCK_LEN)) {
        Ok(blocks) => blocks <= available,
        Err(_) => false,
    }
}

/// CTR encryption (and decryption), SP 800-38A section 6.5, under expanded
/// round keys: `T_1` is `initial_counter_block`, `T_j = inc32(T_{j-1})`,
/// and output block `j` is `input_j XOR CIPH_K(T_j)`, the last one
/// truncated to the input's remaining length. The counter wraps as
/// `inc32` does (GCM's `GCTR`, SP 800-38D section 6.5, is this function
/// and relies on that); [`aes_ctr`] rejects inputs that would wrap.
pub fn ctr(
    round_keys: &RoundKeys,
    initial_counter_block: &[u8; BLOCK_LEN],
    input: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut counter = *initial_counter_block;
    let blocks = input.len().div_ceil(BLOCK_LEN);
    for j in 0..blocks {
        let keystream = cipher(round_keys, &counter);
        let start = j * BLOCK_LEN;
        let end = if start + BLOCK_LEN < input.len() {
            start + BLOCK_LEN
        } else {
            input.len()
        };
        for i in start..end {
            out.push(input[i] ^ keystream[i - start]);
        }
        counter = inc32(&counter);
    }
    out
}

/// AES-CTR, SP 800-38A section 6.5 with AES-128 or AES-256 (FIPS 197) as
/// `CIPH_K` and the 32-bit counter of RFC 3686 section 4 (its vectors pass
/// the whole counter block `nonce | IV | 1` as `initial_counter_block`).
///
/// Errors: [`Error::InvalidLength`] if the key is neither 16 nor 32 bytes
/// long, or if the input would wrap the 32-bit counter ([`pre_ctr`]).
pub fn aes_ctr(
    key: &[u8],
    initial_counter_block: &[u8; BLOCK_LEN],
    input: &[u8],
) -> Result<Vec<u8>, Error> {
    let round_keys = key_expansion(key)?;
    if pre_ctr(initial_counter_block, input.len()) {
        Ok(ctr(&round_keys, initial_counter_block, input))
    } else {
        Err(Error::InvalidLength)
    }
}
