//! The bundle is a pure function of the commit: two runs in one process
//! give the same files, byte for byte, and what is written to disk is what
//! was built. Also checks what the bundle must contain on the current
//! protocol: every artefact, a manifest hashing every file, a report with
//! every section, and every claim passing.

use std::collections::BTreeMap;

use xchat_audit::{build, util::sha256_hex, write, Bundle, Options};

fn files(b: &Bundle) -> BTreeMap<String, Vec<u8>> {
    b.files
        .iter()
        .map(|f| (f.file.clone(), f.bytes.clone()))
        .collect()
}

#[test]
fn two_runs_give_identical_bundles() {
    let opts = Options::workspace();
    let mut steps = Vec::new();
    let a = build(&opts, &mut |i, label| steps.push((i, label.to_string()))).expect("first run");
    let b = build(&opts, &mut |_, _| {}).expect("second run");
    assert_eq!(
        steps.len(),
        xchat_audit::STEPS.len(),
        "one progress call per step"
    );
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between two runs");
    }

    // Every artefact of the issue that this job produces is there.
    for name in [
        "exposure-map.json",
        "canary-scan.json",
        "length-leakage.json",
        "length-leakage.svg",
        "fs-pcs.json",
        "tamper-matrix.json",
        "conformance.json",
        "kat-attestation.intoto.json",
        "traceability.json",
        "cbom.cdx.json",
        "crypto-policy.json",
        "sbom.cdx.json",
        "data-inventory.json",
        "scope-notes.json",
        "results.json",
        "report.html",
        "manifest.json",
    ] {
        assert!(fa.contains_key(name), "{name} missing from the bundle");
    }

    // The manifest hashes every other file.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fa["manifest.json"]).expect("manifest JSON");
    let listed = manifest["files"].as_array().expect("files");
    assert_eq!(listed.len(), fa.len() - 1);
    for entry in listed {
        let name = entry["file"].as_str().expect("file");
        assert_eq!(
            entry["sha256"].as_str(),
            Some(sha256_hex(&fa[name]).as_str()),
            "{name}"
        );
    }
    assert_eq!(
        manifest["commit"].as_str().map(str::len),
        Some(40),
        "a git commit"
    );

    // Every claim holds on the current protocol, and the report says so.
    let failed: Vec<_> = a
        .claims
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {}", c.id, c.detail))
        .collect();
    assert!(failed.is_empty(), "failed claims: {failed:?}");
    let report = String::from_utf8(fa["report.html"].clone()).expect("UTF-8 report");
    assert!(report.contains(&format!("all {} claims pass", a.claims.len())));
    assert!(!report.contains("<script"), "no script in the report");
    assert!(
        !report.contains("http://")
            || report
                .matches("http://")
                .all(|_| report.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    );
    for c in &a.claims {
        assert!(
            report.contains(&format!("id=\"{}\"", c.section)),
            "section {} of claim {}",
            c.section,
            c.id
        );
    }

    // What is written is what was built.
    let dir = std::env::temp_dir().join(format!("xchat-audit-determinism-{}", std::process::id()));
    write(&a, &dir).expect("write");
    for (name, bytes) in &fa {
        assert_eq!(
            &std::fs::read(dir.join(name)).expect("read back"),
            bytes,
            "{name}"
        );
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}
