//! Artefact 4, forward secrecy and post-compromise security: executable
//! experiments on real sessions of the spec. States are plain values, so an
//! attacker's "exported state at time t" is a clone of bob's state at that
//! point of the script. The attacker captured every envelope on the wire
//! and tries each one addressed to bob with the spec's own `receive`:
//!
//! * earlier messages (delivered before t) must not decrypt (forward
//!   secrecy);
//! * messages after t are tried in order by a follower that keeps every
//!   state it gains (the strongest passive attacker), with randomness of
//!   its own; once bob's fresh ratchet key has made a round trip, nothing
//!   may decrypt (post-compromise security);
//! * what decrypts in between is reported, not judged.
//!
//! A second experiment: bob's long-term identity key alone opens the
//! sealed-sender layer of every envelope to bob (past and future), which
//! reveals the sender's identity but not the message.

use serde_json::{json, Value};
use xchat_spec::account::{self, Receipt};
use xchat_spec::envelope;
use xchat_spec::scenario::{self, Event, Party, PartyState};

use crate::fixture::{self, send};
use crate::util::{esc, json_artefact, table};
use crate::{Claim, Part, Result, Section};

/// The experiment's script and the event index of the compromise: bob's
/// state is exported after `COMPROMISE` events. Alice's w3 is in flight at
/// that time; bob's w4 still carries the ratchet key he held at t; bob's
/// w6 carries the first key he generated after t, from fresh randomness;
/// alice's w7 and later answer it.
pub fn script() -> Vec<Event> {
    use Party::{Alice, Bob};
    vec![
        Event::Start {
            from: Alice,
            to: Bob,
        },
        send(Alice, Bob, "w0 alice: first message"),
        Event::Deliver { index: 0 },
        send(Bob, Alice, "w1 bob: reply"),
        Event::Deliver { index: 1 },
        send(Alice, Bob, "w2 alice: second"),
        Event::Deliver { index: 2 },
        send(Alice, Bob, "w3 alice: in flight at compromise"),
        // COMPROMISE: bob's state is exported here (after 8 events).
        Event::Deliver { index: 3 },
        send(Bob, Alice, "w4 bob: after compromise, pre-compromise key"),
        Event::Deliver { index: 4 },
        send(Alice, Bob, "w5 alice: answers w4"),
        Event::Deliver { index: 5 },
        send(Bob, Alice, "w6 bob: first fresh key after t"),
        Event::Deliver { index: 6 },
        send(Alice, Bob, "w7 alice: answers w6 (round trip done)"),
        Event::Deliver { index: 7 },
        send(Alice, Bob, "w8 alice: later"),
        Event::Deliver { index: 8 },
        send(Bob, Alice, "w9 bob: later"),
        Event::Deliver { index: 9 },
        send(Alice, Bob, "w10 alice: later"),
        Event::Deliver { index: 10 },
    ]
}

/// Events before bob's state is exported.
pub const COMPROMISE: usize = 8;
/// Wire index of bob's first message with a ratchet key generated after t.
pub const FRESH_KEY_WIRE: usize = 6;

/// One attempt of the attacker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub wire: usize,
    pub from: String,
    pub phase: &'static str,
    pub decrypted: bool,
    pub outcome: String,
}

fn attacker_draw(n: u32) -> [u8; 32] {
    scenario::draw(&fixture::SEED, b"attacker ratchet", n)
}

fn try_open(
    state: &PartyState,
    mailbox: &[u8; 16],
    envelope: &[u8],
    n: u32,
) -> (Option<PartyState>, String) {
    match account::receive(&state.account, mailbox, envelope, &attacker_draw(n)) {
        Ok((a, Receipt::Message(m))) => (
            Some(PartyState {
                account: a,
                draws: state.draws,
            }),
            match m.content {
                xchat_spec::content::Content::Text(t) => {
                    format!("decrypted: {:?}", String::from_utf8_lossy(&t))
                }
                other => format!("decrypted: {other:?}"),
            },
        ),
        Ok((_, Receipt::IdentityChanged { .. })) => (None, "IdentityChanged".into()),
        Err(e) => (None, format!("{e:?}")),
    }
}

