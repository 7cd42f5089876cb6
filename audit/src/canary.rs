//! Artefact 2, the canary scan: multi-party sessions (alice, bob, carol
//! and mallory the impostor) whose handles, texts, file bytes and keys are
//! canaries; every byte the relay (envelopes, posting addresses, attachment
//! ciphertexts) and the directory (bundles) sees is scanned for every
//! canary in every encoding the protocol uses: raw, tagged (`EncX`,
//! `EncEd`, `EncKem`), handle-encoded (`EncHandle`, `EncIdentity`), and
//! hashed where the protocol hashes (SHA-256 of each, the safety-number
//! iterated hash of identities). A hit passes only if the canary is public
//! at that observer by design and the hit lies inside a field the exposure
//! map declares clear to that observer.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use xchat_spec::attachment;
use xchat_spec::bundle;
use xchat_spec::content::{self, Content};
use xchat_spec::encoding::{enc_ed25519, enc_ml_kem, enc_x25519};
use xchat_spec::fingerprint;
use xchat_spec::handle::enc_handle;
use xchat_spec::identity;
use xchat_spec::padding;
use xchat_spec::scenario::{self, Event, Outcome, Party, PartyState, PARTIES};
use xchat_spec::suite::public_key;

use crate::fixture::{self, send};
use crate::layout::{self, ExposureMap, Kind, Vis};
use crate::util::{esc, hex, json_artefact, sha256, table};
use crate::{spec, Claim, Part, Result, Section};

/// One canary: a value, in one encoding, and where it may be seen.
#[derive(Clone, Debug)]
pub struct Canary {
    pub owner: String,
    pub what: String,
    pub encoding: String,
    pub bytes: Vec<u8>,
    /// The observer that sees it by design (`directory` or `relay`).
    pub public_at: Option<&'static str>,
}

/// One blob an observer sees.
#[derive(Clone, Debug)]
pub struct Blob {
    pub observer: &'static str,
    pub kind: Kind,
    pub label: String,
    pub bytes: Vec<u8>,
}

/// One hit.
#[derive(Clone, Debug)]
pub struct Hit {
    pub canary: usize,
    pub blob: usize,
    pub offset: usize,
    pub field: String,
    pub allowed: bool,
}

fn text(n: usize, from: Party, to: Party) -> String {
    let f = String::from_utf8_lossy(scenario::name(from)).to_string();
    let t = String::from_utf8_lossy(scenario::name(to)).to_string();
    format!("TXTCANARY{n:03}-{f}-to-{t}: meet at the usual place, the code is {n:05}")
}

/// The canary script: three pairwise conversations, pairwise mailboxes,
/// light envelopes, an impostor, a prekey rotation and a refused (gone)
/// light envelope resent sealed.
pub fn script() -> Vec<Event> {
    use Party::{Alice, Bob, Carol, Mallory};
    let mut ev = Vec::new();
    let mut wire = 0usize;
    let mut n = 0usize;
    let mut say = |ev: &mut Vec<Event>, wire: &mut usize, from: Party, to: Party| {
        ev.push(send(from, to, &text(n, from, to)));
        ev.push(Event::Deliver { index: *wire });
        *wire += 1;
        n += 1;
    };
    let offer = |ev: &mut Vec<Event>, wire: &mut usize, from: Party, to: Party| {
        ev.push(Event::OfferMailbox { from, to });
        ev.push(Event::Deliver { index: *wire });
        *wire += 1;
    };
    for (a, b) in [(Alice, Bob), (Alice, Carol), (Carol, Bob)] {
        ev.push(Event::Start { from: a, to: b });
        say(&mut ev, &mut wire, a, b);
        say(&mut ev, &mut wire, b, a);
        offer(&mut ev, &mut wire, a, b);
        offer(&mut ev, &mut wire, b, a);
        say(&mut ev, &mut wire, a, b);
        say(&mut ev, &mut wire, b, a);
        say(&mut ev, &mut wire, a, b);
    }
    // The impostor: mallory claims `alice` and writes to bob.
    ev.push(Event::Start {
        from: Mallory,
        to: Bob,
    });
    say(&mut ev, &mut wire, Mallory, Bob);
    // Rotation, then more traffic; a light envelope refused as gone is
    // resent sealed.
    ev.push(Event::RotatePrekey { who: Bob });
    say(&mut ev, &mut wire, Carol, Bob);
    ev.push(send(Alice, Bob, &text(99, Alice, Bob)));
    ev.push(Event::Gone { index: wire });
    ev.push(Event::Deliver { index: wire + 1 });
    ev
}

