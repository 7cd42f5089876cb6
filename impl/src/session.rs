//! Sessions: the application-facing API (SPEC.md section 15), mirroring
//! `xchat_spec::conversation` byte for byte and error for error.
//!
//! # Use
//!
//! * The initiator fetches the peer's bundle, verifies it
//!   ([`Bundle::verify`](crate::bundle::Bundle::verify) gives a
//!   [`VerifiedBundle`], the only thing that starts a session) and calls
//!   [`Session::initiate`]. It can send at once: its messages are prekey
//!   messages until the peer's first answer decrypts (REQ-HS-005).
//! * The responder has no session until a prekey message arrives:
//!   [`Session::receive`] with no session (or with a session the message
//!   does not name) runs the responder side of the handshake and returns the
//!   new session in [`Received::new_session`]. There is therefore no
//!   "session that cannot send yet" in this API (the spec's
//!   `NoSendingChain` can only come from an imported state).
//! * [`Session::send`] and [`Session::receive`] are **transactional**: on
//!   any error the session and the prekey store are exactly as before
//!   (REQ-RATCHET-003, REQ-SESSION-002). Both compute everything on borrowed
//!   state and commit small updates only after the last fallible step.
//!
//! # Randomness (the spec's explicit inputs, in this order)
//!
//! One `fill_bytes` per input, in this order; an operation draws its
//! inputs first (whether or not it later fails), except the envelope's
//! ephemeral, which `send` draws only after encrypting:
//!
//! | operation | draws | spec input (`xchat_spec`) |
//! |---|---|---|
//! | [`Session::initiate`] | 32, 32, 32 | `ek_secret`, `kem_m`, `ratchet_secret` of `conversation::start` |
//! | [`Session::send`] | 24, then 32 | `header_nonce`, `ephemeral` of `conversation::send` (the 32 only once encryption succeeded) |
//! | [`Session::receive`] | 32 | `ratchet_secret` of `conversation::receive` (always drawn; used only by a DH ratchet step) |
//!
//! So an RNG that replays the bytes the spec's session runner
//! (`xchat_spec::session`) feeds reproduces its envelopes exactly; the
//! differential test `impl/tests/session_diff.rs` does this.
//!
//! # Persistence
//!
//! [`Session::export`] / [`Session::import`] (version 1), all integers big
//! endian, every key 32 bytes:
//!
//! ```text
//! u8(0x01)                         format version
//! EncIdentity(peer)                147 bytes (SPEC.md section 6)
//! AD || EK                         64 bytes
//! u8(pending)                      0x00, or 0x01 followed by the prekey header:
//!   EncIdentity(initiator) || u32(spk_id) || u8(has_opk) || [u32(opk_id)]
//!   || u32(pqpk_id) || EncX(EK) || CT          (SPEC.md section 8, EK = the session's)
//! u8(flags)                        bit 0 DHr, 1 CKs, 2 CKr, 3 HKs, 4 HKr present
//! DHs.secret || [DHr] [CKs] [CKr] [HKs] [HKr] (present ones, in this order)
//! RK || NHKs || NHKr || u32(Ns) || u32(Nr) || u32(PN)
//! u32(#chains) then per chain, oldest first:
//!   HK || u32(#keys) || (u32(n) || MK)*       keys oldest first
//! ```
//!
//! `DHs.public` is recomputed. Import is strict: a wrong version, a field
//! cut short, trailing bytes, flags outside the five bits, `CKs` without
//! `HKs` (or `CKr` without `HKr`) or the converse, a peer identity whose
//! binding does not verify, a pending header with another `EK`, an empty
//! chain, two adjacent chains with one header key, key numbers not
//! increasing within a chain, or more than `MAX_SKIPPED_TOTAL` keys are all
//! [`Error::InvalidState`]. The export is secret (zeroized on drop).

