//! Test doubles: an RNG that replays given bytes (the spec's explicit
//! randomness, into the impl's `CryptoRng`), and readers and writers with
//! arbitrary read sizes and injected failures.

use std::io::{self, Read, Write};

pub use xchat::replay::Replay;

/// A reader over `data` whose `read` calls return the sizes of `sizes` in
/// turn (a size of 0 is read as 1; an empty list reads whole buffers).
/// With `fail_at = Some((n, kind))`, the `n`-th call fails with `kind`
/// (once, if `kind` is `Interrupted`; else every call from then on).
pub struct Chunked<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    call: usize,
    fail_at: Option<(usize, io::ErrorKind)>,
}

impl<'a> Chunked<'a> {
    /// A reader with the given read sizes and no failure.
    pub fn new(data: &'a [u8], sizes: Vec<usize>) -> Self {
        Chunked {
            data,
            sizes,
            call: 0,
            fail_at: None,
        }
    }

    /// The same reader failing at call `n` with `kind`.
    pub fn failing(mut self, n: usize, kind: io::ErrorKind) -> Self {
        self.fail_at = Some((n, kind));
        self
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let call = self.call;
        self.call += 1;
        if let Some((n, kind)) = self.fail_at {
            if call == n || (call > n && kind != io::ErrorKind::Interrupted) {
                return Err(io::Error::from(kind));
            }
        }
        let want = if self.sizes.is_empty() {
            buf.len()
        } else {
            self.sizes[call % self.sizes.len()].max(1)
        };
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A writer into a `Vec` that fails once `limit` bytes were written (if
/// set), and accepts at most `step` bytes per call (if non-zero).
pub struct Sink {
    /// What was written.
    pub out: Vec<u8>,
    limit: Option<usize>,
    step: usize,
}

impl Sink {
    /// A writer with no limit, whole writes.
    pub fn new() -> Self {
        Sink {
            out: Vec::new(),
            limit: None,
            step: 0,
        }
    }

    /// A writer that fails past `limit` bytes and takes `step` bytes per call.
    pub fn limited(limit: Option<usize>, step: usize) -> Self {
        Sink {
            out: Vec::new(),
            limit,
            step,
        }
    }
}

impl Default for Sink {
    fn default() -> Self {
        Sink::new()
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut n = buf.len();
        if self.step > 0 {
            n = n.min(self.step);
        }
        if let Some(limit) = self.limit {
            if self.out.len() + n > limit {
                return Err(io::Error::other("sink full"));
            }
        }
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
