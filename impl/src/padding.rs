//! Length padding of message contents (SPEC.md section 10): Padme (Nikitin
//! et al., "Reducing Metadata Leakage from Encrypted Files and
//! Communication with PURBs", PETS 2019, section 4, Algorithm 1) with a
//! minimum of 256 bytes; mirrors `xchat_spec::padding`.
//!
//! `padded(c) = u32(len(c)) || c || zeros(P - 4 - len(c))`,
//! `P = padme(max(len(c) + 4, 256))`.

use subtle::{Choice, ConstantTimeEq};

use crate::encoding::u32_be;
use crate::Error;

/// Smallest padded content, in bytes (SPEC.md section 10).
pub const MIN_PADDED_LEN: usize = 256;

/// Length of the content length field `u32(len(c))` (SPEC.md section 10).
const LEN_FIELD: usize = 4;

/// Largest `L` for which [`padme`] is a Padme length: `2^63` (SPEC.md
/// section 10).
pub const MAX_PADME_INPUT: u64 = 1 << 63;

/// Padme, Nikitin et al. PETS 2019, Algorithm 1 (SPEC.md section 10,
/// REQ-PAD-001): `E = floor(log2 L)`, `S = floor(log2 E) + 1`,
/// `z = E - S`, `mask = 2^z - 1`, `padme(L) = (L + mask) AND NOT mask`, and
/// `padme(L) = L` for `L < 2`. Above [`MAX_PADME_INPUT`], if `L + mask`
/// overflows the result is `u64::MAX` (not a Padme length), as in the spec.
pub fn padme(len: u64) -> u64 {
    if len < 2 {
        return len;
    }
    let e = len.ilog2();
    let s = e.ilog2() + 1;
    // E >= 1 and S <= E here, so z = E - S >= 0 and z < 64.
    let z = e.saturating_sub(s);
    let mask = (1u64 << z) - 1;
    match len.checked_add(mask) {
        Some(sum) => sum & !mask,
        None => u64::MAX,
    }
}

/// [`padme`] as an operation with an error (SPEC.md section 17: `padme(L)`
/// is `Malformed` for `L > 2^63`, where it is no Padme length).
pub fn padme_checked(len: u64) -> Result<u64, Error> {
    if len > MAX_PADME_INPUT {
        Err(Error::Malformed)
    } else {
        Ok(padme(len))
    }
}

/// `P = padme(max(n + 4, 256))` for a content of `n` bytes (SPEC.md section
/// 10). With `n < 2^32` nothing overflows.
fn padded_len_u64(n: u32) -> u64 {
    padme((u64::from(n) + 4).max(256))
}

/// The padded length `P = padme(max(len(c) + 4, 256))` of a content of
/// `content_len` bytes (SPEC.md section 10, REQ-PAD-001); 0 for a content
/// no `u32` length field can describe (as in the spec).
pub fn padded_len(content_len: usize) -> usize {
    u32::try_from(content_len)
        .ok()
        .and_then(|n| usize::try_from(padded_len_u64(n)).ok())
        .unwrap_or(0)
}

/// `padded(c) = u32(len(c)) || c || zeros(P - 4 - len(c))` (SPEC.md
/// section 10, REQ-PAD-001). A content of `2^32` bytes or more (which no
/// valid content is, section 11) is [`Error::Malformed`]; the spec returns
/// the empty vector there, which its `unpad` rejects.
pub fn pad(content: &[u8]) -> Result<Vec<u8>, Error> {
    let n = u32::try_from(content.len()).map_err(|_| Error::Malformed)?;
    let p = usize::try_from(padded_len_u64(n)).map_err(|_| Error::Malformed)?;
    let mut out = Vec::with_capacity(p);
    out.extend_from_slice(&u32_be(n));
    out.extend_from_slice(content);
    out.resize(p, 0);
    Ok(out)
}

/// `padded(encode(c))` built in one buffer (SPEC.md sections 10 and 11):
/// the content is encoded straight after the length field, so the send path
/// holds one plaintext buffer, not two. The buffer is allocated at its
/// final size, so it never reallocates (a reallocation would leave an
/// unzeroized copy behind) and is zeroized on drop. Errors as
/// [`crate::content::encode`].
pub fn pad_content(c: &crate::content::Content) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let n = crate::content::encoded_len(c);
    let p = padded_len(n);
    if p == 0 {
        return Err(Error::Malformed);
    }
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(p));
    out.extend_from_slice(&[0u8; LEN_FIELD]);
    crate::content::encode_into(c, &mut out)?;
    let n = u32::try_from(out.len() - LEN_FIELD).map_err(|_| Error::Malformed)?;
    out.get_mut(..LEN_FIELD)
        .ok_or(Error::Malformed)?
        .copy_from_slice(&u32_be(n));
    out.resize(p, 0);
    Ok(out)
}

/// The inverse of [`pad`] (SPEC.md section 10, REQ-PAD-002): reads the
/// length field `n` and returns the `n` content bytes after it.
///
/// Errors: [`Error::Malformed`] if the input is shorter than the length
/// field, if its length is not `padme(max(n + 4, 256))` (this also rejects
/// an `n` larger than the data), or if any fill byte is not zero. The fill
/// is checked without data-dependent branches.
pub fn unpad(padded: &[u8]) -> Result<Vec<u8>, Error> {
    unpad_slice(padded).map(<[u8]>::to_vec)
}

/// [`unpad`] without a copy: the content bytes as a slice of `padded`
/// (SPEC.md section 10, REQ-PAD-002), with the same checks and errors. The
/// receive path decodes the content straight from the decrypted buffer.
pub fn unpad_slice(padded: &[u8]) -> Result<&[u8], Error> {
    let (len_field, rest) = padded
        .split_first_chunk::<LEN_FIELD>()
        .ok_or(Error::Malformed)?;
    let n = u32::from_be_bytes(*len_field);
    if u64::try_from(padded.len()).ok() != Some(padded_len_u64(n)) {
        return Err(Error::Malformed);
    }
    let n = usize::try_from(n).map_err(|_| Error::Malformed)?;
    // The length matched, so 4 + n <= P = len(padded).
    let (content, fill) = rest.split_at_checked(n).ok_or(Error::Malformed)?;
    if bool::from(all_zero(fill)) {
        Ok(content)
    } else {
        Err(Error::Malformed)
    }
}

/// Whether every byte of `bytes` is zero, in constant time.
pub(crate) fn all_zero(bytes: &[u8]) -> Choice {
    let acc = bytes.iter().fold(0u8, |acc, &b| acc | b);
    acc.ct_eq(&0)
}
