//! The errors the implementation reports (SPEC.md section 17).
//!
//! Every kind of `xchat_spec::Error` appears here under the same name, so a
//! differential test compares kinds by name: [`Error::kind_name`] equals the
//! spec's `format!("{:?}", spec_error)` for every shared kind. Two kinds
//! exist only here, because the spec has no state to import and no I/O:
//! [`Error::InvalidState`] and [`Error::Io`].

use core::fmt;

/// Why an operation rejected its input (SPEC.md section 17).
///
/// The first group is reported by the primitives in [`crate::crypto`], the
/// second by the protocol, the third only by this implementation. As in the
/// spec, a protocol operation never returns `InvalidLength`,
/// `InvalidEncapsulationKey` or `InvalidDecapsulationKey` (it reports
/// `Malformed` or `InvalidKey` instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An input has a length the algorithm does not accept (a key, nonce,
    /// ciphertext or encoding of the wrong size, or an HKDF output longer
    /// than 255 hash lengths, RFC 5869 section 2.3).
    InvalidLength,
    /// An AEAD tag did not verify (RFC 8439 section 2.8; AES-GCM,
    /// SP 800-38D section 7.2; SFrame's AES-CTR + HMAC, RFC 9605 section
    /// 4.5.1).
    AuthenticationFailed,
    /// An Ed25519 signature failed the strict policy of SPEC.md section 3.1
    /// (REQ-SUITE-003).
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
    /// Implementation only: exported state that does not decode, or that
    /// violates an invariant of SPEC.md section 16, was given to an import.
    InvalidState,
    /// Implementation only: reading or writing a stream (attachments,
    /// SPEC.md section 13) failed with this I/O error kind.
    Io(std::io::ErrorKind),
}

impl Error {
    /// The name of the kind, without any payload: for the kinds shared with
    /// the spec, exactly the spec's `format!("{:?}", spec_error)`, so that
    /// differential tests compare error kinds by name.
    #[doc(hidden)]
    pub fn kind_name(&self) -> &'static str {
        match self {
            Error::InvalidLength => "InvalidLength",
            Error::AuthenticationFailed => "AuthenticationFailed",
            Error::InvalidSignature => "InvalidSignature",
            Error::InvalidEncapsulationKey => "InvalidEncapsulationKey",
            Error::InvalidDecapsulationKey => "InvalidDecapsulationKey",
            Error::Malformed => "Malformed",
            Error::UnsupportedVersion => "UnsupportedVersion",
            Error::InvalidHandle => "InvalidHandle",
            Error::InvalidKey => "InvalidKey",
            Error::NonContributory => "NonContributory",
            Error::UnknownPrekey => "UnknownPrekey",
            Error::Replay => "Replay",
            Error::UnknownSession => "UnknownSession",
            Error::TooManySkipped => "TooManySkipped",
            Error::WrongRecipient => "WrongRecipient",
            Error::NoSendingChain => "NoSendingChain",
            Error::ChainExhausted => "ChainExhausted",
            Error::IdentityChanged => "IdentityChanged",
            Error::InvalidState => "InvalidState",
            Error::Io(_) => "Io",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Error::InvalidLength => "input of invalid length",
            Error::AuthenticationFailed => "authentication failed",
            Error::InvalidSignature => "invalid signature",
            Error::InvalidEncapsulationKey => "invalid ML-KEM encapsulation key",
            Error::InvalidDecapsulationKey => "invalid ML-KEM decapsulation key",
            Error::Malformed => "malformed input",
            Error::UnsupportedVersion => "unsupported version",
            Error::InvalidHandle => "invalid handle",
            Error::InvalidKey => "invalid key",
            Error::NonContributory => "non-contributory Diffie-Hellman output",
            Error::UnknownPrekey => "unknown prekey",
            Error::Replay => "message already received",
            Error::UnknownSession => "no session for this message",
            Error::TooManySkipped => "too many skipped messages",
            Error::WrongRecipient => "envelope for another recipient",
            Error::NoSendingChain => "session cannot send yet",
            Error::ChainExhausted => "sending chain exhausted",
            Error::IdentityChanged => "the handle is pinned to another identity",
            Error::InvalidState => "invalid session state",
            Error::Io(kind) => return write!(f, "I/O error: {kind}"),
        };
        f.write_str(text)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.kind())
    }
}
