//! The errors the specification can report (SPEC.md section 17).
//!
//! The set is deliberately small: each kind is a distinct, externally
//! observable reason to reject an input, and the conformance interface
//! reports it by name. The first group is reported by primitives, the second
//! by the protocol; a protocol operation never returns `InvalidLength`,
//! `InvalidEncapsulationKey` or `InvalidDecapsulationKey` (it reports
//! `Malformed` or `InvalidKey` instead).

/// Why an operation rejected its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// An input has a length the algorithm does not accept (a key, nonce,
    /// ciphertext or encoding of the wrong size, or an HKDF output longer
    /// than 255 hash lengths, RFC 5869 section 2.3).
    InvalidLength,
    /// An AEAD tag did not verify (RFC 8439 section 2.8; AES-GCM,
    /// SP 800-38D section 7.2; SFrame's AES-CTR + HMAC, RFC 9605 section
    /// 4.5.1).
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
    /// Protocol: wrong length, bad tag, trailing bytes, a field out of range,
    /// or bad padding (SPEC.md sections 2 and 4); a truncated or non-minimal
    /// SFrame header, or an SFrame ciphertext shorter than its tag (RFC 9605
    /// sections 4.3 and 4.4.4).
    Malformed,
    /// Protocol: a version byte other than `0x01` (SPEC.md section 4.3).
    UnsupportedVersion,
    /// Protocol: not a canonical handle (SPEC.md section 5).
    InvalidHandle,
    /// Protocol: an ML-KEM key failed the FIPS 203 section 7 checks
    /// (SPEC.md REQ-SUITE-002).
    InvalidKey,
    /// Protocol: an all-zero X25519 output (SPEC.md REQ-SUITE-001).
    NonContributory,
    /// Protocol: a prekey message names a prekey the responder does not hold
    /// (SPEC.md REQ-HS-003).
    UnknownPrekey,
    /// Protocol: the message was already decrypted (SPEC.md REQ-RATCHET-006).
    Replay,
    /// Protocol: a ratchet message, or a repeated prekey message, for which
    /// the receiver has no session (SPEC.md section 15).
    UnknownSession,
    /// Protocol: more than `MAX_SKIP` message keys would be skipped
    /// (SPEC.md REQ-RATCHET-004).
    TooManySkipped,
    /// Protocol: an envelope addressed to another mailbox (SPEC.md REQ-ENV-002).
    WrongRecipient,
    /// Protocol: the session cannot send yet (SPEC.md section 9.3).
    NoSendingChain,
    /// Protocol: `2^32 - 1` messages were sent on one chain (SPEC.md section 9.3).
    ChainExhausted,
    /// Protocol: a bundle offers, for a handle pinned to one identity,
    /// another identity; nothing changed (SPEC.md REQ-PEER-002).
    IdentityChanged,
}
