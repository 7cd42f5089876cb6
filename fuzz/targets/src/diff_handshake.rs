//! `diff_handshake`: the PQXDH-shaped handshake of SPEC.md section 8, spec
//! against impl, with every key and every random input taken from the fuzz
//! input: each operation has its own field (identity, prekeys, `EK`, the
//! KEM message, the ratchet secrets, the header nonce), so the two sides
//! never diverge because they draw randomness in a different order.
//!
//! Steps: the responder's identity, prekey store and bundle on both sides
//! (compared); the bundle bytes mutated; decoded and used by the initiator
//! (the spec's `session::start` and first message; the impl's
//! `initiate_unverified` and `RatchetState::encrypt`; compared byte for
//! byte); the prekey message mutated; the responder's `respond` on both
//! sides (plaintext, header, `AD`, one-time prekey consumption compared).
//! When the initiation fails on both sides, the plaintext field is
//! answered to the responder as a raw prekey message instead. When both
//! accepted, the responder replies (the first DH ratchet step, compared),
//! the reply is mutated, and the initiator decrypts it on both sides.
//!
//! Input (see [`Fields`]).

use xchat::bundle::{self, PqPrekeySecret, PrekeyStore};
use xchat::handle::{self, Handle};
use xchat::handshake::{self, PREKEY_PREFIX};
use xchat::identity::IdentitySecret;
use xchat::ratchet::RatchetState;
use xchat_spec as spec;

use crate::check::{imp, mutate, same, same_result, spec as sp};
use crate::input::{Input, Writer};
use serde_json::json;
use xchat_vectors::adapters::{imp::Impl, spec::Spec};
use xchat_vectors::conformance::dispatch;
use xchat_vectors::wire::to_hex;

/// The fields of one input, in input order.
#[derive(Clone, Debug)]
pub struct Fields {
    /// The responder's handle (text; `bob` if not a valid handle): `var`.
    pub bob_handle: Vec<u8>,
    /// The responder's identity randomness: 64.
    pub bob_randomness: [u8; 64],
    /// `u32`.
    pub spk_id: u32,
    /// 32.
    pub spk_secret: [u8; 32],
    /// Offer a one-time prekey: `u8` flag.
    pub with_opk: bool,
    /// `u32`.
    pub opk_id: u32,
    /// 32.
    pub opk_secret: [u8; 32],
    /// `u32`.
    pub pqpk_id: u32,
    /// The PQ prekey kind byte (`u8`; 1 or 2, anything else is compared
    /// as a decoding error, then 1 is used).
    pub pqpk_kind: u8,
    /// 64: `d || z`.
    pub pqpk_randomness: [u8; 64],
    /// The initiator's handle (text; `alice` if invalid): `var`.
    pub alice_handle: Vec<u8>,
    /// 64.
    pub alice_randomness: [u8; 64],
    /// `u8`: 0 the responder's handle as `peer`, else the initiator's own
    /// (an `InvalidHandle`).
    pub peer_sel: u8,
    /// 32.
    pub ek_secret: [u8; 32],
    /// 32.
    pub kem_m: [u8; 32],
    /// The initiator's ratchet secret: 32.
    pub ratchet_secret: [u8; 32],
    /// 24.
    pub header_nonce: [u8; 24],
    /// Bundle mutation `mode: u8, pos: u32, mask: u8` (see
    /// `check::mutate`).
    pub bundle_mutation: (u8, u32, u8),
    /// Prekey-message mutation, same shape.
    pub message_mutation: (u8, u32, u8),
    /// The responder's ratchet secret: 32.
    pub bob_ratchet_secret: [u8; 32],
    /// The responder's reply header nonce: 24.
    pub reply_nonce: [u8; 24],
    /// Reply mutation, same shape as the others.
    pub reply_mutation: (u8, u32, u8),
    /// The initiator's ratchet secret when the reply arrives: 32.
    pub alice_reply_secret: [u8; 32],
    /// The first plaintext (the reply is its bytes reversed): `rest`.
    pub plaintext: Vec<u8>,
}

