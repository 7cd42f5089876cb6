//! SHA-3 and SHAKE, FIPS 202 (SHA-3 Standard: Permutation-Based Hash and
//! Extendable-Output Functions, August 2015).
//!
//! The permutation Keccak-p[1600, 24] (sections 3.2 and 3.3) is written as
//! its five step mappings on a state of 25 lanes; the sponge construction
//! (section 4) with the padding rule pad10*1 (section 5.1) turns it into the
//! four functions of section 6. All inputs and outputs here are byte
//! strings, so the bit-level conventions of Appendix B.1 reduce to: a lane
//! is read from and written to 8 bytes in little-endian order.
//!
//! ML-KEM (FIPS 203, section 4.1) reads its XOF incrementally; [`Shake128`]
//! offers that as a value that is absorbed once and then squeezed in pieces,
//! with the same output as the one-shot [`shake128`].

/// The Keccak state of 1600 bits as 25 lanes of 64 bits. Lane `A[x, y]`
/// (FIPS 202, section 3.1.1) is at index `x + 5 * y`.
pub type State = [u64; 25];

/// Length in bytes of a SHA3-256 digest.
pub const SHA3_256_LEN: usize = 32;
/// Length in bytes of a SHA3-512 digest.
pub const SHA3_512_LEN: usize = 64;
/// Rate r of SHA3-256 in bytes: (1600 - 2 * 256) / 8 (FIPS 202, section 6.1).
pub const SHA3_256_RATE: usize = 136;
/// Rate r of SHA3-512 in bytes: (1600 - 2 * 512) / 8 (FIPS 202, section 6.1).
pub const SHA3_512_RATE: usize = 72;
/// Rate r of SHAKE128 in bytes: (1600 - 256) / 8 (FIPS 202, section 6.2).
pub const SHAKE128_RATE: usize = 168;
/// Rate r of SHAKE256 in bytes: (1600 - 512) / 8 (FIPS 202, section 6.2).
pub const SHAKE256_RATE: usize = 136;

/// The SHA-3 domain suffix `01` (FIPS 202, section 6.1) followed by the
/// first `1` of pad10*1, as one byte (bits are numbered from the least
/// significant, Appendix B.2).
const SHA3_SUFFIX: u8 = 0x06;
/// The SHAKE domain suffix `1111` (FIPS 202, section 6.2) followed by the
/// first `1` of pad10*1, as one byte.
const SHAKE_SUFFIX: u8 = 0x1f;

/// The round constants RC of iota (FIPS 202, section 3.2.5): entry `ir` is
/// the lane whose bit `2^j - 1` is `rc(j + 7 * ir)` (Algorithm 5), for
/// j = 0..6, and whose other bits are 0.
const RC: [u64; 24] = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808a,
    0x8000000080008000,
    0x000000000000808b,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008a,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000a,
    0x000000008000808b,
    0x800000000000008b,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800a,
    0x800000008000000a,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
];

/// Step mapping theta, FIPS 202 section 3.2.1 (Algorithm 1): XOR each bit
/// with the parities of two neighbouring columns.
pub fn theta(a: State) -> State {
    let mut c = [0u64; 5];
    for x in 0..5 {
        c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    }
    let mut out = a;
    for x in 0..5 {
        let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
        for y in 0..5 {
            out[x + 5 * y] = a[x + 5 * y] ^ d;
        }
    }
    out
}

/// Step mapping rho, FIPS 202 section 3.2.2 (Algorithm 2): rotate each lane
/// by its offset, walking the lanes from (1, 0) along (x, y) -> (y, 2x + 3y).
pub fn rho(a: State) -> State {
    let mut out = a;
    let mut x = 1;
    let mut y = 0;
    for t in 0..24u32 {
        out[x + 5 * y] = a[x + 5 * y].rotate_left(((t + 1) * (t + 2) / 2) % 64);
        let next_y = (2 * x + 3 * y) % 5;
        x = y;
        y = next_y;
    }
    out
}

/// Step mapping pi, FIPS 202 section 3.2.3 (Algorithm 3):
/// `A'[x, y] = A[(x + 3y) mod 5, x]`.
pub fn pi(a: State) -> State {
    let mut out = a;
    for x in 0..5 {
        for y in 0..5 {
            out[x + 5 * y] = a[(x + 3 * y) % 5 + 5 * x];
        }
    }
    out
}

