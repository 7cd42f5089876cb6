//! The errors the implementation reports (SPEC.md section 17).
//!
//! Two levels, as in rustls:
//!
//! * [`Error`] is the **kind**: exactly the names of SPEC.md section 17,
//!   which the conformance vectors and the differential tests compare
//!   ([`Error::kind_name`] equals the spec's `format!("{:?}", spec_error)`
//!   for every shared kind). The layer functions (feature `hazmat`) return
//!   it. Two kinds exist only here, because the spec has no state to import
//!   and no I/O: [`Error::InvalidState`] and [`Error::Io`].
//! * The application API returns one error type per operation, with the
//!   context an application needs and the line SPEC.md section 1 draws
//!   between **hostile input** (anything from the network, the relay or
//!   the directory: log it, drop it, never crash) and **misuse** (a call
//!   the application should not have made: a bug to fix):
//!   [`ReceiveError`], [`SendError`], [`StartError`], [`ImportError`] and
//!   [`AttachmentError`]. Each has `kind()`, the section 17 kind, so that
//!   the vectors still compare them, and converts into [`Error`] with `?`.

use core::fmt;

use crate::handle::Handle;
use crate::identity::IdentityPublic;

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
    /// the spec, exactly the spec's `format!("{:?}", spec_error)` and the
    /// conformance vectors' `error` field, so that tests compare error
    /// kinds by name.
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

/// Which step of SPEC.md section 15.2 rejected a received envelope, and with
/// what the application can act on. Every variant is **hostile or damaged
/// input** (the relay, the network or a peer): log it and drop the
/// envelope; the account did not change.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiveError {
    /// R0: the envelope arrived at a mailbox the account does not hold
    /// (`WrongRecipient`): misrouted by the relay, or for a pairwise mailbox
    /// already deleted.
    UnknownMailbox {
        /// The mailbox it arrived at.
        mailbox: [u8; 16],
    },
    /// R1 (sealed) or L1, L2 (light): the envelope did not open or decode;
    /// its sender is unknown. `kind` is section 12's or 12.1's first failed
    /// check (`Malformed`, `UnsupportedVersion`, `WrongRecipient`,
    /// `NonContributory`, `AuthenticationFailed`, `InvalidSignature`, ...).
    Envelope {
        /// The section 17 kind.
        kind: Error,
    },
    /// R3-R5 (L3, L4): a ratchet message from `sender` that no session of
    /// the contact accepts (`UnknownSession` without a session,
    /// `AuthenticationFailed`, `Replay`, `TooManySkipped`, `Malformed`,
    /// `NonContributory`).
    Message {
        /// The authenticated sender's handle.
        sender: Handle,
        /// The section 17 kind.
        kind: Error,
    },
    /// P1-P6: a first message (prekey message) from `sender` naming the
    /// given prekeys that did not start a session: `Replay` (a handshake
    /// accepted before, P3), `UnknownPrekey` (a prekey not held, or the
    /// signed prekey's record set full, P4), `AuthenticationFailed`, ...
    Handshake {
        /// The authenticated sender's handle.
        sender: Handle,
        /// The signed prekey the message names (`0` if it did not decode).
        spk_id: u32,
        /// The one-time prekey it names, if any.
        opk_id: Option<u32>,
        /// The PQ prekey it names (`0` if it did not decode).
        pqpk_id: u32,
        /// The section 17 kind.
        kind: Error,
    },
}

impl ReceiveError {
    /// The section 17 kind (the conformance vectors' `error`).
    pub fn kind(&self) -> Error {
        match self {
            ReceiveError::UnknownMailbox { .. } => Error::WrongRecipient,
            ReceiveError::Envelope { kind }
            | ReceiveError::Message { kind, .. }
            | ReceiveError::Handshake { kind, .. } => *kind,
        }
    }
}

impl fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiveError::UnknownMailbox { .. } => {
                f.write_str("envelope at a mailbox this account does not hold")
            }
            ReceiveError::Envelope { kind } => write!(f, "envelope rejected: {kind}"),
            ReceiveError::Message { sender, kind } => {
                write!(f, "message from {sender} rejected: {kind}")
            }
            ReceiveError::Handshake {
                sender,
                spk_id,
                opk_id,
                pqpk_id,
                kind,
            } => write!(
                f,
                "first message from {sender} (signed prekey {spk_id}, one-time prekey \
                 {opk_id:?}, PQ prekey {pqpk_id}) rejected: {kind}"
            ),
        }
    }
}

impl std::error::Error for ReceiveError {}

impl From<ReceiveError> for Error {
    fn from(e: ReceiveError) -> Self {
        e.kind()
    }
}

