//! AES-CTR with a 32-bit big-endian block counter in the last four bytes
//! of the counter block (SP 800-38A section 6.5, RFC 3686, RFC 9605
//! section 4.5.1), through RustCrypto `ctr::Ctr32BE` over `aes`; mirrors
//! `xchat_spec::aes_ctr::aes_ctr`.
//!
//! One difference at the very end of the counter range: `Ctr32BE` never
//! produces the block whose counter field is `0xffffffff`, so an input
//! that needs exactly `2^32 - c` blocks (from a counter field `c`), which
//! the spec accepts, is [`Error::InvalidLength`] here. SFrame starts at
//! `c = 0` and bounds frames to `2^32 - 1` blocks
//! (`xchat_spec::sframe::MAX_CTR_HMAC_PLAINTEXT_LEN`), so it never reaches
//! that block.

use aes::{Aes128, Aes256};
use ctr::cipher::{KeyIvInit, StreamCipher};
use ctr::Ctr32BE;

use crate::Error;

/// The AES block length in bytes (FIPS 197 section 2.3).
pub const BLOCK_LEN: usize = 16;

/// XORs `buf` with the keystream of `C` from the counter block `icb`.
fn apply<C: KeyIvInit + StreamCipher>(
    key: &[u8],
    icb: &[u8; BLOCK_LEN],
    buf: &mut [u8],
) -> Result<(), Error> {
    let mut cipher = C::new_from_slices(key, icb).map_err(|_| Error::InvalidLength)?;
    cipher
        .try_apply_keystream(buf)
        .map_err(|_| Error::InvalidLength)
}

/// AES-CTR encryption (and decryption), SP 800-38A section 6.5 with
/// AES-128 or AES-256 (FIPS 197) and `inc32` counter blocks from
/// `initial_counter_block`. Errors: [`Error::InvalidLength`] for a key of
/// another length, or an input that would exhaust the 32-bit counter (see
/// the module docs).
pub fn aes_ctr(
    key: &[u8],
    initial_counter_block: &[u8; BLOCK_LEN],
    input: &[u8],
) -> Result<Vec<u8>, Error> {
    let mut out = input.to_vec();
    match key.len() {
        16 => apply::<Ctr32BE<Aes128>>(key, initial_counter_block, &mut out)?,
        32 => apply::<Ctr32BE<Aes256>>(key, initial_counter_block, &mut out)?,
        _ => return Err(Error::InvalidLength),
    }
    Ok(out)
}
