//! Deterministic fixtures shared by the protocol tests: test randomness
//! from a tag, identities from a handle, and prekey stores. None of this
//! is a known answer (any bytes would do); sharing it only keeps every
//! test deriving the same parties the same way.

use std::sync::OnceLock;
use xchat_spec::bundle::{generate_pq_prekey, PqKind, PrekeyStore};
use xchat_spec::handle::parse_handle;
use xchat_spec::identity::{generate, IdentityPublic, IdentitySecret};
use xchat_spec::sha2::{sha256, sha512};

/// 32 bytes of test randomness: SHA-256 of `tag`.
pub fn rand32(tag: &str) -> [u8; 32] {
    sha256(tag.as_bytes())
}

/// 64 bytes of test randomness: SHA-512 of `tag`.
pub fn rand64(tag: &str) -> [u8; 64] {
    sha512(tag.as_bytes())
}

/// The identity of handle `name`, generated from `rand64(name)`.
pub fn identity_pair(name: &str) -> (IdentitySecret, IdentityPublic) {
    generate(&parse_handle(name.as_bytes()).unwrap(), &rand64(name))
}

/// The secret half of [`identity_pair`].
pub fn identity_of(name: &str) -> IdentitySecret {
    identity_pair(name).0
}

/// `name`'s prekey store: signed prekey 7, one-time prekeys 100..103, PQ
/// prekeys 200 (one-time) and 201 (last resort).
pub fn store_of(name: &str) -> PrekeyStore {
    PrekeyStore {
        spk_id: 7,
        spk_secret: rand32(&format!("{name} spk")),
        retired_spks: vec![],
        opks: (100..103)
            .map(|i| (i, rand32(&format!("{name} opk {i}"))))
            .collect(),
        pqpks: vec![
            generate_pq_prekey(200, PqKind::OneTime, &rand64(&format!("{name} pq 200"))),
            generate_pq_prekey(201, PqKind::LastResort, &rand64(&format!("{name} pq 201"))),
        ],
    }
}

/// `store_of("bob")`. ML-KEM key generation is the slow part, so it runs
/// once per test binary.
pub fn bob_store() -> PrekeyStore {
    static STORE: OnceLock<PrekeyStore> = OnceLock::new();
    STORE.get_or_init(|| store_of("bob")).clone()
}

/// The four bundle shapes a store of [`store_of`] can give: with/without
/// OPK, one-time/last-resort PQ prekey.
pub const SHAPES: [(Option<u32>, u32); 4] =
    [(Some(101), 200), (None, 200), (Some(102), 201), (None, 201)];
