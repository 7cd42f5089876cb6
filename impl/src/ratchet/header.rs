//! Ratchet headers and their encryption (SPEC.md section 9):
//! `HEADER(dh, pn, n)`, `HENCRYPT`, `HDECRYPT`, and the split of a
//! `RatchetBody` (section 9.4).

use crate::crypto::aead;
use crate::encoding::{LABEL_HEADER, TAG_X25519};
use crate::Error;

/// Length of `HEADER(dh, pn, n) = EncX(dh) || u32(pn) || u32(n)` (SPEC.md section 9).
pub const HEADER_LEN: usize = 41;
/// Length of the header nonce of `HENCRYPT` (SPEC.md section 9).
pub const HEADER_NONCE_LEN: usize = 24;
/// Length of `HENCRYPT(hk, header, nonce)`: nonce, header, tag (SPEC.md section 9).
pub const ENC_HEADER_LEN: usize = 81;
/// Length of an AEAD tag, the ciphertext expansion of `ENCRYPT` (SPEC.md section 9.4).
pub const TAG_LEN: usize = 16;

/// A decoded `HEADER(dh, pn, n)` (SPEC.md section 9). All public.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The sender's current ratchet public key.
    pub dh: [u8; 32],
    /// Number of messages in the sender's previous sending chain.
    pub pn: u32,
    /// Number of this message in its chain.
    pub n: u32,
}

/// `HEADER(dh, pn, n)` (SPEC.md section 9, REQ-RATCHET-001).
pub fn header(dh: &[u8; 32], pn: u32, n: u32) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    let (key, rest) = out.split_at_mut(33);
    let (pn_out, n_out) = rest.split_at_mut(4);
    if let Some((tag, body)) = key.split_first_mut() {
        *tag = TAG_X25519;
        body.copy_from_slice(dh);
    }
    pn_out.copy_from_slice(&pn.to_be_bytes());
    n_out.copy_from_slice(&n.to_be_bytes());
    out
}

/// Decodes a header strictly (SPEC.md section 9): key tag `0x01`, exactly
/// 41 bytes, and `n < 2^32 - 1`; anything else is `Malformed`.
pub fn read_header(bytes: &[u8]) -> Result<Header, Error> {
    let bytes: &[u8; HEADER_LEN] = bytes.try_into().map_err(|_| Error::Malformed)?;
    let (tag, rest) = bytes.split_first().ok_or(Error::Malformed)?;
    if *tag != TAG_X25519 {
        return Err(Error::Malformed);
    }
    let (dh, rest) = rest.split_at_checked(32).ok_or(Error::Malformed)?;
    let (pn, n) = rest.split_at_checked(4).ok_or(Error::Malformed)?;
    let dh: [u8; 32] = dh.try_into().map_err(|_| Error::Malformed)?;
    let pn = u32::from_be_bytes(pn.try_into().map_err(|_| Error::Malformed)?);
    let n = u32::from_be_bytes(n.try_into().map_err(|_| Error::Malformed)?);
    if n == u32::MAX {
        return Err(Error::Malformed);
    }
    Ok(Header { dh, pn, n })
}

/// `HENCRYPT(hk, header, nonce) = nonce || XAEAD(hk, nonce, "XCHAT-1 header", header)`
/// (SPEC.md section 9, REQ-RATCHET-001).
pub fn hencrypt(
    hk: &[u8; 32],
    header: &[u8; HEADER_LEN],
    nonce: &[u8; HEADER_NONCE_LEN],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENC_HEADER_LEN);
    out.extend_from_slice(nonce);
    out.extend_from_slice(&aead::xseal(hk, nonce, LABEL_HEADER, header));
    out
}

/// `HDECRYPT(hk, enc_header)`: the header, or `None` if `enc_header` is not
/// exactly 81 bytes (like a failed open), does not authenticate under `hk`,
/// or does not decode (SPEC.md section 9, REQ-RATCHET-001).
pub fn hdecrypt(hk: &[u8; 32], enc_header: &[u8]) -> Option<Header> {
    if enc_header.len() != ENC_HEADER_LEN {
        return None;
    }
    let (nonce, sealed) = enc_header.split_at_checked(HEADER_NONCE_LEN)?;
    let nonce: &[u8; HEADER_NONCE_LEN] = nonce.try_into().ok()?;
    let plain = aead::xopen(hk, nonce, LABEL_HEADER, sealed).ok()?;
    read_header(&plain).ok()
}

/// Splits a `RatchetBody` into `enc_header` and ciphertext; shorter than
/// `81 + 16` bytes is `Malformed` (SPEC.md section 9.4).
pub fn split_body(body: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    if body.len() < ENC_HEADER_LEN + TAG_LEN {
        return Err(Error::Malformed);
    }
    body.split_at_checked(ENC_HEADER_LEN)
        .ok_or(Error::Malformed)
}
