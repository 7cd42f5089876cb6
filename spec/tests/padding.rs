//! Padding (SPEC.md section 10): Padme (Nikitin et al., PETS 2019,
//! Algorithm 1) and the padded content format. No external vectors exist:
//! the expected Padme values are computed by hand from the paper's formula
//! in the comments, the rest are properties and rejections.
mod common;

use common::Tally;
use xchat_spec::padding::{
    pad, padded_len, padme, pre_pad, pre_padme, unpad, MAX_PADME_INPUT, MIN_PADDED_LEN,
};
use xchat_spec::Error;

/// REQ-PAD-001: Padme values worked out by hand from Algorithm 1:
/// `E = floor(log2 L)`, `S = floor(log2 E) + 1`, `z = E - S`,
/// `mask = 2^z - 1`, `padme(L) = (L + mask) & !mask`; `padme(L) = L` for `L < 2`.
#[test]
fn padme_hand_computed_table() {
    let table: &[(u64, u64)] = &[
        // L < 2: log2 E is undefined, no rounding.
        (0, 0),
        (1, 1),
        // L = 2, 3: E = 1, S = floor(log2 1) + 1 = 1, z = 0, mask = 0.
        (2, 2),
        (3, 3),
        // L = 4..7: E = 2, S = floor(log2 2) + 1 = 2, z = 0.
        (4, 4),
        (5, 5),
        (6, 6),
        (7, 7),
        // L = 8..15: E = 3, S = floor(log2 3) + 1 = 2, z = 1, mask = 1: round to even.
        (8, 8),
        (9, 10),
        (11, 12),
        // L = 100: E = 6 (64 <= 100 < 128), S = floor(log2 6) + 1 = 3, z = 3,
        // mask = 7: (100 + 7) & !7 = 107 & !7 = 104.
        (100, 104),
        // L = 129: E = 7, S = floor(log2 7) + 1 = 3, z = 4, mask = 15:
        // 144 & !15 = 144 (the worst overhead, 15/129 = 11.6%).
        (129, 144),
        // L = 255: E = 7, S = 3, z = 4, mask = 15: 270 & !15 = 256.
        (255, 256),
        // L = 256: E = 8, S = floor(log2 8) + 1 = 4, z = 4, mask = 15: 271 & !15 = 256.
        (256, 256),
        // L = 257: E = 8, z = 4: 272 & !15 = 272.
        (257, 272),
        // L = 1000: E = 9 (512 <= 1000 < 1024), S = floor(log2 9) + 1 = 4,
        // z = 5, mask = 31: 1031 & !31 = 1024.
        (1000, 1024),
        // L = 65535: E = 15, S = floor(log2 15) + 1 = 4, z = 11, mask = 2047:
        // 67582 & !2047 = 65536.
        (65535, 65536),
        // L = 65536 = 2^16: E = 16, S = floor(log2 16) + 1 = 5, z = 11: a
        // multiple of 2048, unchanged.
        (65536, 65536),
        // L = 65537: E = 16, z = 11: 65536 + 2048 = 67584.
        (65537, 67584),
        // L = 1_000_000: E = 19 (2^19 = 524288 <= L < 2^20), S = floor(log2 19)
        // + 1 = 5, z = 14, mask = 16383: ceil(1_000_000 / 16384) = 62,
        // 62 * 16384 = 1_015_808.
        (1_000_000, 1_015_808),
        // L = 2^63 - 1: E = 62, S = floor(log2 62) + 1 = 6, z = 56: rounds up
        // to 2^63. L = 2^63: E = 63, S = 6, z = 57, unchanged.
        ((1 << 63) - 1, 1 << 63),
        (1 << 63, 1 << 63),
        // Outside pre_padme: L + mask overflows, the result saturates.
        (u64::MAX, u64::MAX),
    ];
    let mut t = Tally::new("padme hand-computed values");
    for &(l, expected) in table {
        assert_eq!(padme(l), expected, "padme({l})");
        t.check();
    }
    t.finish(table.len());
}

