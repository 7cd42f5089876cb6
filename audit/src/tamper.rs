//! Artefact 5, the tamper matrix: every byte of every wire structure
//! flipped (XOR 0x01, and XOR 0xff), every truncation, extensions, adjacent fields
//! swapped, replay and misdelivery, each given to the receiving side of the
//! spec exactly as the relay or directory would hand it over. The counts of
//! error kinds are reported; any acceptance of a modified structure is a
//! failure. Each structure also has a control: the unmodified bytes are
//! accepted, so a rejection is the protocol's and not the harness's.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use xchat_spec::account;
use xchat_spec::attachment;
use xchat_spec::bundle;
use xchat_spec::content::AttachmentPointer;
use xchat_spec::scenario::{self, Party, PartyState, PARTIES};

use crate::fixture;
use crate::layout::{self, Kind};
use crate::util::{esc, json_artefact, table};
use crate::{spec, Claim, Part, Result, Section};

/// What happened to one modified input.
fn verdict<T>(
    r: std::result::Result<T, xchat_spec::Error>,
    accepted: impl Fn(&T) -> bool,
) -> String {
    match r {
        Ok(v) if accepted(&v) => "ACCEPTED".into(),
        Ok(_) => "IdentityChanged (nothing changed)".into(),
        Err(e) => format!("{e:?}"),
    }
}

/// Counts per verdict of one mutation class.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub cases: usize,
    pub kinds: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, v: String) {
        self.cases += 1;
        *self.kinds.entry(v).or_default() += 1;
    }
    /// How many modified inputs were accepted.
    pub fn accepted(&self) -> usize {
        self.kinds.get("ACCEPTED").copied().unwrap_or(0)
    }
}

/// The matrix of one structure.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub len: usize,
    pub control: bool,
    pub classes: Vec<(String, Tally)>,
}

/// Byte-level mutations of `bytes`: flips, truncations, extensions and
/// swaps of adjacent fields of `fields`.
fn mutations(bytes: &[u8], fields: &[layout::Field]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    for (class, mask) in [("flip 0x01", 0x01u8), ("flip 0xff", 0xff)] {
        for i in 0..bytes.len() {
            let mut m = bytes.to_vec();
            m[i] ^= mask;
            out.push((class, m));
        }
    }
    for l in 0..bytes.len() {
        out.push(("truncate", bytes[..l].to_vec()));
    }
    let mut one = bytes.to_vec();
    one.push(0);
    out.push(("extend", one));
    let mut sixteen = bytes.to_vec();
    sixteen.extend_from_slice(&[0u8; 16]);
    out.push(("extend", sixteen));
    let mut again = bytes.to_vec();
    again.extend_from_slice(&bytes[bytes.len().saturating_sub(16)..]);
    out.push(("extend", again));
    for w in fields.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let mut m = bytes[..a.offset].to_vec();
        m.extend_from_slice(&bytes[b.offset..b.offset + b.len]);
        m.extend_from_slice(&bytes[a.offset..a.offset + a.len]);
        m.extend_from_slice(&bytes[b.offset + b.len..]);
        if m != bytes {
            out.push(("reorder fields", m));
        }
    }
    out
}

fn tally(classes: &mut Vec<(String, Tally)>, class: &str, v: String) {
    match classes.iter_mut().find(|(c, _)| c == class) {
        Some((_, t)) => t.add(v),
        None => {
            let mut t = Tally::default();
            t.add(v);
            classes.push((class.to_string(), t));
        }
    }
}

