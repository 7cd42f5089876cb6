//! Message contents (SPEC.md section 11): a UTF-8 text, a pointer to an
//! encrypted attachment (section 13), a pairwise mailbox update (section
//! 12.1) or a call signal (section 20.1); mirrors `xchat_spec::content`.
//!
//! ```text
//! Content = u8(0x01) || u32(len(t)) || t                     -- text
//!         | u8(0x02) || u8(kind) || key (32) || u64(length)   -- attachment
//!         | u8(0x03) || u32(serial) || mailbox (16)           -- mailbox update
//!         | u8(0x04) || u8(type) || call_id (16) || body      -- call signal
//! ```
//!
//! Texts are Rust `String`s: Rust's UTF-8 is exactly the strict
//! `UTF8-octets` of RFC 3629 section 4 that the spec checks (no overlong
//! forms, no surrogates, nothing above U+10FFFF), and the differential
//! tests compare the two on random bytes.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::encoding::{u32_be, u64_be, Reader};
use crate::Error;

/// Content tag of a text (SPEC.md section 11).
pub const TAG_TEXT: u8 = 0x01;
/// Content tag of an attachment pointer (SPEC.md section 11).
pub const TAG_ATTACHMENT: u8 = 0x02;
/// Content tag of a mailbox update (SPEC.md sections 11 and 12.1).
pub const TAG_MAILBOX_UPDATE: u8 = 0x03;
/// Content tag of a call signal (SPEC.md sections 11 and 20.1).
pub const TAG_CALL: u8 = 0x04;
/// Call signal type of an offer (SPEC.md section 20.1).
pub const CALL_OFFER: u8 = 0x01;
/// Call signal type of an answer (SPEC.md section 20.1).
pub const CALL_ANSWER: u8 = 0x02;
/// Call signal type of a reject (SPEC.md section 20.1).
pub const CALL_REJECT: u8 = 0x03;
/// Call signal type of a hang-up (SPEC.md section 20.1).
pub const CALL_HANG_UP: u8 = 0x04;
/// Call signal type of a key update (SPEC.md section 20.1).
pub const CALL_KEY_UPDATE: u8 = 0x05;
/// Largest transport parameters of an offer or answer, in bytes (SPEC.md
/// sections 16 and 20.1).
pub const MAX_CALL_PARAMS_LEN: usize = 16384;

/// Length of an encoded mailbox update (SPEC.md section 11).
pub const MAILBOX_UPDATE_LEN: usize = 1 + 4 + 16;

/// Largest text, in bytes: `2^32 - 6`, so that the whole content fits the
/// `u32` length field of the padding (SPEC.md sections 10 and 11).
pub const MAX_TEXT_LEN: usize = 0xFFFF_FFFA;

/// Largest attachment, in bytes: `2^63` (SPEC.md sections 11 and 13).
/// Defined here with the pointer whose `length` it bounds (and re-exported
/// by `attachment`), so that `content` does not depend on `attachment`.
pub const MAX_ATTACHMENT_LEN: u64 = 1 << 63;

/// Length of an encoded attachment pointer content: tag, kind, key,
/// length (SPEC.md section 11).
pub const ATTACHMENT_CONTENT_LEN: usize = 1 + 1 + 32 + 8;

/// The kind of an attachment (SPEC.md section 11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `0x01`
    Photo,
    /// `0x02`
    Gif,
    /// `0x03`
    File,
}

/// The byte of a media kind (SPEC.md section 11).
pub fn kind_byte(kind: MediaKind) -> u8 {
    match kind {
        MediaKind::Photo => 0x01,
        MediaKind::Gif => 0x02,
        MediaKind::File => 0x03,
    }
}

/// The media kind of a byte; every other value is reserved and rejected
/// with [`Error::Malformed`] (SPEC.md section 11, REQ-CONTENT-001).
pub fn kind_of_byte(b: u8) -> Result<MediaKind, Error> {
    match b {
        0x01 => Ok(MediaKind::Photo),
        0x02 => Ok(MediaKind::Gif),
        0x03 => Ok(MediaKind::File),
        _ => Err(Error::Malformed),
    }
}

