//! SFrame, RFC 9605 section 4: the header (section 4.3), key and salt
//! derivation (section 4.4.2), encryption and decryption (sections 4.4.3
//! and 4.4.4) for the cipher suites of section 4.5 and the post-RFC
//! AES-256-CTR + HMAC-SHA-512 suites `0x0006`-`0x0008`
//! (draft-barnes-sframe-iana-256). Mirrors `xchat_spec::sframe` function
//! for function: same bytes, same error kinds (`impl/tests/sframe_diff.rs`).
//!
//! Header decoding is strict, as in the spec: an extended KID or CTR must
//! be in the minimum number of bytes (a one-byte value below 8, or a
//! leading zero byte, is [`Error::Malformed`]), so each header has one
//! encoding.
//!
//! Keys are [`KeyAndSalt`] values: zeroized on drop, never printed by
//! `Debug`. The AES-CTR + HMAC tag is compared in constant time
//! ([`crate::crypto::ct_eq`]); AES-GCM's by `aes-gcm`.

use core::fmt;

use zeroize::Zeroizing;

use crate::crypto::{aes_ctr, aes_gcm, ct_eq, hash};
use crate::Error;

/// `AEAD.Nn`, the nonce and salt length in bytes (RFC 9605 section 4.5).
pub const NONCE_LEN: usize = 12;
/// The longest header (RFC 9605 section 4.3): config byte, 8-byte KID,
/// 8-byte CTR.
pub const MAX_HEADER_LEN: usize = 17;
/// Largest plaintext of the AES-CTR + HMAC suites in bytes: `2^32` blocks,
/// the 32-bit counter starting at 0 and never wrapping (as
/// `xchat_spec::sframe::MAX_CTR_HMAC_PLAINTEXT_LEN`).
pub const MAX_CTR_HMAC_PLAINTEXT_LEN: u64 = 1 << 36;

/// The prefix of the key label, RFC 9605 section 4.4.2.
const KEY_LABEL: &[u8] = b"SFrame 1.0 Secret key ";
/// The prefix of the salt label, RFC 9605 section 4.4.2.
const SALT_LABEL: &[u8] = b"SFrame 1.0 Secret salt ";

/// An SFrame cipher suite (RFC 9605 section 4.5; `0x0006`-`0x0008` from
/// draft-barnes-sframe-iana-256).
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
    /// The suite with registry value `id` (RFC 9605 section 8.1), if
    /// supported.
    pub fn from_id(id: u16) -> Option<CipherSuite> {
        ALL_SUITES.into_iter().find(|s| s.id() == id)
    }

    /// The registry value (RFC 9605 section 8.1).
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

    /// Whether the suite's hash (HKDF, and HMAC for CTR suites) is SHA-512
    /// (else SHA-256).
    fn sha512(self) -> bool {
        self.nh() == 64
    }

    /// `Nh`, the hash output length in bytes.
    pub fn nh(self) -> usize {
        match self {
            CipherSuite::Aes128CtrHmacSha256Tag80
            | CipherSuite::Aes128CtrHmacSha256Tag64
            | CipherSuite::Aes128CtrHmacSha256Tag32
            | CipherSuite::Aes128GcmSha256Tag128 => 32,
            _ => 64,
        }
    }

    /// `Nka`, the AES key length in bytes.
    pub fn nka(self) -> usize {
        match self {
            CipherSuite::Aes128CtrHmacSha256Tag80
            | CipherSuite::Aes128CtrHmacSha256Tag64
            | CipherSuite::Aes128CtrHmacSha256Tag32
            | CipherSuite::Aes128GcmSha256Tag128 => 16,
            _ => 32,
        }
    }

    /// `AEAD.Nt`, the tag length in bytes.
    pub fn nt(self) -> usize {
        match self {
            CipherSuite::Aes128CtrHmacSha256Tag80 | CipherSuite::Aes256CtrHmacSha512Tag80 => 10,
            CipherSuite::Aes128CtrHmacSha256Tag64 | CipherSuite::Aes256CtrHmacSha512Tag64 => 8,
            CipherSuite::Aes128CtrHmacSha256Tag32 | CipherSuite::Aes256CtrHmacSha512Tag32 => 4,
            CipherSuite::Aes128GcmSha256Tag128 | CipherSuite::Aes256GcmSha512Tag128 => 16,
        }
    }

    /// Whether the AEAD is AES-CTR + HMAC (RFC 9605 section 4.5.1).
    pub fn is_ctr_hmac(self) -> bool {
        self.nt() != 16
    }

    /// `AEAD.Nk`, the key length in bytes: `Nka + Nh` or `Nka`.
    pub fn nk(self) -> usize {
        if self.is_ctr_hmac() {
            self.nka().saturating_add(self.nh())
        } else {
            self.nka()
        }
    }
}

