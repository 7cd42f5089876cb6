//! SFrame, RFC 9605 (Secure Frame (SFrame): Lightweight Authenticated
//! Encryption for Real-Time Media, August 2024), section 4: the header
//! (section 4.3), the key and salt derivation (section 4.4.2), encryption
//! and decryption (sections 4.4.3 and 4.4.4), and the cipher suites of
//! section 4.5 with the AES-CTR + HMAC construction of section 4.5.1.
//!
//! Key management (which `base_key` belongs to which KID, section 4.4.1 and
//! section 5) and the call protocol are not here: every function takes the
//! key material it needs as an argument.
//!
//! ## Strict header decoding
//!
//! Section 4.3 says that a KID or CTR value in the range 0-7 "is carried in
//! the corresponding bits of the config byte" and that any other value
//! "MUST be encoded with the minimum number of bytes required". The RFC
//! states the rule for encoders only; [`decode_header`] enforces it on
//! decoding too, so that every header has exactly one encoding and
//! `encode_header(decode_header(h)) = h` for every accepted `h`. It
//! rejects, as [`Error::Malformed`]: an empty input; an extended field
//! (`X = 1` or `Y = 1`) that runs past the end of the input; a one-byte
//! extended value below 8 (it belongs in the config byte); and an extended
//! value of two or more bytes whose first byte is zero (a shorter encoding
//! exists). The sframe-wg reference implementation accepts the last two;
//! the RFC's test vectors contain only minimal encodings.
//!
//! ## Cipher suites
//!
//! The five suites of RFC 9605 section 4.5 (registry in section 8.1), and
//! the three AES-256-CTR + HMAC-SHA-512 suites `0x0006`-`0x0008` of
//! draft-barnes-sframe-iana-256-01 section 3, which are not part of
//! RFC 9605 but are the same construction at the 256-bit level; their
//! vectors come from the sframe-wg repository (`test-vectors-aes256.json`).

use crate::aes::BLOCK_LEN;
use crate::aes_ctr::aes_ctr;
use crate::aes_gcm;
use crate::error::Error;
use crate::hkdf::{expand, extract};
use crate::hmac::{hmac, Hash};

/// `AEAD.Nn`, the nonce (and salt) length in bytes of every suite
/// (RFC 9605 section 4.5, Table 2).
pub const NONCE_LEN: usize = 12;
/// The longest header in bytes (RFC 9605 section 4.3): the config byte,
/// an 8-byte KID and an 8-byte CTR.
pub const MAX_HEADER_LEN: usize = 17;
/// Largest plaintext of the AES-CTR + HMAC suites in bytes. RFC 9605
/// section 4.5.1 starts the 32-bit block counter at 0 and states no limit;
/// the counter must not wrap (SP 800-38A Appendix B: distinct counter
/// blocks), so `2^32` blocks of 16 bytes.
pub const MAX_CTR_HMAC_PLAINTEXT_LEN: u64 = 1 << 36;

/// The prefix of the key label, RFC 9605 section 4.4.2.
const KEY_LABEL: &[u8] = b"SFrame 1.0 Secret key ";
/// The prefix of the salt label, RFC 9605 section 4.4.2.
const SALT_LABEL: &[u8] = b"SFrame 1.0 Secret salt ";

/// An SFrame cipher suite (RFC 9605 section 4.5 and the registry of
/// section 8.1; `0x0006`-`0x0008` from draft-barnes-sframe-iana-256-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CipherSuite {
    /// `0x0001` `AES_128_CTR_HMAC_SHA256_80`.
    Aes128CtrHmacSha256Tag80,
    /// `0x0002` `AES_128_CTR_HMAC_SHA256_64`.
    Aes128CtrHmacSha256Tag64,
    /// `0x0003` `AES_128_CTR_HMAC_SHA256_32`.
    Aes128CtrHmacSha256Tag32,
    /// `0x0004` `AES_128_GCM_SHA256_128`.
    Aes128GcmSha256Tag128,
    /// `0x0005` `AES_256_GCM_SHA512_128`.
    Aes256GcmSha512Tag128,
    /// `0x0006` `AES_256_CTR_HMAC_SHA512_80` (not in RFC 9605).
    Aes256CtrHmacSha512Tag80,
    /// `0x0007` `AES_256_CTR_HMAC_SHA512_64` (not in RFC 9605).
    Aes256CtrHmacSha512Tag64,
    /// `0x0008` `AES_256_CTR_HMAC_SHA512_32` (not in RFC 9605).
    Aes256CtrHmacSha512Tag32,
}

