//! Attachment encryption (SPEC.md section 13): the STREAM construction of
//! V. T. Hoang, R. Reyhanitabar, P. Rogaway, D. Vizár, "Online
//! Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance",
//! CRYPTO 2015, instantiated with ChaCha20-Poly1305 (RFC 8439).
//!
//! The file is padded to a Padme length (section 10's `padme`, no minimum),
//! cut into chunks of [`CHUNK_LEN`] bytes, and chunk `i` is sealed under the
//! nonce `zeros(3) || u64(i) || u8(last)`. The counter stops chunks from
//! being reordered, the last-chunk flag stops a stream from being truncated
//! or extended at a chunk boundary, and each chunk can be opened on its own
//! as it arrives. The pointer (section 11) carries the key, the plaintext
//! length and the SHA-256 of the whole ciphertext.

use crate::chacha20poly1305;
use crate::content::{AttachmentPointer, MediaKind};
use crate::padding::padme;
use crate::sha2::sha256;
use crate::suite::LABEL_ATTACHMENT;
use crate::Error;

/// Plaintext chunk length `CHUNK` (SPEC.md section 13).
pub const CHUNK_LEN: usize = 65536;
/// Length of the ChaCha20-Poly1305 tag each sealed chunk carries (RFC 8439,
/// section 2.8).
pub const TAG_LEN: usize = chacha20poly1305::TAG_LEN;
/// Length of a sealed chunk that is not the last: `CHUNK + 16`.
pub const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;
/// Largest attachment, in bytes: `2^63` (SPEC.md sections 11 and 13). Up
/// to there `padme(length)` and [`ciphertext_len`] fit in 64 bits.
pub const MAX_ATTACHMENT_LEN: u64 = 1 << 63;

/// `x` as a `u64`.
fn to_u64(x: usize) -> u64 {
    // cast: usize is at most 64 bits on every target Rust supports.
    x as u64
}

/// The STREAM nonce of chunk `index`: `zeros(3) || u64(index) || u8(last)`
/// (SPEC.md section 13 step 3, REQ-ATT-001; Hoang et al. CRYPTO 2015's STREAM
/// nonce, with a 64-bit counter and a one-byte last-chunk flag).
pub fn chunk_nonce(index: u64, last: bool) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    let counter = index.to_be_bytes();
    for i in 0..8 {
        nonce[3 + i] = counter[i];
    }
    nonce[11] = u8::from(last);
    nonce
}

/// Precondition of [`seal_chunk`]: a chunk that is not the last is exactly
/// `CHUNK` bytes, the last one at most `CHUNK` (SPEC.md section 13 step 2).
pub fn pre_seal_chunk(last: bool, chunk_len: usize) -> bool {
    if last {
        chunk_len <= CHUNK_LEN
    } else {
        chunk_len == CHUNK_LEN
    }
}

/// Seals chunk `index`: `AEAD(K, zeros(3) || u64(i) || u8(last),
/// "XCHAT-1 attachment", chunk)` (SPEC.md section 13 step 3, REQ-ATT-001).
#[cfg_attr(hax, hax_lib::requires(pre_seal_chunk(last, chunk.len())))]
pub fn seal_chunk(key: &[u8; 32], index: u64, last: bool, chunk: &[u8]) -> Vec<u8> {
    chacha20poly1305::seal(key, &chunk_nonce(index, last), LABEL_ATTACHMENT, chunk)
}

/// Opens one sealed chunk on its own, e.g. as it streams in (SPEC.md
/// section 13, REQ-ATT-001, REQ-ATT-002).
///
/// Errors: [`Error::Malformed`] if a chunk that is not the last is not
/// exactly `CHUNK + 16` bytes, or the last one is shorter than 16 or longer
/// than `CHUNK + 16`; [`Error::AuthenticationFailed`] if the tag does not
/// verify under this index and flag (a chunk moved to another position, or
/// a last chunk opened as non-last or the reverse).
pub fn open_chunk(key: &[u8; 32], index: u64, last: bool, sealed: &[u8]) -> Result<Vec<u8>, Error> {
    let len_ok = sealed.len() >= TAG_LEN && pre_seal_chunk(last, sealed.len() - TAG_LEN);
    if !len_ok {
        return Err(Error::Malformed);
    }
    match chacha20poly1305::open(key, &chunk_nonce(index, last), LABEL_ATTACHMENT, sealed) {
        Ok(chunk) => Ok(chunk),
        Err(Error::AuthenticationFailed) => Err(Error::AuthenticationFailed),
        // Only InvalidLength remains, excluded by the length check above.
        Err(_) => Err(Error::Malformed),
    }
}

/// The number of chunks `n = max(1, ceil(P / CHUNK))` of a padded file of
/// `p` bytes (SPEC.md section 13 step 2).
fn chunk_count(p: u64) -> u64 {
    let n = p.div_ceil(to_u64(CHUNK_LEN));
    if n == 0 {
        1
    } else {
        n
    }
}

