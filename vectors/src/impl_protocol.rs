//! The protocol ops over the impl's protocol modules (`xchat`). Randomness
//! that the impl draws from an RNG is replayed from the request's explicit
//! bytes, in the order the impl documents. Ops the impl does not expose
//! (the ratchet's private KDFs and `ENCRYPT`) answer `unsupported`.

use std::collections::VecDeque;
use std::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};
use serde_json::{json, Value};
use xchat::account::{Account, Receipt};
use xchat::bundle::{self, Bundle, PqKind, PqPrekeySecret, PrekeyStore};
use xchat::content::{self, AttachmentPointer, Content, MediaKind};
use xchat::crypto::{ml_kem, x25519};
use xchat::encoding::Reader;
use xchat::handle::{self, Handle};
use xchat::handshake::{self, PREKEY_PREFIX};
use xchat::identity::{self, IdentitySecret};
use xchat::ratchet::{self, RatchetState};
use xchat::{attachment, envelope, fingerprint, padding, Error};
use xchat_spec::scenario::{self, party_draw};

use crate::spec_ops;

use crate::value::{as_obj, hx, obj, Fields, Obj, BAD_REQUEST, UNSUPPORTED};

type R = Result<Obj, String>;

fn kind(e: Error) -> String {
    e.kind_name().to_string()
}

/// An RNG that hands out exactly the given bytes, in order (then zeros).
pub struct Replay(VecDeque<u8>);

impl Replay {
    /// The RNG replaying `parts`.
    pub fn new(parts: &[&[u8]]) -> Replay {
        Replay(parts.iter().flat_map(|p| p.iter().copied()).collect())
    }
}

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for b in dst {
            *b = self.0.pop_front().unwrap_or(0);
        }
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