/// Padme's defining property, checked directly: with `E`, `S` as above,
/// the result is the smallest multiple of `2^(E - S)` that is at least `L`.
fn padme_reference(l: u64) -> u64 {
    if l < 2 {
        return l;
    }
    let e = 63 - l.leading_zeros();
    let s = 32 - e.leading_zeros(); // floor(log2 E) + 1 = bit length of E
    let unit = 1u128 << (e - s);
    let l = u128::from(l);
    u64::try_from(l.div_ceil(unit) * unit).expect("fits under pre_padme")
}

/// REQ-PAD-001: at most 12% overhead (PETS 2019, section 4), rounding to a
/// multiple of `2^(E - S)`, idempotence and monotonicity, over every
/// `L < 2^20` and a sweep of large lengths up to `2^63`.
#[test]
fn padme_overhead_and_shape() {
    let mut t = Tally::new("padme overhead <= 12%");
    let mut previous = 0;
    let check = |l: u64, t: &mut Tally| {
        let p = padme(l);
        assert!(p >= l, "padme({l}) = {p} < L");
        // (p - L) / L < 12%, in integers.
        assert!(
            u128::from(p - l) * 100 < 12 * u128::from(l.max(1)),
            "padme({l}) = {p}: overhead over 12%"
        );
        assert_eq!(p, padme_reference(l), "padme({l})");
        assert_eq!(padme(p), p, "padme is idempotent at {l}");
        t.check();
        p
    };
    for l in 0..(1u64 << 20) {
        let p = check(l, &mut t);
        assert!(p >= previous, "padme is monotone at {l}");
        previous = p;
    }
    // Large lengths: around every power of two and at odd points between.
    for e in 20..63 {
        for delta in [0u64, 1, 3, 12345] {
            let base = 1u64 << e;
            check(base - delta, &mut t);
            check(base + delta, &mut t);
            check(base + base / 3 + delta, &mut t);
        }
    }
    check(MAX_PADME_INPUT, &mut t);
    t.finish(1 << 20);
}

/// The predicates: `pre_padme` is `L <= 2^63`, `pre_pad` is a `u32` length.
#[test]
fn preconditions() {
    assert!(pre_padme(0) && pre_padme(1 << 63));
    assert!(!pre_padme((1 << 63) + 1) && !pre_padme(u64::MAX));
    assert!(pre_pad(0) && pre_pad(2000) && pre_pad(u32::MAX as usize));
    if usize::BITS > 32 {
        assert!(!pre_pad(u32::MAX as usize + 1));
        // Outside the precondition there is no padded form.
        assert_eq!(padded_len(u32::MAX as usize + 1), 0);
    }
}

/// REQ-PAD-001: `padded_len` at hand-computed points:
/// P = padme(max(n + 4, 256)).
#[test]
fn padded_len_hand_computed() {
    let table: &[(usize, usize)] = &[
        (0, 256),     // max(4, 256) = 256, padme(256) = 256
        (252, 256),   // 252 + 4 = 256
        (253, 272),   // padme(257) = 272 (see the padme table)
        (268, 272),   // 272 is a multiple of 16 with E = 8
        (269, 288),   // padme(273): E = 8, z = 4: 288
        (996, 1024),  // padme(1000) = 1024 (see the padme table)
        (1020, 1024), // padme(1024): E = 10, S = 4, z = 6: unchanged
        (1021, 1088), // padme(1025): E = 10, z = 6, mask = 63: 1088 & !63 = 1088
        // padme(2^32 + 3): E = 32, S = floor(log2 32) + 1 = 6, z = 26: 2^32 + 2^26.
        (u32::MAX as usize, 4_294_967_296 + 67_108_864),
    ];
    let mut t = Tally::new("padded_len hand-computed values");
    for &(n, expected) in table {
        assert_eq!(padded_len(n), expected, "padded_len({n})");
        t.check();
    }
    t.finish(table.len());
}

