//! ML-KEM-768, FIPS 203 (final), through `libcrux-ml-kem` (formally
//! verified with hax/F*; AVX2 code selected at run time); mirrors
//! `xchat_spec::ml_kem`.
//!
//! As in the spec, the functions are the internal algorithms of FIPS 203
//! section 6 with their randomness (`d`, `z`, `m`) as explicit inputs, and
//! the input checks of section 7 run first with the spec's error kinds:
//! [`Error::InvalidLength`] for the type checks, [`Error::InvalidEncapsulationKey`]
//! for the modulus check (7.2) and [`Error::InvalidDecapsulationKey`] for
//! the hash check (7.3). libcrux's `decapsulate` does not run the hash
//! check itself, so [`decaps`] calls `validate_private_key` first.

use libcrux_ml_kem::mlkem768::{self, MlKem768Ciphertext, MlKem768PrivateKey, MlKem768PublicKey};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;

/// Length of an encapsulation key, 384k + 32 (FIPS 203 section 8, Table 3).
pub const EK_LEN: usize = 1184;
/// Length of a decapsulation key, 768k + 96 (FIPS 203 section 8, Table 3).
pub const DK_LEN: usize = 2400;
/// Length of a ciphertext, 32 (d_u k + d_v) (FIPS 203 section 8, Table 3).
pub const CT_LEN: usize = 1088;
/// Length of a shared secret key (FIPS 203 section 8, Table 3).
pub const SS_LEN: usize = 32;

/// Overwrites the libcrux copy of a decapsulation key (libcrux's key types
/// do not zeroize themselves).
fn wipe(dk: &mut MlKem768PrivateKey) {
    dk[0..].zeroize();
}

/// `ML-KEM.KeyGen_internal(d, z)`, FIPS 203 Algorithm 16: the encapsulation
/// key (1184 bytes) and the decapsulation key `dk_PKE || ek || H(ek) || z`
/// (2400 bytes).
pub fn keygen(d: &[u8; 32], z: &[u8; 32]) -> (Vec<u8>, Zeroizing<Vec<u8>>) {
    // libcrux takes the 64-byte seed d || z (FIPS 203 Algorithm 19 order).
    let mut seed = Zeroizing::new([0u8; 64]);
    let (seed_d, seed_z) = seed.split_at_mut(32);
    seed_d.copy_from_slice(d);
    seed_z.copy_from_slice(z);
    let (mut dk, ek) = mlkem768::generate_key_pair(*seed).into_parts();
    let dk_bytes = Zeroizing::new(dk.as_slice().to_vec());
    wipe(&mut dk);
    (ek.as_slice().to_vec(), dk_bytes)
}

/// The encapsulation key checks of FIPS 203 section 7.2: the type check
/// (`ek` has 1184 bytes, else [`Error::InvalidLength`]) and the modulus
/// check (every encoded coefficient is below q, else
/// [`Error::InvalidEncapsulationKey`]).
pub fn check_encapsulation_key(ek: &[u8]) -> Result<(), Error> {
    parse_encapsulation_key(ek).map(|_| ())
}

/// [`check_encapsulation_key`], returning the checked key in libcrux's type.
fn parse_encapsulation_key(ek: &[u8]) -> Result<MlKem768PublicKey, Error> {
    let key = MlKem768PublicKey::try_from(ek).map_err(|_| Error::InvalidLength)?;
    if mlkem768::validate_public_key(&key) {
        Ok(key)
    } else {
        Err(Error::InvalidEncapsulationKey)
    }
}

/// `ML-KEM.Encaps_internal(ek, m)`, FIPS 203 Algorithm 17, after the checks
/// of section 7.2 ([`check_encapsulation_key`]): the shared secret key `K`
/// and the ciphertext `c` (1088 bytes).
pub fn encaps(ek: &[u8], m: &[u8; 32]) -> Result<(Zeroizing<[u8; 32]>, Vec<u8>), Error> {
    let key = parse_encapsulation_key(ek)?;
    let (ct, shared) = mlkem768::encapsulate(&key, *m);
    Ok((Zeroizing::new(shared), ct.as_slice().to_vec()))
}

/// `ML-KEM.Decaps_internal(dk, c)`, FIPS 203 Algorithm 18, after the checks
/// of section 7.3: the ciphertext and key type checks
/// ([`Error::InvalidLength`]) and the hash check `H(ek) = h`
/// ([`Error::InvalidDecapsulationKey`]). An invalid ciphertext of the right
/// length yields the implicit-rejection key `J(z || c)`, selected in
/// constant time by libcrux.
pub fn decaps(dk: &[u8], ct: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
    let ct = MlKem768Ciphertext::try_from(ct).map_err(|_| Error::InvalidLength)?;
    let mut key = MlKem768PrivateKey::try_from(dk).map_err(|_| Error::InvalidLength)?;
    let result = if mlkem768::validate_private_key(&key, &ct) {
        Ok(Zeroizing::new(mlkem768::decapsulate(&key, &ct)))
    } else {
        Err(Error::InvalidDecapsulationKey)
    };
    wipe(&mut key);
    result
}

/// The hash check of FIPS 203 section 7.3 on a decapsulation key alone:
/// [`Error::InvalidLength`] if `dk` is not 2400 bytes,
/// [`Error::InvalidDecapsulationKey`] if `H(ek) != h`. A key that passes
/// may be used with [`decaps_prechecked`].
pub fn check_decapsulation_key(dk: &[u8]) -> Result<(), Error> {
    // libcrux's check takes a ciphertext for its type only (its length is
    // fixed by the type); any ciphertext gives the same answer.
    let ct = MlKem768Ciphertext::try_from(&[0u8; CT_LEN][..]).map_err(|_| Error::InvalidLength)?;
    let mut key = MlKem768PrivateKey::try_from(dk).map_err(|_| Error::InvalidLength)?;
    let valid = mlkem768::validate_private_key(&key, &ct);
    wipe(&mut key);
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidDecapsulationKey)
    }
}

/// [`decaps`] for a decapsulation key that already passed
/// [`check_decapsulation_key`] (or came from [`keygen`]): the same result,
/// without repeating the hash check of section 7.3. The type checks
/// ([`Error::InvalidLength`]) still run.
pub fn decaps_prechecked(dk: &[u8], ct: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
    let ct = MlKem768Ciphertext::try_from(ct).map_err(|_| Error::InvalidLength)?;
    let mut key = MlKem768PrivateKey::try_from(dk).map_err(|_| Error::InvalidLength)?;
    let shared = Zeroizing::new(mlkem768::decapsulate(&key, &ct));
    wipe(&mut key);
    Ok(shared)
}
