//! The account: one party's whole protocol state and the receive routing
//! (SPEC.md sections 15 and 16), mirroring `xchat_spec::account` byte for
//! byte and error for error.
//!
//! An [`Account`] owns the identity, the prekey store, the contacts (a
//! handle pinned to an identity on first contact, with its current and
//! previous sessions) and the records of the handshakes it accepted.
//!
//! * [`Account::start`] starts a session from a verified bundle; a handle
//!   pinned to another identity is [`Error::IdentityChanged`].
//! * [`Account::send`] sends with the contact's current session: in a light
//!   envelope to the peer's pairwise mailbox once the session knows it
//!   (SPEC.md section 12.1), sealed to the peer's published mailbox before.
//! * [`Account::offer_mailbox`] gives a contact a fresh pairwise mailbox;
//!   [`Account::resend_sealed`] resends a light envelope whose mailbox the
//!   relay reports gone.
//! * [`Account::receive`] routes by the mailbox it arrived at: a pairwise
//!   mailbox names its contact (one hash lookup); at the published mailbox
//!   the envelope is opened once and the sender's identity names the
//!   contact. Within the contact the header key (ratchet message, light
//!   envelope) or `EK` (prekey message) selects the session: never by
//!   trying sessions of other contacts. An envelope from an identity that claims a pinned handle
//!   with other keys yields [`Receipt::IdentityChanged`] and changes
//!   nothing; only [`Account::accept_identity`] re-pins.
//!
//! Every operation is **transactional**: on any error (and on
//! `IdentityChanged`) the account is exactly as before (SPEC.md
//! REQ-SESSION-002).
//!
//! # Randomness (the spec's explicit inputs, in this order)
//!
//! | operation | draws | spec input (`xchat_spec::account`) |
//! |---|---|---|
//! | [`Account::start`] | 32, 32, 32 | `ek_secret`, `kem_m`, `ratchet_secret` of `start` |
//! | [`Account::send`] | 24, then 32 | `r`, `r_env` of `send` (the 32 only once encryption succeeded, and only for a sealed envelope) |
//! | [`Account::offer_mailbox`] | 16, 24, then 32 | `mailbox`, `r`, `r_env` of `offer_mailbox` (as `send`) |
//! | [`Account::resend_sealed`] | 32 | `r_env` of `resend_sealed` (after the light envelope decoded and the contact was found) |
//! | [`Account::receive`] | 32 | `ratchet_secret` of `receive` (always drawn first; used only by a DH ratchet step) |
//! | [`Account::rotate_signed_prekey`] | 32 | `spk_secret` of `rotate_signed_prekey` |

use std::collections::HashMap;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::bundle::{PrekeyStore, VerifiedBundle, MAX_RETIRED_SIGNED_PREKEYS};
use crate::content::Content;
use crate::crypto::random_array;
use crate::encoding::Reader;
use crate::envelope;
use crate::error::{ImportError, ReceiveError, SendError, StartError};
use crate::handle::Handle;
use crate::handshake::{self, PrekeyHeader, PREKEY_PREFIX};
use crate::identity::{self, IdentityPublic, IdentitySecret, IDENTITY_LEN, IDENTITY_SECRET_LEN};
use crate::mailbox::{self, MAX_RETIRED_MAILBOXES, MSG_LIGHT};
use crate::ratchet::{ENC_HEADER_LEN, MSG_PREKEY, TAG_LEN};
use crate::session::{message_type, open_padded, Session, RATCHET_PREFIX};
use crate::Error;

/// How many previous sessions a contact keeps besides its current one
/// (SPEC.md section 16).
pub const MAX_PREVIOUS_SESSIONS: usize = 4;

/// How many accepted handshakes are recorded per signed prekey (SPEC.md
/// section 16, REQ-HS-006).
pub const MAX_HANDSHAKES_PER_SIGNED_PREKEY: usize = 4096;

/// A handle pinned to an identity, with its sessions (SPEC.md section 15.1).
/// `Debug` shows the pinned handle, the sessions and the mailboxes, never
/// the cached `DHs`.
#[derive(Clone)]
pub struct Contact {
    identity: IdentityPublic,
    /// Current first, then previous ones, newest first.
    sessions: Vec<Session>,
    /// Our pairwise mailboxes for this contact, current first, then at
    /// most `MAX_RETIRED_MAILBOXES` retired (SPEC.md section 12.1).
    mailboxes: Vec<[u8; 16]>,
    /// The serial of our last mailbox update to this contact.
    serial: u32,
    /// The fast path of sealed envelopes (SPEC.md section 12): the pinned
    /// identity's exact `EncIdentity` once an envelope from it opened (its
    /// binding verified), and `DHs = DH(IKdh_self, IKdh_pinned)`, which
    /// sealing and opening share. Derived data, never protocol state: a
    /// function of the pinned identity and our secret, dropped with the
    /// pin.
    verified: Option<Vec<u8>>,
    static_dh: Option<Zeroizing<[u8; 32]>>,
}

impl Contact {
    /// The pinned identity; its handle is the contact's handle.
    pub fn identity(&self) -> &IdentityPublic {
        &self.identity
    }

    /// The current session, then the previous ones, newest first.
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// The current session, if any.
    pub fn current(&self) -> Option<&Session> {
        self.sessions.first()
    }