/// Every supported suite, in registry order.
pub const ALL_SUITES: [CipherSuite; 8] = [
    CipherSuite::Aes128CtrHmacSha256Tag80,
    CipherSuite::Aes128CtrHmacSha256Tag64,
    CipherSuite::Aes128CtrHmacSha256Tag32,
    CipherSuite::Aes128GcmSha256Tag128,
    CipherSuite::Aes256GcmSha512Tag128,
    CipherSuite::Aes256CtrHmacSha512Tag80,
    CipherSuite::Aes256CtrHmacSha512Tag64,
    CipherSuite::Aes256CtrHmacSha512Tag32,
];

impl CipherSuite {
    /// The suite with registry value `id` (RFC 9605 section 8.1), or
    /// `None` for a value this crate does not support (`0x0000` is
    /// reserved, `0xF000`-`0xFFFF` are private use).
    pub fn from_id(id: u16) -> Option<CipherSuite> {
        match id {
            1 => Some(CipherSuite::Aes128CtrHmacSha256Tag80),
            2 => Some(CipherSuite::Aes128CtrHmacSha256Tag64),
            3 => Some(CipherSuite::Aes128CtrHmacSha256Tag32),
            4 => Some(CipherSuite::Aes128GcmSha256Tag128),
            5 => Some(CipherSuite::Aes256GcmSha512Tag128),
            6 => Some(CipherSuite::Aes256CtrHmacSha512Tag80),
            7 => Some(CipherSuite::Aes256CtrHmacSha512Tag64),
            8 => Some(CipherSuite::Aes256CtrHmacSha512Tag32),
            _ => None,
        }
    }

    /// The registry value, RFC 9605 section 8.1 (the 2-byte `cipher_suite`
    /// of the labels of section 4.4.2).
    pub fn id(self) -> u16 {
        match self {
            CipherSuite::Aes128CtrHmacSha256Tag80 => 1,
            CipherSuite::Aes128CtrHmacSha256Tag64 => 2,
            CipherSuite::Aes128CtrHmacSha256Tag32 => 3,
            CipherSuite::Aes128GcmSha256Tag128 => 4,
            CipherSuite::Aes256GcmSha512Tag128 => 5,
            CipherSuite::Aes256CtrHmacSha512Tag80 => 6,
            CipherSuite::Aes256CtrHmacSha512Tag64 => 7,
            CipherSuite::Aes256CtrHmacSha512Tag32 => 8,
        }
    }

    /// The hash of HKDF (and of HMAC in the CTR suites), RFC 9605
    /// section 4.5: SHA-256 for `_SHA256_` suites, SHA-512 for `_SHA512_`.
    pub fn hash(self) -> Hash {
        match self {
            CipherSuite::Aes128CtrHmacSha256Tag80
            | CipherSuite::Aes128CtrHmacSha256Tag64
            | CipherSuite::Aes128CtrHmacSha256Tag32
            | CipherSuite::Aes128GcmSha256Tag128 => Hash::Sha256,
            CipherSuite::Aes256GcmSha512Tag128
            | CipherSuite::Aes256CtrHmacSha512Tag80
            | CipherSuite::Aes256CtrHmacSha512Tag64
            | CipherSuite::Aes256CtrHmacSha512Tag32 => Hash::Sha512,
        }
    }

    /// Whether the AEAD is the AES-CTR + HMAC construction of RFC 9605
    /// section 4.5.1 (else it is AES-GCM, SP 800-38D).
    pub fn is_ctr_hmac(self) -> bool {
        // The two GCM suites are the ones with a 128-bit tag.
        self.nt() != 16
    }

    /// `Nka`, the AES key length in bytes (RFC 9605 section 4.5, Table 2;
    /// for the GCM suites, the whole key `Nk`).
    pub fn nka(self) -> usize {
        match self {
            CipherSuite::Aes128CtrHmacSha256Tag80
            | CipherSuite::Aes128CtrHmacSha256Tag64
            | CipherSuite::Aes128CtrHmacSha256Tag32
            | CipherSuite::Aes128GcmSha256Tag128 => 16,
            _ => 32,
        }
    }

    /// `Nh`, the hash output length in bytes (RFC 9605 section 4.5, Table 2).
    pub fn nh(self) -> usize {
        self.hash().output_len()
    }

