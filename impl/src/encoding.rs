//! Wire encodings shared by every protocol structure (SPEC.md section 4):
//! the version byte, big-endian integers, tagged public keys, the labels of
//! SPEC.md section 3.2, and a strict reader; mirrors `xchat_spec::encoding`
//! and the labels of `xchat_spec::suite`.
//!
//! A decoder is a straight sequence of [`Reader`] calls ending in
//! [`Reader::finish`]: every read that the remaining input is too short for
//! is [`Error::Malformed`] (SPEC.md section 4.4), a wrong version byte is
//! [`Error::UnsupportedVersion`], a wrong key tag [`Error::Malformed`], and
//! trailing bytes are [`Error::Malformed`], reported last. So the error of
//! any input is the one the spec reports.

use crate::crypto::ml_kem::EK_LEN;
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
pub const ENC_KEM_LEN: usize = 1 + EK_LEN;

/// `"XCHAT-1 identity binding"` (SPEC.md sections 3.2 and 6).
pub const LABEL_IDENTITY_BINDING: &[u8] = b"XCHAT-1 identity binding";
/// `"XCHAT-1 signed prekey"` (SPEC.md sections 3.2 and 7).
pub const LABEL_SIGNED_PREKEY: &[u8] = b"XCHAT-1 signed prekey";
/// `"XCHAT-1 pq prekey"` (SPEC.md sections 3.2 and 7).
pub const LABEL_PQ_PREKEY: &[u8] = b"XCHAT-1 pq prekey";
/// `"XCHAT-1 handshake"` (SPEC.md sections 3.2 and 8).
pub const LABEL_HANDSHAKE: &[u8] = b"XCHAT-1 handshake";
/// `"XCHAT-1 associated data"` (SPEC.md sections 3.2 and 8).
pub const LABEL_ASSOCIATED_DATA: &[u8] = b"XCHAT-1 associated data";
/// `"XCHAT-1 root ratchet"` (SPEC.md sections 3.2 and 9).
pub const LABEL_ROOT_RATCHET: &[u8] = b"XCHAT-1 root ratchet";
/// `"XCHAT-1 message key"` (SPEC.md sections 3.2 and 9).
pub const LABEL_MESSAGE_KEY: &[u8] = b"XCHAT-1 message key";
/// `"XCHAT-1 header"` (SPEC.md sections 3.2 and 9).
pub const LABEL_HEADER: &[u8] = b"XCHAT-1 header";
/// `"XCHAT-1 sealed sender ephemeral"` (SPEC.md sections 3.2 and 12).
pub const LABEL_SEALED_EPHEMERAL: &[u8] = b"XCHAT-1 sealed sender ephemeral";
/// `"XCHAT-1 sealed sender static"` (SPEC.md sections 3.2 and 12).
pub const LABEL_SEALED_STATIC: &[u8] = b"XCHAT-1 sealed sender static";
/// `"XCHAT-1 sealed sender hedge"` (SPEC.md sections 3.2 and 12).
pub const LABEL_SEALED_HEDGE: &[u8] = b"XCHAT-1 sealed sender hedge";
/// `"XCHAT-1 attachment key"` (SPEC.md sections 3.2 and 13): HKDF `info`
/// of the attachment chunk key and key commitment.
pub const LABEL_ATTACHMENT_KEY: &[u8] = b"XCHAT-1 attachment key";
/// `"XCHAT-1 attachment chunk"` (SPEC.md sections 3.2 and 13): associated
/// data of every sealed attachment chunk.
pub const LABEL_ATTACHMENT_CHUNK: &[u8] = b"XCHAT-1 attachment chunk";
/// `"XCHAT-1 fingerprint"` (SPEC.md sections 3.2 and 14).
pub const LABEL_FINGERPRINT: &[u8] = b"XCHAT-1 fingerprint";

/// Every label of SPEC.md section 3.2, in the table's order (REQ-SUITE-004).
pub const LABELS: [&[u8]; 14] = [
    LABEL_IDENTITY_BINDING,
    LABEL_SIGNED_PREKEY,
    LABEL_PQ_PREKEY,
    LABEL_HANDSHAKE,
    LABEL_ASSOCIATED_DATA,
    LABEL_ROOT_RATCHET,
    LABEL_MESSAGE_KEY,
    LABEL_HEADER,
    LABEL_SEALED_EPHEMERAL,
    LABEL_SEALED_STATIC,
    LABEL_SEALED_HEDGE,
    LABEL_ATTACHMENT_KEY,
    LABEL_ATTACHMENT_CHUNK,
    LABEL_FINGERPRINT,
];

