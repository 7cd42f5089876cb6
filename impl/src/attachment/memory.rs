//! Attachments in memory (SPEC.md section 13): [`seal`], [`open`], and the
//! variants into caller-owned buffers.

use rand_core::CryptoRng;
#[cfg(feature = "parallel")]
use rayon::prelude::*;
use zeroize::Zeroize;

use crate::content::{AttachmentPointer, MediaKind};
use crate::crypto::{aead, random_array};
use crate::encoding::LABEL_ATTACHMENT_CHUNK;
use crate::error::AttachmentError;
use crate::padding::{all_zero, padme};

use super::format::{
    attachment_keys, chunk_count, chunk_nonce, ciphertext_len, open_chunk, open_commitment,
    seal_slot, sizes,
};
use super::parallel::{for_each_slot, Tuning};
#[cfg(doc)]
use super::PARALLEL_MIN_CHUNKS;
use super::{CHUNK_LEN, CHUNK_U64, COMMITMENT_LEN, SEALED_CHUNK_LEN, TAG_LEN};
use crate::Error;

/// Encrypts attachment `file` under a fresh key (SPEC.md section 13 steps
/// 1-5, REQ-ATT-001, REQ-ATT-003): derives the chunk key and commitment,
/// pads the file with zeros to `padme(len(file))`, seals each chunk (in
/// parallel from [`PARALLEL_MIN_CHUNKS`] chunks), and returns the pointer
/// and the ciphertext `commitment || sealed chunks`.
///
/// Randomness: one draw of 32 bytes, the key `K` (the spec's `key`). It
/// MUST come from a CSPRNG and is never reused: a repeated `K` repeats the
/// chunk key and every chunk nonce (SPEC.md section 13).
///
/// Errors: [`AttachmentError::TooLarge`] (`Malformed`) only if the
/// ciphertext would not fit in memory (`usize`).
pub fn seal<R: CryptoRng + ?Sized>(
    kind: MediaKind,
    rng: &mut R,
    file: &[u8],
) -> Result<(AttachmentPointer, Vec<u8>), AttachmentError> {
    let key = random_array::<32, R>(rng);
    seal_with_key(kind, &key, file, Tuning::DEFAULT)
}

/// [`seal`] into a buffer the caller owns and may reuse: `out` becomes the
/// ciphertext (resized to [`ciphertext_len`]; whatever it held is
/// overwritten) and the pointer is returned. Each chunk is encrypted from
/// the file straight into its place in `out`, so a reused buffer makes
/// sealing cost the AEAD and nothing else (no allocation, no copy, no
/// hash: `benches/benches/attachment.rs`).
///
/// Randomness and errors: as [`seal`]; on error `out` is emptied.
pub fn seal_into<R: CryptoRng + ?Sized>(
    kind: MediaKind,
    rng: &mut R,
    file: &[u8],
    out: &mut Vec<u8>,
) -> Result<AttachmentPointer, AttachmentError> {
    let key = random_array::<32, R>(rng);
    seal_with_key_into(kind, &key, file, out, Tuning::DEFAULT)
}

/// [`seal`] with the key given.
pub(super) fn seal_with_key(
    kind: MediaKind,
    key: &[u8; 32],
    file: &[u8],
    t: Tuning,
) -> Result<(AttachmentPointer, Vec<u8>), AttachmentError> {
    let mut out = Vec::new();
    let pointer = seal_with_key_into(kind, key, file, &mut out, t)?;
    Ok((pointer, out))
}

