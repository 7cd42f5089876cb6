//! Every op of the conformance interface, computed by the executable
//! specification (`xchat-spec`): the oracle of the vectors and of
//! `run --random`, and the `spec` implementation of `run`.

use serde_json::{json, Value};
use xchat_spec::account::{self, Account, Receipt};
use xchat_spec::bundle::{self, PqKind, PqPrekeySecret, PrekeyStore};
use xchat_spec::content::{self, AttachmentPointer, Content, MediaKind};
use xchat_spec::handle::{self, Handle};
use xchat_spec::identity::{self, IdentityPublic, IdentitySecret};
use xchat_spec::ratchet::{self, RatchetState};
use xchat_spec::scenario::{self, Event, Outcome, Party, Setup};
use xchat_spec::session;
use xchat_spec::suite::{dh, public_key};
use xchat_spec::{
    attachment, chacha20poly1305, ed25519, envelope, fingerprint, handshake, hkdf, hmac, ml_kem,
    padding, sha2, sha3, x25519, xchacha20poly1305, Error,
};

use crate::value::{as_obj, hx, obj, Answer, Fields, Obj, BAD_REQUEST, UNSUPPORTED};

/// The name of an error kind, as on the wire.
pub fn kind(e: Error) -> String {
    format!("{e:?}")
}

type R = Result<Obj, String>;

/// Runs `op` on `input` with the spec.
pub fn call(op: &str, i: &Obj) -> Answer {
    answer(primitive(op, i))
}

fn primitive(op: &str, i: &Obj) -> R {
    match op {
        "sha256" => Ok(obj([("digest", hx(&sha2::sha256(&i.bytes("msg")?)))])),
        "sha512" => Ok(obj([("digest", hx(&sha2::sha512(&i.bytes("msg")?)))])),
        "sha3_256" => Ok(obj([("digest", hx(&sha3::sha3_256(&i.bytes("msg")?)))])),
        "sha3_512" => Ok(obj([("digest", hx(&sha3::sha3_512(&i.bytes("msg")?)))])),
        "shake128" => shake(i, sha3::shake128),
        "shake256" => shake(i, sha3::shake256),
        "hmac_sha256" => Ok(obj([(
            "tag",
            hx(&hmac::hmac_sha256(&i.bytes("key")?, &i.bytes("msg")?)),
        )])),
        "hmac_sha512" => Ok(obj([(
            "tag",
            hx(&hmac::hmac_sha512(&i.bytes("key")?, &i.bytes("msg")?)),
        )])),
        "hkdf_sha256" => hkdf_op(i, hkdf::hkdf_sha256),
        "hkdf_sha512" => hkdf_op(i, hkdf::hkdf_sha512),
        "chacha20poly1305_seal" => Ok(obj([(
            "ct",
            hx(&chacha20poly1305::seal(
                &i.arr("key")?,
                &i.arr("nonce")?,
                &i.bytes("aad")?,
                &i.bytes("msg")?,
            )),
        )])),
        "chacha20poly1305_open" => chacha20poly1305::open(
            &i.arr("key")?,
            &i.arr("nonce")?,
            &i.bytes("aad")?,
            &i.bytes("ct")?,
        )
        .map(|m| obj([("msg", hx(&m))]))
        .map_err(kind),
        "xchacha20poly1305_seal" => Ok(obj([(
            "ct",
            hx(&xchacha20poly1305::seal(
                &i.arr("key")?,
                &i.arr("nonce")?,
                &i.bytes("aad")?,
                &i.bytes("msg")?,
            )),
        )])),
        "xchacha20poly1305_open" => xchacha20poly1305::open(
            &i.arr("key")?,
            &i.arr("nonce")?,
            &i.bytes("aad")?,
            &i.bytes("ct")?,
        )
        .map(|m| obj([("msg", hx(&m))]))
        .map_err(kind),
        "x25519" => Ok(obj([(
            "shared",
            hx(&x25519::x25519(&i.arr("scalar")?, &i.arr("u")?)),
        )])),
        "ed25519_public" => Ok(obj([("public", hx(&ed25519::public_key(&i.arr("seed")?)))])),
        "ed25519_sign" => Ok(obj([(
            "sig",
            hx(&ed25519::sign(&i.arr("seed")?, &i.bytes("msg")?)),
        )])),
        "ed25519_verify" => {
            let (public, msg, sig) = (i.arr("public")?, i.bytes("msg")?, i.arr("sig")?);
            Ok(obj([(
                "valid",
                json!(ed25519::verify(&public, &msg, &sig).is_ok()),
            )]))
        }
        "mlkem768_keygen" => {
            let (ek, dk) = ml_kem::keygen_internal(&i.arr("d")?, &i.arr("z")?);
            Ok(obj([("ek", hx(&ek)), ("dk", hx(&dk))]))
        }
        "mlkem768_encaps" => {
            let (ek, m) = (i.bytes("ek")?, i.arr("m")?);
            ml_kem::encaps_internal(&ek, &m)
                .map(|(ss, ct)| obj([("ct", hx(&ct)), ("ss", hx(&ss))]))
                .map_err(kind)
        }
        "mlkem768_decaps" => ml_kem::decaps_internal(&i.bytes("dk")?, &i.bytes("ct")?)
            .map(|ss| obj([("ss", hx(&ss))]))
            .map_err(kind),
        _ => protocol(op, i),
    }
}

