//! The CI simulation (issue 13, part 1): about 10^4 messages through the
//! hostile relay, with every fault raised so that each one happens, run
//! twice (on pools of one and two threads) and compared: the same seed gives
//! the same report.

use std::sync::atomic::AtomicU64;

use xchat_sim::group::{FLOOD_MARGIN, MAX_SKIP, MAX_SKIPPED_TOTAL};
use xchat_sim::{run, Config, Faults, Report};

fn config() -> Config {
    let mut c = Config::new(0x13, 10_000);
    c.group_size = 10;
    c.faults = Faults {
        restore: 0.02,
        flood: 0.01,
        beyond_skip: 0.01,
        impostor: 0.02,
        rotate_mailbox: 0.05,
        rotate_prekey: 0.05,
        ..Faults::DEFAULT
    };
    c
}

fn run_on(threads: usize) -> Report {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| run(&config(), &AtomicU64::new(0)))
}

#[test]
fn ten_thousand_messages_every_invariant_holds_and_the_report_is_deterministic() {
    let one = run_on(1);
    let two = run_on(2);
    assert_eq!(one.counts, two.counts, "same seed, same counts");
    assert_eq!(one.violations, two.violations);
    assert!(one.passed(), "violations: {:#?}", one.violations);
    let c = &one.counts;
    // The budget is reached (the last round of a group may overshoot).
    assert!(c.sent >= 10_000 && c.sent < 40_000, "{}", c.sent);
    assert_eq!(c.sent, c.texts + c.attachments + c.mailbox_updates);
    // Every invariant was checked, none failed.
    for inv in [
        "accepted_correct",
        "exactly_once",
        "in_bounds_accepted",
        "loss_explained",
        "hostile_rejected",
        "unchanged_on_failure",
        "impostor_refused",
        "skipped_bounded",
        "beyond_skip_rejected",
        "start_succeeds",
    ] {
        assert!(
            c.checks.get(inv).copied().unwrap_or(0) > 0,
            "{inv} never checked"
        );
    }
    assert!(c.failures.is_empty(), "{:?}", c.failures);
    // Every fault happened.
    assert!(c.dropped > 0 && c.restores > 0 && c.floods > 0);
    assert!(c.beyond_skip_rejected > 0 && c.impostor_identity_changed > 0);
    assert!(c.impostor_start_refused > 0 && c.simultaneous > 0);
    assert!(c.stale_bundles > 0 && c.withheld_opk > 0 && c.prekey_rotations > 0);
    assert!(c.mailbox_updates > 0 && c.attachments > 0 && c.blobs_opened > 0);
    assert!(c.accepted_late > 0, "delayed envelopes accepted later");
    for cat in ["tampered", "misdelivered", "replayed", "duplicate"] {
        let n: u64 = c.rejected.get(cat).map_or(0, |k| k.values().sum());
        assert!(n > 0, "no {cat} envelope rejected");
    }
    // A flood of MAX_SKIP - FLOOD_MARGIN messages of which only the last
    // arrives leaves one fewer skipped keys in one session, never more
    // than MAX_SKIPPED_TOTAL.
    assert!(c.max_skipped_keys >= (MAX_SKIP - FLOOD_MARGIN - 1) as u64);
    assert!(c.max_skipped_keys <= MAX_SKIPPED_TOTAL as u64);
    // Every conversation a fault broke recovered.
    assert!(c.recoveries.contains_key("restore"));
    assert!(c.recoveries.contains_key("beyond_skip"));
    // Every message sent is accounted for exactly once: accepted in its
    // round (or in a recovery), accepted late, or lost to a named fault.
    let lost: u64 = c.lost.values().sum();
    assert_eq!(c.accepted + c.accepted_late + lost, c.sent, "{:?}", c.lost);
    assert!(c.lost.contains_key("drop") && c.lost.contains_key("flood"));
    // The JSON report carries the same figures.
    let j = one.to_json(serde_json::json!({}));
    assert_eq!(j["counts"]["sent"], c.sent);
    assert_eq!(j["passed"], true);
}

/// The schedules that failed while the simulator was written, shrunk
/// (group, rounds), rerun: each exposed an oracle that expected too much
/// (a one-time prekey served twice, a mailbox rotated away while its
/// envelopes were in flight, a late envelope reviving a session a restore
/// or a re-key abandoned, a pending session winning the tie-break); they
/// must hold now, and keep holding.
#[test]
fn earlier_failing_schedules_hold() {
    let raised = Faults {
        restore: 0.02,
        flood: 0.01,
        beyond_skip: 0.005,
        impostor: 0.02,
        rotate_mailbox: 0.05,
        rotate_prekey: 0.05,
        ..Faults::DEFAULT
    };
    let progress = AtomicU64::new(0);
    // (seed, messages, faults, group, rounds)
    let cases = [
        (19, 10_000, raised, 18, 56),
        (19, 20_000, raised, 0, 95),
        (1, 20_000, raised, 3, 33),
        (2, 20_000, raised, 19, 58),
        (3, 20_000, raised, 7, 15),
        (1, 1_000_000, Faults::DEFAULT, 3, 1772),
    ];
    for (seed, messages, faults, g, rounds) in cases {
        let mut c = Config::new(seed, messages);
        c.faults = faults;
        let accounts = c.groups()[g];
        let r = xchat_sim::run_group(
            &c,
            xchat_sim::group_seed(seed, g),
            accounts,
            u64::MAX,
            rounds,
            faults,
            &progress,
        );
        assert!(
            r.violations.is_empty(),
            "seed {seed} group {g}: {:?}",
            r.violations
        );
        assert_eq!(r.counts.rounds, rounds);
    }
}

/// The two "unexpected losses" of the million-message run on `dcfaf7e`,
/// shrunk to the first (seed 1, group 0, 3,612 rounds): a clean light
/// envelope posted to a pairwise mailbox that its owner then rotated away
/// for the third time in the same round (the sender had missed the two
/// offers before), so the relay deleted the mailbox with the envelope in
/// it. That is the grace window of SPEC.md section 16 working as written,
/// not a protocol fault: the loss is now blamed on `mailbox_rotation`, the
/// conversation recovers in one round (the sender's next post finds the
/// mailbox gone and resends sealed), and a loss with no fault to blame is
/// the violation `loss_explained`.
#[test]
fn mailbox_deleted_under_envelope_in_flight_is_an_explained_loss() {
    let c = Config::new(1, 1_000_000);
    let progress = AtomicU64::new(0);
    let r = xchat_sim::run_group(
        &c,
        xchat_sim::group_seed(1, 0),
        c.groups()[0],
        u64::MAX,
        3_612,
        c.faults,
        &progress,
    );
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert_eq!(r.counts.lost.get("mailbox_rotation"), Some(&1));
    // (count, total rounds, max rounds)
    assert_eq!(
        r.counts.recoveries.get("mailbox_rotation"),
        Some(&(1, 1, 1))
    );
    assert!(r.counts.checks["loss_explained"] > 0);
    assert!(!r.counts.recoveries.contains_key("unexpected_loss"));
}
