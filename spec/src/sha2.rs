//! SHA-256 and SHA-512, FIPS 180-4 (Secure Hash Standard, August 2015).
//!
//! Both hashes follow the same shape, given once per word size as the
//! standard does: pad the message (section 5.1), split it into blocks
//! (section 5.2), and run the compression function (sections 6.2.2 and
//! 6.4.2) from the initial hash value (sections 5.3.3 and 5.3.5).

/// Length in bytes of a SHA-256 digest.
pub const SHA256_LEN: usize = 32;
/// Length in bytes of a SHA-512 digest.
pub const SHA512_LEN: usize = 64;
/// SHA-256 block size in bytes (FIPS 180-4, section 1, figure 1).
pub const SHA256_BLOCK_LEN: usize = 64;
/// SHA-512 block size in bytes (FIPS 180-4, section 1, figure 1).
pub const SHA512_BLOCK_LEN: usize = 128;

/// SHA-256 constants K{256}, FIPS 180-4 section 4.2.2.
const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256 initial hash value H(0), FIPS 180-4 section 5.3.3.
const H256: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-512 constants K{512}, FIPS 180-4 section 4.2.3.
const K512: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

/// SHA-512 initial hash value H(0), FIPS 180-4 section 5.3.5.
const H512: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// Pads `msg` to a multiple of `block_len` bytes, FIPS 180-4 sections
/// 5.1.1 (SHA-256, 64-bit length field) and 5.1.2 (SHA-512, 128-bit length
/// field): the message, one `1` bit, zeros, then the message length in bits
/// as a big-endian integer of `len_field` bytes.
fn pad(msg: &[u8], block_len: usize, len_field: usize) -> Vec<u8> {
    let mut padded = msg.to_vec();
    padded.push(0x80);
    let fill = (block_len + block_len - (msg.len() + 1 + len_field) % block_len) % block_len;
    padded.resize(padded.len() + fill, 0);
    // cast: usize is at most 64 bits on every target Rust supports, so the
    // byte length fits; a message of 2^61 bytes or more cannot exist in memory.
    let bit_len = (msg.len() as u128) * 8;
    let len_bytes = bit_len.to_be_bytes();
    for i in 16 - len_field..16 {
        padded.push(len_bytes[i]);
    }
    padded
}

/// SHA-256 compression of one 64-byte block, FIPS 180-4 section 6.2.2,
/// with the functions of section 4.1.2.
fn sha256_compress(h: [u32; 8], block: &[u8]) -> [u32; 8] {
    // Step 1: prepare the message schedule W.
    let mut w = [0u32; 64];
    for t in 0..16 {
        w[t] = u32::from_be_bytes([
            block[4 * t],
            block[4 * t + 1],
            block[4 * t + 2],
            block[4 * t + 3],
        ]);
    }
    for t in 16..64 {
        let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
        let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
        w[t] = s1
            .wrapping_add(w[t - 7])
            .wrapping_add(s0)
            .wrapping_add(w[t - 16]);
    }
    // Step 2: initialize the working variables.
    let mut a = h[0];
    let mut b = h[1];
    let mut c = h[2];
    let mut d = h[3];
    let mut e = h[4];
    let mut f = h[5];
    let mut g = h[6];
    let mut hh = h[7];
    // Step 3: 64 rounds.
    for t in 0..64 {
        let big_s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh
            .wrapping_add(big_s1)
            .wrapping_add(ch)
            .wrapping_add(K256[t])
            .wrapping_add(w[t]);
        let big_s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = big_s0.wrapping_add(maj);
        hh = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    // Step 4: the intermediate hash value.
    [
        h[0].wrapping_add(a),
        h[1].wrapping_add(b),
        h[2].wrapping_add(c),
        h[3].wrapping_add(d),
        h[4].wrapping_add(e),
        h[5].wrapping_add(f),
        h[6].wrapping_add(g),
        h[7].wrapping_add(hh),
    ]
}

/// SHA-512 compression of one 128-byte block, FIPS 180-4 section 6.4.2,
/// with the functions of section 4.1.3.
fn sha512_compress(h: [u64; 8], block: &[u8]) -> [u64; 8] {
    let mut w = [0u64; 80];
    for t in 0..16 {
        w[t] = u64::from_be_bytes([
            block[8 * t],
            block[8 * t + 1],
            block[8 * t + 2],
            block[8 * t + 3],
            block[8 * t + 4],
            block[8 * t + 5],
            block[8 * t + 6],
            block[8 * t + 7],
        ]);
    }
    for t in 16..80 {
        let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
        let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
        w[t] = s1
            .wrapping_add(w[t - 7])
            .wrapping_add(s0)
            .wrapping_add(w[t - 16]);
    }
    let mut a = h[0];
    let mut b = h[1];
    let mut c = h[2];
    let mut d = h[3];
    let mut e = h[4];
    let mut f = h[5];
    let mut g = h[6];
    let mut hh = h[7];
    for t in 0..80 {
        let big_s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh
            .wrapping_add(big_s1)
            .wrapping_add(ch)
            .wrapping_add(K512[t])
            .wrapping_add(w[t]);
        let big_s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = big_s0.wrapping_add(maj);
        hh = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    [
        h[0].wrapping_add(a),
        h[1].wrapping_add(b),
        h[2].wrapping_add(c),
        h[3].wrapping_add(d),
        h[4].wrapping_add(e),
        h[5].wrapping_add(f),
        h[6].wrapping_add(g),
        h[7].wrapping_add(hh),
    ]
}

/// SHA-256 of `msg`, FIPS 180-4 section 6.2.
pub fn sha256(msg: &[u8]) -> [u8; SHA256_LEN] {
    let padded = pad(msg, SHA256_BLOCK_LEN, 8);
    let mut h = H256;
    for i in 0..padded.len() / SHA256_BLOCK_LEN {
        h = sha256_compress(h, &padded[i * SHA256_BLOCK_LEN..(i + 1) * SHA256_BLOCK_LEN]);
    }
    let mut digest = [0u8; SHA256_LEN];
    for i in 0..8 {
        let word = h[i].to_be_bytes();
        for j in 0..4 {
            digest[4 * i + j] = word[j];
        }
    }
    digest
}

/// SHA-512 of `msg`, FIPS 180-4 section 6.4.
pub fn sha512(msg: &[u8]) -> [u8; SHA512_LEN] {
    let padded = pad(msg, SHA512_BLOCK_LEN, 16);
    let mut h = H512;
    for i in 0..padded.len() / SHA512_BLOCK_LEN {
        h = sha512_compress(h, &padded[i * SHA512_BLOCK_LEN..(i + 1) * SHA512_BLOCK_LEN]);
    }
    let mut digest = [0u8; SHA512_LEN];
    for i in 0..8 {
        let word = h[i].to_be_bytes();
        for j in 0..8 {
            digest[8 * i + j] = word[j];
        }
    }
    digest
}
