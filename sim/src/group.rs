//! One group of accounts, its relay, its directory and its adversary.
//!
//! # Rounds
//!
//! Each round picks a conversation (an edge of the group's contact graph).
//! If it has not started, one side (or, at rate `simultaneous`, both)
//! fetches the other's bundle from the directory (which may withhold the
//! one-time prekey or serve a stale bundle) and starts a session; then one
//! side, or both at once, sends a batch of 1..=`max_batch` messages (texts,
//! every `attachment_every`-th an attachment sealed with
//! `xchat::attachment::seal` whose blob the relay stores, and at rate
//! `rotate_mailbox` a mailbox offer). The adversary turns the batch into
//! deliveries: drops, duplicates, a shuffle of the round, delayed
//! envelopes (delivered in a later round of the conversation), tampered
//! copies, misdelivered copies and replays of accepted envelopes. Before the
//! round it may rotate a signed prekey, restore a party from an older
//! export, send an impostor's first message, flood skipped keys or skip
//! beyond MAX_SKIP.
//!
//! A light envelope posted to a mailbox its owner no longer holds is
//! refused by the relay (*gone*) and the sender resends it sealed
//! (`Account::resend_sealed`).
//!
//! # Invariants (checked on every delivery)
//!
//! * `accepted_correct`: an accepted message is a message that was sent to
//!   this account, from the authenticated sender (`Received::sender` is the
//!   sender's identity), with exactly the content sent (an attachment's
//!   blob opens to the file).
//! * `exactly_once`: no message is accepted twice, except a message whose
//!   acceptance an older export's restore rolled back (documented in
//!   `Account::import`); those are counted separately.
//! * `in_bounds_accepted`: every untampered envelope delivered in its own
//!   round, in a conversation no desynchronising fault touched in that
//!   round, is accepted (reorders stay within the round, far below
//!   MAX_SKIP, and skipped keys stay below MAX_SKIPPED_TOTAL).
//! * `hostile_rejected`: a tampered, misdelivered or replayed envelope is
//!   rejected, with a kind from the documented set for its category.
//! * `unchanged_on_failure`: after every rejection (and every
//!   `IdentityChanged`) the account's export is byte-identical to before.
//! * `impostor_refused`: an impostor's envelope is never a message
//!   accepted from the pinned handle (it is `IdentityChanged`), and a
//!   bundle of the impostor for a pinned handle is refused by `start`.
//! * `skipped_bounded`: no session holds more than MAX_SKIPPED_TOTAL
//!   skipped keys.
//! * `loss_explained`: a message the simulator expected to be accepted
//!   and that was not is always blamed on a fault; the only loss no
//!   adversary action of its round explains is an envelope whose mailbox
//!   its owner deleted while it was in flight (SPEC.md section 16, the
//!   grace window), and it is counted as `mailbox_rotation`.
//! * `recovers`: after a desynchronising fault (restore, beyond MAX_SKIP,
//!   stale bundle, a mailbox deleted under envelopes in flight) the
//!   conversation recovers when
//!   both sides send again: each sends one message per recovery round; a
//!   side that keeps failing to receive from the other starts a fresh
//!   session (the application's re-key); recovery must succeed within
//!   `MAX_RECOVERY_ROUNDS`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{json, Value};
use xchat::error::{ReceiveError, StartError};
use xchat::{attachment, bundle, identity};
use xchat::{
    Account, AttachmentPointer, Content, Error, Handle, MediaKind, PqKind, PrekeyStore, Receipt,
};
use zeroize::Zeroizing;

use crate::{Config, Faults};

/// `xchat::ratchet::MAX_SKIP` (SPEC.md REQ-RATCHET-004).
pub const MAX_SKIP: usize = 1000;
/// `xchat::ratchet::MAX_SKIPPED_TOTAL` (SPEC.md section 16).
pub const MAX_SKIPPED_TOTAL: usize = 2000;
/// How far below MAX_SKIP a flood stays (earlier envelopes of the chain
/// may have been dropped or delayed: they count as skipped too).
pub const FLOOD_MARGIN: usize = 20;
/// Recovery rounds allowed before a conversation counts as broken.
pub const MAX_RECOVERY_ROUNDS: u64 = 6;
/// Id of every account's PQ last-resort prekey.
const PQ_ID: u32 = 1;
/// Exports kept per party for the restore fault.
const SNAPSHOTS: usize = 3;
/// Rounds between a party's snapshots.
const SNAPSHOT_EVERY: u64 = 40;
/// Delivered envelopes remembered per conversation for replays.
const HISTORY: usize = 64;

/// A failed invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The round it happened in (rounds count from 0).
    pub round: u64,
    /// The invariant's name (module docs).
    pub invariant: &'static str,
    /// What happened.
    pub detail: String,
}

/// The deterministic counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rounds simulated.
    pub rounds: u64,
    /// Messages sent (each once, whatever happened to it).
    pub sent: u64,
    /// ... of which texts.
    pub texts: u64,
    /// ... of which attachments.
    pub attachments: u64,
    /// ... of which mailbox offers.
    pub mailbox_updates: u64,
    /// Deliveries of any kind.
    pub deliveries: u64,
    /// Messages accepted (first time), in their round.
    pub accepted: u64,
    /// Delayed messages accepted in a later round.
    pub accepted_late: u64,
    /// Delayed messages rejected in a later round (by kind).
    pub rejected_late: BTreeMap<String, u64>,
    /// Messages accepted a second time after a restore rolled the first
    /// acceptance back (documented in `Account::import`).
    pub reaccepted_after_restore: u64,
    /// Attachment blobs opened and compared with the file.
    pub blobs_opened: u64,
    /// Tampered blobs rejected by `attachment::open`.
    pub blobs_tampered_rejected: u64,
    /// Envelopes the adversary dropped.
    pub dropped: u64,
    /// Sessions started (initiations, recoveries included).
    pub starts: u64,
    /// Initiations where both sides started at once.
    pub simultaneous: u64,
    /// Bundles served without a one-time prekey.
    pub withheld_opk: u64,
    /// Stale bundles served (one or two rotations old).
    pub stale_bundles: u64,
    /// Signed prekey rotations.
    pub prekey_rotations: u64,
    /// Light envelopes refused as gone and resent sealed.
    pub resent_sealed: u64,
    /// Restores from an older export.
    pub restores: u64,
    /// Floods of MAX_SKIP skipped keys.
    pub floods: u64,
    /// Sends beyond MAX_SKIP rejected with TooManySkipped.
    pub beyond_skip_rejected: u64,
    /// Largest number of skipped keys seen in one session.
    pub max_skipped_keys: u64,
    /// Largest export of one account seen (bytes).
    pub max_export_bytes: u64,
    /// Sum over the accounts of each one's largest export (bytes).
    pub sum_max_export_bytes: u64,
    /// Rejections by category (`tampered`, `misdelivered`, `replayed`,
    /// `duplicate`, `lost`, `impostor`) and kind.
    pub rejected: BTreeMap<String, BTreeMap<String, u64>>,
    /// Untampered messages lost, by the fault that cost them: dropped,
    /// and rejected while a fault had desynchronised the conversation.
    pub lost: BTreeMap<String, u64>,
    /// Recoveries run, by cause: (count, total rounds, max rounds).
    pub recoveries: BTreeMap<String, (u64, u64, u64)>,
    /// Sessions restarted by the recovery policy.
    pub restarts: u64,
    /// Recoveries (by cause) that needed both sides to re-key: one-sided
    /// re-keying did not help.
    pub rekey_both: BTreeMap<String, u64>,
    /// Impostor envelopes answered with IdentityChanged.
    pub impostor_identity_changed: u64,
    /// Impostor bundles refused by `start` (IdentityChanged).
    pub impostor_start_refused: u64,
    /// Exports compared around a rejection (unchanged_on_failure checks).
    pub state_checks: u64,
    /// Checks per invariant.
    pub checks: BTreeMap<String, u64>,
    /// Violations per invariant.
    pub failures: BTreeMap<String, u64>,
}