    /// `AEAD.Nk`, the key length in bytes (RFC 9605 section 4.5, Table 2):
    /// `Nka + Nh` for the CTR + HMAC suites (section 4.5.1), `Nka` for GCM.
    pub fn nk(self) -> usize {
        if self.is_ctr_hmac() {
            self.nka() + self.nh()
        } else {
            self.nka()
        }
    }

    /// `AEAD.Nt`, the tag length in bytes (RFC 9605 section 4.5, Table 2):
    /// the last number of the suite's name, in bits.
    pub fn nt(self) -> usize {
        match self {
            CipherSuite::Aes128CtrHmacSha256Tag80 | CipherSuite::Aes256CtrHmacSha512Tag80 => 10,
            CipherSuite::Aes128CtrHmacSha256Tag64 | CipherSuite::Aes256CtrHmacSha512Tag64 => 8,
            CipherSuite::Aes128CtrHmacSha256Tag32 | CipherSuite::Aes256CtrHmacSha512Tag32 => 4,
            CipherSuite::Aes128GcmSha256Tag128 | CipherSuite::Aes256GcmSha512Tag128 => 16,
        }
    }
}

// ---------------------------------------------------------------------------
// The header, RFC 9605 section 4.3
// ---------------------------------------------------------------------------

/// The two values of an SFrame header, RFC 9605 section 4.3: the key
/// identifier `KID` and the counter `CTR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `KID`, which selects the `base_key` (RFC 9605 section 4.4.1).
    pub kid: u64,
    /// `CTR`, from which the nonce is formed (RFC 9605 section 4.4.3).
    pub ctr: u64,
}

/// The minimum number of bytes of the big-endian encoding of `v`, 1 to 8
/// (RFC 9605 section 4.3: "the minimum number of bytes required").
fn min_len(v: u64) -> usize {
    let mut len = 1;
    for i in 1..8 {
        if v >> (8 * i) != 0 {
            len = i + 1;
        }
    }
    len
}

/// One field's four bits of the config byte and its extension bytes, RFC
/// 9605 section 4.3: a value 0-7 is the 3-bit field with the flag clear;
/// a larger value sets the flag, puts its minimal byte length minus one in
/// the field, and its big-endian bytes after the config byte.
fn encode_value(v: u64) -> (u8, Vec<u8>) {
    if v < 8 {
        // cast: v < 8 fits in the three bits of the field.
        (v as u8, Vec::new())
    } else {
        let len = min_len(v);
        let be = v.to_be_bytes();
        let mut bytes = Vec::new();
        for i in 8 - len..8 {
            bytes.push(be[i]);
        }
        // cast: 1 <= len <= 8, so len - 1 fits in the three bits.
        (0x08 | (len - 1) as u8, bytes)
    }
}

/// `encode_sframe_header(CTR, KID)`, RFC 9605 sections 4.3 and 4.4.3: the
/// config byte `X | K | Y | C`, then the KID bytes (if `X = 1`), then the
/// CTR bytes (if `Y = 1`), each in the minimum number of bytes. The result
/// has 1 to [`MAX_HEADER_LEN`] bytes.
pub fn encode_header(header: &Header) -> Vec<u8> {
    let (k, kid_bytes) = encode_value(header.kid);
    let (c, ctr_bytes) = encode_value(header.ctr);
    let mut out = vec![(k << 4) | c];
    out.extend_from_slice(&kid_bytes);
    out.extend_from_slice(&ctr_bytes);
    out
}

/// Reads one header value, RFC 9605 section 4.3: `nibble` is the flag bit
/// and the 3-bit field (`X K` or `Y C`), the extension bytes (if any) start
/// at `pos`. Returns the value and the position after it; a truncated or
/// non-minimal encoding is [`Error::Malformed`] (see the module docs).
fn decode_value(data: &[u8], pos: usize, nibble: u8) -> Result<(u64, usize), Error> {
    let field = u64::from(nibble & 0x07);
    if nibble & 0x08 == 0 {
        return Ok((field, pos));
    }
    let len = usize::from(nibble & 0x07) + 1;
    if data.len() < pos + len {
        return Err(Error::Malformed);
    }
    let mut v = 0u64;
    for i in 0..len {
        v = (v << 8) | u64::from(data[pos + i]);
    }
    if min_len(v) != len || v < 8 {
        Err(Error::Malformed)
    } else {
        Ok((v, pos + len))
    }
}