/// What a receiver needs to fetch and open an attachment (SPEC.md sections
/// 11 and 13): its kind, key `K` and plaintext length. There is no digest
/// of the ciphertext: the ciphertext starts with a commitment to `K` and
/// every chunk is authenticated (section 13). The key is secret: zeroized
/// on drop, never printed, and compared in constant time by `==`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct AttachmentPointer {
    #[zeroize(skip)]
    kind: MediaKind,
    key: [u8; 32],
    #[zeroize(skip)]
    length: u64,
}

impl AttachmentPointer {
    /// A pointer; a `length` above [`MAX_ATTACHMENT_LEN`] (`2^63`) is
    /// [`Error::Malformed`] (SPEC.md sections 11 and 13).
    pub fn new(kind: MediaKind, key: [u8; 32], length: u64) -> Result<Self, Error> {
        if length > MAX_ATTACHMENT_LEN {
            return Err(Error::Malformed);
        }
        Ok(Self { kind, key, length })
    }

    /// The attachment's kind.
    pub fn kind(&self) -> MediaKind {
        self.kind
    }

    /// The attachment key `K` (secret).
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The plaintext length `len(F)`.
    pub fn length(&self) -> u64 {
        self.length
    }
}

impl PartialEq for AttachmentPointer {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.length == other.length
            && bool::from(self.key.ct_eq(&other.key))
    }
}

impl Eq for AttachmentPointer {}

impl fmt::Debug for AttachmentPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttachmentPointer")
            .field("kind", &self.kind)
            .field("key", &"[redacted]")
            .field("length", &self.length)
            .finish()
    }
}

/// A sender key of a call (SPEC.md section 20.1, RFC 9605 section 5.1):
/// the sender's SFrame `KID` and its random `base_key`. The key is secret:
/// zeroized on drop, never printed, compared in constant time by `==`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct CallKey {
    #[zeroize(skip)]
    kid: u64,
    base_key: [u8; 32],
}

impl CallKey {
    /// A sender key.
    pub fn new(kid: u64, base_key: [u8; 32]) -> Self {
        Self { kid, base_key }
    }

    /// `KID` (RFC 9605 section 4.4.1).
    pub fn kid(&self) -> u64 {
        self.kid
    }

    /// `base_key` (secret).
    pub fn base_key(&self) -> &[u8; 32] {
        &self.base_key
    }
}

impl PartialEq for CallKey {
    fn eq(&self, other: &Self) -> bool {
        self.kid == other.kid && bool::from(self.base_key.ct_eq(&other.base_key))
    }
}

impl Eq for CallKey {}

impl fmt::Debug for CallKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A call signal (SPEC.md section 20.1). `Debug` prints neither keys nor
/// transport parameters (they carry network addresses).
#[derive(Clone, PartialEq, Eq)]
pub enum CallSignal {
    /// `0x01`: the caller's key and transport parameters.
    Offer {
        /// The call id.
        call_id: [u8; 16],
        /// The caller's sender key.
        key: CallKey,
        /// Opaque transport parameters, at most [`MAX_CALL_PARAMS_LEN`].
        params: Vec<u8>,
    },
    /// `0x02`: the callee's key and transport parameters.
    Answer {
        /// The call id.
        call_id: [u8; 16],
        /// The callee's sender key.
        key: CallKey,
        /// Opaque transport parameters, at most [`MAX_CALL_PARAMS_LEN`].
        params: Vec<u8>,
    },
    /// `0x03`: the callee declines.
    Reject {
        /// The call id.
        call_id: [u8; 16],
    },
    /// `0x04`: either side ends the call.
    HangUp {
        /// The call id.
        call_id: [u8; 16],
    },
    /// `0x05`: the sender's new key.
    KeyUpdate {
        /// The call id.
        call_id: [u8; 16],
        /// The sender's new key.
        key: CallKey,
    },
}

