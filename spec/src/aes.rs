//! The AES block cipher, FIPS 197 (Advanced Encryption Standard, November
//! 2001, updated May 2023), for the two key sizes XCHAT uses: AES-128
//! (`Nk = 4`, `Nr = 10`) and AES-256 (`Nk = 8`, `Nr = 14`).
//!
//! Only the forward cipher `CIPHER()` (section 5.1) and `KEYEXPANSION()`
//! (section 5.2) are written: the modes built on AES here, CTR
//! (SP 800-38A, [`crate::aes_ctr`]) and GCM (SP 800-38D,
//! [`crate::aes_gcm`]), never call the inverse cipher. AES-192 is not part
//! of XCHAT: a 24-byte key is rejected like any other length.
//!
//! The state is the 16-byte array of section 3.4, `s[r + 4c]` holding row
//! `r` and column `c`, so the input block maps onto it byte for byte. The
//! S-box is the table of section 5.1.1 (Table 4); the tests recompute it
//! from its definition (multiplicative inverse in GF(2^8), then the affine
//! transformation). Table look-ups are indexed by secret bytes: this code is
//! not constant time (see the crate documentation).

use crate::error::Error;

/// The block length in bytes (FIPS 197 section 2.3: 128 bits).
pub const BLOCK_LEN: usize = 16;
/// The AES-128 key length in bytes (FIPS 197 section 5, Table 3).
pub const AES128_KEY_LEN: usize = 16;
/// The AES-256 key length in bytes (FIPS 197 section 5, Table 3).
pub const AES256_KEY_LEN: usize = 32;

/// `SBOX()`, FIPS 197 section 5.1.1, Table 4: `SBOX(b)` at index `b`.
pub const SBOX: [u8; 256] = [
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
];

/// The first bytes of the round constants `Rcon[j] = [x^(j-1), 0, 0, 0]`,
/// FIPS 197 section 5.2, Table 5 (`j` = 1..10).
const RCON: [u8; 10] = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

/// The round keys of one AES key: the `Nr + 1` blocks of four words of
/// `KEYEXPANSION()` (FIPS 197 section 5.2), round key `r` being the words
/// `w[4r..4r+3]` laid out as a block (section 5.1.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundKeys {
    keys: Vec<[u8; BLOCK_LEN]>,
}

impl RoundKeys {
    /// The number of rounds `Nr` (FIPS 197 section 5, Table 3): 10 for
    /// AES-128, 14 for AES-256.
    pub fn rounds(&self) -> usize {
        self.keys.len() - 1
    }
}

/// `xtime(b)`: multiplication by `x` (the byte `0x02`) in GF(2^8) modulo
/// `m(x) = x^8 + x^4 + x^3 + x + 1`, FIPS 197 section 4.2 (equation 4.5).
fn xtime(b: u8) -> u8 {
    if b & 0x80 == 0 {
        b << 1
    } else {
        (b << 1) ^ 0x1b
    }
}

/// `SUBWORD()` of a word, FIPS 197 section 5.2: the S-box on each byte.
fn sub_word(w: [u8; 4]) -> [u8; 4] {
    [
        SBOX[usize::from(w[0])],
        SBOX[usize::from(w[1])],
        SBOX[usize::from(w[2])],
        SBOX[usize::from(w[3])],
    ]
}

/// `ROTWORD()`, FIPS 197 section 5.2: `[a0, a1, a2, a3] -> [a1, a2, a3, a0]`.
fn rot_word(w: [u8; 4]) -> [u8; 4] {
    [w[1], w[2], w[3], w[0]]
}

/// `KEYEXPANSION()`, FIPS 197 section 5.2 (Algorithm 2), for a 16-byte
/// (AES-128) or 32-byte (AES-256) key; any other length is
/// [`Error::InvalidLength`]. The first `Nk` words are the key; then
/// `w[i] = w[i - Nk] XOR temp`, where `temp = w[i - 1]`, replaced by
/// `SUBWORD(ROTWORD(temp)) XOR Rcon[i / Nk]` when `i mod Nk = 0`, and by
/// `SUBWORD(temp)` when `Nk = 8` and `i mod Nk = 4`.
pub fn key_expansion(key: &[u8]) -> Result<RoundKeys, Error> {
    match key.len() {
        AES128_KEY_LEN => Ok(expand(key, 4, 10)),
        AES256_KEY_LEN => Ok(expand(key, 8, 14)),
        _ => Err(Error::InvalidLength),
    }
}