/// Strict decoding of the SFrame header at the start of `data` (an SFrame
/// ciphertext), RFC 9605 section 4.3 (`parse_ciphertext` of section
/// 4.4.4): returns the KID and CTR and the header's length in bytes (the
/// ciphertext follows it). Every rejection is [`Error::Malformed`]; what is
/// rejected beyond truncation is listed in the module documentation.
pub fn decode_header(data: &[u8]) -> Result<(Header, usize), Error> {
    if data.is_empty() {
        return Err(Error::Malformed);
    }
    let config = data[0];
    let (kid, pos) = decode_value(data, 1, config >> 4)?;
    let (ctr, pos) = decode_value(data, pos, config & 0x0f)?;
    Ok((Header { kid, ctr }, pos))
}

// ---------------------------------------------------------------------------
// Key derivation, RFC 9605 section 4.4.2
// ---------------------------------------------------------------------------

/// A label of RFC 9605 section 4.4.2: `prefix + KID + cipher_suite`, KID
/// as an 8-byte and `cipher_suite` as a 2-byte big-endian integer.
fn label(prefix: &[u8], suite: CipherSuite, kid: u64) -> Vec<u8> {
    let mut out = prefix.to_vec();
    out.extend_from_slice(&kid.to_be_bytes());
    out.extend_from_slice(&suite.id().to_be_bytes());
    out
}

/// `sframe_key_label`, RFC 9605 section 4.4.2:
/// `"SFrame 1.0 Secret key " + KID + cipher_suite`.
pub fn key_label(suite: CipherSuite, kid: u64) -> Vec<u8> {
    label(KEY_LABEL, suite, kid)
}

/// `sframe_salt_label`, RFC 9605 section 4.4.2:
/// `"SFrame 1.0 Secret salt " + KID + cipher_suite`.
pub fn salt_label(suite: CipherSuite, kid: u64) -> Vec<u8> {
    label(SALT_LABEL, suite, kid)
}

/// `sframe_secret = HKDF-Extract("", base_key)`, RFC 9605 section 4.4.2,
/// with the suite's hash (RFC 5869 section 2.2); `Nh` bytes.
pub fn sframe_secret(suite: CipherSuite, base_key: &[u8]) -> Vec<u8> {
    extract(suite.hash(), &[], base_key)
}

/// The key and salt of one KID, RFC 9605 section 4.4.2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAndSalt {
    /// `sframe_key`, `AEAD.Nk` bytes.
    pub key: Vec<u8>,
    /// `sframe_salt`, `AEAD.Nn` bytes.
    pub salt: [u8; NONCE_LEN],
}

/// `derive_key_salt(KID, base_key)`, RFC 9605 section 4.4.2:
/// `sframe_key = HKDF-Expand(sframe_secret, sframe_key_label, AEAD.Nk)`
/// and `sframe_salt = HKDF-Expand(sframe_secret, sframe_salt_label,
/// AEAD.Nn)`, with the suite's hash (RFC 5869 section 2.3).
///
/// Never fails: `Nk` and `Nn` are far below HKDF's `255 * HashLen`; the
/// `Result` is HKDF-Expand's.
pub fn derive_key_salt(suite: CipherSuite, kid: u64, base_key: &[u8]) -> Result<KeyAndSalt, Error> {
    let secret = sframe_secret(suite, base_key);
    let key = expand(suite.hash(), &secret, &key_label(suite, kid), suite.nk())?;
    let salt_bytes = expand(suite.hash(), &secret, &salt_label(suite, kid), NONCE_LEN)?;
    let mut salt = [0u8; NONCE_LEN];
    for i in 0..NONCE_LEN {
        salt[i] = salt_bytes[i];
    }
    Ok(KeyAndSalt { key, salt })
}

/// The nonce of RFC 9605 sections 4.4.3 and 4.4.4:
/// `xor(sframe_salt, encode_big_endian(CTR, AEAD.Nn))`.
pub fn nonce(salt: &[u8; NONCE_LEN], ctr: u64) -> [u8; NONCE_LEN] {
    let be = ctr.to_be_bytes();
    let mut out = *salt;
    for i in 0..8 {
        out[NONCE_LEN - 8 + i] ^= be[i];
    }
    out
}

// ---------------------------------------------------------------------------
// The AEADs, RFC 9605 section 4.5
// ---------------------------------------------------------------------------