/// The answer of a computation; [`UNSUPPORTED`] becomes `Unsupported`.
pub fn answer(r: R) -> Answer {
    match r {
        Ok(o) => Answer::Output(o),
        Err(e) if e == UNSUPPORTED => Answer::Unsupported,
        Err(e) => Answer::Error(e),
    }
}

fn shake(i: &Obj, f: fn(&[u8], usize) -> Vec<u8>) -> R {
    let len = usize::try_from(i.u64("len")?).map_err(|_| BAD_REQUEST.to_string())?;
    Ok(obj([("out", hx(&f(&i.bytes("msg")?, len)))]))
}

/// An HKDF function of the spec.
type Hkdf = fn(&[u8], &[u8], &[u8], usize) -> Result<Vec<u8>, Error>;

fn hkdf_op(i: &Obj, f: Hkdf) -> R {
    let len = usize::try_from(i.u64("len")?).map_err(|_| BAD_REQUEST.to_string())?;
    f(&i.bytes("salt")?, &i.bytes("ikm")?, &i.bytes("info")?, len)
        .map(|okm| obj([("okm", hx(&okm))]))
        .map_err(kind)
}

fn protocol(op: &str, i: &Obj) -> R {
    match op {
        "handle_parse" => handle_parse(i),
        "handle_decode" => handle_decode(i),
        "identity_generate" => identity_generate(i),
        "identity_decode" => identity_decode(i),
        "identity_verify" => identity_verify(i),
        "bundle_make" => bundle_make(i),
        "bundle_decode" => bundle_decode(i),
        "bundle_verify" => bundle_verify(i),
        "handshake_initiate" => handshake_initiate(i),
        "handshake_respond" => handshake_respond(i),
        "ratchet_kdf_rk" => ratchet_kdf_rk(i),
        "ratchet_kdf_ck" => {
            let (ck, mk) = ratchet::kdf_ck(&i.arr("ck")?);
            Ok(obj([("chain_key", hx(&ck)), ("message_key", hx(&mk))]))
        }
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
        "ratchet_hedge_nonce" => {
            ratchet::hedge_nonce(&i.arr("mk")?, &i.arr("r")?, &i.bytes("plaintext")?)
                .map(|n| obj([("nonce", hx(&n))]))
                .map_err(kind)
        }
        "ratchet_encrypt_mk" => ratchet::encrypt_mk(
            &i.arr("mk")?,
            &i.arr("nonce")?,
            &i.bytes("plaintext")?,
            &i.bytes("aad")?,
        )
        .map(|c| obj([("ciphertext", hx(&c))]))
        .map_err(kind),
        "ratchet_decrypt_mk" => ratchet::decrypt_mk(
            &i.arr("mk")?,
            &i.arr("nonce")?,
            &i.bytes("ciphertext")?,
            &i.bytes("aad")?,
        )
        .map(|p| obj([("plaintext", hx(&p))]))
        .map_err(kind),
        "ratchet_session" => ratchet_session(i),
        "padme" => {
            let len = i.u64("len")?;
            if padding::pre_padme(len) {
                Ok(obj([("padded_len", json!(padding::padme(len)))]))
            } else {
                Err(kind(Error::Malformed))
            }
        }
        "padding_pad" => Ok(obj([("padded", hx(&padding::pad(&i.bytes("content")?)))])),
        "padding_unpad" => padding::unpad(&i.bytes("padded")?)
            .map(|c| obj([("content", hx(&c))]))
            .map_err(kind),
        "content_encode" => {
            let c = content_in(i)?;
            if content::pre_encode(&c) {
                Ok(obj([("encoded", hx(&content::encode(&c)))]))
            } else {
                Err(kind(Error::Malformed))
            }
        }
        "content_decode" => content::decode(&i.bytes("encoded")?)
            .map(|c| content_out(&c))
            .map_err(kind),
        "envelope_seal" => envelope_seal(i),
        "envelope_open" => envelope_open(i),
        "attachment_ciphertext_len" => {
            let len = i.u64("length")?;
            if attachment::pre_ciphertext_len(len) {
                Ok(obj([(
                    "ciphertext_len",
                    json!(attachment::ciphertext_len(len)),
                )]))
            } else {
                Err(kind(Error::Malformed))
            }
        }
        "attachment_keys" => {
            let (enc_key, commitment) = attachment::attachment_keys(&i.arr("key")?);
            Ok(obj([
                ("enc_key", hx(&enc_key)),
                ("commitment", hx(&commitment)),
            ]))
        }
        "attachment_seal_chunk" => {
            let (key, index, last, chunk) = (
                i.arr("enc_key")?,
                i.u64("index")?,
                i.flag("last")?,
                i.bytes("chunk")?,
            );
            if attachment::pre_seal_chunk(last, chunk.len()) {
                Ok(obj([(
                    "sealed",
                    hx(&attachment::seal_chunk(&key, index, last, &chunk)),
                )]))
            } else {
                Err(kind(Error::Malformed))
            }
        }
        "attachment_open_chunk" => attachment::open_chunk(
            &i.arr("enc_key")?,
            i.u64("index")?,
            i.flag("last")?,
            &i.bytes("sealed")?,
        )
        .map(|c| obj([("chunk", hx(&c))]))
        .map_err(kind),
        "attachment_seal" => {
            let (_, ct) = attachment::seal(MediaKind::File, &i.arr("key")?, &i.bytes("file")?);
            Ok(obj([("ciphertext", hx(&ct))]))
        }
        "attachment_open" => {
            let pointer = AttachmentPointer {
                kind: MediaKind::File,
                key: i.arr("key")?,
                length: i.u64("length")?,
            };
            attachment::open(&pointer, &i.bytes("ciphertext")?)
                .map(|f| obj([("file", hx(&f))]))
                .map_err(kind)
        }
        "fingerprint" => {
            let id = identity::decode(&i.bytes("identity")?).map_err(kind)?;
            let fp = fingerprint::fingerprint(&id);
            Ok(obj([("fingerprint", json!(String::from_utf8_lossy(&fp)))]))
        }
        "safety_number" => {
            let a = identity::decode(&i.bytes("a")?).map_err(kind)?;
            let b = identity::decode(&i.bytes("b")?).map_err(kind)?;
            let sn = fingerprint::safety_number(&a, &b);
            Ok(obj([(
                "safety_number",
                json!(String::from_utf8_lossy(&sn)),
            )]))
        }
        "session_run" => session_run(i),
        "session_receive_responder" => session_receive(i, true),
        "session_receive_initiator" => session_receive(i, false),
        _ => Err(UNSUPPORTED.to_string()),
    }
}

