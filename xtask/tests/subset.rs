//! Tests of the spec subset checker: one violating snippet per rule (rule id
//! and line asserted), compliant snippets, the manifest rules, and the real
//! `spec/` crate end to end.

use std::path::PathBuf;
use std::process::Command;

use xtask::subset::{
    check_crate, check_cycles, check_manifest, check_source, check_sources, cites, rule, Violation,
};

fn check(src: &str) -> Vec<Violation> {
    check_source("spec/src/t.rs", src)
}

/// Asserts that `rule` fires exactly on `lines` (in order) and prints what fired.
#[track_caller]
fn assert_rule(src: &str, rule: &str, lines: &[usize]) {
    let found = check(src);
    let got: Vec<usize> = found.iter().filter(|v| v.rule == rule).map(|v| v.line).collect();
    for v in &found {
        println!("{v}");
    }
    assert_eq!(got, lines, "rule [{rule}] lines; all violations: {found:#?}");
}

#[track_caller]
fn assert_clean(src: &str) {
    let found = check(src);
    assert!(found.is_empty(), "expected no violations, got: {found:#?}");
}

#[test]
fn unsafe_blocks_fns_impls_traits() {
    let src = "fn f() {\n    unsafe { g() }\n}\nunsafe fn g() {}\nunsafe impl Send for X {}\nunsafe trait T {}\n";
    assert_rule(src, rule::UNSAFE, &[2, 4, 5, 6]);
}

#[test]
fn static_items() {
    assert_rule("const A: u8 = 1;\nstatic B: u8 = 2;\n", rule::STATIC, &[2]);
}

#[test]
fn extern_blocks_crates_and_abis() {
    let src = "extern crate core;\nextern \"C\" {\n    fn puts();\n}\nextern \"C\" fn f() {}\n";
    assert_rule(src, rule::EXTERN, &[1, 2, 5]);
}

#[test]
fn async_and_await() {
    assert_rule("async fn f() {}\nfn g() {\n    let x = h().await;\n}\n", rule::ASYNC, &[1, 3]);
    assert_rule("fn g() {\n    let x = async { 1 };\n}\n", rule::ASYNC, &[2]);
}

#[test]
fn closures() {
    assert_rule(
        "fn f() -> u8 {\n    let add = |a: u8| a + 1;\n    add(1)\n}\n",
        rule::CLOSURE,
        &[2],
    );
}

#[test]
fn dyn_trait_objects() {
    assert_rule("fn f(x: u8) {}\nfn g(x: &dyn Tr) {}\n", rule::DYN, &[2]);
}

#[test]
fn impl_trait_types() {
    assert_rule("fn f(x: u8) {}\n\nfn g(x: u8) -> impl Tr {}\n", rule::IMPL_TRAIT, &[3]);
}

#[test]
fn function_pointers_and_fn_traits() {
    assert_rule("fn f(g: fn(u8) -> u8) {}\nfn h<G: Fn(u8)>(g: G) {}\n", rule::FN_POINTER, &[1, 2]);
}

#[test]
fn raw_pointers() {
    assert_rule("fn f(x: u8) {}\nfn g(p: *const u8) {}\n", rule::RAW_POINTER, &[2]);
}

#[test]
fn macros_other_than_vec() {
    let src = "fn f(x: u8) -> bool {\n    assert!(x > 0);\n    let s = format!(\"{x}\");\n    matches!(x, 1 | 2)\n}\nthread_local! {}\n";
    assert_rule(src, rule::MACRO, &[2, 3, 4, 6]);
}

#[test]
fn macro_rules_definitions() {
    assert_rule("fn f() {}\nmacro_rules! m {\n    () => {};\n}\n", rule::MACRO_RULES, &[2]);
}

#[test]
fn vec_arguments_are_checked() {
    let src = "fn f(v: &[u8]) -> Vec<u8> {\n    vec![v.iter().count() as u8; 2]\n}\n";
    assert_rule(src, rule::ITER_METHOD, &[2]);
    assert_rule(src, rule::CAST, &[2]);
}

