//! The Wycheproof cases whose fixed-length input has another length: a
//! signature that is not 64 bytes, an AEAD nonce that is not 12 (24) bytes,
//! an ML-KEM seed that is not 64 bytes. The typed primitives of both sides
//! take `&[u8; N]` and cannot be called with them, so
//! `impl/tests/crypto_diff.rs` does not count them. Here they go through
//! the byte-string interface: the spec's adapter defines its answer,
//! `InvalidLength` (SPEC.md: a fixed-length input of another length); the
//! impl's adapter answers `Unsupported`, because the impl cannot be asked
//! and the adapter decides nothing itself. What is counted is exactly that
//! pair of answers, not a primitive's verdict.

#[path = "../../spec/tests/common/mod.rs"]
mod common;

use common::{Tally, Verdict};
use xchat_vectors::adapters::{imp::Impl, spec::Spec};
use xchat_vectors::conformance::{dispatch, Conformance};
use xchat_vectors::ops::{aead, ed25519, mlkem};
use xchat_vectors::wire::{to_obj, Answer, Error, ErrorKind, Obj};

/// The pair of answers every case here must get.
fn spec_invalid_impl_unsupported<T: std::fmt::Debug>(spec: Answer<T>, imp: Answer<T>, id: &str) {
    assert_eq!(
        spec.err(),
        Some(Error::Kind(ErrorKind::InvalidLength)),
        "{id}: the spec's answer"
    );
    assert_eq!(
        imp.err(),
        Some(Error::Unsupported),
        "{id}: the impl's answer"
    );
}

/// Wycheproof ed25519_test.json: the 12 signatures of another length than
/// 64 bytes.
#[test]
fn ed25519_wrong_length_signatures() {
    let mut t =
        Tally::new("wycheproof ed25519 wrong-length sig (spec InvalidLength, impl unsupported)");
    for c in common::wycheproof_ed25519() {
        if c.sig.len() == 64 {
            continue;
        }
        assert_eq!(c.verdict, Verdict::Invalid, "{}", c.id);
        let input = ed25519::VerifyIn {
            public: c.pk.into(),
            msg: c.msg.clone().into(),
            sig: c.sig.clone().into(),
        };
        spec_invalid_impl_unsupported(
            Spec.ed25519_verify(&input),
            Impl.ed25519_verify(&input),
            &c.id,
        );
        t.check();
    }
    assert_eq!(t.finish(12), 12);
}

/// Wycheproof (X)ChaCha20-Poly1305: the cases with another nonce size,
/// through `open` (with the file's ciphertext) and `seal`. Both AEADs have
/// the same wire fields, so the ChaCha20-Poly1305 structs write the
/// requests of either, dispatched by op name.
fn aead_wrong_nonces(file: &str, nonce_len: usize, op: &str) {
    let mut t = Tally::new(&format!(
        "{file} wrong nonce size (spec InvalidLength, impl unsupported)"
    ));
    let both = |op: &str, input: &Obj, id: &str| {
        spec_invalid_impl_unsupported(
            dispatch(&mut Spec, op, input),
            dispatch(&mut Impl, op, input),
            id,
        )
    };
    for c in common::wycheproof_aead(file) {
        if c.iv.len() == nonce_len {
            continue;
        }
        assert_eq!(c.verdict, Verdict::Invalid, "{}", c.id);
        let open = aead::OpenIn {
            key: c.key.clone().into(),
            nonce: c.iv.clone().into(),
            aad: c.aad.clone().into(),
            ct: c.sealed.clone().into(),
        };
        both(&format!("{op}_open"), &to_obj(&open).unwrap(), &c.id);
        let seal = aead::SealIn {
            key: open.key,
            nonce: open.nonce,
            aad: open.aad,
            msg: c.msg.clone().into(),
        };
        both(&format!("{op}_seal"), &to_obj(&seal).unwrap(), &c.id);
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
/// bytes (or at its end), at least one of the two is not 32 bytes.
#[test]
fn mlkem_768_wrong_length_seeds() {
    let mut t = Tally::new(
        "wycheproof mlkem_768_test wrong-length seed (spec InvalidLength, impl unsupported)",
    );
    for case in common::wycheproof_mlkem_768_test() {
        if case.seed.len() == 64 {
            continue;
        }
        assert_eq!(case.verdict, Verdict::Invalid, "{}", case.id);
        let (d, z) = case.seed.split_at(case.seed.len().min(32));
        let input = mlkem::KeygenIn {
            d: d.into(),
            z: z.into(),
        };
        spec_invalid_impl_unsupported(
            Spec.mlkem768_keygen(&input),
            Impl.mlkem768_keygen(&input),
            &case.id,
        );
        t.check();
    }
    assert_eq!(t.finish(20), 20);
}
