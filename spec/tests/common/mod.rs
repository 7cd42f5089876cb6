//! Shared support for the known-answer tests: locating and parsing the
//! external vector files in `vectors/external/` (see its MANIFEST.md), hex
//! decoding, and the case tally every test reports.
//!
//! Each test file includes this with `mod common;` and uses only what it
//! needs, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Path of a file under `vectors/external/`.
pub fn external(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("vectors")
        .join("external")
        .join(rel)
}

/// The text of a file under `vectors/external/`.
pub fn read_text(rel: &str) -> String {
    let path = external(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Decodes lowercase or uppercase hex; panics (the test fails) on bad input.
pub fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    assert!(s.len().is_multiple_of(2), "odd-length hex: {s:?}");
    (0..s.len() / 2)
        .map(|i| {
            u8::from_str_radix(&s[2 * i..2 * i + 2], 16)
                .unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
        })
        .collect()
}

/// Decodes hex into a fixed-size array; panics on a length mismatch.
pub fn hex_array<const N: usize>(s: &str) -> [u8; N] {
    let v = hex(s);
    v.as_slice()
        .try_into()
        .unwrap_or_else(|_| panic!("expected {N} bytes, got {}: {s:?}", v.len()))
}

/// Encodes bytes as lowercase hex (for readable assertion messages).
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A parsed JSON file under `vectors/external/`.
pub fn json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&read_text(rel)).unwrap_or_else(|e| panic!("parsing {rel}: {e}"))
}

/// A parsed YAML file under `vectors/external/`.
pub fn yaml(rel: &str) -> serde_norway::Value {
    serde_norway::from_str(&read_text(rel)).unwrap_or_else(|e| panic!("parsing {rel}: {e}"))
}

/// The string at `key` in a YAML mapping; panics if absent.
pub fn ystr<'a>(v: &'a serde_norway::Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(|x| x.as_str())
        .unwrap_or_else(|| panic!("missing string field {key:?} in {v:?}"))
}

/// The string at `key` in a JSON object; panics if absent.
pub fn jstr<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(|x| x.as_str())
        .unwrap_or_else(|| panic!("missing string field {key:?} in {v}"))
}

/// One record of a NIST CAVP `.rsp` file: its `key = value` lines, plus the
/// enclosing `[section]` header (if any) under the key `"[section]"`.
pub type RspRecord = BTreeMap<String, String>;

/// Parses a NIST CAVP/KAT `.rsp` file into records. A record is a run of
/// `key = value` lines ended by a blank line; `#` lines are comments.
pub fn rsp(rel: &str) -> Vec<RspRecord> {
    let text = read_text(rel);
    let mut records = Vec::new();
    let mut section = String::new();
    let mut current = RspRecord::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !current.is_empty() {
                records.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = line[1..line.len() - 1].trim().to_string();
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            if current.is_empty() && !section.is_empty() {
                current.insert("[section]".to_string(), section.clone());
            }
            current.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    if !current.is_empty() {
        records.push(current);
    }
    records
}

/// The expected verdict of a Wycheproof test case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
    /// Either outcome conforms to the primitive's standard; the test must
    /// assert the decision our documented policy makes.
    Acceptable,
}

/// One Wycheproof test case with its group (where keys and sizes live).
pub struct WycheproofCase<'a> {
    pub group: &'a serde_json::Value,
    pub case: &'a serde_json::Value,
    pub tc_id: u64,
    pub verdict: Verdict,
    pub flags: Vec<String>,
}

impl WycheproofCase<'_> {
    /// Hex field of the test case, decoded.
    pub fn hex(&self, key: &str) -> Vec<u8> {
        hex(jstr(self.case, key))
    }

    /// A readable identifier for assertion messages.
    pub fn id(&self) -> String {
        format!(
            "tcId {} ({:?}, {:?})",
            self.tc_id,
            self.case
                .get("comment")
                .and_then(|c| c.as_str())
                .unwrap_or(""),
            self.flags
        )
    }
}

/// All test cases of a parsed Wycheproof file, in file order.
pub fn wycheproof_cases(file: &serde_json::Value) -> Vec<WycheproofCase<'_>> {
    let mut out = Vec::new();
    let groups = file["testGroups"].as_array().expect("testGroups");
    for group in groups {
        for case in group["tests"].as_array().expect("tests") {
            let verdict = match jstr(case, "result") {
                "valid" => Verdict::Valid,
                "invalid" => Verdict::Invalid,
                "acceptable" => Verdict::Acceptable,
                other => panic!("unknown Wycheproof result {other:?}"),
            };
            let flags = case["flags"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|f| f.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            out.push(WycheproofCase {
                group,
                case,
                tc_id: case["tcId"].as_u64().expect("tcId"),
                verdict,
                flags,
            });
        }
    }
    out
}

/// Counts the cases a test checked, prints the count (visible with
/// `--show-output`, which the project's test command passes), and fails the
/// test if a source yielded no case at all: an empty or misparsed vector
/// file must never pass silently.
pub struct Tally {
    name: String,
    checked: usize,
}

impl Tally {
    pub fn new(name: &str) -> Self {
        Tally {
            name: name.to_string(),
            checked: 0,
        }
    }

    /// Records one checked case.
    pub fn check(&mut self) {
        self.checked += 1;
    }

    /// Reports the count and asserts it is non-zero (and at least `min`,
    /// when the source's size is known).
    pub fn finish(self, min: usize) -> usize {
        println!("{}: {} cases checked", self.name, self.checked);
        assert!(self.checked > 0, "{}: zero cases checked", self.name);
        assert!(
            self.checked >= min,
            "{}: only {} cases checked, expected at least {min}",
            self.name,
            self.checked
        );
        self.checked
    }
}

/// Parses a KAT `.rsp` file whose records are not separated by blank lines
/// (the pq-crystals style `count = 0`, `z = ..`, ... `count = 1`, ...): a
/// record starts at each `start_key = ..` line. `#` lines are comments and
/// blank lines are ignored.
pub fn rsp_by_start_key(rel: &str, start_key: &str) -> Vec<RspRecord> {
    let text = read_text(rel);
    let mut records = Vec::new();
    let mut current = RspRecord::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let k = k.trim();
            if k == start_key && !current.is_empty() {
                records.push(std::mem::take(&mut current));
            }
            current.insert(k.to_string(), v.trim().to_string());
        }
    }
    if !current.is_empty() {
        records.push(current);
    }
    records
}
