//! A party's account and the receive routing (SPEC.md sections 1, 12.1, 15
//! and 16): the identity, the prekey store, the published mailbox, the
//! contacts (a handle pinned to an identity on first contact, with its
//! current and previous sessions and its pairwise mailboxes) and the
//! records of accepted handshakes.
//!
//! Every function takes the account by reference and returns the new
//! account only on success, so a failure changes nothing (SPEC.md
//! REQ-SESSION-002).

use crate::bundle::{self, Bundle, PrekeyStore};
use crate::content::{self, Content};
use crate::handle::Handle;
use crate::handshake::{self};
use crate::identity::{self, IdentityPublic, IdentitySecret};
use crate::mailbox::{self, LIGHT_PREFIX_LEN, MAX_RETIRED_MAILBOXES, MSG_LIGHT};
use crate::ratchet::{ENC_HEADER_LEN, MSG_PREKEY, TAG_LEN};
use crate::session::{self, Session};
use crate::{envelope, padding, Error};

/// How many previous sessions a contact keeps besides its current one
/// (SPEC.md section 16): messages still in flight in an older session
/// decrypt there.
pub const MAX_PREVIOUS_SESSIONS: usize = 4;

/// How many accepted handshakes the account records per signed prekey
/// (SPEC.md section 16, REQ-HS-006). When the current signed prekey has
/// this many, further handshakes naming it are refused (`UnknownPrekey`)
/// until the owner rotates it.
pub const MAX_HANDSHAKES_PER_SIGNED_PREKEY: usize = 4096;

/// A handle pinned to an identity, with its sessions (SPEC.md section 15.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// The pinned identity; its handle is the contact's handle.
    pub identity: IdentityPublic,
    /// The current session first, then the previous ones, newest first;
    /// at most `1 + MAX_PREVIOUS_SESSIONS`, possibly none.
    pub sessions: Vec<Session>,
    /// Our pairwise mailboxes for this contact, current first, then at
    /// most `MAX_RETIRED_MAILBOXES` retired ones, newest first (SPEC.md
    /// section 12.1).
    pub mailboxes: Vec<[u8; 16]>,
    /// The serial of the last mailbox update we sent this contact (0 before
    /// the first).
    pub serial: u32,
}

/// An accepted handshake (SPEC.md section 15.3): the signed prekey it used
/// and its `EK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeRecord {
    /// The signed prekey id the prekey message named.
    pub spk_id: u32,
    /// The initiator's ephemeral key `EK`.
    pub ek: [u8; 32],
}

/// One party's whole protocol state (SPEC.md section 15.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The party's identity.
    pub identity: IdentitySecret,
    /// Its prekeys.
    pub store: PrekeyStore,
    /// Its published mailbox: sealed envelopes arrive here (SPEC.md section
    /// 12.1).
    pub mailbox: [u8; 16],
    /// Its contacts, at most one per handle, in the order they were made.
    pub contacts: Vec<Contact>,
    /// The handshakes it accepted as responder, oldest first.
    pub handshakes: Vec<HandshakeRecord>,
}

/// What a received message did besides yielding its content (SPEC.md
/// section 15.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The authenticated sender, equal to the contact's pinned identity.
    pub sender: IdentityPublic,
    /// The decrypted content.
    pub content: Content,
    /// The message made a new contact (first contact: the sender is pinned).
    pub new_contact: bool,
    /// The message started a new session with the contact.
    pub new_session: bool,
}

/// The result of a successful receive (SPEC.md section 15.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receipt {
    /// A message was accepted.
    Message(Received),
    /// The envelope came from an identity that claims a handle pinned to
    /// another identity. Nothing changed; only [`accept_identity`] re-pins
    /// (REQ-PEER-002).
    IdentityChanged {
        /// The identity pinned for the handle.
        pinned: IdentityPublic,
        /// The identity that sealed the envelope (its binding verified).
        offered: IdentityPublic,
    },
}

