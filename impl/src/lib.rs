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
//! Feature `low-level` (off by default) exposes intermediate values of the
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

pub mod crypto;

// Protocol modules (one `pub mod` line each, in SPEC.md order).
pub mod encoding;
pub mod handle;
pub mod identity;
pub mod bundle;
pub mod handshake;
pub mod ratchet;
pub mod padding;
pub mod content;
pub mod envelope;
pub mod mailbox;
pub mod attachment;
pub mod fingerprint;
pub mod session;
pub mod account;
// Calls (SPEC.md section 20): SFrame (RFC 9605) media encryption and the
// call state keyed through sessions.
pub mod sframe;
pub mod call;

// Driving the impl from the spec's explicit randomness (feature
// `low-level`: conformance vectors, fuzzing).
#[cfg(feature = "low-level")]
pub mod replay;
