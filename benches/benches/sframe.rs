//! SFrame per-frame cost (SPEC.md section 20, RFC 9605): one frame
//! encrypted and decrypted, for an Opus audio frame (100 bytes), a video
//! packet (1,200 bytes) and a video key frame (100 KB), with the call
//! suite `0x0004` AES_128_GCM_SHA256_128 and an empty metadata:
//!
//! * `call/impl`: `xchat::call::Calls::encrypt_frame` on Alice's side and
//!   `decrypt_frame` on Bob's (call lookup, header, replay window, key
//!   selection, the counter);
//! * `call_into/impl`: the same through `encrypt_frame_into` /
//!   `decrypt_frame_into` into reused buffers (no allocation per frame);
//! * `sframe/impl`: `xchat::sframe::encrypt` / `decrypt` with a derived
//!   key and salt (no call state);
//! * `floor`: the AES-128-GCM calls a frame cannot avoid, on the crate
//!   `impl/` uses (RustCrypto `aes-gcm` 0.11.1, AES-NI + PCLMULQDQ): the
//!   nonce, a one-byte header as AAD, seal in place in a reused buffer and
//!   open in place, with the cipher's key schedule made once, outside the
//!   loop;
//! * `sframe-rs`: the `sframe` crate 2.1.0 (RustCrypto backend, the same
//!   `aes-gcm`), its view API into reused buffers (its fastest);
//! * `spec`: `xchat_spec::sframe::encrypt` / `decrypt` (100 and 1,200
//!   bytes only; it is not written for speed);
//! * `suite1/impl`: `xchat::sframe` with suite `0x0001`
//!   AES_128_CTR_HMAC_SHA256_80, the audio alternative SPEC.md section 20
//!   decides against.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::Aes128Gcm;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sframe::frame::{MediaFrameView, MonotonicCounter};
use sframe::key::{DecryptionKey, EncryptionKey};
use xchat::call::Calls;
use xchat::content::{CallSignal, Content};
use xchat::handle::Handle;
use xchat::sframe::{self as sf, CipherSuite, Header};
use xchat_benches::{rng, vec_bytes, WARM_UP};

const SIZES: [(usize, &str); 3] = [(100, "100B"), (1200, "1200B"), (100_000, "100KB")];

fn signal(c: Content) -> CallSignal {
    match c {
        Content::Call(s) => s,
        other => panic!("{other:?}"),
    }
}