fn add_map(a: &mut BTreeMap<String, u64>, b: &BTreeMap<String, u64>) {
    for (k, v) in b {
        *a.entry(k.clone()).or_default() += v;
    }
}

impl Counts {
    /// Adds `o` into `self` (maxima take the maximum).
    pub fn add(&mut self, o: &Counts) {
        self.rounds += o.rounds;
        self.sent += o.sent;
        self.texts += o.texts;
        self.attachments += o.attachments;
        self.mailbox_updates += o.mailbox_updates;
        self.deliveries += o.deliveries;
        self.accepted += o.accepted;
        self.accepted_late += o.accepted_late;
        add_map(&mut self.rejected_late, &o.rejected_late);
        self.reaccepted_after_restore += o.reaccepted_after_restore;
        self.blobs_opened += o.blobs_opened;
        self.blobs_tampered_rejected += o.blobs_tampered_rejected;
        self.dropped += o.dropped;
        self.starts += o.starts;
        self.simultaneous += o.simultaneous;
        self.withheld_opk += o.withheld_opk;
        self.stale_bundles += o.stale_bundles;
        self.prekey_rotations += o.prekey_rotations;
        self.resent_sealed += o.resent_sealed;
        self.restores += o.restores;
        self.floods += o.floods;
        self.beyond_skip_rejected += o.beyond_skip_rejected;
        self.max_skipped_keys = self.max_skipped_keys.max(o.max_skipped_keys);
        self.max_export_bytes = self.max_export_bytes.max(o.max_export_bytes);
        self.sum_max_export_bytes += o.sum_max_export_bytes;
        for (cat, kinds) in &o.rejected {
            add_map(self.rejected.entry(cat.clone()).or_default(), kinds);
        }
        add_map(&mut self.lost, &o.lost);
        for (k, (n, total, max)) in &o.recoveries {
            let e = self.recoveries.entry(k.clone()).or_default();
            e.0 += n;
            e.1 += total;
            e.2 = e.2.max(*max);
        }
        self.restarts += o.restarts;
        add_map(&mut self.rekey_both, &o.rekey_both);
        self.impostor_identity_changed += o.impostor_identity_changed;
        self.impostor_start_refused += o.impostor_start_refused;
        self.state_checks += o.state_checks;
        add_map(&mut self.checks, &o.checks);
        add_map(&mut self.failures, &o.failures);
    }

    /// The counts as JSON.
    pub fn to_json(&self) -> Value {
        let recoveries: BTreeMap<&String, Value> = self
            .recoveries
            .iter()
            .map(|(k, (n, total, max))| {
                (
                    k,
                    json!({"count": n, "total_rounds": total, "max_rounds": max,
                       "mean_rounds": if *n > 0 { *total as f64 / *n as f64 } else { 0.0 }}),
                )
            })
            .collect();
        json!({
            "rounds": self.rounds,
            "sent": self.sent,
            "texts": self.texts,
            "attachments": self.attachments,
            "mailbox_updates": self.mailbox_updates,
            "deliveries": self.deliveries,
            "accepted": self.accepted,
            "accepted_late": self.accepted_late,
            "rejected_late": self.rejected_late,
            "reaccepted_after_restore": self.reaccepted_after_restore,
            "blobs_opened": self.blobs_opened,
            "blobs_tampered_rejected": self.blobs_tampered_rejected,
            "dropped": self.dropped,
            "starts": self.starts,
            "simultaneous_initiations": self.simultaneous,
            "withheld_opk": self.withheld_opk,
            "stale_bundles": self.stale_bundles,
            "prekey_rotations": self.prekey_rotations,
            "resent_sealed": self.resent_sealed,
            "restores": self.restores,
            "floods": self.floods,
            "beyond_skip_rejected": self.beyond_skip_rejected,
            "max_skipped_keys": self.max_skipped_keys,
            "max_export_bytes_one_account": self.max_export_bytes,
            "sum_of_max_export_bytes": self.sum_max_export_bytes,
            "rejected": self.rejected,
            "lost": self.lost,
            "recoveries": recoveries,
            "restarts": self.restarts,
            "recoveries_needing_both_sides_to_rekey": self.rekey_both,
            "impostor_identity_changed": self.impostor_identity_changed,
            "impostor_start_refused": self.impostor_start_refused,
            "state_checks": self.state_checks,
            "invariant_checks": self.checks,
            "invariant_failures": self.failures,
        })
    }
}

/// A group's outcome.
#[derive(Clone, Debug)]
pub struct GroupResult {
    /// Its counts.
    pub counts: Counts,
    /// Its violations, in order.
    pub violations: Vec<Violation>,
}

/// What an envelope in flight is, for the oracle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An envelope as sent (message `msg`); a second delivery is a replay.
    Clean { msg: usize },
    /// A copy of message `msg` with bytes changed.
    Tampered { msg: usize },
    /// A copy at a mailbox it was not sent to.
    Misdelivered,
    /// An impostor's envelope claiming party `claimed`'s handle.
    Impostor { claimed: usize },
}

/// An envelope the relay will deliver.
#[derive(Clone)]
struct Flight {
    to: usize,
    mailbox: [u8; 16],
    bytes: Vec<u8>,
    kind: Kind,
    /// The invariant `in_bounds_accepted` applies.
    expect_ok: bool,
    /// Delivered after its own round.
    late: bool,
    /// The fault to blame if it is lost.
    cause: &'static str,
    /// The sender and its restore count when it sent this.
    from: usize,
    epoch: u32,
    /// The recipient's restore count when this was sent.
    to_epoch: u32,
    /// The conversation's re-key count when this was sent.
    conv_epoch: u32,
}

/// What became of one delivered envelope.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Delivery {
    /// A message accepted, with the right sender and content.
    Accepted,
    /// Not accepted: as the flight's fault predicted, or with an invariant
    /// violation recorded.
    Refused,
    /// A clean message refused because its recipient deleted the mailbox
    /// while it was in flight (rotated more than `MAX_RETIRED_MAILBOXES`
    /// times since the sender last learned a mailbox): SPEC.md section 16
    /// bounds the grace window in rotations, so a message in flight across
    /// more of them is lost, and the conversation needs a recovery.
    Gone,
}

/// The oracle's record of a message.
struct Msg {
    from: usize,
    to: usize,
    /// 0 not accepted, 1 accepted, 2 acceptance rolled back by a restore.
    state: u8,
}

