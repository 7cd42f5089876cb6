//! `xchat-conform`: generate and check the XCHAT-1 vectors, and run them
//! through an implementation. See `vectors/README.md`.

use std::path::PathBuf;
use std::process::ExitCode;

use xchat_vectors::adapters::{imp::Impl, spec::Spec};
use xchat_vectors::conformance::Conformance;
use xchat_vectors::{files, runner};

const USAGE: &str = "usage: xchat-conform <command> [options]

commands:
  generate                 write the vector files, their MANIFEST and the README's op reference
  check                    regenerate in memory; fail on any difference with the committed files
  run --impl IMPL          replay every vector through IMPL and print the summary
      [--op NAME]...       only these ops
      [--random N]         also N fresh random cases per op (the spec computes the answers)
      [--seed S]           seed of the random cases (default 0)
      [--failures N]       show at most N failure details (default 20)
  all                      the main job: check, then run the spec and the impl
options:
  --dir DIR                the vector directory (default: vectors/data of this crate)

IMPL is `spec`, `impl`, or a shell command that speaks the JSON-lines interface
(e.g. 'target/release/xchat-conform-adapter').";

struct Args {
    command: String,
    dir: PathBuf,
    imp: Option<String>,
    ops: Vec<String>,
    random: usize,
    seed: String,
    failures: usize,
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or("no command")?;
    let mut a = Args {
        command,
        dir: files::default_dir(),
        imp: None,
        ops: Vec::new(),
        random: 0,
        seed: "0".into(),
        failures: 20,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--dir" => a.dir = PathBuf::from(value()?),
            "--impl" => a.imp = Some(value()?),
            "--op" => a.ops.push(value()?),
            "--random" => a.random = value()?.parse().map_err(|e| format!("--random: {e}"))?,
            "--seed" => a.seed = value()?,
            "--failures" => {
                a.failures = value()?.parse().map_err(|e| format!("--failures: {e}"))?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

fn check(a: &Args) -> bool {
    let problems = files::check(&a.dir);
    for p in &problems {
        eprintln!("check: {p}");
    }
    if problems.is_empty() {
        println!("check: the committed vectors in {} and the README's op reference are byte-identical to a fresh generation", a.dir.display());
    }
    problems.is_empty()
}

fn run(a: &Args, imp: &str) -> Result<bool, String> {
    let vectors = files::load(&a.dir)?;
    for op in &a.ops {
        if !vectors.iter().any(|f| &f.op == op) {
            return Err(format!("no vectors for op {op:?}"));
        }
    }
    let mut backend: Box<dyn Conformance> = match imp {
        "spec" => Box::new(Spec),
        "impl" => Box::new(Impl),
        command => Box::new(
            runner::External::start(command).map_err(|e| format!("starting {command:?}: {e}"))?,
        ),
    };
    let report = runner::run(backend.as_mut(), &vectors, &a.ops, a.random, &a.seed);
    drop(backend);
    runner::print(&report, imp, a.failures);
    Ok(report.totals().1 == 0 && !report.ops.is_empty())
}

fn main() -> ExitCode {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("xchat-conform: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let ok = match a.command.as_str() {
        "generate" => match files::write(&a.dir) {
            Ok(n) => {
                println!("generate: wrote {n} files to {}", a.dir.display());
                true
            }
            Err(e) => {
                eprintln!("generate: {e}");
                false
            }
        },
        "check" => check(&a),
        "run" => match a.imp.clone() {
            Some(imp) => run(&a, &imp).unwrap_or_else(|e| {
                eprintln!("run: {e}");
                false
            }),
            None => {
                eprintln!("run needs --impl\n\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        "all" => {
            let checked = check(&a);
            let spec = run(&a, "spec").unwrap_or_else(|e| {
                eprintln!("run: {e}");
                false
            });
            let imp = run(&a, "impl").unwrap_or_else(|e| {
                eprintln!("run: {e}");
                false
            });
            println!(
                "\nall: check {}, spec {}, impl {}",
                verdict(checked),
                verdict(spec),
                verdict(imp)
            );
            checked && spec && imp
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "passed"
    } else {
        "FAILED"
    }
}