fn key_canaries(
    out: &mut Vec<Canary>,
    owner: &str,
    what: &str,
    key: &[u8; 32],
    tag: Option<u8>,
    public_at: Option<&'static str>,
) {
    let push = |out: &mut Vec<Canary>, enc: &str, bytes: Vec<u8>| {
        out.push(Canary {
            owner: owner.to_string(),
            what: what.to_string(),
            encoding: enc.to_string(),
            bytes,
            public_at,
        })
    };
    push(out, "raw", key.to_vec());
    push(out, "sha256(raw)", sha256(key).to_vec());
    if let Some(t) = tag {
        let tagged = match t {
            0x02 => enc_ed25519(key).to_vec(),
            _ => enc_x25519(key).to_vec(),
        };
        push(out, "sha256(tagged)", sha256(&tagged).to_vec());
        push(out, "tagged", tagged);
    }
}

fn secret(out: &mut Vec<Canary>, owner: &str, what: &str, key: &[u8; 32]) {
    key_canaries(out, owner, what, key, None, None);
}

/// Every canary of the parties: set-up and final states.
fn party_canaries(out: &mut Vec<Canary>, p: Party, initial: &PartyState, last: &PartyState) {
    let owner = String::from_utf8_lossy(scenario::name(p)).to_string();
    let dir = Some("directory");
    let id = &initial.account.identity;
    let public = identity::public_of(id);
    let raw_handle = scenario::claimed_handle(p).to_vec();
    for (enc, bytes) in [
        ("raw", raw_handle.clone()),
        ("handle-encoded", enc_handle(&public.handle).to_vec()),
        ("sha256(raw)", sha256(&raw_handle).to_vec()),
        (
            "sha256(handle-encoded)",
            sha256(&enc_handle(&public.handle)).to_vec(),
        ),
    ] {
        out.push(Canary {
            owner: owner.clone(),
            what: "handle".into(),
            encoding: enc.into(),
            bytes,
            public_at: dir,
        });
    }
    let enc_id = identity::encode(&public);
    for (enc, bytes, at) in [
        ("EncIdentity", enc_id.clone(), dir),
        ("sha256(EncIdentity)", sha256(&enc_id).to_vec(), None),
        (
            "safety-number iterated hash",
            fingerprint::iterated_hash(&public, fingerprint::FP_ITERATIONS).to_vec(),
            None,
        ),
        ("binding signature", public.binding.to_vec(), dir),
    ] {
        out.push(Canary {
            owner: owner.clone(),
            what: "identity".into(),
            encoding: enc.into(),
            bytes,
            public_at: at,
        });
    }
    key_canaries(
        out,
        &owner,
        "IKsig public",
        &public.sig_pub,
        Some(0x02),
        dir,
    );
    key_canaries(out, &owner, "IKdh public", &public.dh_pub, Some(0x01), dir);
    secret(out, &owner, "IKsig seed", &id.sig_seed);
    secret(out, &owner, "IKdh secret", &id.dh_secret);
    let store = &initial.account.store;
    secret(out, &owner, "signed prekey secret", &store.spk_secret);
    key_canaries(
        out,
        &owner,
        "signed prekey public",
        &public_key(&store.spk_secret),
        Some(0x01),
        dir,
    );
    let rotated = &last.account.store;
    if rotated.spk_secret != store.spk_secret {
        secret(
            out,
            &owner,
            "rotated signed prekey secret",
            &rotated.spk_secret,
        );
        key_canaries(
            out,
            &owner,
            "rotated signed prekey public",
            &public_key(&rotated.spk_secret),
            Some(0x01),
            dir,
        );
    }
    for (_, opk) in &store.opks {
        secret(out, &owner, "one-time prekey secret", opk);
        key_canaries(
            out,
            &owner,
            "one-time prekey public",
            &public_key(opk),
            Some(0x01),
            dir,
        );
    }
    for pq in &store.pqpks {
        out.push(Canary {
            owner: owner.clone(),
            what: "PQ prekey decapsulation key".into(),
            encoding: "raw (first 64 bytes)".into(),
            bytes: pq.dk[..64.min(pq.dk.len())].to_vec(),
            public_at: None,
        });
        out.push(Canary {
            owner: owner.clone(),
            what: "PQ prekey decapsulation key".into(),
            encoding: "sha256(raw)".into(),
            bytes: sha256(&pq.dk).to_vec(),
            public_at: None,
        });
        out.push(Canary {
            owner: owner.clone(),
            what: "PQ prekey encapsulation key".into(),
            encoding: "tagged (EncKem)".into(),
            bytes: enc_ml_kem(&pq.ek),
            public_at: dir,
        });
    }
    out.push(Canary {
        owner: owner.clone(),
        what: "published mailbox id".into(),
        encoding: "raw".into(),
        bytes: last.account.mailbox.to_vec(),
        public_at: Some("relay"),
    });
    for c in &last.account.contacts {
        let peer = String::from_utf8_lossy(&xchat_spec::handle::handle_bytes(&c.identity.handle))
            .to_string();
        for m in &c.mailboxes {
            out.push(Canary {
                owner: owner.clone(),
                what: format!("pairwise mailbox id for {peer}"),
                encoding: "raw".into(),
                bytes: m.to_vec(),
                public_at: Some("relay"),
            });
        }
        for (k, s) in c.sessions.iter().enumerate() {
            let w = |x: &str| format!("session {k} with {peer}: {x}");
            secret(out, &owner, &w("AD"), &s.ad);
            let r = &s.ratchet;
            secret(out, &owner, &w("root key"), &r.rk);
            secret(out, &owner, &w("ratchet secret"), &r.dhs_secret);
            key_canaries(
                out,
                &owner,
                &w("ratchet public key"),
                &r.dhs_public,
                Some(0x01),
                None,
            );
            secret(out, &owner, &w("next sending header key"), &r.nhks);
            secret(out, &owner, &w("next receiving header key"), &r.nhkr);
            for (name, v) in [
                ("sending chain key", r.cks),
                ("receiving chain key", r.ckr),
                ("sending header key", r.hks),
                ("receiving header key", r.hkr),
            ] {
                if let Some(k) = v {
                    secret(out, &owner, &w(name), &k);
                }
            }
            secret(out, &owner, &w("EK (handshake ephemeral public)"), &s.ek);
        }
    }
}

