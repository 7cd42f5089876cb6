//! AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) and
//! AEAD_XChaCha20_Poly1305 (draft-irtf-cfrg-xchacha-03 section 2.3); mirrors
//! `xchat_spec::chacha20poly1305` and `xchat_spec::xchacha20poly1305`.
//!
//! Two implementations of the one algorithm, chosen by length, because
//! each is the faster one on its side (measured on this project's machine,
//! `benches/README.md`): below [`SMALL_LEN`] bytes of plaintext,
//! `libcrux-chacha20poly1305` (HACL*, formally verified: memory safety,
//! functional correctness, secret independence), whose fixed cost per call
//! is about 0.6 us against RustCrypto's 2 us; from [`SMALL_LEN`] on,
//! RustCrypto `chacha20poly1305` with its AVX2 code, three times faster per
//! byte. Ratchet headers and small message bodies thus take the first,
//! attachment chunks the second. XChaCha20's subkey is RustCrypto's
//! `hchacha` (the function its XChaCha20-Poly1305 uses), kept in a
//! zeroize-on-drop buffer. The outputs are the same bytes whichever runs
//! (`tests/crypto_diff.rs` checks both sides of the switch against the
//! spec).
//!
//! The sealed form is the ciphertext followed by the 16-byte tag, as in the
//! spec. [`open`] and [`xopen`] report the spec's errors in the spec's
//! order: [`Error::InvalidLength`] for an input shorter than a tag or a
//! ciphertext longer than [`MAX_PLAINTEXT_LEN`], then
//! [`Error::AuthenticationFailed`]; the tag is compared in constant time and
//! nothing is decrypted unless it verifies.

use chacha20poly1305::aead::inout::InOutBuf;
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Tag, XChaCha20Poly1305};
use zeroize::Zeroizing;

use crate::Error;

/// Plaintexts shorter than this many bytes are sealed and opened with
/// `libcrux-chacha20poly1305` (HACL*), longer ones with RustCrypto: the
/// crossover measured on this project's machine (at 256 bytes HACL* took
/// 1.37 us and RustCrypto 2.20 us; at 512 bytes both about 2.3 us; at
/// 4 KiB 21.1 us against 8.4 us).
pub const SMALL_LEN: usize = 384;

/// Seals `pt` into `ct` (same length) with HACL*, returning the tag.
fn small_seal(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    pt: &[u8],
    ct: &mut [u8],
) -> Result<[u8; TAG_LEN], Error> {
    let mut tag = [0u8; TAG_LEN];
    libcrux_chacha20poly1305::encrypt_detached(key, pt, ct, &mut tag, aad, nonce)
        .map_err(|_| Error::InvalidLength)?;
    Ok(tag)
}

/// Checks `tag` over `ct` and only then decrypts it into `out` (same
/// length), with HACL* (constant-time tag comparison; `out` is not written
/// on failure).
fn small_open(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    ct: &[u8],
    tag: &[u8; TAG_LEN],
    out: &mut [u8],
) -> Result<(), Error> {
    if ct.len() != out.len() {
        return Err(Error::InvalidLength);
    }
    libcrux_chacha20poly1305::decrypt_detached(key, out, ct, tag, aad, nonce)
        .map(|_| ())
        .map_err(|_| Error::AuthenticationFailed)
}

/// XChaCha20's subkey and ChaCha20 nonce (draft-irtf-cfrg-xchacha-03
/// section 2.3): `HChaCha20(key, nonce[0..16])` and `zeros(4) ||
/// nonce[16..24]`.
fn x_subkey(key: &[u8; 32], nonce: &[u8; 24]) -> (Zeroizing<[u8; 32]>, [u8; 12]) {
    let (head, tail) = nonce.split_at(16);
    let mut input = [0u8; 16];
    input.copy_from_slice(head);
    let mut subkey = Zeroizing::new([0u8; 32]);
    let derived = Zeroizing::new(chacha20::hchacha::<chacha20::R20>(
        key.into(),
        &input.into(),
    ));
    subkey.copy_from_slice(derived.as_slice());
    let mut n12 = [0u8; 12];
    if let Some(dst) = n12.get_mut(4..) {
        dst.copy_from_slice(tail);
    }
    (subkey, n12)
}