/// One account and what the simulation keeps about it.
struct Party {
    account: Account,
    handle: Handle,
    next_opk: u32,
    /// One-time prekeys the directory handed out (each goes to one
    /// initiator only).
    served_opks: Vec<u32>,
    /// Encoded bundles (without one-time prekey) of each signed prekey,
    /// oldest first: what a stale directory serves.
    old_bundles: Vec<Vec<u8>>,
    /// (round, export): older states for the restore fault.
    snapshots: VecDeque<(u64, Zeroizing<Vec<u8>>)>,
    /// (round, message) of every acceptance, for rollbacks.
    accepted: Vec<(u64, usize)>,
    max_export: u64,
    /// Restores so far.
    epoch: u32,
}

/// A conversation: an edge of the contact graph.
struct Conv {
    a: usize,
    b: usize,
    started: bool,
    /// Both sides received from the other (`heard[0]`: a from b).
    established: bool,
    heard: [bool; 2],
    /// Envelopes delivered and accepted, for replays (first messages
    /// first: the oldest entries are kept when full).
    history: Vec<Flight>,
    /// Delayed envelopes.
    delayed: Vec<Flight>,
    /// A late envelope from a session its sender lost in a restore was
    /// accepted: the receiver made that session current again (SPEC.md
    /// section 15.2, R5), so its replies go to a session the sender no
    /// longer has until a recovery.
    suspect: Option<&'static str>,
    /// Re-keys by the recovery policy so far.
    epoch: u32,
}

/// One group's world.
pub struct Group {
    cfg: Config,
    faults: Faults,
    first: usize,
    adv: ChaCha8Rng,
    rng: ChaCha8Rng,
    parties: Vec<Party>,
    convs: Vec<Conv>,
    msgs: Vec<Msg>,
    /// Contents that cannot be regenerated from the message number.
    contents: HashMap<usize, Content>,
    /// Attachment blobs at the relay, by message, until first opened.
    blobs: HashMap<usize, (Vec<u8>, usize)>,
    counts: Counts,
    violations: Vec<Violation>,
    round: u64,
    /// The event log, when tracing (shrunk failures carry it).
    trace: Option<Vec<String>>,
}

fn chance(r: &mut ChaCha8Rng, p: f64) -> bool {
    p > 0.0 && ((r.next_u64() >> 11) as f64) / ((1u64 << 53) as f64) < p
}

fn below(r: &mut ChaCha8Rng, n: usize) -> usize {
    if n == 0 {
        0
    } else {
        (r.next_u64() % n as u64) as usize
    }
}

fn kind_name(e: &ReceiveError) -> String {
    e.kind().kind_name().to_string()
}

/// The kinds SPEC.md section 17 documents for each category of hostile
/// envelope (anything else fails `hostile_rejected`).
fn allowed(category: &str, kind: Error) -> bool {
    use Error::*;
    match category {
        // Bytes changed: the envelope does not open, decode or
        // authenticate, or names another mailbox or prekey.
        "tampered" => matches!(
            kind,
            AuthenticationFailed
                | Malformed
                | UnsupportedVersion
                | WrongRecipient
                | InvalidSignature
                | NonContributory
                | InvalidHandle
                | InvalidKey
                | UnknownPrekey
                | UnknownSession
                | TooManySkipped
        ),
        "misdelivered" => matches!(
            kind,
            WrongRecipient | AuthenticationFailed | Malformed | UnsupportedVersion
        ),
        // An envelope accepted before: its key is used (Replay), its
        // chain or session is gone (AuthenticationFailed, UnknownSession),
        // its handshake recorded (Replay) or its prekey rotated away
        // (UnknownPrekey), or its mailbox deleted (WrongRecipient).
        "replayed" | "duplicate" => matches!(
            kind,
            Replay | AuthenticationFailed | UnknownSession | UnknownPrekey | WrongRecipient
        ),
        _ => true,
    }
}

/// The text of message `m` from `from` to `to`: unique and regenerable.
fn text_of(m: usize, from: usize, to: usize) -> Content {
    let pad = "x".repeat(m % 97);
    Content::Text(format!("m{m} {from}>{to} {pad}"))
}

/// The file of attachment message `m`.
fn file_of(m: usize, len: usize) -> Vec<u8> {
    let mut r = ChaCha8Rng::seed_from_u64(m as u64 ^ 0xA77A_C4ED);
    let mut f = vec![0u8; len];
    r.fill_bytes(&mut f);
    f
}

