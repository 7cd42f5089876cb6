//! Ed25519 (pure, no context), RFC 8032 (Edwards-Curve Digital Signature
//! Algorithm, January 2017), sections 5.1.5 (key generation), 5.1.6 (sign)
//! and 5.1.7 (verify), with a strict verification policy.
//!
//! Key generation and signing follow the RFC exactly; signatures are
//! deterministic, so the RFC's test vectors are reproduced byte for byte.
//!
//! ## Verification policy
//!
//! [`verify`] accepts a signature `R || S` by public key `A` on message `M`
//! only if all of the following hold; any failure is
//! [`Error::InvalidSignature`]:
//!
//! 1. **`S < L`.** Otherwise `S + L` would be a second valid signature for
//!    the same `R` (scalar malleability). RFC 8032, section 5.1.7 step 1
//!    requires this check.
//! 2. **`A` and `R` are canonical encodings**: the encoded `y` is below
//!    p, and `x = 0` never comes with the sign bit set (section 5.1.3, steps
//!    1 and 4). Otherwise one point would have several encodings, and a
//!    signature could be altered without the key. RFC 8032 requires decoding
//!    to fail on these.
//! 3. **Neither `A` nor `R` has small order** (`[8]P` is the identity, i.e.
//!    `P` is one of the 8 points of order 1, 2, 4 or 8). A small-order `A`
//!    is a key whose "signatures" verify for many messages without any
//!    secret (with `A` the identity, `R = [S]B` verifies for every message);
//!    a small-order `R` carries no commitment to a secret nonce. Rejecting
//!    them makes signatures binding to the key and message (strong
//!    unforgeability and non-repudiation in the sense of Brendel, Cremers,
//!    Jackson and Zhao, "The Provable Security of Ed25519", 2021). RFC 8032
//!    is silent on this.
//! 4. **The cofactorless equation `[S]B = R + [k]A`** holds, with
//!    `k = SHA-512(R || A || M) mod L` computed over the encodings as
//!    received. Points are compared as points; with rule 2 in force this is
//!    the same as comparing the canonical encoding of `[S]B - [k]A` with the
//!    received `R`.
//!
//! **Relation to RFC 8032.** The RFC's check is the cofactored
//! `[8][S]B = [8]R + [8][k]A` and it states the cofactorless equation is
//! "sufficient, but not required". Every signature this policy accepts
//! satisfies the cofactored equation too, and every honestly generated
//! signature (RFC 8032 key generation and signing) is accepted, except
//! with probability about 2^-252 (a nonce r = 0 mod L makes R the
//! identity). The
//! policy is therefore a restriction of the RFC: it additionally rejects
//! small-order `A` or `R` (rule 3) and signatures whose low-order
//! components of `R` and `[k]A` do not cancel (rule 4), none of which an
//! honest signer produces.
//!
//! **Relation to ed25519-dalek.** This is the policy of
//! `VerifyingKey::verify_strict` in ed25519-dalek 2.x: it rejects
//! non-canonical `S` (rule 1), decompresses `R` and rejects a small-order
//! `R` or `A` (rule 3), and compares the canonical encoding of
//! `[S]B - [k]A` with the received `R` bytes, which rejects any
//! non-canonical `R` (rules 2 and 4). One difference: dalek does **not**
//! check that the public key bytes are canonical. `y >= p` aliases exist
//! for points with `y mod p` in {0, ..., 18}; those with `y mod p` in
//! {0, 1} (and the `x = 0` sign-bit aliases of `y = 1` and `y = -1`) have
//! small order and are rejected by rule 3, but for several `y` (3, 4, 5,
//! ...) the points are of large order, and dalek would accept a signature
//! under such an aliased key. No discrete logarithm of those points is
//! known, so no such signature is known either, but to match this policy exactly the
//! optimized implementation must also reject a public key whose bytes
//! differ from the re-encoding of the decoded point.
//!
//! Not constant time (see the crate documentation).

