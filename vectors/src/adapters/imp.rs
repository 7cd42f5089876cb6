//! The optimized implementation (`xchat`) behind the interface:
//! `run --impl impl` and the adapter binary. Every answer comes from the
//! impl: outputs are the impl's values (the handshake's intermediates from
//! its `low-level` traced variants), errors the impl's kinds. What the
//! impl's typed API cannot be asked (a fixed-length input of another
//! length, a kind number above 255, a text that is not UTF-8) and the ops
//! it does not expose (SHA-3, SHAKE, the ratchet's private KDFs and
//! message-key encryption) answer `Unsupported`: the adapter never decides
//! an answer itself.

use xchat::account::{Account, Outgoing, Receipt};
use xchat::bundle::{self, PqKind, PqPrekeySecret, PrekeyStore};
use xchat::call::{Calls, ReplayWindow};
use xchat::content::{self, AttachmentPointer, CallKey, CallSignal, Content, MediaKind};
use xchat::crypto::{aead, aes_ctr, aes_gcm, ed25519, hash, ml_kem, x25519};
use xchat::encoding::{Reader, VERSION};
use xchat::handle::{self, Handle};
use xchat::handshake::{self, HandshakeTrace, PREKEY_PREFIX};
use xchat::identity::{self, IdentitySecret};
use xchat::ratchet::{self, RatchetState, MSG_RATCHET};
use xchat::sframe::{self, KeyAndSalt};
use xchat::{attachment, envelope, fingerprint, padding};
use xchat_spec::scenario::{self, party_draw};

use super::replay::Replay;
use crate::conformance::Conformance;
use crate::ops as w;
use crate::ops::content::{ContentFields, ContentIn};
use crate::ops::ratchet::{run_steps, RatchetPair, Side};
use crate::ops::session::{Delivery, EventIn, Outcome, Who};
use crate::wire::{Answer, Error, Hex};

/// The optimized implementation.
pub struct Impl;

/// `h` as `N` bytes. The impl's API takes `&[u8; N]`: it cannot be asked
/// about another length, so that is `Unsupported`, not a verdict.
fn fit<const N: usize>(h: &Hex) -> Answer<[u8; N]> {
    h.array().ok_or(Error::Unsupported)
}

/// A number the impl takes as a byte (a kind); a larger one cannot be
/// asked.
fn byte(n: u64) -> Answer<u8> {
    u8::try_from(n).map_err(|_| Error::Unsupported)
}

/// A length or index as `usize`.
fn size(n: u64) -> Answer<usize> {
    usize::try_from(n).map_err(Error::bad_request)
}

fn parse(bytes: &[u8]) -> Answer<Handle> {
    Ok(handle::parse_handle(bytes)?)
}

fn pq_kind(k: u64) -> Answer<PqKind> {
    Ok(bundle::kind_of_byte(byte(k)?)?)
}

/// The suite, key and salt of an SFrame op. The impl's `KeyAndSalt` takes
/// a 12-byte salt (another length cannot be asked) and checks the key's
/// length itself.
fn sframe_key_salt(k: &w::sframe::SuiteKey) -> Answer<(sframe::CipherSuite, KeyAndSalt)> {
    let suite = w::sframe::suite(k.suite, sframe::CipherSuite::from_id)?;
    let ks = KeyAndSalt::from_bytes(suite, &k.sframe_key, fit(&k.sframe_salt)?)?;
    Ok((suite, ks))
}

/// `sframe_key` and `sframe_salt`.
fn sframe_parts(ks: &KeyAndSalt) -> (&[u8], &[u8; sframe::NONCE_LEN]) {
    (ks.key(), ks.salt())
}

/// The owner's identity and store (the fields of `bundle_make`), with the
/// offered one-time and PQ prekey ids.
fn owner(s: &w::bundle::Store) -> Answer<(IdentitySecret, PrekeyStore, Option<u32>, u32)> {
    let secret = IdentitySecret::from_randomness(parse(&s.handle)?, &fit(&s.identity_randomness)?);
    let kind = pq_kind(s.pqpk_kind)?;
    let mut store = PrekeyStore::new(s.spk_id, &fit(&s.spk_secret)?);
    match (s.opk_id, &s.opk_secret) {
        (Some(id), Some(opk)) => store.add_one_time_prekey(id, &fit(opk)?),
        (None, _) => {}
        (Some(_), None) => return Err(Error::bad_request("opk_id without opk_secret")),
    }
    store.add_pq_prekey(PqPrekeySecret::from_randomness(
        s.pqpk_id,
        kind,
        &fit(&s.pqpk_randomness)?,
    ));
    Ok((secret, store, s.opk_id, s.pqpk_id))
}

/// A content from its wire fields (the impl's `Content::Text` holds UTF-8
/// only: other bytes cannot be asked).
fn content_in(c: &ContentFields) -> Answer<Content> {
    Ok(match c.read()? {
        ContentIn::Text(t) => {
            Content::Text(String::from_utf8(t.to_vec()).map_err(|_| Error::Unsupported)?)
        }
        ContentIn::Attachment { kind, key, length } => {
            let kind = content::kind_of_byte(byte(kind)?)?;
            Content::Attachment(AttachmentPointer::new(kind, fit(key)?, length)?)
        }
        // The impl's serial is a u32: a larger one cannot be asked.
        ContentIn::MailboxUpdate { serial, mailbox } => Content::MailboxUpdate {
            serial: u32::try_from(serial).map_err(|_| Error::Unsupported)?,
            mailbox: fit(mailbox)?,
        },
        // The impl's signal is an enum: another type number cannot be
        // asked (its decoder rejects it, see `content_decode`).
        ContentIn::Call {
            signal,
            call_id,
            key,
            params,
        } => {
            let call_id = fit(call_id)?;
            let key = match key {
                Some((kid, base_key)) => Some(CallKey::new(kid, fit(base_key)?)),
                None => None,
            };
            let params = params.map(|p| p.to_vec()).unwrap_or_default();
            Content::Call(match (signal, key) {
                (1, Some(key)) => CallSignal::Offer {
                    call_id,
                    key,
                    params,
                },
                (2, Some(key)) => CallSignal::Answer {
                    call_id,
                    key,
                    params,
                },
                (3, _) => CallSignal::Reject { call_id },
                (4, _) => CallSignal::HangUp { call_id },
                (5, Some(key)) => CallSignal::KeyUpdate { call_id, key },
                _ => return Err(Error::Unsupported),
            })
        }
    })
}

