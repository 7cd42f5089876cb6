//! The ML-KEM-768 parameter set, FIPS 203 section 8 (Table 2), and the
//! sizes of keys, ciphertext and shared secret it implies (Table 3).

/// n: the degree of the polynomials of `R_q = Z_q[X]/(X^n + 1)`
/// (FIPS 203, section 2.4.4).
pub const N: usize = 256;
/// q: the prime modulus 3329 = 2^8 * 13 + 1 (FIPS 203, section 2.4.4).
pub const Q: u16 = 3329;
/// k: the dimension of the module, 3 for ML-KEM-768 (FIPS 203, Table 2).
pub const K: usize = 3;
/// eta_1: the width of the distribution of s, e and y (FIPS 203, Table 2).
pub const ETA1: usize = 2;
/// eta_2: the width of the distribution of e_1 and e_2 (FIPS 203, Table 2).
pub const ETA2: usize = 2;
/// d_u: the compression of u in the ciphertext (FIPS 203, Table 2).
pub const DU: usize = 10;
/// d_v: the compression of v in the ciphertext (FIPS 203, Table 2).
pub const DV: usize = 4;

/// Length in bytes of the K-PKE decryption key, 384k (FIPS 203, Algorithm 13).
pub const DK_PKE_LEN: usize = 384 * K;
/// Length in bytes of an encapsulation key, 384k + 32 (FIPS 203, Table 3).
pub const EK_LEN: usize = 384 * K + 32;
/// Length in bytes of a decapsulation key, 768k + 96 (FIPS 203, Table 3).
pub const DK_LEN: usize = 768 * K + 96;
/// Length in bytes of the first part c_1 of a ciphertext, 32 d_u k
/// (FIPS 203, Algorithm 14).
pub const C1_LEN: usize = 32 * DU * K;
/// Length in bytes of a ciphertext, 32 (d_u k + d_v) (FIPS 203, Table 3).
pub const CT_LEN: usize = 32 * (DU * K + DV);
/// Length in bytes of a shared secret key (FIPS 203, Table 3).
pub const SS_LEN: usize = 32;