/// [`seal`] of a plaintext shorter than [`SMALL_LEN`].
fn small_seal_vec(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], pt: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; pt.len().saturating_add(TAG_LEN)];
    let (ct, tag_out) = out.split_at_mut(pt.len());
    match small_seal(key, nonce, aad, pt, ct) {
        Ok(tag) => {
            tag_out.copy_from_slice(&tag);
            out
        }
        Err(_) => Vec::new(),
    }
}

/// [`open`] of a `ciphertext || tag` whose ciphertext is shorter than
/// [`SMALL_LEN`] (lengths already checked).
fn small_open_vec(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, Error> {
    let ct_len = sealed
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(Error::InvalidLength)?;
    let (ct, tag) = sealed.split_at(ct_len);
    let tag: &[u8; TAG_LEN] = tag.try_into().map_err(|_| Error::InvalidLength)?;
    let mut out = vec![0u8; ct_len];
    small_open(key, nonce, aad, ct, tag, &mut out)?;
    Ok(out)
}

/// Key length in bytes (RFC 8439 section 2.8).
pub const KEY_LEN: usize = 32;
/// Nonce length of ChaCha20-Poly1305 (RFC 8439 section 2.8).
pub const NONCE_LEN: usize = 12;
/// Nonce length of XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 section 2.3).
pub const XNONCE_LEN: usize = 24;
/// Tag length in bytes (RFC 8439 section 2.8).
pub const TAG_LEN: usize = 16;
/// Largest plaintext, RFC 8439 section 2.8: 2^38 - 64 bytes.
pub const MAX_PLAINTEXT_LEN: u64 = (1 << 38) - 64;

/// Whether `len` bytes are within [`MAX_PLAINTEXT_LEN`].
fn len_allowed(len: usize) -> bool {
    u64::try_from(len).is_ok_and(|n| n <= MAX_PLAINTEXT_LEN)
}

/// Encrypts `pt` into a fresh `ciphertext || tag` vector with `cipher`
/// (any `aead` 0.6 cipher with a 16-byte tag: also AES-GCM,
/// [`super::aes_gcm`]).
pub(crate) fn seal_with<C: AeadInOut<TagSize = chacha20poly1305::consts::U16>>(
    cipher: &C,
    nonce: &chacha20poly1305::aead::Nonce<C>,
    aad: &[u8],
    pt: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(pt.len().saturating_add(TAG_LEN));
    out.extend_from_slice(pt);
    match cipher.encrypt_inout_detached(nonce, aad, out.as_mut_slice().into()) {
        Ok(tag) => {
            out.extend_from_slice(&tag);
            out
        }
        // Only a plaintext beyond the RFC 8439 limit fails (the spec's
        // `pre_seal`); an empty output is what every `open` rejects.
        Err(_) => Vec::new(),
    }
}

/// Checks the lengths and the tag of `ciphertext || tag`, then decrypts
/// (any `aead` 0.6 cipher with a 16-byte tag; the length bound checked here
/// is RFC 8439's, callers with a smaller one check theirs first).
pub(crate) fn open_with<C: AeadInOut<TagSize = chacha20poly1305::consts::U16>>(
    cipher: &C,
    nonce: &chacha20poly1305::aead::Nonce<C>,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, Error> {
    let ct_len = sealed
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(Error::InvalidLength)?;
    if !len_allowed(ct_len) {
        return Err(Error::InvalidLength);
    }
    let (ct, tag) = sealed.split_at(ct_len);
    let tag = Tag::try_from(tag).map_err(|_| Error::InvalidLength)?;
    let mut out = ct.to_vec();
    cipher
        .decrypt_inout_detached(nonce, aad, out.as_mut_slice().into(), &tag)
        .map_err(|_| Error::AuthenticationFailed)?;
    Ok(out)
}

/// AEAD_CHACHA20_POLY1305 encryption, RFC 8439 section 2.8 (`AEAD(k, n,
/// ad, p)` of SPEC.md section 3): the ciphertext followed by the tag.
///
/// Precondition (the spec's `pre_seal`): `pt` has at most
/// [`MAX_PLAINTEXT_LEN`] bytes; beyond it the result is empty, which
/// [`open`] rejects.
pub fn seal(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], pt: &[u8]) -> Vec<u8> {
    if pt.len() < SMALL_LEN {
        return small_seal_vec(key, nonce, aad, pt);
    }
    seal_with(&ChaCha20Poly1305::new(key.into()), nonce.into(), aad, pt)
}

/// AEAD_CHACHA20_POLY1305 decryption, RFC 8439 section 2.8 (`AEAD-OPEN`
/// of SPEC.md section 3), with the errors of the module documentation.
pub fn open(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], ct: &[u8]) -> Result<Vec<u8>, Error> {
    if (TAG_LEN..TAG_LEN + SMALL_LEN).contains(&ct.len()) {
        return small_open_vec(key, nonce, aad, ct);
    }
    open_with(&ChaCha20Poly1305::new(key.into()), nonce.into(), aad, ct)
}

