//! The executable specification (`xchat-spec`) behind the interface: the
//! oracle of the vectors and of `run --random`, and `run --impl spec`.
//! The spec defines the byte-string interface, so a fixed-length input of
//! another length is its `InvalidLength` here.

use xchat_spec::account::{self, Account, Receipt};
use xchat_spec::bundle::{self, PqKind, PrekeyStore};
use xchat_spec::call::{self as spec_call, Calls};
use xchat_spec::content::{self, AttachmentPointer, CallKey, CallSignal, Content, MediaKind};
use xchat_spec::handle::{self, Handle};
use xchat_spec::identity::{self, IdentitySecret};
use xchat_spec::ratchet::{self, RatchetState};
use xchat_spec::scenario::{self, Setup};
use xchat_spec::session;
use xchat_spec::sframe::KeyAndSalt;
use xchat_spec::suite::{dh, public_key};
use xchat_spec::{
    aes, aes_ctr, aes_gcm, attachment, chacha20poly1305, ed25519, envelope, fingerprint, handshake,
    hkdf, hmac, ml_kem, padding, sframe, sha2, sha3, x25519, xchacha20poly1305,
};

use crate::conformance::Conformance;
use crate::ops as w;
use crate::ops::content::{ContentFields, ContentIn};
use crate::ops::ratchet::{run_steps, RatchetPair, Side};
use crate::ops::session::{Delivery, Outcome};
use crate::wire::{Answer, Error, ErrorKind, Hex};

/// The executable specification.
pub struct Spec;

/// `h` as `N` bytes; `InvalidLength` otherwise.
fn fixed<const N: usize>(h: &Hex) -> Answer<[u8; N]> {
    h.array().ok_or(Error::Kind(ErrorKind::InvalidLength))
}

/// A length or index as `usize`.
fn size(n: u64) -> Answer<usize> {
    usize::try_from(n).map_err(Error::bad_request)
}

fn parse(bytes: &[u8]) -> Answer<Handle> {
    Ok(handle::parse_handle(bytes)?)
}

/// The identity of `handle` generated from `randomness` (64 bytes).
fn identity_of(handle: &[u8], randomness: &Hex) -> Answer<IdentitySecret> {
    Ok(identity::generate(&parse(handle)?, &fixed(randomness)?).0)
}

/// A PQ prekey kind from its wire number (`Malformed` if not 1 or 2).
pub fn pq_kind(k: u64) -> Answer<PqKind> {
    let b = u8::try_from(k).map_err(|_| Error::Kind(ErrorKind::Malformed))?;
    Ok(bundle::kind_of_byte(b)?)
}

/// The owner's identity and prekey store (the fields of `bundle_make`).
fn owner(s: &w::bundle::Store) -> Answer<(IdentitySecret, PrekeyStore)> {
    let secret = identity_of(&s.handle, &s.identity_randomness)?;
    let kind = pq_kind(s.pqpk_kind)?;
    let pq = bundle::generate_pq_prekey(s.pqpk_id, kind, &fixed(&s.pqpk_randomness)?);
    let opks = match (s.opk_id, &s.opk_secret) {
        (Some(id), Some(secret)) => vec![(id, fixed(secret)?)],
        (None, _) => Vec::new(),
        (Some(_), None) => return Err(Error::bad_request("opk_id without opk_secret")),
    };
    let store = PrekeyStore {
        spk_id: s.spk_id,
        spk_secret: fixed(&s.spk_secret)?,
        retired_spks: Vec::new(),
        opks,
        pqpks: vec![pq],
    };
    Ok((secret, store))
}

/// The suite, key and salt of an SFrame op: the key is passed as given
/// (SFrame checks its length), the salt must have 12 bytes.
fn sframe_key_salt(k: &w::sframe::SuiteKey) -> Answer<(sframe::CipherSuite, KeyAndSalt)> {
    let suite = w::sframe::suite(k.suite, sframe::CipherSuite::from_id)?;
    let ks = KeyAndSalt {
        key: k.sframe_key.to_vec(),
        salt: fixed(&k.sframe_salt)?,
    };
    Ok((suite, ks))
}

/// `sframe_key` and `sframe_salt`.
fn sframe_parts(ks: &KeyAndSalt) -> (&[u8], &[u8; sframe::NONCE_LEN]) {
    (&ks.key, &ks.salt)
}

