//! Artefact 12, fuzzing, mutation and simulation results, read from
//! machine-readable files where the repository has them and never
//! retyped: the locations below are checked; a result that exists only as
//! prose (fuzz/README.md, vectors/README.md, benches/README.md) is
//! reported as "not available" with the SHA-256 of that prose report so
//! an auditor can find the version it describes.

use std::path::Path;

use serde_json::{json, Value};

use crate::util::{esc, json_artefact, sha256_hex, table};
use crate::{Claim, Part, Section};

/// Where each kind of result would be, machine-readable.
pub const LOCATIONS: &[(&str, &str)] = &[
    ("fuzzing", "fuzz/results.json"),
    ("fuzzing", "fuzz/stats.json"),
    ("mutation", "mutants.out/outcomes.json"),
    ("mutation", "vectors/mutants.out/outcomes.json"),
    ("mutation", "vectors/mutants.json"),
    ("benchmarks", "benches/results.json"),
    ("simulation", "spec/simulation.json"),
];

/// The prose reports of the other issues.
pub const PROSE: &[(&str, &str)] = &[
    ("fuzzing", "fuzz/README.md"),
    ("mutation", "vectors/README.md"),
    ("benchmarks", "benches/README.md"),
];

/// A summary of a cargo-mutants `outcomes.json`: counts per `summary`.
pub fn mutants_summary(v: &Value) -> Option<Value> {
    let outcomes = v.get("outcomes")?.as_array()?;
    let mut counts = std::collections::BTreeMap::new();
    for o in outcomes {
        let s = o
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        *counts.entry(s).or_insert(0usize) += 1;
    }
    Some(json!(counts))
}

/// The results' artefact, claim and section.
pub fn run(root: &Path) -> Part {
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    for (kind, path) in LOCATIONS {
        if let Ok(bytes) = std::fs::read(root.join(path)) {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) => found.push(json!({
                    "kind": kind, "file": path, "sha256": sha256_hex(&bytes),
                    "summary": mutants_summary(&v).unwrap_or(v),
                })),
                Err(e) => unreadable.push(format!("{path}: {e}")),
            }
        }
    }
    let mut kinds = Vec::new();
    for kind in ["fuzzing", "mutation", "benchmarks", "simulation"] {
        let files: Vec<&Value> = found.iter().filter(|f| f["kind"] == kind).collect();
        let prose: Vec<Value> = PROSE
            .iter()
            .filter(|(k, _)| *k == kind)
            .filter_map(|(_, p)| {
                std::fs::read(root.join(p))
                    .ok()
                    .map(|b| json!({"file": p, "sha256": sha256_hex(&b)}))
            })
            .collect();
        kinds.push(json!({
            "kind": kind,
            "status": if files.is_empty() { "not available (no machine-readable result file in the repository)" } else { "read" },
            "machine_readable": files,
            "checked_locations": LOCATIONS.iter().filter(|(k, _)| *k == kind).map(|(_, p)| p).collect::<Vec<_>>(),
            "prose_reports": prose,
        }));
    }
    let rows: Vec<Vec<String>> = kinds
        .iter()
        .map(|k| {
            vec![
                esc(k["kind"].as_str().unwrap_or("")),
                esc(k["status"].as_str().unwrap_or("")),
                esc(&k["checked_locations"].to_string()),
                esc(&k["prose_reports"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|p| {
                                format!(
                                    "{} ({})",
                                    p["file"].as_str().unwrap_or(""),
                                    &p["sha256"].as_str().unwrap_or("")
                                        [..12.min(p["sha256"].as_str().unwrap_or("").len())]
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default()),
            ]
        })
        .collect();
    let mut html = String::from("<p>Results of the fuzzing, mutation-testing, benchmark and simulation work, read only from machine-readable files; figures that exist only in prose are not retyped here.</p>");
    html.push_str(&table(
        &[
            "kind",
            "status",
            "locations checked",
            "prose report (sha256 prefix)",
        ],
        &rows,
    ));
    let json =
        json!({"schema": "xchat-audit/results/v1", "results": kinds, "unreadable": unreadable});
    Part {
        artefacts: vec![json_artefact("results.json", &json)],
        claims: vec![Claim::new(
            "results.recorded",
            "results",
            "Every machine-readable result file present is read (none retyped); absent ones are reported as not available",
            unreadable.is_empty(),
            format!("{} machine-readable files read, {} unreadable", found.len(), unreadable.len()),
        )],
        sections: vec![Section {
            id: "results".into(),
            title: "12. Fuzzing, mutation and simulation results".into(),
            html,
        }],
    }
}
