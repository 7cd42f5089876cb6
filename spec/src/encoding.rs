//! Wire encodings shared by every protocol structure (SPEC.md section 4):
//! big-endian integers, the version byte, tagged public keys, and a strict
//! reader.
//!
//! Decoding reads from `(input, pos)` and returns the value with the new
//! position, so a decoder is a straight sequence of `read_*` calls ending in
//! [`expect_end`]; any shortfall is `Malformed`, never a panic.

use crate::Error;

/// The wire version of XCHAT-1 (SPEC.md section 4.3).
pub const VERSION: u8 = 0x01;

/// Type tag of an X25519 public key encoding (SPEC.md section 4.1).
pub const TAG_X25519: u8 = 0x01;
/// Type tag of an Ed25519 public key encoding (SPEC.md section 4.1).
pub const TAG_ED25519: u8 = 0x02;
/// Type tag of an ML-KEM-768 encapsulation key encoding (SPEC.md section 4.1).
pub const TAG_ML_KEM_768: u8 = 0x03;

/// Length of `EncX` and `EncEd` (SPEC.md section 4.1).
pub const ENC_KEY32_LEN: usize = 33;
/// Length of `EncKem` (SPEC.md section 4.1).
pub const ENC_KEM_LEN: usize = 1 + crate::ml_kem::EK_LEN;

/// `u32(x)`: four bytes, big-endian (SPEC.md section 2).
pub fn u32_be(x: u32) -> [u8; 4] {
    x.to_be_bytes()
}

/// `tag || key` for a 32-byte key: `EncX` or `EncEd` (SPEC.md section 4.1,
/// REQ-ENC-001).
pub fn enc_key32(tag: u8, key: &[u8; 32]) -> [u8; ENC_KEY32_LEN] {
    let mut out = [0u8; ENC_KEY32_LEN];
    out[0] = tag;
    for i in 0..32 {
        out[1 + i] = key[i];
    }
    out
}

/// `EncX(pk)`, the tagged X25519 public key (SPEC.md section 4.1, REQ-ENC-001).
pub fn enc_x25519(pk: &[u8; 32]) -> [u8; ENC_KEY32_LEN] {
    enc_key32(TAG_X25519, pk)
}

/// `EncEd(pk)`, the tagged Ed25519 public key (SPEC.md section 4.1, REQ-ENC-001).
pub fn enc_ed25519(pk: &[u8; 32]) -> [u8; ENC_KEY32_LEN] {
    enc_key32(TAG_ED25519, pk)
}

/// `EncKem(ek)`, the tagged ML-KEM-768 encapsulation key (SPEC.md section
/// 4.1, REQ-ENC-001). `ek` is written as given; callers hold checked keys.
pub fn enc_ml_kem(ek: &[u8]) -> Vec<u8> {
    let mut out = vec![TAG_ML_KEM_768];
    out.extend_from_slice(ek);
    out
}

/// Reads one byte (SPEC.md section 2).
pub fn read_u8(input: &[u8], pos: usize) -> Result<(u8, usize), Error> {
    if pos < input.len() {
        Ok((input[pos], pos + 1))
    } else {
        Err(Error::Malformed)
    }
}

/// Reads `n` bytes (SPEC.md section 2).
pub fn read_bytes(input: &[u8], pos: usize, n: usize) -> Result<(Vec<u8>, usize), Error> {
    if pos <= input.len() && n <= input.len() - pos {
        Ok((input[pos..pos + n].to_vec(), pos + n))
    } else {
        Err(Error::Malformed)
    }
}

/// Reads 16 bytes into an array, e.g. a mailbox id (SPEC.md section 2).
pub fn read_array16(input: &[u8], pos: usize) -> Result<([u8; 16], usize), Error> {
    let (bytes, next) = read_bytes(input, pos, 16)?;
    let mut out = [0u8; 16];
    for i in 0..16 {
        out[i] = bytes[i];
    }
    Ok((out, next))
}

/// Reads 32 bytes into an array (SPEC.md section 2).
pub fn read_array32(input: &[u8], pos: usize) -> Result<([u8; 32], usize), Error> {
    let (bytes, next) = read_bytes(input, pos, 32)?;
    let mut out = [0u8; 32];
    for i in 0..32 {
        out[i] = bytes[i];
    }
    Ok((out, next))
}

/// Reads 64 bytes into an array, e.g. an Ed25519 signature (SPEC.md section 2).
pub fn read_array64(input: &[u8], pos: usize) -> Result<([u8; 64], usize), Error> {
    let (bytes, next) = read_bytes(input, pos, 64)?;
    let mut out = [0u8; 64];
    for i in 0..64 {
        out[i] = bytes[i];
    }
    Ok((out, next))
}

/// Reads a big-endian `u32` (SPEC.md section 4.3).
pub fn read_u32(input: &[u8], pos: usize) -> Result<(u32, usize), Error> {
    let (b, next) = read_bytes(input, pos, 4)?;
    Ok((u32::from_be_bytes([b[0], b[1], b[2], b[3]]), next))
}

/// Reads a big-endian `u64` (SPEC.md section 4.3).
pub fn read_u64(input: &[u8], pos: usize) -> Result<(u64, usize), Error> {
    let (b, next) = read_bytes(input, pos, 8)?;
    Ok((
        u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        next,
    ))
}

/// Reads the version byte: `UnsupportedVersion` unless it is `0x01`
/// (SPEC.md section 4.3, REQ-ENC-003).
pub fn read_version(input: &[u8], pos: usize) -> Result<usize, Error> {
    let (v, next) = read_u8(input, pos)?;
    if v == VERSION {
        Ok(next)
    } else {
        Err(Error::UnsupportedVersion)
    }
}

/// Reads a tagged 32-byte key with the expected `tag`; any other tag is
/// `Malformed` (SPEC.md section 4.1, REQ-ENC-001).
pub fn read_key32(input: &[u8], pos: usize, tag: u8) -> Result<([u8; 32], usize), Error> {
    let (t, next) = read_u8(input, pos)?;
    if t == tag {
        read_array32(input, next)
    } else {
        Err(Error::Malformed)
    }
}

/// Reads `EncX(pk)` (SPEC.md section 4.1, REQ-ENC-001).
pub fn read_x25519(input: &[u8], pos: usize) -> Result<([u8; 32], usize), Error> {
    read_key32(input, pos, TAG_X25519)
}

/// Reads `EncEd(pk)` (SPEC.md section 4.1, REQ-ENC-001).
pub fn read_ed25519(input: &[u8], pos: usize) -> Result<([u8; 32], usize), Error> {
    read_key32(input, pos, TAG_ED25519)
}

/// Reads `EncKem(ek)` (SPEC.md section 4.1, REQ-ENC-001). Only the tag and
/// length are checked here; the modulus check is REQ-SUITE-002's.
pub fn read_ml_kem(input: &[u8], pos: usize) -> Result<(Vec<u8>, usize), Error> {
    let (t, next) = read_u8(input, pos)?;
    if t == TAG_ML_KEM_768 {
        read_bytes(input, next, crate::ml_kem::EK_LEN)
    } else {
        Err(Error::Malformed)
    }
}

/// Succeeds only if `pos` is the end of `input`: trailing bytes are
/// `Malformed` (SPEC.md section 4.3, REQ-ENC-003).
pub fn expect_end(input: &[u8], pos: usize) -> Result<(), Error> {
    if pos == input.len() {
        Ok(())
    } else {
        Err(Error::Malformed)
    }
}
