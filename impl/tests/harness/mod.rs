//! The differential-test harness shared by `crypto_diff.rs` and
//! `protocol_diff.rs`: a counted proptest runner and the error-kind
//! conversions that let the impl's and the spec's results be compared.
//!
//! Each test file includes it with `mod harness;` next to the spec's
//! `common` module (which provides `Tally`).

use std::cell::Cell;
use std::fmt::Debug;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use xchat_spec as spec;

use crate::common::Tally;

/// Runs `test` on `cases` inputs from `strategy` (or `PROPTEST_CASES`, if
/// set), panics with proptest's minimized failure, and reports the count
/// through a `Tally`.
pub fn run<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: Debug,
{
    let cases = crate::common::proptest_cases(cases);
    let count = Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |input| {
        count.set(count.get() + 1);
        test(input)
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let mut t = Tally::new(name);
    for _ in 0..count.get() {
        t.check();
    }
    t.finish(cases as usize);
}

/// A spec result with the error as its kind name (`{:?}` of the spec's
/// `Error`), for comparison with [`ours`].
pub fn theirs<T>(r: Result<T, spec::Error>) -> Result<T, String> {
    r.map_err(|e| format!("{e:?}"))
}

/// An implementation result with the error as its kind name (a
/// per-operation error, such as `xchat::error::AttachmentError`, by its
/// `kind()`).
pub fn ours<T, E: Into<xchat::Error>>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.into().kind_name().to_string())
}