/// The scan's inputs and results.
pub struct Scan {
    pub canaries: Vec<Canary>,
    pub blobs: Vec<Blob>,
    pub hits: Vec<Hit>,
    pub texts: usize,
    pub attachments: usize,
    pub outcomes_ok: bool,
    pub outcome_note: String,
}

/// Runs the canary sessions and the scan.
pub fn scan(map: &ExposureMap) -> Result<Scan> {
    let events = script();
    let setup = fixture::setup();
    let t = fixture::run(&events)?;
    // Every scripted operation did what the script means: starts and sends
    // succeed, deliveries are accepted, mallory's is an identity change.
    let mut bad = Vec::new();
    for (i, o) in t.outcomes.iter().enumerate() {
        let ok = match o {
            Outcome::Started { .. }
            | Outcome::Sent { .. }
            | Outcome::Delivered { .. }
            | Outcome::Done => true,
            Outcome::IdentityChanged { to, .. } => *to == Party::Bob,
            Outcome::Ignored => matches!(events[i], Event::RotatePrekey { .. }),
            _ => false,
        };
        if !ok {
            bad.push(format!("event {i}: {o:?}"));
        }
    }
    let mut parties_initial = Vec::new();
    for p in PARTIES {
        parties_initial.push(spec("set_up_party", scenario::set_up_party(&setup, p))?);
    }
    let mut last: Vec<PartyState> = t.parties.clone();
    let mut canaries = Vec::new();
    for (i, p) in PARTIES.iter().enumerate() {
        party_canaries(&mut canaries, *p, &parties_initial[i], &last[i]);
    }
    let mut texts = 0;
    for e in &events {
        if let Event::Send { from, text, .. } = e {
            texts += 1;
            let owner = String::from_utf8_lossy(scenario::name(*from)).to_string();
            canaries.push(Canary {
                owner: owner.clone(),
                what: "text".into(),
                encoding: "raw (whole text)".into(),
                bytes: text.clone(),
                public_at: None,
            });
            canaries.push(Canary {
                owner: owner.clone(),
                what: "text".into(),
                encoding: "raw (first 16 bytes)".into(),
                bytes: text[..16.min(text.len())].to_vec(),
                public_at: None,
            });
            // The protocol's own encodings of it: the content (SPEC.md
            // section 11) and the padded content (section 10).
            let encoded = content::encode(&Content::Text(text.clone()));
            canaries.push(Canary {
                owner: owner.clone(),
                what: "text".into(),
                encoding: "content-encoded (tag, length, text)".into(),
                bytes: encoded.clone(),
                public_at: None,
            });
            canaries.push(Canary {
                owner,
                what: "text".into(),
                encoding: "padded content".into(),
                bytes: padding::pad(&encoded),
                public_at: None,
            });
        }
    }
    let mut blobs = Vec::new();
    let published: Vec<[u8; 16]> = t.parties.iter().map(|p| p.account.mailbox).collect();
    for (i, w) in t.wire.iter().enumerate() {
        let kind = if published.contains(&t.posted[i]) {
            Kind::Sealed
        } else {
            Kind::Light
        };
        blobs.push(Blob {
            observer: "relay",
            kind,
            label: format!("wire {i}"),
            bytes: w.clone(),
        });
        blobs.push(Blob {
            observer: "relay",
            kind: Kind::Address,
            label: format!("address of wire {i}"),
            bytes: t.posted[i].to_vec(),
        });
    }
    // Attachments after the conversations: alice to bob (two chunks) and
    // carol to alice (one chunk), each pointer delivered and the file
    // opened by the recipient.
    let mut attachments = 0;
    for (n, (from, to, len)) in [
        (Party::Alice, Party::Bob, 70_000usize),
        (Party::Carol, Party::Alice, 3_000),
    ]
    .into_iter()
    .enumerate()
    {
        let tag = format!(
            "FILE{n}{}",
            String::from_utf8_lossy(&scenario::name(from)[..1])
        );
        let file = fixture::canary_file(&tag, len);
        let (fi, ti) = (scenario::index_of(from), scenario::index_of(to));
        let (next, sent) =
            fixture::send_attachment(from, &last[fi], to, &published[ti], &file, n as u32)?;
        last[fi] = next;
        let (after, accepted) = fixture::receive(to, &last[ti], &sent.mailbox, &sent.envelope)
            .map_err(|e| crate::AuditError::Spec("receive attachment pointer".into(), e))?;
        if !accepted
            || attachment::open(&sent.pointer, &sent.ciphertext)
                .ok()
                .as_deref()
                != Some(&file[..])
        {
            bad.push(format!("attachment {n} not received or not opened"));
        }
        last[ti] = after;
        attachments += 1;
        let owner = String::from_utf8_lossy(scenario::name(from)).to_string();
        for (k, rec) in file.chunks(16).enumerate() {
            if rec.len() == 16 {
                canaries.push(Canary {
                    owner: owner.clone(),
                    what: format!("file {n} record {k}"),
                    encoding: "raw (16-byte record)".into(),
                    bytes: rec.to_vec(),
                    public_at: None,
                });
            }
        }
        canaries.push(Canary {
            owner: owner.clone(),
            what: format!("file {n}"),
            encoding: "sha256(raw)".into(),
            bytes: sha256(&file).to_vec(),
            public_at: None,
        });
        secret(
            &mut canaries,
            &owner,
            &format!("attachment key K of file {n}"),
            &sent.pointer.key,
        );
        canaries.push(Canary {
            owner: owner.clone(),
            what: format!("attachment pointer of file {n}"),
            encoding: "content-encoded (tag, kind, K, length)".into(),
            bytes: content::encode(&Content::Attachment(sent.pointer.clone())),
            public_at: None,
        });
        let (enc_key, _) = attachment::attachment_keys(&sent.pointer.key);
        secret(
            &mut canaries,
            &owner,
            &format!("chunk key of file {n}"),
            &enc_key,
        );
        blobs.push(Blob {
            observer: "relay",
            kind: if published.contains(&sent.mailbox) {
                Kind::Sealed
            } else {
                Kind::Light
            },
            label: format!("pointer envelope of file {n}"),
            bytes: sent.envelope.clone(),
        });
        blobs.push(Blob {
            observer: "relay",
            kind: Kind::Address,
            label: format!("address of the pointer envelope of file {n}"),
            bytes: sent.mailbox.to_vec(),
        });
        blobs.push(Blob {
            observer: "relay",
            kind: Kind::Attachment,
            label: format!("attachment ciphertext of file {n} ({len} bytes)"),
            bytes: sent.ciphertext,
        });
    }
    // The directory: every party's bundle at set-up and at the end.
    for (i, p) in PARTIES.iter().enumerate() {
        let name = String::from_utf8_lossy(scenario::name(*p)).to_string();
        for (when, state) in [("at set-up", &parties_initial[i]), ("at the end", &last[i])] {
            let b = spec("served_bundle", scenario::served_bundle(state))?;
            blobs.push(Blob {
                observer: "directory",
                kind: Kind::Bundle,
                label: format!("{name}'s bundle {when}"),
                bytes: bundle::encode(&b),
            });
        }
    }
    let hits = find_hits(&canaries, &blobs, map)?;
    Ok(Scan {
        canaries,
        blobs,
        hits,
        texts,
        attachments,
        outcomes_ok: bad.is_empty(),
        outcome_note: if bad.is_empty() {
            "every scripted operation did what the script means".into()
        } else {
            bad.join("; ")
        },
    })
}