/// Why [`crate::Account::send`], [`crate::Account::offer_mailbox`] or
/// [`crate::Account::resend_sealed`] sent nothing. The account did not
/// change.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// Misuse: no contact with a session for this handle (`UnknownSession`);
    /// start one with [`crate::Account::start`] first.
    NoSession {
        /// The handle sent to.
        peer: Handle,
    },
    /// Misuse: the content cannot be sent (`Malformed`): a text longer than
    /// `MAX_TEXT_LEN`, or a mailbox update given to `send` (use
    /// `offer_mailbox`).
    InvalidContent,
    /// Misuse: `offer_mailbox` with a mailbox id the account already holds,
    /// or after `2^32 - 1` offers to one contact (`Malformed`).
    MailboxUnusable,
    /// Misuse: `resend_sealed` with bytes that are not a light envelope
    /// (`Malformed`).
    NotLight,
    /// The session cannot send before it received a message
    /// (`NoSendingChain`, SPEC.md section 9.3); cannot happen for a
    /// session this API made.
    NoSendingChain,
    /// `2^32 - 1` messages were sent on one chain (`ChainExhausted`); a
    /// reply from the peer opens a new chain.
    ChainExhausted,
    /// The peer's pinned identity key gives an all-zero DH
    /// (`NonContributory`): a hostile identity.
    NonContributory,
}

impl SendError {
    /// The section 17 kind (the conformance vectors' `error`).
    pub fn kind(&self) -> Error {
        match self {
            SendError::NoSession { .. } => Error::UnknownSession,
            SendError::InvalidContent | SendError::MailboxUnusable | SendError::NotLight => {
                Error::Malformed
            }
            SendError::NoSendingChain => Error::NoSendingChain,
            SendError::ChainExhausted => Error::ChainExhausted,
            SendError::NonContributory => Error::NonContributory,
        }
    }

    /// The error of the session or envelope layer, by kind.
    pub(crate) fn from_layer(e: Error) -> SendError {
        match e {
            Error::NoSendingChain => SendError::NoSendingChain,
            Error::ChainExhausted => SendError::ChainExhausted,
            Error::NonContributory => SendError::NonContributory,
            _ => SendError::InvalidContent,
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NoSession { peer } => write!(f, "no session with {peer}"),
            SendError::InvalidContent => f.write_str("content cannot be sent"),
            SendError::MailboxUnusable => {
                f.write_str("mailbox id already held or serial exhausted")
            }
            SendError::NotLight => f.write_str("not a light envelope"),
            SendError::NoSendingChain => f.write_str("session cannot send yet"),
            SendError::ChainExhausted => f.write_str("sending chain exhausted"),
            SendError::NonContributory => {
                f.write_str("non-contributory Diffie-Hellman output with the peer's key")
            }
        }
    }
}

impl std::error::Error for SendError {}

impl From<SendError> for Error {
    fn from(e: SendError) -> Self {
        e.kind()
    }
}

/// Why [`crate::Account::start`] started no session. The account did not
/// change.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartError {
    /// The directory served another handle's bundle (`InvalidHandle`):
    /// hostile directory.
    WrongHandle,
    /// The bundle's keys cannot be used: `NonContributory` (a key gives an
    /// all-zero DH), the kinds of a hostile directory or peer.
    Bundle {
        /// The section 17 kind.
        kind: Error,
    },
    /// The handle is pinned to another identity (`IdentityChanged`, SPEC.md
    /// REQ-PEER-002): show both safety numbers; only
    /// [`crate::Account::accept_identity`] re-pins.
    IdentityChanged {
        /// The identity pinned for the handle.
        pinned: Box<IdentityPublic>,
        /// The identity of the bundle.
        offered: Box<IdentityPublic>,
    },
}

impl StartError {
    /// The section 17 kind (the conformance vectors' `error`).
    pub fn kind(&self) -> Error {
        match self {
            StartError::WrongHandle => Error::InvalidHandle,
            StartError::Bundle { kind } => *kind,
            StartError::IdentityChanged { .. } => Error::IdentityChanged,
        }
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::WrongHandle => f.write_str("the bundle is another handle's"),
            StartError::Bundle { kind } => write!(f, "the bundle cannot be used: {kind}"),
            StartError::IdentityChanged { pinned, .. } => {
                write!(f, "{} is pinned to another identity", pinned.handle)
            }
        }
    }
}

impl std::error::Error for StartError {}

impl From<StartError> for Error {
    fn from(e: StartError) -> Self {
        e.kind()
    }
}