// ---- handles and identities ---------------------------------------------

fn parse(bytes: &[u8]) -> Result<Handle, String> {
    handle::parse_handle(bytes).map_err(kind)
}

fn handle_parse(i: &Obj) -> R {
    let h = parse(&i.bytes("handle")?)?;
    Ok(obj([
        ("canonical", hx(&handle::handle_bytes(&h))),
        ("encoded", hx(&handle::enc_handle(&h))),
    ]))
}

fn handle_decode(i: &Obj) -> R {
    let enc = i.bytes("encoded")?;
    let (h, end) = handle::read_handle(&enc, 0).map_err(kind)?;
    xchat_spec::encoding::expect_end(&enc, end).map_err(kind)?;
    Ok(obj([("canonical", hx(&handle::handle_bytes(&h)))]))
}

/// The identity of `handle` generated from `randomness` (64 bytes).
pub fn identity_of(
    handle: &[u8],
    randomness: &[u8; 64],
) -> Result<(IdentitySecret, IdentityPublic), String> {
    Ok(identity::generate(&parse(handle)?, randomness))
}

fn identity_generate(i: &Obj) -> R {
    let (_, id) = identity_of(&i.bytes("handle")?, &i.arr("randomness")?)?;
    Ok(obj([
        ("identity", hx(&identity::encode(&id))),
        ("sig_pub", hx(&id.sig_pub)),
        ("dh_pub", hx(&id.dh_pub)),
        ("binding", hx(&id.binding)),
    ]))
}

