//! Safety numbers (SPEC.md section 14): a 30-digit fingerprint per
//! identity from an iterated SHA-256, and the 60-digit safety number of two
//! identities, the same on both sides.

use crate::encoding::{enc_ed25519, enc_x25519};
use crate::handle::enc_handle;
use crate::identity::IdentityPublic;
use crate::sha2::sha256;
use crate::suite::LABEL_FINGERPRINT;

/// Number of iterations after `fp_0` (SPEC.md section 14).
pub const FP_ITERATIONS: u32 = 5200;
/// Digits in one fingerprint (SPEC.md section 14).
pub const FP_DIGITS: usize = 30;

/// `fp_n` for `n = iterations`:
/// `fp_0 = SHA-256("XCHAT-1 fingerprint" || EncHandle(h) || EncEd(sig_pub) || EncX(dh_pub))`,
/// `fp_i = SHA-256(fp_{i-1} || EncEd(sig_pub) || EncX(dh_pub))` (SPEC.md
/// section 14; the protocol uses `iterations = 5200`).
pub fn iterated_hash(id: &IdentityPublic, iterations: u32) -> [u8; 32] {
    let mut keys = enc_ed25519(&id.sig_pub).to_vec();
    keys.extend_from_slice(&enc_x25519(&id.dh_pub));
    let mut first = LABEL_FINGERPRINT.to_vec();
    first.extend_from_slice(&enc_handle(&id.handle));
    first.extend_from_slice(&keys);
    let mut fp = sha256(&first);
    for _ in 0..iterations {
        let mut input = fp.to_vec();
        input.extend_from_slice(&keys);
        fp = sha256(&input);
    }
    fp
}

/// `digits(fp)`: for `j` in `0..6`, the big-endian 40-bit integer
/// `fp[5j..5j+5]` mod 100000 as five ASCII decimal digits (SPEC.md
/// section 14).
pub fn digits(fp: &[u8; 32]) -> [u8; FP_DIGITS] {
    let mut out = [0u8; FP_DIGITS];
    for j in 0..6 {
        let mut v: u64 = 0;
        for k in 0..5 {
            v = (v << 8) | u64::from(fp[5 * j + k]);
        }
        let mut group = v % 100000;
        // Five digits, least significant last.
        for k in 0..5 {
            // cast: group % 10 < 10 fits in a u8.
            out[5 * j + 4 - k] = b'0' + (group % 10) as u8;
            group /= 10;
        }
    }
    out
}

/// The 30-digit fingerprint of one identity, `digits(fp_5200)` (SPEC.md
/// section 14, REQ-FP-001).
pub fn fingerprint(id: &IdentityPublic) -> [u8; FP_DIGITS] {
    digits(&iterated_hash(id, FP_ITERATIONS))
}

/// Whether `a` sorts before or equal to `b` in byte order (SPEC.md
/// section 14).
fn le_bytes(a: &[u8; FP_DIGITS], b: &[u8; FP_DIGITS]) -> bool {
    // The first differing byte decides; equal strings are "less or equal".
    let mut decided = false;
    let mut le = true;
    for i in 0..FP_DIGITS {
        if !decided && a[i] != b[i] {
            decided = true;
            le = a[i] < b[i];
        }
    }
    le
}

/// The 60-digit safety number of two identities: both fingerprints, the
/// smaller (in byte order) first, so both parties compute the same digits
/// (SPEC.md section 14, REQ-FP-001).
pub fn safety_number(a: &IdentityPublic, b: &IdentityPublic) -> [u8; 2 * FP_DIGITS] {
    let fa = fingerprint(a);
    let fb = fingerprint(b);
    let (first, second) = if le_bytes(&fa, &fb) {
        (fa, fb)
    } else {
        (fb, fa)
    };
    let mut out = [0u8; 2 * FP_DIGITS];
    for i in 0..FP_DIGITS {
        out[i] = first[i];
        out[FP_DIGITS + i] = second[i];
    }
    out
}
