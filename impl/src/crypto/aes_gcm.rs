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
use aes_gcm::{Aes128Gcm, Aes256Gcm};

use super::aead::{open_with, seal_with};
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

/// `GCM-AE_K(IV, P, A)`, SP 800-38D section 7.1, with AES-128 (16-byte
/// key) or AES-256 (32-byte key): `C || T`. Errors as in the module docs.
pub fn seal(key: &[u8], nonce: &[u8; NONCE_LEN], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>, Error> {
    if !len_allowed(pt.len()) {
        return Err(Error::InvalidLength);
    }
    let bad_key = |_| Error::InvalidLength;
    match key.len() {
        16 => Ok(seal_with(
            &Aes128Gcm::new_from_slice(key).map_err(bad_key)?,
            nonce.into(),
            aad,
            pt,
        )),
        32 => Ok(seal_with(
            &Aes256Gcm::new_from_slice(key).map_err(bad_key)?,
            nonce.into(),
            aad,
            pt,
        )),
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
    // GCM's bound first (all three length errors are the same kind, so
    // the order of the checks is not observable).
    if sealed
        .len()
        .checked_sub(TAG_LEN)
        .is_some_and(|n| !len_allowed(n))
    {
        return Err(Error::InvalidLength);
    }
    let bad_key = |_| Error::InvalidLength;
    match key.len() {
        16 => open_with(
            &Aes128Gcm::new_from_slice(key).map_err(bad_key)?,
            nonce.into(),
            aad,
            sealed,
        ),
        32 => open_with(
            &Aes256Gcm::new_from_slice(key).map_err(bad_key)?,
            nonce.into(),
            aad,
            sealed,
        ),
        _ => Err(Error::InvalidLength),
    }
}

/// An AES-GCM key with its key schedule and GHASH key computed once (for
/// SFrame, which encrypts many frames under one key: `xchat::sframe`
/// keeps one per `KeyAndSalt`). The same functions as [`seal`] and
/// [`open`] with the same bytes and errors, without re-keying per call and
/// writing into the caller's buffer. `aes-gcm` (feature `zeroize`)
/// zeroizes the round keys on drop; `Debug` prints nothing of the key.
#[derive(Clone)]
pub enum GcmKey {
    /// AES-128-GCM.
    Aes128(Box<Aes128Gcm>),
    /// AES-256-GCM.
    Aes256(Box<Aes256Gcm>),
}

impl core::fmt::Debug for GcmKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("GcmKey { .. }")
    }
}

impl GcmKey {
    /// The cipher for a 16- or 32-byte key; another length is
    /// [`Error::InvalidLength`].
    pub fn new(key: &[u8]) -> Result<Self, Error> {
        let bad_key = |_| Error::InvalidLength;
        match key.len() {
            16 => Ok(GcmKey::Aes128(Box::new(
                Aes128Gcm::new_from_slice(key).map_err(bad_key)?,
            ))),
            32 => Ok(GcmKey::Aes256(Box::new(
                Aes256Gcm::new_from_slice(key).map_err(bad_key)?,
            ))),
            _ => Err(Error::InvalidLength),
        }
    }

    /// [`seal`], appending `C || T` to `out` (which is left as it was on
    /// error).
    pub fn seal_append(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        pt: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if !len_allowed(pt.len()) {
            return Err(Error::InvalidLength);
        }
        let start = out.len();
        out.reserve(pt.len().saturating_add(TAG_LEN));
        out.extend_from_slice(pt);
        let body = out.get_mut(start..).ok_or(Error::InvalidLength)?;
        let tag = match self {
            GcmKey::Aes128(c) => c.encrypt_inout_detached(nonce.into(), aad, body.into()),
            GcmKey::Aes256(c) => c.encrypt_inout_detached(nonce.into(), aad, body.into()),
        };
        match tag {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(())
            }
            Err(_) => {
                out.truncate(start);
                Err(Error::InvalidLength)
            }
        }
    }

    /// [`open`]: the plaintext, only if the tag verifies.
    pub fn open(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.open_into(nonce, aad, sealed, &mut out)?;
        Ok(out)
    }

    /// [`open`] into `out` (cleared first, then the plaintext, decrypted
    /// in place; `aes-gcm` decrypts nothing unless the tag verifies, so on
    /// an error `out` holds only ciphertext).
    pub fn open_into(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let ct_len = sealed
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(Error::InvalidLength)?;
        if !len_allowed(ct_len) {
            return Err(Error::InvalidLength);
        }
        let (ct, tag) = sealed
            .split_at_checked(ct_len)
            .ok_or(Error::InvalidLength)?;
        let tag = aes_gcm::Tag::try_from(tag).map_err(|_| Error::InvalidLength)?;
        out.clear();
        out.extend_from_slice(ct);
        let r = match self {
            GcmKey::Aes128(c) => {
                c.decrypt_inout_detached(nonce.into(), aad, out.as_mut_slice().into(), &tag)
            }
            GcmKey::Aes256(c) => {
                c.decrypt_inout_detached(nonce.into(), aad, out.as_mut_slice().into(), &tag)
            }
        };
        r.map_err(|_| Error::AuthenticationFailed)
    }
}
