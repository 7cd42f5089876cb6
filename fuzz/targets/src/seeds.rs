//! The seed corpora and dictionaries, generated from the committed vectors
//! (`vectors/data/*.yaml`, read as plain YAML; nothing of `xchat-vectors`
//! is used) and from the protocol's constants.
//!
//! Every vector case whose input a target can take becomes a seed of that
//! target, encoded in the target's input format ([`crate::input`]); the
//! robustness targets also get states built with the impl (exported
//! sessions, the receive fixture's envelopes). `src/bin/seed-corpora.rs`
//! writes them to `fuzz/seeds/<target>/` and `fuzz/dicts/<target>.dict`;
//! `tests/replay.rs` checks that the committed files are what this module
//! generates.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::Value;
use xchat::bundle;
use xchat::handle;
use xchat::identity::IdentitySecret;
use xchat::session::Session;

use crate::diff_decoders::sel;
use crate::diff_handshake::Fields;
use crate::diff_primitives::{hkdf_len_fields, op};
use crate::input::Writer;

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Seeds: target name -> (file name -> bytes).
pub type Seeds = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

/// One vector case: its op, id and input object.
struct Case {
    op: String,
    id: String,
    input: Value,
    output: Value,
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let doc: Value =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let op = doc["op"].as_str().unwrap_or_default().to_string();
        if let Some(list) = doc["cases"].as_sequence() {
            for c in list {
                out.push(Case {
                    op: op.clone(),
                    id: c["id"].as_str().unwrap_or_default().to_string(),
                    input: c["input"].clone(),
                    output: c["output"].clone(),
                });
            }
        }
    }
    out
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect()
}

/// A hex field (empty if absent).
fn b(v: &Value, key: &str) -> Vec<u8> {
    v[key].as_str().map(unhex).unwrap_or_default()
}

/// A fixed-size hex field (zero-filled or cut).
fn a<const N: usize>(v: &Value, key: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let src = b(v, key);
    let n = src.len().min(N);
    out[..n].copy_from_slice(&src[..n]);
    out
}

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(0)
}

fn flag(v: &Value, key: &str) -> bool {
    v[key].as_bool().unwrap_or(false)
}

