//! `xchat-conform run`: replays vectors (and, with `--random`, fresh cases
//! with the spec as oracle) through an implementation, and reports.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};

use crate::cases;
use crate::files::{oracle, Vector, VectorFile};
use crate::gen::Gen;
use crate::value::{short, Answer, Obj};

/// An implementation under test.
pub trait Backend {
    /// Answers one request.
    fn call(&mut self, op: &str, input: &Obj) -> Answer;
}

/// The executable specification, in process.
pub struct Spec;

impl Backend for Spec {
    fn call(&mut self, op: &str, input: &Obj) -> Answer {
        crate::spec_ops::call(op, input)
    }
}

/// The optimized implementation (`xchat`), in process.
pub struct Impl;

impl Backend for Impl {
    fn call(&mut self, op: &str, input: &Obj) -> Answer {
        crate::impl_ops::call(op, input)
    }
}

/// An external implementation driven over JSON lines.
pub struct External {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    dead: Option<String>,
}

impl External {
    /// Starts `command` with `sh -c`.
    pub fn start(command: &str) -> std::io::Result<External> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Ok(External {
            child,
            stdin,
            stdout,
            next_id: 0,
            dead: None,
        })
    }

    fn exchange(&mut self, op: &str, input: &Obj) -> Result<Answer, String> {
        let id = self.next_id;
        self.next_id += 1;
        let request = json!({"id": id, "op": op, "input": input});
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        writeln!(stdin, "{request}")
            .and_then(|_| stdin.flush())
            .map_err(|e| format!("writing the request: {e}"))?;
        let mut line = String::new();
        let n = self
            .stdout
            .read_line(&mut line)
            .map_err(|e| format!("reading the answer: {e}"))?;
        if n == 0 {
            return Err("the implementation closed its output".into());
        }
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| format!("answer is not JSON ({e}): {}", line.trim()))?;
        if v.get("id").and_then(Value::as_u64) != Some(id) {
            return Err(format!(
                "answer has the wrong id (expected {id}): {}",
                line.trim()
            ));
        }
        if let Some(o) = v.get("output").and_then(Value::as_object) {
            Ok(Answer::Output(o.clone()))
        } else if let Some(e) = v.get("error").and_then(Value::as_str) {
            Ok(Answer::Error(e.to_string()))
        } else if v.get("unsupported") == Some(&Value::Bool(true)) {
            Ok(Answer::Unsupported)
        } else {
            Err(format!(
                "answer has no output, error or unsupported: {}",
                line.trim()
            ))
        }
    }
}

impl Backend for External {
    fn call(&mut self, op: &str, input: &Obj) -> Answer {
        if let Some(d) = &self.dead {
            return Answer::Error(format!("(no answer: {d})"));
        }
        match self.exchange(op, input) {
            Ok(a) => a,
            Err(e) => {
                self.dead = Some(e.clone());
                Answer::Error(format!("(no answer: {e})"))
            }
        }
    }
}