/// Runs protocol `op` with the impl.
pub fn call(op: &str, i: &Obj) -> R {
    match op {
        "handle_parse" => {
            let h = parse(&i.bytes("handle")?)?;
            Ok(obj([
                ("canonical", hx(handle::handle_bytes(&h))),
                ("encoded", hx(&handle::enc_handle(&h))),
            ]))
        }
        "handle_decode" => {
            let enc = i.bytes("encoded")?;
            let mut r = Reader::new(&enc);
            let h = handle::read_handle(&mut r).map_err(kind)?;
            r.finish().map_err(kind)?;
            Ok(obj([("canonical", hx(handle::handle_bytes(&h)))]))
        }
        "identity_generate" => {
            let s =
                IdentitySecret::from_randomness(parse(&i.bytes("handle")?)?, &i.arr("randomness")?);
            let id = s.public();
            Ok(obj([
                ("identity", hx(&identity::encode(id))),
                ("sig_pub", hx(&id.sig_pub)),
                ("dh_pub", hx(&id.dh_pub)),
                ("binding", hx(&id.binding)),
            ]))
        }
        "identity_decode" => {
            let id = identity::decode(&i.bytes("identity")?).map_err(kind)?;
            Ok(obj([
                ("handle", hx(handle::handle_bytes(&id.handle))),
                ("sig_pub", hx(&id.sig_pub)),
                ("dh_pub", hx(&id.dh_pub)),
                ("binding", hx(&id.binding)),
            ]))
        }
        "identity_verify" => {
            let id = identity::decode(&i.bytes("identity")?).map_err(kind)?;
            identity::verify(&id).map_err(kind)?;
            Ok(Obj::new())
        }
        "bundle_make" => {
            let (secret, store, opk_id, pqpk_id) = owner(i)?;
            let b = bundle::make_bundle(&secret, &store, opk_id, pqpk_id).map_err(kind)?;
            Ok(obj([("bundle", hx(&bundle::encode(&b)))]))
        }
        "bundle_decode" => bundle_decode(i),
        "bundle_verify" => {
            let b = bundle::decode(&i.bytes("bundle")?).map_err(kind)?;
            b.verify().map_err(kind)?;
            Ok(Obj::new())
        }
        "handshake_initiate" => handshake_initiate(i),
        "handshake_respond" => handshake_respond(i),
        "ratchet_hencrypt" => {
            let header = ratchet::header(&i.arr("dh")?, i.u32("pn")?, i.u32("n")?);
            Ok(obj([(
                "enc_header",
                hx(&ratchet::hencrypt(&i.arr("hk")?, &header, &i.arr("nonce")?)),
            )]))
        }
        "ratchet_hdecrypt" => Ok(
            match ratchet::hdecrypt(&i.arr("hk")?, &i.bytes("enc_header")?) {
                Some(h) => obj([
                    ("found", json!(true)),
                    ("dh", hx(&h.dh)),
                    ("pn", json!(h.pn)),
                    ("n", json!(h.n)),
                ]),
                None => obj([("found", json!(false))]),
            },
        ),
        "ratchet_session" => ratchet_session(i),
        "padme" => padding::padme_checked(i.u64("len")?)
            .map(|p| obj([("padded_len", json!(p))]))
            .map_err(kind),
        "padding_pad" => padding::pad(&i.bytes("content")?)
            .map(|p| obj([("padded", hx(&p))]))
            .map_err(kind),
        "padding_unpad" => padding::unpad(&i.bytes("padded")?)
            .map(|c| obj([("content", hx(&c))]))
            .map_err(kind),
        "content_encode" => {
            let c = content_in(i)?;
            content::encode(&c)
                .map(|e| obj([("encoded", hx(&e))]))
                .map_err(kind)
        }
        "content_decode" => content::decode(&i.bytes("encoded")?)
            .map(|c| content_out(&c))
            .map_err(kind),
        "envelope_seal" => {
            let sender = IdentitySecret::from_randomness(
                parse(&i.bytes("sender_handle")?)?,
                &i.arr("sender_randomness")?,
            );
            let mut rng = Replay::new(&[&i.bytes("r")?]);
            envelope::seal(
                &sender,
                &i.arr("recipient_dh_pub")?,
                &i.arr("mailbox")?,
                &i.bytes("payload")?,
                &mut rng,
            )
            .map(|e| obj([("envelope", hx(&e))]))
            .map_err(kind)
        }
        "envelope_open" => {
            let me = IdentitySecret::from_secrets(
                parse(b"recipient")?,
                &[0u8; 32],
                &i.arr("dh_secret")?,
            );
            envelope::open(&me, &i.arr("mailbox")?, &i.bytes("envelope")?)
                .map(|(s, p)| obj([("sender", hx(&identity::encode(&s))), ("payload", hx(&p))]))
                .map_err(kind)
        }
        "attachment_ciphertext_len" => attachment::ciphertext_len_checked(i.u64("length")?)
            .map(|n| obj([("ciphertext_len", json!(n))]))
            .map_err(kind),
        "attachment_keys" => attachment::attachment_keys(&i.arr("key")?)
            .map(|(enc_key, commitment)| {
                obj([("enc_key", hx(&*enc_key)), ("commitment", hx(&commitment))])
            })
            .map_err(kind),
        "attachment_seal_chunk" => attachment::seal_chunk(
            &i.arr("enc_key")?,
            i.u64("index")?,
            i.flag("last")?,
            &i.bytes("chunk")?,
        )
        .map(|s| obj([("sealed", hx(&s))]))
        .map_err(kind),
        "attachment_open_chunk" => attachment::open_chunk(
            &i.arr("enc_key")?,
            i.u64("index")?,
            i.flag("last")?,
            &i.bytes("sealed")?,
        )
        .map(|c| obj([("chunk", hx(&c))]))
        .map_err(kind),
        "attachment_seal" => {
            let mut rng = Replay::new(&[&i.bytes("key")?]);
            attachment::seal(MediaKind::File, &mut rng, &i.bytes("file")?)
                .map(|(_, ct)| obj([("ciphertext", hx(&ct))]))
                .map_err(kind)
        }
        "attachment_open" => {
            let pointer = AttachmentPointer::new(MediaKind::File, i.arr("key")?, i.u64("length")?)
                .map_err(kind)?;
            attachment::open(&pointer, &i.bytes("ciphertext")?)
                .map(|f| obj([("file", hx(&f))]))
                .map_err(kind)
        }
        "fingerprint" => {
            let id = identity::decode(&i.bytes("identity")?).map_err(kind)?;
            Ok(obj([(
                "fingerprint",
                json!(String::from_utf8_lossy(&fingerprint::fingerprint(&id))),
            )]))
        }
        "safety_number" => {
            let a = identity::decode(&i.bytes("a")?).map_err(kind)?;
            let b = identity::decode(&i.bytes("b")?).map_err(kind)?;
            Ok(obj([(
                "safety_number",
                json!(String::from_utf8_lossy(&fingerprint::safety_number(&a, &b))),
            )]))
        }
        "session_run" => session_run(i),
        "session_receive_responder" | "session_receive_initiator" => {
            session_receive(i, op == "session_receive_responder")
        }
        _ => Err(UNSUPPORTED.to_string()),
    }
}

