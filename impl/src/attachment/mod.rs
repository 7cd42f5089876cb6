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
//!
//! One concern per file: `format.rs` (keys, commitment, nonces, lengths,
//! one chunk), `memory.rs` (whole attachments in memory), `stream.rs`
//! (readers and writers), `parallel.rs` (the chunk loops).

use crate::crypto::aead;

mod format;
mod memory;
mod parallel;
mod stream;

pub use format::{
    attachment_keys, chunk_nonce, ciphertext_len, ciphertext_len_checked, open_chunk,
    open_commitment, seal_chunk,
};
pub use memory::{open, open_into, seal, seal_into};
#[cfg(feature = "hazmat")]
pub use parallel::Tuning;
pub use stream::{open_from_reader, seal_to_writer};

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

/// Not part of the API: the attachment functions with an explicit key and
/// [`Tuning`], so that the differential tests can compare the sequential,
/// parallel and streaming paths with each other and with the spec.
#[cfg(feature = "hazmat")]
pub mod testing {
    use std::io::{Read, Write};

    use super::memory::{open_tuned, seal_with_key};
    use super::stream::{open_from_reader_tuned, seal_to_writer_with_key};
    use super::{Tuning, MAX_ATTACHMENT_LEN};
    use crate::content::{AttachmentPointer, MediaKind};
    use crate::error::AttachmentError;

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
