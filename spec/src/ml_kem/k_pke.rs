//! The component scheme K-PKE, FIPS 203 section 5: KeyGen (Algorithm 13),
//! Encrypt (Algorithm 14) and Decrypt (Algorithm 15), for ML-KEM-768
//! (k = 3). K-PKE is not approved on its own; ML-KEM (section 6) uses it.
//!
//! Vectors of k polynomials are arrays of [`Poly`]; ByteEncode_d,
//! ByteDecode_d, Compress_d, Decompress_d and NTT on a vector apply to each
//! entry, and the encodings are concatenated (FIPS 203, section 2.4.8).

use super::crypto_functions::{g, prf};
use super::encoding::{byte_decode, byte_encode, compress_poly, decompress_poly};
use super::ntt::{multiply_ntts, ntt, ntt_inverse};
use super::parameters::{C1_LEN, CT_LEN, DK_PKE_LEN, DU, DV, EK_LEN, ETA1, ETA2, K, N};
use super::polynomials::{poly_add, poly_sub, Poly};
use super::sampling::{sample_ntt, sample_poly_cbd};

/// A vector of k polynomials (an element of R_q^k or T_q^k).
pub type PolyVec = [Poly; K];

/// The matrix A_hat in (T_q)^(k x k) generated from rho: entry [i][j] is
/// SampleNTT(rho || j || i) (FIPS 203, Algorithm 13 lines 3-7 and
/// Algorithm 14 lines 4-8).
fn generate_matrix(rho: &[u8; 32]) -> [PolyVec; K] {
    let mut a_hat = [[[0u16; N]; K]; K];
    for i in 0..K {
        for j in 0..K {
            let mut b = [0u8; 34];
            for t in 0..32 {
                b[t] = rho[t];
            }
            // cast: i, j < k = 3 fit in a byte, as the standard encodes them.
            b[32] = j as u8;
            // cast: as above.
            b[33] = i as u8;
            a_hat[i][j] = sample_ntt(&b);
        }
    }
    a_hat
}

/// k polynomials from SamplePolyCBD_eta(PRF_eta(seed, N)) for N = n0,
/// n0 + 1, ... (FIPS 203, Algorithm 13 lines 8-15, Algorithm 14 lines
/// 9-16).
fn sample_vector(eta: usize, seed: &[u8; 32], n0: u8) -> PolyVec {
    let mut v = [[0u16; N]; K];
    for i in 0..K {
        // cast: i < k = 3, so n0 + i stays far below 256 for the counters
        // K-PKE uses (at most 2k).
        v[i] = sample_poly_cbd(eta, &prf(eta, seed, n0.wrapping_add(i as u8)));
    }
    v
}

/// NTT of each entry of a vector.
fn ntt_vector(v: &PolyVec) -> PolyVec {
    let mut out = [[0u16; N]; K];
    for i in 0..K {
        out[i] = ntt(&v[i]);
    }
    out
}

/// The dot product sum_i u_hat[i] * v_hat[i] in T_q (FIPS 203, section
/// 2.4.7).
fn dot_ntt(u_hat: &PolyVec, v_hat: &PolyVec) -> Poly {
    let mut acc = [0u16; N];
    for i in 0..K {
        acc = poly_add(&acc, &multiply_ntts(&u_hat[i], &v_hat[i]));
    }
    acc
}

/// ByteEncode_d of each entry, concatenated.
fn byte_encode_vector(d: usize, v: &PolyVec) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..K {
        out.extend_from_slice(&byte_encode(d, &v[i]));
    }
    out
}

/// ByteDecode_d of k consecutive runs of 32 d bytes.
fn byte_decode_vector(d: usize, bytes: &[u8]) -> PolyVec {
    let mut v = [[0u16; N]; K];
    for i in 0..K {
        v[i] = byte_decode(d, &bytes[32 * d * i..32 * d * (i + 1)]);
    }
    v
}

