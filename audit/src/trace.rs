//! Artefact 7, traceability: every SPEC.md requirement with the spec
//! function that implements it, the tests that check it and the vector
//! files that exercise it. The check itself is `cargo xtask trace`'s
//! (`xtask::trace::check`), reused, so the two can never disagree; an
//! untraced requirement fails the claim.

use std::path::Path;

use serde_json::json;
use xchat_vectors::files;

use crate::util::{esc, json_artefact, table};
use crate::{AuditError, Claim, Part, Result, Section};

/// The name of the first function declared at or after 1-based `line` of
/// `text` (the function a doc comment citing a requirement belongs to).
pub fn function_at(text: &str, line: usize) -> Option<String> {
    for l in text.lines().skip(line.saturating_sub(1)).take(80) {
        let t = l.trim_start();
        if let Some(i) = t.find("fn ") {
            let before = &t[..i];
            if before.is_empty()
                || before.ends_with("pub ")
                || before.ends_with("const ")
                || before == "pub(crate) "
            {
                let rest = &t[i + 3..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    return Some(name);
                }
            }
        }
    }
    None
}

/// The traceability artefact, claim and section.
pub fn run(root: &Path) -> Result<Part> {
    let (spec_md, sources, tests) = xtask::trace::load(root)
        .map_err(|e| AuditError::Io("SPEC.md, spec/src, spec/tests".into(), e.to_string()))?;
    let report = xtask::trace::check(&spec_md, &sources, &tests);
    let vectors = files::load(&root.join("vectors/data"))
        .map_err(|e| AuditError::Input("vectors/data".into(), e))?;
    let text_of = |set: &[(String, String)], file: &str| -> Option<String> {
        set.iter().find(|(n, _)| n == file).map(|(_, t)| t.clone())
    };
    let mut rows = Vec::new();
    let mut html_rows = Vec::new();
    let mut with_vectors = 0;
    for (id, line) in &report.defined {
        let impls = report.implemented_at.get(id).cloned().unwrap_or_default();
        let testsites = report.tested_at.get(id).cloned().unwrap_or_default();
        let mut functions: Vec<String> = Vec::new();
        for s in &impls {
            if let Some(text) = text_of(&sources, &s.file) {
                if let Some(f) = function_at(&text, s.line) {
                    let module = s
                        .file
                        .trim_start_matches("spec/src/")
                        .trim_end_matches(".rs")
                        .replace('/', "::");
                    let full = format!("{module}::{f}");
                    if !functions.contains(&full) {
                        functions.push(full);
                    }
                }
            }
        }
        let mut test_fns: Vec<String> = Vec::new();
        for s in &testsites {
            let name = text_of(&tests, &s.file).and_then(|t| function_at(&t, s.line));
            let full = format!(
                "{}::{}",
                s.file
                    .trim_start_matches("spec/tests/")
                    .trim_end_matches(".rs"),
                name.unwrap_or_else(|| format!("line {}", s.line))
            );
            if !test_fns.contains(&full) {
                test_fns.push(full);
            }
        }
        let ops: Vec<String> = vectors
            .iter()
            .filter(|f| f.requirements.contains(id))
            .map(|f| f.op.clone())
            .collect();
        if !ops.is_empty() {
            with_vectors += 1;
        }
        let traced = !impls.is_empty() && !testsites.is_empty();
        rows.push(json!({
            "requirement": id,
            "spec_md_line": line,
            "implemented_by": functions,
            "implementation_sites": impls.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "tests": test_fns,
            "vector_ops": ops,
            "mutation_kill": "not available (no machine-readable mutation report in the repository)",
            "traced": traced,
        }));
        html_rows.push(vec![
            format!("<code>{}</code>", esc(id)),
            esc(&functions.join(", ")),
            esc(&test_fns
                .iter()
                .take(4)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "))
                + &if test_fns.len() > 4 {
                    format!(" (+{} more)", test_fns.len() - 4)
                } else {
                    String::new()
                },
            esc(&ops.join(", ")),
            crate::util::badge(traced),
        ]);
    }
    let json = json!({
        "schema": "xchat-audit/traceability/v1",
        "check": "xtask::trace::check (cargo xtask trace)",
        "requirements": report.defined.len(),
        "missing_implementation": report.missing_impl(),
        "missing_test": report.missing_test(),
        "duplicates": report.duplicates,
        "undefined": report.undefined.iter().map(|(id, s)| json!({"id": id, "site": s.to_string()})).collect::<Vec<_>>(),
        "with_vectors": with_vectors,
        "matrix": rows,
    });
    let mut html = format!(
        "<p>{} requirements defined in SPEC.md; {} without an implementing spec function, {} without a test, \
         {} duplicated, {} cited but undefined; {} exercised by at least one vector file. Mutation kill \
         results per requirement: not available (the mutation report in <code>vectors/README.md</code> is \
         prose, not machine-readable).</p>",
        report.defined.len(),
        report.missing_impl().len(),
        report.missing_test().len(),
        report.duplicates.len(),
        report.undefined.len(),
        with_vectors
    );
    html.push_str(&table(
        &[
            "requirement",
            "spec function",
            "tests",
            "vector ops",
            "traced",
        ],
        &html_rows,
    ));
    let claim = Claim::new(
        "trace.all-traced",
        "trace",
        "Every SPEC.md requirement is implemented by a spec function and cited by a test",
        report.ok(),
        format!(
            "{} requirements, {} untraced, {} undefined citations",
            report.defined.len(),
            report.missing_impl().len() + report.missing_test().len(),
            report.undefined.len()
        ),
    );
    Ok(Part {
        artefacts: vec![json_artefact("traceability.json", &json)],
        claims: vec![claim],
        sections: vec![Section {
            id: "trace".into(),
            title: "7. Traceability".into(),
            html,
        }],
    })
}
