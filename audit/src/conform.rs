//! Artefact 6, known answers and conformance: the vectors regenerated from
//! the spec and compared byte for byte with the committed ones
//! (`files::check`), then replayed through the spec, the impl and the
//! external JSON-lines adapter (`runner::run`, counts as data); every
//! external known-answer file with its recomputed SHA-256 against the
//! provenance table (`vectors/external/MANIFEST.md`), its record count, the
//! Wycheproof, NIST CAVP, ACVP and SUPERCOP files re-run through the spec
//! (`kat`), and the tests that read it.
//! Also written as an in-toto test-result attestation whose subject is the
//! git commit.

use std::path::Path;

use serde_json::{json, Value};
use xchat_vectors::adapters::{imp::Impl, spec::Spec};
use xchat_vectors::conformance::Conformance;
use xchat_vectors::files::{self, VectorFile};
use xchat_vectors::runner::{self, External};

use crate::manifest::repo_info;
use crate::util::{esc, json_artefact, sha256_hex, table};
use crate::{kat, AuditError, Claim, Options, Part, Result, Section};

/// The counts of one implementation over every op.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub name: String,
    pub ops: Vec<runner::OpCounts>,
    pub error: Option<String>,
}

impl RunResult {
    fn totals(&self) -> (usize, usize, usize) {
        self.ops.iter().fold((0, 0, 0), |t, o| {
            (t.0 + o.passed, t.1 + o.failed, t.2 + o.skipped)
        })
    }
    fn ok(&self) -> bool {
        self.error.is_none() && !self.ops.is_empty() && self.totals().1 == 0 && self.totals().0 > 0
    }
}

fn run_backend(name: &str, backend: &mut dyn Conformance, vectors: &[VectorFile]) -> RunResult {
    let report = runner::run(backend, vectors, &[], 0, "0");
    RunResult {
        name: name.to_string(),
        ops: report.ops,
        error: None,
    }
}

/// One external known-answer file.
#[derive(Clone, Debug)]
pub struct ExternalFile {
    pub file: String,
    pub recorded: String,
    pub actual: String,
    pub source: String,
    pub version: String,
    pub license: String,
    pub records: Option<usize>,
    pub tests: Vec<String>,
    pub rerun: Option<kat::KatResult>,
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split(" | ")
        .map(|c| c.trim().trim_matches('`').to_string())
        .collect()
}

fn records(name: &str, text: &[u8]) -> Option<usize> {
    let s = String::from_utf8_lossy(text);
    if name.ends_with(".json") {
        let v: Value = serde_json::from_slice(text).ok()?;
        if let Some(n) = v.get("numberOfTests").and_then(Value::as_u64) {
            return Some(n as usize);
        }
        if let Some(groups) = v.get("testGroups").and_then(Value::as_array) {
            return Some(
                groups
                    .iter()
                    .filter_map(|g| g.get("tests").and_then(Value::as_array))
                    .map(Vec::len)
                    .sum(),
            );
        }
        return v.as_array().map(Vec::len);
    }
    if name.ends_with(".rsp") || name.ends_with(".txt") {
        let n = s
            .lines()
            .filter(|l| {
                l.starts_with("Len = ") || l.starts_with("COUNT = ") || l.starts_with("count = ")
            })
            .count();
        return if n > 0 { Some(n) } else { None };
    }
    if name.ends_with(".input") {
        return Some(s.lines().filter(|l| !l.trim().is_empty()).count());
    }
    None
}

