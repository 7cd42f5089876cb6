//! Message contents (SPEC.md section 11): a UTF-8 text, a pointer to an
//! encrypted attachment (section 13), a pairwise mailbox update (section
//! 12.1) or a call signal (section 20.1), and the strict UTF-8 check of
//! RFC 3629 ("UTF-8, a transformation format of ISO 10646", November 2003),
//! section 4.
//!
//! ```text
//! Content = u8(0x01) || u32(len(t)) || t                     -- text
//!         | u8(0x02) || u8(kind) || key (32) || u64(length)   -- attachment
//!         | u8(0x03) || u32(serial) || mailbox (16)           -- mailbox update
//!         | u8(0x04) || u8(type) || call_id (16) || body      -- call signal
//! ```
//!
//! A content has no version byte of its own: it only travels padded
//! (section 10) inside a message whose version byte is `0x01`.

use crate::encoding::{
    expect_end, read_array16, read_array32, read_bytes, read_u32, read_u64, read_u8, u32_be,
};
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
/// Length of a call id (SPEC.md section 20.1).
pub const CALL_ID_LEN: usize = 16;
/// Length of a call `base_key` (SPEC.md section 20.1): 32 random bytes.
pub const CALL_BASE_KEY_LEN: usize = 32;
/// Largest transport parameters of an offer or answer, in bytes (SPEC.md
/// sections 16 and 20.1).
pub const MAX_CALL_PARAMS_LEN: usize = 16384;

/// Length of an encoded mailbox update: tag, serial, mailbox (SPEC.md
/// section 11).
pub const MAILBOX_UPDATE_LEN: usize = 1 + 4 + 16;

/// Largest text, in bytes: `2^32 - 6`, so that the whole content
/// (`5 + len(t)` bytes) fits the `u32` length field of the padding
/// (SPEC.md sections 10 and 11).
pub const MAX_TEXT_LEN: usize = 0xFFFF_FFFA;

/// Largest attachment, in bytes: `2^63` (SPEC.md sections 11 and 13). Up
/// to there `padme(length)` and `attachment::ciphertext_len` fit in 64
/// bits. Defined here with the pointer whose `length` it bounds (and
/// re-exported by `attachment`), so that `content` does not depend on
/// `attachment`.
pub const MAX_ATTACHMENT_LEN: u64 = 1 << 63;

/// Length of an encoded attachment pointer content: tag, kind, key,
/// length (SPEC.md section 11).
pub const ATTACHMENT_CONTENT_LEN: usize = 1 + 1 + 32 + 8;

/// The kind of an attachment (SPEC.md section 11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    /// `0x01`
    Photo,
    /// `0x02`
    Gif,
    /// `0x03`
    File,
}

/// What a receiver needs to fetch and open an attachment (SPEC.md sections
/// 11 and 13): its kind, key `K` and plaintext length. There is no digest
/// of the ciphertext: the ciphertext carries a commitment to `K` and every
/// chunk is authenticated (section 13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentPointer {
    pub kind: MediaKind,
    pub key: [u8; 32],
    pub length: u64,
}

/// A sender key of a call: the sender's SFrame `KID` and its random
/// `base_key` (SPEC.md section 20.1, RFC 9605 section 5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallKey {
    /// `KID` (RFC 9605 section 4.4.1).
    pub kid: u64,
    /// `base_key`, fresh random bytes (REQ-CALL-002).
    pub base_key: [u8; 32],
}

/// A call signal (SPEC.md section 20.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallSignal {
    /// `0x01`: the caller's key and transport parameters.
    Offer {
        call_id: [u8; 16],
        key: CallKey,
        params: Vec<u8>,
    },
    /// `0x02`: the callee's key and transport parameters.
    Answer {
        call_id: [u8; 16],
        key: CallKey,
        params: Vec<u8>,
    },
    /// `0x03`: the callee declines.
    Reject { call_id: [u8; 16] },
    /// `0x04`: either side ends the call.
    HangUp { call_id: [u8; 16] },
    /// `0x05`: the sender's new key.
    KeyUpdate { call_id: [u8; 16], key: CallKey },
}

/// The call id of a call signal (SPEC.md section 20.1).
pub fn call_id_of(s: &CallSignal) -> [u8; 16] {
    match s {
        CallSignal::Offer { call_id, .. } => *call_id,
        CallSignal::Answer { call_id, .. } => *call_id,
        CallSignal::Reject { call_id } => *call_id,
        CallSignal::HangUp { call_id } => *call_id,
        CallSignal::KeyUpdate { call_id, .. } => *call_id,
    }
}

