//! `cargo xtask speed`: how fast the executable specification runs.
//!
//! The spec is for reading, but later work fuzzes and differentially tests
//! whole sessions through it, so its cost matters. This prints, for each
//! primitive, the median wall-clock time of one operation over several
//! batches. It reports; it asserts nothing: the machine is shared and noisy,
//! and performance is judged from criterion benchmarks, not tests.
//! Compare ratios within one run rather than absolute figures across runs.

use std::hint::black_box;
use std::time::Instant;

use xchat_spec::{
    aes, aes_gcm, chacha20poly1305, ed25519, hkdf, hmac, ml_kem, sframe, sha2, sha3, x25519,
    xchacha20poly1305,
};

/// One measured operation: its name and its median time per call.
pub struct Measurement {
    pub name: &'static str,
    pub median_ns: f64,
}

/// Median time of one call of `op` (its result kept alive by `black_box`),
/// over `batches` batches of `per_batch` calls each.
pub fn measure<T>(batches: usize, per_batch: usize, mut op: impl FnMut() -> T) -> f64 {
    black_box(op()); // warm up caches and the allocator
    let mut per_call: Vec<f64> = (0..batches.max(1))
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_batch.max(1) {
                black_box(op());
            }
            start.elapsed().as_nanos() as f64 / per_batch.max(1) as f64
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    per_call[per_call.len() / 2]
}

/// Runs every measurement. `scale` multiplies the batch counts (1 for the
/// default run; tests use a tiny run to prove the harness works).
pub fn run(scale: usize) -> Vec<Measurement> {
    let b = 5 * scale.max(1);
    let key = [7u8; 32];
    let nonce12 = [1u8; 12];
    let nonce24 = [2u8; 24];
    let msg_1k = vec![0x5au8; 1024];
    let msg_64k = vec![0xa5u8; 65536];
    let seed = [9u8; 32];
    let sig = ed25519::sign(&seed, &msg_1k);
    let public = ed25519::public_key(&seed);
    let (ek, dk) = ml_kem::keygen_internal(&[3u8; 32], &[4u8; 32]);
    let ct = match ml_kem::encaps_internal(&ek, &[5u8; 32]) {
        Ok((_, ct)) => ct,
        Err(e) => panic!("encaps on a fresh key failed: {e:?}"),
    };

    let mut out = Vec::new();
    let mut add = |name, ns| out.push(Measurement { name, median_ns: ns });
    add("SHA-256, 1 KiB", measure(b, 20, || sha2::sha256(&msg_1k)));
    add("SHA-512, 1 KiB", measure(b, 20, || sha2::sha512(&msg_1k)));
    add("HMAC-SHA-256, 32 B", measure(b, 20, || hmac::hmac_sha256(&key, &key)));
    add("HKDF-SHA-256, 96 B out", measure(b, 20, || hkdf::hkdf_sha256(&key, &key, b"info", 96)));
    add(
        "ChaCha20-Poly1305 seal, 1 KiB",
        measure(b, 20, || chacha20poly1305::seal(&key, &nonce12, b"", &msg_1k)),
    );
    add(
        "ChaCha20-Poly1305 seal, 64 KiB",
        measure(b, 2, || chacha20poly1305::seal(&key, &nonce12, b"", &msg_64k)),
    );
    add(
        "XChaCha20-Poly1305 seal, 81 B",
        measure(b, 20, || xchacha20poly1305::seal(&key, &nonce24, b"", &msg_1k[..41])),
    );
    add("SHA3-256, 1 KiB", measure(b, 20, || sha3::sha3_256(&msg_1k)));
    add("SHAKE128, 32 B in, 840 B out", measure(b, 20, || sha3::shake128(&key, 840)));
    add("X25519", measure(b, 10, || x25519::x25519(&key, &x25519::BASE_POINT)));
    add("Ed25519 sign, 1 KiB", measure(b, 5, || ed25519::sign(&seed, &msg_1k)));
    add("Ed25519 verify, 1 KiB", measure(b, 5, || ed25519::verify(&public, &msg_1k, &sig)));
    add(
        "ML-KEM-768 KeyGen_internal",
        measure(b, 5, || ml_kem::keygen_internal(&[3u8; 32], &[4u8; 32])),
    );
    add("ML-KEM-768 Encaps_internal", measure(b, 5, || ml_kem::encaps_internal(&ek, &[5u8; 32])));
    add("ML-KEM-768 Decaps_internal", measure(b, 5, || ml_kem::decaps_internal(&dk, &ct)));
    add("AES-128 block", measure(b, 20, || aes::aes128_encrypt_block(&[7u8; 16], &[0u8; 16])));
    add(
        "AES-128-GCM seal, 1 KiB",
        measure(b, 5, || aes_gcm::seal(&key[..16], &nonce12, b"", &msg_1k)),
    );
    for (name, id) in [
        ("SFrame suite 1 (CTR-HMAC) encrypt, 1 KiB", 1),
        ("SFrame suite 4 (GCM) encrypt, 1 KiB", 4),
    ] {
        let Some(suite) = sframe::CipherSuite::from_id(id) else {
            panic!("SFrame suite {id} unsupported");
        };
        let ks = match sframe::derive_key_salt(suite, 1, &key) {
            Ok(ks) => ks,
            Err(e) => panic!("SFrame key derivation failed: {e:?}"),
        };
        let header = sframe::Header { kid: 1, ctr: 2 };
        add(name, measure(b, 5, || sframe::encrypt(suite, &ks, &header, b"", &msg_1k)));
    }
    out
}

/// Formats a time in the most readable unit.
pub fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} us", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