/// Every occurrence of every canary in every blob, each judged: allowed
/// only if the canary is public at the blob's observer by design and every
/// field it overlaps is clear to that observer and declared so by the
/// exposure map.
pub fn find_hits(canaries: &[Canary], blobs: &[Blob], map: &ExposureMap) -> Result<Vec<Hit>> {
    let visible = layout::visible_fields(map);
    // Index canaries by length, slide each length's window over each blob.
    let mut by_len: BTreeMap<usize, HashMap<&[u8], Vec<usize>>> = BTreeMap::new();
    for (i, c) in canaries.iter().enumerate() {
        by_len
            .entry(c.bytes.len())
            .or_default()
            .entry(&c.bytes[..])
            .or_default()
            .push(i);
    }
    let mut hits = Vec::new();
    for (bi, b) in blobs.iter().enumerate() {
        let fields = layout::layout(b.kind, &b.bytes)?;
        for (len, index) in &by_len {
            if *len == 0 || *len > b.bytes.len() {
                continue;
            }
            for off in 0..=b.bytes.len() - len {
                if let Some(list) = index.get(&b.bytes[off..off + len]) {
                    for &ci in list {
                        let c = &canaries[ci];
                        let over: Vec<&layout::Field> = fields
                            .iter()
                            .filter(|f| f.offset < off + len && off < f.offset + f.len)
                            .collect();
                        let name = over
                            .iter()
                            .map(|f| f.name.clone())
                            .collect::<Vec<_>>()
                            .join(" + ");
                        let clear = !over.is_empty()
                            && over.iter().all(|f| {
                                let v = if b.observer == "directory" {
                                    f.directory
                                } else {
                                    f.relay
                                };
                                v == Vis::Clear
                            });
                        let declared = over.iter().all(|f| {
                            visible.iter().any(|(s, vf, o)| {
                                *o == b.observer && *vf == f.name && map_kind(s) == Some(b.kind)
                            })
                        });
                        let allowed = c.public_at == Some(b.observer) && clear && declared;
                        hits.push(Hit {
                            canary: ci,
                            blob: bi,
                            offset: off,
                            field: name,
                            allowed,
                        });
                    }
                }
            }
        }
    }
    Ok(hits)
}