/// A fresh account with its published mailbox, no contacts and no records
/// (SPEC.md section 15.1).
pub fn new(identity: &IdentitySecret, store: &PrekeyStore, mailbox: &[u8; 16]) -> Account {
    Account {
        identity: identity.clone(),
        store: store.clone(),
        mailbox: *mailbox,
        contacts: Vec::new(),
        handshakes: Vec::new(),
    }
}

/// Peer equality (SPEC.md section 15.1, REQ-PEER-001): two identities are
/// the same peer if and only if their handles, Ed25519 keys and X25519
/// keys are equal. The binding signature is not compared: it is a function
/// of those three for an honest signer, and only the key holder can make
/// another valid one.
pub fn same_peer(a: &IdentityPublic, b: &IdentityPublic) -> bool {
    a.handle == b.handle && a.sig_pub == b.sig_pub && a.dh_pub == b.dh_pub
}

/// The index of the contact for `handle`, if any (SPEC.md section 15.1).
pub fn find_contact(account: &Account, handle: &Handle) -> Option<usize> {
    let mut found = None;
    for i in 0..account.contacts.len() {
        if found.is_none() && account.contacts[i].identity.handle == *handle {
            found = Some(i);
        }
    }
    found
}

/// `sessions` with `session` inserted at `at` (0 = current) and the oldest
/// beyond `1 + MAX_PREVIOUS_SESSIONS` dropped (SPEC.md section 16).
fn insert_session(sessions: &[Session], at: usize, session: &Session) -> Vec<Session> {
    let mut out = Vec::new();
    for i in 0..sessions.len() {
        if i == at {
            out.push(session.clone());
        }
        out.push(sessions[i].clone());
    }
    if at >= sessions.len() {
        out.push(session.clone());
    }
    let mut bounded = Vec::new();
    for i in 0..out.len() {
        if i <= MAX_PREVIOUS_SESSIONS {
            bounded.push(out[i].clone());
        }
    }
    bounded
}

/// `sessions` with entry `index` replaced by `session` and moved to the
/// front, the others keeping their order (SPEC.md section 15.2, step R5).
fn promote(sessions: &[Session], index: usize, session: &Session) -> Vec<Session> {
    let mut out = vec![session.clone()];
    for i in 0..sessions.len() {
        if i != index {
            out.push(sessions[i].clone());
        }
    }
    out
}

/// `account` with contact `index` (or a new contact without mailboxes,
/// if `None`) pinned to `identity` with `sessions`; an existing contact
/// keeps its mailboxes.
fn with_contact(
    account: &Account,
    index: Option<usize>,
    identity: &IdentityPublic,
    sessions: &[Session],
) -> Account {
    let mut next = account.clone();
    match index {
        Some(i) => {
            next.contacts[i].identity = identity.clone();
            next.contacts[i].sessions = sessions.to_vec();
        }
        None => next.contacts.push(Contact {
            identity: identity.clone(),
            sessions: sessions.to_vec(),
            mailboxes: Vec::new(),
            serial: 0,
        }),
    }
    next
}

/// The contact that holds `mailbox` as a pairwise mailbox (current or
/// retired), if any (SPEC.md section 15.2, step R0).
pub fn mailbox_owner(account: &Account, mailbox: &[u8; 16]) -> Option<usize> {
    let mut found = None;
    for c in 0..account.contacts.len() {
        for i in 0..account.contacts[c].mailboxes.len() {
            if found.is_none() && account.contacts[c].mailboxes[i] == *mailbox {
                found = Some(c);
            }
        }
    }
    found
}

/// Whether `mailbox` is the account's published mailbox or a pairwise
/// mailbox it holds (SPEC.md section 12.1, offering a mailbox).
pub fn holds_mailbox(account: &Account, mailbox: &[u8; 16]) -> bool {
    account.mailbox == *mailbox || mailbox_owner(account, mailbox).is_some()
}

