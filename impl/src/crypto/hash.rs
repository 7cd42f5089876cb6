//! SHA-256 and SHA-512 (FIPS 180-4), HMAC (RFC 2104) and HKDF (RFC 5869)
//! through RustCrypto `sha2` (SHA-NI / AVX2 selected at run time), `hmac`
//! and `hkdf`; mirrors `xchat_spec::{sha2, hmac, hkdf}`.
//!
//! The HKDF output goes into a caller-provided buffer, so keys never pass
//! through an unzeroized vector. HKDF-Expand takes a PRK of exactly one
//! hash length (what Extract returns); `hkdf` rejects shorter PRKs, which
//! the spec would accept, so the types rule them out here.

use hkdf::{Hkdf, HmacImpl};
use hmac::Hmac;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use crate::Error;

/// SHA-256, FIPS 180-4 section 6.2.
pub fn sha256(msg: &[u8]) -> [u8; 32] {
    Sha256::digest(msg).into()
}

/// SHA-512, FIPS 180-4 section 6.4.
pub fn sha512(msg: &[u8]) -> [u8; 64] {
    Sha512::digest(msg).into()
}

/// HMAC-SHA-256, RFC 2104 section 2 (`HMAC(k, m)` of SPEC.md section 3);
/// keys of any length.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // `HmacImpl::new_from_slice` is hkdf's infallible constructor (HMAC
    // takes keys of every length).
    let mut mac = <Hmac<Sha256> as HmacImpl>::new_from_slice(key);
    HmacImpl::update(&mut mac, msg);
    HmacImpl::finalize(mac).into()
}

/// HMAC-SHA-256 of the concatenation of `parts`, without building it
/// (`HMAC(k, a || b || ..)` of SPEC.md; the hedges of sections 9 and 12
/// MAC a whole plaintext, which is not copied).
pub fn hmac_sha256_parts(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as HmacImpl>::new_from_slice(key);
    for part in parts {
        HmacImpl::update(&mut mac, part);
    }
    HmacImpl::finalize(mac).into()
}

/// HMAC-SHA-512, RFC 2104 section 2; keys of any length.
pub fn hmac_sha512(key: &[u8], msg: &[u8]) -> [u8; 64] {
    let mut mac = <Hmac<Sha512> as HmacImpl>::new_from_slice(key);
    HmacImpl::update(&mut mac, msg);
    HmacImpl::finalize(mac).into()
}

/// HKDF-Extract with SHA-256, RFC 5869 section 2.2: `PRK = HMAC(salt, ikm)`
/// (an empty salt is the same HMAC key as the RFC's default of zeros).
pub fn hkdf_sha256_extract(salt: &[u8], ikm: &[u8]) -> Zeroizing<[u8; 32]> {
    let (prk, _) = Hkdf::<Sha256>::extract(Some(salt), ikm);
    Zeroizing::new(prk.into())
}

/// HKDF-Expand with SHA-256, RFC 5869 section 2.3: fills `okm`, at most
/// 255 * 32 = 8160 bytes, else [`Error::InvalidLength`].
pub fn hkdf_sha256_expand(prk: &[u8; 32], info: &[u8], okm: &mut [u8]) -> Result<(), Error> {
    Hkdf::<Sha256>::from_prk(prk)
        .map_err(|_| Error::InvalidLength)?
        .expand(info, okm)
        .map_err(|_| Error::InvalidLength)
}

/// HKDF with SHA-256, RFC 5869 section 2 (`HKDF(salt, ikm, info, L)` of
/// SPEC.md section 3, `L = okm.len()`): at most 8160 bytes, else
/// [`Error::InvalidLength`].
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], okm: &mut [u8]) -> Result<(), Error> {
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, okm)
        .map_err(|_| Error::InvalidLength)
}

/// HKDF-Extract with SHA-512, RFC 5869 section 2.2.
pub fn hkdf_sha512_extract(salt: &[u8], ikm: &[u8]) -> Zeroizing<[u8; 64]> {
    let (prk, _) = Hkdf::<Sha512>::extract(Some(salt), ikm);
    Zeroizing::new(prk.into())
}

/// HKDF-Expand with SHA-512, RFC 5869 section 2.3: at most 255 * 64 =
/// 16320 bytes, else [`Error::InvalidLength`].
pub fn hkdf_sha512_expand(prk: &[u8; 64], info: &[u8], okm: &mut [u8]) -> Result<(), Error> {
    Hkdf::<Sha512>::from_prk(prk)
        .map_err(|_| Error::InvalidLength)?
        .expand(info, okm)
        .map_err(|_| Error::InvalidLength)
}

/// HKDF with SHA-512, RFC 5869 section 2: at most 16320 bytes, else
/// [`Error::InvalidLength`].
pub fn hkdf_sha512(salt: &[u8], ikm: &[u8], info: &[u8], okm: &mut [u8]) -> Result<(), Error> {
    Hkdf::<Sha512>::new(Some(salt), ikm)
        .expand(info, okm)
        .map_err(|_| Error::InvalidLength)
}
