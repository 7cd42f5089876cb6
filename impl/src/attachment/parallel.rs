//! The chunk loops: in parallel on a rayon pool (feature `parallel`) from
//! [`Tuning::parallel_min_chunks`] chunks, on the calling thread otherwise.
//! Each chunk is independent (REQ-ATT-001), so both give the same bytes.

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::{PARALLEL_MIN_CHUNKS, STREAM_BATCH_CHUNKS};

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

/// Runs `f(j, slot)` on the consecutive `slot_len`-byte slots of `buf` (the
/// last may be shorter), in parallel when there are at least
/// `t.parallel_min_chunks` of them. Reports the error of the lowest failing
/// slot, on both paths: which chunk an open blames must not depend on
/// thread timing (rayon's `try_for_each` returns whichever failure it met
/// first).
pub(super) fn for_each_slot<F, E>(buf: &mut [u8], slot_len: usize, t: Tuning, f: F) -> Result<(), E>
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
            .map(|(j, s)| f(j as u64, s))
            .find_first(Result::is_err)
            .unwrap_or(Ok(()));
    }
    #[cfg(not(feature = "parallel"))]
    let _ = t;
    buf.chunks_mut(slot_len)
        .enumerate()
        .try_for_each(|(j, s)| f(j as u64, s))
}