/// Per envelope to bob: wire index, whether the identity key alone opened
/// its sealed-sender layer, and what it revealed.
pub type SealedLayer = Vec<(usize, bool, String)>;

/// Runs both experiments.
pub fn experiments() -> Result<(Vec<Attempt>, SealedLayer)> {
    let events = script();
    let full = fixture::run(&events)?;
    let at_t = fixture::run(&events[..COMPROMISE])?;
    let stolen = at_t.parties[scenario::index_of(Party::Bob)].clone();
    // Which wire envelopes bob had received before t.
    let delivered_before: Vec<usize> = events[..COMPROMISE]
        .iter()
        .filter_map(|e| match e {
            Event::Deliver { index } => Some(*index),
            _ => None,
        })
        .collect();
    // The wire index after which alice has answered bob's fresh key: the
    // first alice-to-bob envelope sent after alice received FRESH_KEY_WIRE.
    let fresh_delivered = fixture::delivery_of(&events, FRESH_KEY_WIRE).unwrap_or(events.len());
    let mut attempts = Vec::new();
    let mut follower = stolen.clone();
    let mut n = 0u32;
    for (i, env) in full.wire.iter().enumerate() {
        if full.recipients[i] != Party::Bob {
            continue;
        }
        let from = String::from_utf8_lossy(scenario::name(full.senders[i])).to_string();
        if delivered_before.contains(&i) {
            let (_, outcome) = try_open(&stolen, &full.posted[i], env, n);
            attempts.push(Attempt {
                wire: i,
                from,
                phase: "before t (delivered)",
                decrypted: outcome.starts_with("decrypted"),
                outcome,
            });
            continue;
        }
        // Sent after alice received bob's fresh key?
        let sent_at = events
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, Event::Send { .. } | Event::OfferMailbox { .. }))
            .nth(i)
            .map(|(k, _)| k)
            .unwrap_or(0);
        let phase = if sent_at > fresh_delivered {
            "after the round trip"
        } else {
            "in between"
        };
        let (next, outcome) = try_open(&follower, &full.posted[i], env, n);
        n += 1;
        if let Some(s) = next {
            follower = s;
        }
        attempts.push(Attempt {
            wire: i,
            from,
            phase,
            decrypted: outcome.starts_with("decrypted"),
            outcome,
        });
    }
    // Identity key alone: the sealed-sender layer of every envelope to bob.
    let mut sealed = Vec::new();
    for (i, env) in full.wire.iter().enumerate() {
        if full.recipients[i] == Party::Bob {
            let r = envelope::open(&stolen.account.identity, &full.posted[i], env);
            let what = match &r {
                Ok((sender, payload)) => format!(
                    "opened: sender {:?}, payload a {}-byte ratchet/prekey message (still encrypted)",
                    String::from_utf8_lossy(&xchat_spec::handle::handle_bytes(&sender.handle)),
                    payload.len()
                ),
                Err(e) => format!("{e:?}"),
            };
            sealed.push((i, r.is_ok(), what));
        }
    }
    Ok((attempts, sealed))
}