/// The KID and CTR of an SFrame header (RFC 9605 section 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The key identifier.
    pub kid: u64,
    /// The counter.
    pub ctr: u64,
}

/// The minimum number of big-endian bytes of `v`, 1 to 8.
fn min_len(v: u64) -> usize {
    let bytes = (64 - v.leading_zeros()).div_ceil(8).max(1);
    usize::try_from(bytes).unwrap_or(8)
}

/// Appends `v`'s extension bytes (if any) to `out` and returns its four
/// config bits (flag and 3-bit field), RFC 9605 section 4.3.
fn push_value(out: &mut Vec<u8>, v: u64) -> u8 {
    match u8::try_from(v) {
        Ok(small) if small < 8 => small,
        _ => {
            let len = min_len(v);
            let be = v.to_be_bytes();
            out.extend_from_slice(be.get(8 - len..).unwrap_or(&be));
            0x08 | u8::try_from(len - 1).unwrap_or(7)
        }
    }
}

/// The SFrame header of `header`, RFC 9605 section 4.3, in the minimum
/// number of bytes (1 to [`MAX_HEADER_LEN`]).
pub fn encode_header(header: &Header) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAX_HEADER_LEN);
    encode_header_into(header, &mut out);
    out
}

/// [`encode_header`], appended to `out` (no allocation of its own: the
/// frame encryption writes the header straight into the frame).
fn encode_header_into(header: &Header, out: &mut Vec<u8>) {
    let start = out.len();
    out.push(0);
    let k = push_value(out, header.kid);
    let c = push_value(out, header.ctr);
    if let Some(config) = out.get_mut(start) {
        *config = (k << 4) | c;
    }
}

/// Reads one value with config bits `nibble` from the front of `rest`;
/// returns it and what follows. Truncated or non-minimal: Malformed.
fn decode_value(rest: &[u8], nibble: u8) -> Result<(u64, &[u8]), Error> {
    if nibble & 0x08 == 0 {
        return Ok((u64::from(nibble & 0x07), rest));
    }
    let len = usize::from(nibble & 0x07) + 1;
    let (bytes, rest) = rest.split_at_checked(len).ok_or(Error::Malformed)?;
    let v = bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if v < 8 || min_len(v) != len {
        return Err(Error::Malformed);
    }
    Ok((v, rest))
}

/// Strict decoding of the header at the front of an SFrame ciphertext,
/// RFC 9605 section 4.3: the KID and CTR and the header's length. Every
/// rejection is [`Error::Malformed`] (see the module docs).
pub fn decode_header(data: &[u8]) -> Result<(Header, usize), Error> {
    let (&config, rest) = data.split_first().ok_or(Error::Malformed)?;
    let (kid, rest) = decode_value(rest, config >> 4)?;
    let (ctr, rest) = decode_value(rest, config & 0x0f)?;
    Ok((Header { kid, ctr }, data.len() - rest.len()))
}

/// `label + KID (8 bytes) + cipher_suite (2 bytes)`, RFC 9605 section 4.4.2.
fn label(prefix: &[u8], suite: CipherSuite, kid: u64) -> Vec<u8> {
    [prefix, &kid.to_be_bytes(), &suite.id().to_be_bytes()].concat()
}

/// `sframe_key_label`, RFC 9605 section 4.4.2.
pub fn key_label(suite: CipherSuite, kid: u64) -> Vec<u8> {
    label(KEY_LABEL, suite, kid)
}

/// `sframe_salt_label`, RFC 9605 section 4.4.2.
pub fn salt_label(suite: CipherSuite, kid: u64) -> Vec<u8> {
    label(SALT_LABEL, suite, kid)
}

/// `sframe_secret = HKDF-Extract("", base_key)`, RFC 9605 section 4.4.2.
pub fn sframe_secret(suite: CipherSuite, base_key: &[u8]) -> Zeroizing<Vec<u8>> {
    if suite.sha512() {
        Zeroizing::new(hash::hkdf_sha512_extract(&[], base_key).to_vec())
    } else {
        Zeroizing::new(hash::hkdf_sha256_extract(&[], base_key).to_vec())
    }
}

