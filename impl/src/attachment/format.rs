//! The attachment format (SPEC.md section 13): key derivation and
//! commitment, chunk nonces, lengths, and sealing or opening one chunk.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::{aead, hash};
use crate::encoding::{LABEL_ATTACHMENT_CHUNK, LABEL_ATTACHMENT_KEY};
use crate::error::AttachmentError;
use crate::padding::padme;
use crate::Error;

use super::{CHUNK_LEN, CHUNK_U64, COMMITMENT_LEN, MAX_ATTACHMENT_LEN, SEALED_CHUNK_LEN, TAG_LEN};

/// The chunk key and key commitment of attachment key `key`:
/// `OKM = HKDF(zeros(32), K, "XCHAT-1 attachment key", 64)`, `enc_key =
/// OKM[0..32]` (secret, zeroized on drop) and `commitment = OKM[32..64]`
/// (public: it is the first 32 bytes of the ciphertext) (SPEC.md section 13
/// step 1, REQ-ATT-003).
///
/// Errors: none in practice; HKDF's length limit (8160 bytes) is far above
/// 64, and would be [`Error::Malformed`].
pub fn attachment_keys(key: &[u8; 32]) -> Result<(Zeroizing<[u8; 32]>, [u8; 32]), Error> {
    let mut okm = Zeroizing::new([0u8; 64]);
    hash::hkdf_sha256(&[0u8; 32], key, LABEL_ATTACHMENT_KEY, okm.as_mut_slice())
        .map_err(|_| Error::Malformed)?;
    let (enc, commitment) = okm.split_at(32);
    let mut enc_key = Zeroizing::new([0u8; 32]);
    enc_key.copy_from_slice(enc);
    let commitment: [u8; 32] = commitment.try_into().map_err(|_| Error::Malformed)?;
    Ok((enc_key, commitment))
}

/// Checks the key commitment (the first [`COMMITMENT_LEN`] bytes of a
/// ciphertext) against attachment key `key`, in constant time, and returns
/// the chunk key for [`open_chunk`] (SPEC.md section 13, check 2 of
/// REQ-ATT-002, REQ-ATT-003). A receiver opening chunks as they stream in
/// gets the chunk key only from here, so no chunk is opened before the
/// commitment matched.
///
/// Errors: [`Error::Malformed`] if `commitment` is not 32 bytes;
/// [`Error::AuthenticationFailed`] if it is not `key`'s commitment (e.g. the
/// ciphertext was sealed under another key).
pub fn open_commitment(key: &[u8; 32], commitment: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
    if commitment.len() != COMMITMENT_LEN {
        return Err(Error::Malformed);
    }
    let (enc_key, expected) = attachment_keys(key)?;
    if bool::from(expected.as_slice().ct_eq(commitment)) {
        Ok(enc_key)
    } else {
        Err(Error::AuthenticationFailed)
    }
}

/// The STREAM nonce of chunk `index`: `zeros(3) || u64(index) || u8(last)`
/// (SPEC.md section 13 step 4, REQ-ATT-001).
pub fn chunk_nonce(index: u64, last: bool) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    let (counter, flag) = nonce.split_at_mut(11);
    if let Some(c) = counter.get_mut(3..) {
        c.copy_from_slice(&index.to_be_bytes());
    }
    flag.copy_from_slice(&[u8::from(last)]);
    nonce
}

/// The number of chunks `n = max(1, ceil(P / CHUNK))` of a padded file of
/// `p` bytes (SPEC.md section 13 step 3).
pub(super) fn chunk_count(p: u64) -> u64 {
    p.div_ceil(CHUNK_U64).max(1)
}

/// The ciphertext length of an attachment of `plaintext_len` bytes:
/// `32 + P + 16 n` with `P = padme(plaintext_len)` and `n = max(1, ceil(P /
/// CHUNK))` (SPEC.md section 13, REQ-ATT-001). Above [`MAX_ATTACHMENT_LEN`]
/// the sum saturates at `u64::MAX`, as in the spec.
pub fn ciphertext_len(plaintext_len: u64) -> u64 {
    let p = padme(plaintext_len);
    (COMMITMENT_LEN as u64)
        .saturating_add(p)
        .saturating_add(chunk_count(p).saturating_mul(16))
}

/// [`ciphertext_len`] as an operation with an error (SPEC.md section 17:
/// `ciphertext_len(L)` is `Malformed` for `L > MAX_ATTACHMENT_LEN`).
pub fn ciphertext_len_checked(plaintext_len: u64) -> Result<u64, Error> {
    if plaintext_len > MAX_ATTACHMENT_LEN {
        Err(Error::Malformed)
    } else {
        Ok(ciphertext_len(plaintext_len))
    }
}