use crate::edwards25519::{scalar_is_canonical, scalar_mul_add, scalar_reduce, Point};
use crate::error::Error;
use crate::sha2::sha512;

/// Length in bytes of a seed, the private key of RFC 8032, section 5.1.5.
pub const SEED_LEN: usize = 32;
/// Length in bytes of an encoded public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Length in bytes of a signature `R || S`.
pub const SIGNATURE_LEN: usize = 64;

/// Steps 1-3 of RFC 8032, section 5.1.5: hash the seed with SHA-512; the
/// low half, pruned, is the secret scalar s (clear the three low bits,
/// clear bit 255, set bit 254); the high half is the prefix used for the
/// nonce in section 5.1.6.
fn expand(seed: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let h = sha512(seed);
    let mut s = [0u8; 32];
    let mut prefix = [0u8; 32];
    for i in 0..32 {
        s[i] = h[i];
        prefix[i] = h[32 + i];
    }
    s[0] &= 248;
    s[31] &= 127;
    s[31] |= 64;
    (s, prefix)
}

/// SHA-512 of the concatenation `a || b || c`, reduced mod L (RFC 8032,
/// section 5.1.6 steps 2 and 4, section 5.1.7 step 2).
fn hash_to_scalar(a: &[u8], b: &[u8], c: &[u8]) -> [u8; 32] {
    let mut input = a.to_vec();
    input.extend_from_slice(b);
    input.extend_from_slice(c);
    scalar_reduce(&sha512(&input))
}

/// The public key of a 32-byte seed, RFC 8032 section 5.1.5: the
/// encoding of [s]B.
pub fn public_key(seed: &[u8; 32]) -> [u8; 32] {
    let (s, _) = expand(seed);
    Point::base().scalar_mul(&s).encode()
}

/// Ed25519 signature of `msg` under `seed`, RFC 8032 section 5.1.6:
/// r = SHA-512(prefix || M) mod L, R = [r]B,
/// k = SHA-512(R || A || M) mod L, S = (r + k s) mod L; the signature is
/// R || S.
pub fn sign(seed: &[u8; 32], msg: &[u8]) -> [u8; 64] {
    let (s, prefix) = expand(seed);
    let a = Point::base().scalar_mul(&s).encode();
    // Step 2: the deterministic nonce.
    let r = hash_to_scalar(&prefix, msg, &[]);
    // Step 3: the commitment R.
    let big_r = Point::base().scalar_mul(&r).encode();
    // Steps 4-5: the challenge and the response.
    let k = hash_to_scalar(&big_r, &a, msg);
    let big_s = scalar_mul_add(&k, &s, &r);
    let mut sig = [0u8; 64];
    for i in 0..32 {
        sig[i] = big_r[i];
        sig[32 + i] = big_s[i];
    }
    sig
}

/// Verifies an Ed25519 signature, RFC 8032 section 5.1.7, under the strict
/// policy of the module documentation (rules 1-4).
pub fn verify(public: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> Result<(), Error> {
    let mut r_bytes = [0u8; 32];
    let mut s_bytes = [0u8; 32];
    for i in 0..32 {
        r_bytes[i] = sig[i];
        s_bytes[i] = sig[32 + i];
    }
    // Rule 1: S < L.
    if !scalar_is_canonical(&s_bytes) {
        return Err(Error::InvalidSignature);
    }
    // Rule 2: canonical encodings (Point::decode rejects y >= p and
    // x = 0 with the sign bit set, RFC 8032 section 5.1.3).
    let a = Point::decode(public).ok_or(Error::InvalidSignature)?;
    let r = Point::decode(&r_bytes).ok_or(Error::InvalidSignature)?;
    // Rule 3: no small-order A or R.
    if a.is_small_order() || r.is_small_order() {
        return Err(Error::InvalidSignature);
    }
    // Rule 4: [S]B = R + [k]A, k = SHA-512(R || A || M) mod L.
    let k = hash_to_scalar(&r_bytes, public, msg);
    if Point::base().scalar_mul(&s_bytes) == r + a.scalar_mul(&k) {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}