fn identity_decode(i: &Obj) -> R {
    let id = identity::decode(&i.bytes("identity")?).map_err(kind)?;
    Ok(obj([
        ("handle", hx(&handle::handle_bytes(&id.handle))),
        ("sig_pub", hx(&id.sig_pub)),
        ("dh_pub", hx(&id.dh_pub)),
        ("binding", hx(&id.binding)),
    ]))
}

fn identity_verify(i: &Obj) -> R {
    let id = identity::decode(&i.bytes("identity")?).map_err(kind)?;
    identity::verify(&id).map_err(kind)?;
    Ok(Obj::new())
}

// ---- bundles ------------------------------------------------------------

fn pq_kind(k: u64) -> Result<PqKind, String> {
    u8::try_from(k)
        .map_err(|_| kind(Error::Malformed))
        .and_then(|b| bundle::kind_of_byte(b).map_err(kind))
}

/// The owner's identity and prekey store from the fields `handle`,
/// `identity_randomness`, `spk_id`, `spk_secret`, optional `opk_id` and
/// `opk_secret`, `pqpk_id`, `pqpk_kind`, `pqpk_randomness`.
fn owner(i: &Obj) -> Result<(IdentitySecret, PrekeyStore), String> {
    let (secret, _) = identity_of(&i.bytes("handle")?, &i.arr("identity_randomness")?)?;
    let kind_ = pq_kind(i.u64("pqpk_kind")?)?;
    let pq = bundle::generate_pq_prekey(i.u32("pqpk_id")?, kind_, &i.arr("pqpk_randomness")?);
    let opks = if i.has("opk_id") {
        vec![(i.u32("opk_id")?, i.arr("opk_secret")?)]
    } else {
        Vec::new()
    };
    let store = PrekeyStore {
        spk_id: i.u32("spk_id")?,
        spk_secret: i.arr("spk_secret")?,
        retired_spks: Vec::new(),
        opks,
        pqpks: vec![pq],
    };
    Ok((secret, store))
}

