//! Attachment encryption (SPEC.md section 13): the STREAM construction
//! (Hoang, Reyhanitabar, Rogaway, Vizár, CRYPTO 2015) with
//! ChaCha20-Poly1305 behind a key commitment; mirrors
//! `xchat_spec::attachment`.
//!
//! The pointer key `K` is fresh randomness and never an AEAD key:
//! `HKDF(zeros(32), K, "XCHAT-1 attachment key", 64)` gives the chunk key
//! `enc_key` and the 32-byte `commitment` that starts the ciphertext. The
//! file is padded with zeros to `padme(len(F))`, cut into chunks of
//! [`CHUNK_LEN`] bytes, and chunk `i` is sealed under `enc_key` with the
//! nonce `zeros(3) || u64(i) || u8(last)` and associated data
//! `"XCHAT-1 attachment chunk"`. The pointer carries the kind, `K` and the
//! plaintext length. Nothing hashes the ciphertext: the only per-byte work
//! is the AEAD (and the copies into place), which is what lets attachments
//! run at the ChaCha20-Poly1305 rate (SPEC.md section 13 gives the
//! security argument for dropping the digest).
//!
//! Three ways to use it, all producing the same bytes as the spec:
//!
//! * in memory: [`seal`] and [`open`];
//! * streaming: [`seal_to_writer`] and [`open_from_reader`], which hold at
//!   most [`STREAM_BATCH_CHUNKS`] chunks in memory;
//! * chunk by chunk: [`open_commitment`] (check the first 32 bytes, get the
//!   chunk key), then [`open_chunk`]; [`attachment_keys`] and [`seal_chunk`]
//!   to seal.
//!
//! Whenever at least [`PARALLEL_MIN_CHUNKS`] chunks are processed at once,
//! they are sealed or opened in parallel with rayon (feature `parallel`, on
//! by default; in a pool of one
//! thread this is the sequential loop); each chunk is independent
//! (REQ-ATT-001), so the output is byte for byte that of the sequential
//! path.

use std::io::{ErrorKind, Read, Write};

use rand_core::CryptoRng;
#[cfg(feature = "parallel")]
use rayon::prelude::*;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::content::{AttachmentPointer, MediaKind};
use crate::crypto::hash;
use crate::crypto::{aead, random_array};
use crate::encoding::{LABEL_ATTACHMENT_CHUNK, LABEL_ATTACHMENT_KEY};
use crate::error::AttachmentError;
use crate::padding::{all_zero, padme};
use crate::Error;

/// Largest attachment, in bytes: `2^63` (SPEC.md sections 11 and 13),
/// re-exported from [`crate::content`], which defines it with the pointer
/// whose `length` it bounds: `attachment` depends on `content`, never the
/// other way round (no module cycle), as in the spec.
pub use crate::content::MAX_ATTACHMENT_LEN;

/// Plaintext chunk length `CHUNK` (SPEC.md section 13).
pub const CHUNK_LEN: usize = 65536;
/// Length of the tag each sealed chunk carries (RFC 8439, section 2.8).
pub const TAG_LEN: usize = aead::TAG_LEN;
/// Length of a sealed chunk that is not the last: `CHUNK + 16`.
pub const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;
/// Length of the key commitment that starts every ciphertext (SPEC.md
/// section 13).
pub const COMMITMENT_LEN: usize = 32;
/// From this many chunks processed at once (512 KiB), chunks are sealed
/// and opened in parallel (rayon); below it the thread hand-off costs more
/// than it saves.
pub const PARALLEL_MIN_CHUNKS: usize = 8;
/// Chunks the streaming functions read, process and write at a time (2 MiB
/// of plaintext): the memory they need.
pub const STREAM_BATCH_CHUNKS: usize = 32;