/// The wire fields of a call signal.
fn call_out(s: &CallSignal) -> ContentFields {
    let id = s.call_id();
    let key = |k: &CallKey| Some((k.kid(), *k.base_key()));
    let (ty, key, params) = match s {
        CallSignal::Offer { key: k, params, .. } => (1, key(k), Some(&params[..])),
        CallSignal::Answer { key: k, params, .. } => (2, key(k), Some(&params[..])),
        CallSignal::Reject { .. } => (3, None, None),
        CallSignal::HangUp { .. } => (4, None, None),
        CallSignal::KeyUpdate { key: k, .. } => (5, key(k), None),
    };
    ContentFields::call(ty, id, key.as_ref().map(|(k, b)| (*k, b)), params)
}

/// The signal inside a content the call API returned.
fn signal_of(c: Content) -> Answer<CallSignal> {
    match c {
        Content::Call(s) => Ok(s),
        _ => Err(Error::Other("the call API returned another content".into())),
    }
}

/// `call_run` on the impl: both parties' `Calls` (SPEC.md section 20).
fn call_run(i: &w::call::RunIn) -> Answer<w::call::RunOut> {
    use w::call::{frame_to_open, CallStep as S, Made, StepResult, HANDLES};
    let handles = [parse(HANDLES[0].as_bytes())?, parse(HANDLES[1].as_bytes())?];
    let mut calls = [Calls::new(), Calls::new()];
    let mut signals: Vec<(usize, CallSignal)> = Vec::new();
    let mut frames: Vec<Made> = Vec::new();
    let mut results = Vec::new();
    let bad = || Error::bad_request("index out of range".to_string());
    for step in &i.steps {
        let r: Result<Vec<u8>, Error> = match step {
            S::Start {
                side,
                call_id,
                base_key,
                params,
            } => {
                let w = side.index();
                let r =
                    calls[w].start_with(&handles[1 - w], &fit(call_id)?, &fit(base_key)?, params);
                made(&mut signals, w, r)
            }
            S::Answer {
                side,
                call_id,
                base_key,
                params,
            } => {
                let w = side.index();
                let r =
                    calls[w].answer_with(&handles[1 - w], &fit(call_id)?, &fit(base_key)?, params);
                made(&mut signals, w, r)
            }
            S::Reject { side, call_id } => {
                let w = side.index();
                let r = calls[w].reject(&handles[1 - w], &fit(call_id)?);
                made(&mut signals, w, r)
            }
            S::HangUp { side, call_id } => {
                let w = side.index();
                let r = calls[w].hang_up(&handles[1 - w], &fit(call_id)?);
                made(&mut signals, w, r)
            }
            S::Rekey {
                side,
                call_id,
                base_key,
            } => {
                let w = side.index();
                let r = calls[w].rekey_with(&handles[1 - w], &fit(call_id)?, &fit(base_key)?);
                made(&mut signals, w, r)
            }
            S::Deliver { index } => {
                let (from, sig) = signals.get(*index).ok_or_else(bad)?;
                calls[1 - *from]
                    .on_signal(&handles[*from], sig)
                    .map(|()| Vec::new())
                    .map_err(Error::from)
            }
            S::Encrypt {
                side,
                call_id,
                metadata,
                frame,
            } => {
                let w = side.index();
                let id = fit(call_id)?;
                let r = calls[w].encrypt_frame(&handles[1 - w], &id, metadata, frame);
                if let Ok(f) = &r {
                    frames.push(Made {
                        side: w,
                        call_id: id,
                        bytes: f.clone(),
                    });
                }
                r.map_err(Error::from)
            }
            S::Decrypt {
                index,
                metadata,
                flip,
                cut,
            } => {
                let f = frame_to_open(&frames, *index, *flip, *cut)?;
                calls[1 - f.side]
                    .decrypt_frame(&handles[f.side], &f.call_id, metadata, &f.bytes)
                    .map_err(Error::from)
            }
        };
        results.push(StepResult::of(r));
    }
    Ok(w::call::RunOut { results })
}

/// A step that made a signal: kept for delivery; the encoded content as
/// the output.
fn made(
    signals: &mut Vec<(usize, CallSignal)>,
    from: usize,
    r: Result<Content, xchat::Error>,
) -> Result<Vec<u8>, Error> {
    let c = r?;
    let bytes = content::encode(&c)?;
    signals.push((from, signal_of(c)?));
    Ok(bytes)
}

/// The wire fields of a content.
fn content_out(c: &Content) -> ContentFields {
    match c {
        Content::Text(t) => ContentFields::text(t.as_bytes()),
        Content::Attachment(p) => {
            ContentFields::attachment(content::kind_byte(p.kind()), p.key(), p.length())
        }
        Content::MailboxUpdate { serial, mailbox } => {
            ContentFields::mailbox_update(*serial, mailbox)
        }
        Content::Call(sig) => call_out(sig),
    }
}

