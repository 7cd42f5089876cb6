//! Comparing the spec's and the impl's answers: equal outputs, equal error
//! kinds (by name, `xchat::Error::kind_name` against the spec's `Debug`).

use std::fmt::Debug;

/// A spec result with the error as its kind name.
pub fn spec<T>(r: Result<T, xchat_spec::Error>) -> Result<T, String> {
    r.map_err(|e| format!("{e:?}"))
}

/// An impl result with the error as its kind name (a per-operation error,
/// such as `xchat::error::AttachmentError`, by its `kind()`).
pub fn imp<T, E: Into<xchat::Error>>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.into().kind_name().to_string())
}

/// Panics with a `divergence` message unless `spec == imp`.
#[track_caller]
pub fn same<T: PartialEq + Debug>(what: &str, spec: &T, imp: &T) {
    if spec != imp {
        panic!("divergence in {what}:\n  spec: {spec:?}\n  impl: {imp:?}");
    }
}

/// Compares two results by `Ok` value (through `f` on each side) and by
/// error kind; returns both values if both accepted.
#[track_caller]
pub fn same_result<A, B, V: PartialEq + Debug>(
    what: &str,
    spec: Result<A, String>,
    imp: Result<B, String>,
    fa: impl Fn(&A) -> V,
    fb: impl Fn(&B) -> V,
) -> Option<(A, B)> {
    match (spec, imp) {
        (Ok(a), Ok(b)) => {
            same(what, &fa(&a), &fb(&b));
            Some((a, b))
        }
        (Err(a), Err(b)) => {
            same(what, &a, &b);
            None
        }
        (Ok(a), Err(b)) => panic!(
            "divergence in {what}: spec accepts {:?}, impl rejects {b}",
            fa(&a)
        ),
        (Err(a), Ok(b)) => panic!(
            "divergence in {what}: spec rejects {a}, impl accepts {:?}",
            fb(&b)
        ),
    }
}

/// Flips `mask` (never 0) into byte `pos % len` of `bytes`, if not empty.
pub fn flip(bytes: &mut [u8], pos: u32, mask: u8) {
    if !bytes.is_empty() {
        let at = pos as usize % bytes.len();
        bytes[at] ^= if mask == 0 { 1 } else { mask };
    }
}

/// Applies a mutation read from the input: `mode` 0 none; 1 flip a byte;
/// 2 truncate to `pos % (len + 1)`; 3 append `mask`.
pub fn mutate(bytes: &mut Vec<u8>, mode: u8, pos: u32, mask: u8) {
    match mode % 4 {
        1 => flip(bytes, pos, mask),
        2 => {
            let n = pos as usize % (bytes.len() + 1);
            bytes.truncate(n);
        }
        3 => bytes.push(mask),
        _ => {}
    }
}