/// An envelope of the reference conversation against its recipient.
fn envelope_row(id: &str, name: &str, index: usize, kind: Kind) -> Result<Row> {
    let events = fixture::conversation();
    let before = fixture::before_delivery(&events, index)?;
    let full = fixture::run(&events)?;
    let bytes = before.wire[index].clone();
    let mailbox = before.posted[index];
    let to = before.recipients[index];
    let state = &before.parties[scenario::index_of(to)];
    let deliver = |who: Party, st: &PartyState, mb: &[u8; 16], b: &[u8]| {
        verdict(fixture::receive(who, st, mb, b), |(_, accepted)| *accepted)
    };
    let control = deliver(to, state, &mailbox, &bytes) == "ACCEPTED";
    let fields = layout::layout(kind, &bytes)?;
    let mut classes = Vec::new();
    for (class, m) in mutations(&bytes, &fields) {
        tally(&mut classes, class, deliver(to, state, &mailbox, &m));
    }
    // Replay: delivered once (accepted), then again.
    if let Ok((after, true)) = fixture::receive(to, state, &mailbox, &bytes) {
        tally(
            &mut classes,
            "replay",
            deliver(to, &after, &mailbox, &bytes),
        );
        // And replayed after the whole conversation.
        let end = &full.parties[scenario::index_of(to)];
        tally(&mut classes, "replay", deliver(to, end, &mailbox, &bytes));
    }
    // Misdelivery: to every other party, at its published mailbox, as is
    // and re-addressed to that mailbox; and at every pairwise mailbox it
    // holds.
    for p in PARTIES {
        if p == to {
            continue;
        }
        let other = &before.parties[scenario::index_of(p)];
        let theirs = other.account.mailbox;
        tally(
            &mut classes,
            "misdeliver",
            deliver(p, other, &theirs, &bytes),
        );
        let mut readdressed = bytes.clone();
        let at = if kind == Kind::Light { 2 } else { 1 };
        readdressed[at..at + 16].copy_from_slice(&theirs);
        tally(
            &mut classes,
            "misdeliver",
            deliver(p, other, &theirs, &readdressed),
        );
        for c in &other.account.contacts {
            for mb in &c.mailboxes {
                tally(&mut classes, "misdeliver", deliver(p, other, mb, &bytes));
            }
        }
    }
    // The recipient at its other mailboxes.
    for c in &state.account.contacts {
        for mb in &c.mailboxes {
            if *mb != mailbox {
                tally(&mut classes, "misdeliver", deliver(to, state, mb, &bytes));
            }
        }
    }
    if state.account.mailbox != mailbox {
        tally(
            &mut classes,
            "misdeliver",
            deliver(to, state, &state.account.mailbox, &bytes),
        );
    }
    Ok(Row {
        id: id.into(),
        name: name.into(),
        len: bytes.len(),
        control,
        classes,
    })
}

/// Bob's bundle against alice: a modified bundle is accepted if alice
/// starts a session from it and bob accepts her first message.
fn bundle_row() -> Result<Row> {
    let setup = fixture::setup();
    let alice = spec("set_up_party", scenario::set_up_party(&setup, Party::Alice))?;
    let bob = spec("set_up_party", scenario::set_up_party(&setup, Party::Bob))?;
    let bytes = bundle::encode(&spec("served_bundle", scenario::served_bundle(&bob))?);
    let bob_handle = fixture::handle_of(Party::Bob)?;
    let attempt = |b: &[u8]| -> String {
        let decoded = match bundle::decode(b) {
            Ok(d) => d,
            Err(e) => return format!("{e:?}"),
        };
        let d = |purpose: &[u8]| scenario::party_draw(&fixture::SEED, Party::Alice, purpose, 0);
        let started = match account::start(
            &alice.account,
            &bob_handle,
            &decoded,
            &d(b"handshake ephemeral"),
            &d(b"handshake kem"),
            &d(b"handshake ratchet"),
        ) {
            Ok(a) => a,
            Err(e) => return format!("{e:?}"),
        };
        let mut nonce = [0u8; 24];
        nonce.copy_from_slice(&d(b"send nonce")[..24]);
        let sent = account::send(
            &started,
            &bob_handle,
            &xchat_spec::content::Content::Text(b"first".to_vec()),
            &bob.account.mailbox,
            &nonce,
            &d(b"send envelope"),
        );
        match sent {
            Ok((_, mb, env)) => {
                let r = fixture::receive(Party::Bob, &bob, &mb, &env);
                match r {
                    Ok((_, true)) => "ACCEPTED".into(),
                    Ok((_, false)) => "IdentityChanged (nothing changed)".into(),
                    Err(e) => format!("rejected by bob: {e:?}"),
                }
            }
            Err(e) => format!("{e:?}"),
        }
    };
    let control = attempt(&bytes) == "ACCEPTED";
    let fields = layout::layout(Kind::Bundle, &bytes)?;
    let mut classes = Vec::new();
    for (class, m) in mutations(&bytes, &fields) {
        tally(&mut classes, class, attempt(&m));
    }
    Ok(Row {
        id: "bundle-opk".into(),
        name: "prekey bundle (bob's, with a one-time prekey) used by alice to start and send"
            .into(),
        len: bytes.len(),
        control,
        classes,
    })
}