/// A message content (SPEC.md section 11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A text, valid UTF-8 (RFC 3629).
    Text(Vec<u8>),
    /// A pointer to an attachment.
    Attachment(AttachmentPointer),
    /// The pairwise mailbox at which the sender now receives this contact's
    /// messages, numbered by the sender (SPEC.md section 12.1).
    MailboxUpdate {
        /// The sender's serial for this contact; only a higher one than
        /// the session holds takes effect.
        serial: u32,
        /// The new pairwise mailbox id.
        mailbox: [u8; 16],
    },
    /// A call signal (SPEC.md section 20.1).
    Call(CallSignal),
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
/// with `Malformed` (SPEC.md section 11, REQ-CONTENT-001).
pub fn kind_of_byte(b: u8) -> Result<MediaKind, Error> {
    match b {
        0x01 => Ok(MediaKind::Photo),
        0x02 => Ok(MediaKind::Gif),
        0x03 => Ok(MediaKind::File),
        _ => Err(Error::Malformed),
    }
}

/// Precondition of [`encode`]: a text is valid UTF-8 and at most
/// [`MAX_TEXT_LEN`] bytes; a pointer's length is at most
/// [`MAX_ATTACHMENT_LEN`] (SPEC.md section 11); a call signal's
/// parameters are at most [`MAX_CALL_PARAMS_LEN`] bytes (REQ-CALL-001).
pub fn pre_encode(c: &Content) -> bool {
    match c {
        Content::Text(t) => t.len() <= MAX_TEXT_LEN && is_utf8(t),
        Content::Attachment(p) => p.length <= MAX_ATTACHMENT_LEN,
        Content::MailboxUpdate { .. } => true,
        Content::Call(s) => match s {
            CallSignal::Offer { params, .. } => params.len() <= MAX_CALL_PARAMS_LEN,
            CallSignal::Answer { params, .. } => params.len() <= MAX_CALL_PARAMS_LEN,
            _ => true,
        },
    }
}

/// Appends `u64(kid) || base_key` (SPEC.md section 20.1).
fn push_key(out: Vec<u8>, key: &CallKey) -> Vec<u8> {
    let mut out = out;
    out.extend_from_slice(&key.kid.to_be_bytes());
    out.extend_from_slice(&key.base_key);
    out
}

/// Appends `u16(len(p)) || p`, or gives the empty vector if `p` is longer
/// than [`MAX_CALL_PARAMS_LEN`] (SPEC.md section 20.1, REQ-CALL-001).
fn push_params(out: Vec<u8>, params: &[u8]) -> Vec<u8> {
    if params.len() > MAX_CALL_PARAMS_LEN {
        return Vec::new();
    }
    let mut out = out;
    // cast: params.len() <= MAX_CALL_PARAMS_LEN = 2^14 fits in 16 bits.
    out.extend_from_slice(&(params.len() as u16).to_be_bytes());
    out.extend_from_slice(params);
    out
}

/// Encodes a call signal (SPEC.md section 20.1, REQ-CALL-001):
/// `u8(0x04) || u8(type) || call_id || body`. Parameters longer than
/// [`MAX_CALL_PARAMS_LEN`] give the empty vector (outside
/// [`pre_encode`]).
pub fn encode_call(s: &CallSignal) -> Vec<u8> {
    let (ty, call_id) = match s {
        CallSignal::Offer { call_id, .. } => (CALL_OFFER, call_id),
        CallSignal::Answer { call_id, .. } => (CALL_ANSWER, call_id),
        CallSignal::Reject { call_id } => (CALL_REJECT, call_id),
        CallSignal::HangUp { call_id } => (CALL_HANG_UP, call_id),
        CallSignal::KeyUpdate { call_id, .. } => (CALL_KEY_UPDATE, call_id),
    };
    let mut out = vec![TAG_CALL, ty];
    out.extend_from_slice(call_id);
    match s {
        CallSignal::Offer { key, params, .. } => push_params(push_key(out, key), params),
        CallSignal::Answer { key, params, .. } => push_params(push_key(out, key), params),
        CallSignal::KeyUpdate { key, .. } => push_key(out, key),
        _ => out,
    }
}