/// [`seal_into`] with the key given.
pub(super) fn seal_with_key_into(
    kind: MediaKind,
    key: &[u8; 32],
    file: &[u8],
    out: &mut Vec<u8>,
    t: Tuning,
) -> Result<AttachmentPointer, AttachmentError> {
    let length = u64::try_from(file.len()).map_err(|_| AttachmentError::TooLarge)?;
    let ct_len = usize::try_from(ciphertext_len(length)).map_err(|_| AttachmentError::TooLarge)?;
    let pointer = AttachmentPointer::new(kind, *key, length)?;
    let n = chunk_count(padme(length));
    let (enc_key, commitment) = attachment_keys(key)?;
    // The commitment, then one slot per chunk: the chunk's ciphertext
    // followed by its tag. Whole chunks of the file are encrypted from the
    // file into their slot; a chunk that holds zero fill is assembled in
    // its slot first and sealed in place.
    out.resize(ct_len, 0);
    let (head, slots) = out
        .split_at_mut_checked(COMMITMENT_LEN)
        .ok_or(Error::Malformed)?;
    head.copy_from_slice(&commitment);
    let sealed = for_each_slot(slots, SEALED_CHUNK_LEN, t, |i: u64, slot: &mut [u8]| {
        let last = i + 1 == n;
        let start = usize::try_from(i.saturating_mul(CHUNK_U64)).unwrap_or(usize::MAX);
        let src = file
            .get(start..file.len().min(start.saturating_add(CHUNK_LEN)))
            .unwrap_or_default();
        let pt_len = slot.len().checked_sub(TAG_LEN).ok_or(Error::Malformed)?;
        let (body, tag) = slot.split_at_mut(pt_len);
        if src.len() == pt_len {
            let t = aead::seal_to(
                &enc_key,
                &chunk_nonce(i, last),
                LABEL_ATTACHMENT_CHUNK,
                src,
                body,
            )
            .map_err(|_| Error::Malformed)?;
            tag.copy_from_slice(&t);
            Ok(())
        } else {
            let (data, fill) = body
                .split_at_mut_checked(src.len())
                .ok_or(Error::Malformed)?;
            data.copy_from_slice(src);
            fill.fill(0);
            seal_slot(&enc_key, i, last, slot)
        }
    });
    if let Err(e) = sealed {
        // Some slots may still hold file bytes.
        out.zeroize();
        out.clear();
        return Err(e.into());
    }
    Ok(pointer)
}

/// Decrypts an attachment (SPEC.md section 13, REQ-ATT-001, REQ-ATT-002,
/// REQ-ATT-003), checking in this order:
///
/// 1. `len(ciphertext) = ciphertext_len(length)`, else [`Error::Malformed`];
/// 2. the first 32 bytes are the key's commitment (constant time), else
///    [`Error::AuthenticationFailed`], before any chunk is opened;
/// 3. every chunk opens under the chunk key with its index and last flag
///    (in parallel from [`PARALLEL_MIN_CHUNKS`] chunks), else
///    [`Error::AuthenticationFailed`];
/// 4. the fill `F'[length..P]` is all zero, else [`Error::Malformed`].
///
/// The error says which ([`AttachmentError::Length`],
/// [`AttachmentError::Commitment`], [`AttachmentError::Chunk`] with the
/// chunk's index, [`AttachmentError::Fill`]); its `kind()` is the kind
/// above.
pub fn open(pointer: &AttachmentPointer, ciphertext: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    open_tuned(pointer, ciphertext, Tuning::DEFAULT)
}

/// [`open`] into a buffer the caller owns and may reuse: on success `out`
/// holds the file (resized to its length; whatever it held is
/// overwritten). Each chunk's tag is checked over the ciphertext before its
/// plaintext is written, straight into its place in `out`, so a reused
/// buffer makes opening cost the AEAD and nothing else.
///
/// Errors: as [`open`], in the same order; on error `out` is zeroized and
/// emptied, so it never holds unauthenticated or partial plaintext.
pub fn open_into(
    pointer: &AttachmentPointer,
    ciphertext: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), AttachmentError> {
    open_tuned_into(pointer, ciphertext, out, Tuning::DEFAULT)
}

