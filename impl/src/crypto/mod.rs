//! The primitives of cipher suite XCHAT-1 (SPEC.md section 3), as thin
//! wrappers over audited or formally verified crates.
//!
//! This is the only place those crates are called. Each wrapper has the
//! signature of the spec function it replaces (module for module:
//! `xchat_spec::{x25519, suite, ed25519, ml_kem, chacha20poly1305,
//! xchacha20poly1305, sha2, hmac, hkdf, aes_ctr, aes_gcm}`), returns the same bytes, and
//! rejects the same inputs with the same [`Error`](crate::Error) kind;
//! `impl/tests/crypto_diff.rs` checks both, on random inputs and on every
//! external known-answer file the spec is tested with.
//!
//! | module | primitive | crate |
//! |---|---|---|
//! | [`x25519`] | X25519, RFC 7748 | `libcrux-curve25519` (DH), `x25519-dalek` (fixed base) |
//! | [`ed25519`] | Ed25519, RFC 8032, strict verification (SPEC.md 3.1) | `ed25519-dalek` |
//! | [`ml_kem`] | ML-KEM-768, FIPS 203 | `libcrux-ml-kem` |
//! | [`aead`] | ChaCha20-Poly1305 (RFC 8439), XChaCha20-Poly1305 | `chacha20poly1305` |
//! | [`aes_gcm`] | AES-128/256-GCM, SP 800-38D (SFrame, RFC 9605) | `aes-gcm` |
//! | [`aes_ctr`] | AES-128/256-CTR, SP 800-38A (SFrame, RFC 9605) | `ctr`, `aes` |
//! | [`hash`] | SHA-256, SHA-512, HMAC, HKDF | `sha2`, `hmac`, `hkdf` |
//!
//! Secrets returned by these functions are `Zeroizing`; the inputs are
//! borrowed, so their owners zeroize them.

pub mod aead;
pub mod aes_ctr;
pub mod aes_gcm;
pub mod ed25519;
pub mod hash;
pub mod ml_kem;
pub mod x25519;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Draws `N` bytes from `rng` with a single `fill_bytes(&mut [u8; N])`
/// call: the one way this crate draws randomness, so that the bytes an
/// operation consumes are exactly the spec's explicit randomness inputs,
/// in the order the operation documents.
pub fn random_array<const N: usize, R: CryptoRng + ?Sized>(rng: &mut R) -> Zeroizing<[u8; N]> {
    let mut out = Zeroizing::new([0u8; N]);
    rng.fill_bytes(out.as_mut_slice());
    out
}

/// Constant-time equality of two byte strings (`subtle`); the lengths are
/// treated as public.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}
