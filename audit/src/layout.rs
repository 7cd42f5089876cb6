//! Artefact 1, the wire exposure map: the byte layout of every structure a
//! relay or the directory sees (and of what only the peer sees inside
//! them), read off real messages of the reference conversation: each layout
//! is checked against the bytes (version and type bytes, the mailbox it was
//! posted to, lengths, the spec's own decoders), and the inner structures
//! are the result of opening the real envelopes with the recipient's keys.

use serde_json::{json, Value};
use xchat_spec::bundle;
use xchat_spec::envelope::{self, C1_LEN, HEADER_LEN as ENV_HEADER_LEN, MAILBOX_LEN};
use xchat_spec::handshake;
use xchat_spec::identity::IDENTITY_LEN;
use xchat_spec::mailbox::{self, LIGHT_PREFIX_LEN};
use xchat_spec::ml_kem;
use xchat_spec::ratchet::{ENC_HEADER_LEN, HEADER_NONCE_LEN, TAG_LEN};
use xchat_spec::scenario::{self, Party};

use crate::util::{esc, json_artefact, table};
use crate::{fixture, spec, AuditError, Part, Result, Section};

/// Who can read a field's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vis {
    /// The observer sees these bytes as they are.
    Clear,
    /// The observer sees only ciphertext.
    Encrypted,
    /// The observer never gets these bytes.
    NotSeen,
}

impl Vis {
    /// The JSON spelling.
    pub fn name(self) -> &'static str {
        match self {
            Vis::Clear => "clear",
            Vis::Encrypted => "encrypted",
            Vis::NotSeen => "not seen",
        }
    }
}

/// The kinds of structure on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Sealed-sender envelope (SPEC.md section 12).
    Sealed,
    /// Light envelope (SPEC.md section 12.1).
    Light,
    /// Prekey bundle served by the directory (SPEC.md section 7).
    Bundle,
    /// Attachment ciphertext at the attachment store (SPEC.md section 13).
    Attachment,
    /// The mailbox id the relay is asked to post to or fetch from.
    Address,
}

/// One field of one structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub offset: usize,
    pub len: usize,
    pub relay: Vis,
    pub directory: Vis,
    pub peer: Vis,
    pub note: String,
}

fn field(name: &str, offset: usize, len: usize, relay: Vis, directory: Vis, note: &str) -> Field {
    Field {
        name: name.to_string(),
        offset,
        len,
        relay,
        directory,
        peer: Vis::Clear,
        note: note.to_string(),
    }
}

fn bad(what: &str, why: &str) -> AuditError {
    AuditError::Input(format!("layout of {what}"), why.to_string())
}

/// Consecutive fields from `(name, len, vis, note)` starting at 0 (the
/// last `len` of `None` takes the rest of `total`), seen by `relay` and
/// `directory` as given.
fn run_of(
    what: &str,
    total: usize,
    parts: &[(&str, Option<usize>, Vis, Vis, &str)],
) -> Result<Vec<Field>> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for (name, len, relay, directory, note) in parts {
        let len = match len {
            Some(l) => *l,
            None => total
                .checked_sub(at)
                .ok_or_else(|| bad(what, "shorter than its fixed fields"))?,
        };
        out.push(field(name, at, len, *relay, *directory, note));
        at += len;
    }
    if at != total {
        return Err(bad(what, &format!("fields cover {at} of {total} bytes")));
    }
    Ok(out)
}

use Vis::{Clear, Encrypted, NotSeen};