impl Drop for External {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// One failed case.
pub struct Failure {
    pub op: String,
    pub id: String,
    pub input: Obj,
    pub expected: Answer,
    pub actual: Answer,
}

/// Counts per op.
#[derive(Default)]
pub struct Report {
    /// `(op, passed, failed, skipped)` in run order.
    pub ops: Vec<(String, usize, usize, usize)>,
    pub failures: Vec<Failure>,
}

impl Report {
    /// Totals `(passed, failed, skipped)`.
    pub fn totals(&self) -> (usize, usize, usize) {
        self.ops
            .iter()
            .fold((0, 0, 0), |t, o| (t.0 + o.1, t.1 + o.2, t.2 + o.3))
    }
}

/// Whether `actual` passes `expected`: equal outputs, or the same error kind.
pub fn passes(expected: &Answer, actual: &Answer) -> bool {
    match (expected, actual) {
        (Answer::Output(e), Answer::Output(a)) => e == a,
        (Answer::Error(e), Answer::Error(a)) => e == a,
        _ => false,
    }
}

/// A simple progress bar on stderr (only when stderr is a terminal).
struct Progress {
    total: usize,
    done: usize,
    on: bool,
}

impl Progress {
    fn step(&mut self, label: &str) {
        self.done += 1;
        if self.on && (self.done.is_multiple_of(7) || self.done == self.total) {
            let width = 30;
            let filled = width * self.done / self.total.max(1);
            eprint!(
                "\r[{}{}] {}/{} {:<28}",
                "#".repeat(filled),
                ".".repeat(width - filled),
                self.done,
                self.total,
                label
            );
            if self.done == self.total {
                eprintln!();
            }
        }
    }
}

/// Runs the vectors of `files` (only `only` ops if not empty) and `random`
/// fresh cases per op (seed `seed`) through `backend`.
pub fn run(
    backend: &mut dyn Backend,
    files: &[VectorFile],
    only: &[String],
    random: usize,
    seed: &str,
) -> Report {
    let selected: Vec<&VectorFile> = files
        .iter()
        .filter(|f| only.is_empty() || only.contains(&f.op))
        .collect();
    let total = selected.iter().map(|f| f.cases.len() + random).sum();
    let mut progress = Progress {
        total,
        done: 0,
        on: std::io::stderr().is_terminal(),
    };
    let mut report = Report::default();
    for f in selected {
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        let mut check = |v: &Vector, progress: &mut Progress| {
            let actual = backend.call(&f.op, &v.input);
            let expected = v.expected();
            if actual == Answer::Unsupported {
                skipped += 1;
            } else if passes(&expected, &actual) {
                passed += 1;
            } else {
                failed += 1;
                report.failures.push(Failure {
                    op: f.op.clone(),
                    id: v.id.clone(),
                    input: v.input.clone(),
                    expected,
                    actual,
                });
            }
            progress.step(&f.op);
        };
        for v in &f.cases {
            check(v, &mut progress);
        }
        for i in 0..random {
            let g = Gen::new(seed.as_bytes(), &format!("random/{i}/{}", f.op));
            let mut list = cases::cases(&f.op, &g);
            let pick = usize::try_from(g.below("pick", list.len() as u64)).unwrap_or(0);
            let c = list.swap_remove(pick);
            let v = oracle(&f.op, format!("random-{i}-{}", c.id), c.input);
            check(&v, &mut progress);
        }
        report.ops.push((f.op.clone(), passed, failed, skipped));
    }
    report
}

fn answer_text(a: &Answer) -> String {
    match a {
        Answer::Output(o) => format!("output {}", short(&Value::Object(o.clone()))),
        Answer::Error(e) => format!("error {e}"),
        Answer::Unsupported => "unsupported".into(),
    }
}

/// Prints the summary table and up to `max_failures` failure details.
pub fn print(report: &Report, name: &str, max_failures: usize) {
    println!("\n== conformance of {name}");
    println!(
        "{:<28} {:>7} {:>7} {:>8}",
        "op", "passed", "failed", "skipped"
    );
    for (op, p, f, s) in &report.ops {
        println!(
            "{op:<28} {p:>7} {f:>7} {s:>8}{}",
            if *f > 0 { "  FAIL" } else { "" }
        );
    }
    let (p, f, s) = report.totals();
    println!("{:<28} {p:>7} {f:>7} {s:>8}", "total");
    for x in report.failures.iter().take(max_failures) {
        println!("\nFAILED {} / {}", x.op, x.id);
        println!("  input:    {}", short(&Value::Object(x.input.clone())));
        println!("  expected: {}", answer_text(&x.expected));
        println!("  actual:   {}", answer_text(&x.actual));
    }
    if report.failures.len() > max_failures {
        println!(
            "\n({} more failures not shown; raise --failures)",
            report.failures.len() - max_failures
        );
    }
    println!("{name}: {p} passed, {f} failed, {s} skipped");
}