fn parse(bytes: &[u8]) -> Result<Handle, String> {
    handle::parse_handle(bytes).map_err(kind)
}

fn pq_kind(k: u64) -> Result<PqKind, String> {
    u8::try_from(k)
        .map_err(|_| kind(Error::Malformed))
        .and_then(|b| bundle::kind_of_byte(b).map_err(kind))
}

/// The owner's identity and store (the fields of `bundle_make`), with the
/// offered one-time and PQ prekey ids.
fn owner(i: &Obj) -> Result<(IdentitySecret, PrekeyStore, Option<u32>, u32), String> {
    let secret = IdentitySecret::from_randomness(
        parse(&i.bytes("handle")?)?,
        &i.arr("identity_randomness")?,
    );
    let k = pq_kind(i.u64("pqpk_kind")?)?;
    let mut store = PrekeyStore::new(i.u32("spk_id")?, &i.arr("spk_secret")?);
    let opk_id = if i.has("opk_id") {
        store.add_one_time_prekey(i.u32("opk_id")?, &i.arr("opk_secret")?);
        Some(i.u32("opk_id")?)
    } else {
        None
    };
    let pqpk_id = i.u32("pqpk_id")?;
    store.add_pq_prekey(PqPrekeySecret::from_randomness(
        pqpk_id,
        k,
        &i.arr("pqpk_randomness")?,
    ));
    Ok((secret, store, opk_id, pqpk_id))
}

fn bundle_decode(i: &Obj) -> R {
    let b = bundle::decode(&i.bytes("bundle")?).map_err(kind)?;
    let mut o = obj([
        ("identity", hx(&identity::encode(&b.identity))),
        ("spk_id", json!(b.spk_id)),
        ("spk", hx(&b.spk)),
        ("spk_sig", hx(&b.spk_sig)),
        ("has_opk", json!(b.opk.is_some())),
    ]);
    if let Some((id, key)) = b.opk {
        o.insert("opk_id".into(), json!(id));
        o.insert("opk".into(), hx(&key));
    }
    o.insert("pqpk_id".into(), json!(b.pqpk_id));
    o.insert("pqpk_kind".into(), json!(bundle::kind_byte(b.pqpk_kind)));
    o.insert("pqpk".into(), hx(&b.pqpk));
    o.insert("pqpk_sig".into(), hx(&b.pqpk_sig));
    Ok(o)
}

fn dh_out(o: &mut Obj, name: &str, secret: &[u8; 32], public: &[u8; 32]) -> Result<(), String> {
    let shared = x25519::dh(secret, public).map_err(kind)?;
    o.insert(name.into(), hx(shared.as_slice()));
    Ok(())
}

fn keys_out(o: &mut Obj, ss: &[u8; 32], t: &[u8]) -> Result<(), String> {
    let mut dhs = Vec::new();
    for name in ["dh1", "dh2", "dh3", "dh4"] {
        if o.has(name) {
            dhs.extend(o.bytes(name)?);
        }
    }
    let k = handshake::derive_keys(&dhs, ss, t).map_err(kind)?;
    o.insert("sk".into(), hx(&k.sk));
    o.insert("hka".into(), hx(&k.hka));
    o.insert("nhkb".into(), hx(&k.nhkb));
    o.insert("ad".into(), hx(&k.ad));
    Ok(())
}

