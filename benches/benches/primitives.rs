//! The primitive calls the floors are made of, one by one, so the README
//! can show where each floor's time goes and compare the machine with the
//! figures of the crate choice (impl/README.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod floor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use libcrux_ml_kem::mlkem768::{self, MlKem768Ciphertext, MlKem768PrivateKey, MlKem768PublicKey};
use xchat_benches::{bytes, parties, rng, vec_bytes, MEASURE, SAMPLES, WARM_UP};

fn primitives(c: &mut Criterion) {
    let p = parties(true);
    let f = floor::Fixture::new(&p, &parties(false));
    let mut g = c.benchmark_group("primitive");
    g.sample_size(SAMPLES)
        .warm_up_time(WARM_UP)
        .measurement_time(MEASURE);
    g.bench_function("x25519_keygen", |b| b.iter(|| floor::keygen(&f.secret1)));
    g.bench_function("x25519_dh", |b| {
        b.iter(|| floor::dh(&f.secret1, &f.bob_ik_pub))
    });
    g.bench_function("ed25519_verify", |b| {
        b.iter(|| floor::verify(&f.bob_sig_pub, &f.spk_msg, &f.spk_sig))
    });
    let pk = MlKem768PublicKey::try_from(f.pqpk.as_slice()).unwrap();
    g.bench_function("mlkem768_validate_encaps", |b| {
        b.iter(|| {
            assert!(mlkem768::validate_public_key(&pk));
            mlkem768::encapsulate(&pk, f.secret2)
        })
    });
    let dk = MlKem768PrivateKey::try_from(f.pqpk_dk.as_slice()).unwrap();
    let ct = MlKem768Ciphertext::try_from(f.ct.as_slice()).unwrap();
    g.bench_function("mlkem768_decaps", |b| {
        b.iter(|| mlkem768::decapsulate(&dk, &ct))
    });
    g.bench_function("hmac_sha256_1B", |b| b.iter(|| floor::hmac(&f.key, &[1])));
    g.bench_function("hkdf_sha256_76B", |b| {
        b.iter(|| {
            let mut okm = [0u8; 76];
            floor::hkdf(&[0u8; 32], &f.key, b"XCHAT-1 message key", &mut okm);
            okm
        })
    });
    g.bench_function("xchacha20poly1305_seal_41B", |b| {
        b.iter(|| {
            let mut buf = [0u8; 57];
            floor::xseal_in_place(&f.key, &f.nonce24, b"XCHAT-1 header", &mut buf);
            buf
        })
    });
    g.finish();

    let mut g = c.benchmark_group("primitive_1MiB");
    g.sample_size(SAMPLES)
        .warm_up_time(WARM_UP)
        .measurement_time(MEASURE)
        .throughput(Throughput::Bytes(1 << 20));
    let mut r = rng(8);
    let key: [u8; 32] = bytes(&mut r);
    let mut buf = vec_bytes(&mut r, (1 << 20) + 16);
    g.bench_function("chacha20poly1305_seal", |b| {
        b.iter(|| floor::seal_in_place(&key, &[0u8; 12], b"", &mut buf))
    });
    g.bench_function("sha256", |b| b.iter(|| floor::sha256(&buf)));
    let src = buf.clone();
    g.bench_function("memcpy", |b| b.iter(|| buf.copy_from_slice(&src)));
    g.finish();
}

criterion_group!(benches, primitives);
criterion_main!(benches);