/// The layout of `bytes` as a structure of `kind`, checked against the
/// bytes where the structure allows (a typed error if they do not fit).
pub fn layout(kind: Kind, bytes: &[u8]) -> Result<Vec<Field>> {
    match kind {
        Kind::Sealed => {
            if bytes.len() < ENV_HEADER_LEN + TAG_LEN || bytes[0] != 0x01 {
                return Err(bad("sealed envelope", "not a sealed envelope"));
            }
            run_of(
                "sealed envelope",
                bytes.len(),
                &[
                    ("version", Some(1), Clear, NotSeen, "0x01"),
                    (
                        "mailbox",
                        Some(MAILBOX_LEN),
                        Clear,
                        NotSeen,
                        "recipient's published mailbox id",
                    ),
                    (
                        "E",
                        Some(32),
                        Clear,
                        NotSeen,
                        "fresh ephemeral X25519 public key, new per envelope",
                    ),
                    (
                        "c1",
                        Some(C1_LEN),
                        Encrypted,
                        NotSeen,
                        "sender's EncIdentity + tag",
                    ),
                    (
                        "c2",
                        None,
                        Encrypted,
                        NotSeen,
                        "prekey or ratchet message + tag",
                    ),
                ],
            )
        }
        Kind::Light => {
            mailbox::decode_light(bytes).map_err(|e| bad("light envelope", &format!("{e:?}")))?;
            run_of(
                "light envelope",
                bytes.len(),
                &[
                    ("version", Some(1), Clear, NotSeen, "0x01"),
                    ("type", Some(1), Clear, NotSeen, "0x03 light"),
                    (
                        "mailbox",
                        Some(MAILBOX_LEN),
                        Clear,
                        NotSeen,
                        "pairwise mailbox id",
                    ),
                    (
                        "header nonce",
                        Some(HEADER_NONCE_LEN),
                        Clear,
                        NotSeen,
                        "fresh random XChaCha20 nonce",
                    ),
                    (
                        "encrypted header",
                        Some(ENC_HEADER_LEN - HEADER_NONCE_LEN),
                        Encrypted,
                        NotSeen,
                        "HEADER(dh, pn, n) + tag",
                    ),
                    (
                        "ciphertext",
                        None,
                        Encrypted,
                        NotSeen,
                        "padded content + tag",
                    ),
                ],
            )
        }
        Kind::Bundle => {
            let b = bundle::decode(bytes).map_err(|e| bad("bundle", &format!("{e:?}")))?;
            let mut parts: Vec<(&str, Option<usize>, Vis, Vis, &str)> = vec![
                ("version", Some(1), NotSeen, Clear, "0x01"),
                ("identity version", Some(1), NotSeen, Clear, "0x01"),
                ("EncHandle", Some(16), NotSeen, Clear, "the owner's handle"),
                (
                    "EncEd(IKsig)",
                    Some(33),
                    NotSeen,
                    Clear,
                    "identity signing key",
                ),
                ("EncX(IKdh)", Some(33), NotSeen, Clear, "identity DH key"),
                (
                    "binding",
                    Some(64),
                    NotSeen,
                    Clear,
                    "signature binding handle and keys",
                ),
                ("spk_id", Some(4), NotSeen, Clear, "signed prekey id"),
                ("EncX(SPK)", Some(33), NotSeen, Clear, "signed prekey"),
                (
                    "spk_sig",
                    Some(64),
                    NotSeen,
                    Clear,
                    "signature of the signed prekey",
                ),
                ("has_opk", Some(1), NotSeen, Clear, "0x00 or 0x01"),
            ];
            if b.opk.is_some() {
                parts.push(("opk_id", Some(4), NotSeen, Clear, "one-time prekey id"));
                parts.push(("EncX(OPK)", Some(33), NotSeen, Clear, "one-time prekey"));
            }
            parts.push(("pqpk_id", Some(4), NotSeen, Clear, "PQ prekey id"));
            parts.push(("kind", Some(1), NotSeen, Clear, "PQ prekey kind"));
            parts.push((
                "EncKem(PQPK)",
                Some(1 + ml_kem::EK_LEN),
                NotSeen,
                Clear,
                "ML-KEM-768 encapsulation key",
            ));
            parts.push((
                "pqpk_sig",
                Some(64),
                NotSeen,
                Clear,
                "signature of the PQ prekey",
            ));
            run_of("bundle", bytes.len(), &parts)
        }
        Kind::Attachment => {
            let commitment = xchat_spec::attachment::COMMITMENT_LEN;
            if bytes.len() < commitment + TAG_LEN {
                return Err(bad("attachment", "shorter than commitment and tag"));
            }
            let mut out = vec![field(
                "commitment",
                0,
                commitment,
                Clear,
                NotSeen,
                "key commitment (HKDF of K)",
            )];
            let mut at = commitment;
            let mut i = 0;
            while at < bytes.len() {
                let len = (bytes.len() - at).min(xchat_spec::attachment::SEALED_CHUNK_LEN);
                out.push(Field {
                    name: format!("chunk {i}"),
                    offset: at,
                    len,
                    relay: Encrypted,
                    directory: NotSeen,
                    peer: Clear,
                    note: "sealed chunk of the padded file + tag".into(),
                });
                at += len;
                i += 1;
            }
            Ok(out)
        }
        Kind::Address => run_of(
            "posting address",
            bytes.len(),
            &[(
                "mailbox",
                Some(MAILBOX_LEN),
                Clear,
                NotSeen,
                "mailbox id of the post or fetch request",
            )],
        ),
    }
}