/// Step mapping chi, FIPS 202 section 3.2.4 (Algorithm 4):
/// `A'[x, y] = A[x, y] ^ (!A[x + 1, y] & A[x + 2, y])`.
pub fn chi(a: State) -> State {
    let mut out = a;
    for y in 0..5 {
        for x in 0..5 {
            out[x + 5 * y] = a[x + 5 * y] ^ (!a[(x + 1) % 5 + 5 * y] & a[(x + 2) % 5 + 5 * y]);
        }
    }
    out
}

/// Step mapping iota, FIPS 202 section 3.2.5 (Algorithm 6): XOR the round
/// constant of round `ir` into lane (0, 0). Rounds outside 0..24 do not
/// occur in Keccak-p[1600, 24]; they leave the state unchanged.
pub fn iota(a: State, ir: usize) -> State {
    let mut out = a;
    if ir < 24 {
        out[0] = a[0] ^ RC[ir];
    }
    out
}

/// The round function Rnd (FIPS 202, section 3.3):
/// `iota(chi(pi(rho(theta(A)))), ir)`.
pub fn rnd(a: State, ir: usize) -> State {
    iota(chi(pi(rho(theta(a)))), ir)
}

/// Keccak-p[1600, 24], FIPS 202 section 3.3 (Algorithm 7) with b = 1600 and
/// n_r = 24, so that the rounds are ir = 0..23 (this is `Keccak-f[1600]`,
/// section 3.4).
pub fn keccak_p1600(a: State) -> State {
    let mut s = a;
    for ir in 0..24 {
        s = rnd(s, ir);
    }
    s
}

/// Byte `i` of the state (FIPS 202, Appendix B.1: lanes little-endian).
fn state_byte(s: &State, i: usize) -> u8 {
    // cast: the shift leaves the wanted byte in the low 8 bits; truncating to
    // u8 keeps exactly that byte.
    (s[i / 8] >> (8 * (i % 8))) as u8
}

/// Whether `rate` is a rate this module can run the sponge with. FIPS 202,
/// section 4 asks of the rate r of SPONGE[f, pad, r] that it be positive
/// and less than the width b = 1600 bits; this byte-oriented module also
/// asks for a whole number of 64-bit lanes (as every rate of section 6
/// is): at least one and less than the 25 of the state.
pub fn pre_sponge(rate: usize) -> bool {
    rate > 0 && rate < 200 && rate.is_multiple_of(8)
}

/// pad10*1 after the domain suffix, FIPS 202 sections 5.1 and 6 (byte-level
/// form of Appendix B.2): the message, then `suffix` (the domain bits and
/// the first `1`), zeros, and a final `1` bit in the last byte of a block
/// of `rate` bytes. When the suffix lands in the last byte, both share it.
fn pad(msg: &[u8], rate: usize, suffix: u8) -> Vec<u8> {
    let mut padded = msg.to_vec();
    padded.push(suffix);
    let fill = (rate - padded.len() % rate) % rate;
    padded.resize(padded.len() + fill, 0);
    let last = padded.len() - 1;
    padded[last] |= 0x80;
    padded
}

/// Whether `squeeze` may resume at `offset` with `rate`: a valid rate
/// ([`pre_sponge`]) and an offset within the current block of the
/// squeezing phase (FIPS 202, section 4, Algorithm 8, steps 7-10).
pub fn pre_squeeze(rate: usize, offset: usize) -> bool {
    pre_sponge(rate) && offset <= rate
}

/// The absorbing phase of SPONGE[f, pad, r] (FIPS 202, section 4,
/// Algorithm 8, steps 1-6) with f = Keccak-p[1600, 24]: XOR each padded
/// block into the first `rate` bytes of the state and permute.
#[cfg_attr(hax, hax_lib::requires(pre_sponge(rate)))]
pub fn absorb(rate: usize, suffix: u8, msg: &[u8]) -> State {
    let mut s: State = [0u64; 25];
    if pre_sponge(rate) {
        let padded = pad(msg, rate, suffix);
        for block in 0..padded.len() / rate {
            for lane in 0..rate / 8 {
                let o = block * rate + 8 * lane;
                s[lane] ^= u64::from_le_bytes([
                    padded[o],
                    padded[o + 1],
                    padded[o + 2],
                    padded[o + 3],
                    padded[o + 4],
                    padded[o + 5],
                    padded[o + 6],
                    padded[o + 7],
                ]);
            }
            s = keccak_p1600(s);
        }
    }
    s
}