/// Every seed of every target.
pub fn all() -> Seeds {
    let cases = cases(&repo_root().join("vectors/data"));
    let mut s = Seeds::new();
    for t in crate::TARGETS {
        s.insert(t.name, BTreeMap::new());
    }
    let mut add = |target: &'static str, name: String, bytes: Vec<u8>| {
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if let Some(m) = s.get_mut(target) {
            m.insert(name, bytes);
        }
    };
    let first = |op: &str| cases.iter().find(|c| c.op == op).map(|c| c.input.clone());
    let bob_default = first("bundle_make").unwrap_or(Value::Null);
    let alice_default = first("handshake_initiate").unwrap_or(Value::Null);

    for c in &cases {
        let (i, o) = (&c.input, &c.output);
        let name = |suffix: &str| format!("{}.{}{suffix}", c.op, c.id);
        match c.op.as_str() {
            "sha256" | "sha512" => {
                let code = if c.op == "sha256" {
                    op::SHA256
                } else {
                    op::SHA512
                };
                add(
                    "diff_primitives",
                    name(""),
                    Writer::new().u8(code).bytes(&b(i, "msg")).finish(),
                );
            }
            "hmac_sha256" | "hmac_sha512" => {
                let code = if c.op == "hmac_sha256" {
                    op::HMAC_SHA256
                } else {
                    op::HMAC_SHA512
                };
                let w = Writer::new().u8(code).var(&b(i, "key")).bytes(&b(i, "msg"));
                add("diff_primitives", name(""), w.finish());
            }
            "hkdf_sha256" | "hkdf_sha512" => {
                let wide = c.op == "hkdf_sha512";
                let (sel_, x) = hkdf_len_fields(n(i, "len") as usize, if wide { 64 } else { 32 });
                let codes = if wide {
                    [op::HKDF_SHA512, op::HKDF_SPLIT_SHA512]
                } else {
                    [op::HKDF_SHA256, op::HKDF_SPLIT_SHA256]
                };
                for (k, code) in codes.into_iter().enumerate() {
                    let w = Writer::new()
                        .u8(code)
                        .var(&b(i, "salt"))
                        .var(&b(i, "ikm"))
                        .var(&b(i, "info"));
                    add(
                        "diff_primitives",
                        name(if k == 0 { "" } else { ".split" }),
                        w.u16(sel_).u16(x).finish(),
                    );
                }
            }
            "chacha20poly1305_seal" | "xchacha20poly1305_seal" => {
                let x = c.op.starts_with('x');
                let (seal, round) = if x {
                    (op::XAEAD_SEAL, op::XAEAD_ROUNDTRIP)
                } else {
                    (op::AEAD_SEAL, op::AEAD_ROUNDTRIP)
                };
                let head = |code| {
                    Writer::new()
                        .u8(code)
                        .bytes(&b(i, "key"))
                        .bytes(&b(i, "nonce"))
                        .var(&b(i, "aad"))
                };
                add(
                    "diff_primitives",
                    name(""),
                    head(seal).bytes(&b(i, "msg")).finish(),
                );
                let w = head(round).u8(1).u32(0).u8(0x80).bytes(&b(i, "msg"));
                add("diff_primitives", name(".roundtrip"), w.finish());
            }
            "chacha20poly1305_open" | "xchacha20poly1305_open" => {
                let code = if c.op.starts_with('x') {
                    op::XAEAD_OPEN
                } else {
                    op::AEAD_OPEN
                };
                let w = Writer::new()
                    .u8(code)
                    .bytes(&b(i, "key"))
                    .bytes(&b(i, "nonce"))
                    .var(&b(i, "aad"));
                add("diff_primitives", name(""), w.bytes(&b(i, "ct")).finish());
            }
            "x25519" => {
                let w = Writer::new()
                    .u8(op::X25519)
                    .bytes(&b(i, "scalar"))
                    .bytes(&b(i, "u"));
                add("diff_primitives", name(""), w.finish());
            }
            "ed25519_public" | "ed25519_sign" => {
                let w = Writer::new()
                    .u8(op::ED25519_SIGN)
                    .bytes(&b(i, "seed"))
                    .bytes(&b(i, "msg"));
                add("diff_primitives", name(""), w.finish());
                let w = Writer::new()
                    .u8(op::ED25519_MUTATE)
                    .bytes(&b(i, "seed"))
                    .u8(1)
                    .u32(40)
                    .u8(1);
                add(
                    "diff_primitives",
                    name(".mutate"),
                    w.bytes(&b(i, "msg")).finish(),
                );
            }
            "ed25519_verify" => {
                let w = Writer::new()
                    .u8(op::ED25519_VERIFY)
                    .bytes(&b(i, "public"))
                    .bytes(&b(i, "sig"));
                add("diff_primitives", name(""), w.bytes(&b(i, "msg")).finish());
            }
            "mlkem768_keygen" => {
                let w = Writer::new()
                    .u8(op::MLKEM_KEYGEN)
                    .bytes(&b(i, "d"))
                    .bytes(&b(i, "z"));
                add("diff_primitives", name(""), w.finish());
                let w = Writer::new()
                    .u8(op::MLKEM_ROUNDTRIP)
                    .bytes(&b(i, "d"))
                    .bytes(&b(i, "z"));
                add(
                    "diff_primitives",
                    name(".roundtrip"),
                    w.bytes(&[0x5A; 32]).u8(1).u8(1).u32(7).u8(1).finish(),
                );
            }
            "mlkem768_encaps" => {
                let w = Writer::new()
                    .u8(op::MLKEM_ENCAPS)
                    .var(&b(i, "ek"))
                    .bytes(&b(i, "m"));
                add("diff_primitives", name(""), w.finish());
            }
            "mlkem768_decaps" => {
                let w = Writer::new()
                    .u8(op::MLKEM_DECAPS)
                    .var(&b(i, "dk"))
                    .bytes(&b(i, "ct"));
                add("diff_primitives", name(""), w.finish());
            }
            "handle_decode" => {
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::HANDLE_WIRE)
                        .bytes(&b(i, "encoded"))
                        .finish(),
                );
            }
            "handle_parse" => {
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::HANDLE_TEXT)
                        .bytes(&b(i, "handle"))
                        .finish(),
                );
            }
            "identity_decode" | "identity_verify" | "fingerprint" => {
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::IDENTITY)
                        .bytes(&b(i, "identity"))
                        .finish(),
                );
            }
            "safety_number" => {
                for k in ["a", "b"] {
                    add(
                        "diff_decoders",
                        name(&format!(".{k}")),
                        Writer::new().u8(sel::IDENTITY).bytes(&b(i, k)).finish(),
                    );
                }
            }
            "bundle_decode" | "bundle_verify" => {
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::BUNDLE)
                        .bytes(&b(i, "bundle"))
                        .finish(),
                );
            }
            "bundle_make" => {
                add(
                    "diff_decoders",
                    name(".out"),
                    Writer::new()
                        .u8(sel::BUNDLE)
                        .bytes(&b(o, "bundle"))
                        .finish(),
                );
                add(
                    "diff_handshake",
                    name(""),
                    handshake_seed(i, &alice_default),
                );
            }
            "handshake_initiate" => {
                add(
                    "diff_decoders",
                    name(".bundle"),
                    Writer::new()
                        .u8(sel::BUNDLE)
                        .bytes(&b(i, "bundle"))
                        .finish(),
                );
                add(
                    "diff_decoders",
                    name(".out"),
                    Writer::new()
                        .u8(sel::PREKEY_MESSAGE)
                        .bytes(&b(o, "message"))
                        .finish(),
                );
                add("diff_handshake", name(""), handshake_seed(&bob_default, i));
                if let Some(e) = exported_session(i) {
                    add("robust_session_import", name(""), e);
                }
            }
            "handshake_respond" => {
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::PREKEY_MESSAGE)
                        .bytes(&b(i, "message"))
                        .finish(),
                );
                add(
                    "diff_handshake",
                    name(""),
                    handshake_seed(i, &alice_default),
                );
            }
            "ratchet_session" => {
                let steps = i["steps"].as_sequence().cloned().unwrap_or_default();
                for (k, step) in steps.iter().enumerate() {
                    let m = b(step, "message");
                    if !m.is_empty() {
                        add(
                            "diff_decoders",
                            name(&format!(".{k}")),
                            Writer::new().u8(sel::RATCHET_MESSAGE).bytes(&m).finish(),
                        );
                    }
                }
                let results = o["results"].as_sequence().cloned().unwrap_or_default();
                for (k, r) in results.iter().enumerate() {
                    let m = b(r, "message");
                    if !m.is_empty() {
                        add(
                            "diff_decoders",
                            name(&format!(".out{k}")),
                            Writer::new().u8(sel::RATCHET_MESSAGE).bytes(&m).finish(),
                        );
                    }
                }
            }
            "ratchet_hdecrypt" => {
                let w = Writer::new()
                    .u8(sel::RATCHET_HEADER)
                    .bytes(&b(i, "hk"))
                    .bytes(&b(i, "enc_header"));
                add("diff_decoders", name(""), w.finish());
            }
            "ratchet_hencrypt" => {
                let h = xchat::ratchet::header(&a(i, "dh"), n(i, "pn") as u32, n(i, "n") as u32);
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::RATCHET_HEADER)
                        .bytes(&b(i, "hk"))
                        .bytes(&h)
                        .finish(),
                );
                let w = Writer::new()
                    .u8(sel::RATCHET_HEADER)
                    .bytes(&b(i, "hk"))
                    .bytes(&b(o, "enc_header"));
                add("diff_decoders", name(".out"), w.finish());
            }
            "light_envelope_decode" => {
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::LIGHT_ENVELOPE)
                        .bytes(&b(i, "envelope"))
                        .finish(),
                );
            }
            "envelope_open" => {
                let w = Writer::new()
                    .u8(sel::ENVELOPE_OPEN)
                    .bytes(&b(i, "dh_secret"))
                    .bytes(&b(i, "mailbox"));
                add(
                    "diff_decoders",
                    name(""),
                    w.bytes(&b(i, "envelope")).finish(),
                );
                add(
                    "robust_account_receive",
                    name(""),
                    Writer::new()
                        .u8(0)
                        .u8(0)
                        .var(&b(i, "envelope"))
                        .u8(0)
                        .finish(),
                );
            }
            "envelope_seal" => {
                let w = Writer::new()
                    .u8(sel::ENVELOPE_SEAL_OPEN)
                    .var(&b(i, "sender_handle"))
                    .bytes(&b(i, "sender_randomness"))
                    .bytes(&[0x42; 32])
                    .bytes(&b(i, "mailbox"))
                    .bytes(&b(i, "r"))
                    .u8(0)
                    .u32(0)
                    .u8(0);
                add(
                    "diff_decoders",
                    name(""),
                    w.bytes(&b(i, "payload")).finish(),
                );
            }
            "session_receive_responder" | "session_receive_initiator" => {
                let r = b(i, "identity_randomness");
                let dh_secret = r.get(32..64).unwrap_or(&[0u8; 32]).to_vec();
                let list = i["deliveries"].as_sequence().cloned().unwrap_or_default();
                for (k, d) in list.iter().enumerate() {
                    let env = b(d, "envelope");
                    let w = Writer::new()
                        .u8(sel::ENVELOPE_OPEN)
                        .bytes(&dh_secret)
                        .bytes(&b(i, "mailbox"));
                    add(
                        "diff_decoders",
                        name(&format!(".{k}")),
                        w.bytes(&env).finish(),
                    );
                    let w = Writer::new()
                        .u8(0)
                        .u8(0)
                        .var(&env)
                        .u8(0)
                        .bytes(&b(d, "secret"));
                    add("robust_account_receive", name(&format!(".{k}")), w.finish());
                }
            }
            "content_decode" => {
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::CONTENT)
                        .bytes(&b(i, "encoded"))
                        .finish(),
                );
            }
            "content_encode" => {
                add(
                    "diff_decoders",
                    name(".out"),
                    Writer::new()
                        .u8(sel::CONTENT)
                        .bytes(&b(o, "encoded"))
                        .finish(),
                );
            }
            "padding_unpad" => {
                add(
                    "diff_decoders",
                    name(""),
                    Writer::new()
                        .u8(sel::PADDED)
                        .bytes(&b(i, "padded"))
                        .finish(),
                );
            }
            "padding_pad" => {
                add(
                    "diff_decoders",
                    name(".out"),
                    Writer::new()
                        .u8(sel::PADDED)
                        .bytes(&b(o, "padded"))
                        .finish(),
                );
            }
            "attachment_open_chunk" => {
                let w = Writer::new()
                    .u8(sel::CHUNK_OPEN)
                    .bytes(&b(i, "enc_key"))
                    .u64(n(i, "index"));
                add(
                    "diff_decoders",
                    name(""),
                    w.u8(u8::from(flag(i, "last")))
                        .bytes(&b(i, "sealed"))
                        .finish(),
                );
            }
            "attachment_seal_chunk" => {
                let w = Writer::new()
                    .u8(sel::CHUNK_SEAL_OPEN)
                    .bytes(&b(i, "enc_key"))
                    .u64(n(i, "index"));
                let w = w.u8(u8::from(flag(i, "last"))).u8(1).u32(3).u8(4);
                add("diff_decoders", name(""), w.bytes(&b(i, "chunk")).finish());
            }
            "attachment_seal" => {
                let file = b(i, "file");
                let len = u32::try_from(file.len()).unwrap_or(0);
                let w = Writer::new()
                    .bytes(&b(i, "key"))
                    .u8(2)
                    .u8(8)
                    .u32(len)
                    .u8(0)
                    .u8(1)
                    .u32(100)
                    .u8(1)
                    .u8(0);
                add(
                    "diff_attachment",
                    name(""),
                    w.var(&[0x10, 0x00, 0x00, 0x07]).bytes(&file).finish(),
                );
                let w = Writer::new()
                    .bytes(&b(i, "key"))
                    .u8(2)
                    .u64(file.len() as u64)
                    .u8(1)
                    .u8(3);
                let w = w.u16(0).u8(0).u32(0).u16(0).u8(1).u8(1).u32(9).u8(2);
                add(
                    "robust_attachment_stream",
                    name(""),
                    w.var(&[0x01, 0x00]).bytes(&file).finish(),
                );
            }
            "attachment_open" => {
                let len = n(i, "length");
                let small = u32::try_from(len).unwrap_or(0);
                let w = Writer::new()
                    .bytes(&b(i, "key"))
                    .u8(2)
                    .u8(8)
                    .u32(small)
                    .u8(1)
                    .u8(0)
                    .u32(0)
                    .u8(0)
                    .u8(0);
                add("diff_attachment", name(""), w.var(&[]).finish());
                let w = Writer::new().bytes(&b(i, "key")).u8(2).u64(len).u8(0).u8(0);
                let w = w.u16(0).u8(0).u32(0).u16(0).u8(0).u8(0).u32(0).u8(0);
                add(
                    "robust_attachment_stream",
                    name(""),
                    w.var(&[0x00, 0x11]).bytes(&b(i, "ciphertext")).finish(),
                );
            }
            "session_run" => {
                let events: Vec<xchat_vectors::ops::session::EventIn> =
                    serde_norway::from_value(i["events"].clone()).unwrap_or_default();
                let events: Vec<xchat_spec::scenario::Event> =
                    events.iter().map(Into::into).collect();
                let setup = xchat_spec::scenario::Setup {
                    seed: a(i, "seed"),
                    with_opk: flag(i, "with_opk"),
                    pq_kind: if n(i, "pq_kind") == 2 {
                        xchat_spec::bundle::PqKind::LastResort
                    } else {
                        xchat_spec::bundle::PqKind::OneTime
                    },
                };
                // Longer scripts are cut to the target's bound.
                let cut = &events[..events.len().min(crate::diff_session_schedule::MAX_EVENTS)];
                add(
                    "diff_session_schedule",
                    name(""),
                    crate::diff_session_schedule::encode(&setup, cut),
                );
            }
            _ => {}
        }
    }

    // The receive fixture's own envelopes, each mutated and not.
    let f = crate::robust_account_receive::build();
    for k in 0..f.envelopes.len() as u8 {
        for mode in 0..2u8 {
            // Envelope 0 is sealed (published mailbox), 1 and 2 are light
            // (Bob's pairwise mailbox).
            let w = Writer::new()
                .u8(0)
                .u8(1)
                .u8(k)
                .u8(mode)
                .u32(200)
                .u8(1)
                .u8(u8::from(k > 0))
                .bytes(&[9u8; 32]);
            add(
                "robust_account_receive",
                format!("fixture.envelope-{k}.mode-{mode}"),
                w.finish(),
            );
        }
    }
    for (k, sender, light) in [(2u8, 0u8, 0u8), (2, 1, 0), (2, 2, 0), (3, 0, 0), (3, 0, 1)] {
        let w = Writer::new()
            .u8(0)
            .u8(k)
            .u8(sender)
            .bytes(&[5u8; 32])
            .u8(light)
            .var(b"\x01\x02payload")
            .u8(0)
            .bytes(&[9u8; 32]);
        add(
            "robust_account_receive",
            format!("fixture.seal-{k}-sender-{sender}-light-{light}"),
            w.finish(),
        );
    }
    // Sessions of the fixture: Bob's, Alice's, and Bob's after receiving
    // the third message before the second (a skipped key stored).
    let mut skipped = f.bob.clone();
    let third = f.envelopes.last().cloned().unwrap_or_default();
    let receipt = skipped.receive(
        &f.bob_pairwise,
        &third,
        &mut crate::io::Replay::new(&[&[8u8; 32]]),
    );
    assert!(receipt.is_ok(), "fixture: third message before the second");
    for (who, acct) in [
        ("bob", &f.bob),
        ("alice", &f.alice),
        ("bob-skipped", &skipped),
    ] {
        add(
            "robust_account_import",
            format!("fixture.{who}.account"),
            acct.export().to_vec(),
        );
        for c in acct.contacts() {
            for (k, session) in c.sessions().iter().enumerate() {
                add(
                    "robust_session_import",
                    format!("fixture.{who}.session-{k}"),
                    session.export().to_vec(),
                );
            }
        }
    }
    s
}