impl Group {
    /// A group of `accounts.1` accounts numbered from `accounts.0`, with a
    /// random contact graph (every account has at least one contact).
    pub fn new(cfg: &Config, seed: u64, accounts: (usize, usize), faults: Faults) -> Group {
        let mut adv = ChaCha8Rng::seed_from_u64(seed);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x005E_ED0F_C0DE);
        let (first, n) = accounts;
        let parties = (0..n)
            .map(|i| {
                let handle: Handle = format!("u{}", first + i)
                    .parse()
                    .unwrap_or_else(|_| unreachable_handle());
                let mut store = PrekeyStore::generate(1, &mut rng);
                for id in 0..4 {
                    store.generate_one_time_prekey(100 + id, &mut rng);
                }
                store.add_pq_prekey(bundle::generate_pq_prekey(
                    PQ_ID,
                    PqKind::LastResort,
                    &mut rng,
                ));
                let mut mailbox = [0u8; 16];
                rng.fill_bytes(&mut mailbox);
                let account = Account::new(identity::generate(handle, &mut rng), store, mailbox);
                let mut p = Party {
                    account,
                    handle,
                    next_opk: 104,
                    served_opks: Vec::new(),
                    old_bundles: Vec::new(),
                    snapshots: VecDeque::new(),
                    accepted: Vec::new(),
                    max_export: 0,
                    epoch: 0,
                };
                p.old_bundles.push(bundle_bytes(&p.account, None));
                p
            })
            .collect();
        // Random graph: each pair with probability 1/2, and a ring so that
        // nobody is alone.
        let mut convs = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                let ring = b == a + 1 || (a == 0 && b == n - 1);
                if ring || chance(&mut adv, 0.5) {
                    convs.push(Conv {
                        a,
                        b,
                        started: false,
                        established: false,
                        heard: [false, false],
                        history: Vec::new(),
                        delayed: Vec::new(),
                        suspect: None,
                        epoch: 0,
                    });
                }
            }
        }
        Group {
            cfg: *cfg,
            faults,
            first,
            adv,
            rng,
            parties,
            convs,
            msgs: Vec::new(),
            contents: HashMap::new(),
            blobs: HashMap::new(),
            counts: Counts::default(),
            violations: Vec::new(),
            round: 0,
            trace: None,
        }
    }

    /// Records every event from now on (see [`Group::events`]).
    pub fn tracing(mut self) -> Group {
        self.trace = Some(Vec::new());
        self
    }

    /// The events recorded so far.
    pub fn events(&self) -> &[String] {
        self.trace.as_deref().unwrap_or(&[])
    }

    fn ev(&mut self, f: impl FnOnce() -> String) {
        let round = self.round;
        if let Some(t) = &mut self.trace {
            t.push(format!("r{round}: {}", f()));
        }
    }

    fn check(&mut self, invariant: &'static str, ok: bool, detail: impl FnOnce() -> String) {
        *self.counts.checks.entry(invariant.into()).or_default() += 1;
        if !ok {
            *self.counts.failures.entry(invariant.into()).or_default() += 1;
            if self.violations.len() < 100 {
                self.violations.push(Violation {
                    round: self.round,
                    invariant,
                    detail: detail(),
                });
            }
        }
    }

    /// Runs rounds until `messages` are sent or `max_rounds` rounds ran.
    pub fn run(&mut self, messages: u64, max_rounds: u64, progress: &AtomicU64) -> GroupResult {
        while self.counts.sent < messages && self.round < max_rounds && !self.convs.is_empty() {
            let before = self.counts.sent;
            self.one_round();
            progress.fetch_add(self.counts.sent - before, Ordering::Relaxed);
            self.round += 1;
            self.counts.rounds += 1;
        }
        // Whatever is still delayed is delivered at the end.
        for c in 0..self.convs.len() {
            let late = std::mem::take(&mut self.convs[c].delayed);
            for f in late {
                let _ = self.deliver(c, f);
            }
        }
        for p in &self.parties {
            self.counts.sum_max_export_bytes += p.max_export;
            self.counts.max_export_bytes = self.counts.max_export_bytes.max(p.max_export);
        }
        GroupResult {
            counts: self.counts.clone(),
            violations: self.violations.clone(),
        }
    }

    fn one_round(&mut self) {
        let c = below(&mut self.adv, self.convs.len());
        let (a, b) = (self.convs[c].a, self.convs[c].b);
        self.ev(|| format!("--- conversation {a} - {b}"));
        // Snapshots for the restore fault.
        for p in [a, b] {
            if self.round % SNAPSHOT_EVERY == (p as u64 % SNAPSHOT_EVERY) {
                let e = self.parties[p].account.export();
                let party = &mut self.parties[p];
                party.snapshots.push_back((self.round, e));
                if party.snapshots.len() > SNAPSHOTS {
                    party.snapshots.pop_front();
                }
            }
        }
        if chance(&mut self.adv, self.faults.rotate_prekey) {
            let p = if chance(&mut self.adv, 0.5) { a } else { b };
            self.rotate_prekey(p);
        }
        if chance(&mut self.adv, self.faults.impostor) {
            self.impostor(a, b);
        }
        if chance(&mut self.adv, self.faults.restore) {
            let p = if chance(&mut self.adv, 0.5) { a } else { b };
            if self.restore(p) {
                return;
            }
        }
        if !self.convs[c].started {
            self.initiate(c);
            return;
        }
        if self.convs[c].established && chance(&mut self.adv, self.faults.flood) {
            // A margin below MAX_SKIP for envelopes of the chain that were
            // dropped or delayed before.
            self.flood(c, MAX_SKIP - FLOOD_MARGIN, "flood");
            return;
        }
        if self.convs[c].established && chance(&mut self.adv, self.faults.beyond_skip) {
            self.flood(c, MAX_SKIP + 2, "beyond_skip");
            return;
        }
        let mut flights = Vec::new();
        let dir = below(&mut self.adv, 3);
        if dir != 1 {
            let k = 1 + below(&mut self.adv, self.cfg.max_batch);
            self.batch(c, a, b, k, &mut flights);
        }
        if dir != 0 {
            let k = 1 + below(&mut self.adv, self.cfg.max_batch);
            self.batch(c, b, a, k, &mut flights);
        }
        if let Err(cause) = self.adversary_and_deliver(c, flights, true, "drop") {
            self.recover(c, cause);
        }
    }

    /// The bundle a directory serves for party `p`: with a one-time
    /// prekey unless withheld, or a stale one.
    fn directory(&mut self, p: usize, hostile: bool) -> (xchat::VerifiedBundle, &'static str) {
        let olds = self.parties[p].old_bundles.len();
        if hostile && olds >= 2 && chance(&mut self.adv, self.faults.stale_bundle) {
            // One or two rotations old.
            let back = 2 + below(&mut self.adv, 2.min(olds - 1));
            let bytes = self.parties[p].old_bundles[olds.saturating_sub(back)].clone();
            if let Ok(v) = bundle::decode(&bytes).and_then(|b| b.verify()) {
                self.counts.stale_bundles += 1;
                let cause = if back >= 3 {
                    "stale_bundle"
                } else {
                    "stale_bundle_1"
                };
                return (v, cause);
            }
        }
        let withhold = hostile && chance(&mut self.adv, self.faults.withhold_opk);
        let party = &mut self.parties[p];
        let unserved = |p: &Party| -> Vec<u32> {
            let mut ids = p.account.store().one_time_prekey_ids();
            ids.retain(|id| !p.served_opks.contains(id));
            ids
        };
        let mut opks = unserved(party);
        if opks.is_empty() {
            for _ in 0..4 {
                let id = party.next_opk;
                party.next_opk += 1;
                party
                    .account
                    .store_mut()
                    .generate_one_time_prekey(id, &mut self.rng);
            }
            opks = unserved(party);
        }
        if withhold {
            self.counts.withheld_opk += 1;
        }
        let opk = if withhold {
            None
        } else {
            opks.first().copied()
        };
        if let Some(id) = opk {
            party.served_opks.push(id);
            if party.served_opks.len() > 64 {
                party.served_opks.remove(0);
            }
        }
        let bytes = bundle_bytes(&self.parties[p].account, opk);
        match bundle::decode(&bytes).and_then(|b| b.verify()) {
            Ok(v) => (v, "none"),
            Err(e) => unreachable_bundle(e),
        }
    }

    fn start(&mut self, from: usize, to: usize, hostile: bool) -> &'static str {
        let (bundle, cause) = self.directory(to, hostile);
        let handle = self.parties[to].handle;
        let r = self.parties[from]
            .account
            .start(&handle, &bundle, &mut self.rng);
        self.counts.starts += 1;
        self.ev(|| {
            format!(
                "{from} starts with {to} (directory: {cause}): {:?}",
                r.as_ref().err()
            )
        });
        self.check("start_succeeds", r.is_ok(), || {
            format!("{from} could not start with {to}: {r:?}")
        });
        cause
    }

    fn initiate(&mut self, c: usize) {
        let (a, b) = (self.convs[c].a, self.convs[c].b);
        self.convs[c].started = true;
        let both = chance(&mut self.adv, self.faults.simultaneous);
        let (x, y) = if chance(&mut self.adv, 0.5) {
            (a, b)
        } else {
            (b, a)
        };
        let mut flights = Vec::new();
        let cause = self.start(x, y, true);
        let k = 1 + below(&mut self.adv, self.cfg.max_batch);
        self.batch(c, x, y, k, &mut flights);
        let mut cause2 = "none";
        if both {
            self.counts.simultaneous += 1;
            cause2 = self.start(y, x, true);
            let k = 1 + below(&mut self.adv, self.cfg.max_batch);
            self.batch(c, y, x, k, &mut flights);
        }
        // A bundle two rotations old names a signed prekey the peer no
        // longer holds: its first messages cannot be accepted.
        let mut desync = None;
        for cause in [cause, cause2] {
            if cause == "stale_bundle" {
                desync = Some(cause);
            }
        }
        if let Some(cause) = desync {
            for f in &mut flights {
                f.expect_ok = false;
                f.cause = cause;
            }
        }
        let r = self.adversary_and_deliver(c, flights, true, "drop");
        if let Some(cause) = desync {
            self.recover(c, cause);
        } else if let Err(cause) = r {
            self.recover(c, cause);
        }
    }

    /// Party `from` sends `k` messages to `to` (the last may be a mailbox
    /// offer, some attachments).
    fn batch(&mut self, c: usize, from: usize, to: usize, k: usize, out: &mut Vec<Flight>) {
        // A side whose peer's first messages never arrived has no session
        // yet: it starts one, as an application would.
        let has = self.parties[from]
            .account
            .contact(&self.parties[to].handle)
            .is_some_and(|c| c.current().is_some());
        if !has && self.start(from, to, true) == "stale_bundle" {
            // Its first messages name a signed prekey the peer no longer
            // holds: the round is desynchronised, a recovery follows.
            self.convs[c].suspect = Some("stale_bundle");
        }
        for _ in 0..k {
            let offer = chance(&mut self.adv, self.faults.rotate_mailbox);
            if let Some(f) = self.send_one(c, from, to, offer) {
                out.push(f);
            }
        }
    }

    /// Sends one message; `None` if the sender has no session (the
    /// conversation then needs a start).
    fn send_one(&mut self, c: usize, from: usize, to: usize, offer: bool) -> Option<Flight> {
        let m = self.msgs.len();
        let to_handle = self.parties[to].handle;
        let peer_mailbox = *self.parties[to].account.mailbox();
        let mut attachment_file = None;
        let out = if offer {
            let r =
                self.parties[from]
                    .account
                    .offer_mailbox(&to_handle, &peer_mailbox, &mut self.rng);
            if r.is_ok() {
                let contact = self.parties[from].account.contact(&to_handle);
                let newest = contact.and_then(|c| c.mailboxes().first().copied());
                if let Some(mb) = newest {
                    // The oracle checks the mailbox; the serial is the
                    // account's own business.
                    self.contents.insert(
                        m,
                        Content::MailboxUpdate {
                            serial: 0,
                            mailbox: mb,
                        },
                    );
                }
                self.counts.mailbox_updates += 1;
            }
            r
        } else if self.cfg.attachment_every > 0
            && (self.counts.sent + 1).is_multiple_of(self.cfg.attachment_every)
        {
            let len = 16 + (m * 131) % 4000;
            let file = file_of(m, len);
            match attachment::seal(MediaKind::File, &mut self.rng, &file) {
                Ok((pointer, blob)) => {
                    let content = Content::Attachment(pointer);
                    let r = self.parties[from].account.send(
                        &to_handle,
                        &content,
                        &peer_mailbox,
                        &mut self.rng,
                    );
                    if r.is_ok() {
                        self.contents.insert(m, content);
                        attachment_file = Some((blob, len));
                        self.counts.attachments += 1;
                    }
                    r
                }
                Err(e) => {
                    self.check("attachment_seals", false, || format!("{e:?}"));
                    return None;
                }
            }
        } else {
            let r = self.parties[from].account.send(
                &to_handle,
                &text_of(m, from, to),
                &peer_mailbox,
                &mut self.rng,
            );
            if r.is_ok() {
                self.counts.texts += 1;
            }
            r
        };
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                self.check("send_succeeds", false, || {
                    format!("{from} -> {to}: {e:?} (conversation {c})")
                });
                return None;
            }
        };
        if let Some(b) = attachment_file {
            self.blobs.insert(m, b);
        }
        self.msgs.push(Msg { from, to, state: 0 });
        self.counts.sent += 1;
        let mut out = out;
        // The relay refuses a light envelope at a mailbox its owner
        // deleted; the sender resends it sealed.
        if out.mailbox != peer_mailbox && !self.holds(to, &out.mailbox) {
            let from_handle = self.parties[to].handle;
            match self.parties[from].account.resend_sealed(
                &from_handle,
                &out.envelope,
                &peer_mailbox,
                &mut self.rng,
            ) {
                Ok(o) => {
                    self.counts.resent_sealed += 1;
                    out = o;
                }
                Err(e) => self.check("resend_sealed_succeeds", false, || format!("{e:?}")),
            }
        }
        let light = out.mailbox != peer_mailbox;
        self.ev(|| {
            format!(
                "{from} sends m{m} to {to} ({}{})",
                if light { "light" } else { "sealed" },
                if offer { ", mailbox offer" } else { "" }
            )
        });
        Some(Flight {
            to,
            mailbox: out.mailbox,
            bytes: out.envelope,
            kind: Kind::Clean { msg: m },
            expect_ok: true,
            late: false,
            cause: "none",
            from,
            epoch: self.parties[from].epoch,
            to_epoch: self.parties[to].epoch,
            conv_epoch: self.convs[c].epoch,
        })
    }

    /// Whether party `p` holds `mailbox` (published or pairwise): the
    /// relay keeps exactly these.
    fn holds(&self, p: usize, mailbox: &[u8; 16]) -> bool {
        let a = &self.parties[p].account;
        a.mailbox() == mailbox || a.contacts().iter().any(|c| c.mailboxes().contains(mailbox))
    }

    /// The adversary's treatment of a round's envelopes, then delivery.
    /// `Err(cause)` if the conversation needs a recovery: an envelope
    /// expected to be accepted was not (a violation), or a late envelope
    /// revived a rolled-back session.
    fn adversary_and_deliver(
        &mut self,
        c: usize,
        flights: Vec<Flight>,
        hostile: bool,
        drop_cause: &'static str,
    ) -> Result<(), &'static str> {
        let f = self.faults;
        let mut out: Vec<Flight> = Vec::with_capacity(flights.len() + 4);
        for fl in flights {
            if hostile && chance(&mut self.adv, f.tamper) {
                let t = self.tampered(&fl);
                out.push(t);
            }
            if hostile && chance(&mut self.adv, f.misdeliver) {
                let t = self.misdelivered(&fl);
                out.push(t);
            }
            if hostile && chance(&mut self.adv, f.drop) {
                self.counts.dropped += 1;
                *self.counts.lost.entry(drop_cause.into()).or_default() += 1;
                self.ev(|| format!("drop {:?}", fl.kind));
                continue;
            }
            if hostile && chance(&mut self.adv, f.delay) {
                let mut d = fl;
                d.late = true;
                d.expect_ok = false;
                d.cause = "delay";
                self.ev(|| format!("delay {:?}", d.kind));
                self.convs[c].delayed.push(d);
                continue;
            }
            if hostile && chance(&mut self.adv, f.duplicate) {
                out.push(fl.clone());
            }
            out.push(fl);
        }
        if hostile && chance(&mut self.adv, f.replay) && !self.convs[c].history.is_empty() {
            // First messages sit at the front of the history: replay one of
            // them half the time.
            let h = &self.convs[c].history;
            let i = if chance(&mut self.adv, 0.5) {
                0
            } else {
                below(&mut self.adv, h.len())
            };
            let mut r = self.convs[c].history[i].clone();
            r.expect_ok = false;
            r.late = true;
            r.cause = "replay";
            out.push(r);
        }
        // Delayed envelopes of this conversation come out now.
        if hostile && !self.convs[c].delayed.is_empty() && chance(&mut self.adv, 0.5) {
            let late = std::mem::take(&mut self.convs[c].delayed);
            out.extend(late);
        }
        if hostile && chance(&mut self.adv, f.reorder) {
            for i in (1..out.len()).rev() {
                let j = below(&mut self.adv, i + 1);
                out.swap(i, j);
            }
        }
        let mut gone = false;
        for mut fl in out {
            if let Some(cause) = self.convs[c].suspect {
                fl.expect_ok = false;
                fl.cause = cause;
            }
            let expected =
                fl.expect_ok && matches!(fl.kind, Kind::Clean { msg } if self.msgs[msg].state != 1);
            let (kind, from, to) = (fl.kind, fl.from, fl.to);
            let outcome = self.deliver(c, fl);
            gone |= outcome == Delivery::Gone;
            self.loss_explained(expected, outcome, || {
                format!("{kind:?} from {from} to {to}")
            });
        }
        self.sample_exports(c);
        if let Some(cause) = self.convs[c].suspect.take() {
            return Err(cause);
        }
        if gone {
            Err("mailbox_rotation")
        } else {
            Ok(())
        }
    }

    fn tampered(&mut self, fl: &Flight) -> Flight {
        let mut t = fl.clone();
        t.kind = Kind::Tampered {
            msg: match fl.kind {
                Kind::Clean { msg } => msg,
                _ => usize::MAX,
            },
        };
        t.expect_ok = false;
        match below(&mut self.adv, 4) {
            0 if t.bytes.len() > 1 => {
                let cut = 1 + below(&mut self.adv, t.bytes.len() - 1);
                t.bytes.truncate(cut);
            }
            1 => t.bytes.push((self.adv.next_u32() & 0xFF) as u8),
            _ => {
                let at = below(&mut self.adv, t.bytes.len());
                let bit = 1u8 << below(&mut self.adv, 8);
                if let Some(b) = t.bytes.get_mut(at) {
                    *b ^= bit;
                }
            }
        }
        t
    }

    fn misdelivered(&mut self, fl: &Flight) -> Flight {
        let mut t = fl.clone();
        t.kind = Kind::Misdelivered;
        t.expect_ok = false;
        let n = self.parties.len();
        let other = (fl.to + 1 + below(&mut self.adv, n - 1)) % n;
        // Another account's published mailbox, or one of the recipient's
        // own other mailboxes.
        let own: Vec<[u8; 16]> = {
            let a = &self.parties[fl.to].account;
            let mut v = vec![*a.mailbox()];
            for c in a.contacts() {
                v.extend_from_slice(c.mailboxes());
            }
            v.retain(|m| *m != fl.mailbox);
            v
        };
        if !own.is_empty() && chance(&mut self.adv, 0.5) {
            t.mailbox = own[below(&mut self.adv, own.len())];
        } else {
            t.to = other;
            t.mailbox = *self.parties[other].account.mailbox();
        }
        t
    }

    /// The invariant `loss_explained`: a message expected to be accepted
    /// is refused only with a fault to blame (`what` names it otherwise).
    fn loss_explained(&mut self, expected: bool, outcome: Delivery, what: impl FnOnce() -> String) {
        self.check(
            "loss_explained",
            !(expected && outcome == Delivery::Refused),
            || {
                format!(
                    "{} expected accepted, refused with no fault to blame",
                    what()
                )
            },
        );
    }

    /// Delivers one envelope and checks the invariants.
    #[must_use]
    fn deliver(&mut self, c: usize, mut fl: Flight) -> Delivery {
        self.counts.deliveries += 1;
        let to = fl.to;
        // The recipient rotated the pairwise mailbox away while the
        // envelope was in flight (more than MAX_RETIRED_MAILBOXES offers).
        let gone = fl.expect_ok && !self.holds(to, &fl.mailbox);
        if gone {
            fl.expect_ok = false;
            fl.cause = "mailbox_rotation";
        }
        let refused = if gone {
            Delivery::Gone
        } else {
            Delivery::Refused
        };
        let first_time = matches!(fl.kind, Kind::Clean { msg } if self.msgs[msg].state != 1);
        // An export to compare with whenever the delivery may fail.
        let before = if !(first_time && fl.expect_ok) {
            Some(self.parties[to].account.export())
        } else {
            None
        };
        let r = self.parties[to]
            .account
            .receive(&fl.mailbox, &fl.bytes, &mut self.rng);
        self.ev(|| {
            let res = match &r {
                Ok(Receipt::Message(m)) => format!(
                    "accepted (new contact {}, new session {})",
                    m.new_contact, m.new_session
                ),
                Ok(Receipt::IdentityChanged { .. }) => "IdentityChanged".into(),
                Err(e) => format!("rejected {e:?}"),
            };
            format!(
                "deliver {:?}{} to {to}: {res}",
                fl.kind,
                if fl.late { " (late)" } else { "" }
            )
        });
        let category = match fl.kind {
            Kind::Clean { .. } if first_time => {
                if fl.late {
                    "late"
                } else {
                    "lost"
                }
            }
            Kind::Clean { .. } if fl.late => "replayed",
            Kind::Clean { .. } => "duplicate",
            Kind::Tampered { .. } => "tampered",
            Kind::Misdelivered => "misdelivered",
            Kind::Impostor { .. } => "impostor",
        };
        match r {
            Ok(Receipt::Message(received)) => {
                let ok = match fl.kind {
                    Kind::Clean { msg } => self.accepted(c, &fl, msg, &received),
                    _ => false,
                };
                let what = category;
                self.check(
                    "hostile_rejected",
                    ok || !matches!(fl.kind, Kind::Tampered { .. } | Kind::Misdelivered),
                    || format!("{what} envelope accepted by {to}"),
                );
                if let Kind::Impostor { claimed } = fl.kind {
                    self.check("impostor_refused", false, || {
                        format!("impostor for {claimed} accepted by {to}")
                    });
                }
                if ok {
                    Delivery::Accepted
                } else {
                    Delivery::Refused
                }
            }
            Ok(Receipt::IdentityChanged { pinned, offered }) => {
                let unchanged = before
                    .as_ref()
                    .is_some_and(|b| **b == *self.parties[to].account.export());
                self.counts.state_checks += 1;
                self.check("unchanged_on_failure", unchanged, || {
                    format!("IdentityChanged changed account {to}")
                });
                match fl.kind {
                    Kind::Impostor { claimed } => {
                        let real = self.parties[claimed].account.identity().public().clone();
                        let good = pinned == real && offered != real;
                        self.check("impostor_refused", good, || {
                            format!("IdentityChanged with wrong identities at {to}")
                        });
                        self.counts.impostor_identity_changed += 1;
                    }
                    _ => self.check("hostile_rejected", false, || {
                        format!("{category} envelope gave IdentityChanged at {to}")
                    }),
                }
                refused
            }
            Err(e) => {
                let after = self.parties[to].account.export();
                let unchanged = before.as_ref().is_none_or(|b| **b == *after);
                if before.is_some() {
                    self.counts.state_checks += 1;
                }
                self.check("unchanged_on_failure", unchanged, || {
                    format!("rejected {category} envelope ({e:?}) changed account {to}")
                });
                let kind = e.kind();
                *self
                    .counts
                    .rejected
                    .entry(category.into())
                    .or_default()
                    .entry(kind_name(&e))
                    .or_default() += 1;
                match fl.kind {
                    Kind::Clean { msg } if first_time => {
                        if fl.late {
                            *self.counts.rejected_late.entry(kind_name(&e)).or_default() += 1;
                        } else {
                            let from = self.msgs[msg].from;
                            self.check("in_bounds_accepted", !fl.expect_ok, || {
                                format!("in-bounds message {msg} ({from} -> {to}) rejected: {e:?}")
                            });
                        }
                        // A rolled-back message was counted when first
                        // accepted.
                        if self.msgs[msg].state == 0 {
                            *self.counts.lost.entry(fl.cause.into()).or_default() += 1;
                        }
                    }
                    Kind::Impostor { .. } => {}
                    // A copy of an accepted message changed in its body:
                    // the header still decrypts and names a used key.
                    Kind::Tampered { msg }
                        if kind == Error::Replay
                            && self.msgs.get(msg).is_some_and(|m| m.state == 1) => {}
                    _ => self.check("hostile_rejected", allowed(category, kind), || {
                        format!("{category} envelope rejected with undocumented kind {e:?}")
                    }),
                }
                refused
            }
        }
    }

    /// Checks an accepted message against the oracle.
    fn accepted(&mut self, c: usize, fl: &Flight, msg: usize, r: &xchat::Received) -> bool {
        let (from, to, state) = (self.msgs[msg].from, self.msgs[msg].to, self.msgs[msg].state);
        let real = self.parties[from].account.identity().public();
        let sender_ok = fl.to == to && r.sender == *real;
        let expected = match self.contents.get(&msg) {
            Some(Content::MailboxUpdate { mailbox, .. }) => {
                matches!(r.content, Content::MailboxUpdate { mailbox: got, .. } if got == *mailbox)
            }
            Some(other) => r.content == *other,
            None => r.content == text_of(msg, from, to),
        };
        self.check("accepted_correct", sender_ok && expected, || {
            format!(
                "message {msg} ({from} -> {to}) accepted by {} with the wrong sender or content",
                fl.to
            )
        });
        self.check("exactly_once", state != 1, || {
            format!("message {msg} ({from} -> {to}) accepted twice")
        });
        if let Content::Attachment(p) = &r.content {
            self.open_blob(msg, p);
        }
        if state == 2 {
            self.counts.reaccepted_after_restore += 1;
        } else if fl.late {
            self.counts.accepted_late += 1;
        } else {
            self.counts.accepted += 1;
        }
        // A late envelope sent before a restore of either side: the
        // session it opened becomes current at the receiver (R5) though
        // one side has rolled it back.
        if fl.late
            && (fl.epoch != self.parties[fl.from].epoch || fl.to_epoch != self.parties[to].epoch)
        {
            self.convs[c].suspect = Some("late_after_restore");
            self.ev(|| "  a session rolled back by a restore is current again".into());
        } else if fl.late && fl.conv_epoch != self.convs[c].epoch {
            // A late envelope of a session a recovery replaced (one broken
            // in one direction, e.g. beyond MAX_SKIP): R5 makes it current
            // again at the receiver.
            self.convs[c].suspect = Some("late_revives_replaced_session");
            self.ev(|| "  a session replaced by a re-key is current again".into());
        }
        self.msgs[msg].state = 1;
        let round = self.round;
        self.parties[to].accepted.push((round, msg));
        let conv = &mut self.convs[c];
        if !fl.late && (fl.from, to) == (conv.a, conv.b) {
            conv.heard[1] = true;
        }
        if !fl.late && (fl.from, to) == (conv.b, conv.a) {
            conv.heard[0] = true;
        }
        conv.established |= conv.heard == [true, true];
        if conv.history.len() < HISTORY {
            conv.history.push(fl.clone());
        } else {
            let last = HISTORY - 1;
            conv.history[last] = fl.clone();
        }
        sender_ok && expected
    }

    /// Fetches an attachment's blob from the relay (once tampered, which
    /// must fail) and opens it.
    fn open_blob(&mut self, msg: usize, p: &AttachmentPointer) {
        let Some((blob, len)) = self.blobs.remove(&msg) else {
            return;
        };
        if chance(&mut self.adv, self.faults.tamper * 10.0) {
            let mut bad = blob.clone();
            let at = below(&mut self.adv, bad.len());
            bad[at] ^= 1;
            let r = attachment::open(p, &bad);
            self.check("hostile_rejected", r.is_err(), || {
                format!("tampered blob of {msg} opened")
            });
            self.counts.blobs_tampered_rejected += u64::from(r.is_err());
        }
        let r = attachment::open(p, &blob);
        let good = matches!(&r, Ok(f) if *f == file_of(msg, len));
        self.check("accepted_correct", good, || {
            format!("attachment {msg} did not open to its file: {:?}", r.err())
        });
        self.counts.blobs_opened += 1;
    }

    fn sample_exports(&mut self, c: usize) {
        for p in [self.convs[c].a, self.convs[c].b] {
            let len = self.parties[p].account.export().len() as u64;
            let party = &mut self.parties[p];
            party.max_export = party.max_export.max(len);
            let max_skipped = party
                .account
                .contacts()
                .iter()
                .flat_map(|c| c.sessions().iter().map(|s| s.skipped_keys()))
                .max()
                .unwrap_or(0);
            self.counts.max_skipped_keys = self.counts.max_skipped_keys.max(max_skipped as u64);
            self.check("skipped_bounded", max_skipped <= MAX_SKIPPED_TOTAL, || {
                format!("{max_skipped} skipped keys in one session of {p}")
            });
        }
    }

    fn rotate_prekey(&mut self, p: usize) {
        self.parties[p].account.rotate_signed_prekey(&mut self.rng);
        let b = bundle_bytes(&self.parties[p].account, None);
        self.parties[p].old_bundles.push(b);
        if self.parties[p].old_bundles.len() > 4 {
            self.parties[p].old_bundles.remove(0);
        }
        self.counts.prekey_rotations += 1;
        self.ev(|| format!("{p} rotates its signed prekey"));
    }

    /// An impostor with `b`'s handle writes to `a` (if `a` pinned `b`), and
    /// the directory offers `a` the impostor's bundle for `b`.
    fn impostor(&mut self, a: usize, b: usize) {
        let handle = self.parties[b].handle;
        if self.parties[a].account.contact(&handle).is_none() {
            return;
        }
        let mut store = PrekeyStore::generate(1, &mut self.rng);
        store.add_pq_prekey(bundle::generate_pq_prekey(
            PQ_ID,
            PqKind::LastResort,
            &mut self.rng,
        ));
        let eve_id = identity::generate(handle, &mut self.rng);
        let eve_bundle = bundle::make_bundle(&eve_id, &store, None, PQ_ID).and_then(|x| x.verify());
        let mut eve = Account::new(eve_id, store, [0xEE; 16]);
        // The directory serves Eve's bundle for a pinned handle.
        if let Ok(eb) = &eve_bundle {
            let before = self.parties[a].account.export();
            let r = self.parties[a].account.start(&handle, eb, &mut self.rng);
            let refused = matches!(r, Err(StartError::IdentityChanged { .. }));
            let unchanged = *before == *self.parties[a].account.export();
            self.check("impostor_refused", refused && unchanged, || {
                format!("{a} started with an impostor's bundle for {b}: {r:?}")
            });
            self.counts.impostor_start_refused += u64::from(refused);
        }
        // Eve writes to a.
        let (a_bundle, _) = self.directory(a, false);
        let a_handle = self.parties[a].handle;
        if eve.start(&a_handle, &a_bundle, &mut self.rng).is_err() {
            return;
        }
        let a_mailbox = *self.parties[a].account.mailbox();
        let text = Content::Text(format!("it is {b}, new phone"));
        if let Ok(out) = eve.send(&a_handle, &text, &a_mailbox, &mut self.rng) {
            let c = self
                .convs
                .iter()
                .position(|c| (c.a, c.b) == (a.min(b), a.max(b)))
                .unwrap_or(0);
            let f = Flight {
                to: a,
                mailbox: out.mailbox,
                bytes: out.envelope,
                kind: Kind::Impostor { claimed: b },
                expect_ok: false,
                late: false,
                cause: "impostor",
                from: b,
                epoch: self.parties[b].epoch,
                to_epoch: self.parties[a].epoch,
                conv_epoch: 0,
            };
            let _ = self.deliver(c, f);
        }
    }

    /// Restores party `p` from its oldest snapshot; returns whether it did
    /// (then every conversation of `p` is checked for recovery).
    fn restore(&mut self, p: usize) -> bool {
        let Some((at, bytes)) = self.parties[p].snapshots.front() else {
            return false;
        };
        let at = *at;
        let restored = match Account::import(bytes) {
            Ok(a) => a,
            Err(e) => {
                self.check("restore_imports", false, || format!("{e:?}"));
                return false;
            }
        };
        self.parties[p].account = restored;
        self.parties[p].epoch += 1;
        self.counts.restores += 1;
        self.ev(|| format!("{p} restored from its export of round {at}"));
        // Acceptances after the snapshot are rolled back.
        let party = &mut self.parties[p];
        let keep = party.accepted.partition_point(|(r, _)| *r < at);
        for (_, m) in party.accepted.drain(keep..) {
            self.msgs[m].state = 2;
        }
        party.snapshots.clear();
        // The directory republishes the restored store's bundle.
        let current = bundle_bytes(&party.account, None);
        party.old_bundles = vec![current];
        for c in 0..self.convs.len() {
            let conv = &self.convs[c];
            if conv.started && (conv.a == p || conv.b == p) {
                self.recover(c, "restore");
            }
        }
        true
    }

    /// The flood: `n` messages of which only the last is delivered.
    fn flood(&mut self, c: usize, n: usize, cause: &'static str) {
        let (a, b) = (self.convs[c].a, self.convs[c].b);
        let (x, y) = if chance(&mut self.adv, 0.5) {
            (a, b)
        } else {
            (b, a)
        };
        let mut last = None;
        for _ in 0..n {
            if let Some(f) = self.send_one(c, x, y, false) {
                if last.is_some() {
                    self.counts.dropped += 1;
                    *self.counts.lost.entry(cause.into()).or_default() += 1;
                }
                last = Some(f);
            }
        }
        let Some(mut f) = last else { return };
        if n > MAX_SKIP {
            f.expect_ok = false;
            f.cause = cause;
        }
        let to = f.to;
        let before = self.parties[to].account.export();
        let bytes = f.bytes.clone();
        let mailbox = f.mailbox;
        if n > MAX_SKIP {
            // Expect exactly TooManySkipped, state unchanged.
            let r = self.parties[to]
                .account
                .receive(&mailbox, &bytes, &mut self.rng);
            let unchanged = *before == *self.parties[to].account.export();
            self.counts.state_checks += 1;
            let too_many = matches!(&r, Err(e) if e.kind() == Error::TooManySkipped);
            self.check("beyond_skip_rejected", too_many && unchanged, || {
                format!("beyond MAX_SKIP from {x} to {y}: {r:?}, unchanged {unchanged}")
            });
            self.counts.beyond_skip_rejected += u64::from(too_many);
            *self.counts.lost.entry(cause.into()).or_default() += 1;
            self.sample_exports(c);
            self.recover(c, cause);
        } else {
            self.counts.floods += 1;
            let expected = f.expect_ok;
            let outcome = self.deliver(c, f);
            self.sample_exports(c);
            self.loss_explained(expected, outcome, || {
                format!("the last of a flood from {x} to {y}")
            });
            match outcome {
                Delivery::Accepted => {}
                Delivery::Gone => self.recover(c, "mailbox_rotation"),
                Delivery::Refused => self.recover(c, "flood"),
            }
        }
    }

    /// Both sides send one message per round, delivered cleanly, until both
    /// are accepted in one round. A side that received nothing from the
    /// other in a round starts a fresh session to it from the second round
    /// on (the application's re-key, through the hostile directory); from
    /// the fourth, both sides re-key with an honest directory lookup.
    fn recover(&mut self, c: usize, cause: &'static str) {
        let (a, b) = (self.convs[c].a, self.convs[c].b);
        self.ev(|| format!("recovery of {a} - {b} after {cause}"));
        for round in 1..=MAX_RECOVERY_ROUNDS {
            let mut ok = [true, true];
            for (i, (x, y)) in [(a, b), (b, a)].into_iter().enumerate() {
                let has = self.parties[x]
                    .account
                    .contact(&self.parties[y].handle)
                    .is_some_and(|c| c.current().is_some());
                if !has {
                    self.start(x, y, true);
                    self.convs[c].epoch += 1;
                    self.counts.restarts += 1;
                }
                let Some(mut f) = self.send_one(c, x, y, false) else {
                    ok[i] = false;
                    continue;
                };
                f.expect_ok = false;
                f.cause = cause;
                ok[i] = self.deliver(c, f) == Delivery::Accepted;
            }
            if ok == [true, true] {
                let e = self.counts.recoveries.entry(cause.into()).or_default();
                e.0 += 1;
                e.1 += round;
                e.2 = e.2.max(round);
                self.convs[c].established = true;
                return;
            }
            if round >= 4 {
                // Still broken: the users notice and both re-key. Needed
                // when one side's pending initiator session names a
                // prekey the other no longer holds and keeps winning the
                // tie-break of SPEC.md section 15.4 (REQ-ROUTE-004).
                if round == 4 {
                    *self.counts.rekey_both.entry(cause.into()).or_default() += 1;
                    self.ev(|| "both sides re-key".into());
                }
                self.start(a, b, false);
                self.start(b, a, false);
                self.convs[c].epoch += 1;
                self.counts.restarts += 2;
            } else if round >= 2 {
                // y did not get x's message: y re-keys towards x.
                if !ok[0] {
                    self.start(b, a, true);
                    self.convs[c].epoch += 1;
                    self.counts.restarts += 1;
                }
                if !ok[1] {
                    self.start(a, b, true);
                    self.convs[c].epoch += 1;
                    self.counts.restarts += 1;
                }
            }
        }
        let first = self.first;
        self.check("recovers", false, || {
            format!(
                "conversation u{} - u{} still broken {MAX_RECOVERY_ROUNDS} rounds after {cause}",
                first + a,
                first + b
            )
        });
    }
}

/// The encoded bundle of `account` (signed prekey, `opk`, PQ last resort).
fn bundle_bytes(account: &Account, opk: Option<u32>) -> Vec<u8> {
    match bundle::make_bundle(account.identity(), account.store(), opk, PQ_ID) {
        Ok(b) => bundle::encode(&b),
        Err(e) => unreachable_bundle(e),
    }
}

/// The simulator builds every bundle from a store holding its prekeys; a
/// failure is a bug of the simulator, reported loudly.
#[allow(clippy::panic)]
fn unreachable_bundle(e: Error) -> ! {
    panic!("simulator bug: a bundle of its own store failed: {e:?}")
}

#[allow(clippy::panic)]
fn unreachable_handle() -> Handle {
    panic!("simulator bug: generated handle not canonical")
}
