//! Handles (SPEC.md section 5) and their fixed-length encoding `EncHandle`
//! (SPEC.md section 4.2); mirrors `xchat_spec::handle`.
//!
//! A [`Handle`] can only be built by [`parse_handle`] (or `str::parse`) and
//! [`read_handle`], so every value is canonical: 1 to 15 bytes of
//! `[a-z0-9_]`. Two handles are the same handle iff they are `==`
//! (REQ-HANDLE-002).

use core::fmt;
use core::str::FromStr;

use crate::encoding::Reader;
use crate::Error;

/// Maximum handle length in bytes (SPEC.md section 5).
pub const MAX_HANDLE_LEN: usize = 15;
/// Length of `EncHandle(h)` (SPEC.md section 4.2).
pub const ENC_HANDLE_LEN: usize = 16;

/// A canonical handle (SPEC.md section 5): stored as its 16-byte encoding
/// `EncHandle(h)`, whose invariant (length 1..=15, canonical bytes, zero
/// padding) every constructor checks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle {
    enc: [u8; ENC_HANDLE_LEN],
}

/// Whether `b` is a character of a canonical handle, `[a-z0-9_]`.
fn is_canonical_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
}

/// Parses a user-supplied handle: 1 to 15 bytes of `[A-Za-z0-9_]`, returned
/// in canonical ASCII-lowercase form; anything else (empty, too long, any
/// other byte, including non-ASCII) is [`Error::InvalidHandle`] (SPEC.md
/// section 5, REQ-HANDLE-001, REQ-HANDLE-002).
pub fn parse_handle(input: &[u8]) -> Result<Handle, Error> {
    if input.is_empty() || input.len() > MAX_HANDLE_LEN {
        return Err(Error::InvalidHandle);
    }
    let mut enc = [0u8; ENC_HANDLE_LEN];
    let (len, body) = enc.split_at_mut(1);
    for (out, &b) in body.iter_mut().zip(input) {
        let lower = b.to_ascii_lowercase();
        if !is_canonical_char(lower) {
            return Err(Error::InvalidHandle);
        }
        *out = lower;
    }
    len.copy_from_slice(&[u8::try_from(input.len()).map_err(|_| Error::InvalidHandle)?]);
    Ok(Handle { enc })
}

/// The canonical bytes of a handle (`[a-z0-9_]`, 1 to 15 of them), without
/// length or padding (SPEC.md section 5).
pub fn handle_bytes(h: &Handle) -> &[u8] {
    let len = usize::from(h.enc[0]);
    h.enc.get(1..1 + len).unwrap_or_default()
}

/// `EncHandle(h) = u8(len(h)) || h || zeros(15 - len(h))`, always 16 bytes
/// (SPEC.md section 4.2).
pub fn enc_handle(h: &Handle) -> [u8; ENC_HANDLE_LEN] {
    h.enc
}

/// Reads `EncHandle(h)` strictly: fewer than 16 bytes left is
/// [`Error::Malformed`]; a length byte of 0 or above 15, non-zero padding,
/// or a byte outside `[a-z0-9_]` (including uppercase: the encoding
/// carries only canonical handles) is [`Error::InvalidHandle`] (SPEC.md
/// section 4.2, REQ-ENC-002).
pub fn read_handle(r: &mut Reader<'_>) -> Result<Handle, Error> {
    let enc = r.array::<ENC_HANDLE_LEN>()?;
    let (&len, body) = enc.split_first().ok_or(Error::InvalidHandle)?;
    let len = usize::from(len);
    if len == 0 || len > MAX_HANDLE_LEN {
        return Err(Error::InvalidHandle);
    }
    let valid = body.iter().enumerate().all(|(i, &b)| {
        if i < len {
            is_canonical_char(b)
        } else {
            b == 0
        }
    });
    if valid {
        Ok(Handle { enc })
    } else {
        Err(Error::InvalidHandle)
    }
}

impl Handle {
    /// The canonical handle as a string (it is ASCII; its bytes are
    /// [`handle_bytes`]).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(handle_bytes(self)).unwrap_or_default()
    }
}

impl FromStr for Handle {
    type Err = Error;

    /// [`parse_handle`] of the string's bytes (REQ-HANDLE-001).
    fn from_str(s: &str) -> Result<Self, Error> {
        parse_handle(s.as_bytes())
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle({:?})", self.as_str())
    }
}