/// `KEYEXPANSION()` of FIPS 197 section 5.2 for a key of `4 * nk` bytes
/// and `nr` rounds (the caller has checked the length).
fn expand(key: &[u8], nk: usize, nr: usize) -> RoundKeys {
    let mut w: Vec<[u8; 4]> = Vec::new();
    for i in 0..nk {
        w.push([key[4 * i], key[4 * i + 1], key[4 * i + 2], key[4 * i + 3]]);
    }
    for i in nk..4 * (nr + 1) {
        let mut temp = w[i - 1];
        if i % nk == 0 {
            temp = sub_word(rot_word(temp));
            temp[0] ^= RCON[i / nk - 1];
        } else if nk > 6 && i % nk == 4 {
            temp = sub_word(temp);
        }
        let prev = w[i - nk];
        w.push([
            prev[0] ^ temp[0],
            prev[1] ^ temp[1],
            prev[2] ^ temp[2],
            prev[3] ^ temp[3],
        ]);
    }
    let mut keys = Vec::new();
    for r in 0..nr + 1 {
        let mut k = [0u8; BLOCK_LEN];
        for c in 0..4 {
            for b in 0..4 {
                k[4 * c + b] = w[4 * r + c][b];
            }
        }
        keys.push(k);
    }
    RoundKeys { keys }
}

/// `ADDROUNDKEY()`, FIPS 197 section 5.1.4: XOR of the state with a round key.
fn add_round_key(s: [u8; BLOCK_LEN], k: &[u8; BLOCK_LEN]) -> [u8; BLOCK_LEN] {
    let mut out = [0u8; BLOCK_LEN];
    for i in 0..BLOCK_LEN {
        out[i] = s[i] ^ k[i];
    }
    out
}

/// `SUBBYTES()`, FIPS 197 section 5.1.1: the S-box on every byte.
fn sub_bytes(s: [u8; BLOCK_LEN]) -> [u8; BLOCK_LEN] {
    let mut out = [0u8; BLOCK_LEN];
    for i in 0..BLOCK_LEN {
        out[i] = SBOX[usize::from(s[i])];
    }
    out
}

/// `SHIFTROWS()`, FIPS 197 section 5.1.2: row `r` rotates left by `r`,
/// `s'[r, c] = s[r, (c + r) mod 4]`.
fn shift_rows(s: [u8; BLOCK_LEN]) -> [u8; BLOCK_LEN] {
    let mut out = [0u8; BLOCK_LEN];
    for r in 0..4 {
        for c in 0..4 {
            out[r + 4 * c] = s[r + 4 * ((c + r) % 4)];
        }
    }
    out
}

/// `MIXCOLUMNS()`, FIPS 197 section 5.1.3 (equation 5.6): each column is
/// multiplied by the matrix with rows `[02 03 01 01]`, `[01 02 03 01]`,
/// `[01 01 02 03]`, `[03 01 01 02]`, where `03 * b = xtime(b) XOR b`.
fn mix_columns(s: [u8; BLOCK_LEN]) -> [u8; BLOCK_LEN] {
    let mut out = [0u8; BLOCK_LEN];
    for c in 0..4 {
        let a0 = s[4 * c];
        let a1 = s[4 * c + 1];
        let a2 = s[4 * c + 2];
        let a3 = s[4 * c + 3];
        out[4 * c] = xtime(a0) ^ (xtime(a1) ^ a1) ^ a2 ^ a3;
        out[4 * c + 1] = a0 ^ xtime(a1) ^ (xtime(a2) ^ a2) ^ a3;
        out[4 * c + 2] = a0 ^ a1 ^ xtime(a2) ^ (xtime(a3) ^ a3);
        out[4 * c + 3] = (xtime(a0) ^ a0) ^ a1 ^ a2 ^ xtime(a3);
    }
    out
}

/// `CIPHER()`, FIPS 197 section 5.1 (Algorithm 1): `ADDROUNDKEY` with
/// round key 0; rounds 1 to `Nr - 1` of `SUBBYTES`, `SHIFTROWS`,
/// `MIXCOLUMNS`, `ADDROUNDKEY`; a last round without `MIXCOLUMNS`.
pub fn cipher(round_keys: &RoundKeys, input: &[u8; BLOCK_LEN]) -> [u8; BLOCK_LEN] {
    let nr = round_keys.rounds();
    let mut s = add_round_key(*input, &round_keys.keys[0]);
    for round in 1..nr {
        s = add_round_key(
            mix_columns(shift_rows(sub_bytes(s))),
            &round_keys.keys[round],
        );
    }
    add_round_key(shift_rows(sub_bytes(s)), &round_keys.keys[nr])
}

/// AES-128 encryption of one block, FIPS 197 sections 5.1 and 5.2 with
/// `Nk = 4`, `Nr = 10`.
pub fn aes128_encrypt_block(
    key: &[u8; AES128_KEY_LEN],
    block: &[u8; BLOCK_LEN],
) -> [u8; BLOCK_LEN] {
    cipher(&expand(key, 4, 10), block)
}

/// AES-256 encryption of one block, FIPS 197 sections 5.1 and 5.2 with
/// `Nk = 8`, `Nr = 14`.
pub fn aes256_encrypt_block(
    key: &[u8; AES256_KEY_LEN],
    block: &[u8; BLOCK_LEN],
) -> [u8; BLOCK_LEN] {
    cipher(&expand(key, 8, 14), block)
}
