//! The Double Ratchet with header encryption (SPEC.md section 9), mirroring
//! `xchat_spec::ratchet` byte for byte: same wire bytes, same error kinds in
//! the same order, same skipped-key storage, eviction and replay semantics.
//!
//! One concern per file:
//!
//! | file | contents |
//! |---|---|
//! | `keys.rs` | [`RootKey`], [`ChainKey`], [`HeaderKey`], [`MessageKey`]; `KDF_RK_HE`, `KDF_CK`, `MSGKEYS` |
//! | `header.rs` | `HEADER`, `HENCRYPT`, `HDECRYPT`, the body split (9, 9.4) |
//! | `skipped.rs` | `MKSKIPPED`: storage, eviction, use-once (9.1, 9.5) |
//! | `state.rs` | [`RatchetState`]: init (9.2), encrypt (9.3), decrypt (9.5), [`PendingSend`], [`PendingRecv`] |
//! | `persistence.rs` | the ratchet part of the session export |
//!
//! What differs from the spec is how the work is done, never its result:
//!
//! * **Two-phase operations that cannot be misused.** Encrypting and
//!   decrypting compute on the state and return a pending operation that
//!   borrows it; only its `commit` changes the state, and dropping it
//!   changes nothing. Nothing is cloned, and the caller (the session)
//!   commits only when its whole pipeline succeeded (REQ-RATCHET-003,
//!   REQ-SESSION-002).
//! * **Skipped keys** are chains of keys per header key (`skipped.rs`),
//!   whose global order is the spec's list order.
//! * **Header decryption once per key.** The results of step 1 are reused
//!   in step 2 (the current chain's header key is usually the key of the
//!   newest skipped chain) and in step 3's replay test ("decrypts under the
//!   header key of any `MKSKIPPED` entry" is known from step 1).
//! * **Secrets.** Every root, chain, header and message key is its own
//!   non-`Copy`, zeroize-on-drop type; skipped keys are individually boxed
//!   so that moving them inside the deques never leaves copies behind.
//!   `Debug` is redacted. Header keys are compared with `subtle`.

mod header;
mod keys;
mod persistence;
mod skipped;
mod state;

pub use header::{
    hdecrypt, header, hencrypt, read_header, split_body, Header, ENC_HEADER_LEN, HEADER_LEN,
    HEADER_NONCE_LEN, TAG_LEN,
};
pub use keys::{ChainKey, HeaderKey, MessageKey, RootKey};
pub use state::{PendingRecv, PendingSend, RatchetState};

/// Most message keys skipped in one chain by one message (SPEC.md
/// REQ-RATCHET-004).
pub const MAX_SKIP: u32 = 1000;
/// Most skipped message keys one session stores (SPEC.md REQ-RATCHET-005).
pub const MAX_SKIPPED_TOTAL: usize = 2000;
/// Message type of a prekey message (SPEC.md section 8).
pub const MSG_PREKEY: u8 = 0x01;
/// Message type of a ratchet message (SPEC.md section 9.4).
pub const MSG_RATCHET: u8 = 0x02;