/// `CHUNK_LEN` as a `u64`.
const CHUNK_U64: u64 = 65536;

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
fn chunk_count(p: u64) -> u64 {
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
fn seal_slot(enc_key: &[u8; 32], index: u64, last: bool, slot: &mut [u8]) -> Result<(), Error> {
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
fn open_slot(enc_key: &[u8; 32], index: u64, last: bool, slot: &mut [u8]) -> Result<(), Error> {
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
fn open_error(e: Error) -> Error {
    match e {
        Error::AuthenticationFailed => Error::AuthenticationFailed,
        _ => Error::Malformed,
    }
}

/// Runs `f(j, slot)` on the consecutive `slot_len`-byte slots of `buf` (the
/// last may be shorter), in parallel when there are at least
/// `t.parallel_min_chunks` of them. Reports an error if any call fails.
fn for_each_slot<F, E>(buf: &mut [u8], slot_len: usize, t: Tuning, f: F) -> Result<(), E>
where
    F: Fn(u64, &mut [u8]) -> Result<(), E> + Sync + Send,
    E: Send,
{
    // `usize` to `u64` is lossless on every target Rust supports.
    #[cfg(feature = "parallel")]
    if buf.len().div_ceil(slot_len) >= t.parallel_min_chunks {
        return buf
            .par_chunks_mut(slot_len)
            .enumerate()
            .try_for_each(|(j, s)| f(j as u64, s));
    }
    #[cfg(not(feature = "parallel"))]
    let _ = t;
    buf.chunks_mut(slot_len)
        .enumerate()
        .try_for_each(|(j, s)| f(j as u64, s))
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
fn sizes(length: u64) -> Result<(usize, usize), AttachmentError> {
    let p = padme(length);
    let p_usize = usize::try_from(p).map_err(|_| AttachmentError::TooLarge)?;
    let n = usize::try_from(chunk_count(p)).map_err(|_| AttachmentError::TooLarge)?;
    Ok((p_usize, n))
}

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
fn seal_with_key(
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
fn seal_with_key_into(
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
fn open_tuned(
    pointer: &AttachmentPointer,
    ciphertext: &[u8],
    t: Tuning,
) -> Result<Vec<u8>, AttachmentError> {
    let mut out = Vec::new();
    open_tuned_into(pointer, ciphertext, &mut out, t)?;
    Ok(out)
}

/// [`open_into`] with the given tuning.
fn open_tuned_into(
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
fn open_padded_into(
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
            out.par_chunks_mut(CHUNK_LEN)
                .zip(chunks.par_chunks(SEALED_CHUNK_LEN))
                .enumerate()
                .try_for_each(open_one)?;
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

/// Reads until `buf` is full or the reader ends; returns how many bytes
/// were read. Interrupted reads are retried; other I/O errors are returned.
fn read_full<Rd: Read>(reader: &mut Rd, buf: &mut [u8]) -> std::io::Result<usize> {
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
struct Batch {
    first: u64,
    /// Plaintext length of each chunk of the batch (the last chunk of the
    /// attachment may be shorter than `CHUNK`).
    chunk_lens: Vec<usize>,
}

/// The batch of at most `batch_chunks` chunks from chunk `first` of a
/// padded file of `p` bytes (`n` chunks).
fn next_batch(first: u64, n: u64, p: u64, batch_chunks: usize) -> Result<Batch, AttachmentError> {
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
fn seal_to_writer_with_key<Rd: Read, W: Write>(
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
fn open_from_reader_tuned<Rd: Read, W: Write>(
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

/// When the chunk loops go parallel and how many chunks a stream batch
/// holds; the public functions use [`Tuning::DEFAULT`].
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuning {
    /// Seal or open in parallel from this many chunks at once.
    pub parallel_min_chunks: usize,
    /// Chunks per streaming batch (at least 1).
    pub batch_chunks: usize,
}

impl Tuning {
    /// [`PARALLEL_MIN_CHUNKS`] and [`STREAM_BATCH_CHUNKS`].
    pub const DEFAULT: Tuning = Tuning {
        parallel_min_chunks: PARALLEL_MIN_CHUNKS,
        batch_chunks: STREAM_BATCH_CHUNKS,
    };
}

/// Not part of the API: the attachment functions with an explicit key and
/// [`Tuning`], so that the differential tests can compare the sequential,
/// parallel and streaming paths with each other and with the spec.
#[doc(hidden)]
pub mod testing {
    use super::*;

    /// [`seal`](super::seal) with the key given.
    pub fn seal(
        kind: MediaKind,
        key: &[u8; 32],
        file: &[u8],
        t: Tuning,
    ) -> Result<(AttachmentPointer, Vec<u8>), AttachmentError> {
        seal_with_key(kind, key, file, t)
    }

    /// [`open`](super::open) with the given tuning.
    pub fn open(
        pointer: &AttachmentPointer,
        ciphertext: &[u8],
        t: Tuning,
    ) -> Result<Vec<u8>, AttachmentError> {
        open_tuned(pointer, ciphertext, t)
    }

    /// [`seal_to_writer`](super::seal_to_writer) with the key given.
    pub fn seal_to_writer<Rd: Read, W: Write>(
        kind: MediaKind,
        key: &[u8; 32],
        reader: Rd,
        writer: W,
        len: u64,
        t: Tuning,
    ) -> Result<AttachmentPointer, AttachmentError> {
        if len > MAX_ATTACHMENT_LEN {
            return Err(AttachmentError::TooLarge);
        }
        seal_to_writer_with_key(kind, key, reader, writer, len, t)
    }

    /// [`open_from_reader`](super::open_from_reader) with the given tuning.
    pub fn open_from_reader<Rd: Read, W: Write>(
        pointer: &AttachmentPointer,
        reader: Rd,
        writer: W,
        t: Tuning,
    ) -> Result<u64, AttachmentError> {
        open_from_reader_tuned(pointer, reader, writer, t)
    }
}
