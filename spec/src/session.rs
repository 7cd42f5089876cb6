//! One session with one peer (SPEC.md section 15): starting it as the
//! initiator or the responder, encrypting and decrypting its messages, and
//! sealing a content into an envelope. Which session a received message
//! belongs to, and which peer, is decided by the account
//! ([`crate::account`], SPEC.md section 15.2), never here.
//!
//! Every function takes the current state by reference and returns the new
//! state only on success, so a failure changes nothing (SPEC.md
//! REQ-SESSION-002).

use crate::bundle::{Bundle, PrekeyStore};
use crate::content::{self, Content};
use crate::encoding::VERSION;
use crate::handle::Handle;
use crate::handshake::{self, PrekeyHeader, PREKEY_PREFIX};
use crate::identity::{IdentityPublic, IdentitySecret};
use crate::mailbox::{self, MSG_LIGHT};
use crate::ratchet::{self, RatchetState, MSG_PREKEY, MSG_RATCHET};
use crate::{envelope, padding, Error};

/// One party's state of a session with one peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The peer's identity, authenticated by the handshake.
    pub peer: IdentityPublic,
    /// The session's associated data `AD` (SPEC.md section 8, step 6).
    pub ad: [u8; 32],
    /// The Double Ratchet state (SPEC.md section 9).
    pub ratchet: RatchetState,
    /// The initiator's handshake header, repeated on every message until the
    /// responder's first message decrypts (SPEC.md REQ-HS-005).
    pub pending: Option<PrekeyHeader>,
    /// The handshake's ephemeral key `EK`: it names the session in prekey
    /// messages (SPEC.md REQ-HS-005).
    pub ek: [u8; 32],
    /// The pairwise mailbox the peer gave in this session, if any (SPEC.md
    /// section 12.1).
    pub peer_mailbox: Option<[u8; 16]>,
    /// The serial of the peer's last mailbox update taken in this session
    /// (0 before the first).
    pub peer_serial: u32,
}

/// Starts a session as the initiator from the bundle the directory returned
/// for the handle `peer` (SPEC.md section 8; REQ-HS-001, REQ-HS-002).
pub fn start(
    me: &IdentitySecret,
    peer: &Handle,
    peer_bundle: &Bundle,
    ek_secret: &[u8; 32],
    kem_m: &[u8; 32],
    ratchet_secret: &[u8; 32],
) -> Result<Session, Error> {
    let (ratchet, header, ad) =
        handshake::initiate(me, peer, peer_bundle, ek_secret, kem_m, ratchet_secret)?;
    Ok(Session {
        peer: peer_bundle.identity.clone(),
        ad,
        ratchet,
        ek: header.ek,
        pending: Some(header),
        peer_mailbox: None,
        peer_serial: 0,
    })
}

/// Encrypts one padded plaintext: a prekey message while the handshake is
/// unanswered, a ratchet message afterwards (SPEC.md sections 8 and 9.4;
/// REQ-HS-005).
pub fn encrypt(
    session: &Session,
    plaintext: &[u8],
    r: &[u8; 24],
) -> Result<(Session, Vec<u8>), Error> {
    let mut next = session.clone();
    let message = match &session.pending {
        Some(header) => {
            let (ratchet, body) =
                ratchet::encrypt(&session.ratchet, &session.ad, &PREKEY_PREFIX, plaintext, r)?;
            next.ratchet = ratchet;
            handshake::encode_prekey_message(header, &body)
        }
        None => {
            let (ratchet, message) =
                ratchet::encrypt_message(&session.ratchet, &session.ad, plaintext, r)?;
            next.ratchet = ratchet;
            message
        }
    };
    Ok((next, message))
}

/// The message type of an encoded prekey message, ratchet message or light
/// envelope: its second byte, after checking the version (SPEC.md sections
/// 8, 9.4, 12.1 and 15.2 step R3; REQ-ENC-003).
pub fn message_type(message: &[u8]) -> Result<u8, Error> {
    if message.len() < 2 {
        Err(Error::Malformed)
    } else if message[0] != VERSION {
        Err(Error::UnsupportedVersion)
    } else if message[1] == MSG_PREKEY || message[1] == MSG_RATCHET || message[1] == MSG_LIGHT {
        Ok(message[1])
    } else {
        Err(Error::Malformed)
    }
}

