//! The cipher suite XCHAT-1 as the protocol uses it (SPEC.md section 3):
//! the checked Diffie-Hellman function, the KDF, and every domain-separation
//! label in one place, so that their distinctness (REQ-SUITE-004) is checked
//! over one list.

use crate::{hkdf, ml_kem, x25519, Error};

/// `"XCHAT-1 identity binding"` (SPEC.md section 6).
pub const LABEL_IDENTITY_BINDING: &[u8] = b"XCHAT-1 identity binding";
/// `"XCHAT-1 signed prekey"` (SPEC.md section 7).
pub const LABEL_SIGNED_PREKEY: &[u8] = b"XCHAT-1 signed prekey";
/// `"XCHAT-1 pq prekey"` (SPEC.md section 7).
pub const LABEL_PQ_PREKEY: &[u8] = b"XCHAT-1 pq prekey";
/// `"XCHAT-1 handshake"` (SPEC.md section 8).
pub const LABEL_HANDSHAKE: &[u8] = b"XCHAT-1 handshake";
/// `"XCHAT-1 associated data"` (SPEC.md section 8).
pub const LABEL_ASSOCIATED_DATA: &[u8] = b"XCHAT-1 associated data";
/// `"XCHAT-1 root ratchet"` (SPEC.md section 9).
pub const LABEL_ROOT_RATCHET: &[u8] = b"XCHAT-1 root ratchet";
/// `"XCHAT-1 message key"` (SPEC.md section 9: `MSGKEYS`, the message AEAD
/// key, its nonce base and the hedge key).
pub const LABEL_MESSAGE_KEY: &[u8] = b"XCHAT-1 message key";
/// `"XCHAT-1 header"` (SPEC.md section 9).
pub const LABEL_HEADER: &[u8] = b"XCHAT-1 header";
/// `"XCHAT-1 sealed sender ephemeral"` (SPEC.md section 12).
pub const LABEL_SEALED_EPHEMERAL: &[u8] = b"XCHAT-1 sealed sender ephemeral";
/// `"XCHAT-1 sealed sender static"` (SPEC.md section 12).
pub const LABEL_SEALED_STATIC: &[u8] = b"XCHAT-1 sealed sender static";
/// `"XCHAT-1 sealed sender hedge"` (SPEC.md section 12): the prefix of the
/// HMAC input that derives the envelope's ephemeral secret `e`.
pub const LABEL_SEALED_HEDGE: &[u8] = b"XCHAT-1 sealed sender hedge";
/// `"XCHAT-1 attachment key"` (SPEC.md section 13): the HKDF `info` that
/// derives an attachment's chunk key and key commitment from its key `K`.
pub const LABEL_ATTACHMENT_KEY: &[u8] = b"XCHAT-1 attachment key";
/// `"XCHAT-1 attachment chunk"` (SPEC.md section 13): the associated data
/// of every sealed attachment chunk.
pub const LABEL_ATTACHMENT_CHUNK: &[u8] = b"XCHAT-1 attachment chunk";
/// `"XCHAT-1 fingerprint"` (SPEC.md section 14).
pub const LABEL_FINGERPRINT: &[u8] = b"XCHAT-1 fingerprint";

/// Every label of SPEC.md section 3.2, for the distinctness check of
/// REQ-SUITE-004.
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

/// Whether no label equals or is a prefix of another (REQ-SUITE-004), so
/// that `label || data` parses one way only.
pub fn labels_prefix_free(labels: &[&[u8]]) -> bool {
    let mut free = true;
    for i in 0..labels.len() {
        for j in 0..labels.len() {
            if i != j && labels[j].len() >= labels[i].len() {
                let mut prefix = true;
                for k in 0..labels[i].len() {
                    if labels[i][k] != labels[j][k] {
                        prefix = false;
                    }
                }
                if prefix {
                    free = false;
                }
            }
        }
    }
    free
}

/// `PUB(sk) = X25519(sk, 9)` (SPEC.md section 3; RFC 7748 section 6.1).
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    x25519::x25519_base(secret)
}

/// `DH(sk, pk)`, rejecting an all-zero output with `NonContributory`
/// (SPEC.md REQ-SUITE-001; RFC 7748 section 6.1 recommends the check).
pub fn dh(secret: &[u8; 32], public: &[u8; 32]) -> Result<[u8; 32], Error> {
    let shared = x25519::x25519(secret, public);
    let mut zero = true;
    for i in 0..32 {
        if shared[i] != 0 {
            zero = false;
        }
    }
    if zero {
        Err(Error::NonContributory)
    } else {
        Ok(shared)
    }
}

/// `HKDF(salt, ikm, info, L)` with SHA-256 (SPEC.md section 3; RFC 5869).
/// Every protocol use asks for at most 96 bytes, far below the RFC's limit,
/// so the `Err` arm is unreachable from the protocol; it is still mapped to
/// `Malformed` rather than unwrapped.
pub fn kdf(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Error> {
    match hkdf::hkdf_sha256(salt, ikm, info, len) {
        Ok(okm) => Ok(okm),
        Err(_) => Err(Error::Malformed),
    }
}

/// 32 bytes of `bytes` starting at `offset`, for splitting KDF output into
/// keys (`OKM[a..a+32]` in SPEC.md). Bytes past the end read as zero; callers
/// only split outputs they asked the KDF for.
pub fn key_at(bytes: &[u8], offset: usize) -> [u8; 32] {
    let mut key = [0u8; 32];
    for i in 0..32 {
        if offset + i < bytes.len() {
            key[i] = bytes[offset + i];
        }
    }
    key
}

/// The ML-KEM-768 encapsulation key check of FIPS 203 section 7.2, with the
/// protocol's error kind `InvalidKey` (SPEC.md REQ-SUITE-002).
pub fn check_kem_key(ek: &[u8]) -> Result<(), Error> {
    match ml_kem::check_encapsulation_key(ek) {
        Ok(()) => Ok(()),
        Err(_) => Err(Error::InvalidKey),
    }
}