/// Starts a session as the initiator with the bundle the directory returned
/// for `peer` (SPEC.md sections 8 and 15.1; REQ-PEER-002). Section 8's
/// checks come first (`InvalidHandle`, `InvalidSignature`, `InvalidKey`,
/// `NonContributory`); then, if `peer` is pinned to another identity than
/// the bundle's, `IdentityChanged`. The new session becomes the contact's
/// current one; a first contact pins the bundle's identity.
pub fn start(
    account: &Account,
    peer: &Handle,
    peer_bundle: &Bundle,
    ek_secret: &[u8; 32],
    kem_m: &[u8; 32],
    ratchet_secret: &[u8; 32],
) -> Result<Account, Error> {
    let fresh = session::start(
        &account.identity,
        peer,
        peer_bundle,
        ek_secret,
        kem_m,
        ratchet_secret,
    )?;
    let index = find_contact(account, peer);
    let sessions = match index {
        Some(i) => {
            if !same_peer(&account.contacts[i].identity, &peer_bundle.identity) {
                return Err(Error::IdentityChanged);
            }
            insert_session(&account.contacts[i].sessions, 0, &fresh)
        }
        None => vec![fresh],
    };
    Ok(with_contact(
        account,
        index,
        &peer_bundle.identity,
        &sessions,
    ))
}

/// Sends `content` to the contact `peer` with the contact's current
/// session (SPEC.md sections 12.1 and 15.1, REQ-MAILBOX-003,
/// REQ-CONTENT-002): a mailbox update is `Malformed` (it is sent by
/// [`offer_mailbox`]), and so is a content that cannot be encoded (section
/// 11, [`content::pre_encode`]); no contact, or a contact without a
/// session, is `UnknownSession`. The message goes in a
/// light envelope to the session's peer mailbox if it has one and is past
/// its prekey phase, else sealed to `peer_mailbox`, the peer's published
/// mailbox. Returns the mailbox to post to and the envelope.
pub fn send(
    account: &Account,
    peer: &Handle,
    content: &Content,
    peer_mailbox: &[u8; 16],
    r: &[u8; 24],
    r_env: &[u8; 32],
) -> Result<(Account, [u8; 16], Vec<u8>), Error> {
    if let Content::MailboxUpdate { .. } = content {
        return Err(Error::Malformed);
    }
    if !content::pre_encode(content) {
        return Err(Error::Malformed);
    }
    send_content(account, peer, content, peer_mailbox, r, r_env)
}

/// The index of `peer`'s contact if it has a current session, else
/// `UnknownSession` (SPEC.md section 15.1, sending).
fn sending_contact(account: &Account, peer: &Handle) -> Result<usize, Error> {
    match find_contact(account, peer) {
        Some(i) if !account.contacts[i].sessions.is_empty() => Ok(i),
        _ => Err(Error::UnknownSession),
    }
}

/// [`send`] without the check on the content's type.
fn send_content(
    account: &Account,
    peer: &Handle,
    content: &Content,
    peer_mailbox: &[u8; 16],
    r: &[u8; 24],
    r_env: &[u8; 32],
) -> Result<(Account, [u8; 16], Vec<u8>), Error> {
    let index = sending_contact(account, peer)?;
    let contact = &account.contacts[index];
    let (next_session, to, envelope) = session::send(
        &account.identity,
        &contact.sessions[0],
        content,
        peer_mailbox,
        r,
        r_env,
    )?;
    let sessions = promote(&contact.sessions, 0, &next_session);
    Ok((
        with_contact(account, Some(index), &contact.identity, &sessions),
        to,
        envelope,
    ))
}