fn handshake_initiate(i: &Obj) -> R {
    let r: [u8; 64] = i.arr("identity_randomness")?;
    let alice = IdentitySecret::from_randomness(parse(&i.bytes("handle")?)?, &r);
    let peer = parse(&i.bytes("peer")?)?;
    let b: Bundle = bundle::decode(&i.bytes("bundle")?).map_err(kind)?;
    let (ek_secret, kem_m, ratchet_secret) = (
        i.arr("ek_secret")?,
        i.arr("kem_m")?,
        i.arr("ratchet_secret")?,
    );
    let (state, header, ad) =
        handshake::initiate_unverified(&alice, &peer, &b, &ek_secret, &kem_m, &ratchet_secret)
            .map_err(kind)?;
    let (body, _) = state
        .encrypt(
            &ad,
            &PREKEY_PREFIX,
            &i.bytes("plaintext")?,
            &i.arr("header_nonce")?,
        )
        .map_err(kind)?;
    let message = handshake::encode_prekey_message(&header, &body);
    // The intermediate values, from the impl's primitives and its own
    // transcript and key derivation.
    let dh_secret: [u8; 32] = r[32..].try_into().map_err(|_| BAD_REQUEST.to_string())?;
    let mut o = obj([("ek", hx(&header.ek))]);
    dh_out(&mut o, "dh1", &dh_secret, &b.spk)?;
    dh_out(&mut o, "dh2", &ek_secret, &b.identity.dh_pub)?;
    dh_out(&mut o, "dh3", &ek_secret, &b.spk)?;
    if let Some((_, opk)) = &b.opk {
        dh_out(&mut o, "dh4", &ek_secret, opk)?;
    }
    let (ss, ct) = ml_kem::encaps(&b.pqpk, &kem_m).map_err(kind)?;
    let t = handshake::transcript(&handshake::TranscriptKeys {
        initiator: alice.public(),
        responder: &b.identity,
        spk: (b.spk_id, &b.spk),
        opk: b.opk.as_ref().map(|(id, k)| (*id, k)),
        pqpk: (b.pqpk_id, b.pqpk_kind, &b.pqpk),
        ek: &header.ek,
        ct: &ct,
    });
    o.insert("ss".into(), hx(ss.as_slice()));
    o.insert("ct".into(), hx(&ct));
    o.insert("transcript".into(), hx(&t));
    keys_out(&mut o, &ss, &t)?;
    o.insert("message".into(), hx(&message));
    Ok(o)
}

