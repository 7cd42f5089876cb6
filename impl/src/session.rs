//! One session with one peer (SPEC.md section 15), mirroring
//! `xchat_spec::session` byte for byte and error for error.
//!
//! Applications use [`crate::account::Account`], which owns the sessions,
//! pins every peer's identity, and routes each received envelope to the
//! right contact and session (SPEC.md section 15.2). A `Session` on its own
//! decides nothing about who its peer is: it is started by
//! [`Session::initiate`] (what `Account::start` calls after section 8's
//! checks) or by an accepted handshake, it encrypts with [`Session::send`],
//! and decrypts only what the account routes to it.
//!
//! [`Session::send`] is **transactional**: on any error the session is
//! exactly as before (REQ-RATCHET-003, REQ-SESSION-002). Receiving is split
//! in the same way inside the crate: compute on borrowed state, commit
//! small updates after the last fallible step.
//!
//! # Randomness (the spec's explicit inputs, in this order)
//!
//! One `fill_bytes` per input, in this order; an operation draws its
//! inputs first (whether or not it later fails), except the envelope's
//! ephemeral, which `send` draws only after encrypting:
//!
//! | operation | draws | spec input (`xchat_spec`) |
//! |---|---|---|
//! | [`Session::initiate`] | 32, 32, 32 | `ek_secret`, `kem_m`, `ratchet_secret` of `session::start` |
//! | [`Session::send`] | 24, then 32 | `r` (hedged into the header nonce, SPEC.md 9.3), `ephemeral` (the randomness `e` is hedged from, SPEC.md 12) of `session::send` (the 32 only once encryption succeeded, and only for a sealed envelope: a light envelope draws none) |
//!
//! So an RNG that replays the bytes the spec's scenario runner
//! (`xchat_spec::scenario`) feeds reproduces its envelopes exactly; the
//! conformance vectors (`session_run`) check this.
//!
//! # Persistence
//!
//! [`Session::export`] / [`Session::import`] (version 2), all integers big
//! endian, every key 32 bytes:
//!
//! ```text
//! u8(0x02)                         format version
//! EncIdentity(peer)                147 bytes (SPEC.md section 6)
//! AD || EK                         64 bytes
//! u8(pending)                      0x00, or 0x01 followed by the prekey header:
//!   EncIdentity(initiator) || u32(spk_id) || u8(has_opk) || [u32(opk_id)]
//!   || u32(pqpk_id) || EncX(EK) || CT          (SPEC.md section 8, EK = the session's)
//! u8(peer_mailbox)                 0x00, or 0x01 followed by the 16-byte mailbox
//! u32(peer_serial)                 (SPEC.md section 12.1)
//! u8(flags)                        bit 0 DHr, 1 CKs, 2 CKr, 3 HKs, 4 HKr present
//! DHs.secret || [DHr] [CKs] [CKr] [HKs] [HKr] (present ones, in this order)
//! RK || NHKs || NHKr || u32(Ns) || u32(Nr) || u32(PN)
//! u32(#chains) then per chain, oldest first:
//!   HK || u32(#keys) || (u32(n) || MK)*       keys oldest first
//! ```
//!
//! `DHs.public` is recomputed. Import is strict: a wrong version, a field
//! cut short, trailing bytes, a mailbox flag other than 0 or 1, a mailbox
//! with serial 0, flags outside the five bits, `CKs` without
//! `HKs` (or `CKr` without `HKr`) or the converse, a peer identity whose
//! binding does not verify, a pending header with another `EK`, an empty
//! chain, two adjacent chains with one header key, key numbers not
//! increasing within a chain, or more than `MAX_SKIPPED_TOTAL` keys are all
//! [`Error::InvalidState`]. The export is secret (zeroized on drop).

