//! # `xchat-spec`: the executable specification of XCHAT-1
//!
//! This crate is the source of truth for the XCHAT-1 protocol and for every
//! cryptographic primitive it uses. It is written to be *read* next to the
//! standards it cites (and, later, next to `SPEC.md`), to be *run* as the
//! oracle for test vectors, differential tests and fuzzing, and to stay
//! *extractable* by [hax](https://github.com/cryspen/hax) for proofs. The
//! subset below is what makes extraction possible and it is checked on every
//! CI run; running hax itself, and any proof, is future work that this
//! repository does not claim yet.
//!
//! ## The subset this crate is written in
//!
//! The rules below make the code short, pure and extractable. They are not a
//! style guide: `cargo xtask subset` checks every file in `spec/src` and CI
//! fails on any violation, naming the file and line.
//!
//! * No dependencies. `hax-lib` is only visible to the hax toolchain
//!   (`cfg(hax)`); contracts are written as
//!   `#[cfg_attr(hax, hax_lib::requires(pre_f(..)))]`, and each predicate
//!   `pre_f` is an ordinary `fn .. -> bool` that the tests call.
//! * `#![forbid(unsafe_code)]`. Every function is a pure function of its
//!   arguments: no I/O, clocks, environment, `static`s, interior mutability,
//!   trait objects or closures. Randomness is an explicit byte input.
//! * Loops are `for i in a..b`; no `while`, `loop` or iterator chains.
//! * State is passed by value and returned: no `&mut` in signatures.
//! * Failures are `Result<_, Error>` with the small [`Error`] enum; nothing
//!   here calls `unwrap`, `expect` or `panic!`.
//! * Every `as` cast carries a `// cast:` comment (same line or the line
//!   above) that says why it cannot lose information, or why losing it is
//!   what the standard asks for.
//! * Every `pub fn` has a `///` doc comment that cites what it implements:
//!   `SPEC.md` (with its section), a requirement id such as `REQ-SUITE-004`,
//!   or a standard by number: `RFC 8439`, `FIPS 203`, `SP 800-38D`,
//!   `draft-irtf-cfrg-xchacha-03`. A bare "section 4" or a name without a
//!   number ("NIST", "Signal") does not count. The scenario runner cites the
//!   SPEC.md sections it is a test harness over.
//! * No module cycles: the top-level modules (a directory module such as
//!   `ml_kem` counts as one) depend on each other through `crate::`,
//!   `self::` and `super::` paths, re-exports included, without a cycle,
//!   since hax bundles cyclic modules into one. An item two modules need
//!   lives in the one the other already depends on (`MAX_ATTACHMENT_LEN`
//!   is defined in [`content`] and re-exported by [`attachment`]).
//!
//! ## Not constant time
//!
//! Constant-time execution is **not** a goal of this crate. It branches and
//! indexes on secret data wherever that makes the code read like the
//! standard (field inversion, rejection sampling, comparisons of tags). It
//! must never be used to protect real secrets; the optimized `impl/` crate
//! is the one applications link, and it is tested byte for byte against this
//! one.
//!
//! ## Modules
//!
//! One module per primitive, named after its standard:
//!
//! | module | standard |
//! |---|---|
//! | [`sha2`] | FIPS 180-4 (SHA-256, SHA-512) |
//! | [`hmac`] | RFC 2104 (HMAC-SHA-256, HMAC-SHA-512) |
//! | [`hkdf`] | RFC 5869 (HKDF-SHA-256, HKDF-SHA-512) |
//! | [`chacha20`] | RFC 8439 section 2.1-2.4 |
//! | [`poly1305`] | RFC 8439 section 2.5-2.6 |
//! | [`chacha20poly1305`] | RFC 8439 section 2.8 |
//! | [`xchacha20poly1305`] | draft-irtf-cfrg-xchacha-03 (HChaCha20, XChaCha20-Poly1305) |
//! | [`field25519`] | arithmetic in GF(2^255 - 19) (RFC 7748 section 4.1) |
//! | [`x25519`] | RFC 7748 section 5 |
//! | [`edwards25519`] | the twisted Edwards curve and its scalars (RFC 8032 section 5.1) |
//! | [`ed25519`] | RFC 8032 section 5.1 with a strict verification policy |
//! | [`sha3`] | FIPS 202 (SHA3-256, SHA3-512, SHAKE128, SHAKE256) |
//! | [`ml_kem`] | FIPS 203 (ML-KEM-768) |
//! | [`aes`] | FIPS 197 (AES-128, AES-256) |
//! | [`aes_ctr`] | SP 800-38A section 6.5 (CTR with a 32-bit counter, RFC 3686) |
//! | [`aes_gcm`] | SP 800-38D (AES-GCM) |
//! | [`sframe`] | RFC 9605 (SFrame: header, key derivation, cipher suites) |
//!
//! The protocol, one module per section of `SPEC.md`:
//!
//! | module | SPEC.md |
//! |---|---|
//! | [`encoding`] | section 4: integers, versions, tagged keys, the strict reader |
//! | [`suite`] | section 3: checked DH, the KDF, every label |
//! | [`handle`] | sections 4.2 and 5: handles |
//! | [`identity`] | section 6: identities and their binding to a handle |
//! | [`bundle`] | section 7: prekey bundles and the prekey store |
//! | [`handshake`] | section 8: the PQXDH-shaped handshake |
//! | [`ratchet`] | section 9: the Double Ratchet with header encryption |
//! | [`padding`] | section 10: Padme padding |
//! | [`content`] | section 11: typed content |
//! | [`envelope`] | section 12: sealed-sender envelopes |
//! | [`mailbox`] | section 12.1: pairwise mailboxes and light envelopes |
//! | [`attachment`] | section 13: STREAM-encrypted attachments |
//! | [`fingerprint`] | section 14: safety numbers |
//! | [`session`] | section 15: one session with one peer, send and decrypt |
//! | [`account`] | sections 12.1, 15 and 16: contacts pinned by handle, sessions per peer, pairwise mailboxes, receive routing, handshake records, prekey rotation |
//! | [`call`] | section 20: calls, SFrame sender keys carried by call signals |
//! | [`scenario`] | the scripted multi-party scenario runner (test harness, not protocol) |
#![forbid(unsafe_code)]
// The subset writes every loop as `for i in a..b` over explicit indices, as
// the standards do, and has no closures; clippy's iterator and combinator
// suggestions are exactly what it rules out.
#![allow(clippy::needless_range_loop, clippy::manual_memcpy, clippy::manual_map)]

pub mod error;
pub use error::Error;

pub mod hkdf;
pub mod hmac;
pub mod sha2;

pub mod chacha20;
pub mod chacha20poly1305;
pub mod poly1305;
pub mod xchacha20poly1305;

pub mod ed25519;
pub mod edwards25519;
pub mod field25519;
pub mod x25519;

pub mod ml_kem;
pub mod sha3;

pub mod aes;
pub mod aes_ctr;
pub mod aes_gcm;
pub mod sframe;

pub mod encoding;
pub mod suite;
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
pub mod call;
pub mod scenario;
