//! Sampling algorithms, FIPS 203 section 4.2.2: SampleNTT (Algorithm 7),
//! uniform in T_q by rejection from the XOF, and SamplePolyCBD_eta
//! (Algorithm 8), the centered binomial distribution.
//!
//! # Bounding the loop of SampleNTT
//!
//! Algorithm 7 is a `while` loop that takes three XOF bytes per iteration
//! and accepts each of their two 12-bit candidates with probability
//! q / 2^12 (about 0.81), until 256 coefficients are accepted. The subset
//! this crate is written in has only bounded `for` loops, so the loop runs
//! at most [`SAMPLE_NTT_ITERATIONS`] = 280 times: the minimum FIPS 203,
//! Appendix B allows for an implementation that bounds it, where the
//! probability that 280 iterations (560 candidates, 840 XOF bytes, exactly
//! 5 SHAKE128 blocks) accept fewer than 256 coefficients is given as less
//! than 2^-261 (indeed P(Binomial(560, 3329/4096) < 256) = 2^-261.2). Once 256 coefficients are accepted the remaining
//! iterations do nothing, so for every input on which the unbounded loop
//! stops within 280 iterations the output is exactly that of Algorithm 7.
//!
//! If the bound were ever hit, the coefficients not yet sampled stay 0:
//! the function stays total and deterministic (there is nothing to report
//! to: K-PKE.KeyGen has no failure output). Such an input is a 32-byte
//! seed rho found by a search of about 2^261 SHAKE128 evaluations, which is
//! not feasible; the Wycheproof and ACVP vectors exercise the ordinary path.

use super::parameters::{N, Q};
use super::polynomials::{sub_q, Poly};
use crate::sha3::Shake128;

/// The bound on the iterations of SampleNTT's loop (FIPS 203, Appendix B:
/// at least 280). See the module documentation.
pub const SAMPLE_NTT_ITERATIONS: usize = 280;

/// SampleNTT, FIPS 203 Algorithm 7: a pseudorandom element of T_q from the
/// 34-byte input `B = rho || j || i`, by rejection sampling on the XOF
/// (SHAKE128). The `while` loop is bounded by [`SAMPLE_NTT_ITERATIONS`]
/// (FIPS 203, Appendix B; see the module documentation).
pub fn sample_ntt(b: &[u8; 34]) -> Poly {
    // XOF.Init and XOF.Absorb(ctx, B).
    let mut ctx = Shake128::absorb_final(b);
    let mut a_hat = [0u16; N];
    let mut j = 0;
    for _ in 0..SAMPLE_NTT_ITERATIONS {
        if j < N {
            // XOF.Squeeze(ctx, 3): a fresh 3-byte array C.
            let (next, c) = ctx.squeeze(3);
            ctx = next;
            let d1 = u16::from(c[0]) + 256 * (u16::from(c[1]) % 16);
            let d2 = u16::from(c[1]) / 16 + 16 * u16::from(c[2]);
            if d1 < Q {
                a_hat[j] = d1;
                j += 1;
            }
            if d2 < Q && j < N {
                a_hat[j] = d2;
                j += 1;
            }
        }
    }
    a_hat
}

/// Whether SamplePolyCBD_eta applies: eta in {2, 3} and B of 64 eta bytes
/// (FIPS 203, Algorithm 8).
pub fn pre_sample_poly_cbd(eta: usize, b: &[u8]) -> bool {
    (eta == 2 || eta == 3) && b.len() == 64 * eta
}

/// SamplePolyCBD_eta, FIPS 203 Algorithm 8: each coefficient is the
/// difference x - y mod q of the sums of two runs of eta bits of B.
/// Outside the precondition eta is capped at 3 and missing input bits read
/// as zero, only so that the function is total.
#[cfg_attr(hax, hax_lib::requires(pre_sample_poly_cbd(eta, b)))]
pub fn sample_poly_cbd(eta: usize, b: &[u8]) -> Poly {
    let eta = eta.min(3);
    let mut bits = super::encoding::bytes_to_bits(b);
    bits.resize(2 * N * eta, 0);
    let mut f = [0u16; N];
    for i in 0..N {
        let mut x = 0u16;
        let mut y = 0u16;
        for j in 0..eta {
            x += u16::from(bits[2 * i * eta + j]);
            y += u16::from(bits[2 * i * eta + eta + j]);
        }
        f[i] = sub_q(x, y);
    }
    f
}