/// Encodes a content (SPEC.md section 11, REQ-CONTENT-001). Outside
/// [`pre_encode`] it writes what it is given, except that a text too long
/// for the `u32` length field gives the empty vector; [`decode`] rejects
/// every such encoding.
#[cfg_attr(hax, hax_lib::requires(pre_encode(c)))]
pub fn encode(c: &Content) -> Vec<u8> {
    match c {
        Content::Text(t) => match u32::try_from(t.len()) {
            Ok(n) => {
                let mut out = Vec::with_capacity(5 + t.len());
                out.push(TAG_TEXT);
                out.extend_from_slice(&u32_be(n));
                out.extend_from_slice(t);
                out
            }
            Err(_) => Vec::new(),
        },
        Content::Attachment(p) => {
            let mut out = Vec::with_capacity(ATTACHMENT_CONTENT_LEN);
            out.push(TAG_ATTACHMENT);
            out.push(kind_byte(p.kind));
            out.extend_from_slice(&p.key);
            out.extend_from_slice(&p.length.to_be_bytes());
            out
        }
        Content::MailboxUpdate { serial, mailbox } => {
            let mut out = Vec::with_capacity(MAILBOX_UPDATE_LEN);
            out.push(TAG_MAILBOX_UPDATE);
            out.extend_from_slice(&u32_be(*serial));
            out.extend_from_slice(mailbox);
            out
        }
        Content::Call(s) => encode_call(s),
    }
}

/// Reads the body of a text content from `pos` (SPEC.md section 11).
fn read_text(input: &[u8], pos: usize) -> Result<Content, Error> {
    let (n, pos) = read_u32(input, pos)?;
    let n = match usize::try_from(n) {
        Ok(n) => n,
        Err(_) => return Err(Error::Malformed),
    };
    let (t, pos) = read_bytes(input, pos, n)?;
    expect_end(input, pos)?;
    if is_utf8(&t) {
        Ok(Content::Text(t))
    } else {
        Err(Error::Malformed)
    }
}

/// Reads the body of an attachment pointer content from `pos` (SPEC.md
/// section 11).
fn read_pointer(input: &[u8], pos: usize) -> Result<Content, Error> {
    let (kind, pos) = read_u8(input, pos)?;
    let kind = kind_of_byte(kind)?;
    let (key, pos) = read_array32(input, pos)?;
    let (length, pos) = read_u64(input, pos)?;
    expect_end(input, pos)?;
    if length <= MAX_ATTACHMENT_LEN {
        Ok(Content::Attachment(AttachmentPointer { kind, key, length }))
    } else {
        Err(Error::Malformed)
    }
}

/// Reads the body of a mailbox update from `pos` (SPEC.md sections 11 and
/// 12.1): every serial decodes.
fn read_mailbox_update(input: &[u8], pos: usize) -> Result<Content, Error> {
    let (serial, pos) = read_u32(input, pos)?;
    let (mailbox, pos) = read_array16(input, pos)?;
    expect_end(input, pos)?;
    Ok(Content::MailboxUpdate { serial, mailbox })
}

/// Reads `u64(kid) || base_key` from `pos` (SPEC.md section 20.1).
fn read_call_key(input: &[u8], pos: usize) -> Result<(CallKey, usize), Error> {
    let (kid, pos) = read_u64(input, pos)?;
    let (base_key, pos) = read_array32(input, pos)?;
    Ok((CallKey { kid, base_key }, pos))
}

/// Reads `u16(len(p)) || p` from `pos`; a length above
/// [`MAX_CALL_PARAMS_LEN`] is `Malformed` before `p` is read (SPEC.md
/// section 20.1, REQ-CALL-001).
fn read_params(input: &[u8], pos: usize) -> Result<(Vec<u8>, usize), Error> {
    let (hi, pos) = read_u8(input, pos)?;
    let (lo, pos) = read_u8(input, pos)?;
    // cast: widening u8 to usize.
    let n = (hi as usize) * 256 + (lo as usize);
    if n > MAX_CALL_PARAMS_LEN {
        return Err(Error::Malformed);
    }
    read_bytes(input, pos, n)
}

/// Reads the body of a call signal from `pos`, after the content tag
/// (SPEC.md section 20.1, REQ-CALL-001): type, call id, then the type's
/// fields in order, then the end of input; every failure is `Malformed`.
pub fn read_call(input: &[u8], pos: usize) -> Result<CallSignal, Error> {
    let (ty, pos) = read_u8(input, pos)?;
    if !(CALL_OFFER..=CALL_KEY_UPDATE).contains(&ty) {
        return Err(Error::Malformed);
    }
    let (call_id, pos) = read_array16(input, pos)?;
    if ty == CALL_REJECT || ty == CALL_HANG_UP {
        expect_end(input, pos)?;
        return Ok(if ty == CALL_REJECT {
            CallSignal::Reject { call_id }
        } else {
            CallSignal::HangUp { call_id }
        });
    }
    let (key, pos) = read_call_key(input, pos)?;
    if ty == CALL_KEY_UPDATE {
        expect_end(input, pos)?;
        return Ok(CallSignal::KeyUpdate { call_id, key });
    }
    let (params, pos) = read_params(input, pos)?;
    expect_end(input, pos)?;
    if ty == CALL_OFFER {
        Ok(CallSignal::Offer {
            call_id,
            key,
            params,
        })
    } else {
        Ok(CallSignal::Answer {
            call_id,
            key,
            params,
        })
    }
}