use std::fmt;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::bundle::VerifiedBundle;
use crate::content::{self, Content};
use crate::crypto::random_array;
use crate::encoding::{Reader, VERSION};
use crate::envelope;
use crate::handle::Handle;
use crate::handshake::{self, Accepted, PREKEY_PREFIX};
use crate::identity::{self, IdentityPublic, IdentitySecret};
use crate::mailbox::{self, MSG_LIGHT};
use crate::padding;
use crate::ratchet::{PendingRecv, RatchetState, MSG_PREKEY, MSG_RATCHET};
use crate::Error;

/// Version byte of [`Session::export`].
pub const EXPORT_VERSION: u8 = 0x02;

/// The prefix of a ratchet message, `u8(0x01) || u8(0x02)` (SPEC.md 9.4).
pub(crate) const RATCHET_PREFIX: [u8; 2] = [VERSION, MSG_RATCHET];

/// The initiator's pending handshake: the encoded prekey header, which
/// every prekey message starts with (encoded once).
#[derive(Clone)]
struct Pending {
    encoded: Vec<u8>,
}

/// One party's session with one peer (SPEC.md section 15).
#[derive(Clone)]
pub struct Session {
    peer: IdentityPublic,
    ad: [u8; 32],
    ek: [u8; 32],
    pending: Option<Box<Pending>>,
    ratchet: RatchetState,
    /// The pairwise mailbox the peer gave in this session (SPEC.md section
    /// 12.1) and the serial of that update (0 before the first).
    peer_mailbox: Option<[u8; 16]>,
    peer_serial: u32,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("peer", &self.peer.handle)
            .field("prekey_phase", &self.pending.is_some())
            .field("ratchet", &self.ratchet)
            .finish()
    }
}

/// A message a session decrypted and decoded, not applied yet: it borrows
/// the session, and only [`Opened::commit`] changes it (SPEC.md section
/// 15.2: the account commits after its last check).
#[must_use = "the session changes only on commit()"]
pub(crate) struct Opened<'a> {
    recv: PendingRecv<'a>,
    content: Content,
    pending: &'a mut Option<Box<Pending>>,
    peer_mailbox: &'a mut Option<[u8; 16]>,
    peer_serial: &'a mut u32,
}

impl Opened<'_> {
    /// Applies the receive: the ratchet advances, a ratchet message or
    /// light envelope (`prekey` false) ends the prekey phase (REQ-HS-005),
    /// and a mailbox update is taken (SPEC.md section 12.1). Returns the
    /// content.
    pub(crate) fn commit(self, prekey: bool) -> Content {
        let Opened {
            recv,
            content,
            pending,
            peer_mailbox,
            peer_serial,
        } = self;
        drop(recv.commit());
        if !prekey {
            *pending = None;
        }
        take_update(peer_mailbox, peer_serial, &content);
        content
    }
}

/// Takes a mailbox update (SPEC.md section 12.1, REQ-MAILBOX-001): only a
/// serial greater than the session's takes effect.
fn take_update(peer_mailbox: &mut Option<[u8; 16]>, peer_serial: &mut u32, content: &Content) {
    if let Content::MailboxUpdate { serial, mailbox } = content {
        if *serial > *peer_serial {
            *peer_mailbox = Some(*mailbox);
            *peer_serial = *serial;
        }
    }
}

/// Unpads and decodes a decrypted plaintext (SPEC.md sections 10 and 11),
/// the last step of every receive (SPEC.md section 15.2, R5 and P5).
pub(crate) fn open_padded(padded: &[u8]) -> Result<Content, Error> {
    content::decode(padding::unpad_slice(padded)?)
}

/// The message type of an encoded prekey message, ratchet message or light
/// envelope, after checking its version (SPEC.md sections 8, 9.4, 12.1,
/// 15.2 step R3): shorter than 2 bytes or an unknown type is `Malformed`,
/// another version `UnsupportedVersion`.
pub fn message_type(message: &[u8]) -> Result<u8, Error> {
    match message {
        [v, _, ..] if *v != VERSION => Err(Error::UnsupportedVersion),
        [_, t, ..] if *t == MSG_PREKEY || *t == MSG_RATCHET || *t == MSG_LIGHT => Ok(*t),
        _ => Err(Error::Malformed),
    }
}

