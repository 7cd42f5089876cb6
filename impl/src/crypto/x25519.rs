//! X25519, RFC 7748 section 5, and the checked DH of SPEC.md section 3
//! (REQ-SUITE-001); mirrors `xchat_spec::x25519` and the DH functions of
//! `xchat_spec::suite`.
//!
//! The variable-base ladder is HACL*'s formally verified Curve25519
//! (`libcrux-curve25519`, 64-bit radix-2^51 field); the fixed-base public
//! key uses `x25519-dalek`'s precomputed Edwards tables, about 2.5 times
//! faster than a ladder (README.md). Both clamp the scalar as RFC 7748
//! section 5 `decodeScalar25519` does, mask bit 255 of `u` and accept
//! non-canonical `u` (reduced mod p), as the RFC requires.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Error;

/// The raw function `X25519(k, u)`, RFC 7748 section 5: the u-coordinate
/// of `[decodeScalar25519(k)] u`. Defined on every input; the all-zero
/// output of a small-order `u` is returned as is (see [`dh`]).
pub fn x25519(scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    libcrux_curve25519::hacl::scalarmult(&mut out, scalar, u);
    out
}

/// `PUB(sk) = X25519(sk, 9)`, SPEC.md section 3 (RFC 7748 section 6.1),
/// computed with fixed-base tables.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    // `StaticSecret` zeroizes its copy of the scalar on drop.
    let secret = x25519_dalek::StaticSecret::from(*secret);
    x25519_dalek::PublicKey::from(&secret).to_bytes()
}

/// `DH(sk, pk) = X25519(sk, pk)`, SPEC.md section 3; an all-zero output
/// (a small-order `pk`) is [`Error::NonContributory`] (REQ-SUITE-001, RFC
/// 7748 section 6.1). The zero test is constant time.
pub fn dh(secret: &[u8; 32], public: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut shared = Zeroizing::new([0u8; 32]);
    libcrux_curve25519::hacl::scalarmult(shared.as_mut_slice(), secret, public);
    if bool::from(shared.ct_eq(&[0u8; 32])) {
        Err(Error::NonContributory)
    } else {
        Ok(shared)
    }
}
