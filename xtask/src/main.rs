//! `cargo xtask <subcommand>`: project tasks.
//!
//! * `subset [SPEC_DIR]`: check that the spec crate (default `spec`, from the
//!   workspace root) is written in the subset its crate docs describe
//!   (per-file rules, a citation in every `pub fn` doc, no module cycle).
//! * `trace`: check that every requirement of SPEC.md is cited by the spec
//!   code and by a test, and print the traceability matrix.
//! * `check`: `subset`, then `trace` (the main job: is the spec still in its
//!   subset, and is every requirement implemented and tested?).
//! * `speed`: time the spec's primitives (a report, not a test).

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{speed, subset, trace};

const USAGE: &str = "usage: cargo xtask <check | subset [SPEC_DIR] | trace | speed>\n\n\
    check    subset, then trace; exit 1 if either fails\n\
    subset   check spec/src/**/*.rs and spec/Cargo.toml against the spec subset rules\n\
    \x20        (SPEC_DIR defaults to `spec` in the workspace root)\n\
    trace    check that every SPEC.md requirement is cited in spec/src and spec/tests\n\
    speed    print the median time of each spec primitive (release build)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["subset"] => run_subset(None),
        ["subset", dir] => run_subset(Some(dir)),
        ["trace"] => run_trace(),
        ["check"] => {
            let subset = run_subset(None);
            let trace = run_trace();
            if subset == ExitCode::SUCCESS && trace == ExitCode::SUCCESS {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        ["speed"] => run_speed(),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run_subset(dir: Option<&str>) -> ExitCode {
    let (path, display) = match dir {
        Some(d) => (PathBuf::from(d), d.trim_end_matches('/').to_string()),
        None if PathBuf::from("spec/src").is_dir() => (PathBuf::from("spec"), "spec".to_string()),
        // Run from elsewhere in the workspace: find spec/ next to xtask/.
        None => (PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec"), "spec".to_string()),
    };
    let report = match subset::check_crate(&path, &display) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("subset: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    for v in &report.violations {
        println!("{v}");
    }
    let n = report.violations.len();
    println!(
        "subset: {} files checked, {n} violation{}",
        report.files_checked,
        if n == 1 { "" } else { "s" }
    );
    if n == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run_trace() -> ExitCode {
    let (spec_md, sources, tests) = match trace::load(&workspace_root()) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("trace: cannot read SPEC.md or spec/: {e}");
            return ExitCode::from(2);
        }
    };
    let report = trace::check(&spec_md, &sources, &tests);
    println!("| requirement | SPEC.md | implemented in | tested in |");
    println!("|---|---|---|---|");
    for (id, line) in &report.defined {
        let first = |at: &std::collections::BTreeMap<String, Vec<trace::Site>>| match at.get(id) {
            Some(sites) if sites.len() > 1 => format!("{} (+{})", sites[0], sites.len() - 1),
            Some(sites) => sites[0].to_string(),
            None => "MISSING".to_string(),
        };
        println!(
            "| {id} | {line} | {} | {} |",
            first(&report.implemented_at),
            first(&report.tested_at)
        );
    }
    for id in report.missing_impl() {
        println!("trace: {id} is not cited by any file in spec/src");
    }
    for id in report.missing_test() {
        println!("trace: {id} is not cited by any test in spec/tests");
    }
    for id in &report.duplicates {
        println!("trace: {id} is defined more than once in SPEC.md");
    }
    for (id, site) in &report.undefined {
        println!("trace: {site}: {id} is cited but not defined in SPEC.md");
    }
    println!(
        "trace: {} requirements, {}",
        report.defined.len(),
        if report.ok() { "all traced" } else { "FAILED" }
    );
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run_speed() -> ExitCode {
    println!("(release profile, which keeps overflow checks on; compare ratios within one run)");
    println!("| spec operation | median per call |");
    println!("|---|---|");
    for m in speed::run(1) {
        println!("| {} | {} |", m.name, speed::human(m.median_ns));
    }
    ExitCode::SUCCESS
}
