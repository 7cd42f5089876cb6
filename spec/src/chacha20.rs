//! The ChaCha20 block function and stream cipher, RFC 8439 (ChaCha20 and
//! Poly1305 for IETF Protocols, June 2018), sections 2.1 to 2.4.
//!
//! The state is sixteen 32-bit words (section 2.2): four constants, eight
//! key words, one block counter word and three nonce words. The block
//! function runs 20 rounds over a copy of the state, adds the original state
//! back in and serializes the result little-endian (section 2.3); encryption
//! XORs the plaintext with consecutive blocks (section 2.4).
//!
//! The intermediate steps are public so that the tests can check the
//! intermediate values the RFC prints (section 2.3.2) and so that HChaCha20
//! ([`crate::xchacha20poly1305`]) can reuse the initial state and the rounds.

/// Key length in bytes (RFC 8439, section 2.3).
pub const KEY_LEN: usize = 32;
/// Nonce length in bytes (RFC 8439, section 2.3).
pub const NONCE_LEN: usize = 12;
/// Block (key stream block) length in bytes (RFC 8439, section 2.3).
pub const BLOCK_LEN: usize = 64;

/// The constants 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
/// ("expand 32-byte k" read little-endian), RFC 8439 section 2.3.
pub const CONSTANTS: [u32; 4] = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

/// The ChaCha quarter round on four words, RFC 8439 section 2.1:
///
/// ```text
/// a += b; d ^= a; d <<<= 16;
/// c += d; b ^= c; b <<<= 12;
/// a += b; d ^= a; d <<<= 8;
/// c += d; b ^= c; b <<<= 7;
/// ```
///
/// where `+` is addition modulo 2^32 and `<<<` is a left rotation.
pub fn quarter_round(a: u32, b: u32, c: u32, d: u32) -> (u32, u32, u32, u32) {
    let a = a.wrapping_add(b);
    let d = (d ^ a).rotate_left(16);
    let c = c.wrapping_add(d);
    let b = (b ^ c).rotate_left(12);
    let a = a.wrapping_add(b);
    let d = (d ^ a).rotate_left(8);
    let c = c.wrapping_add(d);
    let b = (b ^ c).rotate_left(7);
    (a, b, c, d)
}

/// Precondition of [`qround`]: the four indices name words of the 16-word
/// state, RFC 8439 section 2.2.
pub fn pre_qround(x: usize, y: usize, z: usize, w: usize) -> bool {
    x < 16 && y < 16 && z < 16 && w < 16
}

/// `QUARTERROUND(x, y, z, w)` applied to the words of the state with those
/// indices, RFC 8439 section 2.2. Indices outside the state (never used by
/// the rounds, see [`pre_qround`]) leave the state unchanged.
#[cfg_attr(hax, hax_lib::requires(pre_qround(x, y, z, w)))]
pub fn qround(state: [u32; 16], x: usize, y: usize, z: usize, w: usize) -> [u32; 16] {
    let mut s = state;
    if pre_qround(x, y, z, w) {
        let (a, b, c, d) = quarter_round(s[x], s[y], s[z], s[w]);
        s[x] = a;
        s[y] = b;
        s[z] = c;
        s[w] = d;
    }
    s
}

/// The initial state of the block function, RFC 8439 section 2.3: words
/// 0-3 are [`CONSTANTS`], words 4-11 the key, word 12 the block counter and
/// words 13-15 the nonce, each read as little-endian 32-bit integers.
pub fn chacha20_init(key: &[u8; KEY_LEN], counter: u32, nonce: &[u8; NONCE_LEN]) -> [u32; 16] {
    let mut state = [0u32; 16];
    for i in 0..4 {
        state[i] = CONSTANTS[i];
    }
    for i in 0..8 {
        state[4 + i] =
            u32::from_le_bytes([key[4 * i], key[4 * i + 1], key[4 * i + 2], key[4 * i + 3]]);
    }
    state[12] = counter;
    for i in 0..3 {
        state[13 + i] = u32::from_le_bytes([
            nonce[4 * i],
            nonce[4 * i + 1],
            nonce[4 * i + 2],
            nonce[4 * i + 3],
        ]);
    }
    state
}