/// Offers the contact `peer` a new pairwise mailbox `mailbox` (SPEC.md
/// section 12.1, REQ-MAILBOX-001): `UnknownSession` as for [`send`];
/// `Malformed` if `mailbox` is already held by the account (published or
/// pairwise, any contact) or the contact's serial is `2^32 - 1`; then the
/// mailbox update `(serial + 1, mailbox)` is sent as [`send`] sends a
/// content. Only once it is sent does `mailbox` become the contact's
/// current pairwise mailbox, the previous ones being retired and the
/// oldest beyond `MAX_RETIRED_MAILBOXES` deleted.
pub fn offer_mailbox(
    account: &Account,
    peer: &Handle,
    mailbox: &[u8; 16],
    peer_mailbox: &[u8; 16],
    r: &[u8; 24],
    r_env: &[u8; 32],
) -> Result<(Account, [u8; 16], Vec<u8>), Error> {
    let index = sending_contact(account, peer)?;
    let serial = account.contacts[index].serial;
    if holds_mailbox(account, mailbox) || serial == u32::MAX {
        return Err(Error::Malformed);
    }
    let update = Content::MailboxUpdate {
        serial: serial + 1,
        mailbox: *mailbox,
    };
    let (mut next, to, envelope) = send_content(account, peer, &update, peer_mailbox, r, r_env)?;
    let old = &account.contacts[index].mailboxes;
    let mut mailboxes = vec![*mailbox];
    for i in 0..old.len() {
        if i < MAX_RETIRED_MAILBOXES {
            mailboxes.push(old[i]);
        }
    }
    next.contacts[index].mailboxes = mailboxes;
    next.contacts[index].serial = serial + 1;
    Ok((next, to, envelope))
}

/// Resends a light envelope that the relay refused (its mailbox is gone)
/// sealed to the contact's published mailbox `peer_mailbox` (SPEC.md
/// section 12.1, REQ-MAILBOX-004): `Malformed` if `light` does not decode
/// as a light envelope, `UnknownSession` if there is no contact for
/// `peer`, then section 12's sealing errors. The same bytes become the
/// sealed envelope's payload, and every session of the contact forgets
/// that pairwise mailbox, so later messages go sealed until the peer offers
/// a new one.
pub fn resend_sealed(
    account: &Account,
    peer: &Handle,
    light: &[u8],
    peer_mailbox: &[u8; 16],
    r_env: &[u8; 32],
) -> Result<(Account, [u8; 16], Vec<u8>), Error> {
    let gone = mailbox::decode_light(light)?;
    let index = match find_contact(account, peer) {
        Some(i) => i,
        None => return Err(Error::UnknownSession),
    };
    let contact = &account.contacts[index];
    let sealed = envelope::seal(
        &account.identity,
        &contact.identity.dh_pub,
        peer_mailbox,
        light,
        r_env,
    )?;
    let mut sessions = Vec::new();
    for i in 0..contact.sessions.len() {
        let mut s = contact.sessions[i].clone();
        if s.peer_mailbox == Some(gone) {
            s.peer_mailbox = None;
        }
        sessions.push(s);
    }
    Ok((
        with_contact(account, Some(index), &contact.identity, &sessions),
        *peer_mailbox,
        sealed,
    ))
}

/// Re-pins the handle of `identity` to it (SPEC.md section 15.1,
/// REQ-PEER-002): the application's explicit decision after an
/// `IdentityChanged`. The binding must verify (`InvalidSignature`). The
/// contact's sessions and pairwise mailboxes, which belong to the old
/// identity, are deleted; a handle not yet pinned is pinned.
pub fn accept_identity(account: &Account, offered: &IdentityPublic) -> Result<Account, Error> {
    identity::verify(offered)?;
    let index = find_contact(account, &offered.handle);
    let mut next = with_contact(account, index, offered, &[]);
    if let Some(i) = index {
        next.contacts[i].mailboxes = Vec::new();
        next.contacts[i].serial = 0;
    }
    Ok(next)
}

