//! The values on the wire of the conformance interface (see
//! `vectors/README.md`): byte strings as lowercase hex ([`Hex`]), error
//! kinds as their names ([`Error`]), and the untyped objects ([`Obj`]) the
//! vector files and the JSON-lines backend carry.

use std::fmt;
use std::ops::Deref;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// An input or output object as on the wire (field order is kept).
pub type Obj = serde_json::Map<String, Value>;

/// A byte string, written as lowercase hex (read in either case).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Hex(pub Vec<u8>);

impl Hex {
    /// The bytes as an array of exactly `N` bytes, if they have that length.
    pub fn array<const N: usize>(&self) -> Option<[u8; N]> {
        self.0.as_slice().try_into().ok()
    }
}

impl Deref for Hex {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Hex {
    fn from(v: Vec<u8>) -> Hex {
        Hex(v)
    }
}

impl From<Hex> for Vec<u8> {
    fn from(h: Hex) -> Vec<u8> {
        h.0
    }
}

impl From<&[u8]> for Hex {
    fn from(v: &[u8]) -> Hex {
        Hex(v.to_vec())
    }
}

impl<const N: usize> From<[u8; N]> for Hex {
    fn from(v: [u8; N]) -> Hex {
        Hex(v.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Hex {
    fn from(v: &[u8; N]) -> Hex {
        Hex(v.to_vec())
    }
}

impl fmt::Debug for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hex, D::Error> {
        let s = String::deserialize(d)?;
        from_hex(&s)
            .map(Hex)
            .ok_or_else(|| de::Error::custom(format!("not hex: {s:?}")))
    }
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * bytes.len());
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Decodes hex (either case); `None` on odd length or a non-hex digit.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some((digit(p[0])? << 4) | digit(p[1])?))
        .collect()
}

/// Declares the error kinds of the interface once: the enum, its names on
/// the wire, and the exhaustive conversion from the spec's error (whose
/// variants are exactly these kinds).
macro_rules! kinds {
    ($($(#[$doc:meta])* $k:ident,)*) => {
        /// An error kind of the protocol (SPEC.md section 17), named on the
        /// wire exactly as the variant.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorKind {
            $($(#[$doc])* $k,)*
        }

        impl ErrorKind {
            /// Every kind.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$k,)*];

            /// The name on the wire.
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorKind::$k => stringify!($k),)*
                }
            }
        }

        impl From<xchat_spec::Error> for ErrorKind {
            fn from(e: xchat_spec::Error) -> ErrorKind {
                match e {
                    $(xchat_spec::Error::$k => ErrorKind::$k,)*
                }
            }
        }

        impl From<xchat::Error> for Error {
            fn from(e: xchat::Error) -> Error {
                match e {
                    $(xchat::Error::$k => Error::Kind(ErrorKind::$k),)*
                    // The impl's own kinds (state import, I/O) are no kind
                    // of the interface; no vector can expect them.
                    other => Error::Other(other.kind_name().to_string()),
                }
            }
        }
    };
}

kinds! {
    InvalidLength,
    AuthenticationFailed,
    InvalidSignature,
    InvalidEncapsulationKey,
    InvalidDecapsulationKey,
    Malformed,
    UnsupportedVersion,
    InvalidHandle,
    InvalidKey,
    NonContributory,
    UnknownPrekey,
    Replay,
    UnknownSession,
    TooManySkipped,
    WrongRecipient,
    NoSendingChain,
    ChainExhausted,
    IdentityChanged,
}

/// Why a request has no output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The operation rejected its input with this kind (what vectors expect).
    Kind(ErrorKind),
    /// The request is not one of the op's inputs (a missing field, bad hex,
    /// a mistyped value); no vector expects it. The text says what.
    BadRequest(String),
    /// The implementation does not support the op, or cannot be asked this
    /// input (the runner counts it as skipped, never as decided).
    Unsupported,
    /// An answer that is no kind of this interface: an unknown error name
    /// from an external implementation, an implementation-only kind, or no
    /// usable answer at all.
    Other(String),
}

/// What an implementation answers to one request.
pub type Answer<T> = Result<T, Error>;

/// The prefix of the `BadRequest` kind on the wire.
const BAD_REQUEST: &str = "BadRequest";

impl Error {
    /// The error text on the wire (`Unsupported` has none: it is the
    /// answer `{"unsupported": true}`).
    pub fn wire(&self) -> String {
        match self {
            Error::Kind(k) => k.name().to_string(),
            Error::BadRequest(d) if d.is_empty() => BAD_REQUEST.to_string(),
            Error::BadRequest(d) => format!("{BAD_REQUEST} ({d})"),
            Error::Unsupported => "unsupported".to_string(),
            Error::Other(s) => s.clone(),
        }
    }

    /// The error named `s` on the wire.
    pub fn from_wire(s: &str) -> Error {
        if let Some(k) = ErrorKind::ALL.iter().find(|k| k.name() == s) {
            return Error::Kind(*k);
        }
        match s.strip_prefix(BAD_REQUEST) {
            Some(rest) => Error::BadRequest(
                rest.trim()
                    .trim_start_matches('(')
                    .trim_end_matches(')')
                    .to_string(),
            ),
            None => Error::Other(s.to_string()),
        }
    }

    /// A request that does not fit the op's input.
    pub fn bad_request(what: impl fmt::Display) -> Error {
        Error::BadRequest(what.to_string())
    }
}

/// The impl's per-operation errors (`xchat::ReceiveError`, ...) answer
/// with their section 17 kind.
macro_rules! from_operation_error {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::from(xchat::Error::from(e))
            }
        }
    )*};
}
from_operation_error!(
    xchat::error::ReceiveError,
    xchat::error::SendError,
    xchat::error::StartError,
    xchat::error::ImportError,
    xchat::error::AttachmentError
);

impl From<ErrorKind> for Error {
    fn from(k: ErrorKind) -> Error {
        Error::Kind(k)
    }
}

impl From<xchat_spec::Error> for Error {
    fn from(e: xchat_spec::Error) -> Error {
        Error::Kind(e.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wire())
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.wire())
    }
}

impl<'de> Deserialize<'de> for Error {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Error, D::Error> {
        Ok(Error::from_wire(&String::deserialize(d)?))
    }
}

/// `value` as a wire object.
pub fn to_obj<T: Serialize>(value: &T) -> Answer<Obj> {
    match serde_json::to_value(value) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(other) => Err(Error::Other(format!("not an object: {other}"))),
        Err(e) => Err(Error::Other(e.to_string())),
    }
}

/// A wire object as `T`; `BadRequest` if it does not fit.
pub fn from_obj<T: serde::de::DeserializeOwned>(o: &Obj) -> Answer<T> {
    serde_json::from_value(Value::Object(o.clone())).map_err(Error::bad_request)
}

/// A short rendering of a value for failure reports: long hex strings are
/// cut to their first 64 characters and their length.
pub fn short(v: &Value) -> String {
    fn cut(v: &Value) -> Value {
        match v {
            Value::String(s) if s.len() > 96 => {
                Value::String(format!("{}... ({} bytes)", &s[..64], s.len() / 2))
            }
            Value::Array(a) => Value::Array(a.iter().map(cut).collect()),
            Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), cut(v))).collect()),
            other => other.clone(),
        }
    }
    cut(v).to_string()
}
