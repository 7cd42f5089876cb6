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
//! crate, called only from the thin wrappers in `crypto` (one file per
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
//!   spec's outputs byte for byte. The primitives in `crypto` take that
//!   randomness as explicit bytes, exactly like the spec.
//!
//! ## The application API
//!
//! An application needs [`Account`] and the types at the top level of this
//! crate, nothing else (`impl/examples/two_parties.rs` is one):
//!
//! | item | what for |
//! |---|---|
//! | [`Account`] | one party's protocol state: identity, prekeys, contacts pinned by handle, sessions, pairwise mailboxes, handshake records; `start`, `send`, `offer_mailbox`, `resend_sealed`, `receive`, `accept_identity`, `rotate_signed_prekey`, `export` / `import` |
//! | [`Outgoing`], [`Receipt`], [`Received`], [`Contact`] | what sending and receiving give |
//! | [`Content`], [`MediaKind`], [`AttachmentPointer`] | texts, attachment pointers (SPEC.md section 11) |
//! | [`attachment`] | encrypting files (SPEC.md section 13): in memory, into caller buffers, streaming |
//! | [`IdentitySecret`], [`IdentityPublic`], [`Handle`], [`identity::generate`] | identities (sections 5, 6) |
//! | [`PrekeyStore`], [`Bundle`], [`VerifiedBundle`], [`bundle`] | prekeys and the bundles the directory serves (section 7) |
//! | [`safety_number`], [`safety_number_string`] | comparing identities out of band (section 14) |
//! | [`error`] | the per-operation errors: [`error::ReceiveError`], [`error::SendError`], [`error::StartError`], [`error::ImportError`], [`error::AttachmentError`], each with `kind()`, the section 17 kind ([`Error`]) |
//! | [`sframe`] | media frames of calls (RFC 9605) |
//!
//! ## The layers beneath: feature `hazmat`
//!
//! The protocol's layers mirror the spec's modules one to one and keep its
//! names. They are public only with feature `hazmat` (vodozemac's
//! `low-level-api` is the model), for the conformance vectors, the
//! benchmarks, fuzzing and the differential tests, which cover every layer:
//!
//! | module | contents |
//! |---|---|
//! | `crypto` | the primitives of the cipher suite (SPEC.md section 3) |
//! | `encoding` | section 4: version, key tags, labels, the strict reader |
//! | `handshake` | section 8: the PQXDH-shaped handshake and prekey messages; with `hazmat`, also its traced variants (DH outputs, `SS`, `CT`, transcript, keys as the normal path computes them) |
//! | `ratchet` | section 9: the Double Ratchet with header encryption, split into keys, header, skipped keys, state and persistence |
//! | `padding` | section 10: Padme padding |
//! | `envelope` | section 12: sealed-sender envelopes |
//! | `mailbox` | section 12.1: pairwise mailboxes and light envelopes |
//! | `session` | section 15: one session with one peer, its export format |
//! | `replay` | an RNG replaying the spec's explicit randomness |
//!
//! Feature `parallel` (default) seals and opens attachment chunks on a
//! rayon pool; without it every loop runs on the calling thread, with the
//! same bytes.
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
// Calls (SPEC.md section 20): SFrame (RFC 9605) media encryption and the
// call state keyed through sessions.
pub mod sframe;
pub mod call;

// The layers beneath `Account`: public only with feature `hazmat`, for the
// conformance vectors, the benchmarks and fuzzing (vodozemac's
// `low-level-api` is the model). Without it they are crate-private and an
// application cannot misuse them (a two-phase ratchet commit on the wrong
// state, a session outside its account's replay records). Without it, the
// parts of a layer's API that only the vectors and the differential tests
// call are unused, hence `allow(dead_code)` on those declarations only.
// With `hazmat` each layer is declared `pub` here, written out so that
// tools which follow `mod` items (cargo-mutants, rust-analyzer) see it;
// without it, the same files are declared private by the macro below,
// which such tools do not expand (so they see each file once).
#[cfg(feature = "hazmat")]
pub mod crypto;
#[cfg(feature = "hazmat")]
pub mod encoding;
#[cfg(feature = "hazmat")]
pub mod handshake;
#[cfg(feature = "hazmat")]
pub mod ratchet;
#[cfg(feature = "hazmat")]
pub mod padding;
#[cfg(feature = "hazmat")]
pub mod envelope;
#[cfg(feature = "hazmat")]
pub mod mailbox;
#[cfg(feature = "hazmat")]
pub mod session;

/// Declares the layer modules private when `hazmat` is off (and allows the
/// parts only the vectors and tests call to be unused).
macro_rules! private_layers {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(not(feature = "hazmat"))]
        #[allow(dead_code, unused_imports)]
        mod $name;
    )*};
}

private_layers!(crypto, encoding, handshake, ratchet, padding, envelope, mailbox, session);

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