impl CallSignal {
    /// The call id (SPEC.md section 20.1).
    pub fn call_id(&self) -> &[u8; 16] {
        match self {
            CallSignal::Offer { call_id, .. }
            | CallSignal::Answer { call_id, .. }
            | CallSignal::Reject { call_id }
            | CallSignal::HangUp { call_id }
            | CallSignal::KeyUpdate { call_id, .. } => call_id,
        }
    }

    /// The type byte (SPEC.md section 20.1).
    pub fn type_byte(&self) -> u8 {
        match self {
            CallSignal::Offer { .. } => CALL_OFFER,
            CallSignal::Answer { .. } => CALL_ANSWER,
            CallSignal::Reject { .. } => CALL_REJECT,
            CallSignal::HangUp { .. } => CALL_HANG_UP,
            CallSignal::KeyUpdate { .. } => CALL_KEY_UPDATE,
        }
    }

    /// The length of the encoding (SPEC.md section 20.1).
    fn encoded_len(&self) -> usize {
        match self {
            CallSignal::Offer { params, .. } | CallSignal::Answer { params, .. } => {
                params.len().saturating_add(60)
            }
            CallSignal::Reject { .. } | CallSignal::HangUp { .. } => 18,
            CallSignal::KeyUpdate { .. } => 58,
        }
    }
}

impl fmt::Debug for CallSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            CallSignal::Offer { .. } => "Offer",
            CallSignal::Answer { .. } => "Answer",
            CallSignal::Reject { .. } => "Reject",
            CallSignal::HangUp { .. } => "HangUp",
            CallSignal::KeyUpdate { .. } => "KeyUpdate",
        };
        let mut d = f.debug_struct(name);
        d.field("call_id", self.call_id());
        match self {
            CallSignal::Offer { key, params, .. } | CallSignal::Answer { key, params, .. } => {
                d.field("kid", &key.kid).field("params_len", &params.len());
            }
            CallSignal::KeyUpdate { key, .. } => {
                d.field("kid", &key.kid);
            }
            CallSignal::Reject { .. } | CallSignal::HangUp { .. } => {}
        }
        d.finish_non_exhaustive()
    }
}

/// A message content (SPEC.md section 11). `Debug` does not print the
/// text (message plaintext does not belong in logs).
#[derive(Clone, PartialEq, Eq)]
pub enum Content {
    /// A text (valid UTF-8 by type, RFC 3629).
    Text(String),
    /// A pointer to an attachment.
    Attachment(AttachmentPointer),
    /// The pairwise mailbox at which the sender now receives this contact's
    /// messages (SPEC.md section 12.1). Applications do not send it with
    /// `send`; `Account::offer_mailbox` does.
    MailboxUpdate {
        /// The sender's serial for this contact.
        serial: u32,
        /// The new pairwise mailbox id.
        mailbox: [u8; 16],
    },
    /// A call signal (SPEC.md section 20.1); the call module
    /// (`crate::call::Calls`) makes and applies them.
    Call(CallSignal),
}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Content::Text(t) => write!(f, "Text([redacted; {} bytes])", t.len()),
            Content::Attachment(p) => f.debug_tuple("Attachment").field(p).finish(),
            Content::MailboxUpdate { serial, .. } => f
                .debug_struct("MailboxUpdate")
                .field("serial", serial)
                .finish_non_exhaustive(),
            Content::Call(s) => f.debug_tuple("Call").field(s).finish(),
        }
    }
}

/// Encodes a content (SPEC.md section 11, REQ-CONTENT-001). A text longer
/// than [`MAX_TEXT_LEN`] is [`Error::Malformed`] (the spec's `pre_encode`
/// excludes it; pointers are within range by construction).
pub fn encode(c: &Content) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(encoded_len(c));
    encode_into(c, &mut out)?;
    Ok(out)
}