/// HKDF-Expand with the suite's hash into `okm`.
fn expand(suite: CipherSuite, base_key: &[u8], info: &[u8], okm: &mut [u8]) -> Result<(), Error> {
    if suite.sha512() {
        hash::hkdf_sha512_expand(&hash::hkdf_sha512_extract(&[], base_key), info, okm)
    } else {
        hash::hkdf_sha256_expand(&hash::hkdf_sha256_extract(&[], base_key), info, okm)
    }
}

/// The `sframe_key` and `sframe_salt` of one KID (RFC 9605 section 4.4.2).
/// The key is zeroized on drop and not shown by `Debug`. For the AES-GCM
/// suites it also holds the keyed cipher (key schedule and GHASH key made
/// once, not per frame: a call encrypts thousands of frames per key).
#[derive(Clone)]
pub struct KeyAndSalt {
    key: Zeroizing<Vec<u8>>,
    salt: [u8; NONCE_LEN],
    gcm: Option<aes_gcm::GcmKey>,
}

/// The keyed AES-GCM cipher of a GCM suite's key (`None` for the CTR +
/// HMAC suites).
fn gcm_key(suite: CipherSuite, key: &[u8]) -> Result<Option<aes_gcm::GcmKey>, Error> {
    if suite.is_ctr_hmac() {
        Ok(None)
    } else {
        aes_gcm::GcmKey::new(key).map(Some)
    }
}

impl fmt::Debug for KeyAndSalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyAndSalt { .. }")
    }
}

impl KeyAndSalt {
    /// A key and salt received from elsewhere (e.g. a test vector); the key
    /// must have the suite's `AEAD.Nk` bytes, else [`Error::InvalidLength`].
    pub fn from_bytes(
        suite: CipherSuite,
        key: &[u8],
        salt: [u8; NONCE_LEN],
    ) -> Result<Self, Error> {
        if key.len() != suite.nk() {
            return Err(Error::InvalidLength);
        }
        Ok(KeyAndSalt {
            key: Zeroizing::new(key.to_vec()),
            salt,
            gcm: gcm_key(suite, key)?,
        })
    }

    /// `sframe_key`.
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// `sframe_salt`.
    pub fn salt(&self) -> &[u8; NONCE_LEN] {
        &self.salt
    }
}

/// `derive_key_salt(KID, base_key)`, RFC 9605 section 4.4.2. Never fails
/// in practice (the lengths are far below HKDF's bound); the `Result` is
/// HKDF-Expand's.
pub fn derive_key_salt(suite: CipherSuite, kid: u64, base_key: &[u8]) -> Result<KeyAndSalt, Error> {
    let mut key = Zeroizing::new(vec![0u8; suite.nk()]);
    expand(suite, base_key, &key_label(suite, kid), &mut key)?;
    let mut salt = [0u8; NONCE_LEN];
    expand(suite, base_key, &salt_label(suite, kid), &mut salt)?;
    let gcm = gcm_key(suite, &key)?;
    Ok(KeyAndSalt { key, salt, gcm })
}

/// `xor(sframe_salt, encode_big_endian(CTR, AEAD.Nn))`, RFC 9605 section
/// 4.4.3.
pub fn nonce(salt: &[u8; NONCE_LEN], ctr: u64) -> [u8; NONCE_LEN] {
    let mut out = *salt;
    for (o, c) in out.iter_mut().skip(NONCE_LEN - 8).zip(ctr.to_be_bytes()) {
        *o ^= c;
    }
    out
}

/// `compute_tag`, RFC 9605 section 4.5.1: HMAC over `len(aad) || len(ct)
/// || Nt || nonce || aad || ct` (lengths as 8-byte big-endian), truncated
/// to `Nt` bytes.
fn compute_tag(
    suite: CipherSuite,
    auth_key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ct: &[u8],
) -> Vec<u8> {
    let len = |n: usize| u64::try_from(n).unwrap_or(u64::MAX).to_be_bytes();
    let data = [
        &len(aad.len())[..],
        &len(ct.len()),
        &len(suite.nt()),
        nonce,
        aad,
        ct,
    ]
    .concat();
    let mut tag = if suite.sha512() {
        hash::hmac_sha512(auth_key, &data).to_vec()
    } else {
        hash::hmac_sha256(auth_key, &data).to_vec()
    };
    tag.truncate(suite.nt());
    tag
}