/// The provenance table of `vectors/external/MANIFEST.md`, each file
/// re-hashed, counted, and located in the tests.
pub fn external(root: &Path) -> Result<Vec<ExternalFile>> {
    let dir = root.join("vectors/external");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.md"))
        .map_err(|e| AuditError::Io("vectors/external/MANIFEST.md".into(), e.to_string()))?;
    let mut tests = xtask::trace::rust_files(root, "spec/tests")
        .map_err(|e| AuditError::Io("spec/tests".into(), e.to_string()))?;
    tests.extend(
        xtask::trace::rust_files(root, "impl/tests")
            .map_err(|e| AuditError::Io("impl/tests".into(), e.to_string()))?,
    );
    let mut out = Vec::new();
    for line in manifest.lines().filter(|l| l.starts_with("| `")) {
        let c = cells(line);
        if c.len() < 6 {
            return Err(AuditError::Input(
                "MANIFEST.md".into(),
                format!("bad row {line:?}"),
            ));
        }
        let bytes = std::fs::read(dir.join(&c[0]))
            .map_err(|e| AuditError::Io(c[0].clone(), e.to_string()))?;
        let base = c[0].rsplit('/').next().unwrap_or(&c[0]).to_string();
        let stem = base.split('.').next().unwrap_or(&base).to_string();
        let users: Vec<String> = tests
            .iter()
            .filter(|(_, t)| {
                t.contains(&base) || (stem.len() > 6 && t.contains(&format!("\"{stem}")))
            })
            .map(|(n, _)| n.clone())
            .collect();
        out.push(ExternalFile {
            records: records(&c[0], &bytes),
            rerun: kat::rerun(&c[0], &bytes),
            file: c[0].clone(),
            recorded: c[1].clone(),
            actual: sha256_hex(&bytes),
            source: c[2].clone(),
            version: c[3].clone(),
            license: c[5].clone(),
            tests: users,
        });
    }
    Ok(out)
}