/// The k-th DH output of a handshake trace (`Unsupported` if the impl did
/// not report it).
fn traced_dh(t: &HandshakeTrace, k: usize) -> Answer<Hex> {
    t.dh.get(k)
        .map(|d| Hex::from(&**d))
        .ok_or(Error::Unsupported)
}

/// The wire prefix of a ratchet message, from the impl's constants.
const RATCHET_PREFIX: [u8; 2] = [VERSION, MSG_RATCHET];

/// Alice's and Bob's ratchet states in a `ratchet_session`, driven
/// through the impl's `RatchetState` (messages framed with the impl's
/// prefix constants, decoded with its `message_type`).
struct Pair {
    states: [RatchetState; 2],
    ad: [u8; 32],
}

impl RatchetPair for Pair {
    fn send(&mut self, from: Side, plaintext: &[u8], r: &Hex) -> Answer<Result<Vec<u8>, Error>> {
        let state = &mut self.states[from.index()];
        let sent = state
            .encrypt(&self.ad, &RATCHET_PREFIX, plaintext, &fit(r)?)
            .map(|pending| [RATCHET_PREFIX.to_vec(), pending.commit()].concat());
        Ok(sent.map_err(Error::from))
    }
    fn receive(
        &mut self,
        to: Side,
        message: &[u8],
        secret: &Hex,
    ) -> Answer<Result<Vec<u8>, Error>> {
        let secret = fit(secret)?;
        let state = &mut self.states[to.index()];
        let received = (|| {
            // The impl's own decoding of the two leading bytes (SPEC.md 9.4).
            if xchat::session::message_type(message)? != MSG_RATCHET {
                return Err(xchat::Error::Malformed);
            }
            let body = message.get(2..).ok_or(xchat::Error::Malformed)?;
            let plaintext = state
                .decrypt(&self.ad, &RATCHET_PREFIX, body, &secret)?
                .commit();
            Ok(plaintext.to_vec())
        })();
        Ok(received.map_err(Error::from))
    }
}

/// Receives `deliveries` in order into `acct`.
fn receive_all(
    acct: &mut Account,
    mailbox: &Hex,
    deliveries: &[Delivery],
) -> Answer<w::session::ReceiveOut> {
    let mailbox = fit(mailbox)?;
    let mut results = Vec::new();
    for d in deliveries {
        let r = acct.receive_with(&mailbox, &d.envelope, &fit(&d.secret)?);
        results.push(crate::receipt_out!(
            r,
            Receipt,
            identity::encode,
            content_out
        ));
    }
    Ok(w::session::ReceiveOut { results })
}

impl Conformance for Impl {
    mirrored!(fit);

