//! `diff_attachment`: STREAM attachments (SPEC.md section 13), spec against
//! impl: the in-memory seal and open, the streaming seal and open with
//! arbitrary read sizes, and both tunings (sequential and parallel chunk
//! loops, small and large stream batches).
//!
//! Lengths cluster around the chunk size and Padme boundaries (see
//! [`file_len`]); the ciphertext is mutated (flip, truncate, append) and
//! the pointer's length moved by a small delta before opening.
//!
//! Input: `key: 32, kind: u8, size_sel: u8, size_x: u32, tuning: u8,
//! mode: u8, pos: u32, mask: u8, length_delta: u8 (as i8), read_sizes: var
//! (u16 each), file: rest` (the file's first bytes; the rest of its length
//! is a pattern).

use xchat::attachment::{self, testing, Tuning};
use xchat::content::{self, AttachmentPointer};
use xchat::padding::padme;
use xchat::replay::Replay;
use xchat_spec as spec;

use crate::check::{imp, mutate, same, spec as sp};
use crate::input::Input;
use crate::io::{Chunked, Sink};

/// Largest file length this target builds (the spec is slow): 3 chunks
/// and a little.
pub const MAX_LEN: usize = 3 * attachment::CHUNK_LEN + 4096;

/// The file length for `size_sel % 9` and `x`: 0 to 6, one of a few
/// bases (0, 64, the Padme minimum 256, 4096, one to three chunks) plus
/// `x % 129 - 64`; 7, `padme(x % MAX_LEN) + x % 3 - 1` (just around a
/// Padme step); 8, `x % (MAX_LEN + 1)`. Capped at [`MAX_LEN`].
pub fn file_len(size_sel: u8, x: u32) -> usize {
    const CHUNK: usize = attachment::CHUNK_LEN;
    let bases = [0, 64, 256, 4096, CHUNK, 2 * CHUNK, 3 * CHUNK];
    let len = match size_sel % 9 {
        7 => {
            let p = padme(u64::from(x) % MAX_LEN as u64) as usize;
            (p + (x as usize % 3)).saturating_sub(1)
        }
        8 => x as usize % (MAX_LEN + 1),
        b => (bases[b as usize] + (x as usize % 129)).saturating_sub(64),
    };
    len.min(MAX_LEN)
}

/// The file: `prefix`, then a pattern up to `len` bytes.
pub fn file_of(prefix: &[u8], len: usize) -> Vec<u8> {
    let mut f: Vec<u8> = prefix.iter().copied().take(len).collect();
    let mut x: u32 = 0x9E37_79B9;
    while f.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        f.push(x as u8);
    }
    f
}

/// The tuning for a byte: sequential or parallel chunk loops, stream
/// batches of 1 to 4 chunks or the default.
pub fn tuning(b: u8) -> Tuning {
    Tuning {
        parallel_min_chunks: if b & 1 == 0 { usize::MAX } else { 1 },
        batch_chunks: match (b >> 1) % 5 {
            0 => attachment::STREAM_BATCH_CHUNKS,
            k => k as usize,
        },
    }
}

/// Read sizes: each two bytes a `u16`.
pub fn read_sizes(b: &[u8]) -> Vec<usize> {
    b.chunks(2)
        .map(|c| usize::from(c[0]) << 8 | usize::from(*c.get(1).unwrap_or(&0)))
        .collect()
}

