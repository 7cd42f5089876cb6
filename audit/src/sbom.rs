//! Artefact 9, the SBOM: CycloneDX 1.6 of the dependency tree of `xchat`
//! (the crate applications link), from `cargo metadata --locked --offline`
//! (names, versions, licenses, the resolved graph with dependency kinds)
//! and Cargo.lock (the registry SHA-256 checksums). Normal and build
//! dependencies are included, development dependencies are not; default
//! features are those of the workspace resolution. No timestamp, no
//! serial number (both would break reproducibility). RustSec advisories:
//! not checked in this job (no advisory database is available offline).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::util::{esc, json_artefact, table};
use crate::{AuditError, Claim, Part, Result, Section};

/// `name version -> checksum` from Cargo.lock.
pub fn lock_checksums(lock: &str) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let (mut name, mut version) = (String::new(), String::new());
    for line in lock.lines() {
        if line == "[[package]]" {
            name.clear();
            version.clear();
        } else if let Some(v) = line.strip_prefix("name = \"") {
            name = v.trim_end_matches('"').to_string();
        } else if let Some(v) = line.strip_prefix("version = \"") {
            version = v.trim_end_matches('"').to_string();
        } else if let Some(v) = line.strip_prefix("checksum = \"") {
            out.insert(
                (name.clone(), version.clone()),
                v.trim_end_matches('"').to_string(),
            );
        }
    }
    out
}

fn metadata(root: &Path) -> Result<Value> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut last = String::new();
    for offline in [true, false] {
        let mut c = Command::new(&cargo);
        c.args(["metadata", "--format-version", "1", "--locked"])
            .current_dir(root);
        if offline {
            c.arg("--offline");
        }
        match c.output() {
            Ok(o) if o.status.success() => {
                return serde_json::from_slice(&o.stdout)
                    .map_err(|e| AuditError::Input("cargo metadata".into(), e.to_string()));
            }
            Ok(o) => last = String::from_utf8_lossy(&o.stderr).to_string(),
            Err(e) => last = e.to_string(),
        }
    }
    Err(AuditError::Input("cargo metadata".into(), last))
}

/// The SBOM artefact, claim and section.
pub fn run(root: &Path) -> Result<Part> {
    let meta = metadata(root)?;
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| AuditError::Io("Cargo.lock".into(), e.to_string()))?;
    let sums = lock_checksums(&lock);
    let packages: BTreeMap<String, &Value> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?.to_string(), p)))
        .collect();
    let nodes: BTreeMap<String, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?.to_string(), n)))
        .collect();
    let root_id = packages
        .iter()
        .find(|(_, p)| p["name"] == "xchat" && p["source"].is_null())
        .map(|(id, _)| id.clone())
        .ok_or_else(|| AuditError::Input("cargo metadata".into(), "no package xchat".into()))?;
    // Walk normal and build edges from xchat.
    let mut seen = BTreeSet::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![root_id.clone()];
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        for d in nodes
            .get(&id)
            .and_then(|n| n["deps"].as_array())
            .into_iter()
            .flatten()
        {
            let kinds = d["dep_kinds"].as_array().cloned().unwrap_or_default();
            let shipped = kinds
                .iter()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if shipped {
                if let Some(pkg) = d["pkg"].as_str() {
                    edges.entry(id.clone()).or_default().insert(pkg.to_string());
                    stack.push(pkg.to_string());
                }
            }
        }
    }
    let purl = |p: &Value| {
        format!(
            "pkg:cargo/{}@{}",
            p["name"].as_str().unwrap_or(""),
            p["version"].as_str().unwrap_or("")
        )
    };
    let mut components = Vec::new();
    let mut rows = Vec::new();
    let mut no_license = Vec::new();
    let mut no_checksum = Vec::new();
    for id in &seen {
        if *id == root_id {
            continue;
        }
        let Some(p) = packages.get(id) else { continue };
        let (name, version) = (
            p["name"].as_str().unwrap_or("").to_string(),
            p["version"].as_str().unwrap_or("").to_string(),
        );
        let license = p["license"].as_str().map(str::to_string);
        let checksum = sums.get(&(name.clone(), version.clone())).cloned();
        let local = p["source"].is_null();
        if license.is_none() {
            no_license.push(format!("{name} {version}"));
        }
        if checksum.is_none() && !local {
            no_checksum.push(format!("{name} {version}"));
        }
        let mut c = json!({"type": "library", "bom-ref": purl(p), "name": name, "version": version, "purl": purl(p)});
        if let Some(l) = &license {
            c["licenses"] = json!([{"expression": l}]);
        }
        if let Some(s) = &checksum {
            c["hashes"] = json!([{"alg": "SHA-256", "content": s}]);
        }
        if local {
            c["description"] = json!("workspace crate (no registry checksum)");
        }
        rows.push(vec![
            esc(&name),
            esc(&version),
            esc(license.as_deref().unwrap_or("(none declared)")),
            esc(&checksum.clone().unwrap_or_else(|| "-".into())),
        ]);
        components.push(c);
    }
    let root_pkg = packages[&root_id];
    let dependencies: Vec<Value> = edges
        .iter()
        .map(|(from, to)| {
            json!({
                "ref": packages.get(from).map(|p| purl(p)).unwrap_or_default(),
                "dependsOn": to.iter().filter_map(|t| packages.get(t).map(|p| purl(p))).collect::<Vec<_>>(),
            })
        })
        .collect();
    let sbom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "component": {"type": "library", "bom-ref": purl(root_pkg), "name": "xchat", "version": root_pkg["version"], "purl": purl(root_pkg), "licenses": [{"expression": root_pkg["license"]}]},
            "properties": [
                {"name": "xchat-audit:source", "value": "cargo metadata --locked --offline, Cargo.lock checksums; normal and build dependencies"},
                {"name": "xchat-audit:advisories", "value": "not checked (no RustSec advisory database available offline in this job)"},
            ],
        },
        "components": components,
        "dependencies": dependencies,
    });
    let mut html = format!(
        "<p>CycloneDX 1.6 SBOM of <code>xchat</code> (<code>sbom.cdx.json</code>): {} components (normal and build \
         dependencies, from <code>cargo metadata --locked</code>), each with its license expression and, for registry \
         crates, the SHA-256 checksum from Cargo.lock. Without a declared license: {}; registry crates without a checksum: {}. \
         RustSec advisories: not checked in this job (no advisory database offline); run <code>cargo audit</code> or \
         <code>cargo deny check advisories</code> where one is available.</p>",
        components.len(),
        no_license.len(),
        no_checksum.len()
    );
    html.push_str(&table(
        &["crate", "version", "license", "sha256 (Cargo.lock)"],
        &rows,
    ));
    let claim = Claim::new(
        "sbom.complete",
        "sbom",
        "Every dependency of xchat is in the SBOM with a license and (registry crates) a checksum",
        !components.is_empty() && no_license.is_empty() && no_checksum.is_empty(),
        format!(
            "{} components, {} without license, {} without checksum",
            components.len(),
            no_license.len(),
            no_checksum.len()
        ),
    );
    Ok(Part {
        artefacts: vec![json_artefact("sbom.cdx.json", &sbom)],
        claims: vec![claim],
        sections: vec![Section {
            id: "sbom".into(),
            title: "9. SBOM".into(),
            html,
        }],
    })
}