/// Precondition of [`derive_subkeys`]: the key has the suite's `AEAD.Nk`
/// bytes (RFC 9605 section 4.5.1: `Nka + Nh`).
pub fn pre_derive_subkeys(suite: CipherSuite, key_len: usize) -> bool {
    key_len == suite.nk()
}

/// `derive_subkeys(sframe_key)`, RFC 9605 section 4.5.1: the encryption
/// key is the first `Nka` bytes, the authentication key the remaining `Nh`
/// (the callers check [`pre_derive_subkeys`] first).
#[cfg_attr(hax, hax_lib::requires(pre_derive_subkeys(suite, key.len())))]
pub fn derive_subkeys(suite: CipherSuite, key: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let nka = suite.nka();
    (key[..nka].to_vec(), key[nka..].to_vec())
}

/// `compute_tag(auth_key, nonce, aad, ct)`, RFC 9605 section 4.5.1: HMAC
/// over `aad_len + ct_len + tag_len + nonce + aad + ct` (the lengths as
/// 8-byte big-endian integers, `tag_len = Nt`), truncated to `Nt` bytes.
fn compute_tag(
    suite: CipherSuite,
    auth_key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ct: &[u8],
) -> Vec<u8> {
    let mut data = Vec::new();
    // cast: usize is at most 64 bits on every target Rust supports, so a
    // length fits in the 8-byte field.
    data.extend_from_slice(&(aad.len() as u64).to_be_bytes());
    // cast: as above.
    data.extend_from_slice(&(ct.len() as u64).to_be_bytes());
    // cast: as above (Nt <= 16).
    data.extend_from_slice(&(suite.nt() as u64).to_be_bytes());
    data.extend_from_slice(nonce);
    data.extend_from_slice(aad);
    data.extend_from_slice(ct);
    let mut tag = hmac(suite.hash(), auth_key, &data);
    tag.truncate(suite.nt());
    tag
}

/// The initial counter block of RFC 9605 section 4.5.1: `nonce +
/// 0x00000000` (the nonce followed by a 32-bit counter starting at 0).
fn initial_counter(nonce: &[u8; NONCE_LEN]) -> [u8; BLOCK_LEN] {
    let mut block = [0u8; BLOCK_LEN];
    for i in 0..NONCE_LEN {
        block[i] = nonce[i];
    }
    block
}

/// Whether `len` bytes of plaintext are within the suite's AEAD limit:
/// [`MAX_CTR_HMAC_PLAINTEXT_LEN`] (RFC 9605 section 4.5.1) or
/// [`aes_gcm::MAX_PLAINTEXT_LEN`] (SP 800-38D section 5.2.1.1).
fn pt_len_allowed(suite: CipherSuite, len: usize) -> bool {
    let max = if suite.is_ctr_hmac() {
        MAX_CTR_HMAC_PLAINTEXT_LEN
    } else {
        aes_gcm::MAX_PLAINTEXT_LEN
    };
    match u64::try_from(len) {
        Ok(n) => n <= max,
        Err(_) => false,
    }
}

/// `AEAD.Encrypt(key, nonce, aad, pt)` of the suite, RFC 9605 section 4.5:
/// AES-GCM (SP 800-38D section 7.1) for suites 4 and 5; for the CTR + HMAC
/// suites, section 4.5.1: AES-CTR from `nonce + 0x00000000` under the
/// first `Nka` key bytes, then `ct + compute_tag(...)` under the rest.
///
/// Errors: [`Error::InvalidLength`] if `key` is not `AEAD.Nk` bytes or
/// the plaintext exceeds the suite's limit.
pub fn aead_encrypt(
    suite: CipherSuite,
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    pt: &[u8],
) -> Result<Vec<u8>, Error> {
    if key.len() != suite.nk() || !pt_len_allowed(suite, pt.len()) {
        return Err(Error::InvalidLength);
    }
    if suite.is_ctr_hmac() {
        let (enc_key, auth_key) = derive_subkeys(suite, key);
        let mut ct = aes_ctr(&enc_key, &initial_counter(nonce), pt)?;
        let tag = compute_tag(suite, &auth_key, nonce, aad, &ct);
        ct.extend_from_slice(&tag);
        Ok(ct)
    } else {
        aes_gcm::seal(key, nonce, aad, pt)
    }
}

