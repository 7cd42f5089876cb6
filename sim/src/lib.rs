//! A deterministic, seeded simulation of many [`xchat::Account`]s talking
//! through an in-process relay and directory that an adversary controls
//! (issue 13, part 1).
//!
//! The accounts are split into independent *groups* (a random contact graph
//! inside each group); each group is simulated on its own from a seed
//! derived from the run's seed and the group's index, so a run is the same
//! whether the groups run on one thread or on a rayon pool, and any failure
//! reproduces from `(seed, group)` alone.
//!
//! Every event is checked against an oracle that knows what was sent (see
//! [`group`] for the invariants and the fault model). [`run`] returns a
//! [`Report`]; its deterministic part ([`Report::counts`]) is the same for
//! the same [`Config`].

#![forbid(unsafe_code)]

pub mod group;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde_json::{json, Value};

pub use group::{Counts, GroupResult, Violation};

/// Fault rates of a run (probabilities in `[0, 1]`; see [`group`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Faults {
    /// Per envelope: not delivered.
    pub drop: f64,
    /// Per envelope: delivered twice.
    pub duplicate: f64,
    /// Per round: the round's envelopes are shuffled.
    pub reorder: f64,
    /// Per envelope: held back and delivered in a later round of the
    /// conversation (after whatever rotations happen in between).
    pub delay: f64,
    /// Per envelope: a copy with one byte flipped (or cut) is delivered too.
    pub tamper: f64,
    /// Per envelope: a copy is delivered at another mailbox (of the
    /// recipient or of another account).
    pub misdeliver: f64,
    /// Per round: an envelope the recipient already accepted (a first
    /// message, when there is one) is delivered again.
    pub replay: f64,
    /// Per round: one party rotates its signed prekey.
    pub rotate_prekey: f64,
    /// Per message: the sender offers a fresh pairwise mailbox instead.
    pub rotate_mailbox: f64,
    /// Per initiation: the directory serves the bundle without a one-time
    /// prekey.
    pub withhold_opk: f64,
    /// Per initiation: the directory serves an old bundle (one or two
    /// signed-prekey rotations old).
    pub stale_bundle: f64,
    /// Per round: an impostor identity for a contact's handle writes to
    /// the party, and the directory offers it the impostor's bundle.
    pub impostor: f64,
    /// Per round: a party is restored from an older export.
    pub restore: f64,
    /// Per round: the sender floods MAX_SKIP messages of which only the
    /// last is delivered (skipped keys pile up to MAX_SKIPPED_TOTAL).
    pub flood: f64,
    /// Per round: the sender sends MAX_SKIP + 2 messages of which only the
    /// last is delivered (beyond MAX_SKIP: TooManySkipped).
    pub beyond_skip: f64,
    /// Per initiation: both parties start at once.
    pub simultaneous: f64,
}

impl Faults {
    /// The rates of the documented runs.
    pub const DEFAULT: Faults = Faults {
        drop: 0.02,
        duplicate: 0.02,
        reorder: 0.3,
        delay: 0.01,
        tamper: 0.02,
        misdeliver: 0.01,
        replay: 0.05,
        rotate_prekey: 0.01,
        rotate_mailbox: 0.01,
        withhold_opk: 0.3,
        stale_bundle: 0.2,
        impostor: 0.005,
        restore: 0.003,
        flood: 0.001,
        beyond_skip: 0.001,
        simultaneous: 0.3,
    };

    /// No faults at all.
    pub const NONE: Faults = Faults {
        drop: 0.0,
        duplicate: 0.0,
        reorder: 0.0,
        delay: 0.0,
        tamper: 0.0,
        misdeliver: 0.0,
        replay: 0.0,
        rotate_prekey: 0.0,
        rotate_mailbox: 0.0,
        withhold_opk: 0.0,
        stale_bundle: 0.0,
        impostor: 0.0,
        restore: 0.0,
        flood: 0.0,
        beyond_skip: 0.0,
        simultaneous: 0.0,
    };

