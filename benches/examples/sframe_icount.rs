//! Instruction counts of one SFrame frame, encrypted and decrypted, for a
//! machine too noisy for wall-clock ratios (benches/README.md, "Calls:
//! SFrame per frame"): `sframe_icount MODE SIZE N` sets up what the
//! `sframe_*` groups of `benches/sframe.rs` set up, then encrypts and
//! decrypts N frames of SIZE bytes, where MODE is
//!
//! * `call`: `xchat::call::Calls::encrypt_frame` / `decrypt_frame`;
//! * `call-into`: `encrypt_frame_into` / `decrypt_frame_into` into reused
//!   buffers;
//! * `floor`: the AES-128-GCM floor (the cipher keyed once, seal and open
//!   in place in a reused buffer);
//! * `sframe-rs`: the `sframe` crate 2.1.0, view API into reused buffers.
//!
//! Run it under `valgrind --tool=callgrind` with N = 1 and N = 101: the
//! difference of the two totals, divided by 100, is the cost of one frame.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::Aes128Gcm;
use sframe::frame::{MediaFrameView, MonotonicCounter};
use sframe::key::{DecryptionKey, EncryptionKey};
use xchat::call::Calls;
use xchat::content::{CallSignal, Content};
use xchat::handle::Handle;
use xchat::sframe::{self as sf, CipherSuite};

fn signal(c: Content) -> CallSignal {
    match c {
        Content::Call(s) => s,
        other => panic!("{other:?}"),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mode, size, n) = match (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    ) {
        (Some(m), Some(s), Some(n))
            if ["call", "call-into", "floor", "sframe-rs"].contains(&m.as_str()) =>
        {
            (m, s, n)
        }
        _ => {
            eprintln!("usage: sframe_icount call|call-into|floor|sframe-rs SIZE N");
            std::process::exit(2);
        }
    };
    let pt: Vec<u8> = (0..size).map(|i| i as u8).collect();
    let base_key = [0x42u8; 32];
    let mut total = 0usize;
    match mode.as_str() {
        "call" | "call-into" => {
            let alice: Handle = "alice".parse().unwrap();
            let bob: Handle = "bob".parse().unwrap();
            let id = [1u8; 16];
            let mut a = Calls::new();
            let offer = signal(a.start_with(&bob, &id, &base_key, b"").unwrap());
            let mut b = Calls::new();
            b.on_signal(&alice, &offer).unwrap();
            let (mut fb, mut pb) = (Vec::new(), Vec::new());
            for _ in 0..n {
                if mode == "call" {
                    let f = a.encrypt_frame(&bob, &id, b"", &pt).unwrap();
                    total += b.decrypt_frame(&alice, &id, b"", &f).unwrap().len();
                } else {
                    a.encrypt_frame_into(&bob, &id, b"", &pt, &mut fb).unwrap();
                    b.decrypt_frame_into(&alice, &id, b"", &fb, &mut pb)
                        .unwrap();
                    total += pb.len();
                }
            }
        }
        "floor" => {
            let ks = sf::derive_key_salt(CipherSuite::Aes128GcmSha256Tag128, 0, &base_key).unwrap();
            let cipher = Aes128Gcm::new_from_slice(ks.key()).unwrap();
            let mut buf = Vec::with_capacity(size + 32);
            for ctr in 0..n as u64 {
                let nonce = sf::nonce(ks.salt(), ctr);
                buf.clear();
                buf.extend_from_slice(&pt);
                let tag = cipher
                    .encrypt_inout_detached(&nonce.into(), &[0u8], buf.as_mut_slice().into())
                    .unwrap();
                cipher
                    .decrypt_inout_detached(&nonce.into(), &[0u8], buf.as_mut_slice().into(), &tag)
                    .unwrap();
                total += buf.len();
            }
        }
        _ => {
            let suite = sframe::CipherSuite::AesGcm128Sha256;
            let enc = EncryptionKey::derive_from(suite, 0u64, base_key).unwrap();
            let dec = DecryptionKey::derive_from(suite, 0u64, base_key).unwrap();
            let mut counter = MonotonicCounter::default();
            let (mut eb, mut db) = (Vec::new(), Vec::new());
            for _ in 0..n {
                let media = MediaFrameView::try_new(&mut counter, &pt).unwrap();
                let e = media.encrypt_into(&enc, &mut eb).unwrap();
                total += e.decrypt_into(&dec, &mut db).unwrap().payload().len();
            }
        }
    }
    assert_eq!(total, n * size);
}
