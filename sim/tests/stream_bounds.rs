//! Bounded memory of streaming attachments (issue 13, part 4; SPEC.md
//! section 16): `attachment::seal_to_writer` and
//! `attachment::open_from_reader` hold one batch of at most
//! `STREAM_BATCH_CHUNKS` sealed chunks on the heap, whatever the size of the
//! attachment, and a hostile stream (too long, cut, tampered) cannot make
//! them hold more.
//!
//! A counting global allocator records the live heap bytes and their peak.
//! The figures are exact byte counts of this process's allocations, not
//! timings: the batch buffer is one allocation of exactly
//! `k * SEALED_CHUNK_LEN` bytes for a batch of `k` chunks, plus the batch's
//! layout (`STREAM_BATCH_CHUNKS` lengths). Measured here: exactly those two
//! (2,097,920 bytes for any attachment of at least one full batch). What
//! rayon's pool may allocate while it seals a batch's chunks in parallel
//! is the only other heap use (none in the runs measured); the slack below
//! allows for it on other machines.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use xchat::attachment::{
    self, open_from_reader, seal_to_writer, CHUNK_LEN, COMMITMENT_LEN, SEALED_CHUNK_LEN,
    STREAM_BATCH_CHUNKS,
};
use xchat::error::AttachmentError;
use xchat::MediaKind;

/// Counts the bytes currently allocated and the highest count since the
/// last [`reset_peak`].
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests of this file measure one process-wide counter, so they take
/// turns.
static SERIAL: Mutex<()> = Mutex::new(());

/// Bytes rayon's pool may allocate for the jobs of one batch (job
/// queues, latches): small and independent of the attachment's size. The
/// first parallel call builds the pool itself, so every measurement below
/// runs after a warm-up.
const RAYON_SLACK: usize = 64 * 1024;

/// The batch buffer of the streaming functions: SPEC.md section 16's bound.
const BATCH_BYTES: usize = STREAM_BATCH_CHUNKS * SEALED_CHUNK_LEN;

/// The batch's layout, the plaintext length of each of its chunks (a
/// `Vec<usize>` with room for `STREAM_BATCH_CHUNKS`).
const LAYOUT_BYTES: usize = STREAM_BATCH_CHUNKS * std::mem::size_of::<usize>();

/// What one streaming call holds at its peak: the batch buffer and its
/// layout (2,097,920 bytes on a 64-bit target), measured exactly here.
const HELD: usize = BATCH_BYTES + LAYOUT_BYTES;

/// Runs `f` and returns its result and the peak of live heap bytes above
/// what was live when it started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.load(Ordering::SeqCst);
    PEAK.store(start, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(start))
}

/// A reader of `len` file bytes (a counter pattern) that allocates nothing.
struct Pattern {
    left: u64,
    next: u8,
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for b in &mut buf[..k] {
            *b = self.next;
            self.next = self.next.wrapping_add(1);
        }
        self.left -= k as u64;
        Ok(k)
    }
}

fn pattern(len: u64) -> Pattern {
    Pattern { left: len, next: 0 }
}

fn rng(seed: u8) -> rand_chacha::ChaCha20Rng {
    rand_core::SeedableRng::from_seed([seed; 32])
}

/// Seals `len` pattern bytes streaming into a sink; returns the pointer and
/// the peak heap bytes it used.
fn seal_peak(len: u64, seed: u8) -> (xchat::AttachmentPointer, usize) {
    let (pointer, peak) = peak_during(|| {
        seal_to_writer(
            MediaKind::File,
            &mut rng(seed),
            pattern(len),
            io::sink(),
            len,
        )
    });
    (pointer.expect("seal_to_writer"), peak)
}

fn warm_up() {
    let _ = seal_peak(4 * CHUNK_LEN as u64, 0);
}

