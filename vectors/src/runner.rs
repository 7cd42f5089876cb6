//! `xchat-conform run`: replays vectors (and, with `--random`, fresh cases
//! with the spec as oracle) through an implementation of
//! [`Conformance`], and reports per op how many cases passed, failed, were
//! skipped (`unsupported`) and were decided by the implementation itself.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::conformance::{dispatch, find, Conformance};
use crate::files::{oracle, Vector, VectorFile};
use crate::gen::Gen;
use crate::wire::{from_obj, short, to_obj, Answer, Error, Obj};

/// An external implementation driven over JSON lines (see
/// `vectors/README.md`); its typed methods are [`External::typed`].
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

    /// One request and its answer, as on the wire.
    fn exchange(&mut self, op: &str, input: &Obj) -> Result<Answer<Obj>, String> {
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
            Ok(Ok(o.clone()))
        } else if let Some(e) = v.get("error").and_then(Value::as_str) {
            Ok(Err(Error::from_wire(e)))
        } else if v.get("unsupported") == Some(&Value::Bool(true)) {
            Ok(Err(Error::Unsupported))
        } else {
            Err(format!(
                "answer has no output, error or unsupported: {}",
                line.trim()
            ))
        }
    }

    /// Asks `op` over the wire: the input is written from its struct, the
    /// output read into the op's output struct, and it must be exactly in
    /// the op's form (no unknown field, lowercase hex), as the README
    /// requires of an answer.
    pub fn typed<I: Serialize, O: Serialize + DeserializeOwned>(
        &mut self,
        op: &str,
        input: &I,
    ) -> Answer<O> {
        if let Some(d) = &self.dead {
            return Err(Error::Other(format!("(no answer: {d})")));
        }
        let output = match self.exchange(op, &to_obj(input)?) {
            Ok(answer) => answer?,
            Err(e) => {
                self.dead = Some(e.clone());
                return Err(Error::Other(format!("(no answer: {e})")));
            }
        };
        let not_of_form = || {
            Error::Other(format!(
                "(output not of the op's form: {})",
                short(&Value::Object(output.clone()))
            ))
        };
        let typed: O = from_obj(&output).map_err(|_| not_of_form())?;
        if to_obj(&typed)? != output {
            return Err(not_of_form());
        }
        Ok(typed)
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
    pub expected: Answer<Obj>,
    pub actual: Answer<Obj>,
}

/// The counts of one op.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpCounts {
    pub op: String,
    pub passed: usize,
    pub failed: usize,
    /// Answered `unsupported`.
    pub skipped: usize,
    /// Decided by the implementation itself: answered with an output or
    /// an error, not `unsupported`.
    pub decided: usize,
}

/// Counts per op, in run order, and the failures.
#[derive(Default)]
pub struct Report {
    pub ops: Vec<OpCounts>,
    pub failures: Vec<Failure>,
}

impl Report {
    /// Totals `(passed, failed, skipped)`.
    pub fn totals(&self) -> (usize, usize, usize) {
        self.ops.iter().fold((0, 0, 0), |t, o| {
            (t.0 + o.passed, t.1 + o.failed, t.2 + o.skipped)
        })
    }

    /// The number of cases the implementation decided itself.
    pub fn decided(&self) -> usize {
        self.ops.iter().map(|o| o.decided).sum()
    }
}

/// Whether `actual` passes `expected`: equal outputs, or the same error.
pub fn passes(expected: &Answer<Obj>, actual: &Answer<Obj>) -> bool {
    expected == actual && *actual != Err(Error::Unsupported)
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
    backend: &mut dyn Conformance,
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
        let mut counts = OpCounts {
            op: f.op.clone(),
            ..OpCounts::default()
        };
        let mut check = |v: &Vector, progress: &mut Progress| {
            let actual = dispatch(backend, &f.op, &v.input);
            let expected = v.expected();
            if actual == Err(Error::Unsupported) {
                counts.skipped += 1;
            } else {
                counts.decided += 1;
                if passes(&expected, &actual) {
                    counts.passed += 1;
                } else {
                    counts.failed += 1;
                    report.failures.push(Failure {
                        op: f.op.clone(),
                        id: v.id.clone(),
                        input: v.input.clone(),
                        expected,
                        actual,
                    });
                }
            }
            progress.step(&f.op);
        };
        for v in &f.cases {
            check(v, &mut progress);
        }
        if let Some(op) = find(&f.op) {
            for i in 0..random {
                let g = Gen::new(seed.as_bytes(), &format!("random/{i}/{}", f.op));
                let mut list = op.cases(&g);
                let pick = usize::try_from(g.below("pick", list.len() as u64)).unwrap_or(0);
                let c = list.swap_remove(pick);
                let v = oracle(&f.op, format!("random-{i}-{}", c.id), c.input);
                check(&v, &mut progress);
            }
        }
        report.ops.push(counts);
    }
    report
}

fn answer_text(a: &Answer<Obj>) -> String {
    match a {
        Ok(o) => format!("output {}", short(&Value::Object(o.clone()))),
        Err(Error::Unsupported) => "unsupported".into(),
        Err(e) => format!("error {e}"),
    }
}

/// Prints the summary table and up to `max_failures` failure details.
pub fn print(report: &Report, name: &str, max_failures: usize) {
    println!("\n== conformance of {name}");
    println!(
        "{:<28} {:>7} {:>7} {:>8} {:>8}",
        "op", "passed", "failed", "skipped", "decided"
    );
    for o in &report.ops {
        println!(
            "{:<28} {:>7} {:>7} {:>8} {:>8}{}",
            o.op,
            o.passed,
            o.failed,
            o.skipped,
            o.decided,
            if o.failed > 0 { "  FAIL" } else { "" }
        );
    }
    let (p, f, s) = report.totals();
    println!(
        "{:<28} {p:>7} {f:>7} {s:>8} {:>8}",
        "total",
        report.decided()
    );
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
