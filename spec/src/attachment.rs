//! Attachment encryption (SPEC.md section 13): the STREAM construction of
//! V. T. Hoang, R. Reyhanitabar, P. Rogaway, D. Vizár, "Online
//! Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance",
//! CRYPTO 2015, instantiated with ChaCha20-Poly1305 (RFC 8439), behind a
//! key commitment.
//!
//! The pointer key `K` (fresh randomness) is never an AEAD key itself:
//! `HKDF(zeros(32), K, "XCHAT-1 attachment key", 64)` gives the chunk key
//! `enc_key` and a 32-byte `commitment`. ChaCha20-Poly1305 does not commit
//! to its key, so without the commitment one ciphertext could open to two
//! different files under two keys; with it, a ciphertext opens under at
//! most one `K` (short of an HKDF collision).
//!
//! The file is padded to a Padme length (section 10's `padme`, no minimum),
//! cut into chunks of [`CHUNK_LEN`] bytes, and chunk `i` is sealed under
//! `enc_key` with the nonce `zeros(3) || u64(i) || u8(last)`. The counter
//! stops chunks from being reordered, the last-chunk flag stops a stream
//! from being truncated or extended at a chunk boundary, and each chunk can
//! be opened on its own as it arrives, once the commitment (the first 32
//! bytes of the ciphertext) has been checked. The pointer (section 11)
//! carries the kind, `K` and the plaintext length; there is no digest of
//! the ciphertext (section 13 says why).

use crate::chacha20poly1305;
use crate::content::{AttachmentPointer, MediaKind};
use crate::padding::padme;
use crate::suite::{kdf, key_at, LABEL_ATTACHMENT_CHUNK, LABEL_ATTACHMENT_KEY};
use crate::Error;

/// Largest attachment, in bytes: `2^63` (SPEC.md sections 11 and 13),
/// re-exported from [`crate::content`], which defines it with the pointer
/// whose `length` it bounds: `attachment` depends on `content`, never the
/// other way round (no module cycle).
pub use crate::content::MAX_ATTACHMENT_LEN;

/// Plaintext chunk length `CHUNK` (SPEC.md section 13).
pub const CHUNK_LEN: usize = 65536;
/// Length of the ChaCha20-Poly1305 tag each sealed chunk carries (RFC 8439,
/// section 2.8).
pub const TAG_LEN: usize = chacha20poly1305::TAG_LEN;
/// Length of a sealed chunk that is not the last: `CHUNK + 16`.
pub const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;
/// Length of the key commitment that starts every ciphertext (SPEC.md
/// section 13).
pub const COMMITMENT_LEN: usize = 32;

/// `x` as a `u64`.
fn to_u64(x: usize) -> u64 {
    // cast: usize is at most 64 bits on every target Rust supports.
    x as u64
}

/// The chunk key and the key commitment of attachment key `key`:
/// `OKM = HKDF(zeros(32), K, "XCHAT-1 attachment key", 64)`,
/// `enc_key = OKM[0..32]`, `commitment = OKM[32..64]` (SPEC.md section 13,
/// REQ-ATT-003). HKDF is a PRF keyed by `K` here, so `enc_key` is as secret
/// as `K` and independent of the public `commitment`, and two keys with
/// the same commitment are an HKDF-SHA-256 collision.
pub fn attachment_keys(key: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    // 64 bytes is far below RFC 5869's limit of 255 * 32, so `kdf` cannot
    // fail; the `Err` arm is never taken.
    match kdf(&[0u8; 32], key, LABEL_ATTACHMENT_KEY, 64) {
        Ok(okm) => (key_at(&okm, 0), key_at(&okm, 32)),
        Err(_) => ([0u8; 32], [0u8; 32]),
    }
}

/// Checks the key commitment `commitment` (the first [`COMMITMENT_LEN`]
/// bytes of a ciphertext) against attachment key `key` and returns the
/// chunk key `enc_key` (SPEC.md section 13, check 2 of REQ-ATT-002,
/// REQ-ATT-003).
/// A receiver that opens chunks as they stream in gets the key for
/// [`open_chunk`] only from here, so the commitment is checked before chunk
/// 0 is opened. Compared plainly: this crate is not constant time.
///
/// Errors: [`Error::Malformed`] if `commitment` is not 32 bytes (the
/// ciphertext is shorter than any ciphertext); [`Error::AuthenticationFailed`]
/// if it is not `key`'s commitment (e.g. the ciphertext was sealed under
/// another key).
pub fn open_commitment(key: &[u8; 32], commitment: &[u8]) -> Result<[u8; 32], Error> {
    if commitment.len() != COMMITMENT_LEN {
        return Err(Error::Malformed);
    }
    let (enc_key, expected) = attachment_keys(key);
    let mut equal = true;
    for i in 0..COMMITMENT_LEN {
        if commitment[i] != expected[i] {
            equal = false;
        }
    }
    if equal {
        Ok(enc_key)
    } else {
        Err(Error::AuthenticationFailed)
    }
}

/// The STREAM nonce of chunk `index`: `zeros(3) || u64(index) || u8(last)`
/// (SPEC.md section 13 step 4, REQ-ATT-001; Hoang et al. CRYPTO 2015's STREAM
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
/// `CHUNK` bytes, the last one at most `CHUNK` (SPEC.md section 13 step 3).
pub fn pre_seal_chunk(last: bool, chunk_len: usize) -> bool {
    if last {
        chunk_len <= CHUNK_LEN
    } else {
        chunk_len == CHUNK_LEN
    }
}