/// REQ-PAD-001, REQ-PAD-002: for every content length 0..=2000, `pad` gives
/// `u32(n) || c || zeros`, of length `padme(max(n + 4, 256))`, and `unpad`
/// returns `c`.
#[test]
fn pad_unpad_round_trip() {
    let mut t = Tally::new("pad/unpad round trips");
    for n in 0..=2000usize {
        let content: Vec<u8> = (0..n).map(|i| (i * 7 + n) as u8 | 1).collect();
        let padded = pad(&content);
        let expected_len = padme(std::cmp::max(n as u64 + 4, 256)) as usize;
        assert_eq!(padded.len(), expected_len, "n = {n}");
        assert_eq!(padded.len(), padded_len(n));
        assert!(padded.len() >= MIN_PADDED_LEN);
        assert_eq!(padded[..4], (n as u32).to_be_bytes());
        assert_eq!(&padded[4..4 + n], &content[..]);
        assert!(padded[4 + n..].iter().all(|&b| b == 0), "fill is zero");
        assert_eq!(unpad(&padded), Ok(content), "n = {n}");
        t.check();
    }
    t.finish(2001);
}

/// `u32(n) || c || zeros` brought to exactly `total` bytes (cut or extended
/// with zeros): a candidate padded input whose length may be wrong.
fn with_total_len(n: u32, total: usize) -> Vec<u8> {
    let mut v = n.to_be_bytes().to_vec();
    v.extend((0..n).map(|i| (i as u8) | 0x80));
    v.resize(total, 0);
    v
}

/// REQ-PAD-002: for several content lengths, every total length other than
/// `padme(max(n + 4, 256))` (from 0 to twice it) is `Malformed`, including
/// inputs shorter than the length field.
#[test]
fn unpad_rejects_every_wrong_length() {
    let mut t = Tally::new("unpad wrong lengths");
    for n in [0u32, 1, 100, 252, 253, 300, 1000, 1500] {
        let good = padded_len(n as usize);
        assert_eq!(
            unpad(&with_total_len(n, good)).map(|c| c.len()),
            Ok(n as usize)
        );
        for total in 0..2 * good + 8 {
            if total != good {
                assert_eq!(
                    unpad(&with_total_len(n, total)),
                    Err(Error::Malformed),
                    "n = {n}, total = {total}"
                );
                t.check();
            }
        }
    }
    t.finish(8);
}

/// REQ-PAD-002: a nonzero byte at any position of the fill, with any
/// nonzero value, is `Malformed` (small case: 10 content bytes, P = 256).
#[test]
fn unpad_rejects_nonzero_fill() {
    let content = b"0123456789";
    let padded = pad(content);
    assert_eq!(padded.len(), 256);
    let mut t = Tally::new("unpad nonzero fill");
    for pos in 4 + content.len()..padded.len() {
        for value in [0x01u8, 0x80, 0xFF] {
            let mut bad = padded.clone();
            bad[pos] = value;
            assert_eq!(
                unpad(&bad),
                Err(Error::Malformed),
                "fill byte {pos} = {value:#x}"
            );
            t.check();
        }
    }
    t.finish(3 * (256 - 14));
}

/// REQ-PAD-002: a length field larger than the data is `Malformed`, for every
/// field value that would not fit in a 256-byte input and for extreme values.
#[test]
fn unpad_rejects_length_field_larger_than_data() {
    let mut t = Tally::new("unpad oversized length field");
    let mut fields: Vec<u32> = (253..=600).collect();
    fields.extend([1 << 16, u32::MAX - 4, u32::MAX - 3, u32::MAX]);
    for n in fields {
        let mut bad = vec![0u8; 256];
        bad[..4].copy_from_slice(&n.to_be_bytes());
        assert_eq!(unpad(&bad), Err(Error::Malformed), "n = {n}");
        t.check();
    }
    // A field one past a valid content: 252 bytes fit in 256, 253 do not.
    let mut ok = vec![0u8; 256];
    ok[..4].copy_from_slice(&252u32.to_be_bytes());
    assert_eq!(unpad(&ok).map(|c| c.len()), Ok(252));
    t.finish(300);
}
