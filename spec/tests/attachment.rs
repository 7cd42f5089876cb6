//! Attachments (SPEC.md section 13): STREAM (Hoang, Reyhanitabar, Rogaway,
//! Vizár, CRYPTO 2015) over ChaCha20-Poly1305 behind a key commitment. No
//! external vectors exist: round trips, the ciphertext layout rebuilt from
//! the primitives `hkdf_sha256` and `chacha20poly1305::seal`, the length
//! formula, the two-key attack the commitment stops, and every tampering
//! the construction must catch, with the error kinds of REQ-ATT-002.
mod common;

use common::Tally;
use xchat_spec::attachment::{
    attachment_keys, chunk_nonce, ciphertext_len, open, open_chunk, open_commitment,
    pre_ciphertext_len, pre_seal_chunk, seal, seal_chunk, CHUNK_LEN, COMMITMENT_LEN,
    MAX_ATTACHMENT_LEN, SEALED_CHUNK_LEN,
};
use xchat_spec::chacha20poly1305;
use xchat_spec::content::{AttachmentPointer, MediaKind};
use xchat_spec::hkdf::hkdf_sha256;
use xchat_spec::padding::padme;
use xchat_spec::Error;

const KEY: [u8; 32] = [0x42; 32];
const CHUNK: u64 = CHUNK_LEN as u64;

/// The chunk key of [`KEY`].
fn enc() -> [u8; 32] {
    attachment_keys(&KEY).0
}

/// The commitment of [`KEY`].
fn commitment() -> [u8; 32] {
    attachment_keys(&KEY).1
}

/// A file of `len` bytes with no zero byte, so that a fill check cannot
/// pass by accident.
fn file(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 + 1).collect()
}

/// The sizes the brief names: 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, and
/// several chunks (3 full chunks; 4 chunks with a short last one).
const SIZES: [usize; 7] = [
    0,
    1,
    CHUNK_LEN - 1,
    CHUNK_LEN,
    CHUNK_LEN + 1,
    3 * CHUNK_LEN,
    3 * CHUNK_LEN + 12_345,
];

/// Sealed chunks of a ciphertext, split by the layout of SPEC.md section 13
/// (after the 32-byte commitment).
fn split(ciphertext: &[u8]) -> Vec<Vec<u8>> {
    assert_eq!(ciphertext[..COMMITMENT_LEN], commitment());
    ciphertext[COMMITMENT_LEN..]
        .chunks(SEALED_CHUNK_LEN)
        .map(|c| c.to_vec())
        .collect()
}

/// `commitment || chunks`: a ciphertext under [`KEY`] from sealed chunks.
fn join(chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut ct = commitment().to_vec();
    ct.extend(chunks.concat());
    ct
}

/// A pointer with [`KEY`] claiming `length` bytes (as a malicious sender
/// holding the key could write it).
fn pointer_for(length: u64) -> AttachmentPointer {
    AttachmentPointer {
        kind: MediaKind::File,
        key: KEY,
        length,
    }
}

