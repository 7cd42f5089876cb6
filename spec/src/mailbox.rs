//! Pairwise mailboxes and light envelopes (SPEC.md section 12.1).
//!
//! After the handshake each side gives the other a random mailbox id for
//! this contact alone (a mailbox update, section 11), and the conversation
//! moves there: a light envelope is a ratchet message of type `0x03` whose
//! 18-byte prefix, part of the message AEAD's associated data, names the
//! mailbox it is posted to.
//!
//! ```text
//! LightEnvelope = u8(0x01) || u8(0x03) || mailbox (16) || RatchetBody
//! ```

use crate::encoding::{read_array16, read_u8, read_version, VERSION};
use crate::envelope::MAILBOX_LEN;
use crate::ratchet::{self, RatchetState, ENC_HEADER_LEN, HEADER_NONCE_LEN, TAG_LEN};
use crate::Error;

/// Message type of a light envelope (SPEC.md section 12.1).
pub const MSG_LIGHT: u8 = 0x03;

/// Length of a light envelope's prefix: version, type, mailbox (SPEC.md
/// section 12.1).
pub const LIGHT_PREFIX_LEN: usize = 2 + MAILBOX_LEN;

/// Shortest light envelope: the prefix, the encrypted header and a tag
/// (SPEC.md section 12.1).
pub const MIN_LIGHT_LEN: usize = LIGHT_PREFIX_LEN + ENC_HEADER_LEN + TAG_LEN;

/// How many retired pairwise mailboxes a contact keeps besides its current
/// one (SPEC.md section 16): the grace window, in rotations.
pub const MAX_RETIRED_MAILBOXES: usize = 2;

/// The prefix `u8(0x01) || u8(0x03) || mailbox` (SPEC.md section 12.1).
pub fn light_prefix(mailbox: &[u8; MAILBOX_LEN]) -> [u8; LIGHT_PREFIX_LEN] {
    let mut prefix = [0u8; LIGHT_PREFIX_LEN];
    prefix[0] = VERSION;
    prefix[1] = MSG_LIGHT;
    for i in 0..MAILBOX_LEN {
        prefix[2 + i] = mailbox[i];
    }
    prefix
}

/// Decodes a light envelope strictly, in the order of SPEC.md section 12.1
/// (REQ-MAILBOX-002): shorter than 1 byte `Malformed`, a version other than
/// `0x01` `UnsupportedVersion`, a missing or other type byte `Malformed`,
/// shorter than [`MIN_LIGHT_LEN`] `Malformed`. Returns the mailbox; the
/// `RatchetBody` is `envelope[LIGHT_PREFIX_LEN..]`.
pub fn decode_light(envelope: &[u8]) -> Result<[u8; MAILBOX_LEN], Error> {
    let pos = read_version(envelope, 0)?;
    let (kind, pos) = read_u8(envelope, pos)?;
    if kind != MSG_LIGHT {
        return Err(Error::Malformed);
    }
    let (mailbox, _) = read_array16(envelope, pos)?;
    if envelope.len() < MIN_LIGHT_LEN {
        return Err(Error::Malformed);
    }
    Ok(mailbox)
}

/// Precondition of [`encrypt_light`]: that of `RatchetEncrypt` (SPEC.md
/// section 9.3), a plaintext the message AEAD can seal.
pub fn pre_encrypt_light(plaintext_len: usize) -> bool {
    ratchet::pre_encrypt(plaintext_len)
}

/// Encrypts a padded plaintext as a light envelope to `mailbox` (SPEC.md
/// section 12.1, REQ-MAILBOX-002): `RatchetEncrypt` (section 9.3) with the
/// prefix `0x01 0x03 || mailbox`, so that the mailbox is authenticated.
#[cfg_attr(hax, hax_lib::requires(pre_encrypt_light(plaintext.len())))]
pub fn encrypt_light(
    state: &RatchetState,
    ad: &[u8; 32],
    mailbox: &[u8; MAILBOX_LEN],
    plaintext: &[u8],
    r: &[u8; HEADER_NONCE_LEN],
) -> Result<(RatchetState, Vec<u8>), Error> {
    let prefix = light_prefix(mailbox);
    let (next, body) = ratchet::encrypt(state, ad, &prefix, plaintext, r)?;
    let mut envelope = prefix.to_vec();
    envelope.extend_from_slice(&body);
    Ok((next, envelope))
}

/// Decrypts a light envelope (SPEC.md sections 9.5 and 12.1,
/// REQ-MAILBOX-002): decoding first ([`decode_light`]), then
/// `RatchetDecrypt` with the envelope's own 18-byte prefix. Whether the
/// mailbox is the one it arrived at is the account's check (section 15.2,
/// L2), not this function's: a light envelope resent sealed (section 12.1)
/// names a mailbox that may no longer be held.
pub fn decrypt_light(
    state: &RatchetState,
    ad: &[u8; 32],
    envelope: &[u8],
    secret: &[u8; 32],
) -> Result<(RatchetState, Vec<u8>), Error> {
    decode_light(envelope)?;
    ratchet::decrypt(
        state,
        ad,
        &envelope[..LIGHT_PREFIX_LEN],
        &envelope[LIGHT_PREFIX_LEN..],
        secret,
    )
}
