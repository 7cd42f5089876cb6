//! The committed vectors: byte-identical regeneration, the spec, the impl
//! and the adapter subprocess pass them, a few anchors against published
//! values, and the passive vectors agree with the scripted runner.

use serde_json::{json, Value};
use xchat_vectors::adapters::{imp::Impl, spec::Spec};
use xchat_vectors::conformance::{self, dispatch, Conformance};
use xchat_vectors::files::{self, VectorFile};
use xchat_vectors::runner;
use xchat_vectors::wire::Obj;

fn vectors() -> Vec<VectorFile> {
    files::load(&files::default_dir()).expect("committed vectors load and match the MANIFEST")
}

fn assert_passes(backend: &mut dyn Conformance, name: &str, min_passed: usize) {
    let report = runner::run(backend, &vectors(), &[], 0, "0");
    runner::print(&report, name, 10);
    let (passed, failed, _) = report.totals();
    assert_eq!(failed, 0, "{name} failed vectors");
    assert!(passed >= min_passed, "{name}: only {passed} vectors passed");
}

#[test]
fn committed_vectors_regenerate_byte_identically() {
    let problems = files::check(&files::default_dir());
    assert!(problems.is_empty(), "{problems:#?}");
    let n: usize = vectors().iter().map(|f| f.cases.len()).sum();
    println!("checked {n} vectors in {} files", vectors().len());
    assert!(n > 500);
}

#[test]
fn every_op_has_vectors_and_every_file_an_op() {
    let ops: Vec<String> = conformance::all()
        .iter()
        .map(|o| o.name.to_string())
        .collect();
    let files: Vec<String> = vectors().iter().map(|f| f.op.clone()).collect();
    assert_eq!(ops, files);
}

#[test]
fn spec_passes_every_vector() {
    assert_passes(&mut Spec, "spec", 570);
}

#[test]
fn impl_passes_every_vector_it_supports() {
    assert_passes(&mut Impl, "impl", 490);
}

#[test]
fn adapter_subprocess_passes_over_json_lines() {
    let mut external = runner::External::start(env!("CARGO_BIN_EXE_xchat-conform-adapter"))
        .expect("adapter starts");
    assert_passes(&mut external, "adapter", 490);
}

#[test]
fn random_cases_pass_on_the_impl() {
    let all = vectors();
    let report = runner::run(&mut Impl, &all, &[], 2, "test");
    let (passed, failed, skipped) = report.totals();
    println!("random: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    // The random cases ran (two per op) and some of them passed, not only
    // the committed vectors the same call also replays.
    let committed: usize = all.iter().map(|f| f.cases.len()).sum();
    assert_eq!(passed + skipped, committed + 2 * all.len());
    let baseline = runner::run(&mut Impl, &all, &[], 0, "test");
    assert!(
        passed > baseline.totals().0,
        "no random case passed: {passed} passed with them, {} without",
        baseline.totals().0
    );
}

fn output(op: &str, input: Value) -> Obj {
    match dispatch(&mut Spec, op, input.as_object().unwrap()) {
        Ok(o) => o,
        other => panic!("{op}: {other:?}"),
    }
}

/// Every committed input and output is exactly in its op's typed form: read
/// into the op's structs and written back, it is byte for byte the same
/// JSON (so the structs, the case builders and the files agree on every
/// field name, order and encoding).
#[test]
fn every_vector_is_in_its_ops_typed_form() {
    let mut n = 0;
    for f in vectors() {
        for v in &f.cases {
            let (input, output) = conformance::reencode(&f.op, &v.input, v.output.as_ref())
                .unwrap_or_else(|e| panic!("{} / {}: {e:?}", f.op, v.id));
            assert_eq!(input, v.input, "{} / {}: input", f.op, v.id);
            assert_eq!(output, v.output, "{} / {}: output", f.op, v.id);
            n += 1;
        }
    }
    assert!(n > 500);
}

/// The impl decides every case it does not answer `unsupported`, and the
/// report counts them per op.
#[test]
fn impl_decided_counts() {
    let report = runner::run(&mut Impl, &vectors(), &[], 0, "0");
    for o in &report.ops {
        assert_eq!(o.decided, o.passed + o.failed, "{}", o.op);
    }
    let (passed, _, skipped) = report.totals();
    assert_eq!(report.decided(), passed);
    assert!(skipped > 0, "the impl has ops it does not expose");
    let hs = report
        .ops
        .iter()
        .find(|o| o.op == "handshake_initiate")
        .unwrap();
    assert_eq!(
        hs.skipped, 0,
        "the handshake's intermediates come from the impl"
    );
}

#[test]
fn ops_match_published_values() {
    // FIPS 180-4 example "abc".
    assert_eq!(
        output("sha256", json!({"msg": "616263"}))["digest"],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // RFC 5869 A.1.
    assert_eq!(
        output(
            "hkdf_sha256",
            json!({"salt": "000102030405060708090a0b0c", "ikm": "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "info": "f0f1f2f3f4f5f6f7f8f9", "len": 42})
        )["okm"],
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    );
    // RFC 7748 section 5.2, first vector.
    assert_eq!(
        output(
            "x25519",
            json!({"scalar": "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", "u": "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"})
        )["shared"],
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
    );
    // RFC 8032 TEST 1.
    assert_eq!(
        output(
            "ed25519_public",
            json!({"seed": "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"})
        )["public"],
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    // SPEC.md section 10 examples.
    for (len, padded) in [
        (9u64, 10u64),
        (100, 104),
        (257, 272),
        (1000, 1024),
        (65537, 67584),
    ] {
        assert_eq!(output("padme", json!({"len": len}))["padded_len"], padded);
    }
    // SPEC.md section 13 examples (32 + P + 16 n).
    for (len, ct) in [(0u64, 48u64), (65536, 65584), (65537, 67648)] {
        assert_eq!(
            output("attachment_ciphertext_len", json!({"length": len}))["ciphertext_len"],
            ct
        );
    }
}

#[test]
fn passive_vectors_agree_with_the_scripted_runner() {
    let all = vectors();
    let file = |op: &str| all.iter().find(|f| f.op == op).unwrap().clone();
    let runs = file("session_run");
    let mut compared = 0;
    for (op, party) in [
        ("session_receive_responder", "bob"),
        ("session_receive_initiator", "alice"),
    ] {
        for case in file(op).cases {
            let Some(run) = runs.cases.iter().find(|r| r.id == case.id) else {
                continue;
            };
            let expected: Vec<Option<String>> = run.output.as_ref().unwrap()["outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| o["to"] == party && o.get("index").is_some() && o["outcome"] != "sent")
                .map(|o| o.get("error").and_then(Value::as_str).map(str::to_string))
                .collect();
            let actual: Vec<Option<String>> = case.output.as_ref().unwrap()["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.get("error").and_then(Value::as_str).map(str::to_string))
                .collect();
            assert_eq!(expected, actual, "{op} / {}", case.id);
            compared += 1;
        }
    }
    println!("compared {compared} passive vectors with their scripted runs");
    assert_eq!(compared, 8);
}