impl Fields {
    /// Reads the fields.
    pub fn read(data: &[u8]) -> Fields {
        let mut i = Input::new(data);
        Fields {
            bob_handle: i.var().to_vec(),
            bob_randomness: i.array(),
            spk_id: i.u32(),
            spk_secret: i.array(),
            with_opk: i.flag(),
            opk_id: i.u32(),
            opk_secret: i.array(),
            pqpk_id: i.u32(),
            pqpk_kind: i.u8(),
            pqpk_randomness: i.array(),
            alice_handle: i.var().to_vec(),
            alice_randomness: i.array(),
            peer_sel: i.u8(),
            ek_secret: i.array(),
            kem_m: i.array(),
            ratchet_secret: i.array(),
            header_nonce: i.array(),
            bundle_mutation: (i.u8(), i.u32(), i.u8()),
            message_mutation: (i.u8(), i.u32(), i.u8()),
            bob_ratchet_secret: i.array(),
            reply_nonce: i.array(),
            reply_mutation: (i.u8(), i.u32(), i.u8()),
            alice_reply_secret: i.array(),
            plaintext: i.rest().to_vec(),
        }
    }

    /// Writes the fields (the seeds).
    pub fn write(&self) -> Vec<u8> {
        let (bm, bp, bk) = self.bundle_mutation;
        let (mm, mp, mk) = self.message_mutation;
        let (rm, rp, rk) = self.reply_mutation;
        Writer::new()
            .var(&self.bob_handle)
            .bytes(&self.bob_randomness)
            .u32(self.spk_id)
            .bytes(&self.spk_secret)
            .u8(u8::from(self.with_opk))
            .u32(self.opk_id)
            .bytes(&self.opk_secret)
            .u32(self.pqpk_id)
            .u8(self.pqpk_kind)
            .bytes(&self.pqpk_randomness)
            .var(&self.alice_handle)
            .bytes(&self.alice_randomness)
            .u8(self.peer_sel)
            .bytes(&self.ek_secret)
            .bytes(&self.kem_m)
            .bytes(&self.ratchet_secret)
            .bytes(&self.header_nonce)
            .u8(bm)
            .u32(bp)
            .u8(bk)
            .u8(mm)
            .u32(mp)
            .u8(mk)
            .bytes(&self.bob_ratchet_secret)
            .bytes(&self.reply_nonce)
            .u8(rm)
            .u32(rp)
            .u8(rk)
            .bytes(&self.alice_reply_secret)
            .bytes(&self.plaintext)
            .finish()
    }
}

/// A handle on both sides: `text` if both accept it (they must agree),
/// else `fallback`.
fn handles(text: &[u8], fallback: &[u8]) -> (spec::handle::Handle, Handle) {
    let ok = same_result(
        "handle parse",
        sp(spec::handle::parse_handle(text)),
        imp(handle::parse_handle(text)),
        spec::handle::handle_bytes,
        |h| handle::handle_bytes(h).to_vec(),
    );
    match ok {
        Some(pair) => pair,
        None => match (
            spec::handle::parse_handle(fallback),
            handle::parse_handle(fallback),
        ) {
            (Ok(s), Ok(m)) => (s, m),
            _ => unreachable!("fallback handles are valid"),
        },
    }
}