/// `AEAD.Decrypt(key, nonce, aad, ct)` of the suite, RFC 9605 section 4.5:
/// AES-GCM (SP 800-38D section 7.2), or for the CTR + HMAC suites
/// (section 4.5.1) `split_ct`, `compute_tag` over the inner ciphertext,
/// comparison with the received tag, and only then AES-CTR decryption.
///
/// Errors: [`Error::InvalidLength`] if `key` is not `AEAD.Nk` bytes, `ct`
/// is shorter than `AEAD.Nt`, or its ciphertext part exceeds the suite's
/// plaintext limit; then [`Error::AuthenticationFailed`] if the tag does
/// not match.
pub fn aead_decrypt(
    suite: CipherSuite,
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, Error> {
    if key.len() != suite.nk() || ct.len() < suite.nt() {
        return Err(Error::InvalidLength);
    }
    let inner_len = ct.len() - suite.nt();
    if !pt_len_allowed(suite, inner_len) {
        return Err(Error::InvalidLength);
    }
    if suite.is_ctr_hmac() {
        let inner_ct = &ct[..inner_len];
        let tag = &ct[inner_len..];
        let (enc_key, auth_key) = derive_subkeys(suite, key);
        if compute_tag(suite, &auth_key, nonce, aad, inner_ct) != tag {
            return Err(Error::AuthenticationFailed);
        }
        aes_ctr(&enc_key, &initial_counter(nonce), inner_ct)
    } else {
        aes_gcm::open(key, nonce, aad, ct)
    }
}

// ---------------------------------------------------------------------------
// SFrame encryption and decryption, RFC 9605 sections 4.4.3 and 4.4.4
// ---------------------------------------------------------------------------

/// The AAD of an SFrame encryption, RFC 9605 sections 4.4.3 and 4.4.4:
/// `header + metadata`.
fn frame_aad(encoded_header: &[u8], metadata: &[u8]) -> Vec<u8> {
    let mut aad = encoded_header.to_vec();
    aad.extend_from_slice(metadata);
    aad
}

/// `encrypt(CTR, KID, metadata, plaintext)`, RFC 9605 section 4.4.3, with
/// the key and salt of `KID` given (`key_store[KID]`): `header =
/// encode_sframe_header(CTR, KID)`, `nonce = xor(sframe_salt, CTR)`, and
/// the result `header + AEAD.Encrypt(sframe_key, nonce, header + metadata,
/// plaintext)`.
///
/// Each `(KID, CTR)` pair must be used for one encryption only (RFC 9605
/// section 4.3); that is the caller's obligation.
///
/// Errors: those of [`aead_encrypt`] ([`Error::InvalidLength`]).
pub fn encrypt(
    suite: CipherSuite,
    key_salt: &KeyAndSalt,
    header: &Header,
    metadata: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, Error> {
    let encoded = encode_header(header);
    let aad = frame_aad(&encoded, metadata);
    let ct = aead_encrypt(
        suite,
        &key_salt.key,
        &nonce(&key_salt.salt, header.ctr),
        &aad,
        plaintext,
    )?;
    let mut out = encoded;
    out.extend_from_slice(&ct);
    Ok(out)
}

/// `decrypt(metadata, sframe_ciphertext)`, RFC 9605 section 4.4.4, with the
/// key and salt for the header's KID given (the caller looked it up with
/// [`decode_header`]): parses the header strictly, forms the nonce from
/// CTR, and returns the header and `AEAD.Decrypt(sframe_key, nonce, header
/// + metadata, ciphertext)`.
///
/// Errors: [`Error::InvalidLength`] if the key is not `AEAD.Nk` bytes;
/// [`Error::Malformed`] if the header is malformed or the rest is shorter
/// than a tag (a truncated SFrame ciphertext is wire data, not a length
/// the caller chose); [`Error::AuthenticationFailed`] if the tag does not
/// match.
pub fn decrypt(
    suite: CipherSuite,
    key_salt: &KeyAndSalt,
    metadata: &[u8],
    sframe_ciphertext: &[u8],
) -> Result<(Header, Vec<u8>), Error> {
    if key_salt.key.len() != suite.nk() {
        return Err(Error::InvalidLength);
    }
    let (header, header_len) = decode_header(sframe_ciphertext)?;
    let ct = &sframe_ciphertext[header_len..];
    if ct.len() < suite.nt() {
        return Err(Error::Malformed);
    }
    let aad = frame_aad(&sframe_ciphertext[..header_len], metadata);
    let pt = aead_decrypt(
        suite,
        &key_salt.key,
        &nonce(&key_salt.salt, header.ctr),
        &aad,
        ct,
    )?;
    Ok((header, pt))
}