    fn sha256(&mut self, i: &w::hash::MsgIn) -> Answer<w::hash::Digest32> {
        Ok(w::hash::Digest32 {
            digest: hash::sha256(&i.msg).into(),
        })
    }
    fn sha512(&mut self, i: &w::hash::MsgIn) -> Answer<w::hash::Digest64> {
        Ok(w::hash::Digest64 {
            digest: hash::sha512(&i.msg).into(),
        })
    }
    fn hmac_sha256(&mut self, i: &w::mac_kdf::HmacIn) -> Answer<w::mac_kdf::Tag32> {
        Ok(w::mac_kdf::Tag32 {
            tag: hash::hmac_sha256(&i.key, &i.msg).into(),
        })
    }
    fn hmac_sha512(&mut self, i: &w::mac_kdf::HmacIn) -> Answer<w::mac_kdf::Tag64> {
        Ok(w::mac_kdf::Tag64 {
            tag: hash::hmac_sha512(&i.key, &i.msg).to_vec().into(),
        })
    }
    fn hkdf_sha256(&mut self, i: &w::mac_kdf::Hkdf256In) -> Answer<w::mac_kdf::OkmOut> {
        // One byte past RFC 5869's limit is enough to ask the impl, without
        // allocating `len` bytes for a huge request; the impl decides.
        let mut okm = vec![0u8; size(i.len)?.min(255 * 32 + 1)];
        hash::hkdf_sha256(&i.salt, &i.ikm, &i.info, &mut okm)?;
        Ok(w::mac_kdf::OkmOut { okm: okm.into() })
    }
    fn hkdf_sha512(&mut self, i: &w::mac_kdf::Hkdf512In) -> Answer<w::mac_kdf::OkmOut> {
        let mut okm = vec![0u8; size(i.len)?.min(255 * 64 + 1)];
        hash::hkdf_sha512(&i.salt, &i.ikm, &i.info, &mut okm)?;
        Ok(w::mac_kdf::OkmOut { okm: okm.into() })
    }
    fn chacha20poly1305_seal(&mut self, i: &w::aead::SealIn) -> Answer<w::aead::CtOut> {
        Ok(w::aead::CtOut {
            ct: aead::seal(&fit(&i.key)?, &fit(&i.nonce)?, &i.aad, &i.msg).into(),
        })
    }
    fn chacha20poly1305_open(&mut self, i: &w::aead::OpenIn) -> Answer<w::aead::MsgOut> {
        Ok(w::aead::MsgOut {
            msg: aead::open(&fit(&i.key)?, &fit(&i.nonce)?, &i.aad, &i.ct)?
                .to_vec()
                .into(),
        })
    }
    fn xchacha20poly1305_seal(&mut self, i: &w::aead::XSealIn) -> Answer<w::aead::CtOut> {
        Ok(w::aead::CtOut {
            ct: aead::xseal(&fit(&i.key)?, &fit(&i.nonce)?, &i.aad, &i.msg).into(),
        })
    }
    fn xchacha20poly1305_open(&mut self, i: &w::aead::XOpenIn) -> Answer<w::aead::MsgOut> {
        Ok(w::aead::MsgOut {
            msg: aead::xopen(&fit(&i.key)?, &fit(&i.nonce)?, &i.aad, &i.ct)?
                .to_vec()
                .into(),
        })
    }
    fn aes_gcm_seal(&mut self, i: &w::aes::GcmSealIn) -> Answer<w::aes::GcmSealed> {
        Ok(w::aes::GcmSealed {
            sealed: aes_gcm::seal(&i.key, &fit(&i.iv)?, &i.aad, &i.plaintext)?.into(),
        })
    }
    fn aes_gcm_open(&mut self, i: &w::aes::GcmOpenIn) -> Answer<w::aes::GcmOpened> {
        Ok(w::aes::GcmOpened {
            plaintext: aes_gcm::open(&i.key, &fit(&i.iv)?, &i.aad, &i.sealed)?.into(),
        })
    }
    fn x25519(&mut self, i: &w::x25519::X25519In) -> Answer<w::x25519::SharedOut> {
        Ok(w::x25519::SharedOut {
            shared: x25519::x25519(&fit(&i.scalar)?, &fit(&i.u)?).into(),
        })
    }
    fn mlkem768_keygen(&mut self, i: &w::mlkem::KeygenIn) -> Answer<w::mlkem::KeygenOut> {
        let (ek, dk) = ml_kem::keygen(&fit(&i.d)?, &fit(&i.z)?);
        Ok(w::mlkem::KeygenOut {
            ek: ek.into(),
            dk: dk.to_vec().into(),
        })
    }
    fn mlkem768_encaps(&mut self, i: &w::mlkem::EncapsIn) -> Answer<w::mlkem::EncapsOut> {
        let m = fit(&i.m)?;
        let (ss, ct) = ml_kem::encaps(&i.ek, &m)?;
        Ok(w::mlkem::EncapsOut {
            ct: ct.into(),
            ss: (*ss).into(),
        })
    }
    fn mlkem768_decaps(&mut self, i: &w::mlkem::DecapsIn) -> Answer<w::mlkem::DecapsOut> {
        Ok(w::mlkem::DecapsOut {
            ss: (*ml_kem::decaps(&i.dk, &i.ct)?).into(),
        })
    }
    fn handle_decode(&mut self, i: &w::handle::DecodeIn) -> Answer<w::handle::DecodeOut> {
        let mut r = Reader::new(&i.encoded);
        let h = handle::read_handle(&mut r)?;
        r.finish()?;
        Ok(w::handle::DecodeOut {
            canonical: handle::handle_bytes(&h).into(),
        })
    }
    fn identity_generate(
        &mut self,
        i: &w::identity::GenerateIn,
    ) -> Answer<w::identity::GenerateOut> {
        let s = IdentitySecret::from_randomness(parse(&i.handle)?, &fit(&i.randomness)?);
        let id = s.public();
        Ok(w::identity::GenerateOut::new(
            &identity::encode(id),
            &id.sig_pub,
            &id.dh_pub,
            &id.binding,
        ))
    }
    fn bundle_make(&mut self, i: &w::bundle::Store) -> Answer<w::bundle::MakeOut> {
        let (secret, store, opk_id, pqpk_id) = owner(i)?;
        let b = bundle::make_bundle(&secret, &store, opk_id, pqpk_id)?;
        Ok(w::bundle::MakeOut {
            bundle: bundle::encode(&b).into(),
        })
    }
    fn bundle_verify(&mut self, i: &w::bundle::BundleIn) -> Answer<w::bundle::VerifyOut> {
        bundle::decode(&i.bundle)?.verify()?;
        Ok(w::identity::Empty {})
    }
    fn handshake_initiate(
        &mut self,
        i: &w::handshake::InitiateIn,
    ) -> Answer<w::handshake::InitiateOut> {
        let alice =
            IdentitySecret::from_randomness(parse(&i.handle)?, &fit(&i.identity_randomness)?);
        let peer = parse(&i.peer)?;
        let b = bundle::decode(&i.bundle)?;
        let (ek_secret, kem_m, ratchet_secret) =
            (fit(&i.ek_secret)?, fit(&i.kem_m)?, fit(&i.ratchet_secret)?);
        let (mut state, header, ad, t) = handshake::initiate_unverified_traced(
            &alice,
            &peer,
            &b,
            &ek_secret,
            &kem_m,
            &ratchet_secret,
        )?;
        // The vector publishes the first message; the state is dropped.
        let body = state
            .encrypt(&ad, &PREKEY_PREFIX, &i.plaintext, &fit(&i.header_nonce)?)?
            .discard();
        Ok(w::handshake::InitiateOut {
            ek: header.ek.into(),
            dh1: traced_dh(&t, 0)?,
            dh2: traced_dh(&t, 1)?,
            dh3: traced_dh(&t, 2)?,
            dh4: traced_dh(&t, 3).ok(),
            ss: (*t.ss).into(),
            ct: t.ct.clone().into(),
            transcript: t.transcript.clone().into(),
            sk: t.keys.sk.into(),
            hka: t.keys.hka.into(),
            nhkb: t.keys.nhkb.into(),
            ad: t.keys.ad.into(),
            message: handshake::encode_prekey_message(&header, &body).into(),
        })
    }
    fn handshake_respond(
        &mut self,
        i: &w::handshake::RespondIn,
    ) -> Answer<w::handshake::RespondOut> {
        let (bob, mut store, _, _) = owner(&i.store)?;
        let (acc, t) =
            handshake::respond_traced(&bob, &store, &i.message, &fit(&i.ratchet_secret)?)?;
        let (opks, pqs) = (
            store.one_time_prekey_ids().len(),
            store.pq_prekey_ids().len(),
        );
        acc.commit(&mut store);
        Ok(w::handshake::RespondOut {
            initiator: identity::encode(&acc.header.initiator).into(),
            ek: acc.header.ek.into(),
            dh1: traced_dh(&t, 0)?,
            dh2: traced_dh(&t, 1)?,
            dh3: traced_dh(&t, 2)?,
            dh4: traced_dh(&t, 3).ok(),
            ss: (*t.ss).into(),
            sk: t.keys.sk.into(),
            hka: t.keys.hka.into(),
            nhkb: t.keys.nhkb.into(),
            ad: t.keys.ad.into(),
            plaintext: acc.plaintext.to_vec().into(),
            opk_consumed: store.one_time_prekey_ids().len() < opks,
            pqpk_consumed: store.pq_prekey_ids().len() < pqs,
        })
    }
    fn ratchet_hencrypt(&mut self, i: &w::ratchet::HencryptIn) -> Answer<w::ratchet::HencryptOut> {
        let header = ratchet::header(&fit(&i.dh)?, i.pn, i.n);
        Ok(w::ratchet::HencryptOut {
            enc_header: ratchet::hencrypt(&fit(&i.hk)?, &header, &fit(&i.nonce)?).into(),
        })
    }
    fn ratchet_session(&mut self, i: &w::ratchet::SessionIn) -> Answer<w::ratchet::SessionOut> {
        let (sk, hka, nhkb, ad) = (fit(&i.sk)?, fit(&i.hka)?, fit(&i.nhkb)?, fit::<32>(&i.ad)?);
        let bob_secret = fit(&i.bob_secret)?;
        let bob_pub = x25519::public_key(&bob_secret);
        let alice = RatchetState::init_alice(&sk, &bob_pub, &hka, &nhkb, &fit(&i.alice_secret)?)?;
        let bob = RatchetState::init_bob(&sk, &bob_secret, &bob_pub, &hka, &nhkb);
        run_steps(
            &mut Pair {
                states: [alice, bob],
                ad,
            },
            &i.steps,
        )
    }
    fn padme(&mut self, i: &w::padding::PadmeIn) -> Answer<w::padding::PadmeOut> {
        Ok(w::padding::PadmeOut {
            padded_len: padding::padme_checked(i.len)?,
        })
    }
    fn padding_pad(&mut self, i: &w::padding::PadIn) -> Answer<w::padding::PadOut> {
        Ok(w::padding::PadOut {
            padded: padding::pad(&i.content)?.into(),
        })
    }
    fn padding_unpad(&mut self, i: &w::padding::UnpadIn) -> Answer<w::padding::UnpadOut> {
        Ok(w::padding::UnpadOut {
            content: padding::unpad(&i.padded)?.to_vec().into(),
        })
    }
    fn content_encode(&mut self, i: &ContentFields) -> Answer<w::content::EncodedOut> {
        Ok(w::content::EncodedOut {
            encoded: content::encode(&content_in(i)?)?.into(),
        })
    }
    fn envelope_seal(&mut self, i: &w::envelope::SealIn) -> Answer<w::envelope::SealOut> {
        let sender =
            IdentitySecret::from_randomness(parse(&i.sender_handle)?, &fit(&i.sender_randomness)?);
        let mut rng = Replay::new(&[&i.r]);
        let e = envelope::seal(
            &sender,
            &fit(&i.recipient_dh_pub)?,
            &fit(&i.mailbox)?,
            &i.payload,
            &mut rng,
        )?;
        Ok(w::envelope::SealOut { envelope: e.into() })
    }
    fn light_envelope_decode(&mut self, i: &w::envelope::LightIn) -> Answer<w::envelope::LightOut> {
        let light = xchat::mailbox::decode_light(&i.envelope)?;
        Ok(w::envelope::LightOut {
            mailbox: Hex::from(&light.mailbox[..]),
        })
    }
    fn envelope_open(&mut self, i: &w::envelope::OpenIn) -> Answer<w::envelope::OpenOut> {
        // Opening uses nothing of the recipient's identity but its DH secret.
        let me =
            IdentitySecret::from_secrets(parse(b"recipient")?, &[0u8; 32], &fit(&i.dh_secret)?);
        let (sender, payload) = envelope::open(&me, &fit(&i.mailbox)?, &i.envelope)?;
        Ok(w::envelope::OpenOut {
            sender: identity::encode(&sender).into(),
            payload: payload.to_vec().into(),
        })
    }
    fn attachment_ciphertext_len(
        &mut self,
        i: &w::attachment::CiphertextLenIn,
    ) -> Answer<w::attachment::CiphertextLenOut> {
        Ok(w::attachment::CiphertextLenOut {
            ciphertext_len: attachment::ciphertext_len_checked(i.length)?,
        })
    }
    fn attachment_keys(&mut self, i: &w::attachment::KeysIn) -> Answer<w::attachment::KeysOut> {
        let (enc_key, commitment) = attachment::attachment_keys(&fit(&i.key)?)?;
        Ok(w::attachment::KeysOut {
            enc_key: (*enc_key).into(),
            commitment: commitment.into(),
        })
    }
    fn attachment_seal_chunk(
        &mut self,
        i: &w::attachment::SealChunkIn,
    ) -> Answer<w::attachment::SealChunkOut> {
        let s = attachment::seal_chunk(&fit(&i.enc_key)?, i.index, i.last, &i.chunk)?;
        Ok(w::attachment::SealChunkOut { sealed: s.into() })
    }
    fn attachment_open_chunk(
        &mut self,
        i: &w::attachment::OpenChunkIn,
    ) -> Answer<w::attachment::OpenChunkOut> {
        let c = attachment::open_chunk(&fit(&i.enc_key)?, i.index, i.last, &i.sealed)?;
        Ok(w::attachment::OpenChunkOut {
            chunk: c.to_vec().into(),
        })
    }
    fn attachment_seal(&mut self, i: &w::attachment::SealIn) -> Answer<w::attachment::SealOut> {
        // The impl draws K from its RNG: replay the request's K.
        let mut rng = Replay::new(&[&fit::<32>(&i.key)?]);
        let (_, ct) = attachment::seal(MediaKind::File, &mut rng, &i.file)?;
        Ok(w::attachment::SealOut {
            ciphertext: ct.into(),
        })
    }
    fn attachment_open(&mut self, i: &w::attachment::OpenIn) -> Answer<w::attachment::OpenOut> {
        let pointer = AttachmentPointer::new(MediaKind::File, fit(&i.key)?, i.length)?;
        Ok(w::attachment::OpenOut {
            file: attachment::open(&pointer, &i.ciphertext)?.to_vec().into(),
        })
    }
    fn call_run(&mut self, i: &w::call::RunIn) -> Answer<w::call::RunOut> {
        call_run(i)
    }
    fn call_replay_window(&mut self, i: &w::call::WindowIn) -> Answer<w::call::WindowOut> {
        let mut win = ReplayWindow::default();
        let mut accepted = Vec::new();
        for ctr in &i.ctrs {
            let ok = win.accepts(*ctr);
            if ok {
                win.mark(*ctr);
            }
            accepted.push(ok);
        }
        Ok(w::call::WindowOut { accepted })
    }
    fn session_run(&mut self, i: &w::session::RunIn) -> Answer<w::session::RunOut> {
        session_run(i)
    }
    fn session_receive_responder(
        &mut self,
        i: &w::session::ResponderIn,
    ) -> Answer<w::session::ReceiveOut> {
        let (me, store, _, _) = owner(&i.store)?;
        let mut account = Account::new(me, store, fit(&i.mailbox)?);
        receive_all(&mut account, &i.mailbox, &i.deliveries)
    }
    fn session_receive_initiator(
        &mut self,
        i: &w::session::InitiatorIn,
    ) -> Answer<w::session::ReceiveOut> {
        let me = IdentitySecret::from_randomness(parse(&i.handle)?, &fit(&i.identity_randomness)?);
        let b = bundle::decode(&i.bundle)?.verify()?;
        let mut acct = Account::new(me, PrekeyStore::new(0, &[0u8; 32]), fit(&i.mailbox)?);
        acct.start_with(
            &parse(&i.peer)?,
            &b,
            &fit(&i.ek_secret)?,
            &fit(&i.kem_m)?,
            &fit(&i.ratchet_secret)?,
        )?;
        receive_all(&mut acct, &i.mailbox, &i.deliveries)
    }
}

