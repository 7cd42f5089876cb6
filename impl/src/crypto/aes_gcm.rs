//! AES-128-GCM and AES-256-GCM with a 96-bit nonce and a 128-bit tag
//! (SP 800-38D), through RustCrypto `aes-gcm`; mirrors
//! `xchat_spec::aes_gcm` for 12-byte IVs (the spec also takes other IV
//! lengths, which SFrame never uses; the nonce's type rules them out here).
//!
//! The sealed form is the ciphertext followed by the 16-byte tag. The
//! errors come in the spec's order: [`Error::InvalidLength`] for a key
//! that is neither 16 nor 32 bytes, an input shorter than a tag, or a
//! plaintext or ciphertext longer than [`MAX_PLAINTEXT_LEN`]; then
//! [`Error::AuthenticationFailed`]. `aes-gcm` compares tags in constant
//! time and decrypts nothing unless the tag verifies.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Tag};

use crate::Error;

/// The nonce (IV) length in bytes (SP 800-38D section 5.2.1.1: 96 bits).
pub const NONCE_LEN: usize = 12;
/// The tag length in bytes (SP 800-38D section 5.2.1.2: 128 bits).
pub const TAG_LEN: usize = 16;
/// Largest plaintext in bytes, SP 800-38D section 5.2.1.1: `2^39 - 256`
/// bits.
pub const MAX_PLAINTEXT_LEN: u64 = (1 << 36) - 32;

/// Whether `len` bytes are within [`MAX_PLAINTEXT_LEN`].
fn len_allowed(len: usize) -> bool {
    u64::try_from(len).is_ok_and(|n| n <= MAX_PLAINTEXT_LEN)
}

/// Encrypts `pt` into `ciphertext || tag` with `cipher`.
fn seal_with<C: AeadInOut<TagSize = aes_gcm::aead::consts::U16>>(
    cipher: &C,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    pt: &[u8],
) -> Result<Vec<u8>, Error> {
    let nonce =
        aes_gcm::aead::Nonce::<C>::try_from(&nonce[..]).map_err(|_| Error::InvalidLength)?;
    let mut out = Vec::with_capacity(pt.len().saturating_add(TAG_LEN));
    out.extend_from_slice(pt);
    let tag = cipher
        .encrypt_inout_detached(&nonce, aad, out.as_mut_slice().into())
        .map_err(|_| Error::InvalidLength)?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Checks the tag of `ciphertext || tag` and decrypts, with `cipher`.
fn open_with<C: AeadInOut<TagSize = aes_gcm::aead::consts::U16>>(
    cipher: &C,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, Error> {
    let ct_len = sealed
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(Error::InvalidLength)?;
    if !len_allowed(ct_len) {
        return Err(Error::InvalidLength);
    }
    let (ct, tag) = sealed.split_at(ct_len);
    let tag = Tag::try_from(tag).map_err(|_| Error::InvalidLength)?;
    let nonce =
        aes_gcm::aead::Nonce::<C>::try_from(&nonce[..]).map_err(|_| Error::InvalidLength)?;
    let mut out = ct.to_vec();
    cipher
        .decrypt_inout_detached(&nonce, aad, out.as_mut_slice().into(), &tag)
        .map_err(|_| Error::AuthenticationFailed)?;
    Ok(out)
}

/// `GCM-AE_K(IV, P, A)`, SP 800-38D section 7.1, with AES-128 (16-byte
/// key) or AES-256 (32-byte key): `C || T`. Errors as in the module docs.
pub fn seal(key: &[u8], nonce: &[u8; NONCE_LEN], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>, Error> {
    if !len_allowed(pt.len()) {
        return Err(Error::InvalidLength);
    }
    match key.len() {
        16 => seal_with(
            &Aes128Gcm::new_from_slice(key).map_err(|_| Error::InvalidLength)?,
            nonce,
            aad,
            pt,
        ),
        32 => seal_with(
            &Aes256Gcm::new_from_slice(key).map_err(|_| Error::InvalidLength)?,
            nonce,
            aad,
            pt,
        ),
        _ => Err(Error::InvalidLength),
    }
}

/// `GCM-AD_K(IV, C, A, T)`, SP 800-38D section 7.2, with AES-128 or
/// AES-256: the plaintext, only if the tag verifies. Errors as in the
/// module docs.
pub fn open(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, Error> {
    match key.len() {
        16 => open_with(
            &Aes128Gcm::new_from_slice(key).map_err(|_| Error::InvalidLength)?,
            nonce,
            aad,
            sealed,
        ),
        32 => open_with(
            &Aes256Gcm::new_from_slice(key).map_err(|_| Error::InvalidLength)?,
            nonce,
            aad,
            sealed,
        ),
        _ => Err(Error::InvalidLength),
    }
}
