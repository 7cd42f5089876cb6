//! Pairwise mailboxes and light envelopes (SPEC.md section 12.1), mirroring
//! `xchat_spec::mailbox`.
//!
//! ```text
//! LightEnvelope = u8(0x01) || u8(0x03) || mailbox (16) || RatchetBody
//! ```
//!
//! The 18-byte prefix is the message AEAD's prefix (SPEC.md section 9.3),
//! so the mailbox is authenticated by the session's keys: no sender
//! identity and no DH per message.

use crate::encoding::VERSION;
use crate::envelope::MAILBOX_LEN;
use crate::ratchet::{ENC_HEADER_LEN, TAG_LEN};
use crate::Error;

/// Message type of a light envelope (SPEC.md section 12.1).
pub const MSG_LIGHT: u8 = 0x03;

/// Length of a light envelope's prefix: version, type, mailbox.
pub const LIGHT_PREFIX_LEN: usize = 2 + MAILBOX_LEN;

/// Shortest light envelope: prefix, encrypted header, tag.
pub const MIN_LIGHT_LEN: usize = LIGHT_PREFIX_LEN + ENC_HEADER_LEN + TAG_LEN;

/// How many retired pairwise mailboxes a contact keeps besides its current
/// one (SPEC.md section 16): the grace window, in rotations.
pub const MAX_RETIRED_MAILBOXES: usize = 2;

/// The prefix `u8(0x01) || u8(0x03) || mailbox` (SPEC.md section 12.1).
pub fn light_prefix(mailbox: &[u8; MAILBOX_LEN]) -> [u8; LIGHT_PREFIX_LEN] {
    let mut prefix = [0u8; LIGHT_PREFIX_LEN];
    let (head, tail) = prefix.split_at_mut(2);
    head.copy_from_slice(&[VERSION, MSG_LIGHT]);
    tail.copy_from_slice(mailbox);
    prefix
}

/// A decoded light envelope: its mailbox, its prefix and its body.
#[derive(Clone, Copy, Debug)]
pub struct Light<'a> {
    /// The mailbox it names.
    pub mailbox: [u8; MAILBOX_LEN],
    /// The 18-byte prefix (the AEAD's).
    pub prefix: &'a [u8],
    /// The `RatchetBody`.
    pub body: &'a [u8],
}

/// Decodes a light envelope strictly, in the order of SPEC.md section 12.1
/// (REQ-MAILBOX-002): empty `Malformed`, a version other than `0x01`
/// `UnsupportedVersion`, a missing or other type byte `Malformed`, shorter
/// than [`MIN_LIGHT_LEN`] `Malformed`.
pub fn decode_light(envelope: &[u8]) -> Result<Light<'_>, Error> {
    match envelope {
        // An empty envelope is `Malformed` through the last arm.
        [v, ..] if *v != VERSION => Err(Error::UnsupportedVersion),
        [_, t, ..] if *t == MSG_LIGHT && envelope.len() >= MIN_LIGHT_LEN => {
            let (prefix, body) = envelope
                .split_at_checked(LIGHT_PREFIX_LEN)
                .ok_or(Error::Malformed)?;
            let mailbox = prefix
                .get(2..)
                .and_then(|m| <[u8; MAILBOX_LEN]>::try_from(m).ok())
                .ok_or(Error::Malformed)?;
            Ok(Light {
                mailbox,
                prefix,
                body,
            })
        }
        _ => Err(Error::Malformed),
    }
}