/// One party of a `session_run` on the impl: its account (with its
/// published mailbox) and draw counter (the scenario runner's,
/// `xchat_spec::scenario`).
#[derive(Clone)]
struct Party {
    who: scenario::Party,
    account: Account,
    draws: u32,
}

/// The scenario's set-up of one party, done with the impl's types.
fn set_up(seed: &[u8; 32], who: scenario::Party, with_opk: bool, k: PqKind) -> Answer<Party> {
    let claimed = scenario::claimed_handle(who);
    let mut r = [0u8; 64];
    r[..32].copy_from_slice(&party_draw(seed, who, b"identity", 0));
    r[32..].copy_from_slice(&party_draw(seed, who, b"identity", 1));
    let id = IdentitySecret::from_randomness(parse(claimed)?, &r);
    let mut store = PrekeyStore::new(1, &party_draw(seed, who, b"signed prekey", 0));
    if with_opk {
        store.add_one_time_prekey(7, &party_draw(seed, who, b"one-time prekey", 0));
    }
    let mut dz = [0u8; 64];
    dz[..32].copy_from_slice(&party_draw(seed, who, b"pq prekey d", 0));
    dz[32..].copy_from_slice(&party_draw(seed, who, b"pq prekey z", 0));
    store.add_pq_prekey(PqPrekeySecret::from_randomness(3, k, &dz));
    let mut mailbox = [0u8; 16];
    mailbox.copy_from_slice(&party_draw(seed, who, b"mailbox", 0)[..16]);
    Ok(Party {
        who,
        account: Account::new(id, store, mailbox),
        draws: 0,
    })
}