fn handshake_respond(i: &Obj) -> R {
    let (bob, mut store, _, _) = owner(i)?;
    let r: [u8; 64] = i.arr("identity_randomness")?;
    let message = i.bytes("message")?;
    let acc =
        handshake::respond(&bob, &store, &message, &i.arr("ratchet_secret")?).map_err(kind)?;
    let h = &acc.header;
    let bob_dh: [u8; 32] = r[32..].try_into().map_err(|_| BAD_REQUEST.to_string())?;
    let spk_secret: [u8; 32] = i.arr("spk_secret")?;
    let mut o = obj([
        ("initiator", hx(&identity::encode(&h.initiator))),
        ("ek", hx(&h.ek)),
    ]);
    dh_out(&mut o, "dh1", &spk_secret, &h.initiator.dh_pub)?;
    dh_out(&mut o, "dh2", &bob_dh, &h.ek)?;
    dh_out(&mut o, "dh3", &spk_secret, &h.ek)?;
    let opk = match h.opk_id {
        Some(id) => {
            let secret: [u8; 32] = i.arr("opk_secret")?;
            dh_out(&mut o, "dh4", &secret, &h.ek)?;
            Some((id, x25519::public_key(&secret)))
        }
        None => None,
    };
    let pq = store
        .find_pqpk(h.pqpk_id)
        .ok_or_else(|| kind(Error::UnknownPrekey))?
        .clone();
    // The PQ prekey's decapsulation key, regenerated from its randomness
    // (the store keeps it private).
    let (d, z) = {
        let pr: [u8; 64] = i.arr("pqpk_randomness")?;
        let mut d = [0u8; 32];
        let mut z = [0u8; 32];
        d.copy_from_slice(&pr[..32]);
        z.copy_from_slice(&pr[32..]);
        (d, z)
    };
    let (_, dk) = ml_kem::keygen(&d, &z);
    let ss = ml_kem::decaps(&dk, &h.ct).map_err(kind)?;
    let spk = x25519::public_key(&spk_secret);
    let t = handshake::transcript(&handshake::TranscriptKeys {
        initiator: &h.initiator,
        responder: bob.public(),
        spk: (store.spk_id(), &spk),
        opk: opk.as_ref().map(|(id, k)| (*id, k)),
        pqpk: (pq.id, pq.kind, &pq.ek),
        ek: &h.ek,
        ct: &h.ct,
    });
    o.insert("ss".into(), hx(ss.as_slice()));
    keys_out(&mut o, &ss, &t)?;
    o.insert("plaintext".into(), hx(&acc.plaintext));
    let (opks, pqs) = (
        store.one_time_prekey_ids().len(),
        store.pq_prekey_ids().len(),
    );
    acc.commit(&mut store);
    o.insert(
        "opk_consumed".into(),
        json!(store.one_time_prekey_ids().len() < opks),
    );
    o.insert(
        "pqpk_consumed".into(),
        json!(store.pq_prekey_ids().len() < pqs),
    );
    Ok(o)
}

fn party_index(name: &str) -> Result<usize, String> {
    match name {
        "alice" => Ok(0),
        "bob" => Ok(1),
        _ => Err(format!("{BAD_REQUEST} (party {name:?})")),
    }
}

const RATCHET_PREFIX: [u8; 2] = [0x01, 0x02];

fn ratchet_receive(
    state: &mut RatchetState,
    ad: &[u8; 32],
    message: &[u8],
    secret: &[u8; 32],
) -> Result<Vec<u8>, Error> {
    // The impl's own decoding of the two leading bytes (SPEC.md 9.4).
    if xchat::session::message_type(message)? != xchat::ratchet::MSG_RATCHET {
        return Err(Error::Malformed);
    }
    let body = message.get(2..).ok_or(Error::Malformed)?;
    let (plaintext, update) = state.decrypt(ad, &RATCHET_PREFIX, body, secret)?;
    state.commit_recv(update);
    Ok(plaintext)
}

fn ratchet_send(
    state: &mut RatchetState,
    ad: &[u8; 32],
    plaintext: &[u8],
    nonce: &[u8; 24],
) -> Result<Vec<u8>, Error> {
    let (body, update) = state.encrypt(ad, &RATCHET_PREFIX, plaintext, nonce)?;
    state.commit_send(update);
    Ok([RATCHET_PREFIX.to_vec(), body].concat())
}

fn ratchet_session(i: &Obj) -> R {
    let (sk, hka, nhkb, ad) = (
        i.arr("sk")?,
        i.arr("hka")?,
        i.arr("nhkb")?,
        i.arr::<32>("ad")?,
    );
    let bob_secret = i.arr("bob_secret")?;
    let bob_pub = x25519::public_key(&bob_secret);
    let alice = RatchetState::init_alice(&sk, &bob_pub, &hka, &nhkb, &i.arr("alice_secret")?)
        .map_err(kind)?;
    let bob = RatchetState::init_bob(&sk, &bob_secret, &bob_pub, &hka, &nhkb);
    let mut states = [alice, bob];
    let mut results = Vec::new();
    let err = |e: Error| obj([("error", json!(kind(e)))]);
    for step in i.list("steps")? {
        let s = as_obj(&step)?;
        let result = match s.text("action")?.as_str() {
            "send" => {
                let p = party_index(&s.text("from")?)?;
                match ratchet_send(&mut states[p], &ad, &s.bytes("plaintext")?, &s.arr("r")?) {
                    Ok(m) => obj([("message", hx(&m))]),
                    Err(e) => err(e),
                }
            }
            "lose" => {
                let p = party_index(&s.text("from")?)?;
                let mut r = Obj::new();
                for _ in 0..s.u64("count")? {
                    if r.is_empty() {
                        if let Err(e) = ratchet_send(&mut states[p], &ad, &[], &[0u8; 24]) {
                            r = err(e);
                        }
                    }
                }
                r
            }
            "receive" => {
                let p = party_index(&s.text("to")?)?;
                match ratchet_receive(&mut states[p], &ad, &s.bytes("message")?, &s.arr("secret")?)
                {
                    Ok(pt) => obj([("plaintext", hx(&pt))]),
                    Err(e) => err(e),
                }
            }
            other => return Err(format!("{BAD_REQUEST} (action {other:?})")),
        };
        results.push(Value::Object(result));
    }
    Ok(obj([("results", Value::Array(results))]))
}