/// Whether `c` can be encoded (SPEC.md section 11, REQ-CONTENT-002; the
/// spec's `pre_encode`): a text of at most [`MAX_TEXT_LEN`] bytes (valid
/// UTF-8 by its type); a pointer is within range by construction; a call
/// signal's parameters are at most [`MAX_CALL_PARAMS_LEN`] bytes
/// (REQ-CALL-001).
pub fn pre_encode(c: &Content) -> bool {
    match c {
        Content::Text(t) => t.len() <= MAX_TEXT_LEN,
        Content::Attachment(p) => p.length() <= MAX_ATTACHMENT_LEN,
        Content::MailboxUpdate { .. } => true,
        Content::Call(CallSignal::Offer { params, .. } | CallSignal::Answer { params, .. }) => {
            params.len() <= MAX_CALL_PARAMS_LEN
        }
        Content::Call(_) => true,
    }
}

/// The length of [`encode`]'s output (SPEC.md section 11).
pub fn encoded_len(c: &Content) -> usize {
    match c {
        Content::Text(t) => t.len().saturating_add(5),
        Content::Attachment(_) => ATTACHMENT_CONTENT_LEN,
        Content::MailboxUpdate { .. } => MAILBOX_UPDATE_LEN,
        Content::Call(s) => s.encoded_len(),
    }
}

/// [`encode`], appending to `out` (which is left as it was on error).
pub fn encode_into(c: &Content, out: &mut Vec<u8>) -> Result<(), Error> {
    match c {
        Content::Text(t) => {
            if t.len() > MAX_TEXT_LEN {
                return Err(Error::Malformed);
            }
            let n = u32::try_from(t.len()).map_err(|_| Error::Malformed)?;
            out.push(TAG_TEXT);
            out.extend_from_slice(&u32_be(n));
            out.extend_from_slice(t.as_bytes());
        }
        Content::Attachment(p) => {
            out.push(TAG_ATTACHMENT);
            out.push(kind_byte(p.kind));
            out.extend_from_slice(&p.key);
            out.extend_from_slice(&u64_be(p.length));
        }
        Content::MailboxUpdate { serial, mailbox } => {
            out.push(TAG_MAILBOX_UPDATE);
            out.extend_from_slice(&u32_be(*serial));
            out.extend_from_slice(mailbox);
        }
        Content::Call(s) => encode_call_into(s, out)?,
    }
    Ok(())
}

/// Appends a call signal (SPEC.md section 20.1, REQ-CALL-001): parameters
/// longer than [`MAX_CALL_PARAMS_LEN`] are [`Error::Malformed`], checked
/// before anything is written.
fn encode_call_into(s: &CallSignal, out: &mut Vec<u8>) -> Result<(), Error> {
    let params_len = match s {
        CallSignal::Offer { params, .. } | CallSignal::Answer { params, .. } => {
            if params.len() > MAX_CALL_PARAMS_LEN {
                return Err(Error::Malformed);
            }
            Some(u16::try_from(params.len()).map_err(|_| Error::Malformed)?)
        }
        _ => None,
    };
    out.push(TAG_CALL);
    out.push(s.type_byte());
    out.extend_from_slice(s.call_id());
    match s {
        CallSignal::Offer { key, params, .. } | CallSignal::Answer { key, params, .. } => {
            out.extend_from_slice(&u64_be(key.kid));
            out.extend_from_slice(&key.base_key);
            out.extend_from_slice(&params_len.unwrap_or(0).to_be_bytes());
            out.extend_from_slice(params);
        }
        CallSignal::KeyUpdate { key, .. } => {
            out.extend_from_slice(&u64_be(key.kid));
            out.extend_from_slice(&key.base_key);
        }
        CallSignal::Reject { .. } | CallSignal::HangUp { .. } => {}
    }
    Ok(())
}