#[test]
fn while_loops() {
    assert_rule(
        "fn f() {\n    let mut i = 0;\n    while i < 3 {\n        i += 1;\n    }\n}\n",
        rule::WHILE,
        &[3],
    );
}

#[test]
fn loop_loops() {
    assert_rule("fn f() {\n    loop {}\n}\n", rule::LOOP, &[2]);
}

#[test]
fn for_over_anything_but_a_half_open_range() {
    let src = "fn f(v: &[u8], n: usize) {\n    for i in 0..=n {}\n    for x in v {}\n    for x in [1, 2] {}\n    for i in 0.. {}\n    for i in 0..n {}\n}\n";
    assert_rule(src, rule::FOR_RANGE, &[2, 3, 4, 5]);
    // The iterator method is reported too.
    assert_rule("fn f(v: &[u8]) {\n    for x in v.iter() {}\n}\n", rule::FOR_RANGE, &[2]);
}

#[test]
fn break_continue_return_in_for_bodies() {
    let src = "fn f(n: usize) -> usize {\n    for i in 0..n {\n        if i == 2 {\n            break;\n        }\n        if i == 3 {\n            continue;\n        }\n        for j in 0..i {\n            return j;\n        }\n    }\n    return 0;\n}\n";
    assert_rule(src, rule::LOOP_EXIT, &[4, 7, 10]);
    // A `return` in a fn item nested in a loop body is that fn's own return.
    let nested = "fn f(n: usize) {\n    for i in 0..n {\n        fn g() -> u8 {\n            return 1;\n        }\n    }\n}\n";
    assert_rule(nested, rule::LOOP_EXIT, &[]);
}

#[test]
fn iterator_methods() {
    let src = "fn f(v: &[u8]) -> u32 {\n    let n = v.len();\n    let s: u32 = v\n        .iter()\n        .map(g)\n        .sum();\n    s\n}\n";
    assert_rule(src, rule::ITER_METHOD, &[4, 5, 6]);
}

#[test]
fn panicking_calls() {
    let src = "fn f(x: Option<u8>) -> u8 {\n    let a = x.unwrap();\n    let b = x.expect(\"b\");\n    Option::unwrap(x)\n}\n";
    assert_rule(src, rule::PANIC, &[2, 3, 4]);
}

#[test]
fn mut_refs_in_signatures() {
    let src = "fn f(x: &mut [u8]) {}\nfn g(x: u8) -> &mut u8 {}\nimpl S {\n    fn h(&mut self) {}\n    fn k(mut self, mut y: u8) -> Self {\n        let r = &mut y;\n        self\n    }\n}\n";
    assert_rule(src, rule::MUT_REF, &[1, 2, 4]);
}

#[test]
fn interior_mutability_io_clock_env_threads() {
    let src = "use std::cell::RefCell;\nuse std::{fs, vec::Vec};\nfn f() {\n    let r = Rc::new(1);\n    let t = std::time::Instant::now();\n    let a: AtomicU32 = x;\n    let e = core::sync::atomic::fence;\n}\n";
    assert_rule(src, rule::FORBIDDEN_PATH, &[1, 2, 4, 5, 6, 7]);
}

#[test]
fn casts_need_a_justification() {
    let src = "fn f(x: u64) -> u8 {\n    let a = x as u8;\n    // cast: the low byte is what the standard asks for.\n    let b = x as u8;\n    let c = x as u16; // cast: keeps the low 16 bits.\n    // cast: a comment separated by a blank line does not count.\n\n    let d = x as u32;\n    // the comment block above must say `cast:`,\n    // and so must not only the code:\n    let cast = 1;\n    let e = cast as u8;\n    a\n}\n";
    assert_rule(src, rule::CAST, &[2, 8, 12]);
}