fn content_in(i: &Obj) -> Result<Content, String> {
    match i.text("type")?.as_str() {
        "text" => String::from_utf8(i.bytes("text")?)
            .map(Content::Text)
            .map_err(|_| kind(Error::Malformed)),
        "attachment" => {
            let k = u8::try_from(i.u64("kind")?).map_err(|_| kind(Error::Malformed))?;
            let k = content::kind_of_byte(k).map_err(kind)?;
            AttachmentPointer::new(k, i.arr("key")?, i.u64("length")?)
                .map(Content::Attachment)
                .map_err(kind)
        }
        other => Err(format!("{BAD_REQUEST} (type {other:?})")),
    }
}

fn content_out(c: &Content) -> Obj {
    match c {
        Content::Text(t) => obj([("type", json!("text")), ("text", hx(t.as_bytes()))]),
        Content::Attachment(p) => obj([
            ("type", json!("attachment")),
            ("kind", json!(content::kind_byte(p.kind()))),
            ("key", hx(p.key())),
            ("length", json!(p.length())),
        ]),
    }
}

/// One passive delivery's result, as on the wire.
fn receipt_out(r: Result<Receipt, Error>) -> Value {
    Value::Object(match r {
        Ok(Receipt::Message(rec)) => obj([
            ("sender", hx(&identity::encode(&rec.sender))),
            ("content", Value::Object(content_out(&rec.content))),
        ]),
        Ok(Receipt::IdentityChanged { offered, .. }) => {
            obj([("identity_changed", hx(&identity::encode(&offered)))])
        }
        Err(e) => obj([("error", json!(kind(e)))]),
    })
}

fn session_receive(i: &Obj, responder: bool) -> R {
    let mut acct = if responder {
        let (me, store, _, _) = owner(i)?;
        Account::new(me, store)
    } else {
        let me = IdentitySecret::from_randomness(
            parse(&i.bytes("handle")?)?,
            &i.arr("identity_randomness")?,
        );
        let b = bundle::decode(&i.bytes("bundle")?)
            .map_err(kind)?
            .verify()
            .map_err(kind)?;
        let mut acct = Account::new(me, PrekeyStore::new(0, &[0u8; 32]));
        acct.start_with(
            &parse(&i.bytes("peer")?)?,
            &b,
            &i.arr("ek_secret")?,
            &i.arr("kem_m")?,
            &i.arr("ratchet_secret")?,
        )
        .map_err(kind)?;
        acct
    };
    let mailbox = i.arr("mailbox")?;
    let mut results = Vec::new();
    for d in i.list("deliveries")? {
        let d = as_obj(&d)?;
        let r = acct.receive_with(&mailbox, &d.bytes("envelope")?, &d.arr("secret")?);
        results.push(receipt_out(r));
    }
    Ok(obj([("results", Value::Array(results))]))
}

/// One party of a `session_run` on the impl: its account, mailbox and draw
/// counter (the scenario runner's, `xchat_spec::scenario`).
#[derive(Clone)]
struct Party {
    who: scenario::Party,
    account: Account,
    mailbox: [u8; 16],
    draws: u32,
}