use std::fmt;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::bundle::{PrekeyStore, VerifiedBundle};
use crate::content::{self, Content};
use crate::crypto::random_array;
use crate::encoding::{Reader, VERSION};
use crate::envelope;
use crate::handle::Handle;
use crate::handshake::{self, PrekeyHeader, PREKEY_PREFIX};
use crate::identity::{self, IdentityPublic, IdentitySecret};
use crate::padding;
use crate::ratchet::{RatchetState, MSG_PREKEY, MSG_RATCHET};
use crate::Error;

/// Version byte of [`Session::export`].
pub const EXPORT_VERSION: u8 = 0x01;

/// The prefix of a ratchet message, `u8(0x01) || u8(0x02)` (SPEC.md 9.4).
const RATCHET_PREFIX: [u8; 2] = [VERSION, MSG_RATCHET];

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

/// What a successful [`Session::receive`] yields.
#[derive(Debug)]
pub struct Received {
    /// The authenticated sender (its identity binding verified).
    pub sender: IdentityPublic,
    /// The decrypted content.
    pub content: Content,
    /// `Some` if this message started a new session (the responder side of
    /// the handshake ran): it replaces any older session with `sender`.
    /// `None` if the given session decrypted it (and was advanced).
    pub new_session: Option<Session>,
}