/// Seals chunk `index` under the chunk key `enc_key` (from
/// [`attachment_keys`], never the pointer key itself):
/// `AEAD(enc_key, zeros(3) || u64(i) || u8(last), "XCHAT-1 attachment chunk",
/// chunk)` (SPEC.md section 13 step 4, REQ-ATT-001).
#[cfg_attr(hax, hax_lib::requires(pre_seal_chunk(last, chunk.len())))]
pub fn seal_chunk(enc_key: &[u8; 32], index: u64, last: bool, chunk: &[u8]) -> Vec<u8> {
    chacha20poly1305::seal(
        enc_key,
        &chunk_nonce(index, last),
        LABEL_ATTACHMENT_CHUNK,
        chunk,
    )
}

/// Opens one sealed chunk on its own under the chunk key `enc_key`, e.g. as
/// it streams in (SPEC.md section 13, REQ-ATT-001, REQ-ATT-002); a streaming
/// receiver gets `enc_key` from [`open_commitment`], which checks the
/// commitment first.
///
/// Errors: [`Error::Malformed`] if a chunk that is not the last is not
/// exactly `CHUNK + 16` bytes, or the last one is shorter than 16 or longer
/// than `CHUNK + 16`; [`Error::AuthenticationFailed`] if the tag does not
/// verify under this index and flag (a chunk moved to another position, or
/// a last chunk opened as non-last or the reverse).
pub fn open_chunk(
    enc_key: &[u8; 32],
    index: u64,
    last: bool,
    sealed: &[u8],
) -> Result<Vec<u8>, Error> {
    let len_ok = sealed.len() >= TAG_LEN && pre_seal_chunk(last, sealed.len() - TAG_LEN);
    if !len_ok {
        return Err(Error::Malformed);
    }
    match chacha20poly1305::open(
        enc_key,
        &chunk_nonce(index, last),
        LABEL_ATTACHMENT_CHUNK,
        sealed,
    ) {
        Ok(chunk) => Ok(chunk),
        Err(Error::AuthenticationFailed) => Err(Error::AuthenticationFailed),
        // Only InvalidLength remains, excluded by the length check above.
        Err(_) => Err(Error::Malformed),
    }
}

/// The number of chunks `n = max(1, ceil(P / CHUNK))` of a padded file of
/// `p` bytes (SPEC.md section 13 step 3).
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
/// `32 + P + 16 n` with `P = padme(plaintext_len)` and
/// `n = max(1, ceil(P / CHUNK))` (SPEC.md section 13, REQ-ATT-001). Outside
/// [`pre_ciphertext_len`] the sum saturates at `u64::MAX`, a length no
/// ciphertext has.
#[cfg_attr(hax, hax_lib::requires(pre_ciphertext_len(plaintext_len)))]
pub fn ciphertext_len(plaintext_len: u64) -> u64 {
    let p = padme(plaintext_len);
    let tags = chunk_count(p).saturating_mul(to_u64(TAG_LEN));
    to_u64(COMMITMENT_LEN)
        .saturating_add(p)
        .saturating_add(tags)
}

/// Encrypts attachment `file` under the fresh random key `key` (SPEC.md
/// section 13 steps 1-5, REQ-ATT-001, REQ-ATT-003): derives `enc_key` and
/// `commitment`, pads the file with zeros to `padme(len(file))`, seals each
/// chunk under `enc_key`, and returns the pointer (kind, `key`, length) and
/// the ciphertext `commitment || sealed chunks`.
pub fn seal(kind: MediaKind, key: &[u8; 32], file: &[u8]) -> (AttachmentPointer, Vec<u8>) {
    let (enc_key, commitment) = attachment_keys(key);
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
    let mut ciphertext = Vec::with_capacity(COMMITMENT_LEN + p + n * TAG_LEN);
    ciphertext.extend_from_slice(&commitment);
    for i in 0..n {
        let start = i * CHUNK_LEN;
        let end = if start + CHUNK_LEN < p {
            start + CHUNK_LEN
        } else {
            p
        };
        let sealed = seal_chunk(&enc_key, to_u64(i), i + 1 == n, &padded[start..end]);
        ciphertext.extend_from_slice(&sealed);
    }
    let pointer = AttachmentPointer {
        kind,
        key: *key,
        length,
    };
    (pointer, ciphertext)
}

/// Decrypts an attachment (SPEC.md section 13, REQ-ATT-001, REQ-ATT-002,
/// REQ-ATT-003), checking in this order:
///
/// 1. `len(ciphertext) = ciphertext_len(length)`, else `Malformed` (a
///    truncated or extended ciphertext fails here);
/// 2. `ciphertext[0..32]` is the pointer key's commitment, else
///    `AuthenticationFailed`, before any chunk is opened (a ciphertext
///    sealed under another key fails here);
/// 3. every chunk opens under `enc_key` with its index and last flag, else
///    `AuthenticationFailed` (tampered, reordered, truncated or extended
///    chunks);
/// 4. the fill `F'[length..P]` is all zero, else `Malformed`.
pub fn open(pointer: &AttachmentPointer, ciphertext: &[u8]) -> Result<Vec<u8>, Error> {
    if pointer.length > MAX_ATTACHMENT_LEN
        || to_u64(ciphertext.len()) != ciphertext_len(pointer.length)
    {
        return Err(Error::Malformed);
    }
    // The length matched, so the ciphertext is at least 48 bytes.
    let enc_key = open_commitment(&pointer.key, &ciphertext[0..COMMITMENT_LEN])?;
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
            let start = COMMITMENT_LEN + i * SEALED_CHUNK_LEN;
            let end = if start + SEALED_CHUNK_LEN < ciphertext.len() {
                start + SEALED_CHUNK_LEN
            } else {
                ciphertext.len()
            };
            match open_chunk(&enc_key, to_u64(i), i + 1 == n, &ciphertext[start..end]) {
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