/// K-PKE.KeyGen, FIPS 203 Algorithm 13 (final version: the seed is
/// expanded as (rho, sigma) = G(d || k)). Returns (ek_PKE, dk_PKE) of 384k +
/// 32 and 384k bytes.
pub fn k_pke_keygen(d: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
    let mut seed = d.to_vec();
    // cast: k = 3 fits in a byte; FIPS 203 appends k as one byte.
    seed.push(K as u8);
    let (rho, sigma) = g(&seed);
    let a_hat = generate_matrix(&rho);
    let s = sample_vector(ETA1, &sigma, 0);
    // cast: k = 3 fits in a byte; the counter N continues at k.
    let e = sample_vector(ETA1, &sigma, K as u8);
    let s_hat = ntt_vector(&s);
    let e_hat = ntt_vector(&e);
    let mut t_hat = [[0u16; N]; K];
    for i in 0..K {
        t_hat[i] = poly_add(&dot_ntt(&a_hat[i], &s_hat), &e_hat[i]);
    }
    let mut ek_pke = byte_encode_vector(12, &t_hat);
    ek_pke.extend_from_slice(&rho);
    let dk_pke = byte_encode_vector(12, &s_hat);
    (ek_pke, dk_pke)
}

/// K-PKE.Encrypt, FIPS 203 Algorithm 14: encrypts the 32-byte message `m`
/// under `ek_pke` with randomness `r`; the ciphertext is 32 (d_u k + d_v)
/// bytes.
pub fn k_pke_encrypt(ek_pke: &[u8; EK_LEN], m: &[u8; 32], r: &[u8; 32]) -> Vec<u8> {
    let t_hat = byte_decode_vector(12, &ek_pke[0..DK_PKE_LEN]);
    let mut rho = [0u8; 32];
    for i in 0..32 {
        rho[i] = ek_pke[DK_PKE_LEN + i];
    }
    let a_hat = generate_matrix(&rho);
    let y = sample_vector(ETA1, r, 0);
    // cast: k = 3, so the counters N are k..2k and 2k, all below 256.
    let e1 = sample_vector(ETA2, r, K as u8);
    // cast: as above.
    let e2 = sample_poly_cbd(ETA2, &prf(ETA2, r, (2 * K) as u8));
    let y_hat = ntt_vector(&y);
    // u = NTT^-1(A_hat^T o y_hat) + e1: row i of A_hat^T is column i of A_hat.
    let mut u = [[0u16; N]; K];
    for i in 0..K {
        let mut column = [[0u16; N]; K];
        for j in 0..K {
            column[j] = a_hat[j][i];
        }
        u[i] = poly_add(&ntt_inverse(&dot_ntt(&column, &y_hat)), &e1[i]);
    }
    let mu = decompress_poly(1, &byte_decode(1, m));
    let v = poly_add(&poly_add(&ntt_inverse(&dot_ntt(&t_hat, &y_hat)), &e2), &mu);
    let mut compressed_u = [[0u16; N]; K];
    for i in 0..K {
        compressed_u[i] = compress_poly(DU, &u[i]);
    }
    let mut c = byte_encode_vector(DU, &compressed_u);
    c.extend_from_slice(&byte_encode(DV, &compress_poly(DV, &v)));
    c
}

/// K-PKE.Decrypt, FIPS 203 Algorithm 15: the 32-byte message of the
/// ciphertext `c` under `dk_pke`.
pub fn k_pke_decrypt(dk_pke: &[u8; DK_PKE_LEN], c: &[u8; CT_LEN]) -> [u8; 32] {
    let c1 = &c[0..C1_LEN];
    let c2 = &c[C1_LEN..CT_LEN];
    let u_compressed = byte_decode_vector(DU, c1);
    let mut u = [[0u16; N]; K];
    for i in 0..K {
        u[i] = decompress_poly(DU, &u_compressed[i]);
    }
    let v = decompress_poly(DV, &byte_decode(DV, c2));
    let s_hat = byte_decode_vector(12, dk_pke);
    let w = poly_sub(&v, &ntt_inverse(&dot_ntt(&s_hat, &ntt_vector(&u))));
    let encoded = byte_encode(1, &compress_poly(1, &w));
    let mut m = [0u8; 32];
    for i in 0..32 {
        m[i] = encoded[i];
    }
    m
}