/// `nonce + 0x00000000`, the initial counter block of RFC 9605 section 4.5.1.
fn initial_counter(nonce: &[u8; NONCE_LEN]) -> [u8; 16] {
    let mut block = [0u8; 16];
    for (b, n) in block.iter_mut().zip(nonce) {
        *b = *n;
    }
    block
}

/// Whether `len` plaintext bytes are within the suite's AEAD limit.
fn pt_len_allowed(suite: CipherSuite, len: usize) -> bool {
    let max = if suite.is_ctr_hmac() {
        MAX_CTR_HMAC_PLAINTEXT_LEN
    } else {
        aes_gcm::MAX_PLAINTEXT_LEN
    };
    u64::try_from(len).is_ok_and(|n| n <= max)
}

/// `AEAD.Encrypt(key, nonce, aad, pt)` of the suite (RFC 9605 section 4.5;
/// 4.5.1 for AES-CTR + HMAC). [`Error::InvalidLength`] if `key` is not
/// `AEAD.Nk` bytes or the plaintext is over the limit.
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
    if !suite.is_ctr_hmac() {
        return aes_gcm::seal(key, nonce, aad, pt);
    }
    let (enc_key, auth_key) = key
        .split_at_checked(suite.nka())
        .ok_or(Error::InvalidLength)?;
    let mut ct = aes_ctr::aes_ctr(enc_key, &initial_counter(nonce), pt)?;
    let tag = compute_tag(suite, auth_key, nonce, aad, &ct);
    ct.extend_from_slice(&tag);
    Ok(ct)
}