/// The target.
pub fn run(data: &[u8]) {
    let f = Fields::read(data);
    let (s_bob_h, m_bob_h) = handles(&f.bob_handle, b"bob");
    let (s_alice_h, m_alice_h) = handles(&f.alice_handle, b"alice");

    // The responder: identity, store, bundle.
    let (s_bob, _) = spec::identity::generate(&s_bob_h, &f.bob_randomness);
    let m_bob = IdentitySecret::from_randomness(m_bob_h, &f.bob_randomness);
    let kind = same_result(
        "pq kind byte",
        sp(spec::bundle::kind_of_byte(f.pqpk_kind)),
        imp(bundle::kind_of_byte(f.pqpk_kind)),
        |k| spec::bundle::kind_byte(*k),
        |k| bundle::kind_byte(*k),
    );
    let (s_kind, m_kind) = kind.unwrap_or((spec::bundle::PqKind::OneTime, bundle::PqKind::OneTime));
    let s_pq = spec::bundle::generate_pq_prekey(f.pqpk_id, s_kind, &f.pqpk_randomness);
    let s_store = spec::bundle::PrekeyStore {
        spk_id: f.spk_id,
        spk_secret: f.spk_secret,
        retired_spks: Vec::new(),
        opks: if f.with_opk {
            vec![(f.opk_id, f.opk_secret)]
        } else {
            Vec::new()
        },
        pqpks: vec![s_pq],
    };
    let mut m_store = PrekeyStore::new(f.spk_id, &f.spk_secret);
    if f.with_opk {
        m_store.add_one_time_prekey(f.opk_id, &f.opk_secret);
    }
    m_store.add_pq_prekey(PqPrekeySecret::from_randomness(
        f.pqpk_id,
        m_kind,
        &f.pqpk_randomness,
    ));
    let opk_id = f.with_opk.then_some(f.opk_id);
    let made = same_result(
        "bundle make",
        sp(spec::bundle::make_bundle(
            &s_bob, &s_store, opk_id, f.pqpk_id,
        )),
        imp(bundle::make_bundle(&m_bob, &m_store, opk_id, f.pqpk_id)),
        spec::bundle::encode,
        bundle::encode,
    );
    let Some((_, m_bundle)) = made else { return };
    let mut bundle_bytes = bundle::encode(&m_bundle);
    let (mode, pos, mask) = f.bundle_mutation;
    mutate(&mut bundle_bytes, mode, pos, mask);

    // The initiator.
    let (s_alice, _) = spec::identity::generate(&s_alice_h, &f.alice_randomness);
    let m_alice = IdentitySecret::from_randomness(m_alice_h, &f.alice_randomness);
    let (s_peer, m_peer) = if f.peer_sel == 0 {
        (s_bob_h, m_bob_h)
    } else {
        (s_alice_h, m_alice_h)
    };
    let started = initiate(&f, &bundle_bytes, (&s_alice, &m_alice), (&s_peer, &m_peer));

    // The responder answers the (mutated) first message.
    let mut message = match &started {
        Some(st) => st.message.clone(),
        None => f.plaintext.clone(),
    };
    let (mode, pos, mask) = f.message_mutation;
    mutate(&mut message, mode, pos, mask);
    traced(&f, &s_bob_h, &s_alice_h, &s_peer, &bundle_bytes, &message);
    let accepted = same_result(
        "handshake respond",
        sp(spec::handshake::respond(
            &s_bob,
            &s_store,
            &message,
            &f.bob_ratchet_secret,
        )),
        imp(handshake::respond(
            &m_bob,
            &m_store,
            &message,
            &f.bob_ratchet_secret,
        )),
        |a| {
            (
                spec::handshake::encode_prekey_message(&a.header, &[]),
                a.ad,
                a.plaintext.clone(),
            )
        },
        |a| {
            (
                handshake::encode_prekey_message(&a.header, &[]),
                a.ad,
                a.plaintext.to_vec(),
            )
        },
    );
    if let Some((s_acc, m_acc)) = accepted {
        if let Some(st) = started {
            reply(&f, &s_acc, &m_acc, st);
        }
        let mut after = m_store.clone();
        m_acc.commit(&mut after);
        same(
            "prekeys left after respond",
            &(s_acc.store.opks.len(), s_acc.store.pqpks.len()),
            &(
                after.one_time_prekey_ids().len(),
                after.pq_prekey_ids().len(),
            ),
        );
    }
}

/// The initiator after its first message, on both sides.
struct Started {
    message: Vec<u8>,
    spec: spec::session::Session,
    state: RatchetState,
    ad: [u8; 32],
}

const RATCHET_PREFIX: [u8; 2] = [0x01, 0x02];

/// The responder's reply and the initiator's decryption of it (mutated),
/// on both sides: `session::message_type`, then the ratchet's decryption
/// of the body (the steps of receiving a ratchet message).
fn reply(
    f: &Fields,
    s_acc: &spec::handshake::Accepted,
    m_acc: &handshake::Accepted,
    mut st: Started,
) {
    let text: Vec<u8> = f.plaintext.iter().rev().copied().collect();
    let s = sp(spec::ratchet::encrypt_message(
        &s_acc.state,
        &s_acc.ad,
        &text,
        &f.reply_nonce,
    ));
    // On a copy of the responder's state (its reply is compared only).
    let m = imp(m_acc
        .state
        .clone()
        .encrypt(&m_acc.ad, &RATCHET_PREFIX, &text, &f.reply_nonce)
        .map(|pending| [RATCHET_PREFIX.to_vec(), pending.discard()].concat()));
    let Some((_, mut message)) = same_result(
        "responder reply",
        s.map(|(_, m)| m),
        m,
        Clone::clone,
        Clone::clone,
    ) else {
        return;
    };
    let (mode, pos, mask) = f.reply_mutation;
    mutate(&mut message, mode, pos, mask);
    let t = same_result(
        "reply message type",
        sp(spec::session::message_type(&message)),
        imp(xchat::session::message_type(&message)),
        |t| *t,
        |t| *t,
    );
    if t != Some((0x02, 0x02)) {
        return;
    }
    let body = &message[2..];
    same_result(
        "initiator decrypts the reply",
        sp(spec::ratchet::decrypt(
            &st.spec.ratchet,
            &st.spec.ad,
            &RATCHET_PREFIX,
            body,
            &f.alice_reply_secret,
        )),
        imp(st
            .state
            .decrypt(&st.ad, &RATCHET_PREFIX, body, &f.alice_reply_secret)),
        |(_, p)| p.clone(),
        |p| p.plaintext().to_vec(),
    );
}

