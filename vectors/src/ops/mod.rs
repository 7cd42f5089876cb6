//! The ops of the conformance interface, one module per op family. Each
//! module defines its ops' wire structs (with the field descriptions the
//! documentation is generated from), their [`Meta`] (standard, requirement
//! ids, summary, error kinds in check order) and their case builders. The
//! list of ops, in SPEC.md order, is [`crate::conformance`].

pub mod build;

pub mod aead;
pub mod aes;
pub mod attachment;
pub mod bundle;
pub mod call;
pub mod content;
pub mod ed25519;
pub mod envelope;
pub mod fingerprint;
pub mod handle;
pub mod handshake;
pub mod hash;
pub mod identity;
pub mod mac_kdf;
pub mod mlkem;
pub mod padding;
pub mod ratchet;
pub mod session;
pub mod sframe;
pub mod x25519;

use crate::gen::Gen;
use crate::wire::ErrorKind;
use build::Case;

/// What documents one op besides its fields, and where its cases come from.
pub struct Meta {
    /// Standard and SPEC.md section.
    pub section: &'static str,
    /// SPEC.md requirement ids the vectors exercise.
    pub reqs: &'static [&'static str],
    /// What the op computes.
    pub summary: &'static str,
    /// Error kinds and when they are reported, in the order they are checked.
    pub errors: &'static [(ErrorKind, &'static str)],
    /// The case builder of the op's family, called with the op's name.
    pub cases: fn(&str, &Gen) -> Vec<Case>,
}

/// The error of a primitive given a fixed-length input of another length.
pub const BAD_LEN: (ErrorKind, &str) = (
    ErrorKind::InvalidLength,
    "a fixed-length input has another length",
);