#[test]
fn cast_comment_block_may_span_several_lines() {
    let src = "fn f(n: usize) -> u128 {\n    // cast: usize is at most 64 bits on every target,\n    // so the length fits.\n    (n as u128) * 8\n}\n";
    assert_clean(src);
}

#[test]
fn pub_fns_need_doc_comments() {
    let src = "/// Documented.\npub fn a() {}\npub fn b() {}\nfn c() {}\npub struct S;\nimpl S {\n    pub fn d(self) {}\n    ///\n    pub fn e(self) {}\n}\n";
    assert_rule(src, rule::PUB_FN_DOC, &[3, 7, 9]);
}

#[test]
fn hax_annotations_only_as_cfg_attr_contracts() {
    let src = "use hax_lib::*;\nfn pre_f(n: usize) -> bool {\n    n < 4\n}\nfn post_f(n: u8) -> u8 {\n    n\n}\n#[hax_lib::requires(pre_f(n))]\nfn a(n: usize) {}\n#[cfg_attr(hax, hax_lib::requires(missing(n)))]\nfn b(n: usize) {}\n#[cfg_attr(hax, hax_lib::ensures(|r| post_f(r)))]\nfn c(n: u8) -> u8 {\n    n\n}\n#[cfg_attr(hax, hax_lib::requires(n < 4))]\nfn d(n: usize) {}\n#[cfg_attr(hax, hax_lib::fstar::verification_status(lax))]\nfn e() {}\nfn g() {\n    hax_lib::assume!(true);\n}\n";
    assert_rule(src, rule::HAX, &[1, 8, 10, 12, 16, 18, 21]);
}

#[test]
fn hax_predicates_may_live_in_another_file() {
    let files = [
        (
            "spec/src/a.rs".to_string(),
            "/// Precondition (RFC 0000, section 1).\npub fn pre_a(n: usize) -> bool {\n    n > 0\n}\n".to_string(),
        ),
        (
            "spec/src/b.rs".to_string(),
            "#[cfg_attr(hax, hax_lib::requires(pre_a(n)))]\nfn b(n: usize) {}\n".to_string(),
        ),
    ];
    assert_eq!(check_sources(&files), vec![]);
    assert_eq!(check_source("spec/src/b.rs", &files[1].1).len(), 1);
}

#[test]
fn crate_root_forbids_unsafe_code() {
    let found = check_source("spec/src/lib.rs", "//! Docs.\npub mod a;\n");
    assert_eq!(
        found.iter().map(|v| (v.rule, v.line)).collect::<Vec<_>>(),
        [(rule::FORBID_UNSAFE, 1)]
    );
    assert!(check_source("spec/src/lib.rs", "//! Docs.\n#![forbid(unsafe_code)]\npub mod a;\n")
        .is_empty());
    // Only the crate root needs it.
    assert!(check_source("spec/src/a.rs", "//! Docs.\n").is_empty());
}

#[test]
fn unparsable_files_are_violations() {
    assert_rule("fn f() {\n    let x = ;\n}\n", rule::PARSE, &[2]);
}