/// The structure kind of an exposure-map structure id.
pub fn map_kind(id: &str) -> Option<Kind> {
    match id {
        "sealed-prekey" | "sealed-ratchet" => Some(Kind::Sealed),
        "light" => Some(Kind::Light),
        "bundle" | "bundle-opk" => Some(Kind::Bundle),
        "attachment" => Some(Kind::Attachment),
        "address" => Some(Kind::Address),
        _ => None,
    }
}

/// The canary scan's artefact, claims and section.
pub fn run(map: &ExposureMap) -> Result<Part> {
    let s = scan(map)?;
    let bad: Vec<&Hit> = s.hits.iter().filter(|h| !h.allowed).collect();
    let scanned: usize = s.blobs.iter().map(|b| b.bytes.len()).sum();
    let relay_bytes: usize = s
        .blobs
        .iter()
        .filter(|b| b.observer == "relay")
        .map(|b| b.bytes.len())
        .sum();
    // Controls: the scan finds what is public by design.
    let mut controls = Vec::new();
    for p in ["alice", "bob", "carol", "mallory"] {
        for (what, enc, obs) in [
            ("handle", "handle-encoded", "directory"),
            ("IKdh public", "tagged", "directory"),
            ("published mailbox id", "raw", "relay"),
        ] {
            let found = s.hits.iter().any(|h| {
                let c = &s.canaries[h.canary];
                c.owner == p
                    && c.what == what
                    && c.encoding == enc
                    && s.blobs[h.blob].observer == obs
                    && h.allowed
            });
            if !(p == "mallory" && obs == "relay") {
                controls.push((format!("{p}: {what} ({enc}) at the {obs}"), found));
            }
        }
    }
    let controls_ok = controls.iter().all(|(_, f)| *f);
    let mut hit_counts: BTreeMap<(String, String, String, String, bool), usize> = BTreeMap::new();
    for h in &s.hits {
        let c = &s.canaries[h.canary];
        let b = &s.blobs[h.blob];
        *hit_counts
            .entry((
                b.observer.to_string(),
                format!("{:?}", b.kind),
                h.field.clone(),
                format!("{} ({})", c.what, c.encoding),
                h.allowed,
            ))
            .or_default() += 1;
    }
    let mut secret_count = 0;
    for c in &s.canaries {
        if c.public_at.is_none() {
            secret_count += 1;
        }
    }
    let json = json!({
        "schema": "xchat-audit/canary-scan/v1",
        "sessions": {
            "script": "audit/src/canary.rs script(): alice-bob, alice-carol, carol-bob with pairwise mailboxes and light envelopes, mallory (claims alice) to bob, bob rotates, a gone light envelope resent sealed",
            "texts": s.texts,
            "attachments": s.attachments,
            "outcomes": s.outcome_note,
        },
        "scanned": {
            "blobs": s.blobs.len(),
            "bytes": scanned,
            "relay_bytes": relay_bytes,
            "directory_bytes": scanned - relay_bytes,
            "canaries": s.canaries.len(),
            "secret_canaries": secret_count,
            "encodings": s.canaries.iter().map(|c| c.encoding.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect::<Vec<_>>(),
            "blob_list": s.blobs.iter().map(|b| json!({"observer": b.observer, "kind": format!("{:?}", b.kind), "label": b.label, "len": b.bytes.len(), "sha256": crate::util::sha256_hex(&b.bytes)})).collect::<Vec<_>>(),
        },
        "hits": hit_counts.iter().map(|((obs, kind, field, canary, allowed), n)| json!({
            "observer": obs, "structure": kind, "field": field, "canary": canary, "allowed": allowed, "count": n
        })).collect::<Vec<_>>(),
        "unexpected_hits": bad.iter().map(|h| {
            let c = &s.canaries[h.canary];
            json!({"owner": c.owner, "canary": c.what, "encoding": c.encoding, "blob": s.blobs[h.blob].label, "offset": h.offset, "field": h.field, "bytes": hex(&c.bytes)})
        }).collect::<Vec<_>>(),
        "controls": controls.iter().map(|(n, f)| json!({"expected": n, "found": f})).collect::<Vec<_>>(),
    });
    let mut html = format!(
        "<p>The scripted sessions ({} texts, {} attachments; {}) put {} blobs, {} bytes on the wire and in the \
         directory ({} at the relay, {} at the directory). Every byte was scanned for {} canaries ({} of them \
         secret or private by design). A hit is allowed only if the canary is public at that observer by design \
         and lies inside fields the exposure map declares clear to it.</p>",
        s.texts,
        s.attachments,
        esc(&s.outcome_note),
        s.blobs.len(),
        scanned,
        relay_bytes,
        scanned - relay_bytes,
        s.canaries.len(),
        secret_count
    );
    let mut by_encoding: BTreeMap<(String, bool), usize> = BTreeMap::new();
    for c in &s.canaries {
        *by_encoding
            .entry((c.encoding.clone(), c.public_at.is_some()))
            .or_default() += 1;
    }
    let erows: Vec<Vec<String>> = by_encoding
        .iter()
        .map(|((enc, public), n)| {
            vec![
                esc(enc),
                if *public {
                    "public at one observer by design".into()
                } else {
                    "secret or private".into()
                },
                n.to_string(),
            ]
        })
        .collect();
    html.push_str("<h3>What was scanned for</h3>");
    html.push_str(&table(&["encoding", "class", "canaries"], &erows));
    let rows: Vec<Vec<String>> = hit_counts
        .iter()
        .map(|((obs, kind, field, canary, allowed), n)| {
            vec![
                esc(obs),
                esc(kind),
                esc(field),
                esc(canary),
                n.to_string(),
                crate::util::badge(*allowed),
            ]
        })
        .collect();
    html.push_str("<h3>Hits</h3>");
    html.push_str(&table(
        &[
            "observer",
            "structure",
            "field",
            "canary (encoding)",
            "hits",
            "verdict",
        ],
        &rows,
    ));
    html.push_str("<h3>Controls (the scan finds what is public by design)</h3>");
    let crow: Vec<Vec<String>> = controls
        .iter()
        .map(|(n, f)| vec![esc(n), crate::util::badge(*f)])
        .collect();
    html.push_str(&table(&["expected hit", "found"], &crow));
    let claims = vec![
        Claim::new(
            "canary.no-unexpected-hit",
            "canary",
            "No canary appears in what the relay or the directory sees, except what the exposure map declares public",
            bad.is_empty() && !s.hits.is_empty(),
            format!("{} hits, {} unexpected, {} bytes scanned", s.hits.len(), bad.len(), scanned),
        ),
        Claim::new(
            "canary.controls",
            "canary",
            "The scan finds the canaries that are public by design (handles and keys at the directory, mailbox ids at the relay)",
            controls_ok,
            format!("{} of {} controls found", controls.iter().filter(|c| c.1).count(), controls.len()),
        ),
        Claim::new(
            "canary.sessions",
            "canary",
            "The canary sessions ran as scripted (texts and attachments delivered, the impostor flagged)",
            s.outcomes_ok,
            format!("{} texts, {} attachments: {}", s.texts, s.attachments, s.outcome_note),
        ),
    ];
    Ok(Part {
        artefacts: vec![json_artefact("canary-scan.json", &json)],
        claims,
        sections: vec![Section {
            id: "canary".into(),
            title: "2. Canary scan".into(),
            html,
        }],
    })
}