/// The message type of an encoded prekey or ratchet message, after checking
/// its version (SPEC.md sections 8, 9.4, 15 step 2): shorter than 2 bytes or
/// an unknown type is `Malformed`, another version `UnsupportedVersion`.
pub fn message_type(message: &[u8]) -> Result<u8, Error> {
    match message {
        [v, _, ..] if *v != VERSION => Err(Error::UnsupportedVersion),
        [_, t, ..] if *t == MSG_PREKEY || *t == MSG_RATCHET => Ok(*t),
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

    /// Number of skipped message keys stored (at most `MAX_SKIPPED_TOTAL`).
    pub fn skipped_keys(&self) -> usize {
        self.ratchet.skipped_len()
    }

    /// Sends one content to the peer's `mailbox` (SPEC.md section 15;
    /// REQ-SESSION-001): encode (section 11), pad (section 10), encrypt
    /// (sections 8-9), seal (section 12). Returns the envelope. On error the
    /// session is unchanged.
    ///
    /// Randomness: the header nonce (24 bytes) first, always; then, once the
    /// content is encoded and encrypted, the envelope's ephemeral secret
    /// (32 bytes, drawn by [`envelope::seal`]). These are the spec's
    /// `header_nonce` and `ephemeral` of `conversation::send`.
    pub fn send<R: CryptoRng + ?Sized>(
        &mut self,
        identity: &IdentitySecret,
        content: &Content,
        mailbox: &[u8; 16],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        let header_nonce = random_array::<24, R>(rng);
        let padded = Zeroizing::new(padding::pad(&Zeroizing::new(content::encode(content)?))?);
        let (prefix, encoded): (&[u8], &[u8]) = match &self.pending {
            Some(p) => (&PREKEY_PREFIX, &p.encoded),
            None => (&RATCHET_PREFIX, &RATCHET_PREFIX),
        };
        let prefix: &[u8; 2] = prefix.try_into().map_err(|_| Error::Malformed)?;
        let (body, update) = self
            .ratchet
            .encrypt(&self.ad, prefix, &padded, &header_nonce)?;
        let mut message = Vec::with_capacity(encoded.len() + body.len());
        message.extend_from_slice(encoded);
        message.extend_from_slice(&body);
        let sealed = envelope::seal(identity, &self.peer.dh_pub, mailbox, &message, rng)?;
        self.ratchet.commit_send(update);
        Ok(sealed)
    }

    /// Receives one envelope at `mailbox` (SPEC.md section 15;
    /// REQ-SESSION-001, REQ-SESSION-002, REQ-ENV-004), in the spec's order:
    /// open the envelope; check the message's version and type; a ratchet
    /// message, or a prekey message naming `session` (same `EK` and
    /// initiator), needs the sender to be the session's peer
    /// (`AuthenticationFailed`) and is decrypted with it; a ratchet message
    /// without a session is `UnknownSession`; any other prekey message needs
    /// the sender to be its initiator (`AuthenticationFailed`) and runs the
    /// responder side of the handshake with `store`; finally unpad and
    /// decode.
    ///
    /// On success `session` has advanced (or, if [`Received::new_session`]
    /// is set, is untouched) and `store` has lost the one-time prekeys a new
    /// session consumed. On any error neither changed.
    ///
    /// Randomness: one draw of 32 bytes (the ratchet secret of a DH ratchet
    /// step), always, first.
    pub fn receive<R: CryptoRng + ?Sized>(
        identity: &IdentitySecret,
        mailbox: &[u8; 16],
        session: Option<&mut Session>,
        store: &mut PrekeyStore,
        sealed: &[u8],
        rng: &mut R,
    ) -> Result<Received, Error> {
        let secret = random_array::<32, R>(rng);
        Self::receive_with(identity, mailbox, session, store, sealed, &secret)
    }

    /// [`Session::receive`] with explicit randomness (the spec's
    /// `conversation::receive`).
    pub fn receive_with(
        identity: &IdentitySecret,
        mailbox: &[u8; 16],
        session: Option<&mut Session>,
        store: &mut PrekeyStore,
        sealed: &[u8],
        ratchet_secret: &[u8; 32],
    ) -> Result<Received, Error> {
        let (sender, message) = envelope::open(identity, mailbox, sealed)?;
        let kind = message_type(&message)?;
        // A prekey message is decoded once, strictly (SPEC.md section 8):
        // its errors come first on every path of the spec.
        let prekey = if kind == MSG_PREKEY {
            Some(handshake::decode_prekey_message(&message)?)
        } else {
            None
        };
        let existing = match (session, &prekey) {
            (Some(s), None) => Some(s),
            (Some(s), Some((header, _))) if s.names(header) => Some(s),
            _ => None,
        };
        match (existing, prekey) {
            (Some(s), prekey) => {
                if s.peer != sender {
                    return Err(Error::AuthenticationFailed);
                }
                let (prefix, body) = match &prekey {
                    Some((_, body)) => (&PREKEY_PREFIX, *body),
                    None => (&RATCHET_PREFIX, message.get(2..).ok_or(Error::Malformed)?),
                };
                let (padded, update) = s.ratchet.decrypt(&s.ad, prefix, body, ratchet_secret)?;
                let padded = Zeroizing::new(padded);
                let content = content::decode(&Zeroizing::new(padding::unpad(&padded)?))?;
                s.ratchet.commit_recv(update);
                if prekey.is_none() {
                    s.pending = None;
                }
                Ok(Received {
                    sender,
                    content,
                    new_session: None,
                })
            }
            (None, None) => Err(Error::UnknownSession),
            (None, Some((header, body))) => {
                // The sender check precedes the handshake, so its error does
                // not depend on the store (SPEC.md section 15, step 4). The
                // sender's binding was verified by envelope opening, so the
                // byte-equal initiator needs no second verification.
                if header.initiator != sender {
                    return Err(Error::AuthenticationFailed);
                }
                let accepted =
                    handshake::respond_decoded(identity, store, header, body, ratchet_secret)?;
                let content =
                    content::decode(&Zeroizing::new(padding::unpad(&accepted.plaintext)?))?;
                accepted.commit(store);
                let session = Session {
                    peer: accepted.header.initiator.clone(),
                    ad: accepted.ad,
                    ek: accepted.header.ek,
                    pending: None,
                    ratchet: accepted.state,
                };
                Ok(Received {
                    sender,
                    content,
                    new_session: Some(session),
                })
            }
        }
    }

    /// Whether a prekey header names this session: the same `EK` and, as its
    /// initiator, the session's peer (SPEC.md section 15, step 3).
    fn names(&self, header: &PrekeyHeader) -> bool {
        header.ek == self.ek && header.initiator == self.peer
    }

    /// Serializes the whole session (format in the module docs). Secret.
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(2048));
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
        let ratchet = RatchetState::import_from(&mut r)?;
        r.finish()?;
        Ok(Session {
            peer,
            ad,
            ek,
            pending,
            ratchet,
        })
    }
}