/// The target.
pub fn run(data: &[u8]) {
    let mut i = Input::new(data);
    let key = i.array::<32>();
    let kind_b = i.u8() % 3 + 1;
    let (size_sel, size_x) = (i.u8(), i.u32());
    let t = tuning(i.u8());
    let (mode, pos, mask) = (i.u8(), i.u32(), i.u8());
    let delta = i.u8() as i8;
    let sizes = read_sizes(i.var());
    let file = file_of(i.rest(), file_len(size_sel, size_x));

    let (Ok(s_kind), Ok(m_kind)) = (
        spec::content::kind_of_byte(kind_b),
        content::kind_of_byte(kind_b),
    ) else {
        panic!("divergence in media kind {kind_b}");
    };
    // Seal: in memory on both sides, streaming on the impl side.
    let (s_ptr, s_ct) = spec::attachment::seal(s_kind, &key, &file);
    let m = imp(testing::seal(m_kind, &key, &file, t));
    let m_ct = match m {
        Ok((p, ct)) => {
            same(
                "attachment seal pointer",
                &(
                    spec::content::kind_byte(s_ptr.kind),
                    s_ptr.key,
                    s_ptr.length,
                ),
                &(content::kind_byte(p.kind()), *p.key(), p.length()),
            );
            ct
        }
        Err(e) => panic!("divergence in attachment seal: spec seals, impl {e}"),
    };
    same("attachment seal", &s_ct, &m_ct);
    let mut sink = Sink::new();
    let streamed = imp(testing::seal_to_writer(
        m_kind,
        &key,
        Chunked::new(&file, sizes.clone()),
        &mut sink,
        file.len() as u64,
        t,
    ));
    same(
        "attachment streaming seal",
        &imp(Ok::<_, xchat::Error>(())),
        &streamed.map(|_| ()),
    );
    same("attachment streaming seal bytes", &s_ct, &sink.out);
    // The public entry points an application calls (default tuning, the
    // key drawn from the RNG): the same bytes and pointers.
    let mut out = Vec::new();
    let p = imp(attachment::seal_into(
        m_kind,
        &mut Replay::new(&[&key]),
        &file,
        &mut out,
    ))
    .unwrap_or_else(|e| panic!("divergence in attachment seal_into: {e}"));
    same(
        "attachment seal_into pointer",
        &(s_ptr.key, s_ptr.length),
        &(*p.key(), p.length()),
    );
    same("attachment seal_into", &s_ct, &out);
    let (p, ct) = imp(attachment::seal(m_kind, &mut Replay::new(&[&key]), &file))
        .unwrap_or_else(|e| panic!("divergence in attachment seal: {e}"));
    same(
        "attachment seal (public)",
        &(&s_ct, s_ptr.length),
        &(&ct, p.length()),
    );
    let mut sink = Sink::new();
    let streamed = imp(attachment::seal_to_writer(
        m_kind,
        &mut Replay::new(&[&key]),
        Chunked::new(&file, sizes.clone()),
        &mut sink,
        file.len() as u64,
    ));
    same(
        "attachment seal_to_writer",
        &Ok::<_, String>(s_ptr.length),
        &streamed.map(|p| p.length()),
    );
    same("attachment seal_to_writer bytes", &s_ct, &sink.out);

    // Open a mutated ciphertext under a moved length.
    let mut ct = s_ct;
    mutate(&mut ct, mode, pos, mask);
    let length = s_ptr.length.saturating_add_signed(i64::from(delta));
    let s_ptr = spec::content::AttachmentPointer {
        kind: s_ptr.kind,
        key,
        length,
    };
    let Ok(m_ptr) = AttachmentPointer::new(m_kind, key, length) else {
        panic!("divergence: impl refuses a pointer of length {length}");
    };
    let s = sp(spec::attachment::open(&s_ptr, &ct));
    same("attachment open", &s, &imp(testing::open(&m_ptr, &ct, t)));
    same(
        "attachment open (public)",
        &s,
        &imp(attachment::open(&m_ptr, &ct)),
    );
    let mut out = vec![0x5a; 7];
    let into = imp(attachment::open_into(&m_ptr, &ct, &mut out));
    match &s {
        Ok(plain) => same(
            "attachment open_into",
            &Ok(plain.clone()),
            &into.map(|()| out),
        ),
        Err(_) => {
            same("attachment open_into", &s.clone().map(|_| ()), &into);
            // Nothing of a refused attachment is left in the buffer.
            same("attachment open_into on error", &Vec::<u8>::new(), &out);
        }
    }
    let mut sink = Sink::new();
    let public = imp(attachment::open_from_reader(
        &m_ptr,
        Chunked::new(&ct, sizes.clone()),
        &mut sink,
    ));
    same_stream("attachment open_from_reader", &s, public, &sink.out);
    let mut sink = Sink::new();
    let streamed = imp(testing::open_from_reader(
        &m_ptr,
        Chunked::new(&ct, sizes),
        &mut sink,
        t,
    ));
    same_stream("attachment streaming open", &s, streamed, &sink.out);
}

/// Compares a streaming open (its result and what it wrote) with the
/// spec's in-memory open: the same plaintext and length, or the same kind.
#[track_caller]
fn same_stream(what: &str, s: &Result<Vec<u8>, String>, m: Result<u64, String>, out: &[u8]) {
    match (s, m) {
        (Ok(plain), Ok(n)) => {
            same(&format!("{what} length"), &(plain.len() as u64), &n);
            same(what, &plain.as_slice(), &out);
        }
        (s, m) => same(what, &s.clone().map(|_| ()), &m.map(|_| ())),
    }
}
