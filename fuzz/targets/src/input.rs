//! The input format of every target, and its writer for the seeds.
//!
//! An input is read front to back; every read succeeds (missing bytes read
//! as zeros, so any byte string is a valid input):
//!
//! * `u8`: one byte; `u16`, `u32`, `u64`: big-endian;
//! * `array::<N>`: `N` bytes;
//! * `var`: a `u32` length `L`, then `min(L, remaining)` bytes;
//! * `rest`: everything left.
//!
//! [`Writer`] writes the same items, so that a seed is exactly the input
//! that makes a target redo a vector's case.

/// A reader over a fuzz input.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.data.len()
    }

    /// Up to `n` bytes (fewer if the input ends).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.data.split_at(n.min(self.data.len()));
        self.data = tail;
        head
    }

    /// `N` bytes, zero-filled past the end of the input.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let src = self.take(N);
        out[..src.len()].copy_from_slice(src);
        out
    }

    /// One byte (0 past the end).
    pub fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    /// A big-endian `u16`.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes(self.array())
    }

    /// A big-endian `u32`.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.array())
    }

    /// A big-endian `u64`.
    pub fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.array())
    }

    /// A flag (the low bit of a byte).
    pub fn flag(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// A length-prefixed byte string (`u32` length).
    pub fn var(&mut self) -> &'a [u8] {
        let n = self.u32() as usize;
        self.take(n)
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        let n = self.data.len();
        self.take(n)
    }
}

/// The writer of [`Input`]'s format (seed generation).
#[derive(Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    /// An empty input.
    pub fn new() -> Self {
        Writer::default()
    }

    /// Raw bytes (an `array` or the `rest`).
    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.out.extend_from_slice(b);
        self
    }

    /// One byte.
    pub fn u8(self, x: u8) -> Self {
        self.bytes(&[x])
    }

    /// A big-endian `u16`.
    pub fn u16(self, x: u16) -> Self {
        self.bytes(&x.to_be_bytes())
    }

    /// A big-endian `u32`.
    pub fn u32(self, x: u32) -> Self {
        self.bytes(&x.to_be_bytes())
    }

    /// A big-endian `u64`.
    pub fn u64(self, x: u64) -> Self {
        self.bytes(&x.to_be_bytes())
    }

    /// A length-prefixed byte string.
    pub fn var(self, b: &[u8]) -> Self {
        let n = u32::try_from(b.len()).unwrap_or(u32::MAX);
        self.u32(n).bytes(b)
    }

    /// The input.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}