#[test]
fn streaming_seal_holds_one_batch_whatever_the_size() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    warm_up();
    let mut peaks = Vec::new();
    // 8 MiB (4 full batches), 64 MiB (32 batches) and a size whose last
    // batch is partial: the peak is the first (full) batch in every case.
    for (len, seed) in [(8u64 << 20, 1u8), (64 << 20, 2), ((5 << 20) + 12345, 3)] {
        let (_, peak) = seal_peak(len, seed);
        println!("seal_to_writer {len} bytes: peak {peak} heap bytes (batch buffer {BATCH_BYTES})");
        assert!(
            (HELD..=HELD + RAYON_SLACK).contains(&peak),
            "seal of {len} bytes peaked at {peak} heap bytes, not one batch and its layout ({HELD}) plus at most {RAYON_SLACK}"
        );
        peaks.push(peak);
    }
    // A small attachment needs less than one batch: the buffer is the
    // batch's size, not a fixed maximum.
    let small = 3 * CHUNK_LEN as u64;
    let (_, peak) = seal_peak(small, 4);
    let sealed_small = attachment::ciphertext_len(small) as usize - COMMITMENT_LEN;
    println!("seal_to_writer {small} bytes: peak {peak} heap bytes (its chunks: {sealed_small})");
    assert!(
        (sealed_small + LAYOUT_BYTES..=sealed_small + LAYOUT_BYTES + RAYON_SLACK).contains(&peak),
        "small seal peaked at {peak}"
    );
}

/// A reader of the ciphertext `prefix` followed by pattern bytes, `total`
/// bytes in all; with `tamper`, byte `tamper` of the stream is flipped.
struct Cipher<'a> {
    prefix: &'a [u8],
    pos: u64,
    total: u64,
    tamper: Option<u64>,
}

impl Read for Cipher<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = buf
            .len()
            .min(usize::try_from(self.total - self.pos).unwrap_or(usize::MAX));
        for (j, b) in buf[..k].iter_mut().enumerate() {
            let at = self.pos + j as u64;
            *b = usize::try_from(at)
                .ok()
                .and_then(|i| self.prefix.get(i).copied())
                .unwrap_or(0x5a);
            if self.tamper == Some(at) {
                *b ^= 1;
            }
        }
        self.pos += k as u64;
        Ok(k)
    }
}

#[test]
fn streaming_open_holds_one_batch_even_for_hostile_streams() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    warm_up();
    let len = 8u64 << 20;
    // The ciphertext is kept in memory before each measurement starts, so
    // it does not count.
    let mut ct = Vec::new();
    let pointer = seal_to_writer(MediaKind::Photo, &mut rng(9), pattern(len), &mut ct, len)
        .expect("seal_to_writer");
    let total = ct.len() as u64;
    // (name, bytes the reader serves, byte to flip, the result expected)
    type StreamCase = (&'static str, u64, Option<u64>, Result<u64, &'static str>);
    let cases: [StreamCase; 4] = [
        ("honest", total, None, Ok(len)),
        // A chunk in the third batch flipped: the first two batches have
        // been opened (and written) before the failure.
        (
            "tampered",
            total,
            Some(COMMITMENT_LEN as u64 + 2 * BATCH_BYTES as u64 + 7),
            Err("chunk"),
        ),
        // An attacker's stream 1 GiB longer than the pointer says: read to
        // `ciphertext_len + 1` bytes and refused, with the same buffer.
        ("extended", total + (1 << 30), None, Err("length")),
        ("cut", total - 1, None, Err("length")),
    ];
    for (name, stream_len, tamper, want) in cases {
        let reader = Cipher {
            prefix: &ct,
            pos: 0,
            total: stream_len,
            tamper,
        };
        let (got, peak) = peak_during(|| open_from_reader(&pointer, reader, io::sink()));
        println!("open_from_reader {name}: peak {peak} heap bytes (batch buffer {BATCH_BYTES})");
        match (&got, want) {
            (Ok(n), Ok(m)) => assert_eq!(*n, m),
            (Err(AttachmentError::Chunk { .. }), Err("chunk")) => {}
            (Err(AttachmentError::Length { .. }), Err("length")) => {}
            _ => panic!("{name}: {got:?}, expected {want:?}"),
        }
        assert!(
            (HELD..=HELD + RAYON_SLACK).contains(&peak),
            "{name}: open peaked at {peak} heap bytes, not one batch and its layout ({HELD}) plus at most {RAYON_SLACK}"
        );
    }
}
