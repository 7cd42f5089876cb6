//! # XCHAT-1 fuzz targets
//!
//! The logic of every fuzz target, one module each, each with
//! `pub fn run(data: &[u8])`. The same function is called by
//!
//! * the libFuzzer binaries of the cargo-fuzz crate `fuzz/` (a separate
//!   workspace: `fuzz/fuzz_targets/<name>.rs` is one `fuzz_target!` line),
//! * the replay tests ([`replay`]): `tests/replay.rs` of this crate, run
//!   by `cargo test --workspace --release` at the repository root, and
//!   `fuzz/tests/replay.rs`, run by `cargo test --manifest-path
//!   fuzz/Cargo.toml --release`; both replay every seed, corpus and
//!   regression file on the stable toolchain, without libFuzzer.
//!
//! A target reports a finding by panicking: a divergence between the spec
//! (`xchat_spec`) and the impl (`xchat`) is a panic whose message starts
//! with `divergence`, an impl panic is itself a finding.
//!
//! Inputs are read with [`input::Input`], a small documented format (bytes,
//! big-endian integers, length-prefixed byte strings) that the seed
//! generator ([`seeds`], `src/bin/seed-corpora.rs`) writes exactly, so every
//! committed vector becomes a seed of the targets that can use it.
//!
//! Differential targets:
//! [`diff_primitives`], [`diff_decoders`], [`diff_handshake`],
//! [`diff_attachment`], [`diff_session_schedule`]. Robustness targets
//! (impl only): [`robust_session_import`], [`robust_attachment_stream`],
//! [`robust_account_receive`], [`robust_account_import`].
#![forbid(unsafe_code)]

pub mod check;
pub mod input;
pub mod io;
pub mod replay;
pub mod seeds;

pub mod diff_attachment;
pub mod diff_decoders;
pub mod diff_handshake;
pub mod diff_primitives;
pub mod diff_session_schedule;
pub mod robust_account_import;
pub mod robust_account_receive;
pub mod robust_attachment_stream;
pub mod robust_session_import;

/// A target: its name (the libFuzzer binary's, the corpus folder's) and its
/// entry point.
pub struct Target {
    /// Name of the target, of `fuzz/fuzz_targets/<name>.rs`, of
    /// `fuzz/seeds/<name>/`, `fuzz/regressions/<name>/` and
    /// `fuzz/dicts/<name>.dict`.
    pub name: &'static str,
    /// The target function.
    pub run: fn(&[u8]),
}

/// Every target, in the order of the README.
pub const TARGETS: [Target; 9] = [
    Target {
        name: "diff_primitives",
        run: diff_primitives::run,
    },
    Target {
        name: "diff_decoders",
        run: diff_decoders::run,
    },
    Target {
        name: "diff_handshake",
        run: diff_handshake::run,
    },
    Target {
        name: "diff_attachment",
        run: diff_attachment::run,
    },
    Target {
        name: "diff_session_schedule",
        run: diff_session_schedule::run,
    },
    Target {
        name: "robust_session_import",
        run: robust_session_import::run,
    },
    Target {
        name: "robust_attachment_stream",
        run: robust_attachment_stream::run,
    },
    Target {
        name: "robust_account_receive",
        run: robust_account_receive::run,
    },
    Target {
        name: "robust_account_import",
        run: robust_account_import::run,
    },
];