/// The experiments' artefact, claims and section.
pub fn run() -> Result<Part> {
    let (attempts, sealed) = experiments()?;
    let phase = |p: &str| attempts.iter().filter(|a| a.phase == p).collect::<Vec<_>>();
    let before = phase("before t (delivered)");
    let between = phase("in between");
    let after = phase("after the round trip");
    let fs_ok = !before.is_empty() && before.iter().all(|a| !a.decrypted);
    let pcs_ok = !after.is_empty() && after.iter().all(|a| !a.decrypted);
    let to_json = |a: &Attempt| json!({"wire": a.wire, "from": a.from, "phase": a.phase, "decrypted": a.decrypted, "outcome": a.outcome});
    let script: Vec<Value> = script().iter().map(|e| json!(format!("{e:?}"))).collect();
    let json = json!({
        "schema": "xchat-audit/fs-pcs/v1",
        "script": script,
        "compromise_after_events": COMPROMISE,
        "fresh_key_wire": FRESH_KEY_WIRE,
        "attacker": "holds bob's whole exported state at t and every envelope on the wire; tries each envelope to bob with account::receive, in order, keeping any state it gains, with randomness of its own",
        "attempts": attempts.iter().map(to_json).collect::<Vec<_>>(),
        "forward_secrecy": {"earlier_messages": before.len(), "decrypted": before.iter().filter(|a| a.decrypted).count()},
        "in_between": {"messages": between.len(), "decrypted": between.iter().filter(|a| a.decrypted).map(|a| a.wire).collect::<Vec<_>>()},
        "post_compromise": {"later_messages": after.len(), "decrypted": after.iter().filter(|a| a.decrypted).count()},
        "identity_key_only": sealed.iter().map(|(w, ok, what)| json!({"wire": w, "sealed_layer_opened": ok, "result": what})).collect::<Vec<_>>(),
    });
    let rows: Vec<Vec<String>> = attempts
        .iter()
        .map(|a| {
            vec![
                a.wire.to_string(),
                esc(&a.from),
                esc(a.phase),
                esc(&a.outcome),
                if a.decrypted {
                    "yes".into()
                } else {
                    "no".into()
                },
            ]
        })
        .collect();
    let srows: Vec<Vec<String>> = sealed
        .iter()
        .map(|(w, ok, what)| {
            vec![
                w.to_string(),
                if *ok { "yes".into() } else { "no".into() },
                esc(what),
            ]
        })
        .collect();
    let mut html = String::from(
        "<p>Script (alice and bob, sealed envelopes): w0 a&rarr;b, w1 b&rarr;a, w2 a&rarr;b, w3 a&rarr;b sent; \
         <b>bob's whole state is exported</b> (time t); w3 delivered; w4 b&rarr;a (bob's ratchet key from before t), \
         w5 a&rarr;b, w6 b&rarr;a (bob's first key generated after t, from fresh randomness), w7, w8 a&rarr;b, w9 b&rarr;a, w10 a&rarr;b. \
         The attacker holds the state at t and every envelope; it tries every envelope to bob.</p>",
    );
    html.push_str(&table(
        &["wire", "from", "phase", "attacker's result", "decrypted"],
        &rows,
    ));
    html.push_str(&format!(
        "<p>In between (decryptable by design, until bob's fresh key has made a round trip): wires {:?}.</p>",
        between.iter().filter(|a| a.decrypted).map(|a| a.wire).collect::<Vec<_>>()
    ));
    html.push_str("<h3>Bob's identity key alone: the sealed-sender layer</h3><p>The sealed-sender layer has no forward secrecy: bob's long-term identity key opens it for past and future envelopes and reveals the sender's identity; the message inside stays encrypted under the ratchet.</p>");
    html.push_str(&table(&["wire", "opened", "result"], &srows));
    let claims = vec![
        Claim::new(
            "fspcs.forward-secrecy",
            "fspcs",
            "An attacker holding bob's exported state at t decrypts none of the messages bob received before t",
            fs_ok,
            format!("{} earlier messages, {} decrypted", before.len(), before.iter().filter(|a| a.decrypted).count()),
        ),
        Claim::new(
            "fspcs.post-compromise",
            "fspcs",
            "After one round trip of a ratchet key from fresh randomness, the attacker decrypts no later message",
            pcs_ok,
            format!(
                "{} later messages, {} decrypted; in between {} of {} decrypted",
                after.len(),
                after.iter().filter(|a| a.decrypted).count(),
                between.iter().filter(|a| a.decrypted).count(),
                between.len()
            ),
        ),
    ];
    Ok(Part {
        artefacts: vec![json_artefact("fs-pcs.json", &json)],
        claims,
        sections: vec![Section {
            id: "fspcs".into(),
            title: "4. Forward secrecy and post-compromise experiments".into(),
            html,
        }],
    })
}
