//! Length padding of message contents (SPEC.md section 10): Padme, from
//! K. Nikitin, L. Barman, W. Lueks, M. Underwood, J.-P. Hubaux, B. Ford,
//! "Reducing Metadata Leakage from Encrypted Files and Communication with
//! PURBs", PETS 2019 (4), section 4 and Algorithm 1.
//!
//! Padme rounds a length `L` up so that only its `floor(log2 E) + 1` most
//! significant bits (`E = floor(log2 L)`) may be nonzero: a padded length
//! leaks `O(log log L)` bits and costs at most 12% overhead. XCHAT-1 pads
//! every encoded content to `padme(max(len + 4, 256))` bytes, the four bytes
//! being the content length, so that short messages share one size class.

use crate::encoding::{read_u32, u32_be};
use crate::Error;

/// Smallest padded content, in bytes (SPEC.md section 10).
pub const MIN_PADDED_LEN: usize = 256;

/// Length of the content length field `u32(len(c))` (SPEC.md section 10).
const LEN_FIELD: usize = 4;

/// Largest `L` for which [`padme`] is guaranteed to be a Padme length:
/// `2^63`. Up to there `L + mask` cannot overflow and the result is at most
/// `2^63` (SPEC.md section 10).
pub const MAX_PADME_INPUT: u64 = 1 << 63;

/// Precondition of [`padme`]: `len <= 2^63`, so that the rounded length
/// fits in 64 bits (SPEC.md section 10).
pub fn pre_padme(len: u64) -> bool {
    len <= MAX_PADME_INPUT
}

/// `floor(log2 x)` for `x >= 1`: the index of the highest set bit. For
/// `x = 0` (never passed) it returns 0.
fn floor_log2(x: u64) -> u32 {
    if x == 0 {
        0
    } else {
        63 - x.leading_zeros()
    }
}

/// Padme, Nikitin et al. PETS 2019, Algorithm 1 (SPEC.md section 10,
/// REQ-PAD-001):
///
/// ```text
/// E = floor(log2 L), S = floor(log2 E) + 1, z = E - S, mask = 2^z - 1,
/// padme(L) = (L + mask) AND NOT mask
/// ```
///
/// and `padme(L) = L` for `L < 2`, where `log2 E` is undefined (the paper's
/// algorithm assumes `L >= 2`). Outside [`pre_padme`], if `L + mask`
/// overflows 64 bits the result is `u64::MAX`, which is not a Padme length.
#[cfg_attr(hax, hax_lib::requires(pre_padme(len)))]
pub fn padme(len: u64) -> u64 {
    if len < 2 {
        len
    } else {
        let e = floor_log2(len);
        // E >= 1 here, so S = floor(log2 E) + 1 <= E and z does not underflow.
        let s = floor_log2(u64::from(e)) + 1;
        let z = e - s;
        let mask = (1u64 << z) - 1;
        match len.checked_add(mask) {
            Some(sum) => sum & !mask,
            None => u64::MAX,
        }
    }
}

/// Precondition of [`pad`] and [`padded_len`]: the content length fits the
/// `u32` length field, `len(c) < 2^32` (SPEC.md section 10).
pub fn pre_pad(content_len: usize) -> bool {
    u32::try_from(content_len).is_ok()
}

/// `P = padme(max(n + 4, 256))` for a content of `n` bytes, in 64 bits
/// (SPEC.md section 10). With `n < 2^32` no step overflows.
fn padded_len_u64(n: u32) -> u64 {
    let with_len = u64::from(n) + 4;
    // cast: MIN_PADDED_LEN is the constant 256.
    let min = MIN_PADDED_LEN as u64;
    if with_len < min {
        padme(min)
    } else {
        padme(with_len)
    }
}

/// The padded length `P = padme(max(len(c) + 4, 256))` of a content of
/// `content_len` bytes (SPEC.md section 10, REQ-PAD-001). Outside
/// [`pre_pad`] (no `u32` length field can describe the content) it is 0,
/// the length of what [`pad`] returns there.
#[cfg_attr(hax, hax_lib::requires(pre_pad(content_len)))]
pub fn padded_len(content_len: usize) -> usize {
    match u32::try_from(content_len) {
        // P fits in usize wherever the content does, except for contents
        // near 2^32 bytes on 32-bit targets, which cannot be padded there.
        Ok(n) => usize::try_from(padded_len_u64(n)).unwrap_or(0),
        Err(_) => 0,
    }
}

/// `padded(c) = u32(len(c)) || c || zeros(P - 4 - len(c))` with
/// `P = padme(max(len(c) + 4, 256))` (SPEC.md section 10, REQ-PAD-001).
/// Since `padme(x) >= x`, `P >= len(c) + 4` and the fill is never negative.
/// Outside [`pre_pad`] it returns the empty vector, which [`unpad`] rejects.
#[cfg_attr(hax, hax_lib::requires(pre_pad(content.len())))]
pub fn pad(content: &[u8]) -> Vec<u8> {
    let p = padded_len(content.len());
    match u32::try_from(content.len()) {
        Ok(n) if p >= LEN_FIELD + content.len() => {
            let mut out = Vec::with_capacity(p);
            out.extend_from_slice(&u32_be(n));
            out.extend_from_slice(content);
            out.resize(p, 0);
            out
        }
        _ => Vec::new(),
    }
}

/// The inverse of [`pad`] (SPEC.md section 10, REQ-PAD-002): reads the
/// length field `n` and returns the `n` content bytes after it.
///
/// Errors: [`Error::Malformed`] if the input is shorter than the length
/// field, if its length is not `padme(max(n + 4, 256))` (this also rejects
/// an `n` larger than the data), or if any fill byte is not zero.
pub fn unpad(padded: &[u8]) -> Result<Vec<u8>, Error> {
    let (n, start) = read_u32(padded, 0)?;
    let expected = padded_len_u64(n);
    let length_ok = match u64::try_from(padded.len()) {
        Ok(len) => len == expected,
        Err(_) => false,
    };
    if !length_ok {
        return Err(Error::Malformed);
    }
    // The length matched, so 4 + n <= P = len(padded): in bounds.
    let end = match usize::try_from(n) {
        Ok(n) => start + n,
        Err(_) => padded.len(),
    };
    let mut fill_zero = true;
    for i in end..padded.len() {
        if padded[i] != 0 {
            fill_zero = false;
        }
    }
    if fill_zero {
        Ok(padded[start..end].to_vec())
    } else {
        Err(Error::Malformed)
    }
}