#[test]
fn compliant_code_passes() {
    let src = r#"//! A compliant module.

use crate::Error;

/// Length of a block (RFC 0000, section 1).
pub const LEN: usize = 4;
const TABLE: [u32; 2] = [1, 2];

/// Precondition of [`sum_prefix`]: `n` is at most the length of `v`
/// (RFC 0000, section 2).
pub fn pre_sum_prefix(v: &[u8], n: usize) -> bool {
    n <= v.len()
}

/// Sum of the first `n` bytes, RFC 0000 section 2.
#[cfg_attr(hax, hax_lib::requires(pre_sum_prefix(v, n)))]
#[cfg_attr(hax, hax_lib::ensures(|r| pre_sum_prefix(v, n)))]
pub fn sum_prefix(v: &[u8], n: usize) -> Result<u32, Error> {
    let mut acc = 0u32;
    let mut done = false;
    for i in 0..n {
        if !done && v[i] == 0 {
            done = true;
        }
        if !done {
            acc = acc.wrapping_add(u32::from(v[i])).wrapping_add(TABLE[i % 2]);
        }
    }
    let mut out = vec![0u8; 4];
    out[0] = acc.to_le_bytes()[0];
    out.extend_from_slice(&[1, 2]);
    // cast: n < 2^32 by the precondition, so no bit is lost.
    let low = n as u32;
    let b = acc.to_le_bytes()[0] as u32; // cast: u8 to u32 is lossless
    match v.first() {
        Some(_) => Ok(acc + low + b + out.len() as u32), // cast: out has 6 elements
        None => Err(Error::InvalidLength),
    }
}

/// A state passed by value.
pub struct State {
    words: [u32; 2],
}

impl State {
    /// Returns the state with `x` mixed in (RFC 0000, section 3).
    pub fn absorb(mut self, x: u32) -> State {
        self.words[0] ^= x;
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    A,
}
"#;
    assert_clean(src);
}

#[test]
fn violations_print_as_file_line_col_rule_message() {
    let found = check("fn f() {\n    let x = y.unwrap();\n}\n");
    assert_eq!(found.len(), 1);
    let line = found[0].to_string();
    assert!(
        line.starts_with("spec/src/t.rs:2:15: [panic] `.unwrap()` (it may panic) is forbidden: "),
        "{line}"
    );
}

const GOOD_MANIFEST: &str = r#"[package]
name = "xchat-spec"
version = "0.1.0"

[dependencies]

[target.'cfg(hax)'.dependencies]
hax-lib = "0.4"

[dev-dependencies]
serde_json = "1"
"#;

fn manifest_rules(toml: &str) -> Vec<(&'static str, usize)> {
    let found = check_manifest("spec/Cargo.toml", toml);
    for v in &found {
        println!("{v}");
    }
    found.iter().map(|v| (v.rule, v.line)).collect()
}

#[test]
fn manifest_allows_hax_lib_for_hax_and_dev_dependencies() {
    assert_eq!(manifest_rules(GOOD_MANIFEST), []);
    assert_eq!(manifest_rules("[package]\nname = \"x\"\n"), []);
}

#[test]
fn manifest_dependencies_must_be_empty() {
    let toml = GOOD_MANIFEST.replace("[dependencies]\n", "[dependencies]\nsha2 = \"0.10\"\n");
    assert_eq!(manifest_rules(&toml), [(rule::DEPS, 6)]);
    let dotted = "[package]\nname = \"x\"\n\n[dependencies.rand]\nversion = \"0.8\"\n";
    assert_eq!(manifest_rules(dotted), [(rule::DEPS, 4)]);
}

#[test]
fn manifest_build_dependencies_forbidden() {
    let toml = format!("{GOOD_MANIFEST}\n[build-dependencies]\ncc = \"1\"\n");
    assert_eq!(manifest_rules(&toml), [(rule::BUILD_DEPS, 13)]);
}

#[test]
fn manifest_other_target_tables_forbidden() {
    let toml = format!("{GOOD_MANIFEST}\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n");
    assert_eq!(manifest_rules(&toml), [(rule::TARGET_DEPS, 13)]);
    let dev = format!("{GOOD_MANIFEST}\n[target.'cfg(hax)'.dev-dependencies]\nfoo = \"1\"\n");
    assert_eq!(manifest_rules(&dev), [(rule::TARGET_DEPS, 13)]);
}

#[test]
fn manifest_hax_target_holds_only_hax_lib() {
    let toml = GOOD_MANIFEST.replace("hax-lib = \"0.4\"\n", "hax-lib = \"0.4\"\nrand = \"0.8\"\n");
    assert_eq!(manifest_rules(&toml), [(rule::TARGET_DEPS, 9)]);
    let renamed = GOOD_MANIFEST
        .replace("hax-lib = \"0.4\"", "hax-lib = { package = \"rand\", version = \"0.8\" }");
    assert_eq!(manifest_rules(&renamed), [(rule::TARGET_DEPS, 8)]);
}

#[test]
fn pub_fn_docs_must_cite_a_standard_or_spec_md() {
    let src = "/// Documented.\npub fn a() {}\n/// See section 4 and Algorithm 15.\npub fn b() {}\n/// As NIST and Signal do.\npub fn c() {}\n/// XRFC 1, RFC x, FIPS-203, SP 800-x.\npub fn d() {}\n/// REQ-lower-001, REQ-AB-x, redraft-x, draft-X.\npub fn e() {}\nfn private() {}\npub fn undocumented() {}\npub struct S;\nimpl S {\n    /// Nothing.\n    pub fn f(self) {}\n    /// RFC 8439 section 2.8.\n    pub fn g(self) {}\n}\n";
    assert_rule(src, rule::PUB_FN_CITE, &[2, 4, 6, 8, 10, 16]);
    // A missing doc comment is its own rule, reported once.
    assert_rule(src, rule::PUB_FN_DOC, &[12]);
}

#[test]
fn pub_fn_doc_citations_that_count() {
    let src = "/// Encodes it (SPEC.md section 11).\npub fn a() {}\n/// Checks labels (REQ-SUITE-004).\npub fn b() {}\n/// ChaCha20, RFC\n/// 8439 section 2.4 (a citation may wrap).\npub fn c() {}\n/// K-PKE.Encrypt (FIPS 203, Algorithm 14).\npub fn d() {}\n/// GCM (NIST SP 800-38D).\npub fn e() {}\n/// HChaCha20 (draft-irtf-cfrg-xchacha-03, section 2.2).\npub fn f() {}\n/// Test harness over SPEC.md section 15.\npub fn g() {}\n";
    assert_clean(src);
    for doc in ["SPEC.md", "REQ-ATT-003", "(RFC 5869)", "FIPS 202", "SP 800-56A", "draft-ietf-x"] {
        assert!(cites(doc), "{doc}");
    }
    for doc in ["", "section 4", "Algorithm 8", "NIST", "Signal", "SPEC", "RFC", "XRFC 1", "REQ-X"]
    {
        assert!(!cites(doc), "{doc}");
    }
}

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect()
}

