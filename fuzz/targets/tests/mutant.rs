//! A differential target can fail: `diff_decoders` run against impl
//! decoders that are deliberately wrong in one error kind finds the
//! divergence within a bounded number of runs from its seed corpus.
//!
//! The wrong decoders live only in this test file; the library exposes the
//! seam (`diff_decoders::run_with` over an `ImplDecoders` table) and its
//! `run` always uses the real impl.

use std::panic::{catch_unwind, AssertUnwindSafe};

use xchat::Error;
use xchat_fuzz_targets::diff_decoders::{run_with, ImplDecoders, IMPL};
use xchat_fuzz_targets::seeds;

/// `identity::decode` with `UnsupportedVersion` reported as `Malformed`.
fn identity_decode_swapped(b: &[u8]) -> Result<xchat::identity::IdentityPublic, Error> {
    xchat::identity::decode(b).map_err(|e| match e {
        Error::UnsupportedVersion => Error::Malformed,
        e => e,
    })
}

/// `content::decode` with `Malformed` reported as `UnsupportedVersion`
/// for a reserved content tag (first byte neither text nor attachment).
fn content_decode_swapped(b: &[u8]) -> Result<xchat::content::Content, Error> {
    xchat::content::decode(b).map_err(|e| match e {
        Error::Malformed if !matches!(b.first(), Some(0x01 | 0x02)) => Error::UnsupportedVersion,
        e => e,
    })
}

/// `padding::unpad` with `Malformed` reported as `AuthenticationFailed`
/// when the length field is cut short.
fn unpad_swapped(b: &[u8]) -> Result<Vec<u8>, Error> {
    xchat::padding::unpad(b).map_err(|e| match e {
        Error::Malformed if b.len() < 4 => Error::AuthenticationFailed,
        e => e,
    })
}

/// The seeds of `diff_decoders`, in file order.
fn seed_inputs() -> Vec<Vec<u8>> {
    let dir = seeds::repo_root().join("fuzz/seeds/diff_decoders");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// Run `i` of a deterministic schedule: every seed as is, then each seed
/// with one byte flipped or the input cut, cycling positions.
fn input(seeds: &[Vec<u8>], i: usize) -> Vec<u8> {
    let s = &seeds[i % seeds.len()];
    let round = i / seeds.len();
    let mut x = s.clone();
    if round > 0 && x.len() > 1 {
        let pos = 1 + (round * 7919 + i) % (x.len() - 1);
        if round.is_multiple_of(3) {
            x.truncate(pos);
        } else {
            x[pos] ^= ((round * 31) % 255 + 1) as u8;
        }
    }
    x
}

/// The number of runs until `d` diverges from the spec (or `None` within
/// `bound` runs), with the divergence message.
fn runs_to_divergence(d: &ImplDecoders, bound: usize) -> Option<(usize, String)> {
    let seeds = seed_inputs();
    for i in 0..bound {
        let data = input(&seeds, i);
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| run_with(&data, d))) {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Some((i + 1, msg));
        }
    }
    None
}

const BOUND: usize = 20_000;

#[test]
fn the_real_impl_passes_the_schedule() {
    assert_eq!(runs_to_divergence(&IMPL, 4_000), None);
}

#[test]
fn finds_swapped_identity_error_kind() {
    let d = ImplDecoders {
        identity_decode: identity_decode_swapped,
        ..IMPL
    };
    let (runs, msg) = runs_to_divergence(&d, BOUND).expect("mutant not found");
    println!("identity mutant found after {runs} runs: {msg}");
    assert!(msg.starts_with("divergence in identity decode"), "{msg}");
}

#[test]
fn finds_swapped_content_error_kind() {
    let d = ImplDecoders {
        content_decode: content_decode_swapped,
        ..IMPL
    };
    let (runs, msg) = runs_to_divergence(&d, BOUND).expect("mutant not found");
    println!("content mutant found after {runs} runs: {msg}");
    assert!(msg.starts_with("divergence in content decode"), "{msg}");
}

#[test]
fn finds_swapped_unpad_error_kind() {
    let d = ImplDecoders {
        unpad: unpad_swapped,
        ..IMPL
    };
    let (runs, msg) = runs_to_divergence(&d, BOUND).expect("mutant not found");
    println!("unpad mutant found after {runs} runs: {msg}");
    assert!(msg.starts_with("divergence in unpad"), "{msg}");
}
