//! Handles (SPEC.md section 5) and their fixed-length encoding `EncHandle`
//! (SPEC.md section 4.2).
//!
//! A [`Handle`] can only be built by [`parse_handle`] or [`read_handle`],
//! so every value of the type is canonical: 1 to 15 bytes of `[a-z0-9_]`,
//! followed by zero bytes. Equality of handles (REQ-HANDLE-002) is then
//! plain equality of the type.

use crate::encoding::read_bytes;
use crate::Error;

/// Maximum handle length in bytes (SPEC.md section 5).
pub const MAX_HANDLE_LEN: usize = 15;
/// Length of `EncHandle(h)` (SPEC.md section 4.2).
pub const ENC_HANDLE_LEN: usize = 16;

/// A canonical handle: `len` bytes of `[a-z0-9_]` in `bytes[0..len]`, zero
/// bytes after them (SPEC.md section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle {
    len: u8,
    bytes: [u8; MAX_HANDLE_LEN],
}

/// Whether `b` is a character of a canonical handle, `[a-z0-9_]`
/// (SPEC.md section 5).
fn is_canonical_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
}

/// The canonical (lowercase) form of an input character of
/// `[A-Za-z0-9_]`, or `None` for any other byte (SPEC.md section 5).
fn canonical_char(b: u8) -> Option<u8> {
    let lower = b.to_ascii_lowercase();
    if is_canonical_char(lower) {
        Some(lower)
    } else {
        None
    }
}

/// Parses a user-supplied handle: 1 to 15 bytes of `[A-Za-z0-9_]`, returned
/// in canonical ASCII-lowercase form; anything else (empty, too long, any
/// other byte, including non-ASCII) is `InvalidHandle` (SPEC.md section 5,
/// REQ-HANDLE-001, REQ-HANDLE-002).
pub fn parse_handle(input: &[u8]) -> Result<Handle, Error> {
    if input.is_empty() || input.len() > MAX_HANDLE_LEN {
        return Err(Error::InvalidHandle);
    }
    let mut bytes = [0u8; MAX_HANDLE_LEN];
    let mut valid = true;
    for i in 0..input.len() {
        match canonical_char(input[i]) {
            Some(c) => bytes[i] = c,
            None => valid = false,
        }
    }
    if valid {
        // cast: input.len() <= 15 was checked above, so it fits in a u8.
        let len = input.len() as u8;
        Ok(Handle { len, bytes })
    } else {
        Err(Error::InvalidHandle)
    }
}

/// The canonical bytes of a handle, without length or padding (SPEC.md
/// section 5).
pub fn handle_bytes(h: &Handle) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..usize::from(h.len) {
        out.push(h.bytes[i]);
    }
    out
}

/// `EncHandle(h) = u8(len(h)) || h || zeros(15 - len(h))`, always 16 bytes
/// (SPEC.md section 4.2).
pub fn enc_handle(h: &Handle) -> [u8; ENC_HANDLE_LEN] {
    let mut out = [0u8; ENC_HANDLE_LEN];
    out[0] = h.len;
    // Bytes past `len` are zero by the type's invariant: they are the padding.
    for i in 0..MAX_HANDLE_LEN {
        out[1 + i] = h.bytes[i];
    }
    out
}

/// Reads `EncHandle(h)` strictly: fewer than 16 bytes left is `Malformed`;
/// a length byte of 0 or above 15, non-zero padding, or a byte outside
/// `[a-z0-9_]` (including uppercase: the encoding carries only canonical
/// handles) is `InvalidHandle` (SPEC.md section 4.2, REQ-ENC-002).
pub fn read_handle(input: &[u8], pos: usize) -> Result<(Handle, usize), Error> {
    let (enc, next) = read_bytes(input, pos, ENC_HANDLE_LEN)?;
    let len = usize::from(enc[0]);
    if len == 0 || len > MAX_HANDLE_LEN {
        return Err(Error::InvalidHandle);
    }
    let mut bytes = [0u8; MAX_HANDLE_LEN];
    let mut valid = true;
    for i in 0..MAX_HANDLE_LEN {
        let b = enc[1 + i];
        if i < len {
            valid = valid && is_canonical_char(b);
        } else {
            valid = valid && b == 0;
        }
        bytes[i] = b;
    }
    if valid {
        Ok((Handle { len: enc[0], bytes }, next))
    } else {
        Err(Error::InvalidHandle)
    }
}
