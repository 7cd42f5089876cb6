//! Set-up shared by the simulator's integration tests: a user with a
//! last-resort PQ prekey, its handle, and its bundle as the directory
//! serves it (verified).

use rand_chacha::ChaCha20Rng;
use rand_core::Rng;
use xchat::{bundle, identity};
use xchat::{Account, Handle, PqKind, PrekeyStore};

/// A fresh account for `name`, every key and its published mailbox drawn
/// from `r`.
pub fn user(name: &str, r: &mut ChaCha20Rng) -> Account {
    let handle: Handle = name.parse().unwrap();
    let mut store = PrekeyStore::generate(1, r);
    store.add_pq_prekey(bundle::generate_pq_prekey(20, PqKind::LastResort, r));
    let mut mailbox = [0u8; 16];
    r.fill_bytes(&mut mailbox);
    Account::new(identity::generate(handle, r), store, mailbox)
}

/// The account's handle.
pub fn h(a: &Account) -> Handle {
    *a.identity().handle()
}

/// The account's bundle without a one-time prekey, verified.
pub fn bundle_of(a: &Account) -> xchat::VerifiedBundle {
    bundle::make_bundle(a.identity(), a.store(), None, 20)
        .unwrap()
        .verify()
        .unwrap()
}
