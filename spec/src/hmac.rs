//! HMAC-SHA-256 and HMAC-SHA-512, RFC 2104 (HMAC: Keyed-Hashing for Message
//! Authentication, February 1997), with the hash functions of FIPS 180-4.
//!
//! RFC 2104 defines HMAC once, over any iterated hash `H` with block length
//! `B` and output length `L` (section 2). This module does the same: the
//! construction is written once in [`hmac`], over a [`Hash`] that names the
//! function and its two lengths; `hmac_sha256` and `hmac_sha512` only fix
//! the hash and the output size. The same pair is reused by
//! [`crate::hkdf`].

use crate::sha2::{sha256, sha512, SHA256_BLOCK_LEN, SHA256_LEN, SHA512_BLOCK_LEN, SHA512_LEN};

/// The inner padding byte `ipad`, RFC 2104 section 2.
const IPAD: u8 = 0x36;
/// The outer padding byte `opad`, RFC 2104 section 2.
const OPAD: u8 = 0x5c;

/// The hash function `H` underlying HMAC (RFC 2104 section 2) and HKDF
/// (RFC 5869 section 2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256, FIPS 180-4 section 6.2.
    Sha256,
    /// SHA-512, FIPS 180-4 section 6.4.
    Sha512,
}

impl Hash {
    /// The block length `B` in bytes (RFC 2104 section 2).
    pub fn block_len(self) -> usize {
        match self {
            Hash::Sha256 => SHA256_BLOCK_LEN,
            Hash::Sha512 => SHA512_BLOCK_LEN,
        }
    }

    /// The output length `L` in bytes (RFC 2104 section 2; `HashLen` in
    /// RFC 5869 section 2.1).
    pub fn output_len(self) -> usize {
        match self {
            Hash::Sha256 => SHA256_LEN,
            Hash::Sha512 => SHA512_LEN,
        }
    }

    /// The digest `H(msg)`, FIPS 180-4 sections 6.2 and 6.4; its length is
    /// [`Hash::output_len`].
    pub fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => sha256(msg).to_vec(),
            Hash::Sha512 => sha512(msg).to_vec(),
        }
    }
}

/// HMAC over the hash `hash`, RFC 2104 section 2:
/// `H(K XOR opad, H(K XOR ipad, text))`, where `K` is the key padded with
/// zeros to the block length `B`. A key longer than `B` bytes is first
/// replaced by its hash, as the section prescribes ("Applications that use
/// keys longer than B bytes will first hash the key using H"). The result
/// has [`Hash::output_len`] bytes.
pub fn hmac(hash: Hash, key: &[u8], text: &[u8]) -> Vec<u8> {
    let b = hash.block_len();
    let key = if key.len() > b {
        hash.digest(key)
    } else {
        key.to_vec()
    };
    // Step (1): append zeros to the end of K to create a B byte string.
    let mut k = key;
    k.resize(b, 0);
    // Steps (2)-(4): inner hash of (K XOR ipad) || text.
    let mut inner = Vec::new();
    for i in 0..b {
        inner.push(k[i] ^ IPAD);
    }
    inner.extend_from_slice(text);
    let inner_hash = hash.digest(&inner);
    // Steps (5)-(7): outer hash of (K XOR opad) || inner hash.
    let mut outer = Vec::new();
    for i in 0..b {
        outer.push(k[i] ^ OPAD);
    }
    outer.extend_from_slice(&inner_hash);
    hash.digest(&outer)
}

/// HMAC-SHA-256 of `msg` under `key`, RFC 2104 section 2 with SHA-256
/// (B = 64, L = 32), as identified in RFC 4231 section 1.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; SHA256_LEN] {
    let tag = hmac(Hash::Sha256, key, msg);
    let mut out = [0u8; SHA256_LEN];
    // `tag` has SHA256_LEN bytes: it is a SHA-256 digest.
    for i in 0..SHA256_LEN {
        out[i] = tag[i];
    }
    out
}

/// HMAC-SHA-512 of `msg` under `key`, RFC 2104 section 2 with SHA-512
/// (B = 128, L = 64), as identified in RFC 4231 section 1.
pub fn hmac_sha512(key: &[u8], msg: &[u8]) -> [u8; SHA512_LEN] {
    let tag = hmac(Hash::Sha512, key, msg);
    let mut out = [0u8; SHA512_LEN];
    // `tag` has SHA512_LEN bytes: it is a SHA-512 digest.
    for i in 0..SHA512_LEN {
        out[i] = tag[i];
    }
    out
}
