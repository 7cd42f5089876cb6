//! `robust_attachment_stream`: arbitrary attachment streams into the
//! impl's streaming open (and seal), with arbitrary read sizes, reader
//! failures and a writer that fails or takes short writes (impl only).
//!
//! Input: `key: 32, kind: u8, length: u64, small: u8, tuning: u8,
//! fail_call: u16, fail_kind: u8, sink_limit: u32, sink_step: u16,
//! ct_mode: u8, mode: u8, pos: u32, mask: u8, read_sizes: var, data: rest`.
//! With `small` odd the length is `length % MAX_LEN`; with `ct_mode` odd
//! the ciphertext is the seal of a file built from `data` (then mutated),
//! else `data` itself.
//!
//! Invariants: no panic; an `Ok` of the streaming open is the in-memory
//! open's `Ok`, with the same plaintext written; without an injected
//! failure both give the same result (an injected failure may only turn it
//! into `Io`); the streaming seal of a reader that ends early fails with
//! `Io(UnexpectedEof)`, never panics.

use std::io::ErrorKind;

use xchat::attachment::{self, testing};
use xchat::content::{self, AttachmentPointer};
use xchat::error::AttachmentError;
use xchat::Error;

use crate::check::mutate;
use crate::diff_attachment::{file_of, read_sizes, tuning, MAX_LEN};
use crate::input::Input;
use crate::io::{Chunked, Sink};

/// The target.
pub fn run(data: &[u8]) {
    let mut i = Input::new(data);
    let key = i.array::<32>();
    let kind_b = i.u8() % 3 + 1;
    let length_raw = i.u64();
    let length = if i.flag() {
        length_raw % MAX_LEN as u64
    } else {
        length_raw
    };
    let t = tuning(i.u8());
    let (fail_call, fail_kind) = (i.u16(), i.u8());
    let (sink_limit, sink_step) = (i.u32(), i.u16());
    let ct_mode = i.u8();
    let (mode, pos, mask) = (i.u8(), i.u32(), i.u8());
    let sizes = read_sizes(i.var());
    let rest = i.rest();

    let Ok(kind) = content::kind_of_byte(kind_b) else {
        unreachable!("kinds 1..=3 exist")
    };
    let Ok(ptr) = AttachmentPointer::new(kind, key, length) else {
        assert!(length > attachment::MAX_ATTACHMENT_LEN, "pointer refused");
        return;
    };
    let ct = if ct_mode & 1 == 1 && length <= MAX_LEN as u64 {
        let file = file_of(rest, length as usize);
        let Ok((_, mut ct)) = testing::seal(kind, &key, &file, t) else {
            panic!("seal of {length} bytes failed")
        };
        mutate(&mut ct, mode, pos, mask);
        ct
    } else {
        rest.to_vec()
    };
    let kind_of_failure = match fail_kind % 4 {
        1 => Some(ErrorKind::Interrupted),
        2 => Some(ErrorKind::Other),
        3 => Some(ErrorKind::UnexpectedEof),
        _ => None,
    };
    let mut reader = Chunked::new(&ct, sizes.clone());
    if let Some(k) = kind_of_failure {
        reader = reader.failing(usize::from(fail_call), k);
    }
    let limit = (sink_limit != 0).then_some(sink_limit as usize);
    let mut sink = Sink::limited(limit, usize::from(sink_step));
    let streamed = testing::open_from_reader(&ptr, reader, &mut sink, t);
    let memory = attachment::open(&ptr, &ct);
    let injected = kind_of_failure.is_some() || limit.is_some();
    match (&streamed, &memory) {
        (Ok(n), Ok(plain)) => {
            assert_eq!(*n, plain.len() as u64, "streamed length");
            assert_eq!(&sink.out, plain, "streamed plaintext");
        }
        (Ok(_), Err(e)) => panic!("streaming open accepts what open rejects ({e:?})"),
        (Err(AttachmentError::Io(_)), _) if injected => {}
        (Err(a), Err(b)) => assert_eq!(
            a.kind(),
            b.kind(),
            "streaming and in-memory open disagree ({a:?}, {b:?})"
        ),
        (Err(a), Ok(_)) => panic!("streaming open rejects ({a:?}) what open accepts"),
    }

    // Streaming seal of a reader that may end early.
    if length <= MAX_LEN as u64 {
        let mut sink = Sink::new();
        let reader = Chunked::new(rest, sizes);
        match testing::seal_to_writer(kind, &key, reader, &mut sink, length, t) {
            Ok(_) => {
                assert!(rest.len() as u64 >= length, "sealed more than was read");
                let Ok((_, ct)) = testing::seal(kind, &key, &rest[..length as usize], t) else {
                    panic!("in-memory seal failed")
                };
                assert_eq!(sink.out, ct, "streaming seal differs from seal");
            }
            Err(e) => {
                assert!((rest.len() as u64) < length, "seal_to_writer failed: {e:?}");
                assert_eq!(e.kind(), Error::Io(ErrorKind::UnexpectedEof));
            }
        }
    }
}