fn bundle_make(i: &Obj) -> R {
    let (secret, store) = owner(i)?;
    let opk_id = store.opks.first().map(|o| o.0);
    let b = bundle::make_bundle(&secret, &store, opk_id, store.pqpks[0].id).map_err(kind)?;
    Ok(obj([("bundle", hx(&bundle::encode(&b)))]))
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

fn bundle_verify(i: &Obj) -> R {
    let b = bundle::decode(&i.bytes("bundle")?).map_err(kind)?;
    bundle::verify(&b).map_err(kind)?;
    Ok(Obj::new())
}

// ---- handshake ----------------------------------------------------------

fn dh_out(o: &mut Obj, name: &str, secret: &[u8; 32], public: &[u8; 32]) -> Result<(), String> {
    o.insert(name.into(), hx(&dh(secret, public).map_err(kind)?));
    Ok(())
}

fn handshake_initiate(i: &Obj) -> R {
    let (alice, alice_pub) = identity_of(&i.bytes("handle")?, &i.arr("identity_randomness")?)?;
    let peer = parse(&i.bytes("peer")?)?;
    let b = bundle::decode(&i.bytes("bundle")?).map_err(kind)?;
    let (ek_secret, kem_m, ratchet_secret) = (
        i.arr("ek_secret")?,
        i.arr("kem_m")?,
        i.arr("ratchet_secret")?,
    );
    let (header_nonce, plaintext) = (i.arr("header_nonce")?, i.bytes("plaintext")?);
    let session =
        session::start(&alice, &peer, &b, &ek_secret, &kem_m, &ratchet_secret).map_err(kind)?;
    let (_, message) = session::encrypt(&session, &plaintext, &header_nonce).map_err(kind)?;
    // The intermediate values, recomputed step by step (SPEC.md section 8).
    let ek = public_key(&ek_secret);
    let mut o = obj([("ek", hx(&ek))]);
    dh_out(&mut o, "dh1", &alice.dh_secret, &b.spk)?;
    dh_out(&mut o, "dh2", &ek_secret, &b.identity.dh_pub)?;
    dh_out(&mut o, "dh3", &ek_secret, &b.spk)?;
    if let Some((_, opk)) = b.opk {
        dh_out(&mut o, "dh4", &ek_secret, &opk)?;
    }
    let (ss, ct) = ml_kem::encaps_internal(&b.pqpk, &kem_m).map_err(kind)?;
    let t = handshake::transcript(&handshake::TranscriptKeys {
        initiator: alice_pub,
        responder: b.identity.clone(),
        spk: (b.spk_id, b.spk),
        opk: b.opk,
        pqpk: (b.pqpk_id, b.pqpk_kind, b.pqpk.clone()),
        ek,
        ct: ct.clone(),
    });
    let keys = derived(&o, &ss, &t)?;
    o.insert("ss".into(), hx(&ss));
    o.insert("ct".into(), hx(&ct));
    o.insert("transcript".into(), hx(&t));
    add_keys(&mut o, &keys);
    o.insert("message".into(), hx(&message));
    Ok(o)
}

fn derived(o: &Obj, ss: &[u8; 32], t: &[u8]) -> Result<handshake::HandshakeKeys, String> {
    let mut dhs = Vec::new();
    for name in ["dh1", "dh2", "dh3", "dh4"] {
        if o.has(name) {
            dhs.extend(o.bytes(name)?);
        }
    }
    handshake::derive_keys(&dhs, ss, t).map_err(kind)
}

fn add_keys(o: &mut Obj, k: &handshake::HandshakeKeys) {
    o.insert("sk".into(), hx(&k.sk));
    o.insert("hka".into(), hx(&k.hka));
    o.insert("nhkb".into(), hx(&k.nhkb));
    o.insert("ad".into(), hx(&k.ad));
}

fn handshake_respond(i: &Obj) -> R {
    let (bob, store) = owner(i)?;
    let (message, ratchet_secret) = (i.bytes("message")?, i.arr("ratchet_secret")?);
    let acc = handshake::respond(&bob, &store, &message, &ratchet_secret).map_err(kind)?;
    let h = &acc.header;
    let mut o = obj([
        ("initiator", hx(&identity::encode(&h.initiator))),
        ("ek", hx(&h.ek)),
    ]);
    dh_out(&mut o, "dh1", &store.spk_secret, &h.initiator.dh_pub)?;
    dh_out(&mut o, "dh2", &bob.dh_secret, &h.ek)?;
    dh_out(&mut o, "dh3", &store.spk_secret, &h.ek)?;
    let opk = match h.opk_id {
        Some(id) => {
            let secret = bundle::find_opk(&store, id).ok_or_else(|| kind(Error::UnknownPrekey))?;
            dh_out(&mut o, "dh4", &secret, &h.ek)?;
            Some((id, public_key(&secret)))
        }
        None => None,
    };
    let pq = bundle::find_pqpk(&store, h.pqpk_id).ok_or_else(|| kind(Error::UnknownPrekey))?;
    let ss = ml_kem::decaps_internal(&pq.dk, &h.ct).map_err(kind)?;
    let t = handshake::transcript(&handshake::TranscriptKeys {
        initiator: h.initiator.clone(),
        responder: identity::public_of(&bob),
        spk: (store.spk_id, public_key(&store.spk_secret)),
        opk,
        pqpk: (pq.id, pq.kind, pq.ek.clone()),
        ek: h.ek,
        ct: h.ct.clone(),
    });
    let keys = derived(&o, &ss, &t)?;
    o.insert("ss".into(), hx(&ss));
    add_keys(&mut o, &keys);
    o.insert("plaintext".into(), hx(&acc.plaintext));
    o.insert(
        "opk_consumed".into(),
        json!(acc.store.opks.len() < store.opks.len()),
    );
    o.insert(
        "pqpk_consumed".into(),
        json!(acc.store.pqpks.len() < store.pqpks.len()),
    );
    Ok(o)
}

// ---- ratchet ------------------------------------------------------------

fn ratchet_kdf_rk(i: &Obj) -> R {
    let (rk, ck, nhk) = ratchet::kdf_rk_he(&i.arr("rk")?, &i.arr("dh_out")?).map_err(kind)?;
    Ok(obj([
        ("root_key", hx(&rk)),
        ("chain_key", hx(&ck)),
        ("next_header_key", hx(&nhk)),
    ]))
}

fn party_index(name: &str) -> Result<usize, String> {
    match name {
        "alice" => Ok(0),
        "bob" => Ok(1),
        _ => Err(format!("{BAD_REQUEST} (party {name:?})")),
    }
}

fn ratchet_session(i: &Obj) -> R {
    let (sk, hka, nhkb, ad) = (
        i.arr("sk")?,
        i.arr("hka")?,
        i.arr("nhkb")?,
        i.arr::<32>("ad")?,
    );
    let bob_secret = i.arr("bob_secret")?;
    let alice = ratchet::init_alice(
        &sk,
        &public_key(&bob_secret),
        &hka,
        &nhkb,
        &i.arr("alice_secret")?,
    )
    .map_err(kind)?;
    let bob = ratchet::init_bob(&sk, &bob_secret, &hka, &nhkb);
    let mut states: [RatchetState; 2] = [alice, bob];
    let mut results = Vec::new();
    for step in i.list("steps")? {
        let s = as_obj(&step)?;
        let action = s.text("action")?;
        let result = match action.as_str() {
            "send" => {
                let p = party_index(&s.text("from")?)?;
                match ratchet::encrypt_message(
                    &states[p],
                    &ad,
                    &s.bytes("plaintext")?,
                    &s.arr("r")?,
                ) {
                    Ok((next, message)) => {
                        states[p] = next;
                        obj([("message", hx(&message))])
                    }
                    Err(e) => obj([("error", json!(kind(e)))]),
                }
            }
            "lose" => {
                let p = party_index(&s.text("from")?)?;
                let mut error = None;
                for _ in 0..s.u64("count")? {
                    if error.is_none() {
                        match ratchet::encrypt_message(&states[p], &ad, &[], &[0u8; 24]) {
                            Ok((next, _)) => states[p] = next,
                            Err(e) => error = Some(e),
                        }
                    }
                }
                match error {
                    None => Obj::new(),
                    Some(e) => obj([("error", json!(kind(e)))]),
                }
            }
            "receive" => {
                let p = party_index(&s.text("to")?)?;
                match ratchet::decrypt_message(
                    &states[p],
                    &ad,
                    &s.bytes("message")?,
                    &s.arr("secret")?,
                ) {
                    Ok((next, plaintext)) => {
                        states[p] = next;
                        obj([("plaintext", hx(&plaintext))])
                    }
                    Err(e) => obj([("error", json!(kind(e)))]),
                }
            }
            other => return Err(format!("{BAD_REQUEST} (action {other:?})")),
        };
        results.push(Value::Object(result));
    }
    Ok(obj([("results", Value::Array(results))]))
}

// ---- content, envelopes --------------------------------------------------

/// A content from the fields `type` (`text` or `attachment`), `text`, or
/// `kind`, `key`, `length`.
pub fn content_in(i: &Obj) -> Result<Content, String> {
    match i.text("type")?.as_str() {
        "text" => Ok(Content::Text(i.bytes("text")?)),
        "attachment" => {
            let k = u8::try_from(i.u64("kind")?).map_err(|_| kind(Error::Malformed))?;
            Ok(Content::Attachment(AttachmentPointer {
                kind: content::kind_of_byte(k).map_err(kind)?,
                key: i.arr("key")?,
                length: i.u64("length")?,
            }))
        }
        other => Err(format!("{BAD_REQUEST} (type {other:?})")),
    }
}

/// The fields of a content (the inverse of [`content_in`]).
pub fn content_out(c: &Content) -> Obj {
    match c {
        Content::Text(t) => obj([("type", json!("text")), ("text", hx(t))]),
        Content::Attachment(p) => obj([
            ("type", json!("attachment")),
            ("kind", json!(content::kind_byte(p.kind))),
            ("key", hx(&p.key)),
            ("length", json!(p.length)),
        ]),
    }
}

fn envelope_seal(i: &Obj) -> R {
    let (sender, _) = identity_of(&i.bytes("sender_handle")?, &i.arr("sender_randomness")?)?;
    envelope::seal(
        &sender,
        &i.arr("recipient_dh_pub")?,
        &i.arr("mailbox")?,
        &i.bytes("payload")?,
        &i.arr("r")?,
    )
    .map(|e| obj([("envelope", hx(&e))]))
    .map_err(kind)
}

/// An identity secret that only carries `dh_secret` (opening an envelope
/// uses nothing else).
fn recipient(dh_secret: [u8; 32]) -> Result<IdentitySecret, String> {
    Ok(IdentitySecret {
        handle: parse(b"recipient")?,
        sig_seed: [0u8; 32],
        dh_secret,
    })
}

fn envelope_open(i: &Obj) -> R {
    let me = recipient(i.arr("dh_secret")?)?;
    envelope::open(&me, &i.arr("mailbox")?, &i.bytes("envelope")?)
        .map(|(s, p)| obj([("sender", hx(&identity::encode(&s))), ("payload", hx(&p))]))
        .map_err(kind)
}

// ---- sessions -----------------------------------------------------------

/// The name of a scenario party on the wire.
pub fn party_name(p: Party) -> Value {
    json!(std::str::from_utf8(scenario::name(p)).unwrap_or("?"))
}

/// The scenario party named `name` (`alice`, `bob`, `carol`, `mallory`).
pub fn party_of(name: &str) -> Result<Party, String> {
    scenario::PARTIES
        .iter()
        .copied()
        .find(|p| scenario::name(*p) == name.as_bytes())
        .ok_or_else(|| format!("{BAD_REQUEST} (party {name:?})"))
}

/// The events of a `session_run` script.
pub fn events_in(list: &[Value]) -> Result<Vec<Event>, String> {
    let mut events = Vec::new();
    for e in list {
        let e = as_obj(e)?;
        let index = || usize::try_from(e.u64("index")?).map_err(|_| BAD_REQUEST.to_string());
        let who = |field: &str| party_of(&e.text(field)?);
        events.push(match e.text("action")?.as_str() {
            "start" => Event::Start {
                from: who("from")?,
                to: who("to")?,
            },
            "send" => Event::Send {
                from: who("from")?,
                to: who("to")?,
                text: e.bytes("text")?,
            },
            "deliver" => Event::Deliver { index: index()? },
            "drop" => Event::Drop { index: index()? },
            "duplicate" => Event::Duplicate { index: index()? },
            "tamper" => Event::Tamper {
                index: index()?,
                byte: usize::try_from(e.u64("byte")?).map_err(|_| BAD_REQUEST.to_string())?,
                mask: u8::try_from(e.u64("mask")?).map_err(|_| BAD_REQUEST.to_string())?,
            },
            "accept_identity" => Event::AcceptIdentity {
                who: who("who")?,
                of: who("of")?,
            },
            "rotate_prekey" => Event::RotatePrekey { who: who("who")? },
            "snapshot" => Event::Snapshot { who: who("who")? },
            "restore" => Event::Restore { who: who("who")? },
            other => return Err(format!("{BAD_REQUEST} (action {other:?})")),
        });
    }
    Ok(events)
}

/// One outcome of a `session_run`, as on the wire.
pub fn outcome_out(o: &Outcome) -> Value {
    Value::Object(match o {
        Outcome::Started { from, to } => obj([
            ("outcome", json!("started")),
            ("from", party_name(*from)),
            ("to", party_name(*to)),
        ]),
        Outcome::StartFailed { from, to, error } => obj([
            ("outcome", json!("start_failed")),
            ("from", party_name(*from)),
            ("to", party_name(*to)),
            ("error", json!(kind(*error))),
        ]),
        Outcome::Sent { index, from, to } => obj([
            ("outcome", json!("sent")),
            ("index", json!(index)),
            ("from", party_name(*from)),
            ("to", party_name(*to)),
        ]),
        Outcome::SendFailed { from, to, error } => obj([
            ("outcome", json!("send_failed")),
            ("from", party_name(*from)),
            ("to", party_name(*to)),
            ("error", json!(kind(*error))),
        ]),
        Outcome::Delivered { index, to, content } => obj([
            ("outcome", json!("delivered")),
            ("index", json!(index)),
            ("to", party_name(*to)),
            ("content", Value::Object(content_out(content))),
        ]),
        Outcome::IdentityChanged { index, to, offered } => obj([
            ("outcome", json!("identity_changed")),
            ("index", json!(index)),
            ("to", party_name(*to)),
            ("offered", hx(&identity::encode(offered))),
        ]),
        Outcome::Rejected { index, to, error } => obj([
            ("outcome", json!("rejected")),
            ("index", json!(index)),
            ("to", party_name(*to)),
            ("error", json!(kind(*error))),
        ]),
        Outcome::Done => obj([("outcome", json!("done"))]),
        Outcome::Ignored => obj([("outcome", json!("ignored"))]),
    })
}

fn session_run(i: &Obj) -> R {
    let setup = Setup {
        seed: i.arr("seed")?,
        with_opk: i.flag("with_opk")?,
        pq_kind: pq_kind(i.u64("pq_kind")?)?,
    };
    let events = events_in(&i.list("events")?)?;
    let t = scenario::run(&setup, &events).map_err(kind)?;
    Ok(obj([
        ("wire", Value::Array(t.wire.iter().map(|w| hx(w)).collect())),
        (
            "outcomes",
            Value::Array(t.outcomes.iter().map(outcome_out).collect()),
        ),
    ]))
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
    let mut acct: Account = if responder {
        let (me, store) = owner(i)?;
        account::new(&me, &store)
    } else {
        let (me, _) = identity_of(&i.bytes("handle")?, &i.arr("identity_randomness")?)?;
        let b = bundle::decode(&i.bytes("bundle")?).map_err(kind)?;
        let empty = PrekeyStore {
            spk_id: 0,
            spk_secret: [0u8; 32],
            retired_spks: Vec::new(),
            opks: Vec::new(),
            pqpks: Vec::<PqPrekeySecret>::new(),
        };
        account::start(
            &account::new(&me, &empty),
            &parse(&i.bytes("peer")?)?,
            &b,
            &i.arr("ek_secret")?,
            &i.arr("kem_m")?,
            &i.arr("ratchet_secret")?,
        )
        .map_err(kind)?
    };
    let mailbox = i.arr("mailbox")?;
    let mut results = Vec::new();
    for d in i.list("deliveries")? {
        let d = as_obj(&d)?;
        let r = account::receive(&acct, &mailbox, &d.bytes("envelope")?, &d.arr("secret")?);
        results.push(receipt_out(match r {
            Ok((next, receipt)) => {
                acct = next;
                Ok(receipt)
            }
            Err(e) => Err(e),
        }));
    }
    Ok(obj([("results", Value::Array(results))]))
}