/// Layouts of what only the peer reads: the sender identity in `c1`.
fn identity_fields(offset: usize) -> Vec<Field> {
    let parts = [
        ("identity version", 1),
        ("EncHandle", 16),
        ("EncEd(IKsig)", 33),
        ("EncX(IKdh)", 33),
        ("binding", 64),
    ];
    let mut at = offset;
    let mut out = Vec::new();
    for (n, l) in parts {
        out.push(field(n, at, l, Encrypted, NotSeen, "inside c1"));
        at += l;
    }
    out
}

/// One structure of the exposure map.
#[derive(Clone, Debug)]
pub struct Structure {
    pub id: String,
    pub name: String,
    pub spec: String,
    pub observer: String,
    pub derived_from: String,
    pub bytes: Vec<u8>,
    pub fields: Vec<Field>,
}

/// The exposure map: every structure, from real messages.
#[derive(Clone, Debug)]
pub struct ExposureMap {
    pub structures: Vec<Structure>,
}

/// The attachment of the exposure map: 1000 bytes sent from alice to bob.
pub const MAP_ATTACHMENT_LEN: usize = 1000;

/// Builds the exposure map from the reference conversation.
pub fn exposure_map() -> Result<ExposureMap> {
    let events = fixture::conversation();
    let t = fixture::run(&events)?;
    let mut structures = Vec::new();
    let wire = |i: usize| -> Result<(Vec<u8>, [u8; 16])> {
        match (t.wire.get(i), t.posted.get(i)) {
            (Some(w), Some(p)) => Ok((w.clone(), *p)),
            _ => Err(bad("conversation", &format!("no wire {i}"))),
        }
    };
    // Sealed envelopes: check the mailbox against the one posted to, then
    // open with the recipient's identity (its state before delivery).
    for (idx, id, name) in [
        (
            fixture::WIRE_SEALED_PREKEY,
            "sealed-prekey",
            "sealed envelope carrying a prekey message",
        ),
        (
            fixture::WIRE_SEALED_RATCHET,
            "sealed-ratchet",
            "sealed envelope carrying a ratchet message",
        ),
    ] {
        let (bytes, posted) = wire(idx)?;
        if bytes[1..1 + MAILBOX_LEN] != posted {
            return Err(bad(
                name,
                "mailbox field differs from the mailbox posted to",
            ));
        }
        let fields = layout(Kind::Sealed, &bytes)?;
        structures.push(Structure {
            id: id.into(),
            name: name.into(),
            spec: "SPEC.md section 12".into(),
            observer: "relay".into(),
            derived_from: format!("wire {idx} of the reference conversation"),
            bytes: bytes.clone(),
            fields,
        });
        // What the recipient reads inside.
        let before = fixture::before_delivery(&events, idx)?;
        let to = t.recipients[idx];
        let recipient = &before.parties[scenario::index_of(to)].account.identity;
        let (_, payload) = spec("envelope::open", envelope::open(recipient, &posted, &bytes))?;
        let mut inner = identity_fields(1 + MAILBOX_LEN + 32);
        inner.push(field(
            "c1 tag",
            1 + MAILBOX_LEN + 32 + IDENTITY_LEN,
            TAG_LEN,
            Encrypted,
            NotSeen,
            "inside c1",
        ));
        let base = ENV_HEADER_LEN;
        if idx == fixture::WIRE_SEALED_PREKEY {
            let (h, body) = spec(
                "decode_prekey_message",
                handshake::decode_prekey_message(&payload),
            )?;
            let mut parts: Vec<(&str, usize)> = vec![
                ("message version", 1),
                ("type 0x01 prekey", 1),
                ("initiator EncIdentity", IDENTITY_LEN),
                ("spk_id", 4),
                ("has_opk", 1),
            ];
            if h.opk_id.is_some() {
                parts.push(("opk_id", 4));
            }
            parts.extend([
                ("pqpk_id", 4),
                ("EncX(EK)", 33),
                ("CT (ML-KEM)", ml_kem::CT_LEN),
            ]);
            let mut at = base;
            for (n, l) in parts {
                inner.push(field(n, at, l, Encrypted, NotSeen, "inside c2"));
                at += l;
            }
            inner.push(field(
                "header nonce",
                at,
                HEADER_NONCE_LEN,
                Encrypted,
                NotSeen,
                "inside c2",
            ));
            inner.push(field(
                "encrypted header",
                at + HEADER_NONCE_LEN,
                ENC_HEADER_LEN - HEADER_NONCE_LEN,
                Encrypted,
                NotSeen,
                "inside c2; the peer decrypts it",
            ));
            let ct = body.len() - ENC_HEADER_LEN;
            inner.push(field(
                "ratchet ciphertext",
                at + ENC_HEADER_LEN,
                ct,
                Encrypted,
                NotSeen,
                "padded content + tag",
            ));
            inner.push(field(
                "c2 tag",
                at + body.len(),
                TAG_LEN,
                Encrypted,
                NotSeen,
                "envelope AEAD tag",
            ));
        } else {
            let parts = [
                ("message version", 1usize),
                ("type 0x02 ratchet", 1),
                ("header nonce", HEADER_NONCE_LEN),
                ("encrypted header", ENC_HEADER_LEN - HEADER_NONCE_LEN),
            ];
            let mut at = base;
            for (n, l) in parts {
                inner.push(field(n, at, l, Encrypted, NotSeen, "inside c2"));
                at += l;
            }
            let ct = payload.len() - 2 - ENC_HEADER_LEN;
            inner.push(field(
                "ratchet ciphertext",
                at,
                ct,
                Encrypted,
                NotSeen,
                "padded content + tag",
            ));
            inner.push(field(
                "c2 tag",
                at + ct,
                TAG_LEN,
                Encrypted,
                NotSeen,
                "envelope AEAD tag",
            ));
        }
        let covered: usize = inner.iter().map(|f| f.len).sum::<usize>() + ENV_HEADER_LEN - C1_LEN;
        if covered != bytes.len() {
            return Err(bad(
                name,
                &format!("inner fields cover {covered} of {} bytes", bytes.len()),
            ));
        }
        structures.push(Structure {
            id: format!("{id}-inner"),
            name: format!("{name}: what the recipient reads after opening it"),
            spec: "SPEC.md sections 6, 8, 9.4 and 12".into(),
            observer: "peer".into(),
            derived_from: format!(
                "wire {idx} opened with the recipient's identity key (envelope::open)"
            ),
            bytes: bytes.clone(),
            fields: inner,
        });
    }
    let (light, posted) = wire(fixture::WIRE_LIGHT)?;
    let held =
        mailbox::decode_light(&light).map_err(|e| bad("light envelope", &format!("{e:?}")))?;
    if held != posted {
        return Err(bad(
            "light envelope",
            "mailbox field differs from the mailbox posted to",
        ));
    }
    if light[..LIGHT_PREFIX_LEN] != mailbox::light_prefix(&posted) {
        return Err(bad("light envelope", "prefix differs"));
    }
    structures.push(Structure {
        id: "light".into(),
        name: "light envelope (ratchet message to a pairwise mailbox)".into(),
        spec: "SPEC.md sections 9.4 and 12.1".into(),
        observer: "relay".into(),
        derived_from: format!("wire {} of the reference conversation", fixture::WIRE_LIGHT),
        fields: layout(Kind::Light, &light)?,
        bytes: light,
    });
    // What bob reads inside the light envelope: the header and the padded
    // content, from decrypting it with his state before delivery.
    let light = &structures[structures.len() - 1].bytes.clone();
    let before = fixture::before_delivery(&events, fixture::WIRE_LIGHT)?;
    let bob = &before.parties[scenario::index_of(Party::Bob)];
    let alice_handle = fixture::handle_of(Party::Alice)?;
    let c = xchat_spec::account::find_contact(&bob.account, &alice_handle)
        .ok_or_else(|| bad("light envelope", "bob has no contact alice"))?;
    let session = bob.account.contacts[c]
        .sessions
        .first()
        .ok_or_else(|| bad("light envelope", "bob has no session with alice"))?;
    let enc_header = &light[LIGHT_PREFIX_LEN..LIGHT_PREFIX_LEN + ENC_HEADER_LEN];
    let (header, _) = spec(
        "ratchet::decrypt_header",
        xchat_spec::ratchet::decrypt_header(&session.ratchet, enc_header),
    )?;
    let (_, padded) = spec(
        "mailbox::decrypt_light",
        mailbox::decrypt_light(
            &session.ratchet,
            &session.ad,
            light,
            &fixture::receive_draw(Party::Bob, bob),
        ),
    )?;
    let content = spec("padding::unpad", xchat_spec::padding::unpad(&padded))?;
    let text_len = match spec("content::decode", xchat_spec::content::decode(&content))? {
        xchat_spec::content::Content::Text(t) => t.len(),
        _ => return Err(bad("light envelope", "not a text")),
    };
    let h = LIGHT_PREFIX_LEN + HEADER_NONCE_LEN;
    let p = LIGHT_PREFIX_LEN + ENC_HEADER_LEN;
    let mut inner = vec![
        field(
            "header: EncX(dh)",
            h,
            33,
            Encrypted,
            NotSeen,
            "sender's ratchet public key",
        ),
        field(
            "header: pn",
            h + 33,
            4,
            Encrypted,
            NotSeen,
            &format!("previous chain length ({})", header.pn),
        ),
        field(
            "header: n",
            h + 37,
            4,
            Encrypted,
            NotSeen,
            &format!("message number ({})", header.n),
        ),
        field(
            "header tag",
            h + 41,
            TAG_LEN,
            Encrypted,
            NotSeen,
            "XChaCha20-Poly1305 tag",
        ),
        field(
            "u32(len(content))",
            p,
            4,
            Encrypted,
            NotSeen,
            "padding length field",
        ),
        field("content tag", p + 4, 1, Encrypted, NotSeen, "0x01 text"),
        field(
            "u32(len(text))",
            p + 5,
            4,
            Encrypted,
            NotSeen,
            "text length",
        ),
        field("text", p + 9, text_len, Encrypted, NotSeen, "UTF-8 text"),
    ];
    let fill = padded.len() - 4 - content.len();
    inner.push(field(
        "zero fill",
        p + 9 + text_len,
        fill,
        Encrypted,
        NotSeen,
        "Padme fill",
    ));
    inner.push(field(
        "message tag",
        p + padded.len(),
        TAG_LEN,
        Encrypted,
        NotSeen,
        "ChaCha20-Poly1305 tag",
    ));
    let covered: usize = inner.iter().map(|f| f.len).sum::<usize>() + h;
    if covered != light.len() {
        return Err(bad(
            "light envelope",
            &format!("inner fields cover {covered} of {} bytes", light.len()),
        ));
    }
    structures.push(Structure {
        id: "light-inner".into(),
        name: "light envelope: what the recipient reads after decrypting it".into(),
        spec: "SPEC.md sections 9, 10, 11 and 12.1".into(),
        observer: "peer".into(),
        derived_from: format!(
            "wire {} decrypted with bob's ratchet state (mailbox::decrypt_light)",
            fixture::WIRE_LIGHT
        ),
        bytes: light.to_vec(),
        fields: inner,
    });
    structures.push(Structure {
        id: "address".into(),
        name: "posting and fetching address".into(),
        spec: "SPEC.md sections 12 and 12.1".into(),
        observer: "relay".into(),
        derived_from: "the mailbox each wire envelope was posted to (transcript.posted)".into(),
        fields: layout(Kind::Address, &posted)?,
        bytes: posted.to_vec(),
    });
    // Bundles as the directory serves them, with and without a one-time
    // prekey: bob's at the start and after alice's handshake consumed it.
    let initial = scenario::set_up_party(&fixture::setup(), Party::Bob)
        .map_err(|e| AuditError::Spec("set_up_party".into(), e))?;
    let with_opk = bundle::encode(&spec("served_bundle", scenario::served_bundle(&initial))?);
    let bob_now = &t.parties[scenario::index_of(Party::Bob)];
    let without = bundle::encode(&spec("served_bundle", scenario::served_bundle(bob_now))?);
    for (id, bytes, what) in [
        (
            "bundle-opk",
            with_opk,
            "bob's bundle before any handshake (one-time prekey offered)",
        ),
        (
            "bundle",
            without,
            "bob's bundle after alice's handshake consumed its one-time prekey",
        ),
    ] {
        let expected = if id == "bundle-opk" {
            bundle::BUNDLE_LEN_OPK
        } else {
            bundle::BUNDLE_LEN_NO_OPK
        };
        if bytes.len() != expected {
            return Err(bad(
                id,
                &format!("{} bytes, SPEC.md says {expected}", bytes.len()),
            ));
        }
        structures.push(Structure {
            id: id.into(),
            name: format!(
                "prekey bundle {}",
                if id == "bundle-opk" {
                    "with a one-time prekey"
                } else {
                    "without a one-time prekey"
                }
            ),
            spec: "SPEC.md section 7".into(),
            observer: "directory".into(),
            derived_from: what.into(),
            fields: layout(Kind::Bundle, &bytes)?,
            bytes,
        });
    }
    // An attachment from alice to bob, as the attachment store holds it.
    let alice = &t.parties[scenario::index_of(Party::Alice)];
    let bob_published = t.parties[scenario::index_of(Party::Bob)].account.mailbox;
    let file = fixture::canary_file("MAPFILE", MAP_ATTACHMENT_LEN);
    let (_, sent) =
        fixture::send_attachment(Party::Alice, alice, Party::Bob, &bob_published, &file, 0)?;
    let opened = spec(
        "attachment::open",
        xchat_spec::attachment::open(&sent.pointer, &sent.ciphertext),
    )?;
    if opened != file {
        return Err(bad("attachment", "does not open to the file"));
    }
    structures.push(Structure {
        id: "attachment".into(),
        name: format!("attachment ciphertext ({MAP_ATTACHMENT_LEN}-byte file)"),
        spec: "SPEC.md section 13".into(),
        observer: "relay".into(),
        derived_from:
            "alice seals a file for bob after the reference conversation (attachment::seal)".into(),
        fields: layout(Kind::Attachment, &sent.ciphertext)?,
        bytes: sent.ciphertext,
    });
    Ok(ExposureMap { structures })
}

