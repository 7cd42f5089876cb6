//! HKDF-SHA-256 and HKDF-SHA-512, RFC 5869 (HMAC-based Extract-and-Expand
//! Key Derivation Function, May 2010).
//!
//! RFC 5869 defines HKDF once, over HMAC with any hash (section 2.1). This
//! module does the same: [`extract`] (section 2.2) and [`expand`]
//! (section 2.3) are written once over a [`Hash`]; the `hkdf_sha256_*` and
//! `hkdf_sha512_*` functions only fix the hash.

use crate::hmac::{hmac, Hash};
use crate::sha2::{SHA256_LEN, SHA512_LEN};
use crate::Error;

/// HKDF-Extract, RFC 5869 section 2.2: `PRK = HMAC-Hash(salt, IKM)`. An
/// empty `salt` stands for "not provided", which the section replaces by
/// `HashLen` zero bytes. (HMAC pads its key with zeros to the block length,
/// RFC 2104 section 2, so both keys give the same PRK; the substitution is
/// written out to follow the text.) The PRK has `HashLen` bytes.
pub fn extract(hash: Hash, salt: &[u8], ikm: &[u8]) -> Vec<u8> {
    let salt = if salt.is_empty() {
        vec![0u8; hash.output_len()]
    } else {
        salt.to_vec()
    };
    hmac(hash, &salt, ikm)
}

/// HKDF-Expand, RFC 5869 section 2.3: `OKM` is the first `len` bytes of
/// `T = T(1) | T(2) | ... | T(N)`, with `N = ceil(len / HashLen)`,
/// `T(0)` empty and `T(i) = HMAC-Hash(PRK, T(i-1) | info | i)` where `i`
/// is a single byte. The section requires `len <= 255 * HashLen` (so that
/// `i` fits in a byte); a longer `len` is [`Error::InvalidLength`].
///
/// The section also says PRK is "at least HashLen octets (usually, the
/// output from the extract step)". That is not checked here: HMAC accepts a
/// key of any length and the RFC gives no failure for a short PRK; passing
/// a PRK of the right strength is the caller's obligation.
pub fn expand(hash: Hash, prk: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Error> {
    let hash_len = hash.output_len();
    if len > 255 * hash_len {
        Err(Error::InvalidLength)
    } else {
        let n = len.div_ceil(hash_len);
        let mut okm = Vec::new();
        let mut t = Vec::new();
        for i in 1..n + 1 {
            let mut input = t;
            input.extend_from_slice(info);
            // cast: i <= N <= 255 because len <= 255 * HashLen was checked
            // above, so the counter fits in the single byte the RFC gives it.
            input.push(i as u8);
            t = hmac(hash, prk, &input);
            okm.extend_from_slice(&t);
        }
        okm.truncate(len);
        Ok(okm)
    }
}

/// HKDF-Extract with SHA-256, RFC 5869 section 2.2 (HashLen = 32).
pub fn hkdf_sha256_extract(salt: &[u8], ikm: &[u8]) -> [u8; SHA256_LEN] {
    let prk = extract(Hash::Sha256, salt, ikm);
    let mut out = [0u8; SHA256_LEN];
    // `prk` has SHA256_LEN bytes: it is an HMAC-SHA-256 output.
    for i in 0..SHA256_LEN {
        out[i] = prk[i];
    }
    out
}

/// HKDF-Expand with SHA-256, RFC 5869 section 2.3: `len` output bytes, at
/// most 255 * 32 = 8160, else [`Error::InvalidLength`].
pub fn hkdf_sha256_expand(prk: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Error> {
    expand(Hash::Sha256, prk, info, len)
}

/// HKDF with SHA-256, RFC 5869 section 2: Extract (section 2.2) then
/// Expand (section 2.3); `len` is at most 8160, else
/// [`Error::InvalidLength`].
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Error> {
    expand(Hash::Sha256, &extract(Hash::Sha256, salt, ikm), info, len)
}

/// HKDF-Extract with SHA-512, RFC 5869 section 2.2 (HashLen = 64).
pub fn hkdf_sha512_extract(salt: &[u8], ikm: &[u8]) -> [u8; SHA512_LEN] {
    let prk = extract(Hash::Sha512, salt, ikm);
    let mut out = [0u8; SHA512_LEN];
    // `prk` has SHA512_LEN bytes: it is an HMAC-SHA-512 output.
    for i in 0..SHA512_LEN {
        out[i] = prk[i];
    }
    out
}

/// HKDF-Expand with SHA-512, RFC 5869 section 2.3: `len` output bytes, at
/// most 255 * 64 = 16320, else [`Error::InvalidLength`].
pub fn hkdf_sha512_expand(prk: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Error> {
    expand(Hash::Sha512, prk, info, len)
}

/// HKDF with SHA-512, RFC 5869 section 2: Extract (section 2.2) then
/// Expand (section 2.3); `len` is at most 16320, else
/// [`Error::InvalidLength`].
pub fn hkdf_sha512(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Error> {
    expand(Hash::Sha512, &extract(Hash::Sha512, salt, ikm), info, len)
}