/// REQ-ATT-003: `enc_key || commitment = HKDF(zeros(32), K,
/// "XCHAT-1 attachment key", 64)`, rebuilt from the primitive; the chunk key
/// is neither `K` nor the commitment, and distinct keys give distinct
/// commitments.
#[test]
fn attachment_keys_derivation() {
    let mut t = Tally::new("attachment key derivation");
    let mut seen = Vec::new();
    for b in 0..=255u8 {
        let key = [b; 32];
        let okm = hkdf_sha256(&[0u8; 32], &key, b"XCHAT-1 attachment key", 64).unwrap();
        let (enc_key, commit) = attachment_keys(&key);
        assert_eq!(enc_key[..], okm[..32]);
        assert_eq!(commit[..], okm[32..]);
        assert_ne!(enc_key, key);
        assert_ne!(enc_key, commit);
        assert!(!seen.contains(&commit));
        seen.push(commit);
        // open_commitment returns the chunk key only for the right bytes.
        assert_eq!(open_commitment(&key, &commit), Ok(enc_key));
        t.check();
    }
    // A fixed point, hand-checked against RFC 5869 HKDF-SHA-256 in Python
    // (`hmac`/`hashlib`) for K = 0x42 * 32.
    assert_eq!(
        hex(&commitment()),
        "e8c2aca9035014c2ce9fe2817f83272475244c575c9545afe681f54802074652"
    );
    assert_eq!(
        hex(&enc()),
        "f7b17d7744c949a4b08558504af54854c14c206fadfe153ade66937bed9011ff"
    );
    t.finish(256);
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// REQ-ATT-003: `open_commitment` wants exactly 32 bytes (`Malformed`
/// otherwise) and rejects any other 32 bytes with `AuthenticationFailed`,
/// including every one-bit change of the right commitment.
#[test]
fn open_commitment_checks() {
    let mut t = Tally::new("attachment open_commitment");
    let c = commitment();
    for len in [0usize, 1, 31, 33, 64] {
        assert_eq!(
            open_commitment(&KEY, &vec![0u8; len]),
            Err(Error::Malformed)
        );
        t.check();
    }
    for byte in 0..32 {
        for bit in 0..8 {
            let mut bad = c;
            bad[byte] ^= 1 << bit;
            assert_eq!(
                open_commitment(&KEY, &bad),
                Err(Error::AuthenticationFailed)
            );
            t.check();
        }
    }
    // Neither the key itself nor the chunk key is the commitment.
    assert_eq!(
        open_commitment(&KEY, &KEY),
        Err(Error::AuthenticationFailed)
    );
    assert_eq!(
        open_commitment(&KEY, &enc()),
        Err(Error::AuthenticationFailed)
    );
    t.check();
    t.finish(5 + 256 + 1);
}

/// REQ-ATT-002, REQ-ATT-003: the two-key attack of the security review. A
/// ciphertext sealed under `K1` is opened with a pointer carrying `K2` and
/// the same length.
///
/// Under the old design (pointer = key, length, SHA-256 of the ciphertext)
/// the digest check was independent of the key: both pointers passed it
/// (shown below), and only the chunk AEAD stood between the ciphertext and
/// a second plaintext, and ChaCha20-Poly1305 does not commit to its key (a
/// builder of the ciphertext can make its tags verify under both keys).
/// Now the commitment check fails first, whatever the chunks are: with the
/// chunks replaced by garbage the result is the same `AuthenticationFailed`,
/// and `open_commitment` (the only way to get a chunk key while streaming)
/// refuses `K2`, so no chunk is opened under it.
#[test]
fn two_key_attack_rejected_at_commitment() {
    let mut t = Tally::new("attachment two-key attack");
    let k1 = [0x11u8; 32];
    let k2 = [0x22u8; 32];
    for &size in &[0usize, 100, CHUNK_LEN + 1] {
        let f = file(size);
        let (p1, ct) = seal(MediaKind::File, &k1, &f);
        let p2 = AttachmentPointer {
            key: k2,
            ..p1.clone()
        };
        assert_eq!(open(&p1, &ct), Ok(f));
        // The new check: K2's commitment differs, so check 2 fails.
        assert_ne!(attachment_keys(&k1).1, attachment_keys(&k2).1);
        assert_eq!(open(&p2, &ct), Err(Error::AuthenticationFailed));
        assert_eq!(
            open_commitment(&k2, &ct[..COMMITMENT_LEN]),
            Err(Error::AuthenticationFailed)
        );
        // Garbage chunks behind K1's commitment: under K2 the result is the
        // same, because the chunks are never reached ...
        let mut garbage = ct.clone();
        for b in garbage[COMMITMENT_LEN..].iter_mut() {
            *b = 0xA5;
        }
        assert_eq!(open(&p2, &garbage), Err(Error::AuthenticationFailed));
        // ... and under K1 the commitment passes and the chunk check
        // (check 3) is what fails.
        assert_eq!(
            open_commitment(&k1, &garbage[..COMMITMENT_LEN]),
            Ok(attachment_keys(&k1).0)
        );
        assert_eq!(open(&p1, &garbage), Err(Error::AuthenticationFailed));
        // K2's commitment in front of K1's chunks: the commitment passes
        // for K2 and the chunks (sealed under K1's chunk key) fail check 3;
        // for K1 the commitment fails check 2.
        let mut swapped = ct.clone();
        swapped[..COMMITMENT_LEN].copy_from_slice(&attachment_keys(&k2).1);
        assert_eq!(open(&p2, &swapped), Err(Error::AuthenticationFailed));
        assert_eq!(open(&p1, &swapped), Err(Error::AuthenticationFailed));
        t.check();
    }
    // Check 2 comes before check 4: a ciphertext whose only defect under
    // K1 is a non-zero fill (Malformed) gives AuthenticationFailed with
    // K2, so the chunks were not opened and the fill was never looked at.
    let (e1, c1) = attachment_keys(&k1);
    let mut padded = file(100);
    padded.resize(104, 0xFF);
    let mut ct = c1.to_vec();
    ct.extend(seal_chunk(&e1, 0, true, &padded));
    let p1 = AttachmentPointer {
        kind: MediaKind::File,
        key: k1,
        length: 100,
    };
    assert_eq!(open(&p1, &ct), Err(Error::Malformed));
    let p2 = AttachmentPointer { key: k2, ..p1 };
    assert_eq!(open(&p2, &ct), Err(Error::AuthenticationFailed));
    t.check();
    t.finish(4);
}

/// REQ-ATT-001: the nonce is `zeros(3) || u64(i) || u8(last)`.
#[test]
fn chunk_nonce_layout() {
    assert_eq!(chunk_nonce(0, false), [0; 12]);
    assert_eq!(chunk_nonce(0, true), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(
        chunk_nonce(0x0102_0304_0506_0708, true),
        [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1]
    );
    assert_eq!(
        chunk_nonce(u64::MAX, false),
        [0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0]
    );
}

/// REQ-ATT-001: the ciphertext length is `P + 16 n`, `P = padme(L)`,
/// `n = max(1, ceil(P / CHUNK))`: hand-computed points, then the formula
/// over a sweep of lengths up to `2^63`.
#[test]
fn ciphertext_len_formula() {
    let mut t = Tally::new("attachment ciphertext_len");
    let table: &[(u64, u64)] = &[
        // Every length is 32 (the commitment) + P + 16 n.
        (0, 32 + 16),                            // P = 0, one empty chunk
        (1, 32 + 17),                            // P = 1
        (100, 32 + 120),                         // P = padme(100) = 104
        (CHUNK - 1, 32 + CHUNK + 16),            // P = padme(65535) = 65536, one chunk
        (CHUNK, 32 + CHUNK + 16),                // P = 65536
        (CHUNK + 1, 32 + 67_584 + 32),           // P = padme(65537) = 67584, two chunks
        (3 * CHUNK, 32 + 3 * CHUNK + 48),        // P = 196608 (E = 17, z = 12, a multiple of 4096)
        (1_000_000, 32 + 1_015_808 + 16 * 16),   // P = 1015808 = 15.5 chunks -> 16
        (64 << 20, 32 + (64 << 20) + 16 * 1024), // 64 MiB = 1024 chunks
        // L = 2^63: P = 2^63, n = 2^47, 16 n = 2^51.
        (MAX_ATTACHMENT_LEN, 32 + MAX_ATTACHMENT_LEN + (1 << 51)),
    ];
    for &(l, expected) in table {
        assert_eq!(ciphertext_len(l), expected, "ciphertext_len({l})");
        t.check();
    }
    let mut lengths: Vec<u64> = (0..5000).collect();
    for e in 12..63 {
        for d in [0u64, 1, 777] {
            lengths.push((1 << e) - d);
            lengths.push((1 << e) + d);
        }
    }
    for l in lengths {
        let p = padme(l);
        let n = std::cmp::max(1, p.div_ceil(CHUNK));
        assert_eq!(ciphertext_len(l), 32 + p + 16 * n, "ciphertext_len({l})");
        t.check();
    }
    assert!(pre_ciphertext_len(MAX_ATTACHMENT_LEN) && !pre_ciphertext_len(MAX_ATTACHMENT_LEN + 1));
    assert_eq!(ciphertext_len(u64::MAX), u64::MAX); // saturates outside the precondition
    t.finish(5000);
}

/// REQ-ATT-001, REQ-ATT-003: for every size, the ciphertext is exactly the
/// commitment followed by the concatenation of `AEAD(enc_key, zeros(3) ||
/// u64(i) || u8(last), "XCHAT-1 attachment chunk", chunk_i)` over the
/// zero-padded file (both keys rebuilt from HKDF), the pointer carries the
/// kind, key and length, and `open` returns the file.
#[test]
fn round_trip_and_layout() {
    let mut t = Tally::new("attachment round trips");
    for (size, kind) in SIZES.iter().zip(
        [MediaKind::Photo, MediaKind::Gif, MediaKind::File]
            .iter()
            .cycle(),
    ) {
        let f = file(*size);
        let (ptr, ct) = seal(*kind, &KEY, &f);
        assert_eq!(ptr.kind, *kind);
        assert_eq!(ptr.key, KEY);
        assert_eq!(ptr.length, *size as u64);
        assert_eq!(ct.len() as u64, ciphertext_len(*size as u64), "size {size}");

        // Rebuild from the primitive.
        let p = padme(*size as u64) as usize;
        let mut padded = f.clone();
        padded.resize(p, 0);
        let n = std::cmp::max(1, p.div_ceil(CHUNK_LEN));
        let okm = hkdf_sha256(&[0u8; 32], &KEY, b"XCHAT-1 attachment key", 64).unwrap();
        let enc_key: [u8; 32] = okm[..32].try_into().unwrap();
        let mut expected = okm[32..].to_vec();
        for i in 0..n {
            let chunk = &padded[i * CHUNK_LEN..std::cmp::min((i + 1) * CHUNK_LEN, p)];
            let mut nonce = [0u8; 12];
            nonce[3..11].copy_from_slice(&(i as u64).to_be_bytes());
            nonce[11] = (i == n - 1) as u8;
            expected.extend(chacha20poly1305::seal(
                &enc_key,
                &nonce,
                b"XCHAT-1 attachment chunk",
                chunk,
            ));
        }
        assert!(ct == expected, "size {size}: ciphertext layout");

        assert_eq!(open(&ptr, &ct), Ok(f), "size {size}");
        t.check();
    }
    t.finish(SIZES.len());
}

/// REQ-ATT-001: every chunk opens on its own, with its index and flag, to
/// the corresponding slice of the zero-padded file.
#[test]
fn chunks_open_independently() {
    let mut t = Tally::new("attachment chunks opened independently");
    for &size in &SIZES {
        let f = file(size);
        let (_, ct) = seal(MediaKind::File, &KEY, &f);
        let p = padme(size as u64) as usize;
        let mut padded = f.clone();
        padded.resize(p, 0);
        let chunks = split(&ct);
        let n = chunks.len();
        assert_eq!(n, std::cmp::max(1, p.div_ceil(CHUNK_LEN)));
        for (i, sealed) in chunks.iter().enumerate() {
            let last = i == n - 1;
            let start = i * CHUNK_LEN;
            let end = std::cmp::min(start + CHUNK_LEN, p);
            let opened = open_chunk(&enc(), i as u64, last, sealed);
            assert_eq!(
                opened.as_deref(),
                Ok(&padded[start..end]),
                "size {size} chunk {i}"
            );
            assert_eq!(
                *sealed,
                seal_chunk(&enc(), i as u64, last, &padded[start..end])
            );
            t.check();
        }
    }
    t.finish(12);
}

/// REQ-ATT-002: the last flag is enforced: a non-last chunk opened as last,
/// and a (full) last chunk opened as non-last, fail with
/// `AuthenticationFailed`; so does a chunk opened under another index or key
/// (the pointer key `K` itself included: chunks are sealed under `enc_key`).
#[test]
fn last_flag_and_index_enforced() {
    let mut t = Tally::new("attachment last flag and index");
    let (_, ct) = seal(MediaKind::File, &KEY, &file(3 * CHUNK_LEN));
    let chunks = split(&ct);
    assert_eq!(chunks.len(), 3);
    for (i, sealed) in chunks.iter().enumerate() {
        let last = i == 2;
        assert_eq!(
            open_chunk(&enc(), i as u64, !last, sealed),
            Err(Error::AuthenticationFailed)
        );
        t.check();
        for j in 0..4u64 {
            if j != i as u64 {
                assert_eq!(
                    open_chunk(&enc(), j, last, sealed),
                    Err(Error::AuthenticationFailed)
                );
                t.check();
            }
        }
        assert_eq!(
            open_chunk(&[0x43; 32], i as u64, last, sealed),
            Err(Error::AuthenticationFailed)
        );
        assert_eq!(
            open_chunk(&KEY, i as u64, last, sealed),
            Err(Error::AuthenticationFailed)
        );
        t.check();
    }
    // A short last chunk opened as non-last has the wrong length.
    let (_, ct) = seal(MediaKind::File, &KEY, &file(CHUNK_LEN + 1));
    let chunks = split(&ct);
    assert_eq!(chunks[1].len(), 2048 + 16);
    assert_eq!(
        open_chunk(&enc(), 1, false, &chunks[1]),
        Err(Error::Malformed)
    );
    assert!(open_chunk(&enc(), 1, true, &chunks[1]).is_ok());
    t.check();
    t.finish(16);
}

/// REQ-ATT-002: a sealed chunk shorter than a tag or longer than
/// `CHUNK + 16`, or a non-last chunk of any length but `CHUNK + 16`, is
/// `Malformed`; `pre_seal_chunk` states the matching plaintext lengths.
#[test]
fn open_chunk_lengths() {
    for len in [0usize, 1, 15] {
        assert_eq!(
            open_chunk(&KEY, 0, true, &vec![0; len]),
            Err(Error::Malformed)
        );
    }
    assert_eq!(
        open_chunk(&KEY, 0, true, &vec![0; SEALED_CHUNK_LEN + 1]),
        Err(Error::Malformed)
    );
    for len in [16usize, SEALED_CHUNK_LEN - 1, SEALED_CHUNK_LEN + 1] {
        assert_eq!(
            open_chunk(&KEY, 0, false, &vec![0; len]),
            Err(Error::Malformed)
        );
    }
    // Right lengths, wrong tags.
    assert_eq!(
        open_chunk(&KEY, 0, true, &[0; 16]),
        Err(Error::AuthenticationFailed)
    );
    assert_eq!(
        open_chunk(&KEY, 0, false, &vec![0; SEALED_CHUNK_LEN]),
        Err(Error::AuthenticationFailed)
    );
    assert!(
        pre_seal_chunk(true, 0)
            && pre_seal_chunk(true, CHUNK_LEN)
            && pre_seal_chunk(false, CHUNK_LEN)
    );
    assert!(!pre_seal_chunk(true, CHUNK_LEN + 1) && !pre_seal_chunk(false, CHUNK_LEN - 1));
}

/// REQ-ATT-002: truncations. Dropping the last chunk, or cutting any number
/// of bytes, changes the length: `Malformed`. Dropping the last chunk with a
/// pointer length rewritten to match is caught by the last flag:
/// `AuthenticationFailed`.
#[test]
fn truncation_rejected() {
    let mut t = Tally::new("attachment truncations");
    for &size in &SIZES[2..] {
        let (ptr, ct) = seal(MediaKind::File, &KEY, &file(size));
        let chunks = split(&ct);
        if chunks.len() > 1 {
            let dropped = join(&chunks[..chunks.len() - 1]);
            assert_eq!(open(&ptr, &dropped), Err(Error::Malformed), "size {size}");
            t.check();
        }
        for cut in [1usize, 15, 16, 17, 1000, ct.len() - 1, ct.len()] {
            assert_eq!(
                open(&ptr, &ct[..ct.len() - cut]),
                Err(Error::Malformed),
                "size {size} cut {cut}"
            );
            t.check();
        }
    }
    // 3 full chunks, the last dropped, the pointer made to match 2 chunks:
    // only the flag of chunk 1 (sealed as non-last, opened as last) catches it.
    let (_, ct) = seal(MediaKind::File, &KEY, &file(3 * CHUNK_LEN));
    let dropped = join(&split(&ct)[..2]);
    assert_eq!(ciphertext_len(2 * CHUNK), dropped.len() as u64);
    assert_eq!(
        open(&pointer_for(2 * CHUNK), &dropped),
        Err(Error::AuthenticationFailed)
    );
    t.check();
    t.finish(39);
}

/// REQ-ATT-002: extension. Appending a chunk sealed with the same key (the
/// next index, flagged last) changes the length: `Malformed`. With a pointer
/// rewritten to match, the former last chunk (sealed as last, now opened as
/// non-last) fails: `AuthenticationFailed`.
#[test]
fn extension_rejected() {
    let mut t = Tally::new("attachment extensions");
    for &size in &SIZES {
        let (ptr, ct) = seal(MediaKind::File, &KEY, &file(size));
        let n = split(&ct).len() as u64;
        let mut longer = ct.clone();
        longer.extend(seal_chunk(&enc(), n, true, &vec![0u8; CHUNK_LEN]));
        assert_eq!(open(&ptr, &longer), Err(Error::Malformed), "size {size}");
        t.check();
        let mut one_more = ct.clone();
        one_more.push(0);
        assert_eq!(open(&ptr, &one_more), Err(Error::Malformed));
        t.check();
    }
    // 2 full chunks + a third sealed as last, pointer made to match 3 chunks.
    let (_, ct) = seal(MediaKind::File, &KEY, &file(2 * CHUNK_LEN));
    let mut longer = ct.clone();
    longer.extend(seal_chunk(&enc(), 2, true, &file(CHUNK_LEN)));
    assert_eq!(ciphertext_len(3 * CHUNK), longer.len() as u64);
    assert_eq!(
        open(&pointer_for(3 * CHUNK), &longer),
        Err(Error::AuthenticationFailed)
    );
    t.check();
    t.finish(15);
}

/// REQ-ATT-002: reordering. Swapping two sealed chunks keeps the length and
/// the commitment; the per-chunk check (the chunk index in the nonce)
/// catches it: `AuthenticationFailed`, and `open_chunk` shows the swapped
/// chunks fail at their new index.
#[test]
fn reorder_rejected() {
    let mut t = Tally::new("attachment reorders");
    let size = 3 * CHUNK_LEN + 12_345; // chunks 0, 1, 2 full; 3 short
    let (ptr, ct) = seal(MediaKind::File, &KEY, &file(size));
    let chunks = split(&ct);
    assert_eq!(chunks.len(), 4);
    for (a, b) in [(0usize, 1usize), (0, 2), (1, 2)] {
        let mut swapped = chunks.clone();
        swapped.swap(a, b);
        let swapped_ct = join(&swapped);
        assert_eq!(swapped_ct.len(), ct.len());
        assert_eq!(
            open(&ptr, &swapped_ct),
            Err(Error::AuthenticationFailed),
            "chunk, {a}<->{b}"
        );
        assert_eq!(
            open_chunk(&enc(), a as u64, false, &swapped[a]),
            Err(Error::AuthenticationFailed)
        );
        t.check();
    }
    // 2 full chunks swapped: index and flag both differ.
    let (ptr, ct) = seal(MediaKind::File, &KEY, &file(2 * CHUNK_LEN));
    let mut swapped = split(&ct);
    swapped.swap(0, 1);
    assert_eq!(
        open(&ptr, &join(&swapped)),
        Err(Error::AuthenticationFailed)
    );
    t.check();
    t.finish(4);
}

/// REQ-ATT-002, REQ-ATT-003: a ciphertext with any flipped bit in the
/// commitment or (sampled positions) in the chunks fails with
/// `AuthenticationFailed` (check 2 or check 3); so does the right
/// ciphertext under another key.
#[test]
fn commitment_and_ciphertext_tampering() {
    let mut t = Tally::new("attachment commitment and ciphertext tampering");
    let size = CHUNK_LEN + 1;
    let (ptr, ct) = seal(MediaKind::Photo, &KEY, &file(size));
    for byte in 0..COMMITMENT_LEN {
        for bit in 0..8 {
            let mut bad = ct.clone();
            bad[byte] ^= 1 << bit;
            assert_eq!(open(&ptr, &bad), Err(Error::AuthenticationFailed));
            t.check();
        }
    }
    for pos in (COMMITMENT_LEN..ct.len())
        .step_by(997)
        .chain([ct.len() - 1])
    {
        let mut bad = ct.clone();
        bad[pos] ^= 0x01;
        assert_eq!(
            open(&ptr, &bad),
            Err(Error::AuthenticationFailed),
            "pos {pos}"
        );
        t.check();
    }
    let mut wrong_key = ptr.clone();
    wrong_key.key[0] ^= 1;
    assert_eq!(open(&wrong_key, &ct), Err(Error::AuthenticationFailed));
    t.check();
    t.finish(256 + 69);
}

/// REQ-ATT-002: a pointer length that does not give the ciphertext's length,
/// or that is out of range, is `Malformed`.
#[test]
fn pointer_length_checked() {
    let mut t = Tally::new("attachment pointer lengths");
    let size = 3 * CHUNK_LEN + 12_345;
    let (ptr, ct) = seal(MediaKind::File, &KEY, &file(size));
    for length in [
        0u64,
        1,
        CHUNK,
        3 * CHUNK,
        4 * CHUNK + 1,
        1 << 40,
        MAX_ATTACHMENT_LEN,
        MAX_ATTACHMENT_LEN + 1,
        u64::MAX,
    ] {
        let bad = AttachmentPointer {
            length,
            ..ptr.clone()
        };
        assert_eq!(open(&bad, &ct), Err(Error::Malformed), "length {length}");
        t.check();
    }
    t.finish(9);
}

/// REQ-ATT-002: a nonzero fill byte (only a sender holding the key can
/// produce one) is `Malformed`, at every fill position of a small file.
#[test]
fn nonzero_fill_rejected() {
    let mut t = Tally::new("attachment nonzero fill");
    let size = 100usize; // P = padme(100) = 104: fill bytes 100..104
    let p = padme(size as u64) as usize;
    assert_eq!(p, 104);
    for pos in size..p {
        let mut padded = file(size);
        padded.resize(p, 0);
        padded[pos] = 0x01;
        let ct = join(&[seal_chunk(&enc(), 0, true, &padded)]);
        assert_eq!(
            open(&pointer_for(size as u64), &ct),
            Err(Error::Malformed),
            "pos {pos}"
        );
        t.check();
    }
    // Across a chunk boundary: CHUNK + 1 bytes, P = 67584, fill in chunk 1.
    let size = CHUNK_LEN + 1;
    let mut padded = file(size);
    padded.resize(67_584, 0);
    padded[67_583] = 0xFF;
    let ct = join(&[
        seal_chunk(&enc(), 0, false, &padded[..CHUNK_LEN]),
        seal_chunk(&enc(), 1, true, &padded[CHUNK_LEN..]),
    ]);
    assert_eq!(open(&pointer_for(size as u64), &ct), Err(Error::Malformed));
    t.check();
    t.finish(5);
}

/// Speed: seal and open are linear; prints the time for an 8 MiB file
/// (the spec is not optimized; this guards against quadratic behavior).
#[test]
fn speed_8_mib() {
    let f = file(8 << 20);
    let start = std::time::Instant::now();
    let (ptr, ct) = seal(MediaKind::File, &KEY, &f);
    let sealed = start.elapsed();
    let start = std::time::Instant::now();
    assert_eq!(open(&ptr, &ct).as_deref(), Ok(&f[..]));
    println!(
        "attachment 8 MiB: seal {sealed:?}, open {:?}",
        start.elapsed()
    );
}
