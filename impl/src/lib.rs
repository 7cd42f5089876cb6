//! # `xchat`: the optimized implementation of XCHAT-1
//!
//! This crate is the implementation applications link. It implements the
//! protocol of `SPEC.md` with the same module structure as the executable
//! specification (`xchat-spec`, the `spec/` crate), and is tested against it:
//! every output must equal the spec's byte for byte, and every input the
//! spec rejects must be rejected here with the same error kind
//! (`impl/tests/*_diff.rs`).
//!
//! ## No primitive written by hand
//!
//! Every cryptographic primitive comes from an audited or formally verified
//! crate, called only from the thin wrappers in [`crypto`] (one file per
//! primitive; `README.md` gives each choice and the measurements behind it):
//! ML-KEM-768 and the X25519 ladder from libcrux (HACL* / hax, formally
//! verified), X25519 fixed-base and Ed25519 from the dalek crates, SHA-2,
//! HMAC, HKDF and (X)ChaCha20-Poly1305 from RustCrypto. The wrappers add
//! only what the spec's policy needs on top (the all-zero DH check, the
//! canonical-key check of Ed25519 verification, the FIPS 203 section 7
//! input checks, the exact error kinds).
//!
//! ## Rules this crate keeps
//!
//! * `#![forbid(unsafe_code)]`; no panic on any input: the lints below
//!   forbid `unwrap`, `expect`, `panic!` and unchecked indexing outside
//!   tests, and failures are the typed [`Error`].
//! * Secrets are zeroized on drop (`zeroize`), never printed by `Debug`,
//!   compared in constant time (`subtle`), and never used for branches or
//!   indices.
//! * Randomness comes only from an injected `rand_core::CryptoRng`; every
//!   operation documents which bytes it draws, in which order, so that an
//!   RNG replaying the spec's explicit randomness inputs reproduces the
//!   spec's outputs byte for byte. The primitives in [`crypto`] take that
//!   randomness as explicit bytes, exactly like the spec.
//!
//! ## Modules
//!
//! | module | contents |
//! |---|---|
//! | [`error`] | the [`Error`] kinds (SPEC.md section 17) |
//! | [`crypto`] | the primitives of the cipher suite (SPEC.md section 3) |
//! | [`encoding`] | section 4: version, key tags, labels, the strict [`encoding::Reader`] |
//! | [`handle`] | sections 4.2 and 5: canonical handles |
//! | [`identity`] | section 6: identities and their binding |
//! | [`bundle`] | section 7: prekey bundles, [`bundle::VerifiedBundle`], the prekey store |
//! | [`handshake`] | section 8: the PQXDH-shaped handshake and prekey messages |
//! | [`ratchet`] | section 9: the Double Ratchet with header encryption |
//! | [`padding`] | section 10: Padme padding |
//! | [`content`] | section 11: texts and attachment pointers |
//! | [`envelope`] | section 12: sealed-sender envelopes |
//! | [`mailbox`] | section 12.1: pairwise mailboxes and light envelopes |
//! | [`attachment`] | section 13: STREAM attachments (in memory, streaming, parallel) |
//! | [`fingerprint`] | section 14: safety numbers |
//! | [`session`] | section 15: one session with one peer: send, decrypt, export / import |
//! | [`account`] | sections 12.1, 15 and 16: the application API: contacts pinned by handle, sessions per peer, pairwise mailboxes, receive routing, handshake records |
//! | [`sframe`] | RFC 9605 SFrame (header, key derivation, suites 1-8) for calls |
//!
//! The protocol modules mirror the spec's one to one and keep its names:
//! `handle`, `encoding`, `identity`, `bundle`, `handshake`, `ratchet`,
//! `padding`, `content`, `envelope`, `mailbox`, `attachment`, `fingerprint`, `session`,
//! `account`.
//!
//! Feature `hazmat` (off by default) exposes intermediate values of the
//! protocol's own code paths for the conformance vectors:
//! `handshake::initiate_unverified_traced` and
//! `handshake::respond_traced` return the handshake's DH outputs, `SS`,
//! `CT`, the transcript and the keys as the normal path computes them (it
//! reports them to a no-op observer, so it does not pay for them).
#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

pub mod error;
pub use error::Error;

// The application's modules: what a messenger needs (SPEC.md order).
pub mod handle;
pub mod identity;
pub mod bundle;
pub mod content;
pub mod attachment;
pub mod fingerprint;
pub mod account;
// Media encryption for calls (RFC 9605, SPEC.md section 3.3).
pub mod sframe;

// The layers beneath `Account`: public only with feature `hazmat`, for the
// conformance vectors, the benchmarks and fuzzing (vodozemac's
// `low-level-api` is the model). Without it they are crate-private and an
// application cannot misuse them (a two-phase ratchet commit on the wrong
// state, a session outside its account's replay records). Without it, the
// parts of a layer's API that only the vectors and the differential tests
// call are unused, hence `allow(dead_code)` on those declarations only.
#[cfg(feature = "hazmat")]
pub mod crypto;
#[cfg(not(feature = "hazmat"))]
#[allow(dead_code)]
mod crypto;
#[cfg(feature = "hazmat")]
pub mod encoding;
#[cfg(not(feature = "hazmat"))]
#[allow(dead_code)]
mod encoding;
#[cfg(feature = "hazmat")]
pub mod handshake;
#[cfg(not(feature = "hazmat"))]
#[allow(dead_code)]
mod handshake;
#[cfg(feature = "hazmat")]
pub mod ratchet;
#[cfg(not(feature = "hazmat"))]
#[allow(dead_code)]
mod ratchet;
#[cfg(feature = "hazmat")]
pub mod padding;
#[cfg(not(feature = "hazmat"))]
#[allow(dead_code)]
mod padding;
#[cfg(feature = "hazmat")]
pub mod envelope;
#[cfg(not(feature = "hazmat"))]
#[allow(dead_code)]
mod envelope;
#[cfg(feature = "hazmat")]
pub mod mailbox;
#[cfg(not(feature = "hazmat"))]
#[allow(dead_code)]
mod mailbox;
#[cfg(feature = "hazmat")]
pub mod session;
#[cfg(not(feature = "hazmat"))]
#[allow(dead_code)]
mod session;
// Driving the impl from the spec's explicit randomness (conformance
// vectors, fuzzing).
#[cfg(feature = "hazmat")]
pub mod replay;

// The application API, at the top level.
pub use account::{Account, Contact, Outgoing, Receipt, Received};
pub use bundle::{Bundle, PqKind, PqPrekeySecret, PrekeyStore, VerifiedBundle};
pub use content::{AttachmentPointer, Content, MediaKind};
pub use fingerprint::{safety_number, safety_number_string};
pub use handle::Handle;
pub use identity::{IdentityPublic, IdentitySecret};
