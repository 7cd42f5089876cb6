//! Known-answer tests for X25519 (RFC 7748, section 5): the RFC's own
//! vectors (sections 5.2 and 6.1) and every Wycheproof case.

mod common;

use common::{hex_array, to_hex, ystr, Tally, Verdict};
use xchat_spec::x25519::{x25519, x25519_base, BASE_POINT};

fn rfc7748() -> serde_norway::Value {
    common::yaml("rfc/rfc-vectors.yaml")["rfc7748"].clone()
}

/// RFC 7748 section 5.2: the two single-step vectors (the second has bit
/// 255 of u set, which must be masked).
#[test]
fn rfc7748_section_5_2_vectors() {
    let mut t = Tally::new("rfc7748 5.2 vectors");
    let vectors = rfc7748()["sec_5_2_x25519_vectors"].clone();
    for v in vectors.as_sequence().expect("sequence") {
        let k: [u8; 32] = hex_array(ystr(v, "scalar"));
        let u: [u8; 32] = hex_array(ystr(v, "u"));
        let out: [u8; 32] = hex_array(ystr(v, "output"));
        assert_eq!(to_hex(&x25519(&k, &u)), to_hex(&out));
        t.check();
    }
    t.finish(2);
}

/// The iteration of RFC 7748 section 5.2: k = u = 9; repeat
/// r = X25519(k, u), u = k, k = r.
fn iterate(n: usize) -> [u8; 32] {
    let mut k = BASE_POINT;
    let mut u = BASE_POINT;
    for _ in 0..n {
        let r = x25519(&k, &u);
        u = k;
        k = r;
    }
    k
}

#[test]
fn rfc7748_section_5_2_iterated() {
    let mut t = Tally::new("rfc7748 5.2 iterated (1, 1000)");
    let it = rfc7748()["sec_5_2_x25519_iterated"].clone();
    assert_eq!(to_hex(&iterate(1)), ystr(&it, "after_1"));
    t.check();
    assert_eq!(to_hex(&iterate(1000)), ystr(&it, "after_1000"));
    t.check();
    t.finish(2);
}

/// The 1,000,000-iteration check of RFC 7748 section 5.2 (minutes in
/// release; run with `--ignored`).
#[test]
#[ignore]
fn rfc7748_section_5_2_iterated_1m() {
    let mut t = Tally::new("rfc7748 5.2 iterated (1,000,000)");
    let it = rfc7748()["sec_5_2_x25519_iterated"].clone();
    assert_eq!(to_hex(&iterate(1_000_000)), ystr(&it, "after_1000000"));
    t.check();
    t.finish(1);
}

/// RFC 7748 section 6.1: both public keys from the base point, and the
/// shared secret computed in both directions.
#[test]
fn rfc7748_section_6_1_diffie_hellman() {
    let mut t = Tally::new("rfc7748 6.1 diffie-hellman");
    let dh = rfc7748()["sec_6_1_diffie_hellman"].clone();
    let a_priv: [u8; 32] = hex_array(ystr(&dh, "alice_private"));
    let b_priv: [u8; 32] = hex_array(ystr(&dh, "bob_private"));
    let a_pub = x25519_base(&a_priv);
    let b_pub = x25519_base(&b_priv);
    assert_eq!(to_hex(&a_pub), ystr(&dh, "alice_public"));
    t.check();
    assert_eq!(to_hex(&b_pub), ystr(&dh, "bob_public"));
    t.check();
    assert_eq!(to_hex(&x25519(&a_priv, &b_pub)), ystr(&dh, "shared_K"));
    t.check();
    assert_eq!(to_hex(&x25519(&b_priv, &a_pub)), ystr(&dh, "shared_K"));
    t.check();
    t.finish(4);
}

/// Wycheproof x25519_test.json. Our `x25519` is the raw RFC 7748 function,
/// defined on every 32-byte input, so every case, `valid` or `acceptable`,
/// must give exactly `shared`. The `acceptable` cases (low-order and twist
/// points, non-canonical u) are the ones where only a protocol-level check
/// (section 6.1's all-zero test) could decide differently; for those with
/// an all-zero `shared` we assert the output is all zero, which is what
/// that check will see. The file has no `invalid` case; if one appears, the
/// test fails so that it gets handled deliberately.
#[test]
fn wycheproof_x25519() {
    let mut t = Tally::new("wycheproof x25519");
    let mut zero_shared = 0;
    for c in common::wycheproof_x25519() {
        let id = &c.id;
        assert_eq!(c.curve, "curve25519", "{id}: unexpected curve");
        assert_ne!(
            c.verdict,
            Verdict::Invalid,
            "{id}: an invalid X25519 case must be handled explicitly"
        );
        let out = x25519(&c.private, &c.public);
        assert_eq!(to_hex(&out), to_hex(&c.shared), "{id}");
        if c.shared == [0u8; 32] {
            assert_eq!(out, [0u8; 32], "{id}");
            zero_shared += 1;
        }
        t.check();
    }
    println!("wycheproof x25519: {zero_shared} cases with an all-zero shared secret");
    assert!(zero_shared > 0);
    t.finish(518);
}
