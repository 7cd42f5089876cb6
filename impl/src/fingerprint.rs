//! Safety numbers (SPEC.md section 14): a 30-digit fingerprint per
//! identity from an iterated SHA-256, and the 60-digit safety number of two
//! identities, the same on both sides; mirrors `xchat_spec::fingerprint`.

use crate::crypto::hash::sha256;
use crate::encoding::{enc_ed25519, enc_x25519, LABEL_FINGERPRINT};
use crate::handle::enc_handle;
use crate::identity::IdentityPublic;

/// Number of iterations after `fp_0` (SPEC.md section 14).
pub const FP_ITERATIONS: u32 = 5200;
/// Digits in one fingerprint (SPEC.md section 14).
pub const FP_DIGITS: usize = 30;

/// `fp_n` for `n = iterations`:
/// `fp_0 = SHA-256("XCHAT-1 fingerprint" || EncHandle(h) || EncEd(sig_pub) || EncX(dh_pub))`,
/// `fp_i = SHA-256(fp_{i-1} || EncEd(sig_pub) || EncX(dh_pub))` (SPEC.md
/// section 14; the protocol uses `iterations = 5200`).
pub fn iterated_hash(id: &IdentityPublic, iterations: u32) -> [u8; 32] {
    // One 98-byte buffer `fp || EncEd(sig_pub) || EncX(dh_pub)`, reused.
    let mut buf = [0u8; 32 + 66];
    let (fp, keys) = buf.split_at_mut(32);
    let (ed, x) = keys.split_at_mut(33);
    ed.copy_from_slice(&enc_ed25519(&id.sig_pub));
    x.copy_from_slice(&enc_x25519(&id.dh_pub));

    let mut first = Vec::with_capacity(LABEL_FINGERPRINT.len() + 16 + 66);
    first.extend_from_slice(LABEL_FINGERPRINT);
    first.extend_from_slice(&enc_handle(&id.handle));
    first.extend_from_slice(keys);
    fp.copy_from_slice(&sha256(&first));
    for _ in 0..iterations {
        let next = sha256(&buf);
        buf[..32].copy_from_slice(&next);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&buf[..32]);
    out
}

/// `digits(fp)`: for `j` in `0..6`, the big-endian 40-bit integer
/// `fp[5j..5j+5]` mod 100000 as five ASCII decimal digits (SPEC.md
/// section 14).
pub fn digits(fp: &[u8; 32]) -> [u8; FP_DIGITS] {
    let mut out = [0u8; FP_DIGITS];
    for (group_bytes, group_out) in fp.chunks_exact(5).zip(out.chunks_exact_mut(5)) {
        let v = group_bytes
            .iter()
            .fold(0u64, |v, &b| (v << 8) | u64::from(b));
        let mut group = v % 100_000;
        for d in group_out.iter_mut().rev() {
            // `group % 10 < 10`: the conversion cannot fail.
            *d = b'0' + u8::try_from(group % 10).unwrap_or(0);
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

/// The 60-digit safety number of two identities: both fingerprints, the
/// smaller (in byte order) first, so both parties compute the same digits
/// (SPEC.md section 14, REQ-FP-001). ASCII digits; see
/// [`safety_number_string`] for a `String`.
pub fn safety_number(a: &IdentityPublic, b: &IdentityPublic) -> [u8; 2 * FP_DIGITS] {
    let fa = fingerprint(a);
    let fb = fingerprint(b);
    let (first, second) = if fa <= fb { (fa, fb) } else { (fb, fa) };
    let mut out = [0u8; 2 * FP_DIGITS];
    let (x, y) = out.split_at_mut(FP_DIGITS);
    x.copy_from_slice(&first);
    y.copy_from_slice(&second);
    out
}

/// [`safety_number`] as a 60-character string of decimal digits.
pub fn safety_number_string(a: &IdentityPublic, b: &IdentityPublic) -> String {
    safety_number(a, b).iter().map(|&d| char::from(d)).collect()
}