    /// The faults by name, for shrinking and the report.
    pub fn named(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("drop", self.drop),
            ("duplicate", self.duplicate),
            ("reorder", self.reorder),
            ("delay", self.delay),
            ("tamper", self.tamper),
            ("misdeliver", self.misdeliver),
            ("replay", self.replay),
            ("rotate_prekey", self.rotate_prekey),
            ("rotate_mailbox", self.rotate_mailbox),
            ("withhold_opk", self.withhold_opk),
            ("stale_bundle", self.stale_bundle),
            ("impostor", self.impostor),
            ("restore", self.restore),
            ("flood", self.flood),
            ("beyond_skip", self.beyond_skip),
            ("simultaneous", self.simultaneous),
        ]
    }

    /// The same rates with fault `name` off.
    pub fn without(&self, name: &str) -> Faults {
        self.set(name, 0.0).unwrap_or(*self)
    }

    /// The same rates with fault `name` at `rate`; `None` for an unknown
    /// name.
    pub fn set(&self, name: &str, rate: f64) -> Option<Faults> {
        let mut f = *self;
        let slot = match name {
            "drop" => &mut f.drop,
            "duplicate" => &mut f.duplicate,
            "reorder" => &mut f.reorder,
            "delay" => &mut f.delay,
            "tamper" => &mut f.tamper,
            "misdeliver" => &mut f.misdeliver,
            "replay" => &mut f.replay,
            "rotate_prekey" => &mut f.rotate_prekey,
            "rotate_mailbox" => &mut f.rotate_mailbox,
            "withhold_opk" => &mut f.withhold_opk,
            "stale_bundle" => &mut f.stale_bundle,
            "impostor" => &mut f.impostor,
            "restore" => &mut f.restore,
            "flood" => &mut f.flood,
            "beyond_skip" => &mut f.beyond_skip,
            "simultaneous" => &mut f.simultaneous,
            _ => return None,
        };
        *slot = rate;
        Some(f)
    }
}

/// A run's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// The run's seed; group `g` runs on a seed derived from it and `g`.
    pub seed: u64,
    /// Number of accounts (the last group takes the remainder).
    pub accounts: usize,
    /// Accounts per group (a group is one random contact graph).
    pub group_size: usize,
    /// Messages to send in all (texts, attachments and mailbox updates,
    /// flood messages included), split evenly over the groups.
    pub messages: u64,
    /// Largest number of messages one side sends in one round.
    pub max_batch: usize,
    /// Every this many messages one is an attachment.
    pub attachment_every: u64,
    /// The fault rates.
    pub faults: Faults,
}

impl Config {
    /// A small run: 100 accounts, `messages` messages, default faults.
    pub fn new(seed: u64, messages: u64) -> Config {
        Config {
            seed,
            accounts: 100,
            group_size: 5,
            messages,
            max_batch: 12,
            attachment_every: 20,
            faults: Faults::DEFAULT,
        }
    }

    /// The groups: `(first account index, size)`.
    pub fn groups(&self) -> Vec<(usize, usize)> {
        let size = self.group_size.max(2);
        let mut out = Vec::new();
        let mut first = 0;
        while first < self.accounts {
            let n = size.min(self.accounts - first);
            if n < 2 {
                // A lone last account joins the previous group.
                if let Some(last) = out.last_mut() {
                    let (_, m): &mut (usize, usize) = last;
                    *m += n;
                }
                break;
            }
            out.push((first, n));
            first += n;
        }
        out
    }
}

/// A failure shrunk to a short schedule: rerun it with [`run_group`].
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The group's index in the run (its seed derives from the run's).
    pub group: usize,
    /// The group's seed.
    pub group_seed: u64,
    /// The group's first account and size.
    pub accounts: (usize, usize),
    /// The rounds needed to reproduce it.
    pub rounds: u64,
    /// The faults still needed (the others switched off).
    pub faults: Faults,
    /// The violation the shrunk schedule shows.
    pub violation: Violation,
    /// The shrunk schedule's events, up to the violation's round.
    pub events: Vec<String>,
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Report {
    /// The run's configuration.
    pub config: Config,
    /// The deterministic counts (summed over the groups in group order).
    pub counts: Counts,
    /// Every violation, with its group.
    pub violations: Vec<(usize, Violation)>,
    /// The first failing group's violation, shrunk.
    pub shrunk: Option<Shrunk>,
    /// Wall time of the simulation (not deterministic).
    pub seconds: f64,
}