/// Rotates the signed prekey (SPEC.md section 16; REQ-PREKEY-001,
/// REQ-HS-006): the store rotates, and the records of handshakes that named
/// a signed prekey the store no longer holds are deleted with it. A replay
/// of such a handshake now fails with `UnknownPrekey` before anything
/// changes, so no record that could still matter is ever dropped.
pub fn rotate_signed_prekey(account: &Account, spk_secret: &[u8; 32]) -> Account {
    let store = bundle::rotate_spk(&account.store, spk_secret);
    let mut handshakes = Vec::new();
    for i in 0..account.handshakes.len() {
        if bundle::holds_spk(&store, account.handshakes[i].spk_id) {
            handshakes.push(account.handshakes[i]);
        }
    }
    let mut next = account.clone();
    next.store = store;
    next.handshakes = handshakes;
    next
}

/// Whether a handshake with this `spk_id` and `ek` was accepted before
/// (SPEC.md section 15.3, REQ-HS-006).
pub fn recorded(account: &Account, spk_id: u32, ek: &[u8; 32]) -> bool {
    let mut found = false;
    for i in 0..account.handshakes.len() {
        if account.handshakes[i].spk_id == spk_id && account.handshakes[i].ek == *ek {
            found = true;
        }
    }
    found
}

/// How many handshakes are recorded for `spk_id` (SPEC.md section 16).
pub fn records_for(account: &Account, spk_id: u32) -> usize {
    let mut n = 0;
    for i in 0..account.handshakes.len() {
        if account.handshakes[i].spk_id == spk_id {
            n += 1;
        }
    }
    n
}

/// Where a new responder session goes among the contact's sessions
/// (SPEC.md section 15.4, REQ-ROUTE-004): in front (it becomes current),
/// unless this is a simultaneous initiation that the current session wins:
/// the current session is ours as initiator, still in its prekey phase,
/// and its `EK` is smaller (byte order) than the new one's. Then the new
/// session goes right behind it. Both sides apply the rule to the same two
/// `EK`s, so both keep the pair from the smaller `EK`.
pub fn responder_slot(sessions: &[Session], new_ek: &[u8; 32]) -> usize {
    if !sessions.is_empty() && sessions[0].pending.is_some() && bytes_less(&sessions[0].ek, new_ek)
    {
        1
    } else {
        0
    }
}

/// `a < b` in byte order (SPEC.md section 2).
fn bytes_less(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut decided = false;
    let mut less = false;
    for i in 0..32 {
        if !decided && a[i] != b[i] {
            decided = true;
            less = a[i] < b[i];
        }
    }
    less
}

/// The index of the first of `sessions` (current first, then previous,
/// newest first) that recognizes `enc_header` (SPEC.md section 15.2, step
/// R4; REQ-ROUTE-002).
fn route_ratchet(sessions: &[Session], enc_header: &[u8]) -> Option<usize> {
    let mut found = None;
    for i in 0..sessions.len() {
        if found.is_none() && session::recognizes(&sessions[i], enc_header) {
            found = Some(i);
        }
    }
    found
}

/// The index of the session whose `EK` is `ek`, if any (SPEC.md section
/// 15.2, step P2; REQ-ROUTE-003).
fn route_prekey(sessions: &[Session], ek: &[u8; 32]) -> Option<usize> {
    let mut found = None;
    for i in 0..sessions.len() {
        if found.is_none() && sessions[i].ek == *ek {
            found = Some(i);
        }
    }
    found
}