/// `AEAD.Decrypt(key, nonce, aad, ct)` of the suite (RFC 9605 section
/// 4.5). [`Error::InvalidLength`] if `key` is not `AEAD.Nk` bytes, `ct` is
/// shorter than `AEAD.Nt` or too long; then
/// [`Error::AuthenticationFailed`] (tag compared in constant time; nothing
/// decrypted unless it verifies).
pub fn aead_decrypt(
    suite: CipherSuite,
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, Error> {
    if key.len() != suite.nk() {
        return Err(Error::InvalidLength);
    }
    let inner_len = ct
        .len()
        .checked_sub(suite.nt())
        .ok_or(Error::InvalidLength)?;
    if !pt_len_allowed(suite, inner_len) {
        return Err(Error::InvalidLength);
    }
    if !suite.is_ctr_hmac() {
        return aes_gcm::open(key, nonce, aad, ct);
    }
    let (inner_ct, tag) = ct.split_at_checked(inner_len).ok_or(Error::InvalidLength)?;
    let (enc_key, auth_key) = key
        .split_at_checked(suite.nka())
        .ok_or(Error::InvalidLength)?;
    if !ct_eq(&compute_tag(suite, auth_key, nonce, aad, inner_ct), tag) {
        return Err(Error::AuthenticationFailed);
    }
    aes_ctr::aes_ctr(enc_key, &initial_counter(nonce), inner_ct)
}

/// SFrame encryption, RFC 9605 section 4.4.3: `header +
/// AEAD.Encrypt(sframe_key, xor(sframe_salt, CTR), header + metadata,
/// plaintext)`. Each `(KID, CTR)` must be used once (the caller's
/// obligation). Errors: those of [`aead_encrypt`].
pub fn encrypt(
    suite: CipherSuite,
    key_salt: &KeyAndSalt,
    header: &Header,
    metadata: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, Error> {
    if let (Some(_), false) = (&key_salt.gcm, suite.is_ctr_hmac()) {
        // One allocation for the whole frame: header, ciphertext, tag.
        let mut out = Vec::with_capacity(
            MAX_HEADER_LEN
                .saturating_add(plaintext.len())
                .saturating_add(suite.nt()),
        );
        encrypt_into(suite, key_salt, header, metadata, plaintext, &mut out)?;
        return Ok(out);
    }
    let mut out = encode_header(header);
    let aad = [&out[..], metadata].concat();
    let ct = aead_encrypt(
        suite,
        key_salt.key(),
        &nonce(key_salt.salt(), header.ctr),
        &aad,
        plaintext,
    )?;
    out.extend_from_slice(&ct);
    Ok(out)
}

/// [`encrypt`] into the caller's buffer `out` (cleared first; reused
/// across frames, so a call allocates nothing per frame once it is large
/// enough): the same bytes and errors. On an error `out` is left empty.
/// For the AES-GCM suites the cached cipher seals in place after the
/// header (the checks of `aead_encrypt`: key length, then the plaintext
/// bound, which `seal_append` checks).
pub fn encrypt_into(
    suite: CipherSuite,
    key_salt: &KeyAndSalt,
    header: &Header,
    metadata: &[u8],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    out.clear();
    let Some(gcm) = key_salt.gcm.as_ref().filter(|_| !suite.is_ctr_hmac()) else {
        *out = encrypt(suite, key_salt, header, metadata, plaintext)?;
        return Ok(());
    };
    if key_salt.key().len() != suite.nk() {
        return Err(Error::InvalidLength);
    }
    encode_header_into(header, out);
    let nonce = nonce(key_salt.salt(), header.ctr);
    let sealed = if metadata.is_empty() {
        // The AAD is the header alone: a copy on the stack, no
        // allocation per frame.
        let mut aad = [0u8; MAX_HEADER_LEN];
        let aad = aad.get_mut(..out.len()).ok_or(Error::Malformed)?;
        aad.copy_from_slice(out);
        gcm.seal_append(&nonce, aad, plaintext, out)
    } else {
        let aad = [&out[..], metadata].concat();
        gcm.seal_append(&nonce, &aad, plaintext, out)
    };
    if sealed.is_err() {
        out.clear();
    }
    sealed
}

/// SFrame decryption, RFC 9605 section 4.4.4, with the key and salt of the
/// header's KID: the header and the plaintext. Errors:
/// [`Error::InvalidLength`] if the key is not the suite's length;
/// [`Error::Malformed`] for a malformed header or a rest shorter than a
/// tag; [`Error::AuthenticationFailed`].
pub fn decrypt(
    suite: CipherSuite,
    key_salt: &KeyAndSalt,
    metadata: &[u8],
    sframe_ciphertext: &[u8],
) -> Result<(Header, Vec<u8>), Error> {
    if key_salt.key().len() != suite.nk() {
        return Err(Error::InvalidLength);
    }
    let (header, header_len) = decode_header(sframe_ciphertext)?;
    let (encoded, ct) = sframe_ciphertext
        .split_at_checked(header_len)
        .ok_or(Error::Malformed)?;
    if ct.len() < suite.nt() {
        return Err(Error::Malformed);
    }
    if let (Some(_), false) = (&key_salt.gcm, suite.is_ctr_hmac()) {
        let mut pt = Vec::new();
        let header = decrypt_into(suite, key_salt, metadata, sframe_ciphertext, &mut pt)?;
        return Ok((header, pt));
    }
    let aad = [encoded, metadata].concat();
    let pt = aead_decrypt(
        suite,
        key_salt.key(),
        &nonce(key_salt.salt(), header.ctr),
        &aad,
        ct,
    )?;
    Ok((header, pt))
}

/// [`decrypt`] into the caller's buffer `out` (cleared first, then the
/// plaintext; reused across frames): the same header, plaintext and
/// errors. On an error `out` is left empty. For the AES-GCM suites the
/// cached cipher opens in place in `out` (the bound and tag checks of
/// `aead_decrypt`, in its order; nothing is decrypted unless the tag
/// verifies).
pub fn decrypt_into(
    suite: CipherSuite,
    key_salt: &KeyAndSalt,
    metadata: &[u8],
    sframe_ciphertext: &[u8],
    out: &mut Vec<u8>,
) -> Result<Header, Error> {
    out.clear();
    let Some(gcm) = key_salt.gcm.as_ref().filter(|_| !suite.is_ctr_hmac()) else {
        let (header, pt) = decrypt(suite, key_salt, metadata, sframe_ciphertext)?;
        *out = pt;
        return Ok(header);
    };
    if key_salt.key().len() != suite.nk() {
        return Err(Error::InvalidLength);
    }
    let (header, header_len) = decode_header(sframe_ciphertext)?;
    let (encoded, ct) = sframe_ciphertext
        .split_at_checked(header_len)
        .ok_or(Error::Malformed)?;
    if ct.len() < suite.nt() {
        return Err(Error::Malformed);
    }
    let nonce = nonce(key_salt.salt(), header.ctr);
    let opened = if metadata.is_empty() {
        gcm.open_into(&nonce, encoded, ct, out)
    } else {
        gcm.open_into(&nonce, &[encoded, metadata].concat(), ct, out)
    };
    if opened.is_err() {
        out.clear();
    }
    opened.map(|()| header)
}
