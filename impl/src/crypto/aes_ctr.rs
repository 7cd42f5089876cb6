//! AES-CTR with a 32-bit big-endian block counter in the last four bytes
//! of the counter block (SP 800-38A section 6.5, RFC 3686, RFC 9605
//! section 4.5.1), through RustCrypto `ctr::Ctr32BE` over `aes`; mirrors
//! `xchat_spec::aes_ctr::aes_ctr`.
//!
//! The counter must not wrap (SP 800-38A Appendix B: counter blocks are
//! distinct): from a counter field `c`, at most `2^32 - c` blocks. That
//! bound is checked here, before `Ctr32BE` runs, because `Ctr32BE` itself
//! admits one block more (`2^32 - c + 1` blocks, the last with the counter
//! field wrapped to 0, which repeats a counter block of any stream that
//! started at 0, as SFrame's do); `impl/tests/sframe_diff.rs` pins the
//! bound against the spec's `pre_ctr`.

use aes::{Aes128, Aes256};
use ctr::cipher::{KeyIvInit, StreamCipher};
use ctr::Ctr32BE;

use crate::Error;

/// The AES block length in bytes (FIPS 197 section 2.3).
pub const BLOCK_LEN: usize = 16;

/// Whether `len` bytes need at most `2^32 - c` blocks, `c` being the
/// 32-bit counter field of `icb` (the spec's `pre_ctr`).
fn counter_suffices(icb: &[u8; BLOCK_LEN], len: usize) -> bool {
    let field: [u8; 4] = icb
        .get(12..)
        .and_then(|t| t.try_into().ok())
        .unwrap_or([0xff; 4]);
    let available = (1u64 << 32) - u64::from(u32::from_be_bytes(field));
    u64::try_from(len.div_ceil(BLOCK_LEN)).is_ok_and(|blocks| blocks <= available)
}

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
    if !counter_suffices(initial_counter_block, input.len()) {
        return Err(Error::InvalidLength);
    }
    let mut out = input.to_vec();
    match key.len() {
        16 => apply::<Ctr32BE<Aes128>>(key, initial_counter_block, &mut out)?,
        32 => apply::<Ctr32BE<Aes256>>(key, initial_counter_block, &mut out)?,
        _ => return Err(Error::InvalidLength),
    }
    Ok(out)
}