/// Decodes the bundle and starts the handshake on both sides; the first
/// prekey message and both initiators if both succeeded.
fn initiate(
    f: &Fields,
    bundle_bytes: &[u8],
    alice: (&spec::identity::IdentitySecret, &IdentitySecret),
    peer: (&spec::handle::Handle, &Handle),
) -> Option<Started> {
    let (s_b, m_b) = same_result(
        "bundle decode",
        sp(spec::bundle::decode(bundle_bytes)),
        imp(bundle::decode(bundle_bytes)),
        spec::bundle::encode,
        bundle::encode,
    )?;
    let s = sp(spec::session::start(
        alice.0,
        peer.0,
        &s_b,
        &f.ek_secret,
        &f.kem_m,
        &f.ratchet_secret,
    )
    .and_then(|session| spec::session::encrypt(&session, &f.plaintext, &f.header_nonce)));
    let m = imp(handshake::initiate_unverified(
        alice.1,
        peer.1,
        &m_b,
        &f.ek_secret,
        &f.kem_m,
        &f.ratchet_secret,
    )
    .and_then(|(mut state, header, ad)| {
        let body = state
            .encrypt(&ad, &PREKEY_PREFIX, &f.plaintext, &f.header_nonce)?
            .commit();
        Ok((handshake::encode_prekey_message(&header, &body), state, ad))
    }));
    let (s, (message, state, ad)) = same_result(
        "handshake initiate",
        s,
        m,
        |(_, message)| message.clone(),
        |(message, _, _)| message.clone(),
    )?;
    Some(Started {
        message,
        spec: s.0,
        state,
        ad,
    })
}

/// The same handshake through the conformance ops `handshake_initiate` and
/// `handshake_respond`, which publish every intermediate value (the DH
/// outputs, `SS`, `CT`, the transcript, `SK`, `HKA`, `NHKB`, `AD`): the
/// impl computes them in its normal path with an observer (its traced
/// variants); both sides' answers must be equal, value for value or kind
/// for kind.
fn traced(
    f: &Fields,
    bob: &spec::handle::Handle,
    alice: &spec::handle::Handle,
    peer: &spec::handle::Handle,
    bundle_bytes: &[u8],
    message: &[u8],
) {
    let hex = to_hex;
    let initiate = json!({
        "handle": hex(&spec::handle::handle_bytes(alice)),
        "identity_randomness": hex(&f.alice_randomness),
        "peer": hex(&spec::handle::handle_bytes(peer)),
        "bundle": hex(bundle_bytes),
        "ek_secret": hex(&f.ek_secret),
        "kem_m": hex(&f.kem_m),
        "ratchet_secret": hex(&f.ratchet_secret),
        "header_nonce": hex(&f.header_nonce),
        "plaintext": hex(&f.plaintext),
    });
    let mut respond = json!({
        "handle": hex(&spec::handle::handle_bytes(bob)),
        "identity_randomness": hex(&f.bob_randomness),
        "spk_id": f.spk_id,
        "spk_secret": hex(&f.spk_secret),
        "pqpk_id": f.pqpk_id,
        "pqpk_kind": f.pqpk_kind,
        "pqpk_randomness": hex(&f.pqpk_randomness),
        "message": hex(message),
        "ratchet_secret": hex(&f.bob_ratchet_secret),
    });
    if f.with_opk {
        respond["opk_id"] = json!(f.opk_id);
        respond["opk_secret"] = json!(hex(&f.opk_secret));
    }
    for (op, input) in [
        ("handshake_initiate", initiate),
        ("handshake_respond", respond),
    ] {
        let Some(input) = input.as_object() else {
            unreachable!("an object")
        };
        let s = dispatch(&mut Spec, op, input);
        let m = dispatch(&mut Impl, op, input);
        same(op, &format!("{s:?}"), &format!("{m:?}"));
    }
}