/// Attachments: a one-chunk file byte by byte, and a three-chunk file by
/// chunks (swapped, dropped, duplicated, each chunk's first and last byte
/// flipped) and under another key.
fn attachment_rows() -> Result<Vec<Row>> {
    let key = scenario::party_draw(&fixture::SEED, Party::Alice, b"attachment key", 0);
    let small = fixture::canary_file("TAMPER", 1000);
    let (pointer, ct) = attachment::seal(xchat_spec::content::MediaKind::File, &key, &small);
    let open = |p: &AttachmentPointer, c: &[u8]| verdict(attachment::open(p, c), |_| true);
    let control = open(&pointer, &ct) == "ACCEPTED";
    let fields = layout::layout(Kind::Attachment, &ct)?;
    let mut classes = Vec::new();
    for (class, m) in mutations(&ct, &fields) {
        tally(&mut classes, class, open(&pointer, &m));
    }
    // The store substitutes another ciphertext of the same length, sealed
    // under another key (the pointer, inside the encrypted message, is out
    // of the relay's reach).
    let other_key = scenario::party_draw(&fixture::SEED, Party::Carol, b"attachment key", 0);
    let other = fixture::canary_file("OTHER", 1000);
    let (_, substituted) =
        attachment::seal(xchat_spec::content::MediaKind::File, &other_key, &other);
    tally(&mut classes, "substitute", open(&pointer, &substituted));
    let small_row = Row {
        id: "attachment".into(),
        name: "attachment ciphertext, 1000-byte file (one chunk)".into(),
        len: ct.len(),
        control,
        classes,
    };
    let big = fixture::canary_file("TAMPER3", 2 * attachment::CHUNK_LEN + 1000);
    let (bp, bct) = attachment::seal(xchat_spec::content::MediaKind::File, &key, &big);
    let bcontrol = open(&bp, &bct) == "ACCEPTED";
    let bf = layout::layout(Kind::Attachment, &bct)?;
    let mut classes = Vec::new();
    let chunks: Vec<&layout::Field> = bf.iter().filter(|f| f.name.starts_with("chunk")).collect();
    for f in &chunks {
        for at in [f.offset, f.offset + f.len - 1] {
            let mut m = bct.clone();
            m[at] ^= 0x01;
            tally(
                &mut classes,
                "flip (first and last byte of each chunk)",
                open(&bp, &m),
            );
        }
    }
    for w in bf.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let mut m = bct[..a.offset].to_vec();
        m.extend_from_slice(&bct[b.offset..b.offset + b.len]);
        m.extend_from_slice(&bct[a.offset..a.offset + a.len]);
        m.extend_from_slice(&bct[b.offset + b.len..]);
        tally(&mut classes, "reorder chunks", open(&bp, &m));
    }
    if let (Some(first), Some(last)) = (chunks.first(), chunks.last()) {
        // Drop the last chunk, and drop it while claiming the shorter length.
        tally(
            &mut classes,
            "truncate at a chunk boundary",
            open(&bp, &bct[..last.offset]),
        );
        let shorter = AttachmentPointer {
            length: (last.offset - 32 - 16 * (chunks.len() - 1)) as u64,
            ..bp.clone()
        };
        tally(
            &mut classes,
            "truncate at a chunk boundary",
            open(&shorter, &bct[..last.offset]),
        );
        // Duplicate the first chunk at the end.
        let mut m = bct.clone();
        m.extend_from_slice(&bct[first.offset..first.offset + first.len]);
        tally(&mut classes, "extend by a chunk", open(&bp, &m));
        // Replace the last chunk by a copy of the first.
        let mut m = bct[..last.offset].to_vec();
        m.extend_from_slice(&bct[first.offset..first.offset + last.len.min(first.len)]);
        tally(&mut classes, "replace a chunk", open(&bp, &m));
    }
    Ok(vec![
        small_row,
        Row {
            id: "attachment-3-chunks".into(),
            name: format!(
                "attachment ciphertext, {}-byte file (three chunks)",
                big.len()
            ),
            len: bct.len(),
            control: bcontrol,
            classes,
        },
    ])
}

