//! HChaCha20 and AEAD_XChaCha20_Poly1305, draft-irtf-cfrg-xchacha-03
//! (XChaCha: eXtended-nonce ChaCha and AEAD_XChaCha20_Poly1305), sections
//! 2.2 and 2.3.
//!
//! XChaCha20-Poly1305 takes a 192-bit nonce. HChaCha20 turns the key and
//! the first 128 bits of the nonce into a subkey; the subkey and the last
//! 64 bits of the nonce (after four zero bytes) are then used with the
//! unchanged AEAD_CHACHA20_POLY1305 of RFC 8439 ([`crate::chacha20poly1305`]).

use crate::chacha20::{chacha20_init, chacha20_rounds};
use crate::chacha20poly1305;
use crate::error::Error;

/// Key length in bytes (draft-irtf-cfrg-xchacha-03, section 2.3).
pub const KEY_LEN: usize = 32;
/// Nonce length in bytes: 192 bits (draft-irtf-cfrg-xchacha-03, section 2.3).
pub const NONCE_LEN: usize = 24;
/// Tag length in bytes (draft-irtf-cfrg-xchacha-03, section 2.3; as RFC 8439).
pub const TAG_LEN: usize = 16;
/// Length in bytes of the HChaCha20 nonce (draft-irtf-cfrg-xchacha-03, section 2.2).
pub const HCHACHA20_NONCE_LEN: usize = 16;

/// HChaCha20, draft-irtf-cfrg-xchacha-03 section 2.2: the ChaCha20 state
/// with the 128-bit nonce in words 12-15 (where ChaCha20 has its counter and
/// 96-bit nonce), 20 rounds *without* the final addition of the initial
/// state, and as output words 0-3 and 12-15 serialized little-endian.
pub fn hchacha20(key: &[u8; KEY_LEN], nonce: &[u8; HCHACHA20_NONCE_LEN]) -> [u8; 32] {
    // Words 12-15 are read little-endian from the 16 nonce bytes, exactly as
    // ChaCha20 reads its counter word (bytes 0-3) and nonce (bytes 4-15).
    let counter_word = u32::from_le_bytes([nonce[0], nonce[1], nonce[2], nonce[3]]);
    let mut rest = [0u8; 12];
    for i in 0..12 {
        rest[i] = nonce[4 + i];
    }
    let state = chacha20_rounds(chacha20_init(key, counter_word, &rest));
    let words = [
        state[0], state[1], state[2], state[3], state[12], state[13], state[14], state[15],
    ];
    let mut out = [0u8; 32];
    for i in 0..8 {
        let bytes = words[i].to_le_bytes();
        for j in 0..4 {
            out[4 * i + j] = bytes[j];
        }
    }
    out
}

/// The RFC 8439 key and nonce that XChaCha20 uses for a 192-bit nonce,
/// draft-irtf-cfrg-xchacha-03 section 2.3: subkey = HChaCha20(key,
/// nonce[0..16]) and the 96-bit nonce 0x00000000 || nonce[16..24].
fn derive(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
) -> ([u8; 32], [u8; chacha20poly1305::NONCE_LEN]) {
    let mut hnonce = [0u8; HCHACHA20_NONCE_LEN];
    for i in 0..HCHACHA20_NONCE_LEN {
        hnonce[i] = nonce[i];
    }
    let subkey = hchacha20(key, &hnonce);
    let mut inner_nonce = [0u8; chacha20poly1305::NONCE_LEN];
    for i in 0..8 {
        inner_nonce[4 + i] = nonce[16 + i];
    }
    (subkey, inner_nonce)
}

/// Precondition of [`seal`]: the plaintext length limit of RFC 8439
/// section 2.8, which XChaCha20-Poly1305 inherits (draft-irtf-cfrg-xchacha-03,
/// section 2.3).
pub fn pre_seal(plaintext_len: usize) -> bool {
    chacha20poly1305::pre_seal(plaintext_len)
}

/// AEAD_XChaCha20_Poly1305 encryption, draft-irtf-cfrg-xchacha-03 section
/// 2.3: AEAD_CHACHA20_POLY1305 under the derived subkey and nonce. Returns
/// the ciphertext followed by the 16-byte tag.
#[cfg_attr(hax, hax_lib::requires(pre_seal(plaintext.len())))]
pub fn seal(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let (subkey, inner_nonce) = derive(key, nonce);
    chacha20poly1305::seal(&subkey, &inner_nonce, aad, plaintext)
}

/// AEAD_XChaCha20_Poly1305 decryption, draft-irtf-cfrg-xchacha-03 section
/// 2.3, with the errors of [`chacha20poly1305::open`].
pub fn open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Vec<u8>, Error> {
    let (subkey, inner_nonce) = derive(key, nonce);
    chacha20poly1305::open(&subkey, &inner_nonce, aad, ciphertext_and_tag)
}