    /// Our pairwise mailboxes for this contact, current first, then the
    /// retired ones still receiving (SPEC.md section 12.1). The application
    /// subscribes to these at the relay and deletes any that leaves this
    /// list.
    pub fn mailboxes(&self) -> &[[u8; 16]] {
        &self.mailboxes
    }

    /// A contact without sessions or mailboxes.
    fn pinned(identity: IdentityPublic) -> Contact {
        Contact {
            identity,
            sessions: Vec::new(),
            mailboxes: Vec::new(),
            serial: 0,
            verified: None,
            static_dh: None,
        }
    }
}

impl core::fmt::Debug for Contact {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Contact")
            .field("handle", &self.identity.handle)
            .field("sessions", &self.sessions)
            .field("mailboxes", &self.mailboxes)
            .field("serial", &self.serial)
            .field("verified", &self.verified.is_some())
            .finish_non_exhaustive()
    }
}

/// An envelope to post: the mailbox it goes to and its bytes (SPEC.md
/// sections 12 and 12.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The mailbox to post to: the peer's published mailbox for a sealed
    /// envelope, its pairwise mailbox for a light one.
    pub mailbox: [u8; 16],
    /// The envelope.
    pub envelope: Vec<u8>,
}

/// An accepted handshake: the signed prekey id it named and its `EK`
/// (SPEC.md section 15.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct HandshakeRecord {
    spk_id: u32,
    ek: [u8; 32],
}

/// A successfully received message (SPEC.md section 15.2).
#[derive(Debug)]
pub struct Received {
    /// The authenticated sender, the identity pinned for its handle.
    pub sender: IdentityPublic,
    /// The decrypted content.
    pub content: Content,
    /// The message made a new contact (the sender is now pinned).
    pub new_contact: bool,
    /// The message started a new session with the contact.
    pub new_session: bool,
}

/// What [`Account::receive`] yields (SPEC.md section 15.2).
#[derive(Debug)]
pub enum Receipt {
    /// A message was accepted.
    Message(Received),
    /// An identity other than the pinned one claims the handle. Nothing
    /// changed; show both safety numbers and let the user decide
    /// ([`Account::accept_identity`]).
    IdentityChanged {
        /// The identity pinned for the handle.
        pinned: IdentityPublic,
        /// The identity that sealed the envelope (binding verified).
        offered: IdentityPublic,
    },
}

/// One party's protocol state (SPEC.md section 15.1).
#[derive(Clone, Debug)]
pub struct Account {
    identity: IdentitySecret,
    store: PrekeyStore,
    /// The published mailbox (SPEC.md section 12.1).
    mailbox: [u8; 16],
    contacts: Vec<Contact>,
    handshakes: Vec<HandshakeRecord>,
    /// Every pairwise mailbox held, to its contact's index (contacts are
    /// never removed, so indices are stable): routing at a pairwise mailbox
    /// is one lookup (SPEC.md section 15.2, R0). Never iterated, so its
    /// hasher's random seed cannot show in any output.
    routes: HashMap<[u8; 16], usize>,
}

/// Peer equality (SPEC.md REQ-PEER-001): handle, Ed25519 key and X25519 key
/// equal; the binding is not compared.
pub fn same_peer(a: &IdentityPublic, b: &IdentityPublic) -> bool {
    a.handle == b.handle && a.sig_pub == b.sig_pub && a.dh_pub == b.dh_pub
}

/// Where a new responder session goes (SPEC.md section 15.4,
/// REQ-ROUTE-004): behind the current session if that is our own initiator
/// session, still pending, with the smaller `EK`; in front otherwise.
fn responder_slot(sessions: &[Session], new_ek: &[u8; 32]) -> usize {
    match sessions.first() {
        Some(current) if current.in_prekey_phase() && current.ek() < new_ek => 1,
        _ => 0,
    }
}

/// Inserts `session` at `at` and drops the oldest beyond the bound (SPEC.md
/// section 16).
fn insert_session(sessions: &mut Vec<Session>, at: usize, session: Session) {
    sessions.insert(at.min(sessions.len()), session);
    sessions.truncate(1 + MAX_PREVIOUS_SESSIONS);
}

impl Account {
    /// A fresh account with its published mailbox and no contacts (SPEC.md
    /// section 15.1).
    pub fn new(identity: IdentitySecret, store: PrekeyStore, mailbox: [u8; 16]) -> Account {
        Account {
            identity,
            store,
            mailbox,
            contacts: Vec::new(),
            handshakes: Vec::new(),
            routes: HashMap::new(),
        }
    }

    /// The published mailbox, where sealed envelopes arrive.
    pub fn mailbox(&self) -> &[u8; 16] {
        &self.mailbox
    }

    /// The account's identity.
    pub fn identity(&self) -> &IdentitySecret {
        &self.identity
    }

    /// The prekey store.
    pub fn store(&self) -> &PrekeyStore {
        &self.store
    }

    /// The prekey store, to add one-time and PQ prekeys. Rotate the signed
    /// prekey with [`Account::rotate_signed_prekey`], which also drops the
    /// handshake records that go with it.
    pub fn store_mut(&mut self) -> &mut PrekeyStore {
        &mut self.store
    }