/// The squeezing phase of SPONGE[f, pad, r] (FIPS 202, section 4,
/// Algorithm 8, steps 7-10), resumable: `offset` bytes of the current block
/// have already been output. Returns the new state and offset and `n`
/// further output bytes; the state is permuted each time a whole block has
/// been read.
#[cfg_attr(hax, hax_lib::requires(pre_squeeze(rate, offset)))]
pub fn squeeze(s: State, offset: usize, rate: usize, n: usize) -> (State, usize, Vec<u8>) {
    let mut state = s;
    let mut off = offset;
    let mut out = Vec::with_capacity(n);
    if pre_sponge(rate) {
        for _ in 0..n {
            if off >= rate {
                state = keccak_p1600(state);
                off = 0;
            }
            out.push(state_byte(&state, off));
            off += 1;
        }
    }
    (state, off, out)
}

/// SPONGE[Keccak-p[1600, 24], pad10*1, r] on a byte string with its domain
/// suffix, FIPS 202 section 4 (Algorithm 8), `out_len` bytes of output.
fn sponge(rate: usize, suffix: u8, msg: &[u8], out_len: usize) -> Vec<u8> {
    let (_, _, out) = squeeze(absorb(rate, suffix, msg), 0, rate, out_len);
    out
}

/// `SHA3-256(M) = KECCAK[512](M || 01, 256)`, FIPS 202 section 6.1.
pub fn sha3_256(msg: &[u8]) -> [u8; SHA3_256_LEN] {
    let out = sponge(SHA3_256_RATE, SHA3_SUFFIX, msg, SHA3_256_LEN);
    let mut digest = [0u8; SHA3_256_LEN];
    for i in 0..SHA3_256_LEN {
        digest[i] = out[i];
    }
    digest
}

/// `SHA3-512(M) = KECCAK[1024](M || 01, 512)`, FIPS 202 section 6.1.
pub fn sha3_512(msg: &[u8]) -> [u8; SHA3_512_LEN] {
    let out = sponge(SHA3_512_RATE, SHA3_SUFFIX, msg, SHA3_512_LEN);
    let mut digest = [0u8; SHA3_512_LEN];
    for i in 0..SHA3_512_LEN {
        digest[i] = out[i];
    }
    digest
}

/// `SHAKE128(M, d) = KECCAK[256](M || 1111, d)`, FIPS 202 section 6.2, with
/// d = 8 * `out_len` bits.
pub fn shake128(msg: &[u8], out_len: usize) -> Vec<u8> {
    sponge(SHAKE128_RATE, SHAKE_SUFFIX, msg, out_len)
}

/// `SHAKE256(M, d) = KECCAK[512](M || 1111, d)`, FIPS 202 section 6.2, with
/// d = 8 * `out_len` bits.
pub fn shake256(msg: &[u8], out_len: usize) -> Vec<u8> {
    sponge(SHAKE256_RATE, SHAKE_SUFFIX, msg, out_len)
}

/// SHAKE128 read incrementally (FIPS 202, section 6.2; the XOF interface
/// of FIPS 203, section 4.1): the sponge state after absorbing, and how
/// many bytes of the current block have been squeezed. Squeezing `a` then
/// `b` bytes gives the same `a + b` bytes as [`shake128`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shake128 {
    /// The Keccak state.
    pub state: State,
    /// Bytes of the current output block already returned (0..=168).
    pub offset: usize,
}

impl Shake128 {
    /// Absorbs the whole message (FIPS 202, section 4, Algorithm 8 steps
    /// 1-6, with the SHAKE suffix of section 6.2); the result is ready to
    /// squeeze.
    pub fn absorb_final(msg: &[u8]) -> Self {
        Shake128 {
            state: absorb(SHAKE128_RATE, SHAKE_SUFFIX, msg),
            offset: 0,
        }
    }

    /// The next `n` output bytes (FIPS 202, section 4, Algorithm 8 steps
    /// 7-10), and the XOF positioned after them.
    pub fn squeeze(self, n: usize) -> (Self, Vec<u8>) {
        let (state, offset, out) = squeeze(self.state, self.offset, SHAKE128_RATE, n);
        (Shake128 { state, offset }, out)
    }
}