impl Session {
    /// Starts a session as the initiator with the verified bundle the
    /// directory returned for `peer` (SPEC.md section 8; REQ-HS-001,
    /// REQ-HS-002). `InvalidHandle` if the bundle is another handle's,
    /// `NonContributory` for an all-zero DH output.
    ///
    /// Randomness: `ek_secret` (32 bytes), `kem_m` (32), `ratchet_secret`
    /// (32), drawn in this order before anything else.
    pub fn initiate<R: CryptoRng + ?Sized>(
        identity: &IdentitySecret,
        peer: &Handle,
        bundle: &VerifiedBundle,
        rng: &mut R,
    ) -> Result<Session, Error> {
        let ek_secret = random_array::<32, R>(rng);
        let kem_m = random_array::<32, R>(rng);
        let ratchet_secret = random_array::<32, R>(rng);
        Self::initiate_with(identity, peer, bundle, &ek_secret, &kem_m, &ratchet_secret)
    }

    /// [`Session::initiate`] with explicit randomness (the spec's
    /// `conversation::start`).
    pub fn initiate_with(
        identity: &IdentitySecret,
        peer: &Handle,
        bundle: &VerifiedBundle,
        ek_secret: &[u8; 32],
        kem_m: &[u8; 32],
        ratchet_secret: &[u8; 32],
    ) -> Result<Session, Error> {
        let (ratchet, header, ad) =
            handshake::initiate(identity, peer, bundle, ek_secret, kem_m, ratchet_secret)?;
        let encoded = handshake::encode_prekey_header(&header);
        Ok(Session {
            peer: bundle.bundle().identity.clone(),
            ad,
            ek: header.ek,
            pending: Some(Box::new(Pending { encoded })),
            ratchet,
            peer_mailbox: None,
            peer_serial: 0,
        })
    }

    /// The peer's identity, authenticated by the handshake.
    pub fn peer(&self) -> &IdentityPublic {
        &self.peer
    }

    /// Whether this side still sends prekey messages (an initiator whose
    /// peer has not answered yet, REQ-HS-005).
    pub fn in_prekey_phase(&self) -> bool {
        self.pending.is_some()
    }

    /// The session's associated data `AD` (SPEC.md section 8, step 6).
    pub fn associated_data(&self) -> &[u8; 32] {
        &self.ad
    }

    /// The pairwise mailbox the peer gave in this session, if any (SPEC.md
    /// section 12.1).
    pub fn peer_mailbox(&self) -> Option<&[u8; 16]> {
        self.peer_mailbox.as_ref()
    }

    /// Number of skipped message keys stored (at most `MAX_SKIPPED_TOTAL`).
    pub fn skipped_keys(&self) -> usize {
        self.ratchet.skipped_len()
    }

    /// Sends one content (SPEC.md sections 12.1 and 15; REQ-SESSION-001,
    /// REQ-MAILBOX-003): encode (section 11) and pad (section 10); then, if
    /// the session knows the peer's pairwise mailbox and is past its prekey
    /// phase, encrypt it as a light envelope to that mailbox; otherwise
    /// encrypt it (sections 8-9) and seal it (section 12) to the peer's
    /// published mailbox `peer_mailbox`. Returns the mailbox to post to and
    /// the envelope. On error the session is unchanged.
    ///
    /// Randomness: the header nonce (24 bytes) first, always; then, for a
    /// sealed envelope only and once the content is encrypted, the
    /// envelope's ephemeral secret (32 bytes, drawn by [`envelope::seal`]).
    /// These are the spec's `r` and `ephemeral` of `session::send`.
    pub fn send<R: CryptoRng + ?Sized>(
        &mut self,
        identity: &IdentitySecret,
        content: &Content,
        peer_mailbox: &[u8; 16],
        rng: &mut R,
    ) -> Result<([u8; 16], Vec<u8>), Error> {
        self.send_with(identity, content, peer_mailbox, &mut None, rng)
    }