/// The exposure map as JSON (schema `xchat-audit/exposure-map/v1`).
pub fn to_json(map: &ExposureMap) -> Value {
    let structures: Vec<Value> = map
        .structures
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "name": s.name,
                "spec": s.spec,
                "observer": s.observer,
                "derived_from": s.derived_from,
                "length": s.bytes.len(),
                "fields": s.fields.iter().map(|f| json!({
                    "field": f.name,
                    "offset": f.offset,
                    "len": f.len,
                    "relay": f.relay.name(),
                    "directory": f.directory.name(),
                    "peer": f.peer.name(),
                    "note": f.note,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "schema": "xchat-audit/exposure-map/v1",
        "fixture_seed": String::from_utf8_lossy(&fixture::SEED),
        "structures": structures,
    })
}

/// Every field a relay or the directory sees in clear, as
/// `structure id / field`.
pub fn visible_fields(map: &ExposureMap) -> Vec<(String, String, &'static str)> {
    let mut out = Vec::new();
    for s in &map.structures {
        for f in &s.fields {
            if f.relay == Clear {
                out.push((s.id.clone(), f.name.clone(), "relay"));
            }
            if f.directory == Clear {
                out.push((s.id.clone(), f.name.clone(), "directory"));
            }
        }
    }
    out
}

fn color(v: Vis) -> &'static str {
    match v {
        Clear => "#f4a261",
        Encrypted => "#8ecae6",
        NotSeen => "#dddddd",
    }
}

