//! Tests of the SPEC.md traceability check (`cargo xtask trace`).

use xtask::trace::{check, defined_ids, ids_in, load};

const SPEC: &str = "# Spec\n\
\n\
- **REQ-PAD-001** Padding is exact.\n\
- **REQ-PAD-002** Unpadding is strict (see REQ-PAD-001).\n\
Some prose citing REQ-PAD-003 is not a definition.\n";

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
}

#[test]
fn finds_ids_in_text() {
    assert_eq!(ids_in("see REQ-PAD-001 and REQ-RATCHET-007."), ["REQ-PAD-001", "REQ-RATCHET-007"]);
    assert_eq!(ids_in("REQ-X1-123"), ["REQ-X1-123"]);
    // Not ids: too few or too many digits, lowercase area, no area.
    assert!(ids_in("REQ-PAD-01 REQ-PAD-0001 REQ-pad-001 REQ--001").is_empty());
}

#[test]
fn only_bullet_definitions_define() {
    assert_eq!(defined_ids(SPEC), [("REQ-PAD-001".to_string(), 3), ("REQ-PAD-002".to_string(), 4)]);
}

#[test]
fn passes_when_every_id_is_implemented_and_tested() {
    let src = files(&[("spec/src/padding.rs", "/// REQ-PAD-001, REQ-PAD-002\nfn pad() {}")]);
    let tests = files(&[("spec/tests/padding.rs", "// REQ-PAD-001\n// REQ-PAD-002\n")]);
    let report = check(SPEC, &src, &tests);
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.tested_at["REQ-PAD-002"][0].line, 2);
}

#[test]
fn reports_missing_implementation_and_test() {
    let src = files(&[("spec/src/padding.rs", "/// REQ-PAD-001\n")]);
    let tests = files(&[("spec/tests/padding.rs", "// REQ-PAD-002\n")]);
    let report = check(SPEC, &src, &tests);
    assert!(!report.ok());
    assert_eq!(report.missing_impl(), ["REQ-PAD-002"]);
    assert_eq!(report.missing_test(), ["REQ-PAD-001"]);
}

#[test]
fn reports_undefined_and_duplicate_ids() {
    let spec = format!("{SPEC}- **REQ-PAD-002** again\n");
    let src = files(&[("spec/src/a.rs", "// REQ-PAD-001 REQ-PAD-002 REQ-PAD-009\n")]);
    let tests = files(&[("spec/tests/a.rs", "// REQ-PAD-001 REQ-PAD-002\n")]);
    let report = check(&spec, &src, &tests);
    assert!(!report.ok());
    assert_eq!(report.duplicates, ["REQ-PAD-002"]);
    assert_eq!(report.undefined.len(), 1);
    assert_eq!(report.undefined[0].0, "REQ-PAD-009");
    assert_eq!(report.undefined[0].1.to_string(), "spec/src/a.rs:1");
}

#[test]
fn an_empty_spec_never_passes() {
    assert!(!check("no requirements here", &[], &[]).ok());
}

/// The repository itself: every requirement of SPEC.md is implemented and
/// tested (the same check as `cargo xtask trace`, run by the test command).
#[test]
fn the_real_spec_md_is_fully_traced() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (spec_md, sources, tests) = load(&root).expect("SPEC.md and spec/ are readable");
    let report = check(&spec_md, &sources, &tests);
    println!("trace: {} requirements defined in SPEC.md", report.defined.len());
    assert!(report.defined.len() >= 30, "SPEC.md lost its requirements");
    assert!(report.missing_impl().is_empty(), "not implemented: {:?}", report.missing_impl());
    assert!(report.missing_test().is_empty(), "not tested: {:?}", report.missing_test());
    assert!(report.duplicates.is_empty(), "defined twice: {:?}", report.duplicates);
    assert!(report.undefined.is_empty(), "cited but undefined: {:?}", report.undefined);
}
