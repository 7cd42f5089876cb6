//! The values on the wire of the conformance interface: a JSON object per
//! input and output, byte strings as lowercase hex, counters as integers,
//! flags as booleans (see `vectors/README.md`).

use serde_json::Value;

/// An input or output object (field order is kept).
pub type Obj = serde_json::Map<String, Value>;

/// What an implementation answers to one request.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The operation succeeded with these output fields.
    Output(Obj),
    /// The operation rejected its input with this error kind.
    Error(String),
    /// The implementation does not support this operation.
    Unsupported,
}

/// The error kind of a request the interface itself rejects (a missing
/// field, bad hex, a JSON type mismatch). No vector expects it.
pub const BAD_REQUEST: &str = "BadRequest";

/// The internal marker of an op an implementation does not support.
pub const UNSUPPORTED: &str = "\u{0}unsupported";

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

/// A hex value.
pub fn hx(bytes: &[u8]) -> Value {
    Value::String(to_hex(bytes))
}

/// Builds an object from `(name, value)` pairs, in order.
pub fn obj<const N: usize>(fields: [(&str, Value); N]) -> Obj {
    let mut o = Obj::new();
    for (k, v) in fields {
        o.insert(k.to_string(), v);
    }
    o
}

/// Field access with the interface's errors: a missing or mistyped field is
/// [`BAD_REQUEST`]; a byte string of the wrong length is `InvalidLength`.
pub trait Fields {
    /// A byte string.
    fn bytes(&self, name: &str) -> Result<Vec<u8>, String>;
    /// A byte string of exactly `N` bytes (`InvalidLength` otherwise).
    fn arr<const N: usize>(&self, name: &str) -> Result<[u8; N], String>;
    /// An unsigned integer.
    fn u64(&self, name: &str) -> Result<u64, String>;
    /// An unsigned 32-bit integer.
    fn u32(&self, name: &str) -> Result<u32, String>;
    /// A flag.
    fn flag(&self, name: &str) -> Result<bool, String>;
    /// A text.
    fn text(&self, name: &str) -> Result<String, String>;
    /// A list.
    fn list(&self, name: &str) -> Result<Vec<Value>, String>;
    /// Whether the field is present (and not null).
    fn has(&self, name: &str) -> bool;
}

fn bad(name: &str) -> String {
    format!("{BAD_REQUEST} (field {name})")
}

impl Fields for Obj {
    fn bytes(&self, name: &str) -> Result<Vec<u8>, String> {
        self.get(name)
            .and_then(Value::as_str)
            .and_then(from_hex)
            .ok_or_else(|| bad(name))
    }
    fn arr<const N: usize>(&self, name: &str) -> Result<[u8; N], String> {
        self.bytes(name)?
            .try_into()
            .map_err(|_| "InvalidLength".to_string())
    }
    fn u64(&self, name: &str) -> Result<u64, String> {
        self.get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(name))
    }
    fn u32(&self, name: &str) -> Result<u32, String> {
        u32::try_from(self.u64(name)?).map_err(|_| bad(name))
    }
    fn flag(&self, name: &str) -> Result<bool, String> {
        self.get(name)
            .and_then(Value::as_bool)
            .ok_or_else(|| bad(name))
    }
    fn text(&self, name: &str) -> Result<String, String> {
        self.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| bad(name))
    }
    fn list(&self, name: &str) -> Result<Vec<Value>, String> {
        self.get(name)
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| bad(name))
    }
    fn has(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.is_null())
    }
}

/// A list element as an object.
pub fn as_obj(v: &Value) -> Result<Obj, String> {
    v.as_object().cloned().ok_or_else(|| bad("list element"))
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