/// Reads the body of a call signal after the content tag (SPEC.md section
/// 20.1, REQ-CALL-001), in the spec's order: type, call id, `kid`,
/// `base_key`, the parameters' length (its bound before the bytes), the
/// parameters, end of input; every failure is [`Error::Malformed`].
fn read_call(mut r: Reader<'_>) -> Result<CallSignal, Error> {
    let ty = r.u8()?;
    if !(CALL_OFFER..=CALL_KEY_UPDATE).contains(&ty) {
        return Err(Error::Malformed);
    }
    let call_id = r.array::<16>()?;
    if ty == CALL_REJECT || ty == CALL_HANG_UP {
        r.finish()?;
        return Ok(if ty == CALL_REJECT {
            CallSignal::Reject { call_id }
        } else {
            CallSignal::HangUp { call_id }
        });
    }
    let kid = r.u64()?;
    let key = CallKey::new(kid, r.array::<32>()?);
    if ty == CALL_KEY_UPDATE {
        r.finish()?;
        return Ok(CallSignal::KeyUpdate { call_id, key });
    }
    let [hi, lo] = r.array::<2>()?;
    let n = usize::from(u16::from_be_bytes([hi, lo]));
    if n > MAX_CALL_PARAMS_LEN {
        return Err(Error::Malformed);
    }
    let params = r.bytes(n)?.to_vec();
    r.finish()?;
    Ok(if ty == CALL_OFFER {
        CallSignal::Offer {
            call_id,
            key,
            params,
        }
    } else {
        CallSignal::Answer {
            call_id,
            key,
            params,
        }
    })
}

/// Reads the body of a text content (SPEC.md section 11): length, bytes,
/// end of input, then UTF-8, in the spec's order.
fn read_text(mut r: Reader<'_>) -> Result<Content, Error> {
    let n = usize::try_from(r.u32()?).map_err(|_| Error::Malformed)?;
    let t = r.bytes(n)?;
    r.finish()?;
    let t = core::str::from_utf8(t).map_err(|_| Error::Malformed)?;
    Ok(Content::Text(t.to_owned()))
}

/// Reads the body of an attachment pointer content (SPEC.md section 11):
/// kind, key, length, end of input, then the length's range.
fn read_pointer(mut r: Reader<'_>) -> Result<Content, Error> {
    let kind = kind_of_byte(r.u8()?)?;
    let key = r.array::<32>()?;
    let length = r.u64()?;
    r.finish()?;
    AttachmentPointer::new(kind, key, length).map(Content::Attachment)
}

/// Reads the body of a mailbox update (SPEC.md sections 11 and 12.1):
/// serial, mailbox, end of input.
fn read_mailbox_update(mut r: Reader<'_>) -> Result<Content, Error> {
    let serial = r.u32()?;
    let mailbox = r.array::<16>()?;
    r.finish()?;
    Ok(Content::MailboxUpdate { serial, mailbox })
}

/// Decodes a content strictly (SPEC.md section 11, REQ-CONTENT-001).
///
/// Errors: [`Error::Malformed`] for an unknown tag or kind, a text length
/// that does not match the bytes that follow, a text that is not valid
/// UTF-8, an attachment length above [`MAX_ATTACHMENT_LEN`], or any
/// truncation or trailing byte.
pub fn decode(input: &[u8]) -> Result<Content, Error> {
    let mut r = Reader::new(input);
    match r.u8()? {
        TAG_TEXT => read_text(r),
        TAG_ATTACHMENT => read_pointer(r),
        TAG_MAILBOX_UPDATE => read_mailbox_update(r),
        TAG_CALL => read_call(r).map(Content::Call),
        _ => Err(Error::Malformed),
    }
}

/// Whether `bytes` is `UTF8-octets` of RFC 3629 section 4, strictly
/// (SPEC.md section 11): Rust's own UTF-8 validation.
pub fn is_utf8(bytes: &[u8]) -> bool {
    core::str::from_utf8(bytes).is_ok()
}