/// The directory's bundle for a party: current signed prekey, first
/// one-time prekey held, first PQ prekey held.
fn served_bundle(p: &Party) -> Result<bundle::VerifiedBundle, xchat::Error> {
    let store = p.account.store();
    let opk = store.one_time_prekey_ids().first().copied();
    let pq = store
        .pq_prekey_ids()
        .first()
        .map(|(id, _)| *id)
        .ok_or(xchat::Error::UnknownPrekey)?;
    bundle::make_bundle(p.account.identity(), store, opk, pq)?.verify()
}

/// The relay of an impl `session_run`: every envelope posted, where, by
/// whom, for whom, and whether it was dropped (the harness's, as in
/// `spec/src/scenario.rs`).
#[derive(Default)]
struct Relay {
    wire: Vec<Vec<u8>>,
    posted: Vec<[u8; 16]>,
    senders: Vec<usize>,
    recipients: Vec<usize>,
    dropped: Vec<bool>,
}

impl Relay {
    /// Whether `index` names an envelope that was not dropped.
    fn live(&self, index: usize) -> bool {
        index < self.wire.len() && !self.dropped[index]
    }

    /// The outcome of a send: posts the envelope, or reports the error.
    fn post<E: Into<xchat::Error>>(
        &mut self,
        from: Who,
        to: Who,
        sent: Result<Outgoing, E>,
    ) -> Outcome {
        match sent.map_err(Into::into) {
            Ok(out) => {
                self.wire.push(out.envelope);
                self.posted.push(out.mailbox);
                self.senders.push(scenario::index_of(from.into()));
                self.recipients.push(scenario::index_of(to.into()));
                self.dropped.push(false);
                Outcome::Sent {
                    index: self.wire.len() - 1,
                    from,
                    to,
                }
            }
            Err(e) => Outcome::SendFailed {
                from,
                to,
                error: e.into(),
            },
        }
    }
}

