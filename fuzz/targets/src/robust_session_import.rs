//! `robust_session_import`: arbitrary bytes into `Session::import`
//! (impl only; the spec has no state export).
//!
//! Input: the exported bytes (`rest`), as `Session::export` writes them.
//!
//! Invariants: no panic; a rejection is `InvalidState` and nothing else; an
//! accepted import exports back to exactly the input (the format is
//! canonical); its `Debug` shows no key; the imported session can send (or refuses with an error),
//! and what it is after sending exports and imports again to the same
//! bytes.

use xchat::content::Content;
use xchat::handle;
use xchat::identity::IdentitySecret;
use xchat::session::Session;
use xchat::Error;

use crate::io::Replay;

/// The target.
pub fn run(data: &[u8]) {
    let mut session = match Session::import(data) {
        Ok(s) => s,
        Err(Error::InvalidState) => return,
        Err(e) => panic!("Session::import rejected with {e:?}, not InvalidState"),
    };
    let exported = session.export();
    assert_eq!(
        &exported[..],
        data,
        "Session::import accepted bytes that do not export back identically"
    );
    // `Debug` of any state it accepts: the public counters and a
    // redaction, never a key (keys are at least 32 bytes; Debug would
    // print them as a list of numbers).
    let shown = format!("{session:?}");
    assert!(
        shown.starts_with("Session") && shown.contains("[redacted]"),
        "{shown}"
    );
    assert!(
        shown.matches(", ").count() < 31,
        "Debug shows a byte array: {shown}"
    );
    let Ok(me) = handle::parse_handle(b"me") else {
        unreachable!("a valid handle")
    };
    let me = IdentitySecret::from_randomness(me, &[7u8; 64]);
    let mut rng = Replay::new(&[&[1u8; 24], &[2u8; 32]]);
    let sent = session.send(&me, &Content::Text("fuzz".into()), &[3u8; 16], &mut rng);
    let after = session.export();
    if sent.is_err() {
        assert_eq!(&after[..], data, "a failed send changed the session");
    }
    match Session::import(&after) {
        Ok(again) => assert_eq!(&again.export()[..], &after[..], "re-import differs"),
        Err(e) => panic!("the export of an imported session does not import: {e:?}"),
    }
}