    /// The contacts, in the order they were made.
    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }

    /// The contact pinned for `handle`, if any.
    pub fn contact(&self, handle: &Handle) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.identity.handle == *handle)
    }

    fn contact_index(&self, handle: &Handle) -> Option<usize> {
        self.contacts
            .iter()
            .position(|c| c.identity.handle == *handle)
    }

    /// How many accepted handshakes are recorded (SPEC.md section 15.3).
    pub fn handshake_records(&self) -> usize {
        self.handshakes.len()
    }

    /// Starts a session as the initiator with the verified bundle the
    /// directory returned for `peer` (SPEC.md sections 8 and 15.1):
    /// `InvalidHandle` if it is another handle's, `NonContributory` for an
    /// all-zero DH output, then `IdentityChanged` if `peer` is pinned to
    /// another identity. The new session becomes current.
    ///
    /// Randomness: `ek_secret`, `kem_m`, `ratchet_secret` (32 bytes each).
    pub fn start<R: CryptoRng + ?Sized>(
        &mut self,
        peer: &Handle,
        bundle: &VerifiedBundle,
        rng: &mut R,
    ) -> Result<(), StartError> {
        let ek_secret = random_array::<32, R>(rng);
        let kem_m = random_array::<32, R>(rng);
        let ratchet_secret = random_array::<32, R>(rng);
        self.start_with(peer, bundle, &ek_secret, &kem_m, &ratchet_secret)
    }

    /// [`Account::start`] with explicit randomness (the spec's
    /// `account::start`).
    pub fn start_with(
        &mut self,
        peer: &Handle,
        bundle: &VerifiedBundle,
        ek_secret: &[u8; 32],
        kem_m: &[u8; 32],
        ratchet_secret: &[u8; 32],
    ) -> Result<(), StartError> {
        let fresh = Session::initiate_with(
            &self.identity,
            peer,
            bundle,
            ek_secret,
            kem_m,
            ratchet_secret,
        )
        .map_err(|kind| match kind {
            Error::InvalidHandle => StartError::WrongHandle,
            kind => StartError::Bundle { kind },
        })?;
        let offered = &bundle.bundle().identity;
        match self
            .contact_index(peer)
            .and_then(|i| self.contacts.get_mut(i))
        {
            Some(contact) => {
                if !same_peer(&contact.identity, offered) {
                    return Err(StartError::IdentityChanged {
                        pinned: Box::new(contact.identity.clone()),
                        offered: Box::new(offered.clone()),
                    });
                }
                insert_session(&mut contact.sessions, 0, fresh);
            }
            None => {
                let mut contact = Contact::pinned(offered.clone());
                contact.sessions.push(fresh);
                self.contacts.push(contact);
            }
        }
        Ok(())
    }

    /// Sends `content` to the contact `peer` with the current session
    /// (SPEC.md sections 12.1 and 15.1, REQ-MAILBOX-003, REQ-CONTENT-002): a
    /// mailbox update, or a text longer than `MAX_TEXT_LEN`, is `Malformed`
    /// (use [`Account::offer_mailbox`] for the first); `UnknownSession`
    /// without a contact or session; then the ratchet's errors. A light
    /// envelope to the peer's pairwise mailbox once the session knows it,
    /// else sealed to `peer_mailbox`, the peer's published mailbox.
    ///
    /// Randomness: the header nonce (24 bytes), then, for a sealed
    /// envelope, its ephemeral (32 bytes) once encryption succeeded.
    pub fn send<R: CryptoRng + ?Sized>(
        &mut self,
        peer: &Handle,
        content: &Content,
        peer_mailbox: &[u8; 16],
        rng: &mut R,
    ) -> Result<Outgoing, SendError> {
        if let Content::MailboxUpdate { .. } = content {
            return Err(SendError::InvalidContent);
        }
        if !crate::content::pre_encode(content) {
            return Err(SendError::InvalidContent);
        }
        let i = self.sending_contact(peer)?;
        self.send_in(i, content, peer_mailbox, rng)
    }

    /// The index of `peer`'s contact if it has a session, else
    /// `UnknownSession`.
    fn sending_contact(&self, peer: &Handle) -> Result<usize, SendError> {
        self.contact_index(peer)
            .filter(|&i| self.contacts.get(i).is_some_and(|c| !c.sessions.is_empty()))
            .ok_or(SendError::NoSession { peer: *peer })
    }

    /// Sends `content` with contact `i`'s current session.
    fn send_in<R: CryptoRng + ?Sized>(
        &mut self,
        i: usize,
        content: &Content,
        peer_mailbox: &[u8; 16],
        rng: &mut R,
    ) -> Result<Outgoing, SendError> {
        let identity = &self.identity;
        // `i` came from `sending_contact`: the contact exists and has a
        // session.
        let contact = self.contacts.get_mut(i).ok_or(SendError::NoSendingChain)?;
        let session = contact
            .sessions
            .first_mut()
            .ok_or(SendError::NoSendingChain)?;
        let (mailbox, envelope) = session
            .send_with(identity, content, peer_mailbox, &mut contact.static_dh, rng)
            .map_err(SendError::from_layer)?;
        Ok(Outgoing { mailbox, envelope })
    }

    /// Offers the contact `peer` a fresh pairwise mailbox (SPEC.md section
    /// 12.1, REQ-MAILBOX-001): sends the mailbox update as [`Account::send`]
    /// sends a content and, once it is sent, makes the mailbox the
    /// contact's current one (the oldest beyond `MAX_RETIRED_MAILBOXES`
    /// retired ones is deleted: the application deletes it at the relay).
    ///
    /// Randomness: the mailbox id (16 bytes), then as [`Account::send`].
    pub fn offer_mailbox<R: CryptoRng + ?Sized>(
        &mut self,
        peer: &Handle,
        peer_mailbox: &[u8; 16],
        rng: &mut R,
    ) -> Result<Outgoing, SendError> {
        let mailbox = random_array::<16, R>(rng);
        self.offer_mailbox_with(peer, &mailbox, peer_mailbox, rng)
    }

    /// [`Account::offer_mailbox`] with the mailbox id given (the spec's
    /// `offer_mailbox`): `UnknownSession` as for [`Account::send`];
    /// `Malformed` if the id is already held (published or pairwise) or the
    /// contact's serial is `2^32 - 1`; then the errors of sending.
    pub fn offer_mailbox_with<R: CryptoRng + ?Sized>(
        &mut self,
        peer: &Handle,
        mailbox: &[u8; 16],
        peer_mailbox: &[u8; 16],
        rng: &mut R,
    ) -> Result<Outgoing, SendError> {
        let i = self.sending_contact(peer)?;
        let serial = self.contacts.get(i).map_or(u32::MAX, |c| c.serial);
        if *mailbox == self.mailbox || self.routes.contains_key(mailbox) || serial == u32::MAX {
            return Err(SendError::MailboxUnusable);
        }
        let update = Content::MailboxUpdate {
            serial: serial + 1,
            mailbox: *mailbox,
        };
        let out = self.send_in(i, &update, peer_mailbox, rng)?;
        if let Some(contact) = self.contacts.get_mut(i) {
            contact.mailboxes.insert(0, *mailbox);
            let held = contact.mailboxes.len().min(1 + MAX_RETIRED_MAILBOXES);
            for gone in contact.mailboxes.drain(held..) {
                self.routes.remove(&gone);
            }
            contact.serial = serial + 1;
            self.routes.insert(*mailbox, i);
        }
        Ok(out)
    }

    /// Resends a light envelope the relay refused as gone, sealed to the
    /// contact's published mailbox `peer_mailbox` (SPEC.md section 12.1,
    /// REQ-MAILBOX-004): `Malformed` if `light` is not a light envelope,
    /// `UnknownSession` without a contact, then the envelope's errors. The
    /// contact's sessions forget that pairwise mailbox, so later messages
    /// go sealed until the peer offers another.
    ///
    /// Randomness: the envelope's ephemeral (32 bytes).
    pub fn resend_sealed<R: CryptoRng + ?Sized>(
        &mut self,
        peer: &Handle,
        light: &[u8],
        peer_mailbox: &[u8; 16],
        rng: &mut R,
    ) -> Result<Outgoing, SendError> {
        let gone = mailbox::decode_light(light)
            .map_err(|_| SendError::NotLight)?
            .mailbox;
        let no_session = SendError::NoSession { peer: *peer };
        let i = self.contact_index(peer).ok_or(no_session.clone())?;
        let contact = self.contacts.get_mut(i).ok_or(no_session.clone())?;
        let envelope = envelope::seal_with(
            &self.identity,
            &contact.identity.dh_pub,
            peer_mailbox,
            light,
            &mut contact.static_dh,
            rng,
        )
        .map_err(SendError::from_layer)?;
        for s in &mut contact.sessions {
            s.forget_peer_mailbox(&gone);
        }
        Ok(Outgoing {
            mailbox: *peer_mailbox,
            envelope,
        })
    }

    /// Pins `offered`'s handle to it (SPEC.md REQ-PEER-002): the
    /// application's decision after [`Receipt::IdentityChanged`]. Its
    /// binding must verify (`InvalidSignature`); the contact's old sessions
    /// and pairwise mailboxes are deleted.
    pub fn accept_identity(&mut self, offered: &IdentityPublic) -> Result<(), Error> {
        identity::verify(offered)?;
        let contact = Contact::pinned(offered.clone());
        match self.contact_index(&offered.handle) {
            Some(i) => {
                if let Some(c) = self.contacts.get_mut(i) {
                    for m in &c.mailboxes {
                        self.routes.remove(m);
                    }
                    *c = contact;
                }
            }
            None => self.contacts.push(contact),
        }
        Ok(())
    }

    /// Rotates the signed prekey (SPEC.md section 16, REQ-PREKEY-001) and
    /// deletes the handshake records of signed prekeys no longer held
    /// (REQ-HS-006).
    ///
    /// Randomness: the new signed prekey's secret (32 bytes).
    pub fn rotate_signed_prekey<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) {
        let secret = random_array::<32, R>(rng);
        self.rotate_signed_prekey_with(&secret);
    }

    /// [`Account::rotate_signed_prekey`] with an explicit secret.
    pub fn rotate_signed_prekey_with(&mut self, spk_secret: &[u8; 32]) {
        self.store.rotate_signed_prekey(spk_secret);
        let store = &self.store;
        self.handshakes.retain(|r| store.holds_spk(r.spk_id));
    }

    /// Receives one envelope at `mailbox` (SPEC.md sections 12.1 and 15.2):
    /// at the published mailbox, open it, check the pin, then route and
    /// decrypt; at a pairwise mailbox, route to its contact by one lookup
    /// and decrypt; at any other mailbox, `WrongRecipient`. On any error,
    /// and on [`Receipt::IdentityChanged`], the account is unchanged.
    ///
    /// Randomness: one draw of 32 bytes, always, first.
    pub fn receive<R: CryptoRng + ?Sized>(
        &mut self,
        mailbox: &[u8; 16],
        envelope: &[u8],
        rng: &mut R,
    ) -> Result<Receipt, ReceiveError> {
        let secret = random_array::<32, R>(rng);
        self.receive_with(mailbox, envelope, &secret)
    }

    /// [`Account::receive`] with explicit randomness (the spec's
    /// `account::receive`).
    pub fn receive_with(
        &mut self,
        mailbox: &[u8; 16],
        envelope: &[u8],
        ratchet_secret: &[u8; 32],
    ) -> Result<Receipt, ReceiveError> {
        // R0: the mailbox selects the path.
        if *mailbox == self.mailbox {
            return self.receive_sealed(envelope, ratchet_secret);
        }
        let unknown = ReceiveError::UnknownMailbox { mailbox: *mailbox };
        let c = *self.routes.get(mailbox).ok_or(unknown.clone())?;
        // L1, L2: strict decoding, then the mailbox it names.
        let light =
            mailbox::decode_light(envelope).map_err(|kind| ReceiveError::Envelope { kind })?;
        if light.mailbox != *mailbox {
            return Err(ReceiveError::Envelope {
                kind: Error::WrongRecipient,
            });
        }
        // L3, L4: as R4, R5 within the contact.
        let sender = self
            .contacts
            .get(c)
            .map(|contact| contact.identity.clone())
            .ok_or(unknown)?;
        let handle = sender.handle;
        self.decrypt_in_contact(c, sender, light.prefix, light.body, ratchet_secret)
            .map_err(|kind| ReceiveError::Message {
                sender: handle,
                kind,
            })
    }

    /// Steps R1-R3 of SPEC.md section 15.2: a sealed envelope at the
    /// published mailbox.
    fn receive_sealed(
        &mut self,
        sealed: &[u8],
        ratchet_secret: &[u8; 32],
    ) -> Result<Receipt, ReceiveError> {
        // R1: open once (the sender's binding is verified inside, unless
        // the sender is a pinned contact whose exact identity bytes were
        // verified before: then the remembered DHs is used too).
        let contacts = &self.contacts;
        let (sender, message, fresh_dh) =
            envelope::open_with(&self.identity, &self.mailbox, sealed, |sender| {
                let c = contacts
                    .iter()
                    .find(|c| c.identity.handle == sender.handle)?;
                Some(envelope::KnownSender {
                    encoding: c.verified.as_deref()?,
                    static_dh: c.static_dh.as_deref()?,
                })
            })
            .map_err(|kind| ReceiveError::Envelope { kind })?;
        // R2: the pin, before the payload is looked at.
        let index = self.contact_index(&sender.handle);
        if let (Some(c), Some(dh)) = (index.and_then(|i| self.contacts.get_mut(i)), fresh_dh) {
            if same_peer(&c.identity, &sender) {
                c.verified = Some(identity::encode(&sender).to_vec());
                c.static_dh = Some(dh);
            }
        }
        if let Some(c) = index.and_then(|i| self.contacts.get(i)) {
            if !same_peer(&c.identity, &sender) {
                return Ok(Receipt::IdentityChanged {
                    pinned: c.identity.clone(),
                    offered: sender,
                });
            }
        }
        // R3: version and type.
        let handle = sender.handle;
        let in_message = |kind| ReceiveError::Message {
            sender: handle,
            kind,
        };
        match message_type(&message).map_err(in_message)? {
            MSG_PREKEY => self.receive_prekey(index, sender, &message, ratchet_secret),
            MSG_LIGHT => {
                // R4 for a light envelope resent sealed (section 12.1).
                let light = mailbox::decode_light(&message).map_err(in_message)?;
                let c = index.ok_or(in_message(Error::UnknownSession))?;
                self.decrypt_in_contact(c, sender, light.prefix, light.body, ratchet_secret)
                    .map_err(in_message)
            }
            _ => {
                // R4 for a ratchet message.
                let body = message
                    .get(2..)
                    .filter(|b| b.len() >= ENC_HEADER_LEN + TAG_LEN)
                    .ok_or(in_message(Error::Malformed))?;
                let c = index.ok_or(in_message(Error::UnknownSession))?;
                self.decrypt_in_contact(c, sender, &RATCHET_PREFIX, body, ratchet_secret)
                    .map_err(in_message)
            }
        }
    }

    /// Steps R4-R5 (and L3-L4) of SPEC.md section 15.2 within contact `c`:
    /// the first session that recognizes the header decrypts `body` under
    /// `prefix`; on success it takes a mailbox update and becomes current.
    /// Each session is asked once (`open_recognized`), so a header is
    /// decrypted once per session tried, never twice.
    fn decrypt_in_contact(
        &mut self,
        c: usize,
        sender: IdentityPublic,
        prefix: &[u8],
        body: &[u8],
        ratchet_secret: &[u8; 32],
    ) -> Result<Receipt, Error> {
        let contact = self.contacts.get_mut(c).ok_or(Error::UnknownSession)?;
        if contact.sessions.is_empty() {
            return Err(Error::UnknownSession);
        }
        let mut opened = None;
        for (s, session) in contact.sessions.iter_mut().enumerate() {
            if let Some(o) = session.open_recognized(prefix, body, ratchet_secret)? {
                opened = Some((s, o));
                break;
            }
        }
        let (s, opened) = opened.ok_or(Error::AuthenticationFailed)?;
        // Commit: the session advances and becomes current (R5).
        let content = opened.commit(false);
        let session = contact.sessions.remove(s);
        contact.sessions.insert(0, session);
        Ok(Receipt::Message(Received {
            sender,
            content,
            new_contact: false,
            new_session: false,
        }))
    }

    /// Steps P1-P6 of SPEC.md section 15.2.
    fn receive_prekey(
        &mut self,
        index: Option<usize>,
        sender: IdentityPublic,
        message: &[u8],
        ratchet_secret: &[u8; 32],
    ) -> Result<Receipt, ReceiveError> {
        let failed = |header: Option<&PrekeyHeader>, kind| ReceiveError::Handshake {
            sender: sender.handle,
            spk_id: header.map_or(0, |h| h.spk_id),
            opk_id: header.and_then(|h| h.opk_id),
            pqpk_id: header.map_or(0, |h| h.pqpk_id),
            kind,
        };
        // P1: strict decoding; the envelope's sender is the initiator.
        let (header, body) =
            handshake::decode_prekey_message(message).map_err(|kind| failed(None, kind))?;
        if !same_peer(&header.initiator, &sender) {
            return Err(failed(Some(&header), Error::AuthenticationFailed));
        }
        // P2: a further prekey message of a session we hold. It becomes
        // current if the current session is still in its prekey phase
        // (never confirmed by the peer), else it stays where it is
        // (REQ-ROUTE-005).
        if let Some(contact) = index.and_then(|i| self.contacts.get_mut(i)) {
            if let Some(s) = contact.sessions.iter().position(|s| *s.ek() == header.ek) {
                let session = contact
                    .sessions
                    .get_mut(s)
                    .ok_or(failed(Some(&header), Error::UnknownSession))?;
                let content = session
                    .open(&PREKEY_PREFIX, body, ratchet_secret)
                    .map_err(|kind| failed(Some(&header), kind))?
                    .commit(true);
                if contact
                    .sessions
                    .first()
                    .is_some_and(Session::in_prekey_phase)
                {
                    let session = contact.sessions.remove(s);
                    contact.sessions.insert(0, session);
                }
                return Ok(Receipt::Message(Received {
                    sender,
                    content,
                    new_contact: false,
                    new_session: false,
                }));
            }
        }
        let ids = (header.spk_id, header.opk_id, header.pqpk_id);
        let handle = sender.handle;
        self.accept_handshake(index, sender, header, body, ratchet_secret)
            .map_err(|kind| ReceiveError::Handshake {
                sender: handle,
                spk_id: ids.0,
                opk_id: ids.1,
                pqpk_id: ids.2,
                kind,
            })
    }

    /// Steps P3-P6 of SPEC.md section 15.2: a handshake that names no
    /// session we hold.
    fn accept_handshake(
        &mut self,
        index: Option<usize>,
        sender: IdentityPublic,
        header: PrekeyHeader,
        body: &[u8],
        ratchet_secret: &[u8; 32],
    ) -> Result<Receipt, Error> {
        let record = HandshakeRecord {
            spk_id: header.spk_id,
            ek: header.ek,
        };
        // P3: accepted before, its session gone (REQ-HS-006).
        if self.handshakes.contains(&record) {
            return Err(Error::Replay);
        }
        // P4: the signed prekey's record set is full.
        let on_spk = self
            .handshakes
            .iter()
            .filter(|r| r.spk_id == header.spk_id)
            .count();
        if on_spk >= MAX_HANDSHAKES_PER_SIGNED_PREKEY {
            return Err(Error::UnknownPrekey);
        }
        // P5: the responder side of section 8. The sender's binding was
        // verified by envelope opening and the initiator is the same peer,
        // so the section 8 step 1 check cannot fail here.
        identity::verify(&header.initiator)?;
        let accepted =
            handshake::respond_decoded(&self.identity, &self.store, header, body, ratchet_secret)?;
        let content = open_padded(&accepted.plaintext)?;
        // P6: commit.
        accepted.commit(&mut self.store);
        self.handshakes.push(record);
        let mut fresh = Session::from_accepted(accepted);
        fresh.take_update(&content);
        let new_contact = index.is_none();
        match index.and_then(|i| self.contacts.get_mut(i)) {
            Some(contact) => {
                let slot = responder_slot(&contact.sessions, &record.ek);
                insert_session(&mut contact.sessions, slot, fresh);
            }
            None => {
                let mut contact = Contact::pinned(sender.clone());
                contact.sessions.push(fresh);
                self.contacts.push(contact);
            }
        }
        Ok(Receipt::Message(Received {
            sender,
            content,
            new_contact,
            new_session: true,
        }))
    }
}