/// Seals a slot `chunk || tag space` in place: the first `len - 16` bytes
/// become `AEAD(enc_key, nonce(index, last), "XCHAT-1 attachment chunk",
/// chunk)`'s ciphertext and the last 16 its tag.
pub(super) fn seal_slot(
    enc_key: &[u8; 32],
    index: u64,
    last: bool,
    slot: &mut [u8],
) -> Result<(), Error> {
    let pt_len = slot.len().checked_sub(TAG_LEN).ok_or(Error::Malformed)?;
    let (pt, tag) = slot.split_at_mut(pt_len);
    let t = aead::seal_in_place(
        enc_key,
        &chunk_nonce(index, last),
        LABEL_ATTACHMENT_CHUNK,
        pt,
    )
    .map_err(|_| Error::Malformed)?;
    tag.copy_from_slice(&t);
    Ok(())
}

/// Opens a sealed slot `ciphertext || tag` in place under the chunk key;
/// on success its first `len - 16` bytes are the chunk. A failed tag is
/// [`Error::AuthenticationFailed`] and leaves the slot unchanged.
pub(super) fn open_slot(
    enc_key: &[u8; 32],
    index: u64,
    last: bool,
    slot: &mut [u8],
) -> Result<(), Error> {
    let ct_len = slot.len().checked_sub(TAG_LEN).ok_or(Error::Malformed)?;
    let (ct, tag) = slot.split_at_mut(ct_len);
    let tag: &[u8; TAG_LEN] = (&*tag).try_into().map_err(|_| Error::Malformed)?;
    aead::open_in_place(
        enc_key,
        &chunk_nonce(index, last),
        LABEL_ATTACHMENT_CHUNK,
        ct,
        tag,
    )
    .map_err(open_error)
}

/// The error of a chunk that does not open: a failed tag is
/// [`Error::AuthenticationFailed`], anything else [`Error::Malformed`].
pub(super) fn open_error(e: Error) -> Error {
    match e {
        Error::AuthenticationFailed => Error::AuthenticationFailed,
        _ => Error::Malformed,
    }
}

/// Seals one chunk under the chunk key `enc_key` (from
/// [`attachment_keys`], never the pointer key): `AEAD(enc_key, zeros(3) ||
/// u64(i) || u8(last), "XCHAT-1 attachment chunk", chunk)` (SPEC.md section
/// 13 step 4, REQ-ATT-001). A chunk that is not the last must be exactly
/// `CHUNK` bytes and the last at most `CHUNK` (the spec's
/// `pre_seal_chunk`), else [`Error::Malformed`].
pub fn seal_chunk(
    enc_key: &[u8; 32],
    index: u64,
    last: bool,
    chunk: &[u8],
) -> Result<Vec<u8>, Error> {
    let len_ok = if last {
        chunk.len() <= CHUNK_LEN
    } else {
        chunk.len() == CHUNK_LEN
    };
    if !len_ok {
        return Err(Error::Malformed);
    }
    Ok(aead::seal(
        enc_key,
        &chunk_nonce(index, last),
        LABEL_ATTACHMENT_CHUNK,
        chunk,
    ))
}

/// Opens one sealed chunk on its own under the chunk key `enc_key`, e.g.
/// as it streams in (SPEC.md section 13, REQ-ATT-001, REQ-ATT-002); a
/// streaming receiver gets `enc_key` from [`open_commitment`].
///
/// Errors: [`Error::Malformed`] if a chunk that is not the last is not
/// exactly `CHUNK + 16` bytes, or the last one is shorter than 16 or
/// longer than `CHUNK + 16`; then [`Error::AuthenticationFailed`] if the
/// tag does not verify under this index and flag.
pub fn open_chunk(
    enc_key: &[u8; 32],
    index: u64,
    last: bool,
    sealed: &[u8],
) -> Result<Vec<u8>, Error> {
    let len_ok = if last {
        (TAG_LEN..=SEALED_CHUNK_LEN).contains(&sealed.len())
    } else {
        sealed.len() == SEALED_CHUNK_LEN
    };
    if !len_ok {
        return Err(Error::Malformed);
    }
    let mut slot = sealed.to_vec();
    open_slot(enc_key, index, last, &mut slot)?;
    slot.truncate(sealed.len() - TAG_LEN);
    Ok(slot)
}

/// `P = padme(length)` and `n` as `usize`s, or [`Error::Malformed`] if the
/// attachment does not fit this machine's memory.
pub(super) fn sizes(length: u64) -> Result<(usize, usize), AttachmentError> {
    let p = padme(length);
    let p_usize = usize::try_from(p).map_err(|_| AttachmentError::TooLarge)?;
    let n = usize::try_from(chunk_count(p)).map_err(|_| AttachmentError::TooLarge)?;
    Ok((p_usize, n))
}