/// Decodes a content strictly (SPEC.md section 11, REQ-CONTENT-001).
///
/// Errors: [`Error::Malformed`] for an unknown tag or kind, a text length
/// that does not match the bytes that follow, a text that is not valid
/// UTF-8, an attachment length above [`MAX_ATTACHMENT_LEN`], or any
/// truncation or trailing byte (a mailbox update is exactly
/// [`MAILBOX_UPDATE_LEN`] bytes).
pub fn decode(input: &[u8]) -> Result<Content, Error> {
    let (tag, pos) = read_u8(input, 0)?;
    if tag == TAG_TEXT {
        read_text(input, pos)
    } else if tag == TAG_ATTACHMENT {
        read_pointer(input, pos)
    } else if tag == TAG_MAILBOX_UPDATE {
        read_mailbox_update(input, pos)
    } else if tag == TAG_CALL {
        match read_call(input, pos) {
            Ok(signal) => Ok(Content::Call(signal)),
            Err(e) => Err(e),
        }
    } else {
        Err(Error::Malformed)
    }
}

/// The UTF-8 reader's state between bytes: how many `UTF8-tail` bytes the
/// current character still needs, the range the next one must lie in, and
/// whether everything so far was valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Utf8State {
    need: u8,
    lo: u8,
    hi: u8,
    ok: bool,
}

/// `UTF8-tail = %x80-BF` (RFC 3629 section 4).
const TAIL_LO: u8 = 0x80;
const TAIL_HI: u8 = 0xBF;

/// The state after a lead byte `b`, RFC 3629 section 4:
///
/// ```text
/// UTF8-1 = %x00-7F
/// UTF8-2 = %xC2-DF UTF8-tail
/// UTF8-3 = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
///          %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
/// UTF8-4 = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) /
///          %xF4 %x80-8F 2( UTF8-tail )
/// ```
///
/// The narrowed second-byte ranges exclude overlong forms (`E0`, `F0`),
/// the surrogates U+D800-DFFF (`ED`) and code points above U+10FFFF (`F4`);
/// `C0`, `C1` and `F5`-`FF` never appear.
fn utf8_lead(b: u8) -> Utf8State {
    let (need, lo, hi, ok) = match b {
        0x00..=0x7F => (0, TAIL_LO, TAIL_HI, true),
        0xC2..=0xDF => (1, TAIL_LO, TAIL_HI, true),
        0xE0 => (2, 0xA0, TAIL_HI, true),
        0xE1..=0xEC => (2, TAIL_LO, TAIL_HI, true),
        0xED => (2, TAIL_LO, 0x9F, true),
        0xEE..=0xEF => (2, TAIL_LO, TAIL_HI, true),
        0xF0 => (3, 0x90, TAIL_HI, true),
        0xF1..=0xF3 => (3, TAIL_LO, TAIL_HI, true),
        0xF4 => (3, TAIL_LO, 0x8F, true),
        _ => (0, TAIL_LO, TAIL_HI, false),
    };
    Utf8State { need, lo, hi, ok }
}

/// One byte of input: a lead byte if no character is open, else the next
/// byte of the open character, which must lie in `lo..=hi`; the bytes
/// after the second of a character are plain `UTF8-tail`s.
fn utf8_step(state: Utf8State, b: u8) -> Utf8State {
    if state.need == 0 {
        let next = utf8_lead(b);
        Utf8State {
            need: next.need,
            lo: next.lo,
            hi: next.hi,
            ok: state.ok && next.ok,
        }
    } else {
        Utf8State {
            need: state.need - 1,
            lo: TAIL_LO,
            hi: TAIL_HI,
            ok: state.ok && state.lo <= b && b <= state.hi,
        }
    }
}

/// Whether `bytes` is `UTF8-octets = *( UTF8-char )`, RFC 3629 section 4
/// (SPEC.md section 11, REQ-CONTENT-001): strict, so overlong encodings,
/// surrogates (U+D800-DFFF), code points above U+10FFFF, stray tail bytes
/// and truncated characters are all rejected.
pub fn is_utf8(bytes: &[u8]) -> bool {
    let mut state = Utf8State {
        need: 0,
        lo: TAIL_LO,
        hi: TAIL_HI,
        ok: true,
    };
    for i in 0..bytes.len() {
        state = utf8_step(state, bytes[i]);
    }
    state.ok && state.need == 0
}