/// A `diff_handshake` seed from the owner fields of `bob` (`bundle_make`,
/// `handshake_respond`) and the initiator fields of `alice`
/// (`handshake_initiate`).
fn handshake_seed(bob: &Value, alice: &Value) -> Vec<u8> {
    let mut f = Fields::read(&[]);
    f.bob_handle = b(bob, "handle");
    f.bob_randomness = a(bob, "identity_randomness");
    f.spk_id = n(bob, "spk_id") as u32;
    f.spk_secret = a(bob, "spk_secret");
    f.with_opk = !bob["opk_id"].is_null();
    f.opk_id = n(bob, "opk_id") as u32;
    f.opk_secret = a(bob, "opk_secret");
    f.pqpk_id = n(bob, "pqpk_id") as u32;
    f.pqpk_kind = n(bob, "pqpk_kind") as u8;
    f.pqpk_randomness = a(bob, "pqpk_randomness");
    f.alice_handle = b(alice, "handle");
    f.alice_randomness = a(alice, "identity_randomness");
    f.peer_sel = u8::from(b(alice, "peer") != f.bob_handle);
    f.ek_secret = a(alice, "ek_secret");
    f.kem_m = a(alice, "kem_m");
    f.ratchet_secret = a(alice, "ratchet_secret");
    f.header_nonce = a(alice, "header_nonce");
    f.bob_ratchet_secret = a(bob, "ratchet_secret");
    f.plaintext = b(alice, "plaintext");
    f.write()
}