/// Receives one envelope at `mailbox` (SPEC.md sections 12.1 and 15.2;
/// REQ-ENV-004, REQ-PEER-002, REQ-ROUTE-001, REQ-ROUTE-002, REQ-ROUTE-003,
/// REQ-ROUTE-004, REQ-HS-006, REQ-MAILBOX-001, REQ-MAILBOX-002,
/// REQ-SESSION-001, REQ-SESSION-002), with `ratchet_secret` the 32 fresh
/// random bytes of a DH ratchet step. The mailbox selects the path (R0):
/// the published mailbox takes a sealed envelope (R1-R5, P1-P6), a
/// pairwise mailbox a light envelope from its contact (L1-L4), any other
/// mailbox is `WrongRecipient`. The checks run in the order of section
/// 15.2 and the first failure is returned; on any error, and on
/// `IdentityChanged`, the account is unchanged.
pub fn receive(
    account: &Account,
    mailbox: &[u8; 16],
    envelope: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<(Account, Receipt), Error> {
    if *mailbox == account.mailbox {
        receive_sealed(account, envelope, ratchet_secret)
    } else {
        match mailbox_owner(account, mailbox) {
            Some(c) => receive_light(account, c, mailbox, envelope, ratchet_secret),
            None => Err(Error::WrongRecipient),
        }
    }
}

/// Steps L1-L4 of SPEC.md section 15.2: a light envelope at a pairwise
/// mailbox of contact `c`.
fn receive_light(
    account: &Account,
    c: usize,
    mailbox: &[u8; 16],
    light: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<(Account, Receipt), Error> {
    // L1, L2: strict decoding, then the mailbox it names.
    if mailbox::decode_light(light)? != *mailbox {
        return Err(Error::WrongRecipient);
    }
    // L3, L4: as R4 and R5 within the contact.
    let pinned = account.contacts[c].identity.clone();
    decrypt_in_contact(account, c, &pinned, light, LIGHT_PREFIX_LEN, ratchet_secret)
}

/// Steps R1-R3 of SPEC.md section 15.2: a sealed envelope at the published
/// mailbox.
fn receive_sealed(
    account: &Account,
    sealed: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<(Account, Receipt), Error> {
    // R1: open once; the sender's binding is verified inside.
    let (sender, message) = envelope::open(&account.identity, &account.mailbox, sealed)?;
    // R2: the pin, before the payload is even looked at.
    let index = find_contact(account, &sender.handle);
    if let Some(i) = index {
        if !same_peer(&account.contacts[i].identity, &sender) {
            return Ok((
                account.clone(),
                Receipt::IdentityChanged {
                    pinned: account.contacts[i].identity.clone(),
                    offered: sender,
                },
            ));
        }
    }
    // R3: the message's version and type.
    let kind = session::message_type(&message)?;
    if kind == MSG_PREKEY {
        receive_prekey(account, index, &sender, &message, ratchet_secret)
    } else {
        receive_ratchet(account, index, &sender, &message, kind, ratchet_secret)
    }
}

/// Unpads and decodes a decrypted plaintext (SPEC.md sections 10, 11).
fn open_content(padded: &[u8]) -> Result<Content, Error> {
    content::decode(&padding::unpad(padded)?)
}

/// Steps R4-R5 of SPEC.md section 15.2: a ratchet message (type `0x02`)
/// or a light envelope resent sealed (type `0x03`, section 12.1).
fn receive_ratchet(
    account: &Account,
    index: Option<usize>,
    sender: &IdentityPublic,
    message: &[u8],
    kind: u8,
    ratchet_secret: &[u8; 32],
) -> Result<(Account, Receipt), Error> {
    let prefix_len = if kind == MSG_LIGHT {
        mailbox::decode_light(message)?;
        LIGHT_PREFIX_LEN
    } else {
        if message.len() < 2 + ENC_HEADER_LEN + TAG_LEN {
            return Err(Error::Malformed);
        }
        2
    };
    let c = match index {
        Some(c) => c,
        None => return Err(Error::UnknownSession),
    };
    decrypt_in_contact(account, c, sender, message, prefix_len, ratchet_secret)
}

/// Steps R4-R5 (and L3-L4) of SPEC.md section 15.2 within contact `c`: the
/// first session that recognizes the header after the `prefix_len`-byte
/// prefix decrypts; on success a mailbox update is taken (section 12.1)
/// and the session becomes current.
fn decrypt_in_contact(
    account: &Account,
    c: usize,
    sender: &IdentityPublic,
    message: &[u8],
    prefix_len: usize,
    ratchet_secret: &[u8; 32],
) -> Result<(Account, Receipt), Error> {
    let sessions = &account.contacts[c].sessions;
    if sessions.is_empty() {
        return Err(Error::UnknownSession);
    }
    let s = match route_ratchet(sessions, &message[prefix_len..prefix_len + ENC_HEADER_LEN]) {
        Some(s) => s,
        None => return Err(Error::AuthenticationFailed),
    };
    let (decrypted, padded) = session::decrypt(&sessions[s], message, ratchet_secret)?;
    let content = open_content(&padded)?;
    let next_session = session::take_update(&decrypted, &content);
    let next_sessions = promote(sessions, s, &next_session);
    let pinned = account.contacts[c].identity.clone();
    Ok((
        with_contact(account, Some(c), &pinned, &next_sessions),
        Receipt::Message(Received {
            sender: sender.clone(),
            content,
            new_contact: false,
            new_session: false,
        }),
    ))
}

/// Steps P1-P6 of SPEC.md section 15.2: a prekey message. A further
/// prekey message of a held session makes it current while the current
/// session is still pending (P2, REQ-ROUTE-005).
fn receive_prekey(
    account: &Account,
    index: Option<usize>,
    sender: &IdentityPublic,
    message: &[u8],
    ratchet_secret: &[u8; 32],
) -> Result<(Account, Receipt), Error> {
    // P1: strict decoding, then the envelope's sender is the initiator.
    let (header, _) = handshake::decode_prekey_message(message)?;
    if !same_peer(&header.initiator, sender) {
        return Err(Error::AuthenticationFailed);
    }
    let (pinned, sessions) = match index {
        Some(c) => (
            account.contacts[c].identity.clone(),
            account.contacts[c].sessions.clone(),
        ),
        None => (sender.clone(), Vec::new()),
    };
    // P2: a further prekey message of a session we hold. It becomes
    // current if the current session is still in its prekey phase (never
    // confirmed by the peer), else it is updated in place (REQ-ROUTE-005).
    if let Some(s) = route_prekey(&sessions, &header.ek) {
        let (decrypted, padded) = session::decrypt(&sessions[s], message, ratchet_secret)?;
        let content = open_content(&padded)?;
        let updated = session::take_update(&decrypted, &content);
        let next_sessions = if sessions[0].pending.is_some() {
            promote(&sessions, s, &updated)
        } else {
            let mut next = sessions.clone();
            next[s] = updated;
            next
        };
        return Ok((
            with_contact(account, index, &pinned, &next_sessions),
            Receipt::Message(Received {
                sender: sender.clone(),
                content,
                new_contact: false,
                new_session: false,
            }),
        ));
    }
    // P3: a handshake accepted before whose session is gone.
    if recorded(account, header.spk_id, &header.ek) {
        return Err(Error::Replay);
    }
    // P4: the signed prekey's record set is full.
    if records_for(account, header.spk_id) >= MAX_HANDSHAKES_PER_SIGNED_PREKEY {
        return Err(Error::UnknownPrekey);
    }
    // P5: the responder side of section 8.
    let (fresh, store, padded) =
        session::accept(&account.identity, &account.store, message, ratchet_secret)?;
    let content = open_content(&padded)?;
    // P6: commit.
    let fresh = session::take_update(&fresh, &content);
    let slot = responder_slot(&sessions, &header.ek);
    let next_sessions = insert_session(&sessions, slot, &fresh);
    let mut next = with_contact(account, index, &pinned, &next_sessions);
    next.store = store;
    next.handshakes.push(HandshakeRecord {
        spk_id: header.spk_id,
        ek: header.ek,
    });
    Ok((
        next,
        Receipt::Message(Received {
            sender: sender.clone(),
            content,
            new_contact: index.is_none(),
            new_session: true,
        }),
    ))
}