/// The byte map of one structure as an SVG: one segment per field, its
/// width growing with the logarithm of its length, coloured by what the
/// structure's observer sees.
pub fn svg(s: &Structure) -> String {
    let vis = |f: &Field| match s.observer.as_str() {
        "directory" => f.directory,
        _ => f.relay,
    };
    let widths: Vec<usize> = s
        .fields
        .iter()
        .map(|f| 40 + 12 * (usize::BITS - f.len.leading_zeros()) as usize)
        .collect();
    let total: usize = widths.iter().sum();
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"64\" role=\"img\" aria-label=\"byte map of {}\">",
        total + 2,
        esc(&s.name)
    );
    let mut x = 1usize;
    for (f, w) in s.fields.iter().zip(&widths) {
        out.push_str(&format!(
            "<rect x=\"{x}\" y=\"1\" width=\"{w}\" height=\"40\" fill=\"{}\" stroke=\"#333\"><title>{} [{}..{}) {}</title></rect>",
            color(vis(f)),
            esc(&f.name),
            f.offset,
            f.offset + f.len,
            vis(f).name()
        ));
        let label: String = f.name.chars().take(w / 7).collect();
        out.push_str(&format!(
            "<text x=\"{}\" y=\"25\" font-size=\"10\" font-family=\"monospace\">{}</text>",
            x + 3,
            esc(&label)
        ));
        out.push_str(&format!(
            "<text x=\"{}\" y=\"56\" font-size=\"9\" font-family=\"monospace\">{}</text>",
            x + 1,
            f.offset
        ));
        x += w;
    }
    out.push_str("</svg>");
    out
}