/// AEAD_XChaCha20_Poly1305 encryption, draft-irtf-cfrg-xchacha-03 section
/// 2.3 (`XAEAD` of SPEC.md section 3), with the precondition of [`seal`].
pub fn xseal(key: &[u8; 32], nonce: &[u8; 24], aad: &[u8], pt: &[u8]) -> Vec<u8> {
    if pt.len() < SMALL_LEN {
        let (subkey, n12) = x_subkey(key, nonce);
        return small_seal_vec(&subkey, &n12, aad, pt);
    }
    seal_with(&XChaCha20Poly1305::new(key.into()), nonce.into(), aad, pt)
}

/// AEAD_XChaCha20_Poly1305 decryption, draft-irtf-cfrg-xchacha-03 section
/// 2.3, with the errors of the module documentation.
pub fn xopen(key: &[u8; 32], nonce: &[u8; 24], aad: &[u8], ct: &[u8]) -> Result<Vec<u8>, Error> {
    if (TAG_LEN..TAG_LEN + SMALL_LEN).contains(&ct.len()) {
        let (subkey, n12) = x_subkey(key, nonce);
        return small_open_vec(&subkey, &n12, aad, ct);
    }
    open_with(&XChaCha20Poly1305::new(key.into()), nonce.into(), aad, ct)
}

/// AEAD_CHACHA20_POLY1305 encryption in place, RFC 8439 section 2.8: `buf`
/// becomes the ciphertext and the tag is returned, so that a caller that
/// owns the output buffer (attachment chunks, SPEC.md section 13) seals
/// without an extra allocation or copy. The bytes equal [`seal`]'s:
/// `seal(k, n, ad, p) = ciphertext || tag`. A buffer longer than
/// [`MAX_PLAINTEXT_LEN`] is [`Error::InvalidLength`] and left unchanged.
pub fn seal_in_place(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
) -> Result<[u8; TAG_LEN], Error> {
    if !len_allowed(buf.len()) {
        return Err(Error::InvalidLength);
    }
    if let Some(pt) = small_copy(buf) {
        return small_seal(
            key,
            nonce,
            aad,
            pt.get(..buf.len()).unwrap_or_default(),
            buf,
        );
    }
    ChaCha20Poly1305::new(key.into())
        .encrypt_inout_detached(nonce.into(), aad, buf.into())
        .map(Into::into)
        .map_err(|_| Error::InvalidLength)
}