/// Why [`crate::Account::import`] (or the `hazmat` `Session::import`)
/// restored nothing: the bytes are not an export this version wrote, or
/// they break a bound or invariant of SPEC.md section 16. Corrupted or
/// hostile storage; nothing was created.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportError {
    /// The version byte is not one this version reads.
    UnsupportedVersion {
        /// The version byte found.
        found: u8,
    },
    /// The bytes end inside a field, or continue after the last one.
    Length {
        /// Where the export went wrong, in bytes from its start.
        offset: usize,
    },
    /// A field holds a value no export has (a flag, a key, an identity, a
    /// handle, an invariant between fields).
    Invalid {
        /// The field.
        field: &'static str,
        /// Where it starts, in bytes from the export's start.
        offset: usize,
    },
    /// A count above its SPEC.md section 16 bound.
    TooMany {
        /// What is counted.
        what: &'static str,
        /// The bound.
        max: usize,
    },
}

impl ImportError {
    /// The kind: always [`Error::InvalidState`] (implementation only).
    pub fn kind(&self) -> Error {
        Error::InvalidState
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::UnsupportedVersion { found } => {
                write!(f, "unsupported export version {found:#04x}")
            }
            ImportError::Length { offset } => {
                write!(f, "export cut short or extended at byte {offset}")
            }
            ImportError::Invalid { field, offset } => {
                write!(f, "invalid {field} at byte {offset} of the export")
            }
            ImportError::TooMany { what, max } => write!(f, "more than {max} {what} in the export"),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<ImportError> for Error {
    fn from(e: ImportError) -> Self {
        e.kind()
    }
}

/// Why an attachment operation (SPEC.md section 13) failed. On failure no
/// plaintext is returned, and a caller-provided output buffer is zeroized
/// and emptied.
#[derive(Debug)]
#[non_exhaustive]
pub enum AttachmentError {
    /// Hostile or damaged: the ciphertext is not `ciphertext_len(length)`
    /// bytes (`Malformed`, check 1 of section 13).
    Length {
        /// The length the pointer implies.
        expected: u64,
        /// The length given (for a stream: as far as it was read).
        actual: u64,
    },
    /// Hostile or damaged: the key commitment does not match the pointer's
    /// key (`AuthenticationFailed`, check 2): sealed under another key.
    Commitment,
    /// Hostile or damaged: a chunk's tag does not verify
    /// (`AuthenticationFailed`, check 3).
    Chunk {
        /// The lowest failing chunk: the same on every path (sequential,
        /// parallel, streaming) and every run.
        index: u64,
    },
    /// Hostile: the padding after the file is not all zero (`Malformed`,
    /// check 4).
    Fill,
    /// Misuse: a file longer than `MAX_ATTACHMENT_LEN` or than this
    /// machine's memory (`Malformed`).
    TooLarge,
    /// Reading or writing a stream failed; the source error is kept.
    Io(std::io::Error),
}

impl AttachmentError {
    /// The section 17 kind (the conformance vectors' `error`), or
    /// [`Error::Io`] with the I/O error's kind.
    pub fn kind(&self) -> Error {
        match self {
            AttachmentError::Length { .. } | AttachmentError::Fill | AttachmentError::TooLarge => {
                Error::Malformed
            }
            AttachmentError::Commitment | AttachmentError::Chunk { .. } => {
                Error::AuthenticationFailed
            }
            AttachmentError::Io(e) => Error::Io(e.kind()),
        }
    }
}

impl fmt::Display for AttachmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachmentError::Length { expected, actual } => write!(
                f,
                "attachment ciphertext of {actual} bytes, {expected} expected"
            ),
            AttachmentError::Commitment => {
                f.write_str("attachment sealed under another key (commitment mismatch)")
            }
            AttachmentError::Chunk { index } => {
                write!(f, "attachment chunk {index} does not authenticate")
            }
            AttachmentError::Fill => f.write_str("attachment padding is not zero"),
            AttachmentError::TooLarge => f.write_str("attachment too large"),
            AttachmentError::Io(e) => write!(f, "attachment I/O error: {e}"),
        }
    }
}

impl std::error::Error for AttachmentError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AttachmentError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for AttachmentError {
    fn from(e: std::io::Error) -> Self {
        AttachmentError::Io(e)
    }
}

/// A layer error inside an attachment operation, without further context:
/// `AuthenticationFailed` is the key commitment's (the only check that
/// reports it without a chunk index), `Io` keeps only its kind, and every
/// other kind is a size this machine cannot hold.
impl From<Error> for AttachmentError {
    fn from(e: Error) -> Self {
        match e {
            Error::AuthenticationFailed => AttachmentError::Commitment,
            Error::Io(kind) => AttachmentError::Io(kind.into()),
            _ => AttachmentError::TooLarge,
        }
    }
}

impl From<AttachmentError> for Error {
    fn from(e: AttachmentError) -> Self {
        e.kind()
    }
}
