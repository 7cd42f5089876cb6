//! The number-theoretic transform, FIPS 203 section 4.3: NTT (Algorithm 9),
//! NTT^-1 (Algorithm 10), and multiplication in T_q (Algorithms 11 and 12).

use super::parameters::N;
use super::polynomials::{add_q, mul_q, sub_q, Poly};

/// zeta^BitRev_7(i) mod q for i = 0..127, with zeta = 17 the primitive
/// 256-th root of unity mod q (FIPS 203, Appendix A, first table).
pub const ZETAS: [u16; 128] = [
    1, 1729, 2580, 3289, 2642, 630, 1897, 848, 1062, 1919, 193, 797, 2786, 3260, 569, 1746, 296,
    2447, 1339, 1476, 3046, 56, 2240, 1333, 1426, 2094, 535, 2882, 2393, 2879, 1974, 821, 289, 331,
    3253, 1756, 1197, 2304, 2277, 2055, 650, 1977, 2513, 632, 2865, 33, 1320, 1915, 2319, 1435,
    807, 452, 1438, 2868, 1534, 2402, 2647, 2617, 1481, 648, 2474, 3110, 1227, 910, 17, 2761, 583,
    2649, 1637, 723, 2288, 1100, 1409, 2662, 3281, 233, 756, 2156, 3015, 3050, 1703, 1651, 2789,
    1789, 1847, 952, 1461, 2687, 939, 2308, 2437, 2388, 733, 2337, 268, 641, 1584, 2298, 2037,
    3220, 375, 2549, 2090, 1645, 1063, 319, 2773, 757, 2099, 561, 2466, 2594, 2804, 1092, 403,
    1026, 1143, 2150, 2775, 886, 1722, 1212, 1874, 1029, 2110, 2935, 885, 2154,
];

/// zeta^(2 BitRev_7(i) + 1) mod q for i = 0..127, the moduli
/// X^2 - gamma_i of the 128 quadratic factors of T_q (FIPS 203, Appendix A,
/// second table).
pub const GAMMAS: [u16; 128] = [
    17, 3312, 2761, 568, 583, 2746, 2649, 680, 1637, 1692, 723, 2606, 2288, 1041, 1100, 2229, 1409,
    1920, 2662, 667, 3281, 48, 233, 3096, 756, 2573, 2156, 1173, 3015, 314, 3050, 279, 1703, 1626,
    1651, 1678, 2789, 540, 1789, 1540, 1847, 1482, 952, 2377, 1461, 1868, 2687, 642, 939, 2390,
    2308, 1021, 2437, 892, 2388, 941, 733, 2596, 2337, 992, 268, 3061, 641, 2688, 1584, 1745, 2298,
    1031, 2037, 1292, 3220, 109, 375, 2954, 2549, 780, 2090, 1239, 1645, 1684, 1063, 2266, 319,
    3010, 2773, 556, 757, 2572, 2099, 1230, 561, 2768, 2466, 863, 2594, 735, 2804, 525, 1092, 2237,
    403, 2926, 1026, 2303, 1143, 2186, 2150, 1179, 2775, 554, 886, 2443, 1722, 1607, 1212, 2117,
    1874, 1455, 1029, 2300, 2110, 1219, 2935, 394, 885, 2444, 2154, 1175,
];

/// 128^-1 mod q = 3303, the scaling of NTT^-1 (FIPS 203, Algorithm 10,
/// line 14).
const INV_128: u16 = 3303;

/// NTT, FIPS 203 Algorithm 9: the NTT representation f_hat in T_q of f in
/// R_q. The layers have len = 128, 64, ..., 2 (len = 128 >> layer), and `i`
/// walks the zeta table from 1 to 127.
pub fn ntt(f: &Poly) -> Poly {
    let mut f_hat = *f;
    let mut i = 1;
    for layer in 0..7 {
        let len = 128 >> layer;
        for block in 0..N / (2 * len) {
            let start = 2 * len * block;
            let zeta = ZETAS[i];
            i += 1;
            for j in start..start + len {
                let t = mul_q(zeta, f_hat[j + len]);
                f_hat[j + len] = sub_q(f_hat[j], t);
                f_hat[j] = add_q(f_hat[j], t);
            }
        }
    }
    f_hat
}

/// NTT^-1, FIPS 203 Algorithm 10: the polynomial f in R_q whose NTT
/// representation is f_hat. The layers have len = 2, 4, ..., 128
/// (len = 2 << layer), `i` walks the zeta table down from 127 to 1, and the
/// result is scaled by 128^-1.
pub fn ntt_inverse(f_hat: &Poly) -> Poly {
    let mut f = *f_hat;
    let mut i = 127;
    for layer in 0..7 {
        let len = 2 << layer;
        for block in 0..N / (2 * len) {
            let start = 2 * len * block;
            let zeta = ZETAS[i];
            i -= 1;
            for j in start..start + len {
                let t = f[j];
                f[j] = add_q(t, f[j + len]);
                f[j + len] = mul_q(zeta, sub_q(f[j + len], t));
            }
        }
    }
    for j in 0..N {
        f[j] = mul_q(f[j], INV_128);
    }
    f
}

/// BaseCaseMultiply, FIPS 203 Algorithm 12: the product of a0 + a1 X and
/// b0 + b1 X modulo X^2 - gamma.
pub fn base_case_multiply(a0: u16, a1: u16, b0: u16, b1: u16, gamma: u16) -> (u16, u16) {
    let c0 = add_q(mul_q(a0, b0), mul_q(mul_q(a1, b1), gamma));
    let c1 = add_q(mul_q(a0, b1), mul_q(a1, b0));
    (c0, c1)
}

/// MultiplyNTTs, FIPS 203 Algorithm 11: the product in T_q, i.e. 128
/// products of degree-one polynomials, the i-th modulo `X^2 - GAMMAS[i]`.
pub fn multiply_ntts(f_hat: &Poly, g_hat: &Poly) -> Poly {
    let mut h_hat = [0u16; N];
    for i in 0..128 {
        let (c0, c1) = base_case_multiply(
            f_hat[2 * i],
            f_hat[2 * i + 1],
            g_hat[2 * i],
            g_hat[2 * i + 1],
            GAMMAS[i],
        );
        h_hat[2 * i] = c0;
        h_hat[2 * i + 1] = c1;
    }
    h_hat
}