fn frames(c: &mut Criterion) {
    let suite = CipherSuite::Aes128GcmSha256Tag128;
    let base_key = [0x42u8; 32];
    let alice: Handle = "alice".parse().unwrap();
    let bob: Handle = "bob".parse().unwrap();
    let id = [1u8; 16];
    // An answered call, Alice sending to Bob (set-up outside the loops).
    let mut a = Calls::new();
    let offer = signal(a.start_with(&bob, &id, &base_key, b"").unwrap());
    let mut b = Calls::new();
    b.on_signal(&alice, &offer).unwrap();
    let answer = signal(b.answer_with(&alice, &id, &[0x43; 32], b"").unwrap());
    a.on_signal(&bob, &answer).unwrap();

    let ks = sf::derive_key_salt(suite, 0, &base_key).unwrap();
    let floor_cipher = Aes128Gcm::new_from_slice(ks.key()).unwrap();
    let salt = *ks.salt();
    let theirs_enc =
        EncryptionKey::derive_from(sframe::CipherSuite::AesGcm128Sha256, 0u64, base_key).unwrap();
    let theirs_dec =
        DecryptionKey::derive_from(sframe::CipherSuite::AesGcm128Sha256, 0u64, base_key).unwrap();

    let mut r = rng(14);
    for (size, label) in SIZES {
        let pt = vec_bytes(&mut r, size);
        let mut g = c.benchmark_group(format!("sframe_{label}"));
        g.throughput(Throughput::Bytes(size as u64))
            .warm_up_time(WARM_UP)
            .sample_size(if size > 10_000 { 30 } else { 50 })
            .measurement_time(std::time::Duration::from_secs(2));

        g.bench_function(BenchmarkId::new("call", "impl"), |bch| {
            bch.iter(|| {
                let f = a.encrypt_frame(&bob, &id, b"", &pt).unwrap();
                b.decrypt_frame(&alice, &id, b"", &f).unwrap()
            })
        });

        // The same into reused buffers (`encrypt_frame_into`,
        // `decrypt_frame_into`): no allocation per frame.
        let (mut frame_buf, mut pt_buf) = (Vec::new(), Vec::new());
        g.bench_function(BenchmarkId::new("call_into", "impl"), |bch| {
            bch.iter(|| {
                a.encrypt_frame_into(&bob, &id, b"", &pt, &mut frame_buf)
                    .unwrap();
                b.decrypt_frame_into(&alice, &id, b"", &frame_buf, &mut pt_buf)
                    .unwrap();
                pt_buf.len()
            })
        });

        let mut ctr = 0u64;
        g.bench_function(BenchmarkId::new("sframe", "impl"), |bch| {
            bch.iter(|| {
                ctr += 1;
                let f = sf::encrypt(suite, &ks, &Header { kid: 0, ctr }, b"", &pt).unwrap();
                sf::decrypt(suite, &ks, b"", &f).unwrap().1
            })
        });

        // The 80-bit AES-CTR + HMAC-SHA-256 suite 0x0001, the alternative
        // for audio that SPEC.md section 20 measures against (not used by
        // calls).
        let ks1 = sf::derive_key_salt(CipherSuite::Aes128CtrHmacSha256Tag80, 0, &base_key).unwrap();
        let mut ctr = 0u64;
        g.bench_function(BenchmarkId::new("suite1", "impl"), |bch| {
            bch.iter(|| {
                ctr += 1;
                let s1 = CipherSuite::Aes128CtrHmacSha256Tag80;
                let f = sf::encrypt(s1, &ks1, &Header { kid: 0, ctr }, b"", &pt).unwrap();
                sf::decrypt(s1, &ks1, b"", &f).unwrap().1
            })
        });

        let mut buf = Vec::with_capacity(size + 32);
        let mut ctr = 0u64;
        g.bench_function(BenchmarkId::new("floor", "aes-gcm"), |bch| {
            bch.iter(|| {
                ctr += 1;
                let nonce = sf::nonce(&salt, ctr);
                let header = [0u8];
                buf.clear();
                buf.extend_from_slice(&pt);
                let tag = floor_cipher
                    .encrypt_inout_detached(&nonce.into(), &header, buf.as_mut_slice().into())
                    .unwrap();
                floor_cipher
                    .decrypt_inout_detached(&nonce.into(), &header, buf.as_mut_slice().into(), &tag)
                    .unwrap();
                buf.len()
            })
        });

        let mut counter = MonotonicCounter::default();
        let mut enc_buf = Vec::with_capacity(size + 64);
        let mut dec_buf = Vec::with_capacity(size + 64);
        g.bench_function(BenchmarkId::new("sframe-rs", "2.1.0"), |bch| {
            bch.iter(|| {
                let media = MediaFrameView::try_new(&mut counter, &pt).unwrap();
                let enc = media.encrypt_into(&theirs_enc, &mut enc_buf).unwrap();
                let out = enc.decrypt_into(&theirs_dec, &mut dec_buf).unwrap();
                out.payload().len()
            })
        });

        if size <= 1200 {
            let spec_suite = xchat_spec::sframe::CipherSuite::Aes128GcmSha256Tag128;
            let spec_ks = xchat_spec::sframe::derive_key_salt(spec_suite, 0, &base_key).unwrap();
            let mut ctr = 0u64;
            g.bench_function(BenchmarkId::new("sframe", "spec"), |bch| {
                bch.iter(|| {
                    ctr += 1;
                    let h = xchat_spec::sframe::Header { kid: 0, ctr };
                    let f =
                        xchat_spec::sframe::encrypt(spec_suite, &spec_ks, &h, b"", &pt).unwrap();
                    xchat_spec::sframe::decrypt(spec_suite, &spec_ks, b"", &f)
                        .unwrap()
                        .1
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, frames);
criterion_main!(benches);