/// Every row of the matrix.
pub fn matrix() -> Result<Vec<Row>> {
    let mut rows = vec![
        envelope_row(
            "sealed-prekey",
            "sealed envelope carrying a prekey message (alice to bob)",
            fixture::WIRE_SEALED_PREKEY,
            Kind::Sealed,
        )?,
        envelope_row(
            "sealed-ratchet",
            "sealed envelope carrying a ratchet message (bob to alice)",
            fixture::WIRE_SEALED_RATCHET,
            Kind::Sealed,
        )?,
        envelope_row(
            "light",
            "light envelope (alice to bob's pairwise mailbox)",
            fixture::WIRE_LIGHT,
            Kind::Light,
        )?,
        bundle_row()?,
    ];
    rows.extend(attachment_rows()?);
    Ok(rows)
}

fn row_json(r: &Row) -> Value {
    json!({
        "structure": r.id,
        "name": r.name,
        "length": r.len,
        "control_accepted": r.control,
        "classes": r.classes.iter().map(|(c, t)| json!({
            "mutation": c,
            "cases": t.cases,
            "accepted": t.accepted(),
            "outcomes": t.kinds,
        })).collect::<Vec<_>>(),
    })
}

/// The tamper matrix's artefact, claims and section.
pub fn run() -> Result<Part> {
    let rows = matrix()?;
    let cases: usize = rows
        .iter()
        .flat_map(|r| r.classes.iter().map(|(_, t)| t.cases))
        .sum();
    let accepted: usize = rows
        .iter()
        .flat_map(|r| r.classes.iter().map(|(_, t)| t.accepted()))
        .sum();
    let controls = rows.iter().all(|r| r.control);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        for (_, t) in &r.classes {
            for (k, n) in &t.kinds {
                *kinds.entry(k.clone()).or_default() += n;
            }
        }
    }
    let json = json!({
        "schema": "xchat-audit/tamper-matrix/v1",
        "masks": ["0x01", "0xff"],
        "cases": cases,
        "accepted": accepted,
        "outcomes": kinds,
        "structures": rows.iter().map(row_json).collect::<Vec<_>>(),
    });
    let mut html = format!(
        "<p>{cases} modified inputs, {accepted} accepted. Each flip XORs one byte with 0x01 (lowest bit) or 0xff (every bit); truncations \
         cut at every length; reorders swap adjacent fields (chunks for attachments); replays deliver an \
         accepted envelope again; misdeliveries give it to every other party and mailbox, as is and \
         re-addressed. A modified bundle counts as accepted only if alice starts from it and bob accepts \
         her first message. Delivering untouched envelopes out of order is not a modification: SPEC.md section 9 \
         accepts it within MAX_SKIP, and the conformance vectors (<code>session_run.yaml</code>) cover it.</p>"
    );
    let mut rows_html = Vec::new();
    for r in &rows {
        for (c, t) in &r.classes {
            let kinds: Vec<String> = t
                .kinds
                .iter()
                .map(|(k, n)| format!("{}&nbsp;{n}", esc(k)))
                .collect();
            rows_html.push(vec![
                esc(&r.id),
                esc(c),
                t.cases.to_string(),
                kinds.join("<br>"),
                crate::util::badge(t.accepted() == 0),
            ]);
        }
    }
    let crow: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                esc(&r.id),
                esc(&r.name),
                r.len.to_string(),
                crate::util::badge(r.control),
            ]
        })
        .collect();
    html.push_str("<h3>Controls: the unmodified structure is accepted</h3>");
    html.push_str(&table(&["structure", "what", "bytes", "accepted"], &crow));
    html.push_str("<h3>Matrix</h3>");
    html.push_str(&table(
        &[
            "structure",
            "mutation",
            "cases",
            "outcomes (error kind: count)",
            "none accepted",
        ],
        &rows_html,
    ));
    let claims = vec![
        Claim::new(
            "tamper.none-accepted",
            "tamper",
            "No flipped, truncated, extended, reordered, replayed or misdelivered structure is accepted",
            accepted == 0 && cases > 0,
            format!("{cases} cases over {} structures, {accepted} accepted", rows.len()),
        ),
        Claim::new(
            "tamper.controls",
            "tamper",
            "Every unmodified structure is accepted (the harness delivers correctly)",
            controls,
            format!("{} of {} controls accepted", rows.iter().filter(|r| r.control).count(), rows.len()),
        ),
    ];
    Ok(Part {
        artefacts: vec![json_artefact("tamper-matrix.json", &json)],
        claims,
        sections: vec![Section {
            id: "tamper".into(),
            title: "5. Tamper matrix".into(),
            html,
        }],
    })
}