/// A crate with two module cycles: `a -> b -> c -> a` (a `use`, a path
/// inside `vec![..]`, a `super::` path) and `d -> error -> d` (through the
/// root's re-export `crate::Error`, and from a submodule of the directory
/// module `d`). Doc links and self-edges are not edges.
fn cyclic_crate() -> Vec<(String, String)> {
    files(&[
        (
            "x/src/lib.rs",
            "#![forbid(unsafe_code)]\npub mod a;\npub mod b;\npub mod c;\npub mod d;\npub mod error;\npub use error::Error;\n",
        ),
        ("x/src/a.rs", "//! [`crate::c::X`] is only a doc link.\nuse crate::a::Y;\nuse crate::b::X;\n"),
        ("x/src/b.rs", "fn f() -> Vec<u8> {\n    vec![crate::c::X; 2]\n}\n"),
        ("x/src/c.rs", "pub const X: u8 = 1;\nfn g() -> u8 {\n    super::a::f()\n}\n"),
        ("x/src/d/mod.rs", "pub mod e;\npub use e::E;\n"),
        ("x/src/d/e.rs", "use super::E as F;\nuse crate::{d::e, Error};\n"),
        ("x/src/error.rs", "pub enum Error {\n    A(crate::d::E),\n}\n"),
    ])
}

