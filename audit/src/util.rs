//! Small helpers: hex, SHA-256, JSON files, HTML escaping, substring search.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Artefact;

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 * bytes.len());
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// SHA-256 (the `sha2` crate, independent of the spec under audit).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let d = Sha256::digest(bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(&d);
    out
}

/// SHA-256 as hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha256(bytes))
}

/// A JSON artefact: pretty-printed, keys in insertion order, final newline.
pub fn json_artefact(file: &str, value: &Value) -> Artefact {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{e}"));
    text.push('\n');
    Artefact {
        file: file.to_string(),
        bytes: text.into_bytes(),
    }
}

/// HTML-escapes text.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Every offset at which `needle` occurs in `hay` (overlapping); none for
/// an empty needle.
pub fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    if needle.is_empty() || needle.len() > hay.len() {
        return out;
    }
    let first = needle[0];
    for i in 0..=hay.len() - needle.len() {
        if hay[i] == first && &hay[i..i + needle.len()] == needle {
            out.push(i);
        }
    }
    out
}

/// An HTML table from a header and rows of already escaped cells.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table><thead><tr>");
    for h in header {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            s.push_str(&format!("<td>{c}</td>"));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// `PASS` or `FAIL` as a styled HTML badge.
pub fn badge(passed: bool) -> String {
    if passed {
        "<span class=\"pass\">PASS</span>".to_string()
    } else {
        "<span class=\"fail\">FAIL</span>".to_string()
    }
}

/// Error kind name of a spec error, as the vectors spell it.
pub fn error_name(e: xchat_spec::Error) -> String {
    format!("{e:?}")
}
