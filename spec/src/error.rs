//! The errors a primitive can report.
//!
//! The set is deliberately small: each kind is a distinct, externally
//! observable reason to reject an input, and the conformance interface
//! reports it by name.

/// Why a primitive rejected its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// An input has a length the algorithm does not accept (a key, nonce,
    /// ciphertext or encoding of the wrong size, or an HKDF output longer
    /// than 255 hash lengths, RFC 5869 section 2.3).
    InvalidLength,
    /// An AEAD tag did not verify (RFC 8439 section 2.8).
    AuthenticationFailed,
    /// An Ed25519 signature was rejected by the strict verification policy
    /// of [`crate::ed25519`].
    InvalidSignature,
    /// An ML-KEM encapsulation key failed the modulus check (FIPS 203,
    /// section 7.2).
    InvalidEncapsulationKey,
    /// An ML-KEM decapsulation key failed the hash check (FIPS 203,
    /// section 7.3).
    InvalidDecapsulationKey,
}
