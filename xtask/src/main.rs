//! `cargo xtask <subcommand>`: project tasks.
//!
//! * `subset [SPEC_DIR]`: check that the spec crate (default `spec`, from the
//!   workspace root) is written in the subset described in CONVENTIONS.md.

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::subset;

const USAGE: &str = "usage: cargo xtask subset [SPEC_DIR]\n\n\
    subset   check spec/src/**/*.rs and spec/Cargo.toml against the spec subset rules\n\
    \x20        (SPEC_DIR defaults to `spec` in the workspace root)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["subset"] => run_subset(None),
        ["subset", dir] => run_subset(Some(dir)),
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