/// Decrypts one message of an existing session (SPEC.md sections 8, 9.5,
/// 12.1; REQ-HS-005): a ratchet message, a light envelope, or a repeated
/// prekey message whose `EK` names this session. A successful decryption of
/// a ratchet message or light envelope ends the initiator's prekey phase.
pub fn decrypt(
    session: &Session,
    message: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<(Session, Vec<u8>), Error> {
    let mut next = session.clone();
    let plaintext = if message_type(message)? == MSG_PREKEY {
        let (header, body) = handshake::decode_prekey_message(message)?;
        if header.ek != session.ek {
            return Err(Error::UnknownSession);
        }
        let (ratchet, plaintext) = ratchet::decrypt(
            &session.ratchet,
            &session.ad,
            &PREKEY_PREFIX,
            &body,
            ratchet_secret,
        )?;
        next.ratchet = ratchet;
        plaintext
    } else if message_type(message)? == MSG_LIGHT {
        let (ratchet, plaintext) =
            mailbox::decrypt_light(&session.ratchet, &session.ad, message, ratchet_secret)?;
        next.ratchet = ratchet;
        next.pending = None;
        plaintext
    } else {
        let (ratchet, plaintext) =
            ratchet::decrypt_message(&session.ratchet, &session.ad, message, ratchet_secret)?;
        next.ratchet = ratchet;
        next.pending = None;
        plaintext
    };
    Ok((next, plaintext))
}

/// Accepts a session as the responder from its first prekey message (SPEC.md
/// section 8; REQ-HS-003, REQ-HS-004). Returns the session, the prekey store
/// without the consumed one-time prekeys, and the first plaintext.
pub fn accept(
    me: &IdentitySecret,
    store: &PrekeyStore,
    message: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<(Session, PrekeyStore, Vec<u8>), Error> {
    let accepted = handshake::respond(me, store, message, ratchet_secret)?;
    let session = Session {
        peer: accepted.header.initiator.clone(),
        ad: accepted.ad,
        ratchet: accepted.state,
        pending: None,
        ek: accepted.header.ek,
        peer_mailbox: None,
        peer_serial: 0,
    };
    Ok((session, accepted.store, accepted.plaintext))
}

/// Sends one content: encode (section 11) and pad (section 10); then, if
/// the session knows the peer's pairwise mailbox and is past its prekey
/// phase, encrypt it as a light envelope to that mailbox (section 12.1);
/// otherwise encrypt it (sections 8-9) and seal it (section 12) to the
/// peer's published mailbox `peer_mailbox`, with `ephemeral` the
/// envelope's randomness (SPEC.md sections 12.1 and 15; REQ-SESSION-001,
/// REQ-MAILBOX-003). Returns the mailbox to post to and the envelope.
pub fn send(
    me: &IdentitySecret,
    session: &Session,
    content: &Content,
    peer_mailbox: &[u8; 16],
    r: &[u8; 24],
    ephemeral: &[u8; 32],
) -> Result<(Session, [u8; 16], Vec<u8>), Error> {
    let padded = padding::pad(&content::encode(content));
    match (&session.pending, session.peer_mailbox) {
        (None, Some(pairwise)) => {
            let (ratchet, light) =
                mailbox::encrypt_light(&session.ratchet, &session.ad, &pairwise, &padded, r)?;
            let mut next = session.clone();
            next.ratchet = ratchet;
            Ok((next, pairwise, light))
        }
        _ => {
            let (next, message) = encrypt(session, &padded, r)?;
            let sealed =
                envelope::seal(me, &session.peer.dh_pub, peer_mailbox, &message, ephemeral)?;
            Ok((next, *peer_mailbox, sealed))
        }
    }
}

/// Takes a mailbox update that this session decrypted (SPEC.md section
/// 12.1, REQ-MAILBOX-001): the session's peer mailbox becomes the update's
/// if its serial is greater than the session's; anything else, and every
/// other content, leaves the session as it is.
pub fn take_update(session: &Session, content: &Content) -> Session {
    let mut next = session.clone();
    if let Content::MailboxUpdate { serial, mailbox } = content {
        if *serial > session.peer_serial {
            next.peer_mailbox = Some(*mailbox);
            next.peer_serial = *serial;
        }
    }
    next
}

/// Whether `enc_header` (the first 81 bytes of a ratchet body) opens under
/// one of the session's receiving header keys: a skipped key's, `HKr` or
/// `NHKr` (SPEC.md section 15.2, REQ-ROUTE-002). This is exactly the set of
/// keys section 9.5 tries, so a session that does not recognize a header
/// would reject it with `AuthenticationFailed`.
pub fn recognizes(session: &Session, enc_header: &[u8]) -> bool {
    let state = &session.ratchet;
    let mut found = ratchet::hdecrypt(&state.nhkr, enc_header).is_some();
    if let Some(hk) = state.hkr {
        found = found || ratchet::hdecrypt(&hk, enc_header).is_some();
    }
    for i in 0..state.mkskipped.len() {
        if !found {
            found = ratchet::hdecrypt(&state.mkskipped[i].hk, enc_header).is_some();
        }
    }
    found
}