#[test]
fn module_cycles_are_violations() {
    let found: Vec<Violation> = check_sources(&cyclic_crate())
        .into_iter()
        .filter(|v| v.rule == rule::MODULE_CYCLE)
        .collect();
    for v in &found {
        println!("{v}");
    }
    let at: Vec<(&str, usize)> = found.iter().map(|v| (v.file.as_str(), v.line)).collect();
    assert_eq!(at, [("x/src/a.rs", 3), ("x/src/d/e.rs", 2)], "{found:#?}");
    let m = &found[0].message;
    assert!(m.starts_with("module cycle `a -> b -> c -> a` ("), "{m}");
    assert!(m.contains("`a` uses `b` at x/src/a.rs:3"), "{m}");
    assert!(m.contains("`b` uses `c` at x/src/b.rs:2"), "{m}");
    assert!(m.contains("`c` uses `a` at x/src/c.rs:3"), "{m}");
    assert!(m.contains("{a, b, c}"), "{m}");
    let m = &found[1].message;
    assert!(m.starts_with("module cycle `d -> error -> d` ("), "{m}");
    assert!(m.contains("`d` uses `error` at x/src/d/e.rs:2"), "{m}");
    assert!(m.contains("`error` uses `d` at x/src/error.rs:2"), "{m}");
}

#[test]
fn acyclic_modules_pass() {
    // Break both cycles: `c` uses `d` instead of `a`, `error` no longer
    // uses `d`. What is left, `a -> b -> c -> d -> error`, is acyclic.
    let mut crate_files = cyclic_crate();
    crate_files[3].1 = "pub const X: u8 = 1;\nfn g() -> super::d::E {\n    h()\n}\n".into();
    crate_files[6].1 = "pub enum Error {\n    A(u8),\n}\n".into();
    let found = check_cycles(&crate_files);
    assert!(found.is_empty(), "{found:#?}");
    // One file alone never has a cycle, and self-edges do not count.
    assert!(check_cycles(&files(&[("x/src/a.rs", "use crate::a::Y;\nuse super::a;\n")])).is_empty());
}

#[test]
fn the_real_spec_has_no_module_cycle() {
    let report = check_crate(&spec_dir(), "spec").expect("spec/ is readable");
    let cycles: Vec<_> =
        report.violations.iter().filter(|v| v.rule == rule::MODULE_CYCLE).collect();
    assert!(cycles.is_empty(), "{cycles:#?}");
}

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

#[test]
fn the_real_spec_crate_passes() {
    let report = check_crate(&spec_dir(), "spec").expect("spec/ is readable");
    for v in &report.violations {
        println!("{v}");
    }
    println!("subset: {} files checked", report.files_checked);
    assert!(report.files_checked >= 4, "lib.rs, error.rs, sha2.rs and Cargo.toml at least");
    assert!(report.violations.is_empty(), "{} violations in spec/", report.violations.len());
}

#[test]
fn the_binary_reports_and_sets_the_exit_code() {
    let bin = env!("CARGO_BIN_EXE_xtask");
    let usage = Command::new(bin).arg("frobnicate").output().expect("runs");
    assert_eq!(usage.status.code(), Some(2));

    let ok = Command::new(bin)
        .args(["subset", spec_dir().to_str().expect("utf-8 path")])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{stdout}");
    assert!(stdout.trim_end().ends_with("files checked, 0 violations"), "{stdout}");

    let dir = std::env::temp_dir().join(format!("xtask-subset-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).expect("temp dir");
    std::fs::write(dir.join("Cargo.toml"), GOOD_MANIFEST).expect("write");
    std::fs::write(dir.join("src/lib.rs"), "#![forbid(unsafe_code)]\nfn f() {\n    loop {}\n}\n")
        .expect("write");
    let bad = Command::new(bin)
        .args(["subset", dir.to_str().expect("utf-8 path")])
        .output()
        .expect("runs");
    std::fs::remove_dir_all(&dir).expect("cleanup");
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    let first = stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with(&format!("{}/src/lib.rs:3:5: [loop] ", dir.display())), "{stdout}");
    assert!(stdout.contains("subset: 2 files checked, 1 violation\n"), "{stdout}");
}