/// `p` receives `envelope` (wire index `index`) at `mailbox` with its
/// `receive` draw; only a message counts the draw.
fn deliver(
    seed: &[u8; 32],
    p: &mut Party,
    index: usize,
    mailbox: &[u8; 16],
    envelope: &[u8],
) -> Outcome {
    let secret = party_draw(seed, p.who, b"receive", p.draws);
    let to = Who::from(p.who);
    match p.account.receive_with(mailbox, envelope, &secret) {
        Ok(Receipt::Message(rec)) => {
            p.draws = p.draws.wrapping_add(1);
            Outcome::Delivered {
                index,
                to,
                content: content_out(&rec.content),
            }
        }
        Ok(Receipt::IdentityChanged { offered, .. }) => Outcome::IdentityChanged {
            index,
            to,
            offered: identity::encode(&offered).into(),
        },
        Err(e) => Outcome::Rejected {
            index,
            to,
            error: e.into(),
        },
    }
}

/// `session_run` on the impl: the scripted runner of `spec/src/scenario.rs`
/// (its set-up, randomness derivation and network are the harness's), with
/// every protocol step done by the impl's `Account`.
fn session_run(i: &w::session::RunIn) -> Answer<w::session::RunOut> {
    let seed: [u8; 32] = fit(&i.seed)?;
    let k = pq_kind(i.pq_kind)?;
    let mut parties = Vec::new();
    for who in scenario::PARTIES {
        parties.push(set_up(&seed, who, i.with_opk, k)?);
    }
    let at = |w: Who| scenario::index_of(w.into());
    // A snapshot is what an application stores: the account's export (and
    // the harness's draw counter); a restore imports it, so every
    // `Restore` event runs `Account::export` and `Account::import`.
    let mut snapshots: Vec<Option<(Vec<u8>, u32)>> = vec![None; parties.len()];
    let mut relay = Relay::default();
    let mut outcomes = Vec::new();
    for e in &i.events {
        outcomes.push(match e {
            EventIn::Start { from, to } => {
                let bundle = served_bundle(&parties[at(*to)]);
                let peer = *parties[at(*to)].account.identity().handle();
                let p = &mut parties[at(*from)];
                let n = p.draws;
                let r = bundle.and_then(|b| {
                    p.account
                        .start_with(
                            &peer,
                            &b,
                            &party_draw(&seed, p.who, b"handshake ephemeral", n),
                            &party_draw(&seed, p.who, b"handshake kem", n),
                            &party_draw(&seed, p.who, b"handshake ratchet", n),
                        )
                        .map_err(xchat::Error::from)
                });
                match r {
                    Ok(()) => {
                        p.draws = n.wrapping_add(1);
                        Outcome::Started {
                            from: *from,
                            to: *to,
                        }
                    }
                    Err(e) => Outcome::StartFailed {
                        from: *from,
                        to: *to,
                        error: e.into(),
                    },
                }
            }
            EventIn::Send { from, to, text } => {
                let published = *parties[at(*to)].account.mailbox();
                let peer = *parties[at(*to)].account.identity().handle();
                // The impl's text type is a `String`: a text that is not
                // UTF-8 cannot be made into a content, which is the impl's
                // REQ-CONTENT-002 rejection (SPEC.md section 15.1), the
                // spec's `send_failed` with `Malformed`.
                let Ok(text) = String::from_utf8(text.0.clone()) else {
                    outcomes.push(Outcome::SendFailed {
                        from: *from,
                        to: *to,
                        error: xchat::Error::Malformed.into(),
                    });
                    continue;
                };
                let p = &mut parties[at(*from)];
                let n = p.draws;
                let mut rng = Replay::new(&[
                    &party_draw(&seed, p.who, b"send nonce", n)[..24],
                    &party_draw(&seed, p.who, b"send envelope", n),
                ]);
                let sent = p
                    .account
                    .send(&peer, &Content::Text(text), &published, &mut rng);
                if sent.is_ok() {
                    p.draws = n.wrapping_add(1);
                }
                relay.post(*from, *to, sent)
            }
            EventIn::OfferMailbox { from, to } => {
                let published = *parties[at(*to)].account.mailbox();
                let peer = *parties[at(*to)].account.identity().handle();
                let p = &mut parties[at(*from)];
                let n = p.draws;
                let mut rng = Replay::new(&[
                    &party_draw(&seed, p.who, b"pairwise mailbox", n)[..16],
                    &party_draw(&seed, p.who, b"send nonce", n)[..24],
                    &party_draw(&seed, p.who, b"send envelope", n),
                ]);
                let sent = p.account.offer_mailbox(&peer, &published, &mut rng);
                if sent.is_ok() {
                    p.draws = n.wrapping_add(1);
                }
                relay.post(*from, *to, sent)
            }
            EventIn::OfferHeldMailbox {
                from,
                to,
                published,
            } => {
                let peer_published = *parties[at(*to)].account.mailbox();
                let peer = *parties[at(*to)].account.identity().handle();
                let p = &mut parties[at(*from)];
                let held = if *published {
                    Some(*p.account.mailbox())
                } else {
                    p.account
                        .contact(&peer)
                        .and_then(|c| c.mailboxes().first().copied())
                };
                match held {
                    Some(m) => {
                        let n = p.draws;
                        let mut rng = Replay::new(&[
                            &party_draw(&seed, p.who, b"send nonce", n)[..24],
                            &party_draw(&seed, p.who, b"send envelope", n),
                        ]);
                        let sent =
                            p.account
                                .offer_mailbox_with(&peer, &m, &peer_published, &mut rng);
                        if sent.is_ok() {
                            p.draws = n.wrapping_add(1);
                        }
                        relay.post(*from, *to, sent)
                    }
                    None => Outcome::Ignored,
                }
            }
            EventIn::Inject { from, to, payload } => {
                // A hostile but authenticated peer: the payload sealed
                // verbatim with the impl's envelope layer (SPEC.md section
                // 12), from `from`'s identity to `to`'s published mailbox,
                // with `from`'s `send envelope` draw.
                let target = &parties[at(*to)];
                let published = *target.account.mailbox();
                let recipient_dh = target.account.identity().public().dh_pub;
                let p = &mut parties[at(*from)];
                let n = p.draws;
                let mut rng = Replay::new(&[&party_draw(&seed, p.who, b"send envelope", n)]);
                let sent = envelope::seal(
                    p.account.identity(),
                    &recipient_dh,
                    &published,
                    &payload.0,
                    &mut rng,
                )
                .map(|envelope| Outgoing {
                    mailbox: published,
                    envelope,
                });
                if sent.is_ok() {
                    p.draws = n.wrapping_add(1);
                }
                relay.post(*from, *to, sent)
            }
            EventIn::Gone { index } => {
                let ix = *index;
                if relay.live(ix) {
                    relay.dropped[ix] = true;
                    let (f, t) = (relay.senders[ix], relay.recipients[ix]);
                    let published = *parties[t].account.mailbox();
                    let peer = *parties[t].account.identity().handle();
                    let light = relay.wire[ix].clone();
                    let p = &mut parties[f];
                    let n = p.draws;
                    let mut rng = Replay::new(&[&party_draw(&seed, p.who, b"send envelope", n)]);
                    let sent = p.account.resend_sealed(&peer, &light, &published, &mut rng);
                    if sent.is_ok() {
                        p.draws = n.wrapping_add(1);
                    }
                    let (from, to) = (Who::from(parties[f].who), Who::from(parties[t].who));
                    relay.post(from, to, sent)
                } else {
                    Outcome::Ignored
                }
            }
            EventIn::Drop { index } => {
                if let Some(d) = relay.dropped.get_mut(*index) {
                    *d = true;
                }
                Outcome::Ignored
            }
            EventIn::Deliver { index }
            | EventIn::Duplicate { index }
            | EventIn::Tamper { index, .. } => {
                let ix = *index;
                if relay.live(ix) {
                    let mut envelope = relay.wire[ix].clone();
                    if let EventIn::Tamper { byte, mask, .. } = e {
                        if !envelope.is_empty() {
                            let at = byte % envelope.len();
                            envelope[at] ^= if *mask == 0 { 1 } else { *mask };
                        }
                    }
                    let mailbox = relay.posted[ix];
                    deliver(
                        &seed,
                        &mut parties[relay.recipients[ix]],
                        ix,
                        &mailbox,
                        &envelope,
                    )
                } else {
                    Outcome::Ignored
                }
            }
            EventIn::Misdeliver { index, to, of } => {
                let target = &parties[at(*to)];
                let mailbox = match of {
                    None => Some(*target.account.mailbox()),
                    Some(peer) => {
                        let h = *parties[at(*peer)].account.identity().handle();
                        target
                            .account
                            .contact(&h)
                            .and_then(|c| c.mailboxes().first().copied())
                    }
                };
                match mailbox {
                    Some(m) if relay.live(*index) => {
                        let envelope = relay.wire[*index].clone();
                        deliver(&seed, &mut parties[at(*to)], *index, &m, &envelope)
                    }
                    _ => Outcome::Ignored,
                }
            }
            EventIn::AcceptIdentity { who, of } => {
                let offered = parties[at(*of)].account.identity().public().clone();
                match parties[at(*who)].account.accept_identity(&offered) {
                    Ok(()) => Outcome::Done,
                    Err(_) => Outcome::Ignored,
                }
            }
            EventIn::RotatePrekey { who } => {
                let p = &mut parties[at(*who)];
                let secret = party_draw(&seed, p.who, b"rotated signed prekey", p.draws);
                p.account.rotate_signed_prekey_with(&secret);
                p.draws = p.draws.wrapping_add(1);
                Outcome::Done
            }
            EventIn::Snapshot { who } => {
                let p = &parties[at(*who)];
                snapshots[at(*who)] = Some((p.account.export().to_vec(), p.draws));
                Outcome::Done
            }
            EventIn::Restore { who } => match &snapshots[at(*who)] {
                Some((export, draws)) => {
                    let p = &mut parties[at(*who)];
                    p.account = Account::import(export)?;
                    p.draws = *draws;
                    Outcome::Done
                }
                None => Outcome::Ignored,
            },
        });
    }
    Ok(w::session::RunOut {
        wire: relay.wire.into_iter().map(Hex).collect(),
        posted: relay.posted.iter().map(|m| Hex::from(&m[..])).collect(),
        outcomes,
    })
}