/// Precondition of [`ciphertext_len`]: `plaintext_len <= 2^63`
/// (SPEC.md section 13).
pub fn pre_ciphertext_len(plaintext_len: u64) -> bool {
    plaintext_len <= MAX_ATTACHMENT_LEN
}

/// The ciphertext length of an attachment of `plaintext_len` bytes:
/// `P + 16 n` with `P = padme(plaintext_len)` and `n = max(1, ceil(P / CHUNK))`
/// (SPEC.md section 13, REQ-ATT-001). Outside [`pre_ciphertext_len`] the
/// sum saturates at `u64::MAX`, a length no ciphertext has.
#[cfg_attr(hax, hax_lib::requires(pre_ciphertext_len(plaintext_len)))]
pub fn ciphertext_len(plaintext_len: u64) -> u64 {
    let p = padme(plaintext_len);
    let tags = chunk_count(p).saturating_mul(to_u64(TAG_LEN));
    p.saturating_add(tags)
}

/// Encrypts attachment `file` under the fresh random key `key` (SPEC.md
/// section 13 steps 1-4, REQ-ATT-001): pads it with zeros to
/// `padme(len(file))`, seals each chunk, and returns the pointer (with
/// `SHA-256(ciphertext)` as its digest) and the ciphertext.
pub fn seal(kind: MediaKind, key: &[u8; 32], file: &[u8]) -> (AttachmentPointer, Vec<u8>) {
    let length = to_u64(file.len());
    let p_u64 = padme(length);
    // A slice is at most isize::MAX bytes and padme adds at most 12%, so
    // `P` fits in usize; the fallback (no padding) is never taken.
    let p = match usize::try_from(p_u64) {
        Ok(p) => p,
        Err(_) => file.len(),
    };
    let mut padded = Vec::with_capacity(p);
    padded.extend_from_slice(file);
    padded.resize(p, 0);

    let n = p.div_ceil(CHUNK_LEN);
    let n = if n == 0 { 1 } else { n };
    let mut ciphertext = Vec::with_capacity(p + n * TAG_LEN);
    for i in 0..n {
        let start = i * CHUNK_LEN;
        let end = if start + CHUNK_LEN < p {
            start + CHUNK_LEN
        } else {
            p
        };
        let sealed = seal_chunk(key, to_u64(i), i + 1 == n, &padded[start..end]);
        ciphertext.extend_from_slice(&sealed);
    }
    let pointer = AttachmentPointer {
        kind,
        key: *key,
        length,
        digest: sha256(&ciphertext),
    };
    (pointer, ciphertext)
}

/// Decrypts an attachment (SPEC.md section 13, REQ-ATT-001, REQ-ATT-002),
/// checking in this order:
///
/// 1. `len(ciphertext) = ciphertext_len(length)`, else `Malformed` (a
///    truncated or extended ciphertext fails here);
/// 2. `SHA-256(ciphertext) = digest`, else `AuthenticationFailed`;
/// 3. every chunk opens with its index and last flag, else
///    `AuthenticationFailed` (reordered, truncated or extended chunks);
/// 4. the fill `F'[length..P]` is all zero, else `Malformed`.
pub fn open(pointer: &AttachmentPointer, ciphertext: &[u8]) -> Result<Vec<u8>, Error> {
    if pointer.length > MAX_ATTACHMENT_LEN
        || to_u64(ciphertext.len()) != ciphertext_len(pointer.length)
    {
        return Err(Error::Malformed);
    }
    if sha256(ciphertext) != pointer.digest {
        return Err(Error::AuthenticationFailed);
    }
    // The length matched, so P, n and `length` are at most len(ciphertext)
    // and fit in usize: the conversions below cannot fail.
    let p_u64 = padme(pointer.length);
    let (p, n, length) = match (
        usize::try_from(p_u64),
        usize::try_from(chunk_count(p_u64)),
        usize::try_from(pointer.length),
    ) {
        (Ok(p), Ok(n), Ok(length)) => (p, n, length),
        _ => return Err(Error::Malformed),
    };
    let mut padded = Vec::with_capacity(p);
    let mut result = Ok(());
    for i in 0..n {
        if result.is_ok() {
            let start = i * SEALED_CHUNK_LEN;
            let end = if start + SEALED_CHUNK_LEN < ciphertext.len() {
                start + SEALED_CHUNK_LEN
            } else {
                ciphertext.len()
            };
            match open_chunk(&pointer.key, to_u64(i), i + 1 == n, &ciphertext[start..end]) {
                Ok(chunk) => padded.extend_from_slice(&chunk),
                Err(e) => result = Err(e),
            }
        }
    }
    result?;
    let mut fill_zero = true;
    for i in length..padded.len() {
        if padded[i] != 0 {
            fill_zero = false;
        }
    }
    if fill_zero {
        padded.truncate(length);
        Ok(padded)
    } else {
        Err(Error::Malformed)
    }
}
