//! The Wycheproof cases whose fixed-length input has another length: a
//! signature that is not 64 bytes, an AEAD nonce that is not 12 (24) bytes,
//! an ML-KEM seed that is not 64 bytes. The typed primitives cannot be
//! called with them (they take `&[u8; N]`), so `impl/tests/crypto_diff.rs`
//! does not count them as checked; here they go through the byte-string
//! interface where the length check actually is, the conformance adapters of
//! both sides (`impl_ops`, `spec_ops`), which must both answer
//! `InvalidLength`.

#[path = "../../spec/tests/common/mod.rs"]
mod common;

use common::{Tally, Verdict};
use serde_json::Value;
use xchat_vectors::value::{hx, obj, Answer, Obj};
use xchat_vectors::{impl_ops, spec_ops};

/// Runs `op` on `input` through both adapters; both must answer
/// `InvalidLength`.
fn both_invalid_length(op: &str, input: &Obj, id: &str) {
    let (imp, spec) = (impl_ops::call(op, input), spec_ops::call(op, input));
    assert_eq!(imp, spec, "{op} {id}: impl and spec differ");
    assert_eq!(
        imp,
        Answer::Error("InvalidLength".to_string()),
        "{op} {id}: the impl's answer"
    );
}

/// Wycheproof ed25519_test.json: the 12 signatures of another length than
/// 64 bytes.
#[test]
fn ed25519_wrong_length_signatures() {
    let mut t = Tally::new("wycheproof ed25519 wrong-length sig (impl = spec = InvalidLength)");
    for c in common::wycheproof_ed25519() {
        if c.sig.len() == 64 {
            continue;
        }
        assert_eq!(c.verdict, Verdict::Invalid, "{}", c.id);
        let input = obj([
            ("public", hx(&c.pk)),
            ("msg", hx(&c.msg)),
            ("sig", hx(&c.sig)),
        ]);
        both_invalid_length("ed25519_verify", &input, &c.id);
        t.check();
    }
    assert_eq!(t.finish(12), 12);
}

/// Wycheproof (X)ChaCha20-Poly1305: the cases with another nonce size,
/// through `open` (with the file's ciphertext) and `seal`.
fn aead_wrong_nonces(file: &str, nonce_len: usize, op: &str) {
    let mut t = Tally::new(&format!(
        "{file} wrong nonce size (impl = spec = InvalidLength)"
    ));
    for c in common::wycheproof_aead(file) {
        if c.iv.len() == nonce_len {
            continue;
        }
        assert_eq!(c.verdict, Verdict::Invalid, "{}", c.id);
        let (key, nonce, aad): (Value, Value, Value) = (hx(&c.key), hx(&c.iv), hx(&c.aad));
        let open = obj([
            ("key", key.clone()),
            ("nonce", nonce.clone()),
            ("aad", aad.clone()),
            ("ct", hx(&c.sealed)),
        ]);
        both_invalid_length(&format!("{op}_open"), &open, &c.id);
        let seal = obj([
            ("key", key),
            ("nonce", nonce),
            ("aad", aad),
            ("msg", hx(&c.msg)),
        ]);
        both_invalid_length(&format!("{op}_seal"), &seal, &c.id);
        t.check();
    }
    assert_eq!(t.finish(9), 9);
}

#[test]
fn chacha20_poly1305_wrong_nonce_sizes() {
    aead_wrong_nonces(
        "wycheproof/chacha20_poly1305_test.json",
        12,
        "chacha20poly1305",
    );
}

#[test]
fn xchacha20_poly1305_wrong_nonce_sizes() {
    aead_wrong_nonces(
        "wycheproof/xchacha20_poly1305_test.json",
        24,
        "xchacha20poly1305",
    );
}

/// Wycheproof mlkem_768_test.json: the 20 seeds ("private key too short" or
/// "too long") that are not 64 bytes. The seed is `d || z`; split at 32
/// bytes (or at its end), at least one of the two is not 32 bytes, and key
/// generation must be `InvalidLength` on both sides.
#[test]
fn mlkem_768_wrong_length_seeds() {
    let mut t =
        Tally::new("wycheproof mlkem_768_test wrong-length seed (impl = spec = InvalidLength)");
    for case in common::wycheproof_mlkem_768_test() {
        if case.seed.len() == 64 {
            continue;
        }
        assert_eq!(case.verdict, Verdict::Invalid, "{}", case.id);
        let (d, z) = case.seed.split_at(case.seed.len().min(32));
        let input = obj([("d", hx(d)), ("z", hx(z))]);
        both_invalid_length("mlkem768_keygen", &input, &case.id);
        t.check();
    }
    assert_eq!(t.finish(20), 20);
}
