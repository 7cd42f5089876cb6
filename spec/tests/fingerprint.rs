//! Safety numbers (SPEC.md section 14): the iterated hash, the digit
//! extraction, and the symmetric 60-digit safety number.

mod common;

use common::Tally;
use xchat_spec::encoding::{enc_ed25519, enc_x25519};
use xchat_spec::fingerprint::{digits, fingerprint, iterated_hash, safety_number, FP_ITERATIONS};
use xchat_spec::handle::{enc_handle, parse_handle};
use xchat_spec::identity::{generate, IdentityPublic};
use xchat_spec::sha2::{sha256, sha512};

fn id(name: &str, seed: &str) -> IdentityPublic {
    generate(
        &parse_handle(name.as_bytes()).unwrap(),
        &sha512(seed.as_bytes()),
    )
    .1
}

/// The formula of SPEC.md section 14, written out independently with
/// SHA-256 and integer arithmetic.
fn reference_fingerprint(x: &IdentityPublic) -> String {
    let keys = [enc_ed25519(&x.sig_pub), enc_x25519(&x.dh_pub)].concat();
    let mut fp = sha256(
        &[
            b"XCHAT-1 fingerprint".as_slice(),
            &enc_handle(&x.handle),
            &keys,
        ]
        .concat(),
    );
    for _ in 1..=5200 {
        fp = sha256(&[fp.as_slice(), &keys].concat());
    }
    (0..6)
        .map(|j| {
            let v = fp[5 * j..5 * j + 5]
                .iter()
                .fold(0u64, |a, &b| a * 256 + u64::from(b));
            format!("{:05}", v % 100000)
        })
        .collect()
}

/// REQ-FP-001: the fingerprint is `digits(fp_5200)` exactly as SPEC.md
/// section 14 writes it (5200 iterations), 30 ASCII digits.
#[test]
fn fingerprint_matches_formula() {
    let mut t = Tally::new("fingerprints against the section 14 formula");
    assert_eq!(FP_ITERATIONS, 5200);
    for (name, seed) in [("alice", "a"), ("bob", "b"), ("Carol_1", "c")] {
        let x = id(name, seed);
        let fp = fingerprint(&x);
        assert_eq!(fp.len(), 30);
        assert!(fp.iter().all(u8::is_ascii_digit));
        assert_eq!(
            String::from_utf8(fp.to_vec()).unwrap(),
            reference_fingerprint(&x)
        );
        assert_eq!(fp, digits(&iterated_hash(&x, 5200)));
        t.check();
    }
    // The iteration parameter: fp_0 and fp_1 by hand.
    let x = id("dave", "d");
    let keys = [enc_ed25519(&x.sig_pub), enc_x25519(&x.dh_pub)].concat();
    let fp0 = sha256(
        &[
            b"XCHAT-1 fingerprint".as_slice(),
            &enc_handle(&x.handle),
            &keys,
        ]
        .concat(),
    );
    assert_eq!(iterated_hash(&x, 0), fp0);
    assert_eq!(
        iterated_hash(&x, 1),
        sha256(&[fp0.as_slice(), &keys].concat())
    );
    assert_ne!(iterated_hash(&x, 5199), iterated_hash(&x, 5200));
    t.finish(3);
}

/// REQ-FP-001: digit extraction by hand: big-endian 40-bit groups mod
/// 100000 with leading zeros; (2^40 - 1) mod 100000 = 27775.
#[test]
fn digits_by_hand() {
    assert_eq!(&digits(&[0xFF; 32]), b"277752777527775277752777527775");
    assert_eq!(&digits(&[0x00; 32]), b"000000000000000000000000000000");
    // Group 0 = 0x00000186A1 = 100001 -> "00001"; group 1 = 0x0000000009 -> "00009";
    // group 2 = 0x0100000000 = 2^32 = 4294967296 -> "67296"; bytes 30, 31 unused.
    let mut fp = [0u8; 32];
    fp[2..5].copy_from_slice(&[0x01, 0x86, 0xA1]);
    fp[9] = 9;
    fp[10] = 1;
    fp[30] = 0xFF;
    fp[31] = 0xFF;
    assert_eq!(&digits(&fp), b"000010000967296000000000000000");
}

/// REQ-FP-001: both sides compute the same 60 digits, the smaller
/// fingerprint first; any change of either handle or key changes them.
#[test]
fn safety_number_symmetric_and_sensitive() {
    let mut t = Tally::new("safety number changes");
    let a = id("alice", "a");
    let b = id("bob", "b");
    let sn = safety_number(&a, &b);
    assert_eq!(sn, safety_number(&b, &a));
    assert_eq!(sn.len(), 60);
    assert!(sn.iter().all(u8::is_ascii_digit));
    let (fa, fb) = (fingerprint(&a), fingerprint(&b));
    let expected = if fa <= fb {
        [fa, fb].concat()
    } else {
        [fb, fa].concat()
    };
    assert_eq!(sn.to_vec(), expected);
    assert_eq!(safety_number(&a, &a).to_vec(), [fa, fa].concat());
    t.check();

    let changed_a = [
        IdentityPublic {
            handle: parse_handle(b"alicf").unwrap(),
            ..a.clone()
        },
        IdentityPublic {
            sig_pub: b.sig_pub,
            ..a.clone()
        },
        IdentityPublic {
            dh_pub: b.dh_pub,
            ..a.clone()
        },
        id("alice", "another alice"),
    ];
    for x in &changed_a {
        assert_ne!(safety_number(x, &b), sn);
        assert_ne!(safety_number(&b, x), sn);
        t.check();
    }
    let changed_b = [
        IdentityPublic {
            handle: parse_handle(b"bobby").unwrap(),
            ..b.clone()
        },
        IdentityPublic {
            sig_pub: a.sig_pub,
            ..b.clone()
        },
        IdentityPublic {
            dh_pub: a.dh_pub,
            ..b.clone()
        },
    ];
    for x in &changed_b {
        assert_ne!(safety_number(&a, x), sn);
        t.check();
    }
    // The binding signature is not part of the fingerprint.
    let mut rebound = a.clone();
    rebound.binding[0] ^= 1;
    assert_eq!(safety_number(&rebound, &b), sn);
    t.finish(8);
}