    /// [`Session::send`] with the envelope's static-static `DHs` cached by
    /// the caller ([`envelope::seal_with`]).
    pub(crate) fn send_with<R: CryptoRng + ?Sized>(
        &mut self,
        identity: &IdentitySecret,
        content: &Content,
        peer_mailbox: &[u8; 16],
        static_dh: &mut Option<Zeroizing<[u8; 32]>>,
        rng: &mut R,
    ) -> Result<([u8; 16], Vec<u8>), Error> {
        let header_nonce = random_array::<24, R>(rng);
        let padded = padding::pad_content(content)?;
        if let (None, Some(pairwise)) = (&self.pending, self.peer_mailbox) {
            let prefix = mailbox::light_prefix(&pairwise);
            let light = self
                .ratchet
                .encrypt_framed(&self.ad, &prefix, &prefix, &padded, &header_nonce)?
                .commit();
            return Ok((pairwise, light));
        }
        let (prefix, frame): (&[u8], &[u8]) = match &self.pending {
            Some(p) => (&PREKEY_PREFIX, &p.encoded),
            None => (&RATCHET_PREFIX, &RATCHET_PREFIX),
        };
        let message =
            self.ratchet
                .encrypt_framed(&self.ad, prefix, frame, &padded, &header_nonce)?;
        // The send is applied only once the envelope is sealed.
        let sealed = envelope::seal_with(
            identity,
            &self.peer.dh_pub,
            peer_mailbox,
            message.message(),
            static_dh,
            rng,
        )?;
        message.commit();
        Ok((*peer_mailbox, sealed))
    }

    /// Takes a mailbox update this session decrypted (SPEC.md section 12.1,
    /// REQ-MAILBOX-001): only a serial greater than the session's takes
    /// effect.
    pub(crate) fn take_update(&mut self, content: &Content) {
        take_update(&mut self.peer_mailbox, &mut self.peer_serial, content);
    }

    /// Forgets the peer's pairwise mailbox if it is `gone` (SPEC.md section
    /// 12.1, `resend_sealed`); the serial stays, so an older update cannot
    /// bring it back.
    pub(crate) fn forget_peer_mailbox(&mut self, gone: &[u8; 16]) {
        if self.peer_mailbox.as_ref() == Some(gone) {
            self.peer_mailbox = None;
        }
    }

    /// The handshake's ephemeral key `EK`, which names this session in
    /// prekey messages (SPEC.md section 15).
    pub fn ek(&self) -> &[u8; 32] {
        &self.ek
    }