/// [`open`] with the given tuning.
pub(super) fn open_tuned(
    pointer: &AttachmentPointer,
    ciphertext: &[u8],
    t: Tuning,
) -> Result<Vec<u8>, AttachmentError> {
    let mut out = Vec::new();
    open_tuned_into(pointer, ciphertext, &mut out, t)?;
    Ok(out)
}

/// [`open_into`] with the given tuning.
pub(super) fn open_tuned_into(
    pointer: &AttachmentPointer,
    ciphertext: &[u8],
    out: &mut Vec<u8>,
    t: Tuning,
) -> Result<(), AttachmentError> {
    let opened = open_padded_into(pointer, ciphertext, out, t);
    if opened.is_err() {
        out.zeroize();
        out.clear();
    }
    opened
}

/// The checks and decryption of [`open_into`], leaving `out` to its caller
/// to wipe on error.
pub(super) fn open_padded_into(
    pointer: &AttachmentPointer,
    ciphertext: &[u8],
    out: &mut Vec<u8>,
    t: Tuning,
) -> Result<(), AttachmentError> {
    let length = pointer.length();
    let expected = ciphertext_len(length);
    let actual = ciphertext.len() as u64;
    if actual != expected {
        return Err(AttachmentError::Length { expected, actual });
    }
    let (p, n) = sizes(length)?;
    let (commitment, chunks) = ciphertext
        .split_at_checked(COMMITMENT_LEN)
        .ok_or(AttachmentError::Length { expected, actual })?;
    let enc_key = open_commitment(pointer.key(), commitment)?;
    let enc_key: &[u8; 32] = &enc_key;
    out.resize(p, 0);
    if p == 0 {
        // One empty chunk: what follows the commitment is its 16-byte tag.
        open_chunk(enc_key, 0, true, chunks).map_err(|_| AttachmentError::Chunk { index: 0 })?;
    } else {
        let n = n as u64;
        // Each chunk is decrypted from the ciphertext straight into its
        // place in the output, after its tag verified. The length check
        // above makes every split exact, so any failure is the chunk's.
        let open_one = |(i, (plain, sealed)): (usize, (&mut [u8], &[u8]))| {
            let i = i as u64;
            let failed = AttachmentError::Chunk { index: i };
            let (ct, tag) = sealed.split_at_checked(plain.len()).ok_or(failed)?;
            let tag: &[u8; TAG_LEN] = tag
                .try_into()
                .map_err(|_| AttachmentError::Chunk { index: i })?;
            aead::open_to(
                enc_key,
                &chunk_nonce(i, i + 1 == n),
                LABEL_ATTACHMENT_CHUNK,
                ct,
                tag,
                plain,
            )
            .map_err(|_| AttachmentError::Chunk { index: i })
        };
        #[cfg(feature = "parallel")]
        let parallel = n >= u64::try_from(t.parallel_min_chunks).unwrap_or(u64::MAX);
        #[cfg(feature = "parallel")]
        if parallel {
            // The lowest failing chunk, as on the sequential path (see
            // `parallel::for_each_slot`).
            out.par_chunks_mut(CHUNK_LEN)
                .zip(chunks.par_chunks(SEALED_CHUNK_LEN))
                .enumerate()
                .map(open_one)
                .find_first(Result::is_err)
                .unwrap_or(Ok(()))?;
        }
        #[cfg(not(feature = "parallel"))]
        let (parallel, _) = (false, t);
        if !parallel {
            out.chunks_mut(CHUNK_LEN)
                .zip(chunks.chunks(SEALED_CHUNK_LEN))
                .enumerate()
                .try_for_each(open_one)?;
        }
    }
    let length = usize::try_from(length).map_err(|_| AttachmentError::TooLarge)?;
    let (_, fill) = out.split_at_checked(length).ok_or(AttachmentError::Fill)?;
    if !bool::from(all_zero(fill)) {
        return Err(AttachmentError::Fill);
    }
    out.truncate(length);
    Ok(())
}