/// A content from its wire fields.
pub fn content_in(c: &ContentFields) -> Answer<Content> {
    Ok(match c.read()? {
        ContentIn::Text(t) => Content::Text(t.to_vec()),
        ContentIn::Attachment { kind, key, length } => {
            let k = u8::try_from(kind).map_err(|_| Error::Kind(ErrorKind::Malformed))?;
            Content::Attachment(AttachmentPointer {
                kind: content::kind_of_byte(k)?,
                key: fixed(key)?,
                length,
            })
        }
        ContentIn::MailboxUpdate { serial, mailbox } => Content::MailboxUpdate {
            serial: u32::try_from(serial).map_err(|_| Error::Kind(ErrorKind::Malformed))?,
            mailbox: fixed(mailbox)?,
        },
        ContentIn::Call {
            signal,
            call_id,
            key,
            params,
        } => {
            let call_id = fixed(call_id)?;
            let key = match key {
                Some((kid, base_key)) => Some(CallKey {
                    kid,
                    base_key: fixed(base_key)?,
                }),
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
                _ => return Err(ErrorKind::Malformed.into()),
            })
        }
    })
}

/// The wire fields of a call signal.
fn call_out(s: &CallSignal) -> ContentFields {
    let id = content::call_id_of(s);
    match s {
        CallSignal::Offer { key, params, .. } => {
            ContentFields::call(1, &id, Some((key.kid, &key.base_key)), Some(params))
        }
        CallSignal::Answer { key, params, .. } => {
            ContentFields::call(2, &id, Some((key.kid, &key.base_key)), Some(params))
        }
        CallSignal::Reject { .. } => ContentFields::call(3, &id, None, None),
        CallSignal::HangUp { .. } => ContentFields::call(4, &id, None, None),
        CallSignal::KeyUpdate { key, .. } => {
            ContentFields::call(5, &id, Some((key.kid, &key.base_key)), None)
        }
    }
}

/// `call_run` on the spec (SPEC.md section 20): both parties' `Calls`,
/// every signal and frame made, each step's result; a failed step keeps
/// the state it was given.
fn call_run(i: &w::call::RunIn) -> Answer<w::call::RunOut> {
    use w::call::{frame_to_open, CallStep as S, Made, StepResult, HANDLES};
    let handles = [parse(HANDLES[0].as_bytes())?, parse(HANDLES[1].as_bytes())?];
    let mut calls = [spec_call::new_calls(), spec_call::new_calls()];
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
            }
            | S::Answer {
                side,
                call_id,
                base_key,
                params,
            } => {
                let w = side.index();
                let (id, key) = (fixed(call_id)?, fixed(base_key)?);
                let r = if matches!(step, S::Start { .. }) {
                    spec_call::start(calls[w].clone(), &handles[1 - w], &id, &key, params)
                } else {
                    spec_call::answer(calls[w].clone(), &handles[1 - w], &id, &key, params)
                };
                signal_step(&mut calls[w], &mut signals, w, r)
            }
            S::Reject { side, call_id } | S::HangUp { side, call_id } => {
                let w = side.index();
                let id = fixed(call_id)?;
                let r = if matches!(step, S::Reject { .. }) {
                    spec_call::reject(calls[w].clone(), &handles[1 - w], &id)
                } else {
                    spec_call::hang_up(calls[w].clone(), &handles[1 - w], &id)
                };
                signal_step(&mut calls[w], &mut signals, w, r)
            }
            S::Rekey {
                side,
                call_id,
                base_key,
            } => {
                let w = side.index();
                let r = spec_call::rekey(
                    calls[w].clone(),
                    &handles[1 - w],
                    &fixed(call_id)?,
                    &fixed(base_key)?,
                );
                signal_step(&mut calls[w], &mut signals, w, r)
            }
            S::Deliver { index } => {
                let (from, sig) = signals.get(*index).ok_or_else(bad)?;
                let to = 1 - *from;
                match spec_call::receive_signal(calls[to].clone(), &handles[*from], sig) {
                    Ok(c) => {
                        calls[to] = c;
                        Ok(Vec::new())
                    }
                    Err(e) => Err(e.into()),
                }
            }
            S::Encrypt {
                side,
                call_id,
                metadata,
                frame,
            } => {
                let w = side.index();
                let id = fixed(call_id)?;
                match spec_call::encrypt_frame(
                    calls[w].clone(),
                    &handles[1 - w],
                    &id,
                    metadata,
                    frame,
                ) {
                    Ok((c, f)) => {
                        calls[w] = c;
                        frames.push(Made {
                            side: w,
                            call_id: id,
                            bytes: f.clone(),
                        });
                        Ok(f)
                    }
                    Err(e) => Err(e.into()),
                }
            }
            S::Decrypt {
                index,
                metadata,
                flip,
                cut,
            } => {
                let f = frame_to_open(&frames, *index, *flip, *cut)?;
                let to = 1 - f.side;
                match spec_call::decrypt_frame(
                    calls[to].clone(),
                    &handles[f.side],
                    &f.call_id,
                    metadata,
                    &f.bytes,
                ) {
                    Ok((c, pt)) => {
                        calls[to] = c;
                        Ok(pt)
                    }
                    Err(e) => Err(e.into()),
                }
            }
        };
        results.push(StepResult::of(r));
    }
    Ok(w::call::RunOut { results })
}