/// One double round, the `inner_block` of RFC 8439 section 2.3.1: four
/// "column" quarter rounds followed by four "diagonal" ones.
pub fn inner_block(state: [u32; 16]) -> [u32; 16] {
    let s = qround(state, 0, 4, 8, 12);
    let s = qround(s, 1, 5, 9, 13);
    let s = qround(s, 2, 6, 10, 14);
    let s = qround(s, 3, 7, 11, 15);
    let s = qround(s, 0, 5, 10, 15);
    let s = qround(s, 1, 6, 11, 12);
    let s = qround(s, 2, 7, 8, 13);
    qround(s, 3, 4, 9, 14)
}

/// The 20 rounds (10 double rounds) of the block function, RFC 8439
/// section 2.3.1, without the final addition of the initial state. Its
/// output on the section 2.3.2 example is the RFC's "after 20 rounds" state;
/// HChaCha20 uses it directly.
pub fn chacha20_rounds(state: [u32; 16]) -> [u32; 16] {
    let mut s = state;
    for _ in 0..10 {
        s = inner_block(s);
    }
    s
}

/// The block function as words, RFC 8439 section 2.3.1: the state after
/// 20 rounds plus the initial state, word by word modulo 2^32.
pub fn chacha20_block_words(
    key: &[u8; KEY_LEN],
    counter: u32,
    nonce: &[u8; NONCE_LEN],
) -> [u32; 16] {
    let initial = chacha20_init(key, counter, nonce);
    let mut state = chacha20_rounds(initial);
    for i in 0..16 {
        state[i] = state[i].wrapping_add(initial[i]);
    }
    state
}

/// Serializes the state as sixteen little-endian words, RFC 8439 section
/// 2.3 (`serialize(state)`).
pub fn serialize(state: [u32; 16]) -> [u8; BLOCK_LEN] {
    let mut out = [0u8; BLOCK_LEN];
    for i in 0..16 {
        let word = state[i].to_le_bytes();
        for j in 0..4 {
            out[4 * i + j] = word[j];
        }
    }
    out
}

/// The ChaCha20 block function, RFC 8439 section 2.3: 64 bytes of key
/// stream for one (key, counter, nonce).
pub fn chacha20_block(key: &[u8; KEY_LEN], counter: u32, nonce: &[u8; NONCE_LEN]) -> [u8; 64] {
    serialize(chacha20_block_words(key, counter, nonce))
}

/// Precondition of [`chacha20_encrypt`]: the block counter does not wrap,
/// i.e. `counter + ceil(len / 64) <= 2^32` (the counter is a 32-bit word,
/// RFC 8439 section 2.3; section 2.8 derives its length limit from this).
pub fn pre_chacha20_encrypt(counter: u32, plaintext_len: usize) -> bool {
    match u64::try_from(plaintext_len) {
        Ok(len) => u64::from(counter) + len.div_ceil(64) <= 1u64 << 32,
        Err(_) => false,
    }
}

/// ChaCha20 encryption (and decryption, which is the same operation), RFC
/// 8439 section 2.4: block `j` of the plaintext is XORed with
/// `chacha20_block(key, counter + j, nonce)`; a final partial block uses
/// only the first bytes of its key stream block.
#[cfg_attr(hax, hax_lib::requires(pre_chacha20_encrypt(counter, plaintext.len())))]
pub fn chacha20_encrypt(
    key: &[u8; KEY_LEN],
    counter: u32,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
) -> Vec<u8> {
    let len = plaintext.len();
    let mut ciphertext = Vec::with_capacity(len);
    for j in 0..len.div_ceil(BLOCK_LEN) {
        // cast: the counter is a 32-bit word (section 2.3); under
        // pre_chacha20_encrypt the sum never exceeds it, and outside it the
        // truncation and wrapping add make the counter wrap modulo 2^32.
        let key_stream = chacha20_block(key, counter.wrapping_add(j as u32), nonce);
        let start = j * BLOCK_LEN;
        let end = if start + BLOCK_LEN < len {
            start + BLOCK_LEN
        } else {
            len
        };
        for i in start..end {
            ciphertext.push(plaintext[i] ^ key_stream[i - start]);
        }
    }
    ciphertext
}