impl Report {
    /// Whether every invariant held.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    /// Messages sent per second of wall time.
    pub fn messages_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.counts.sent as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// The report as JSON (`extra` is merged in at the top level: the
    /// binary adds its allocator's figures).
    pub fn to_json(&self, extra: Value) -> Value {
        let c = &self.config;
        let faults: BTreeMap<&str, f64> = c.faults.named().into_iter().collect();
        let mut v = json!({
            "passed": self.passed(),
            "config": {
                "seed": c.seed,
                "accounts": c.accounts,
                "group_size": c.group_size,
                "groups": c.groups().len(),
                "messages": c.messages,
                "max_batch": c.max_batch,
                "attachment_every": c.attachment_every,
                "faults": faults,
            },
            "seconds": self.seconds,
            "messages_per_second": self.messages_per_second(),
            "counts": self.counts.to_json(),
            "violations": self.violations.iter().map(|(g, v)| json!({
                "group": g, "round": v.round, "invariant": v.invariant, "detail": v.detail,
            })).collect::<Vec<_>>(),
            "shrunk": self.shrunk.as_ref().map(|s| json!({
                "group": s.group,
                "group_seed": s.group_seed,
                "accounts": [s.accounts.0, s.accounts.1],
                "rounds": s.rounds,
                "faults": s.faults.named().into_iter().filter(|(_, r)| *r > 0.0)
                    .collect::<BTreeMap<_, _>>(),
                "violation": {"round": s.violation.round, "invariant": s.violation.invariant,
                              "detail": s.violation.detail},
                "events": s.events,
            })),
        });
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
            obj.extend(more);
        }
        v
    }
}

/// The seed of group `g` of a run with seed `seed` (SplitMix64 of both).
pub fn group_seed(seed: u64, g: usize) -> u64 {
    let mut z = seed ^ (g as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs one group: `accounts` = (first account index, size), `messages`
/// its budget, at most `max_rounds` rounds. `progress` counts messages
/// sent (for a progress display).
pub fn run_group(
    config: &Config,
    group_seed: u64,
    accounts: (usize, usize),
    messages: u64,
    max_rounds: u64,
    faults: Faults,
    progress: &AtomicU64,
) -> GroupResult {
    let mut g = group::Group::new(config, group_seed, accounts, faults);
    g.run(messages, max_rounds, progress)
}

/// [`run_group`] with its event log.
pub fn trace_group(
    config: &Config,
    group_seed: u64,
    accounts: (usize, usize),
    max_rounds: u64,
    faults: Faults,
) -> (GroupResult, Vec<String>) {
    let mut g = group::Group::new(config, group_seed, accounts, faults).tracing();
    let r = g.run(u64::MAX, max_rounds, &AtomicU64::new(0));
    (r, g.events().to_vec())
}

/// Runs the simulation on the current rayon pool. `progress` counts the
/// messages sent so far.
pub fn run(config: &Config, progress: &AtomicU64) -> Report {
    let start = Instant::now();
    let groups = config.groups();
    let n = groups.len().max(1) as u64;
    let per_group = config.messages / n;
    let extra = config.messages % n;
    let results: Vec<GroupResult> = groups
        .par_iter()
        .enumerate()
        .map(|(g, &accounts)| {
            let budget = per_group + u64::from((g as u64) < extra);
            run_group(
                config,
                group_seed(config.seed, g),
                accounts,
                budget,
                u64::MAX,
                config.faults,
                progress,
            )
        })
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    let mut counts = Counts::default();
    let mut violations = Vec::new();
    for (g, r) in results.iter().enumerate() {
        counts.add(&r.counts);
        violations.extend(r.violations.iter().map(|v| (g, v.clone())));
    }
    let shrunk = violations
        .first()
        .map(|(g, v)| shrink(config, *g, groups[*g], v.clone()));
    Report {
        config: *config,
        counts,
        violations,
        shrunk,
        seconds,
    }
}

/// Shrinks a group's failure: the fewest rounds that still fail (the run is
/// deterministic, so the failing round's prefix fails), then every fault
/// whose removal keeps some violation is switched off.
pub fn shrink(config: &Config, g: usize, accounts: (usize, usize), first: Violation) -> Shrunk {
    let seed = group_seed(config.seed, g);
    let quiet = AtomicU64::new(0);
    let fails = |rounds: u64, faults: Faults| -> Option<Violation> {
        run_group(config, seed, accounts, u64::MAX, rounds, faults, &quiet)
            .violations
            .into_iter()
            .next()
    };
    let mut rounds = first.round + 1;
    let mut faults = config.faults;
    let mut violation = first;
    for (name, rate) in config.faults.named() {
        if rate == 0.0 {
            continue;
        }
        let fewer = faults.without(name);
        if let Some(v) = fails(rounds, fewer) {
            faults = fewer;
            rounds = v.round + 1;
            violation = v;
        }
    }
    // The shortest prefix of the final schedule.
    if let Some(v) = fails(rounds, faults) {
        rounds = v.round + 1;
        violation = v;
    }
    quiet.load(Ordering::Relaxed);
    let (_, events) = trace_group(config, seed, accounts, rounds, faults);
    Shrunk {
        group: g,
        group_seed: seed,
        accounts,
        rounds,
        faults,
        violation,
        events,
    }
}