/// A step that makes a signal: the new state and the signal kept on
/// success, the encoded content as the output.
fn signal_step(
    state: &mut Calls,
    signals: &mut Vec<(usize, CallSignal)>,
    from: usize,
    r: Result<(Calls, CallSignal), xchat_spec::Error>,
) -> Result<Vec<u8>, Error> {
    match r {
        Ok((c, sig)) => {
            *state = c;
            let bytes = content::encode(&Content::Call(sig.clone()));
            signals.push((from, sig));
            Ok(bytes)
        }
        Err(e) => Err(e.into()),
    }
}

/// The wire fields of a content.
pub fn content_out(c: &Content) -> ContentFields {
    match c {
        Content::Text(t) => ContentFields::text(t),
        Content::Attachment(p) => {
            ContentFields::attachment(content::kind_byte(p.kind), &p.key, p.length)
        }
        Content::MailboxUpdate { serial, mailbox } => {
            ContentFields::mailbox_update(*serial, mailbox)
        }
        Content::Call(sig) => call_out(sig),
    }
}

/// One outcome of a scenario run.
fn outcome_out(o: &scenario::Outcome) -> Outcome {
    use scenario::Outcome as O;
    match o.clone() {
        O::Started { from, to } => Outcome::Started {
            from: from.into(),
            to: to.into(),
        },
        O::StartFailed { from, to, error } => Outcome::StartFailed {
            from: from.into(),
            to: to.into(),
            error: error.into(),
        },
        O::Sent { index, from, to } => Outcome::Sent {
            index,
            from: from.into(),
            to: to.into(),
        },
        O::SendFailed { from, to, error } => Outcome::SendFailed {
            from: from.into(),
            to: to.into(),
            error: error.into(),
        },
        O::Delivered { index, to, content } => Outcome::Delivered {
            index,
            to: to.into(),
            content: content_out(&content),
        },
        O::IdentityChanged { index, to, offered } => Outcome::IdentityChanged {
            index,
            to: to.into(),
            offered: identity::encode(&offered).into(),
        },
        O::Rejected { index, to, error } => Outcome::Rejected {
            index,
            to: to.into(),
            error: error.into(),
        },
        O::Done => Outcome::Done,
        O::Ignored => Outcome::Ignored,
    }
}

/// Receives `deliveries` in order into `acct`, each failure leaving it
/// unchanged.
fn receive_all(
    mut acct: Account,
    mailbox: &Hex,
    deliveries: &[Delivery],
) -> Answer<w::session::ReceiveOut> {
    let mailbox = fixed(mailbox)?;
    let mut results = Vec::new();
    for d in deliveries {
        let r = account::receive(&acct, &mailbox, &d.envelope, &fixed(&d.secret)?);
        let r = r.map(|(next, receipt)| {
            acct = next;
            receipt
        });
        results.push(crate::receipt_out!(
            r,
            Receipt,
            identity::encode,
            content_out
        ));
    }
    Ok(w::session::ReceiveOut { results })
}

/// The DH outputs of a handshake, recomputed step by step (SPEC.md
/// section 8): the spec is the definition of every intermediate value.
fn dhs(pairs: &[(&[u8; 32], &[u8; 32])]) -> Answer<Vec<[u8; 32]>> {
    pairs.iter().map(|(s, p)| Ok(dh(s, p)?)).collect()
}

/// `DH1 || DH2 || DH3 [|| DH4]`, `SS` and `T` to the keys.
fn derive(dh: &[[u8; 32]], ss: &[u8; 32], t: &[u8]) -> Answer<handshake::HandshakeKeys> {
    Ok(handshake::derive_keys(&dh.concat(), ss, t)?)
}

/// Alice's and Bob's ratchet states in a `ratchet_session`.
struct Pair {
    states: [RatchetState; 2],
    ad: [u8; 32],
}

impl RatchetPair for Pair {
    fn send(&mut self, from: Side, plaintext: &[u8], r: &Hex) -> Answer<Result<Vec<u8>, Error>> {
        let p = from.index();
        Ok(
            ratchet::encrypt_message(&self.states[p], &self.ad, plaintext, &fixed(r)?)
                .map(|(next, m)| {
                    self.states[p] = next;
                    m
                })
                .map_err(Error::from),
        )
    }
    fn receive(
        &mut self,
        to: Side,
        message: &[u8],
        secret: &Hex,
    ) -> Answer<Result<Vec<u8>, Error>> {
        let p = to.index();
        Ok(
            ratchet::decrypt_message(&self.states[p], &self.ad, message, &fixed(secret)?)
                .map(|(next, m)| {
                    self.states[p] = next;
                    m
                })
                .map_err(Error::from),
        )
    }
}