/// The initiator's exported session of a `handshake_initiate` case, if
/// the impl starts one.
fn exported_session(i: &Value) -> Option<Vec<u8>> {
    let me = IdentitySecret::from_randomness(
        handle::parse_handle(&b(i, "handle")).ok()?,
        &a(i, "identity_randomness"),
    );
    let peer = handle::parse_handle(&b(i, "peer")).ok()?;
    let verified = bundle::decode(&b(i, "bundle")).ok()?.verify().ok()?;
    let s = Session::initiate_with(
        &me,
        &peer,
        &verified,
        &a(i, "ek_secret"),
        &a(i, "kem_m"),
        &a(i, "ratchet_secret"),
    )
    .ok()?;
    Some(s.export().to_vec())
}

/// The dictionary of `target`, in libFuzzer's format.
pub fn dictionary(target: &str) -> String {
    use xchat::encoding::{LABELS, TAG_ED25519, TAG_ML_KEM_768, TAG_X25519, VERSION};
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("version".into(), vec![VERSION]),
        ("tag_x25519".into(), vec![TAG_X25519]),
        ("tag_ed25519".into(), vec![TAG_ED25519]),
        ("tag_ml_kem_768".into(), vec![TAG_ML_KEM_768]),
        ("prekey_message_prefix".into(), vec![VERSION, 0x01]),
        ("ratchet_message_prefix".into(), vec![VERSION, 0x02]),
        ("enc_x25519_prefix".into(), vec![TAG_X25519]),
    ];
    for (k, l) in LABELS.iter().enumerate() {
        entries.push((format!("label_{k}"), l.to_vec()));
    }
    let lengths: &[(&str, u32)] = &[
        ("len_identity", xchat::identity::IDENTITY_LEN as u32),
        ("len_bundle_no_opk", bundle::BUNDLE_LEN_NO_OPK as u32),
        ("len_bundle_opk", bundle::BUNDLE_LEN_OPK as u32),
        ("len_ml_kem_ek", 1184),
        ("len_ml_kem_dk", 2400),
        ("len_ml_kem_ct", 1088),
        ("len_enc_header", xchat::ratchet::ENC_HEADER_LEN as u32),
        ("len_header", xchat::ratchet::HEADER_LEN as u32),
        ("len_padme_min", 256),
        ("len_chunk", xchat::attachment::CHUNK_LEN as u32),
        (
            "len_sealed_chunk",
            xchat::attachment::SEALED_CHUNK_LEN as u32,
        ),
        ("len_hkdf256_max", 255 * 32),
        ("len_hkdf512_max", 255 * 64),
        ("u32_max", u32::MAX),
        ("u32_max_minus_1", u32::MAX - 1),
    ];
    for (name, x) in lengths {
        entries.push((format!("{name}_be32"), x.to_be_bytes().to_vec()));
    }
    match target {
        "diff_decoders" | "robust_account_receive" | "diff_handshake" => {
            for h in ["alice", "bob", "carol", "a_1", "x"] {
                entries.push((format!("handle_{h}"), h.as_bytes().to_vec()));
            }
            entries.push(("content_text".into(), vec![0x01]));
            entries.push(("content_attachment".into(), vec![0x02]));
            entries.push(("has_opk".into(), vec![0x01]));
            entries.push(("pq_last_resort".into(), vec![0x02]));
        }
        "diff_attachment" | "robust_attachment_stream" => {
            entries.push(("len_2p63_be64".into(), (1u64 << 63).to_be_bytes().to_vec()));
            entries.push(("len_chunk_be64".into(), 65536u64.to_be_bytes().to_vec()));
        }
        "robust_account_import" => {
            entries.push((
                "account_export_version".into(),
                vec![xchat::account::ACCOUNT_EXPORT_VERSION],
            ));
            entries.push((
                "session_export_version".into(),
                vec![xchat::session::EXPORT_VERSION],
            ));
        }
        "diff_session_schedule" => {
            for (k, name) in ["start", "send", "offer", "offer_held", "gone", "deliver"]
                .iter()
                .enumerate()
            {
                entries.push((format!("event_{name}"), vec![k as u8]));
            }
            entries.push(("flags_opk_last_resort".into(), vec![0x03]));
            // Selector 14 with mode bit 1: an injected payload.
            entries.push(("event_inject".into(), vec![14, 0x02]));
        }
        "robust_session_import" => {
            entries.push((
                "export_version".into(),
                vec![xchat::session::EXPORT_VERSION],
            ));
            entries.push(("pending".into(), vec![0x01]));
        }
        _ => {}
    }
    let mut out =
        format!("# libFuzzer dictionary of `{target}` (generated by seed-corpora; do not edit)\n");
    for (name, bytes) in entries {
        let esc: String = bytes
            .iter()
            .map(|b| {
                if b.is_ascii_alphanumeric() || *b == b' ' || *b == b'_' || *b == b'-' {
                    (*b as char).to_string()
                } else {
                    format!("\\x{b:02X}")
                }
            })
            .collect();
        out.push_str(&format!("{name}=\"{esc}\"\n"));
    }
    out
}