/// The index of the scenario party named `name` (the spec adapter's
/// parsing of party names).
fn party_at(name: &str) -> Result<usize, String> {
    spec_ops::party_of(name).map(scenario::index_of)
}

/// The wire name of party `i`.
fn party_name_at(i: usize) -> Value {
    spec_ops::party_name(scenario::PARTIES[i])
}

/// The scenario's set-up of one party, done with the impl's types.
fn set_up(
    seed: &[u8; 32],
    who: scenario::Party,
    with_opk: bool,
    k: PqKind,
) -> Result<Party, String> {
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
        account: Account::new(id, store),
        mailbox,
        draws: 0,
    })
}

/// The directory's bundle for a party: current signed prekey, first
/// one-time prekey held, first PQ prekey held.
fn served_bundle(p: &Party) -> Result<bundle::VerifiedBundle, Error> {
    let store = p.account.store();
    let opk = store.one_time_prekey_ids().first().copied();
    let pq = store
        .pq_prekey_ids()
        .first()
        .map(|(id, _)| *id)
        .ok_or(Error::UnknownPrekey)?;
    bundle::make_bundle(p.account.identity(), store, opk, pq)?.verify()
}

fn name_of(p: &Party) -> Value {
    spec_ops::party_name(p.who)
}

/// `session_run` on the impl: the scripted runner of
/// `spec/src/scenario.rs` (its set-up and randomness derivation are the
/// harness's), with every protocol step done by the impl's `Account`.
fn session_run(i: &Obj) -> R {
    let seed: [u8; 32] = i.arr("seed")?;
    let with_opk = i.flag("with_opk")?;
    let k = pq_kind(i.u64("pq_kind")?)?;
    let mut parties = Vec::new();
    for who in scenario::PARTIES {
        parties.push(set_up(&seed, who, with_opk, k)?);
    }
    let mut snapshots: Vec<Option<Party>> = vec![None; parties.len()];
    let mut wire: Vec<Vec<u8>> = Vec::new();
    let mut recipients: Vec<usize> = Vec::new();
    let mut dropped: Vec<bool> = Vec::new();
    let mut outcomes = Vec::new();
    for e in i.list("events")? {
        let e = as_obj(&e)?;
        let index = || usize::try_from(e.u64("index")?).map_err(|_| BAD_REQUEST.to_string());
        let who = |field: &str| party_at(&e.text(field)?);
        let outcome = match e.text("action")?.as_str() {
            "start" => {
                let (f, t) = (who("from")?, who("to")?);
                let bundle = served_bundle(&parties[t]);
                let peer = *parties[t].account.identity().handle();
                let p = &mut parties[f];
                let n = p.draws;
                let r = bundle.and_then(|b| {
                    p.account.start_with(
                        &peer,
                        &b,
                        &party_draw(&seed, p.who, b"handshake ephemeral", n),
                        &party_draw(&seed, p.who, b"handshake kem", n),
                        &party_draw(&seed, p.who, b"handshake ratchet", n),
                    )
                });
                match r {
                    Ok(()) => {
                        p.draws = n.wrapping_add(1);
                        obj([
                            ("outcome", json!("started")),
                            ("from", party_name_at(f)),
                            ("to", party_name_at(t)),
                        ])
                    }
                    Err(err) => obj([
                        ("outcome", json!("start_failed")),
                        ("from", party_name_at(f)),
                        ("to", party_name_at(t)),
                        ("error", json!(kind(err))),
                    ]),
                }
            }
            "send" => {
                let (f, t) = (who("from")?, who("to")?);
                let to_mailbox = parties[t].mailbox;
                let peer = *parties[t].account.identity().handle();
                let text =
                    String::from_utf8(e.bytes("text")?).map_err(|_| BAD_REQUEST.to_string())?;
                let p = &mut parties[f];
                let n = p.draws;
                let mut rng = Replay::new(&[
                    &party_draw(&seed, p.who, b"send nonce", n)[..24],
                    &party_draw(&seed, p.who, b"send envelope", n),
                ]);
                match p
                    .account
                    .send(&peer, &Content::Text(text), &to_mailbox, &mut rng)
                {
                    Ok(sealed) => {
                        p.draws = n.wrapping_add(1);
                        wire.push(sealed);
                        recipients.push(t);
                        dropped.push(false);
                        obj([
                            ("outcome", json!("sent")),
                            ("index", json!(wire.len() - 1)),
                            ("from", party_name_at(f)),
                            ("to", party_name_at(t)),
                        ])
                    }
                    Err(err) => obj([
                        ("outcome", json!("send_failed")),
                        ("from", party_name_at(f)),
                        ("to", party_name_at(t)),
                        ("error", json!(kind(err))),
                    ]),
                }
            }
            "drop" => {
                let ix = index()?;
                if ix < dropped.len() {
                    dropped[ix] = true;
                }
                obj([("outcome", json!("ignored"))])
            }
            action @ ("deliver" | "duplicate" | "tamper") => {
                let ix = index()?;
                if ix < wire.len() && !dropped[ix] {
                    let mut sealed = wire[ix].clone();
                    if action == "tamper" && !sealed.is_empty() {
                        let byte =
                            usize::try_from(e.u64("byte")?).map_err(|_| BAD_REQUEST.to_string())?;
                        let mask =
                            u8::try_from(e.u64("mask")?).map_err(|_| BAD_REQUEST.to_string())?;
                        let at = byte % sealed.len();
                        sealed[at] ^= if mask == 0 { 1 } else { mask };
                    }
                    let to = recipients[ix];
                    let p = &mut parties[to];
                    let secret = party_draw(&seed, p.who, b"receive", p.draws);
                    let to_name = name_of(p);
                    match p.account.receive_with(&p.mailbox.clone(), &sealed, &secret) {
                        Ok(Receipt::Message(rec)) => {
                            p.draws = p.draws.wrapping_add(1);
                            obj([
                                ("outcome", json!("delivered")),
                                ("index", json!(ix)),
                                ("to", to_name),
                                ("content", Value::Object(content_out(&rec.content))),
                            ])
                        }
                        Ok(Receipt::IdentityChanged { offered, .. }) => obj([
                            ("outcome", json!("identity_changed")),
                            ("index", json!(ix)),
                            ("to", to_name),
                            ("offered", hx(&identity::encode(&offered))),
                        ]),
                        Err(err) => obj([
                            ("outcome", json!("rejected")),
                            ("index", json!(ix)),
                            ("to", to_name),
                            ("error", json!(kind(err))),
                        ]),
                    }
                } else {
                    obj([("outcome", json!("ignored"))])
                }
            }
            "accept_identity" => {
                let (w, o) = (who("who")?, who("of")?);
                let offered = parties[o].account.identity().public().clone();
                match parties[w].account.accept_identity(&offered) {
                    Ok(()) => obj([("outcome", json!("done"))]),
                    Err(_) => obj([("outcome", json!("ignored"))]),
                }
            }
            "rotate_prekey" => {
                let w = who("who")?;
                let p = &mut parties[w];
                let secret = party_draw(&seed, p.who, b"rotated signed prekey", p.draws);
                p.account.rotate_signed_prekey_with(&secret);
                p.draws = p.draws.wrapping_add(1);
                obj([("outcome", json!("done"))])
            }
            "snapshot" => {
                let w = who("who")?;
                snapshots[w] = Some(parties[w].clone());
                obj([("outcome", json!("done"))])
            }
            "restore" => {
                let w = who("who")?;
                match &snapshots[w] {
                    Some(saved) => {
                        parties[w] = saved.clone();
                        obj([("outcome", json!("done"))])
                    }
                    None => obj([("outcome", json!("ignored"))]),
                }
            }
            other => return Err(format!("{BAD_REQUEST} (action {other:?})")),
        };
        outcomes.push(Value::Object(outcome));
    }
    Ok(obj([
        ("wire", Value::Array(wire.iter().map(|w| hx(w)).collect())),
        ("outcomes", Value::Array(outcomes)),
    ]))
}