impl Conformance for Spec {
    mirrored!(fixed);

    fn sha256(&mut self, i: &w::hash::MsgIn) -> Answer<w::hash::Digest32> {
        Ok(w::hash::Digest32 {
            digest: sha2::sha256(&i.msg).into(),
        })
    }
    fn sha512(&mut self, i: &w::hash::MsgIn) -> Answer<w::hash::Digest64> {
        Ok(w::hash::Digest64 {
            digest: sha2::sha512(&i.msg).into(),
        })
    }
    fn sha3_256(&mut self, i: &w::hash::MsgIn) -> Answer<w::hash::Digest32> {
        Ok(w::hash::Digest32 {
            digest: sha3::sha3_256(&i.msg).into(),
        })
    }
    fn sha3_512(&mut self, i: &w::hash::MsgIn) -> Answer<w::hash::Digest64> {
        Ok(w::hash::Digest64 {
            digest: sha3::sha3_512(&i.msg).into(),
        })
    }
    fn shake128(&mut self, i: &w::hash::ShakeIn) -> Answer<w::hash::ShakeOut> {
        Ok(w::hash::ShakeOut {
            out: sha3::shake128(&i.msg, size(i.len)?).into(),
        })
    }
    fn shake256(&mut self, i: &w::hash::ShakeIn) -> Answer<w::hash::ShakeOut> {
        Ok(w::hash::ShakeOut {
            out: sha3::shake256(&i.msg, size(i.len)?).into(),
        })
    }
    fn hmac_sha256(&mut self, i: &w::mac_kdf::HmacIn) -> Answer<w::mac_kdf::Tag32> {
        Ok(w::mac_kdf::Tag32 {
            tag: hmac::hmac_sha256(&i.key, &i.msg).into(),
        })
    }
    fn hmac_sha512(&mut self, i: &w::mac_kdf::HmacIn) -> Answer<w::mac_kdf::Tag64> {
        Ok(w::mac_kdf::Tag64 {
            tag: hmac::hmac_sha512(&i.key, &i.msg).into(),
        })
    }
    fn hkdf_sha256(&mut self, i: &w::mac_kdf::Hkdf256In) -> Answer<w::mac_kdf::OkmOut> {
        let okm = hkdf::hkdf_sha256(&i.salt, &i.ikm, &i.info, size(i.len)?)?;
        Ok(w::mac_kdf::OkmOut { okm: okm.into() })
    }
    fn hkdf_sha512(&mut self, i: &w::mac_kdf::Hkdf512In) -> Answer<w::mac_kdf::OkmOut> {
        let okm = hkdf::hkdf_sha512(&i.salt, &i.ikm, &i.info, size(i.len)?)?;
        Ok(w::mac_kdf::OkmOut { okm: okm.into() })
    }
    fn chacha20poly1305_seal(&mut self, i: &w::aead::SealIn) -> Answer<w::aead::CtOut> {
        let ct = chacha20poly1305::seal(&fixed(&i.key)?, &fixed(&i.nonce)?, &i.aad, &i.msg);
        Ok(w::aead::CtOut { ct: ct.into() })
    }
    fn chacha20poly1305_open(&mut self, i: &w::aead::OpenIn) -> Answer<w::aead::MsgOut> {
        let msg = chacha20poly1305::open(&fixed(&i.key)?, &fixed(&i.nonce)?, &i.aad, &i.ct)?;
        Ok(w::aead::MsgOut { msg: msg.into() })
    }
    fn xchacha20poly1305_seal(&mut self, i: &w::aead::XSealIn) -> Answer<w::aead::CtOut> {
        let ct = xchacha20poly1305::seal(&fixed(&i.key)?, &fixed(&i.nonce)?, &i.aad, &i.msg);
        Ok(w::aead::CtOut { ct: ct.into() })
    }
    fn xchacha20poly1305_open(&mut self, i: &w::aead::XOpenIn) -> Answer<w::aead::MsgOut> {
        let msg = xchacha20poly1305::open(&fixed(&i.key)?, &fixed(&i.nonce)?, &i.aad, &i.ct)?;
        Ok(w::aead::MsgOut { msg: msg.into() })
    }
    fn aes_encrypt_block(&mut self, i: &w::aes::BlockIn) -> Answer<w::aes::BlockOut> {
        let round_keys = aes::key_expansion(&i.key)?;
        Ok(w::aes::BlockOut {
            ciphertext: aes::cipher(&round_keys, &fixed(&i.block)?).into(),
        })
    }
    fn aes_gcm_seal(&mut self, i: &w::aes::GcmSealIn) -> Answer<w::aes::GcmSealed> {
        Ok(w::aes::GcmSealed {
            sealed: aes_gcm::seal(&i.key, &i.iv, &i.aad, &i.plaintext)?.into(),
        })
    }
    fn aes_gcm_open(&mut self, i: &w::aes::GcmOpenIn) -> Answer<w::aes::GcmOpened> {
        Ok(w::aes::GcmOpened {
            plaintext: aes_gcm::open(&i.key, &i.iv, &i.aad, &i.sealed)?.into(),
        })
    }
    fn x25519(&mut self, i: &w::x25519::X25519In) -> Answer<w::x25519::SharedOut> {
        let shared = x25519::x25519(&fixed(&i.scalar)?, &fixed(&i.u)?);
        Ok(w::x25519::SharedOut {
            shared: shared.into(),
        })
    }
    fn mlkem768_keygen(&mut self, i: &w::mlkem::KeygenIn) -> Answer<w::mlkem::KeygenOut> {
        let (ek, dk) = ml_kem::keygen_internal(&fixed(&i.d)?, &fixed(&i.z)?);
        Ok(w::mlkem::KeygenOut {
            ek: ek.into(),
            dk: dk.into(),
        })
    }
    fn mlkem768_encaps(&mut self, i: &w::mlkem::EncapsIn) -> Answer<w::mlkem::EncapsOut> {
        let m = fixed(&i.m)?;
        let (ss, ct) = ml_kem::encaps_internal(&i.ek, &m)?;
        Ok(w::mlkem::EncapsOut {
            ct: ct.into(),
            ss: ss.into(),
        })
    }
    fn mlkem768_decaps(&mut self, i: &w::mlkem::DecapsIn) -> Answer<w::mlkem::DecapsOut> {
        Ok(w::mlkem::DecapsOut {
            ss: ml_kem::decaps_internal(&i.dk, &i.ct)?.into(),
        })
    }
    fn handle_decode(&mut self, i: &w::handle::DecodeIn) -> Answer<w::handle::DecodeOut> {
        let (h, end) = handle::read_handle(&i.encoded, 0)?;
        xchat_spec::encoding::expect_end(&i.encoded, end)?;
        Ok(w::handle::DecodeOut {
            canonical: handle::handle_bytes(&h).into(),
        })
    }
    fn identity_generate(
        &mut self,
        i: &w::identity::GenerateIn,
    ) -> Answer<w::identity::GenerateOut> {
        let (_, id) = identity::generate(&parse(&i.handle)?, &fixed(&i.randomness)?);
        Ok(w::identity::GenerateOut::new(
            &identity::encode(&id),
            &id.sig_pub,
            &id.dh_pub,
            &id.binding,
        ))
    }
    fn bundle_make(&mut self, i: &w::bundle::Store) -> Answer<w::bundle::MakeOut> {
        let (secret, store) = owner(i)?;
        let opk_id = store.opks.first().map(|o| o.0);
        let b = bundle::make_bundle(&secret, &store, opk_id, store.pqpks[0].id)?;
        Ok(w::bundle::MakeOut {
            bundle: bundle::encode(&b).into(),
        })
    }
    fn bundle_verify(&mut self, i: &w::bundle::BundleIn) -> Answer<w::bundle::VerifyOut> {
        bundle::verify(&bundle::decode(&i.bundle)?)?;
        Ok(w::identity::Empty {})
    }
    fn handshake_initiate(
        &mut self,
        i: &w::handshake::InitiateIn,
    ) -> Answer<w::handshake::InitiateOut> {
        let r: [u8; 64] = fixed(&i.identity_randomness)?;
        let (alice, alice_pub) = identity::generate(&parse(&i.handle)?, &r);
        let peer = parse(&i.peer)?;
        let b = bundle::decode(&i.bundle)?;
        let (ek_secret, kem_m) = (fixed(&i.ek_secret)?, fixed(&i.kem_m)?);
        let s = session::start(
            &alice,
            &peer,
            &b,
            &ek_secret,
            &kem_m,
            &fixed(&i.ratchet_secret)?,
        )?;
        let (_, message) = session::encrypt(&s, &i.plaintext, &fixed(&i.header_nonce)?)?;
        let ek = public_key(&ek_secret);
        let mut pairs = vec![
            (&alice.dh_secret, &b.spk),
            (&ek_secret, &b.identity.dh_pub),
            (&ek_secret, &b.spk),
        ];
        if let Some((_, opk)) = &b.opk {
            pairs.push((&ek_secret, opk));
        }
        let dh = dhs(&pairs)?;
        let (ss, ct) = ml_kem::encaps_internal(&b.pqpk, &kem_m)?;
        let t = handshake::transcript(&handshake::TranscriptKeys {
            initiator: alice_pub,
            responder: b.identity.clone(),
            spk: (b.spk_id, b.spk),
            opk: b.opk,
            pqpk: (b.pqpk_id, b.pqpk_kind, b.pqpk.clone()),
            ek,
            ct: ct.clone(),
        });
        let k = derive(&dh, &ss, &t)?;
        Ok(w::handshake::InitiateOut {
            ek: ek.into(),
            dh1: dh[0].into(),
            dh2: dh[1].into(),
            dh3: dh[2].into(),
            dh4: dh.get(3).map(Hex::from),
            ss: ss.into(),
            ct: ct.into(),
            transcript: t.into(),
            sk: k.sk.into(),
            hka: k.hka.into(),
            nhkb: k.nhkb.into(),
            ad: k.ad.into(),
            message: message.into(),
        })
    }
    fn handshake_respond(
        &mut self,
        i: &w::handshake::RespondIn,
    ) -> Answer<w::handshake::RespondOut> {
        let (bob, store) = owner(&i.store)?;
        let acc = handshake::respond(&bob, &store, &i.message, &fixed(&i.ratchet_secret)?)?;
        let h = &acc.header;
        let mut pairs = vec![
            (&store.spk_secret, &h.initiator.dh_pub),
            (&bob.dh_secret, &h.ek),
            (&store.spk_secret, &h.ek),
        ];
        let opk_secret = match h.opk_id {
            Some(id) => Some((
                id,
                bundle::find_opk(&store, id).ok_or(Error::Kind(ErrorKind::UnknownPrekey))?,
            )),
            None => None,
        };
        if let Some((_, secret)) = &opk_secret {
            pairs.push((secret, &h.ek));
        }
        let dh = dhs(&pairs)?;
        let pq =
            bundle::find_pqpk(&store, h.pqpk_id).ok_or(Error::Kind(ErrorKind::UnknownPrekey))?;
        let ss = ml_kem::decaps_internal(&pq.dk, &h.ct)?;
        let t = handshake::transcript(&handshake::TranscriptKeys {
            initiator: h.initiator.clone(),
            responder: identity::public_of(&bob),
            spk: (store.spk_id, public_key(&store.spk_secret)),
            opk: opk_secret.map(|(id, s)| (id, public_key(&s))),
            pqpk: (pq.id, pq.kind, pq.ek.clone()),
            ek: h.ek,
            ct: h.ct.clone(),
        });
        let k = derive(&dh, &ss, &t)?;
        Ok(w::handshake::RespondOut {
            initiator: identity::encode(&h.initiator).into(),
            ek: h.ek.into(),
            dh1: dh[0].into(),
            dh2: dh[1].into(),
            dh3: dh[2].into(),
            dh4: dh.get(3).map(Hex::from),
            ss: ss.into(),
            sk: k.sk.into(),
            hka: k.hka.into(),
            nhkb: k.nhkb.into(),
            ad: k.ad.into(),
            plaintext: acc.plaintext.clone().into(),
            opk_consumed: acc.store.opks.len() < store.opks.len(),
            pqpk_consumed: acc.store.pqpks.len() < store.pqpks.len(),
        })
    }
    fn ratchet_kdf_rk(&mut self, i: &w::ratchet::KdfRkIn) -> Answer<w::ratchet::KdfRkOut> {
        let (rk, ck, nhk) = ratchet::kdf_rk_he(&fixed(&i.rk)?, &fixed(&i.dh_out)?)?;
        Ok(w::ratchet::KdfRkOut {
            root_key: rk.into(),
            chain_key: ck.into(),
            next_header_key: nhk.into(),
        })
    }
    fn ratchet_kdf_ck(&mut self, i: &w::ratchet::KdfCkIn) -> Answer<w::ratchet::KdfCkOut> {
        let (ck, mk) = ratchet::kdf_ck(&fixed(&i.ck)?);
        Ok(w::ratchet::KdfCkOut {
            chain_key: ck.into(),
            message_key: mk.into(),
        })
    }
    fn ratchet_hencrypt(&mut self, i: &w::ratchet::HencryptIn) -> Answer<w::ratchet::HencryptOut> {
        let header = ratchet::header(&fixed(&i.dh)?, i.pn, i.n);
        let enc = ratchet::hencrypt(&fixed(&i.hk)?, &header, &fixed(&i.nonce)?);
        Ok(w::ratchet::HencryptOut {
            enc_header: enc.into(),
        })
    }
    fn ratchet_hedge_nonce(
        &mut self,
        i: &w::ratchet::HedgeNonceIn,
    ) -> Answer<w::ratchet::HedgeNonceOut> {
        let n = ratchet::hedge_nonce(&fixed(&i.mk)?, &fixed(&i.r)?, &i.plaintext)?;
        Ok(w::ratchet::HedgeNonceOut { nonce: n.into() })
    }
    fn ratchet_encrypt_mk(
        &mut self,
        i: &w::ratchet::EncryptMkIn,
    ) -> Answer<w::ratchet::EncryptMkOut> {
        let c = ratchet::encrypt_mk(&fixed(&i.mk)?, &fixed(&i.nonce)?, &i.plaintext, &i.aad)?;
        Ok(w::ratchet::EncryptMkOut {
            ciphertext: c.into(),
        })
    }
    fn ratchet_decrypt_mk(
        &mut self,
        i: &w::ratchet::DecryptMkIn,
    ) -> Answer<w::ratchet::DecryptMkOut> {
        let p = ratchet::decrypt_mk(&fixed(&i.mk)?, &fixed(&i.nonce)?, &i.ciphertext, &i.aad)?;
        Ok(w::ratchet::DecryptMkOut {
            plaintext: p.into(),
        })
    }
    fn ratchet_session(&mut self, i: &w::ratchet::SessionIn) -> Answer<w::ratchet::SessionOut> {
        let (sk, hka, nhkb, ad) = (
            fixed(&i.sk)?,
            fixed(&i.hka)?,
            fixed(&i.nhkb)?,
            fixed::<32>(&i.ad)?,
        );
        let bob_secret = fixed(&i.bob_secret)?;
        let alice = ratchet::init_alice(
            &sk,
            &public_key(&bob_secret),
            &hka,
            &nhkb,
            &fixed(&i.alice_secret)?,
        )?;
        let bob = ratchet::init_bob(&sk, &bob_secret, &hka, &nhkb);
        run_steps(
            &mut Pair {
                states: [alice, bob],
                ad,
            },
            &i.steps,
        )
    }
    fn padme(&mut self, i: &w::padding::PadmeIn) -> Answer<w::padding::PadmeOut> {
        if !padding::pre_padme(i.len) {
            return Err(ErrorKind::Malformed.into());
        }
        Ok(w::padding::PadmeOut {
            padded_len: padding::padme(i.len),
        })
    }
    fn padding_pad(&mut self, i: &w::padding::PadIn) -> Answer<w::padding::PadOut> {
        Ok(w::padding::PadOut {
            padded: padding::pad(&i.content).into(),
        })
    }
    fn padding_unpad(&mut self, i: &w::padding::UnpadIn) -> Answer<w::padding::UnpadOut> {
        Ok(w::padding::UnpadOut {
            content: padding::unpad(&i.padded)?.into(),
        })
    }
    fn content_encode(&mut self, i: &ContentFields) -> Answer<w::content::EncodedOut> {
        let c = content_in(i)?;
        if !content::pre_encode(&c) {
            return Err(ErrorKind::Malformed.into());
        }
        Ok(w::content::EncodedOut {
            encoded: content::encode(&c).into(),
        })
    }
    fn envelope_seal(&mut self, i: &w::envelope::SealIn) -> Answer<w::envelope::SealOut> {
        let sender = identity_of(&i.sender_handle, &i.sender_randomness)?;
        let e = envelope::seal(
            &sender,
            &fixed(&i.recipient_dh_pub)?,
            &fixed(&i.mailbox)?,
            &i.payload,
            &fixed(&i.r)?,
        )?;
        Ok(w::envelope::SealOut { envelope: e.into() })
    }
    fn call_run(&mut self, i: &w::call::RunIn) -> Answer<w::call::RunOut> {
        call_run(i)
    }
    fn call_replay_window(&mut self, i: &w::call::WindowIn) -> Answer<w::call::WindowOut> {
        let mut win = spec_call::new_window();
        let mut accepted = Vec::new();
        for ctr in &i.ctrs {
            let ok = spec_call::window_accepts(&win, *ctr);
            if ok {
                win = spec_call::window_mark(&win, *ctr);
            }
            accepted.push(ok);
        }
        Ok(w::call::WindowOut { accepted })
    }
    fn light_envelope_decode(&mut self, i: &w::envelope::LightIn) -> Answer<w::envelope::LightOut> {
        let mailbox = xchat_spec::mailbox::decode_light(&i.envelope)?;
        Ok(w::envelope::LightOut {
            mailbox: Hex::from(&mailbox[..]),
        })
    }
    fn envelope_open(&mut self, i: &w::envelope::OpenIn) -> Answer<w::envelope::OpenOut> {
        // Opening uses nothing of the recipient's identity but its DH secret.
        let me = IdentitySecret {
            handle: parse(b"recipient")?,
            sig_seed: [0u8; 32],
            dh_secret: fixed(&i.dh_secret)?,
        };
        let (sender, payload) = envelope::open(&me, &fixed(&i.mailbox)?, &i.envelope)?;
        Ok(w::envelope::OpenOut {
            sender: identity::encode(&sender).into(),
            payload: payload.into(),
        })
    }
    fn attachment_ciphertext_len(
        &mut self,
        i: &w::attachment::CiphertextLenIn,
    ) -> Answer<w::attachment::CiphertextLenOut> {
        if !attachment::pre_ciphertext_len(i.length) {
            return Err(ErrorKind::Malformed.into());
        }
        Ok(w::attachment::CiphertextLenOut {
            ciphertext_len: attachment::ciphertext_len(i.length),
        })
    }
    fn attachment_keys(&mut self, i: &w::attachment::KeysIn) -> Answer<w::attachment::KeysOut> {
        let (enc_key, commitment) = attachment::attachment_keys(&fixed(&i.key)?);
        Ok(w::attachment::KeysOut {
            enc_key: enc_key.into(),
            commitment: commitment.into(),
        })
    }
    fn attachment_seal_chunk(
        &mut self,
        i: &w::attachment::SealChunkIn,
    ) -> Answer<w::attachment::SealChunkOut> {
        let key = fixed(&i.enc_key)?;
        if !attachment::pre_seal_chunk(i.last, i.chunk.len()) {
            return Err(ErrorKind::Malformed.into());
        }
        Ok(w::attachment::SealChunkOut {
            sealed: attachment::seal_chunk(&key, i.index, i.last, &i.chunk).into(),
        })
    }
    fn attachment_open_chunk(
        &mut self,
        i: &w::attachment::OpenChunkIn,
    ) -> Answer<w::attachment::OpenChunkOut> {
        let c = attachment::open_chunk(&fixed(&i.enc_key)?, i.index, i.last, &i.sealed)?;
        Ok(w::attachment::OpenChunkOut { chunk: c.into() })
    }
    fn attachment_seal(&mut self, i: &w::attachment::SealIn) -> Answer<w::attachment::SealOut> {
        let (_, ct) = attachment::seal(MediaKind::File, &fixed(&i.key)?, &i.file);
        Ok(w::attachment::SealOut {
            ciphertext: ct.into(),
        })
    }
    fn attachment_open(&mut self, i: &w::attachment::OpenIn) -> Answer<w::attachment::OpenOut> {
        let pointer = AttachmentPointer {
            kind: MediaKind::File,
            key: fixed(&i.key)?,
            length: i.length,
        };
        Ok(w::attachment::OpenOut {
            file: attachment::open(&pointer, &i.ciphertext)?.into(),
        })
    }
    fn session_run(&mut self, i: &w::session::RunIn) -> Answer<w::session::RunOut> {
        let setup = Setup {
            seed: fixed(&i.seed)?,
            with_opk: i.with_opk,
            pq_kind: pq_kind(i.pq_kind)?,
        };
        let events: Vec<scenario::Event> = i.events.iter().map(scenario::Event::from).collect();
        let t = scenario::run(&setup, &events)?;
        Ok(w::session::RunOut {
            wire: t.wire.into_iter().map(Hex).collect(),
            posted: t.posted.iter().map(|m| Hex::from(&m[..])).collect(),
            outcomes: t.outcomes.iter().map(outcome_out).collect(),
        })
    }
    fn session_receive_responder(
        &mut self,
        i: &w::session::ResponderIn,
    ) -> Answer<w::session::ReceiveOut> {
        let (me, store) = owner(&i.store)?;
        let mailbox = fixed(&i.mailbox)?;
        receive_all(
            account::new(&me, &store, &mailbox),
            &i.mailbox,
            &i.deliveries,
        )
    }
    fn session_receive_initiator(
        &mut self,
        i: &w::session::InitiatorIn,
    ) -> Answer<w::session::ReceiveOut> {
        let me = identity_of(&i.handle, &i.identity_randomness)?;
        let b = bundle::decode(&i.bundle)?;
        let empty = PrekeyStore {
            spk_id: 0,
            spk_secret: [0u8; 32],
            retired_spks: Vec::new(),
            opks: Vec::new(),
            pqpks: Vec::new(),
        };
        let acct = account::start(
            &account::new(&me, &empty, &fixed(&i.mailbox)?),
            &parse(&i.peer)?,
            &b,
            &fixed(&i.ek_secret)?,
            &fixed(&i.kem_m)?,
            &fixed(&i.ratchet_secret)?,
        )?;
        receive_all(acct, &i.mailbox, &i.deliveries)
    }
}