/// A wiped copy of `buf` if it is shorter than [`SMALL_LEN`]: HACL* reads
/// and writes separate buffers, so in place it reads from this copy.
fn small_copy(buf: &[u8]) -> Option<Zeroizing<[u8; SMALL_LEN]>> {
    let mut copy = Zeroizing::new([0u8; SMALL_LEN]);
    copy.get_mut(..buf.len())?.copy_from_slice(buf);
    (buf.len() < SMALL_LEN).then_some(copy)
}

/// AEAD_CHACHA20_POLY1305 encryption from `pt` into `out` (same length),
/// RFC 8439 section 2.8: `out` becomes the ciphertext and the tag is
/// returned. The keystream is applied from one buffer to the other, so a
/// caller sealing a file into its own output buffer (attachments, SPEC.md
/// section 13) pays no copy on top of the AEAD. The bytes equal [`seal`]'s.
/// Buffers of different lengths, or longer than [`MAX_PLAINTEXT_LEN`], are
/// [`Error::InvalidLength`] and `out` is left unchanged.
pub fn seal_to(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    pt: &[u8],
    out: &mut [u8],
) -> Result<[u8; TAG_LEN], Error> {
    if !len_allowed(pt.len()) {
        return Err(Error::InvalidLength);
    }
    if pt.len() < SMALL_LEN {
        if pt.len() != out.len() {
            return Err(Error::InvalidLength);
        }
        return small_seal(key, nonce, aad, pt, out);
    }
    let buf = InOutBuf::new(pt, out).map_err(|_| Error::InvalidLength)?;
    ChaCha20Poly1305::new(key.into())
        .encrypt_inout_detached(nonce.into(), aad, buf)
        .map(Into::into)
        .map_err(|_| Error::InvalidLength)
}

/// AEAD_CHACHA20_POLY1305 decryption from `ct` into `out` (same length),
/// RFC 8439 section 2.8: the tag is checked (constant time) over `ct`
/// first, and only if it verifies is the plaintext written to `out`;
/// otherwise `out` is unchanged and the error is
/// [`Error::AuthenticationFailed`]. Buffers of different lengths, or longer
/// than [`MAX_PLAINTEXT_LEN`], are [`Error::InvalidLength`].
pub fn open_to(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    ct: &[u8],
    tag: &[u8; TAG_LEN],
    out: &mut [u8],
) -> Result<(), Error> {
    if !len_allowed(ct.len()) {
        return Err(Error::InvalidLength);
    }
    if ct.len() < SMALL_LEN {
        return small_open(key, nonce, aad, ct, tag, out);
    }
    let buf = InOutBuf::new(ct, out).map_err(|_| Error::InvalidLength)?;
    ChaCha20Poly1305::new(key.into())
        .decrypt_inout_detached(nonce.into(), aad, buf, &Tag::from(*tag))
        .map_err(|_| Error::AuthenticationFailed)
}

/// AEAD_CHACHA20_POLY1305 decryption in place, RFC 8439 section 2.8: the
/// tag is checked (constant time) over the ciphertext in `buf` first, and
/// only if it verifies is `buf` decrypted; otherwise `buf` is unchanged and
/// the error is [`Error::AuthenticationFailed`]. Same decisions as [`open`]
/// on `buf || tag`; a buffer longer than [`MAX_PLAINTEXT_LEN`] is
/// [`Error::InvalidLength`].
pub fn open_in_place(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), Error> {
    if !len_allowed(buf.len()) {
        return Err(Error::InvalidLength);
    }
    if let Some(ct) = small_copy(buf) {
        let n = buf.len();
        return small_open(key, nonce, aad, ct.get(..n).unwrap_or_default(), tag, buf);
    }
    ChaCha20Poly1305::new(key.into())
        .decrypt_inout_detached(nonce.into(), aad, buf.into(), &Tag::from(*tag))
        .map_err(|_| Error::AuthenticationFailed)
}