/// The conformance artefacts, claims and section.
pub fn run(opts: &Options) -> Result<Part> {
    let dir = opts.root.join("vectors/data");
    let problems = files::check(&dir);
    let vectors = files::load(&dir).map_err(|e| AuditError::Input("vectors/data".into(), e))?;
    let cases: usize = vectors.iter().map(|f| f.cases.len()).sum();
    let mut runs = Vec::new();
    runs.push(run_backend("spec", &mut Spec, &vectors));
    runs.push(run_backend("impl", &mut Impl, &vectors));
    let command = format!("cd '{}' && {}", opts.root.display(), opts.adapter);
    match External::start(&command) {
        Ok(mut ext) => runs.push(run_backend("adapter", &mut ext, &vectors)),
        Err(e) => runs.push(RunResult {
            name: "adapter".into(),
            ops: Vec::new(),
            error: Some(format!("cannot start the adapter: {e}")),
        }),
    }
    let ext = external(&opts.root)?;
    let provenance_ok = !ext.is_empty() && ext.iter().all(|f| f.recorded == f.actual);
    let kat_failures: usize = ext
        .iter()
        .filter_map(|f| f.rerun.as_ref())
        .map(|r| r.failed)
        .sum();
    let kat_run: usize = ext
        .iter()
        .filter_map(|f| f.rerun.as_ref())
        .map(|r| r.passed + r.failed)
        .sum();
    let info = repo_info(&opts.root);

    let mut claims = vec![
        Claim::new(
            "kat.vectors-regenerate",
            "kat",
            "The committed vectors are byte-identical to a fresh generation from the spec",
            problems.is_empty(),
            if problems.is_empty() {
                format!("{} files, {cases} vectors", vectors.len())
            } else {
                problems.join("; ")
            },
        ),
        Claim::new(
            "kat.provenance",
            "kat",
            "Every external known-answer file has the SHA-256 its provenance table records",
            provenance_ok,
            format!(
                "{} files, {} differ",
                ext.len(),
                ext.iter().filter(|f| f.recorded != f.actual).count()
            ),
        ),
        Claim::new(
            "kat.rerun",
            "kat",
            "Every external known answer re-run through the spec in this job (Wycheproof, NIST CAVP, NIST ACVP ML-KEM-768, CCTV and SUPERCOP Ed25519) gives the expected result",
            kat_failures == 0 && kat_run > 0,
            format!("{kat_run} cases, {kat_failures} failed"),
        ),
    ];
    // The adapter exposes the impl over JSON lines: the same answers, op
    // by op, or the external path lost something.
    let impl_ops = runs
        .iter()
        .find(|r| r.name == "impl")
        .map(|r| r.ops.clone());
    for r in &runs {
        let (p, f, s) = r.totals();
        let same_as_impl = r.name != "adapter" || impl_ops.as_ref() == Some(&r.ops);
        let note = match (r.name.as_str(), same_as_impl) {
            ("adapter", true) => "; op by op the same counts as the impl in process",
            ("adapter", false) => "; counts DIFFER from the impl in process",
            _ => "",
        };
        claims.push(Claim::new(
            &format!("conformance.{}", r.name),
            "kat",
            &format!("The {} passes every conformance vector it answers", r.name),
            r.ok() && same_as_impl,
            match &r.error {
                Some(e) => e.clone(),
                None => format!(
                    "{p} passed, {f} failed, {s} skipped over {} ops{note}",
                    r.ops.len()
                ),
            },
        ));
    }

    let ops: Vec<Value> = vectors
        .iter()
        .map(|f| {
            let mut o = json!({"op": f.op, "section": f.section, "requirements": f.requirements, "vectors": f.cases.len()});
            for r in &runs {
                if let Some(c) = r.ops.iter().find(|c| c.op == f.op) {
                    o[r.name.as_str()] = json!({"passed": c.passed, "failed": c.failed, "skipped": c.skipped});
                }
            }
            o
        })
        .collect();
    let ext_json: Vec<Value> = ext
        .iter()
        .map(|f| {
            json!({
                "file": format!("vectors/external/{}", f.file),
                "sha256_recorded": f.recorded,
                "sha256_actual": f.actual,
                "provenance_ok": f.recorded == f.actual,
                "source": f.source,
                "version": f.version,
                "license": f.license,
                "records": f.records,
                "rerun_in_bundle": f.rerun.as_ref().map(|r| json!({"primitive": r.primitive, "passed": r.passed, "failed": r.failed, "skipped (parameters outside the suite)": r.skipped})),
                "read_by_tests": f.tests,
            })
        })
        .collect();
    let summary = json!({
        "schema": "xchat-audit/conformance/v1",
        "vectors": {"files": vectors.len(), "cases": cases, "regenerated_identical": problems.is_empty(), "differences": problems},
        "runs": runs.iter().map(|r| {
            let (p, f, s) = r.totals();
            json!({"implementation": r.name, "passed": p, "failed": f, "skipped": s, "error": r.error})
        }).collect::<Vec<_>>(),
        "ops": ops,
        "external": ext_json,
    });

    // in-toto Statement v1 with a test-result v0.1 predicate.
    let mut passed_tests = Vec::new();
    let mut failed_tests = Vec::new();
    for c in &claims {
        if c.passed {
            passed_tests.push(c.id.clone());
        } else {
            failed_tests.push(c.id.clone());
        }
    }
    for r in &runs {
        for o in &r.ops {
            let name = format!("conformance/{}/{}", r.name, o.op);
            if o.failed == 0 && o.passed > 0 {
                passed_tests.push(name);
            } else if o.failed > 0 {
                failed_tests.push(name);
            }
        }
    }
    let attestation = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{
            "name": info.repository,
            "digest": {"gitCommit": info.commit},
        }],
        "predicateType": "https://in-toto.io/attestation/test-result/v0.1",
        "predicate": {
            "result": if failed_tests.is_empty() { "PASSED" } else { "FAILED" },
            "configuration": [
                {"name": "vectors/data/MANIFEST", "digest": {"sha256": std::fs::read(dir.join("MANIFEST")).map(|b| sha256_hex(&b)).unwrap_or_default()}},
                {"name": "vectors/external/MANIFEST.md", "digest": {"sha256": std::fs::read(opts.root.join("vectors/external/MANIFEST.md")).map(|b| sha256_hex(&b)).unwrap_or_default()}},
                {"name": "Cargo.lock", "digest": {"sha256": info.cargo_lock_sha256}},
            ],
            "passedTests": passed_tests,
            "warnedTests": [],
            "failedTests": failed_tests,
        },
    });

    let mut html = String::new();
    html.push_str(&format!(
        "<p>{} vector files, {cases} vectors; regenerated from the spec and compared byte for byte: {}.</p>",
        vectors.len(),
        if problems.is_empty() { "identical".to_string() } else { esc(&problems.join("; ")) }
    ));
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let (p, f, s) = r.totals();
            vec![
                esc(&r.name),
                p.to_string(),
                f.to_string(),
                s.to_string(),
                esc(r.error.as_deref().unwrap_or("")),
                crate::util::badge(r.ok()),
            ]
        })
        .collect();
    html.push_str(&table(
        &[
            "implementation",
            "passed",
            "failed",
            "skipped",
            "error",
            "verdict",
        ],
        &rows,
    ));
    let mut op_rows = Vec::new();
    for f in &vectors {
        let mut row = vec![esc(&f.op), esc(&f.section), f.cases.len().to_string()];
        for r in &runs {
            row.push(match r.ops.iter().find(|c| c.op == f.op) {
                Some(c) => format!("{}/{}/{}", c.passed, c.failed, c.skipped),
                None => "-".into(),
            });
        }
        op_rows.push(row);
    }
    let mut head = vec!["op", "SPEC.md", "vectors"];
    let names: Vec<String> = runs
        .iter()
        .map(|r| format!("{} pass/fail/skip", r.name))
        .collect();
    for n in &names {
        head.push(n);
    }
    html.push_str("<h3>Per op</h3>");
    html.push_str(&table(&head, &op_rows));
    html.push_str(&format!(
        "<h3>External known answers</h3><p>{} files; provenance hashes recomputed in this run. \
         the Wycheproof files, the NIST CAVP SHA-2, SHA-3, SHAKE, AES and AES-GCM files, the NIST ACVP ML-KEM files (ML-KEM-768 groups), the CCTV Ed25519 edge cases and SUPERCOP's Ed25519 signatures are re-run through the spec here ({kat_run} cases, {kat_failures} failed); \
         every other file is executed by the test command (<code>cargo test --workspace --release</code>) \
         in the tests listed, not re-run in the bundle.</p>",
        ext.len()
    ));
    let erows: Vec<Vec<String>> = ext
        .iter()
        .map(|f| {
            vec![
                format!("<code>{}</code>", esc(&f.file)),
                esc(&f.source),
                esc(&f.version),
                f.records.map_or("-".into(), |n| n.to_string()),
                f.rerun.as_ref().map_or("test command".into(), |r| {
                    format!(
                        "{} passed, {} failed, {} skipped",
                        r.passed, r.failed, r.skipped
                    )
                }),
                esc(&f.tests.join(", ")),
                format!("<code>{}</code>", &f.actual[..16]),
                crate::util::badge(
                    f.recorded == f.actual && f.rerun.as_ref().is_none_or(|r| r.failed == 0),
                ),
            ]
        })
        .collect();
    html.push_str(&table(
        &[
            "file",
            "source",
            "version",
            "records",
            "re-run here",
            "read by",
            "sha256 (prefix)",
            "verdict",
        ],
        &erows,
    ));
    html.push_str("<p>Also as an in-toto attestation: <code>kat-attestation.intoto.json</code> (predicate type <code>https://in-toto.io/attestation/test-result/v0.1</code>, subject the git commit).</p>");
    Ok(Part {
        artefacts: vec![
            json_artefact("conformance.json", &summary),
            json_artefact("kat-attestation.intoto.json", &attestation),
        ],
        claims,
        sections: vec![Section {
            id: "kat".into(),
            title: "6. Known answers and conformance".into(),
            html,
        }],
    })
}
