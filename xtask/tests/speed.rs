//! The timing harness measures what it is given (a report, not a benchmark).

use xtask::speed::{human, measure};

#[test]
fn measure_reports_the_median_of_batches() {
    let mut calls = 0u64;
    let ns = measure(3, 4, || {
        calls += 1;
        std::thread::sleep(std::time::Duration::from_micros(200));
    });
    assert_eq!(calls, 1 + 3 * 4, "one warm-up call, then 3 batches of 4");
    assert!(ns >= 200_000.0, "a 200 us sleep measured as {ns} ns");
}

#[test]
fn human_units() {
    assert_eq!(human(512.0), "512 ns");
    assert_eq!(human(1_500.0), "1.5 us");
    assert_eq!(human(2_345_000.0), "2.35 ms");
}
