//! `robust_account_import`: arbitrary bytes into `Account::import` (impl
//! only; the account export is the implementation's format, documented at
//! `Account::export`).
//!
//! Input: the exported bytes (`rest`).
//!
//! Invariants: no panic; a rejection is a typed `ImportError` whose kind is
//! `InvalidState`; an accepted import exports back to exactly the input
//! (the format is canonical); the imported account then takes a junk
//! envelope at its published mailbox without changing, and its export
//! imports again to the same bytes.

use xchat::Account;
use xchat::Error;

use crate::io::Replay;

/// The target.
pub fn run(data: &[u8]) {
    let mut account = match Account::import(data) {
        Ok(a) => a,
        Err(e) => {
            assert_eq!(e.kind(), Error::InvalidState, "{e:?}");
            return;
        }
    };
    let exported = account.export();
    assert_eq!(
        &exported[..],
        data,
        "Account::import accepted bytes that do not export back identically"
    );
    let mailbox = *account.mailbox();
    let mut junk = vec![0x01];
    junk.extend_from_slice(&mailbox);
    junk.extend_from_slice(&[0x5A; 300]);
    let r = account.receive(&mailbox, &junk, &mut Replay::new(&[&[9u8; 32]]));
    assert!(r.is_err(), "a junk envelope was accepted");
    assert_eq!(
        &account.export()[..],
        data,
        "a failed receive changed the account"
    );
    match Account::import(&account.export()) {
        Ok(again) => assert_eq!(&again.export()[..], data, "re-import differs"),
        Err(e) => panic!("the export of an imported account does not import: {e:?}"),
    }
}