/// The exposure map's artefact, claim and report section.
pub fn part(map: &ExposureMap) -> Result<Part> {
    let mut html = String::from(
        "<p>Every structure a relay or the directory sees, read off real messages of the reference \
         conversation (<code>audit/src/fixture.rs</code>, seed in the JSON). Segment widths grow with \
         the logarithm of the field length; <span style=\"background:#f4a261\">orange</span> = seen in \
         clear by the structure's observer, <span style=\"background:#8ecae6\">blue</span> = ciphertext \
         to it. Numbers under the bar are byte offsets. The inner structures are what the recipient \
         reads after opening the envelope; the relay sees all of them as ciphertext.</p>",
    );
    let mut clear_relay = 0;
    for s in &map.structures {
        html.push_str(&format!(
            "<h3 id=\"map-{}\">{} <small>({} bytes, observer: {}, {})</small></h3><p>derived from: {}</p>",
            esc(&s.id),
            esc(&s.name),
            s.bytes.len(),
            esc(&s.observer),
            esc(&s.spec),
            esc(&s.derived_from)
        ));
        html.push_str(&format!("<div class=\"bytemap\">{}</div>", svg(s)));
        let rows: Vec<Vec<String>> = s
            .fields
            .iter()
            .map(|f| {
                if f.relay == Clear {
                    clear_relay += 1;
                }
                vec![
                    esc(&f.name),
                    f.offset.to_string(),
                    f.len.to_string(),
                    f.relay.name().to_string(),
                    f.directory.name().to_string(),
                    f.peer.name().to_string(),
                    esc(&f.note),
                ]
            })
            .collect();
        html.push_str(&table(
            &[
                "field",
                "offset",
                "len",
                "relay",
                "directory",
                "peer",
                "note",
            ],
            &rows,
        ));
    }
    let fields: usize = map.structures.iter().map(|s| s.fields.len()).sum();
    let claim = crate::Claim::new(
        "exposure.derived",
        "exposure",
        "The exposure map is derived from real messages, and every layout covers its message exactly",
        !map.structures.is_empty(),
        format!(
            "{} structures, {fields} fields, {clear_relay} fields in clear to the relay",
            map.structures.len()
        ),
    );
    Ok(Part {
        artefacts: vec![json_artefact("exposure-map.json", &to_json(map))],
        claims: vec![claim],
        sections: vec![Section {
            id: "exposure".into(),
            title: "1. Wire exposure map".into(),
            html,
        }],
    })
}
