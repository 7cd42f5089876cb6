//! `xchat-audit bundle --out DIR`: the repository's main job (issue 12).
//! Builds the audit bundle (see the crate docs and `audit/README.md`),
//! shows progress on stderr, prints a summary table with the report's path,
//! and exits 1 if any claim fails, 2 on bad usage or if the bundle cannot
//! be built.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use xchat_audit::{build, write, Options, STEPS};

const USAGE: &str = "usage: xchat-audit bundle --out DIR [--adapter CMD]

  bundle          compute every claim and write the audit bundle into DIR
  --out DIR       output directory (created if absent)
  --adapter CMD   the external JSON-lines conformance adapter, run with sh -c in the
                  workspace (default: $CARGO, else cargo, run --release --quiet -p xchat-vectors
                  --bin xchat-conform-adapter)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out: Option<PathBuf> = None;
    let mut opts = Options::workspace();
    if args.first().map(String::as_str) != Some("bundle") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--adapter", Some(v)) => opts.adapter = v.clone(),
            _ => {
                eprintln!("xchat-audit: bad argument {a:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(out) = out else {
        eprintln!("xchat-audit: --out is required\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let mut last = Instant::now();
    let mut progress = |i: usize, label: &str| {
        if i > 0 {
            eprintln!("      done in {:.1} s", last.elapsed().as_secs_f64());
        }
        last = Instant::now();
        eprintln!("[{:>2}/{}] {label}", i + 1, STEPS.len());
    };
    let bundle = match build(&opts, &mut progress) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("xchat-audit: the bundle could not be built: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!("      done in {:.1} s", last.elapsed().as_secs_f64());
    if let Err(e) = write(&bundle, &out) {
        eprintln!("xchat-audit: {e}");
        return ExitCode::from(2);
    }
    println!("\n== audit bundle: claims");
    println!("{:<34} {:<7} computed", "claim", "verdict");
    for c in &bundle.claims {
        println!(
            "{:<34} {:<7} {}",
            c.id,
            if c.passed { "pass" } else { "FAIL" },
            c.detail
        );
    }
    let failed = bundle.claims.iter().filter(|c| !c.passed).count();
    println!(
        "\n{} claims, {failed} failed; {} files written in {:.1} s",
        bundle.claims.len(),
        bundle.files.len(),
        start.elapsed().as_secs_f64()
    );
    println!("report: {}", out.join("report.html").display());
    if bundle.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