/// `u32(x)`: four bytes, big-endian (SPEC.md section 2).
pub fn u32_be(x: u32) -> [u8; 4] {
    x.to_be_bytes()
}

/// `u64(x)`: eight bytes, big-endian (SPEC.md section 2).
pub fn u64_be(x: u64) -> [u8; 8] {
    x.to_be_bytes()
}

/// `tag || key` for a 32-byte key: `EncX` or `EncEd` (SPEC.md section 4.1,
/// REQ-ENC-001).
pub fn enc_key32(tag: u8, key: &[u8; 32]) -> [u8; ENC_KEY32_LEN] {
    let mut out = [0u8; ENC_KEY32_LEN];
    let (t, k) = out.split_at_mut(1);
    t.copy_from_slice(&[tag]);
    k.copy_from_slice(key);
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
    let mut out = Vec::with_capacity(1 + ek.len());
    out.push(TAG_ML_KEM_768);
    out.extend_from_slice(ek);
    out
}

/// A strict cursor over an encoded structure (SPEC.md sections 2 and 4.4).
///
/// Each `read` consumes the field it names or fails without consuming; all
/// shortfalls are [`Error::Malformed`]. Slices returned borrow the input.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader at the start of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Everything left, consuming it (for a final field that takes "the
    /// rest", such as an envelope's `c2`).
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// Reads `n` bytes (SPEC.md section 2).
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let (head, tail) = self.rest.split_at_checked(n).ok_or(Error::Malformed)?;
        self.rest = tail;
        Ok(head)
    }

    /// Reads `N` bytes into an array (a key, a signature, a digest).
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let (head, tail) = self.rest.split_first_chunk::<N>().ok_or(Error::Malformed)?;
        self.rest = tail;
        Ok(*head)
    }

    /// Reads one byte (SPEC.md section 2).
    pub fn u8(&mut self) -> Result<u8, Error> {
        Ok(u8::from_be_bytes(self.array::<1>()?))
    }

    /// Reads a big-endian `u32` (SPEC.md section 4.3).
    pub fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.array::<4>()?))
    }

    /// Reads a big-endian `u64` (SPEC.md section 4.3).
    pub fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_be_bytes(self.array::<8>()?))
    }

    /// Reads the version byte: [`Error::Malformed`] if absent,
    /// [`Error::UnsupportedVersion`] unless it is `0x01` (SPEC.md section
    /// 4.3, REQ-ENC-003).
    pub fn version(&mut self) -> Result<(), Error> {
        if self.u8()? == VERSION {
            Ok(())
        } else {
            Err(Error::UnsupportedVersion)
        }
    }

    /// Reads a tagged 32-byte key with the expected `tag`; any other tag is
    /// [`Error::Malformed`] (SPEC.md section 4.1, REQ-ENC-001). The tag is
    /// checked before the key's length, as the spec reads them.
    pub fn key32(&mut self, tag: u8) -> Result<[u8; 32], Error> {
        if self.u8()? == tag {
            self.array::<32>()
        } else {
            Err(Error::Malformed)
        }
    }

    /// Reads `EncX(pk)` (SPEC.md section 4.1, REQ-ENC-001).
    pub fn x25519(&mut self) -> Result<[u8; 32], Error> {
        self.key32(TAG_X25519)
    }

    /// Reads `EncEd(pk)` (SPEC.md section 4.1, REQ-ENC-001).
    pub fn ed25519(&mut self) -> Result<[u8; 32], Error> {
        self.key32(TAG_ED25519)
    }

    /// Reads `EncKem(ek)` (SPEC.md section 4.1, REQ-ENC-001): the tag and
    /// 1184 bytes. The modulus check is REQ-SUITE-002's, done by the user.
    pub fn ml_kem(&mut self) -> Result<&'a [u8], Error> {
        if self.u8()? == TAG_ML_KEM_768 {
            self.bytes(EK_LEN)
        } else {
            Err(Error::Malformed)
        }
    }

    /// Succeeds only at the end of the input: trailing bytes are
    /// [`Error::Malformed`] (SPEC.md section 4.3, REQ-ENC-003).
    pub fn finish(self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::Malformed)
        }
    }
}
