//! The AEAD construction AEAD_CHACHA20_POLY1305, RFC 8439 (ChaCha20 and
//! Poly1305 for IETF Protocols, June 2018), section 2.8.
//!
//! The one-time Poly1305 key is the first half of ChaCha20 block 0 (section
//! 2.6); the plaintext is encrypted with ChaCha20 from block counter 1
//! (section 2.4); the tag is the Poly1305 MAC of the padded AAD, the padded
//! ciphertext and both lengths (section 2.8). The sealed message is the
//! ciphertext followed by the 16-byte tag.
//!
//! Tags are compared with `==`, which is not constant time: see the crate
//! documentation.

use crate::chacha20::chacha20_encrypt;
use crate::error::Error;
use crate::poly1305::{poly1305_key_gen, poly1305_mac};

/// Key length in bytes (RFC 8439, section 2.8).
pub const KEY_LEN: usize = 32;
/// Nonce length in bytes (RFC 8439, section 2.8).
pub const NONCE_LEN: usize = 12;
/// Tag length in bytes (RFC 8439, section 2.8).
pub const TAG_LEN: usize = 16;
/// Largest plaintext, RFC 8439 section 2.8: 2^38 - 64 bytes, so that the
/// 32-bit block counter starting at 1 never wraps.
pub const MAX_PLAINTEXT_LEN: u64 = (1 << 38) - 64;

/// Whether a plaintext (or ciphertext without its tag) of `len` bytes is
/// within the limit of RFC 8439 section 2.8.
fn len_allowed(len: usize) -> bool {
    match u64::try_from(len) {
        Ok(n) => n <= MAX_PLAINTEXT_LEN,
        Err(_) => false,
    }
}

/// Precondition of [`seal`]: the plaintext is at most
/// [`MAX_PLAINTEXT_LEN`] bytes long (RFC 8439, section 2.8).
pub fn pre_seal(plaintext_len: usize) -> bool {
    len_allowed(plaintext_len)
}

/// `pad16(x)`, RFC 8439 section 2.8.1: zero bytes up to the next multiple
/// of 16 (none if the length already is one).
fn pad16(len: usize) -> Vec<u8> {
    vec![0u8; (16 - len % 16) % 16]
}

/// The Poly1305 input of RFC 8439 section 2.8.1: `aad | pad16(aad) |
/// ciphertext | pad16(ciphertext) | num_to_8_le_bytes(aad.length) |
/// num_to_8_le_bytes(ciphertext.length)`.
fn mac_data(aad: &[u8], ciphertext: &[u8]) -> Vec<u8> {
    let mut data = aad.to_vec();
    data.extend_from_slice(&pad16(aad.len()));
    data.extend_from_slice(ciphertext);
    data.extend_from_slice(&pad16(ciphertext.len()));
    // cast: usize is at most 64 bits on every target Rust supports, so a
    // length fits in the 8-byte field.
    data.extend_from_slice(&(aad.len() as u64).to_le_bytes());
    // cast: as above.
    data.extend_from_slice(&(ciphertext.len() as u64).to_le_bytes());
    data
}

/// The tag over `aad` and `ciphertext`, RFC 8439 section 2.8.1.
fn compute_tag(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
) -> [u8; TAG_LEN] {
    let otk = poly1305_key_gen(key, nonce);
    poly1305_mac(&mac_data(aad, ciphertext), &otk)
}

/// AEAD_CHACHA20_POLY1305 encryption, RFC 8439 section 2.8.1 (the `nonce`
/// is the full 96-bit nonce, `constant | iv` there): returns the
/// ciphertext followed by the 16-byte tag.
#[cfg_attr(hax, hax_lib::requires(pre_seal(plaintext.len())))]
pub fn seal(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut out = chacha20_encrypt(key, 1, nonce, plaintext);
    let tag = compute_tag(key, nonce, aad, &out);
    out.extend_from_slice(&tag);
    out
}

/// AEAD_CHACHA20_POLY1305 decryption, RFC 8439 section 2.8: recomputes the
/// tag over `aad` and the received ciphertext and, only if it equals the
/// received tag, decrypts.
///
/// Errors: [`Error::InvalidLength`] if the input is shorter than a tag or
/// its ciphertext is longer than [`MAX_PLAINTEXT_LEN`];
/// [`Error::AuthenticationFailed`] if the tag does not match.
pub fn open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Vec<u8>, Error> {
    if ciphertext_and_tag.len() < TAG_LEN {
        return Err(Error::InvalidLength);
    }
    let ct_len = ciphertext_and_tag.len() - TAG_LEN;
    if !len_allowed(ct_len) {
        return Err(Error::InvalidLength);
    }
    let ciphertext = &ciphertext_and_tag[..ct_len];
    let mut tag = [0u8; TAG_LEN];
    for i in 0..TAG_LEN {
        tag[i] = ciphertext_and_tag[ct_len + i];
    }
    if compute_tag(key, nonce, aad, ciphertext) != tag {
        return Err(Error::AuthenticationFailed);
    }
    Ok(chacha20_encrypt(key, 1, nonce, ciphertext))
}