/// Version byte of [`Account::export`].
pub const ACCOUNT_EXPORT_VERSION: u8 = 0x01;

/// Where an import reader stands, in bytes from the export's start.
fn offset(total: usize, r: &Reader<'_>) -> usize {
    total - r.remaining()
}

/// Reads a `u32(len) || bytes` field.
fn read_framed<'a>(r: &mut Reader<'a>, total: usize) -> Result<&'a [u8], ImportError> {
    let at = offset(total, r);
    let len = r.u32().map_err(|_| ImportError::Length { offset: at })?;
    let len = usize::try_from(len).map_err(|_| ImportError::Length { offset: at })?;
    r.bytes(len).map_err(|_| ImportError::Length { offset: at })
}

/// Appends `u32(len(bytes)) || bytes`.
fn write_framed(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(bytes);
}

impl Account {
    /// Serializes the whole account for the application's storage: secret,
    /// zeroized on drop. All integers big endian:
    ///
    /// ```text
    /// u8(0x01)                          format version (ACCOUNT_EXPORT_VERSION)
    /// IdentitySecret                    80 bytes: EncHandle || sig_seed || dh_secret
    /// u32(len) || PrekeyStore           the store's own format (PrekeyStore::to_bytes)
    /// mailbox                           16 bytes, the published mailbox
    /// u32(#contacts), then per contact, in the order they were made:
    ///   EncIdentity(pinned)             147 bytes (SPEC.md section 6)
    ///   u32(serial)                     of our last mailbox update to it
    ///   u8(#mailboxes) || mailbox*      ours for it, current first (at most 1 + MAX_RETIRED_MAILBOXES)
    ///   u8(#sessions) || (u32(len) || Session export)*   current first (at most 1 + MAX_PREVIOUS_SESSIONS)
    /// u32(#records) || (u32(spk_id) || EK)*   handshake records, oldest first
    /// ```
    ///
    /// The sealed-envelope cache of a contact (its verified `EncIdentity`
    /// and `DHs`) is derived data and not exported; the first envelope
    /// after an import rebuilds it.
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        // The parts that hold secrets are serialized first and the output
        // is allocated at its exact length: a growing vector would free
        // outgrown buffers holding secrets without wiping them.
        let store = self.store.to_bytes();
        let sessions: Vec<Vec<Zeroizing<Vec<u8>>>> = self
            .contacts
            .iter()
            .map(|c| c.sessions.iter().map(Session::export).collect())
            .collect();
        let contacts_len: usize = self
            .contacts
            .iter()
            .zip(&sessions)
            .map(|(c, s)| {
                IDENTITY_LEN
                    + 4
                    + 1
                    + 16 * c.mailboxes.len()
                    + 1
                    + s.iter().map(|e| 4 + e.len()).sum::<usize>()
            })
            .sum();
        let len = 1
            + IDENTITY_SECRET_LEN
            + 4
            + store.len()
            + 16
            + 4
            + contacts_len
            + 4
            + 36 * self.handshakes.len();
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        out.push(ACCOUNT_EXPORT_VERSION);
        out.extend_from_slice(&*self.identity.to_bytes());
        write_framed(&mut out, &store);
        out.extend_from_slice(&self.mailbox);
        out.extend_from_slice(
            &u32::try_from(self.contacts.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        for (c, exports) in self.contacts.iter().zip(&sessions) {
            out.extend_from_slice(&identity::encode(&c.identity));
            out.extend_from_slice(&c.serial.to_be_bytes());
            out.push(u8::try_from(c.mailboxes.len()).unwrap_or(u8::MAX));
            for m in &c.mailboxes {
                out.extend_from_slice(m);
            }
            out.push(u8::try_from(c.sessions.len()).unwrap_or(u8::MAX));
            for e in exports {
                write_framed(&mut out, e);
            }
        }
        out.extend_from_slice(
            &u32::try_from(self.handshakes.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        for h in &self.handshakes {
            out.extend_from_slice(&h.spk_id.to_be_bytes());
            out.extend_from_slice(&h.ek);
        }
        out
    }

    /// Restores an account from [`Account::export`]'s bytes. Strict and
    /// bounded: besides every field decoding (a session as
    /// `Session::import` requires, a pinned identity whose binding
    /// verifies), it rejects trailing bytes and anything an account cannot
    /// reach: more mailboxes, sessions or handshake records than SPEC.md
    /// section 16 allows, two contacts with one handle, a session whose
    /// peer is not its contact, a mailbox held twice (or equal to the
    /// published one), mailboxes with serial 0, a record of a signed
    /// prekey the store does not hold, a record held twice, or more than
    /// `MAX_HANDSHAKES_PER_SIGNED_PREKEY` records on one signed prekey.
    /// Memory is bounded by the input's length: no count is trusted for an
    /// allocation. Never panics.
    ///
    /// Restoring an export **older** than the account's last state rolls it
    /// back: a message or handshake accepted after that export, replayed by
    /// the relay, is accepted again (its keys and handshake record are not
    /// in the export), and the restored account sends on chains the peer
    /// has seen (SPEC.md section 9.3's hedged nonces keep that safe for
    /// confidentiality). An application exports after every change it
    /// persists and restores only the newest export.
    pub fn import(bytes: &[u8]) -> Result<Account, ImportError> {
        let total = bytes.len();
        let mut r = Reader::new(bytes);
        let cut = |r: &Reader<'_>| ImportError::Length {
            offset: offset(total, r),
        };
        let version = r.u8().map_err(|_| cut(&r))?;
        if version != ACCOUNT_EXPORT_VERSION {
            return Err(ImportError::UnsupportedVersion { found: version });
        }
        let at = offset(total, &r);
        let identity = r
            .bytes(IDENTITY_SECRET_LEN)
            .map_err(|_| cut(&r))
            .and_then(|b| {
                IdentitySecret::from_bytes(b).map_err(|_| ImportError::Invalid {
                    field: "identity",
                    offset: at,
                })
            })?;
        let at = offset(total, &r);
        let store = PrekeyStore::from_bytes(read_framed(&mut r, total)?).map_err(|_| {
            ImportError::Invalid {
                field: "prekey store",
                offset: at,
            }
        })?;
        let mailbox = r.array::<16>().map_err(|_| cut(&r))?;
        let mut account = Account::new(identity, store, mailbox);
        let n_contacts = r.u32().map_err(|_| cut(&r))?;
        for _ in 0..n_contacts {
            account.import_contact(&mut r, total)?;
        }
        let n_records = r.u32().map_err(|_| cut(&r))?;
        let max_records = (1 + MAX_RETIRED_SIGNED_PREKEYS) * MAX_HANDSHAKES_PER_SIGNED_PREKEY;
        if usize::try_from(n_records).map_or(true, |n| n > max_records) {
            return Err(ImportError::TooMany {
                what: "handshake records",
                max: max_records,
            });
        }
        for _ in 0..n_records {
            let at = offset(total, &r);
            let spk_id = r.u32().map_err(|_| cut(&r))?;
            let ek = r.array::<32>().map_err(|_| cut(&r))?;
            let record = HandshakeRecord { spk_id, ek };
            let on_spk = account
                .handshakes
                .iter()
                .filter(|h| h.spk_id == spk_id)
                .count();
            if !account.store.holds_spk(spk_id)
                || account.handshakes.contains(&record)
                || on_spk >= MAX_HANDSHAKES_PER_SIGNED_PREKEY
            {
                return Err(ImportError::Invalid {
                    field: "handshake record",
                    offset: at,
                });
            }
            account.handshakes.push(record);
        }
        r.finish().map_err(|_| ImportError::Length {
            offset: total.saturating_sub(1),
        })?;
        Ok(account)
    }

    /// Reads one contact of [`Account::import`] and adds it.
    fn import_contact(&mut self, r: &mut Reader<'_>, total: usize) -> Result<(), ImportError> {
        let cut = |r: &Reader<'_>| ImportError::Length {
            offset: offset(total, r),
        };
        let at = offset(total, r);
        let pinned = r.bytes(IDENTITY_LEN).map_err(|_| cut(r)).and_then(|b| {
            IdentityPublic::decode_verified(b).map_err(|_| ImportError::Invalid {
                field: "contact identity",
                offset: at,
            })
        })?;
        if self.contact_index(&pinned.handle).is_some() {
            return Err(ImportError::Invalid {
                field: "contact identity (handle held twice)",
                offset: at,
            });
        }
        let mut contact = Contact::pinned(pinned);
        contact.serial = r.u32().map_err(|_| cut(r))?;
        let at = offset(total, r);
        let n_mailboxes = usize::from(r.u8().map_err(|_| cut(r))?);
        if n_mailboxes > 1 + MAX_RETIRED_MAILBOXES {
            return Err(ImportError::TooMany {
                what: "pairwise mailboxes per contact",
                max: 1 + MAX_RETIRED_MAILBOXES,
            });
        }
        if n_mailboxes > 0 && contact.serial == 0 {
            return Err(ImportError::Invalid {
                field: "mailbox serial",
                offset: at,
            });
        }
        let index = self.contacts.len();
        for _ in 0..n_mailboxes {
            let at = offset(total, r);
            let m = r.array::<16>().map_err(|_| cut(r))?;
            if m == self.mailbox || self.routes.contains_key(&m) || contact.mailboxes.contains(&m) {
                return Err(ImportError::Invalid {
                    field: "pairwise mailbox (held twice)",
                    offset: at,
                });
            }
            contact.mailboxes.push(m);
        }
        let n_sessions = usize::from(r.u8().map_err(|_| cut(r))?);
        if n_sessions > 1 + MAX_PREVIOUS_SESSIONS {
            return Err(ImportError::TooMany {
                what: "sessions per contact",
                max: 1 + MAX_PREVIOUS_SESSIONS,
            });
        }
        for _ in 0..n_sessions {
            let at = offset(total, r);
            let session =
                Session::import(read_framed(r, total)?).map_err(|_| ImportError::Invalid {
                    field: "session",
                    offset: at,
                })?;
            if !same_peer(session.peer(), &contact.identity) {
                return Err(ImportError::Invalid {
                    field: "session (another peer)",
                    offset: at,
                });
            }
            contact.sessions.push(session);
        }
        for m in &contact.mailboxes {
            self.routes.insert(*m, index);
        }
        self.contacts.push(contact);
        Ok(())
    }
}
