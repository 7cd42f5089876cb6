//! Streaming attachments (SPEC.md section 13): [`seal_to_writer`] and
//! [`open_from_reader`], holding at most `STREAM_BATCH_CHUNKS` chunks in
//! memory.

use std::io::{ErrorKind, Read, Write};

use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use crate::content::{AttachmentPointer, MediaKind};
use crate::crypto::random_array;
use crate::error::AttachmentError;
use crate::padding::{all_zero, padme};

use super::format::{
    attachment_keys, chunk_count, ciphertext_len, open_commitment, open_slot, seal_slot,
};
use super::parallel::{for_each_slot, Tuning};
#[cfg(doc)]
use super::STREAM_BATCH_CHUNKS;
use super::{CHUNK_U64, COMMITMENT_LEN, MAX_ATTACHMENT_LEN, SEALED_CHUNK_LEN, TAG_LEN};
#[cfg(doc)]
use crate::Error;

/// Reads until `buf` is full or the reader ends; returns how many bytes
/// were read. Interrupted reads are retried; other I/O errors are returned.
pub(super) fn read_full<Rd: Read>(reader: &mut Rd, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match reader.read(rest) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The layout of one batch of the stream: chunk indices `first..first + k`
/// and the plaintext bytes each chunk carries (its part of `P`).
pub(super) struct Batch {
    first: u64,
    /// Plaintext length of each chunk of the batch (the last chunk of the
    /// attachment may be shorter than `CHUNK`).
    chunk_lens: Vec<usize>,
}

/// The batch of at most `batch_chunks` chunks from chunk `first` of a
/// padded file of `p` bytes (`n` chunks).
pub(super) fn next_batch(
    first: u64,
    n: u64,
    p: u64,
    batch_chunks: usize,
) -> Result<Batch, AttachmentError> {
    let batch_chunks = batch_chunks.max(1);
    let end = n.min(first.saturating_add(batch_chunks as u64));
    let mut chunk_lens = Vec::with_capacity(batch_chunks);
    for i in first..end {
        let start = i.saturating_mul(CHUNK_U64);
        let len = p.saturating_sub(start).min(CHUNK_U64);
        chunk_lens.push(usize::try_from(len).map_err(|_| AttachmentError::TooLarge)?);
    }
    Ok(Batch { first, chunk_lens })
}

impl Batch {
    /// Bytes of the batch's sealed chunks.
    fn sealed_len(&self) -> usize {
        self.chunk_lens.iter().map(|l| l + TAG_LEN).sum()
    }
}

/// Encrypts `len` bytes read from `reader` into `writer`, streaming
/// (SPEC.md section 13, REQ-ATT-001, REQ-ATT-003): the same ciphertext and
/// pointer as [`seal`] on those bytes with the same key, the commitment
/// written first, then the chunks [`STREAM_BATCH_CHUNKS`] at a time (in
/// parallel within a batch).
///
/// Randomness: one draw of 32 bytes, the key `K`, after the length check.
///
/// Reads exactly `len` bytes (does not look past them). Errors:
/// [`Error::Malformed`] for `len` above [`MAX_ATTACHMENT_LEN`];
/// [`Error::Io`] if the reader ends early (`UnexpectedEof`) or either side
/// fails. On error the writer has received a prefix of the ciphertext,
/// which is useless without the pointer.
pub fn seal_to_writer<R, Rd, W>(
    kind: MediaKind,
    rng: &mut R,
    reader: Rd,
    writer: W,
    len: u64,
) -> Result<AttachmentPointer, AttachmentError>
where
    R: CryptoRng + ?Sized,
    Rd: Read,
    W: Write,
{
    if len > MAX_ATTACHMENT_LEN {
        return Err(AttachmentError::TooLarge);
    }
    let key = random_array::<32, R>(rng);
    seal_to_writer_with_key(kind, &key, reader, writer, len, Tuning::DEFAULT)
}

/// [`seal_to_writer`] with the key given.
pub(super) fn seal_to_writer_with_key<Rd: Read, W: Write>(
    kind: MediaKind,
    key: &[u8; 32],
    mut reader: Rd,
    mut writer: W,
    len: u64,
    t: Tuning,
) -> Result<AttachmentPointer, AttachmentError> {
    let p = padme(len);
    let n = chunk_count(p);
    let (enc_key, commitment) = attachment_keys(key)?;
    let enc_key: &[u8; 32] = &enc_key;
    writer.write_all(&commitment)?;
    let mut buf = Zeroizing::new(Vec::new());
    let mut first = 0u64;
    while first < n {
        let batch = next_batch(first, n, p, t.batch_chunks)?;
        buf.clear();
        buf.resize(batch.sealed_len(), 0);
        // Fill each slot's plaintext part: file bytes, then zeros (the
        // buffer was zeroed), leaving the tag room at the end.
        for (j, (slot, &chunk_len)) in buf
            .chunks_mut(SEALED_CHUNK_LEN)
            .zip(&batch.chunk_lens)
            .enumerate()
        {
            let start = (batch.first + j as u64).saturating_mul(CHUNK_U64);
            let file_bytes = len.saturating_sub(start).min(chunk_len as u64);
            let file_bytes = usize::try_from(file_bytes).map_err(|_| AttachmentError::TooLarge)?;
            reader.read_exact(
                slot.get_mut(..file_bytes)
                    .ok_or(AttachmentError::TooLarge)?,
            )?;
        }
        let first_index = batch.first;
        for_each_slot(&mut buf, SEALED_CHUNK_LEN, t, |j, slot| {
            let i = first_index + j;
            seal_slot(enc_key, i, i + 1 == n, slot)
        })?;
        writer.write_all(&buf)?;
        first = first.saturating_add(batch.chunk_lens.len() as u64);
    }
    writer.flush()?;
    Ok(AttachmentPointer::new(kind, *key, len)?)
}

/// Decrypts an attachment streamed from `reader` into `writer` (SPEC.md
/// section 13, REQ-ATT-001, REQ-ATT-002, REQ-ATT-003): the commitment
/// first, then [`STREAM_BATCH_CHUNKS`] chunks at a time (in parallel within
/// a batch); returns the plaintext length.
///
/// **The writer receives plaintext before the attachment is fully
/// checked.** Nothing is written unless the commitment matched, and every
/// chunk written has passed its AEAD check (with its index and last flag),
/// but the length and the zero fill are only known at the end of the
/// stream. If this function returns an error, the caller MUST discard
/// everything written (e.g. write to a temporary file and rename it only on
/// `Ok`, or write into a buffer). Nothing is written after the first chunk
/// that fails.
///
/// The result is the spec's for the same bytes: the stream is read to its
/// end (at most `ciphertext_len(length) + 1` bytes) even after a failed
/// check, without opening any more chunks, so that the errors come in the
/// spec's order:
/// 1. more or fewer bytes than `ciphertext_len(length)`: [`Error::Malformed`];
/// 2. a commitment that is not the key's: [`Error::AuthenticationFailed`]
///    (no chunk is opened);
/// 3. a chunk that fails: [`Error::AuthenticationFailed`];
/// 4. a non-zero fill byte: [`Error::Malformed`].
///
/// I/O failures are [`Error::Io`], reported at once.
pub fn open_from_reader<Rd: Read, W: Write>(
    pointer: &AttachmentPointer,
    reader: Rd,
    writer: W,
) -> Result<u64, AttachmentError> {
    open_from_reader_tuned(pointer, reader, writer, Tuning::DEFAULT)
}

/// [`open_from_reader`] with the given tuning.
pub(super) fn open_from_reader_tuned<Rd: Read, W: Write>(
    pointer: &AttachmentPointer,
    mut reader: Rd,
    mut writer: W,
    t: Tuning,
) -> Result<u64, AttachmentError> {
    let length = pointer.length();
    if length > MAX_ATTACHMENT_LEN {
        return Err(AttachmentError::TooLarge);
    }
    let expected = ciphertext_len(length);
    let p = padme(length);
    let n = chunk_count(p);
    let mut commitment = [0u8; COMMITMENT_LEN];
    let got = read_full(&mut reader, &mut commitment)?;
    if got < COMMITMENT_LEN {
        // Shorter than every ciphertext (at least 48 bytes).
        return Err(AttachmentError::Length {
            expected,
            actual: got as u64,
        });
    }
    let enc_key = match open_commitment(pointer.key(), &commitment) {
        Ok(enc_key) => enc_key,
        Err(_) => {
            // No chunk is opened; the rest of the stream is only counted,
            // because a wrong length (check 1) comes before the commitment.
            let rest = expected.saturating_sub(COMMITMENT_LEN as u64);
            let seen = std::io::copy(
                &mut reader.by_ref().take(rest.saturating_add(1)),
                &mut std::io::sink(),
            )?;
            return Err(if seen == rest {
                AttachmentError::Commitment
            } else {
                AttachmentError::Length {
                    expected,
                    actual: (COMMITMENT_LEN as u64).saturating_add(seen),
                }
            });
        }
    };
    let enc_key: &[u8; 32] = &enc_key;
    let mut buf = Zeroizing::new(Vec::new());
    let mut read = COMMITMENT_LEN as u64;
    let mut short = false;
    let mut chunk_failed = None;
    let mut fill_ok = true;
    let mut first = 0u64;
    while first < n && !short {
        let batch = next_batch(first, n, p, t.batch_chunks)?;
        buf.clear();
        buf.resize(batch.sealed_len(), 0);
        let got = read_full(&mut reader, &mut buf)?;
        read = read.saturating_add(got as u64);
        if got < buf.len() {
            short = true;
        } else if chunk_failed.is_none() {
            let first_index = batch.first;
            let opened = for_each_slot(&mut buf, SEALED_CHUNK_LEN, t, |j, slot| {
                let i = first_index + j;
                open_slot(enc_key, i, i + 1 == n, slot).map_err(|_| i)
            });
            if let Err(index) = opened {
                chunk_failed = Some(index);
            } else {
                for (j, (slot, &chunk_len)) in buf
                    .chunks(SEALED_CHUNK_LEN)
                    .zip(&batch.chunk_lens)
                    .enumerate()
                {
                    let start = (batch.first + j as u64).saturating_mul(CHUNK_U64);
                    let keep = length.saturating_sub(start).min(chunk_len as u64);
                    let keep = usize::try_from(keep).map_err(|_| AttachmentError::TooLarge)?;
                    let plain = slot.get(..chunk_len).ok_or(AttachmentError::Fill)?;
                    let (data, fill) = plain.split_at_checked(keep).ok_or(AttachmentError::Fill)?;
                    fill_ok &= bool::from(all_zero(fill));
                    if fill_ok && !data.is_empty() {
                        writer.write_all(data)?;
                    }
                }
            }
        }
        first = first.saturating_add(batch.chunk_lens.len() as u64);
    }
    buf.zeroize();
    let extended = !short && read_full(&mut reader, &mut [0u8; 1])? > 0;
    if short || extended {
        return Err(AttachmentError::Length {
            expected,
            actual: read.saturating_add(u64::from(extended)),
        });
    }
    if let Some(index) = chunk_failed {
        return Err(AttachmentError::Chunk { index });
    }
    if !fill_ok {
        return Err(AttachmentError::Fill);
    }
    writer.flush()?;
    Ok(length)
}