    /// Decrypts a body under its message's `prefix`: a ratchet message's
    /// `0x01 0x02`, a light envelope's 18 bytes, or `0x01 0x01` for a
    /// prekey message that names this session; then unpads and decodes it
    /// (SPEC.md sections 9.5, 10, 11, 12.1, 15.2 steps R5, L4 and P2). The
    /// session changes only when the caller commits the result
    /// ([`Opened::commit`]), once nothing else can fail.
    pub(crate) fn open(
        &mut self,
        prefix: &[u8],
        body: &[u8],
        ratchet_secret: &[u8; 32],
    ) -> Result<Opened<'_>, Error> {
        self.open_recognized(prefix, body, ratchet_secret)?
            .ok_or(Error::AuthenticationFailed)
    }

    /// [`Session::open`], except that a header none of this session's
    /// receiving header keys opens is `Ok(None)`: the session does not
    /// *recognize* the message (SPEC.md section 15.2, step R4), and routing
    /// goes on to the next session.
    pub(crate) fn open_recognized(
        &mut self,
        prefix: &[u8],
        body: &[u8],
        ratchet_secret: &[u8; 32],
    ) -> Result<Option<Opened<'_>>, Error> {
        let Session {
            ad,
            pending,
            ratchet,
            peer_mailbox,
            peer_serial,
            ..
        } = self;
        match ratchet.decrypt_recognized(ad, prefix, body, ratchet_secret)? {
            Some(recv) => {
                let content = open_padded(recv.plaintext())?;
                Ok(Some(Opened {
                    recv,
                    content,
                    pending,
                    peer_mailbox,
                    peer_serial,
                }))
            }
            None => Ok(None),
        }
    }

    /// The responder's new session from an accepted handshake (SPEC.md
    /// section 8).
    pub(crate) fn from_accepted(accepted: Accepted) -> Session {
        Session {
            peer: accepted.header.initiator.clone(),
            ad: accepted.ad,
            ek: accepted.header.ek,
            pending: None,
            ratchet: accepted.state,
            peer_mailbox: None,
            peer_serial: 0,
        }
    }

    /// Serializes the whole session (format in the module docs). Secret.
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        // Exact length up front (a growing vector would free outgrown
        // buffers holding keys without wiping them).
        let pending = self
            .pending
            .as_ref()
            .map_or(0, |p| p.encoded.len().saturating_sub(2));
        let len = 1
            + identity::IDENTITY_LEN
            + 64
            + 1
            + pending
            + 1
            + self.peer_mailbox.map_or(0, |m| m.len())
            + 4
            + self.ratchet.export_len();
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        out.push(EXPORT_VERSION);
        out.extend_from_slice(&identity::encode(&self.peer));
        out.extend_from_slice(&self.ad);
        out.extend_from_slice(&self.ek);
        match &self.pending {
            Some(p) => {
                out.push(0x01);
                out.extend_from_slice(p.encoded.get(2..).unwrap_or_default());
            }
            None => out.push(0x00),
        }
        match &self.peer_mailbox {
            Some(m) => {
                out.push(0x01);
                out.extend_from_slice(m);
            }
            None => out.push(0x00),
        }
        out.extend_from_slice(&self.peer_serial.to_be_bytes());
        self.ratchet.export_into(&mut out);
        out
    }

    /// Restores a session from [`Session::export`]'s bytes; anything else is
    /// [`Error::InvalidState`] (module docs). Never panics.
    pub fn import(bytes: &[u8]) -> Result<Session, Error> {
        Self::read(bytes).map_err(|_| Error::InvalidState)
    }

    /// [`Session::import`] with the readers' error kinds.
    fn read(bytes: &[u8]) -> Result<Session, Error> {
        let mut r = Reader::new(bytes);
        if r.u8()? != EXPORT_VERSION {
            return Err(Error::InvalidState);
        }
        let peer = identity::read_identity(&mut r)?;
        identity::verify(&peer)?;
        let ad = r.array::<32>()?;
        let ek = r.array::<32>()?;
        let pending = match r.u8()? {
            0x00 => None,
            0x01 => {
                let header = handshake::read_prekey_fields(&mut r)?;
                if header.ek != ek {
                    return Err(Error::InvalidState);
                }
                let encoded = handshake::encode_prekey_header(&header);
                Some(Box::new(Pending { encoded }))
            }
            _ => return Err(Error::InvalidState),
        };
        let peer_mailbox = match r.u8()? {
            0x00 => None,
            0x01 => Some(r.array::<16>()?),
            _ => return Err(Error::InvalidState),
        };
        let peer_serial = r.u32()?;
        // A mailbox comes only from an update with a serial above 0 (a
        // serial without a mailbox is one `resend_sealed` forgot).
        if peer_mailbox.is_some() && peer_serial == 0 {
            return Err(Error::InvalidState);
        }
        let ratchet = RatchetState::import_from(&mut r)?;
        r.finish()?;
        Ok(Session {
            peer,
            ad,
            ek,
            pending,
            ratchet,
            peer_mailbox,
            peer_serial,
        })
    }
}
