//! ML-KEM-768, FIPS 203 (Module-Lattice-Based Key-Encapsulation Mechanism
//! Standard, August 2024, the final version).
//!
//! One submodule per part of the standard, in the order FIPS 203 builds
//! them up:
//!
//! | module | FIPS 203 |
//! |---|---|
//! | [`parameters`] | section 8, Tables 2 and 3 (ML-KEM-768: k = 3, eta_1 = eta_2 = 2, d_u = 10, d_v = 4) |
//! | [`polynomials`] | sections 2.4.4-2.4.5: Z_q, R_q and T_q |
//! | [`crypto_functions`] | section 4.1: PRF, H, J, G (the XOF is [`crate::sha3::Shake128`]) |
//! | [`encoding`] | section 4.2.1: BitsToBytes, BytesToBits, Compress_d, Decompress_d, ByteEncode_d, ByteDecode_d (Algorithms 3-6) |
//! | [`sampling`] | section 4.2.2: SampleNTT, SamplePolyCBD_eta (Algorithms 7-8); Appendix B (loop bound) |
//! | [`ntt`] | section 4.3: NTT, NTT^-1, MultiplyNTTs, BaseCaseMultiply (Algorithms 9-12); Appendix A |
//! | [`k_pke`] | section 5: K-PKE.KeyGen, K-PKE.Encrypt, K-PKE.Decrypt (Algorithms 13-15) |
//! | [`kem`] | section 6: ML-KEM.KeyGen_internal, Encaps_internal, Decaps_internal (Algorithms 16-18); section 7.2-7.3 input checks |
//!
//! This is the final FIPS 203, not the August 2023 draft: K-PKE.KeyGen
//! expands (rho, sigma) = G(d || k), and Decaps_internal has no extra hash
//! of the ciphertext.
//!
//! Like the rest of the crate, this is not constant time (Decaps compares
//! ciphertexts and selects the key with an ordinary branch).

pub mod crypto_functions;
pub mod encoding;
pub mod k_pke;
pub mod kem;
pub mod ntt;
pub mod parameters;
pub mod polynomials;
pub mod sampling;

pub use kem::{
    check_decapsulation_inputs, check_encapsulation_key, decaps_internal, encaps_internal,
    keygen_internal,
};
pub use parameters::{CT_LEN, DK_LEN, EK_LEN, SS_LEN};
