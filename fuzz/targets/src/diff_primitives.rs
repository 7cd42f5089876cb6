//! `diff_primitives`: every primitive of the suite, spec against impl.
//!
//! Input: `op: u8`, then the op's fields (see [`run`]). Outputs must be
//! equal byte for byte, errors equal by kind. SHA-3 and SHAKE exist only in
//! the spec (the impl has none) and are not in this differential.
//!
//! AEAD keys and nonces, X25519 and Ed25519 keys and signatures are fixed
//! size arrays in both APIs: a wrong length cannot be expressed, so the
//! length fuzzing is on the slice inputs: ML-KEM encapsulation and
//! decapsulation keys and ciphertexts of any length, HKDF output lengths
//! around `255 * HashLen`, AEAD ciphertexts shorter than a tag.

use xchat::crypto::{aead, ed25519, hash, ml_kem, x25519};
use xchat_spec as spec;

use crate::check::{imp, mutate, same, same_result, spec as sp};
use crate::input::Input;

/// Number of ops; `op % OPS` selects one.
pub const OPS: u8 = 22;

/// Op numbers (the seeds write them).
pub mod op {
    /// `sha256(rest)`.
    pub const SHA256: u8 = 0;
    /// `sha512(rest)`.
    pub const SHA512: u8 = 1;
    /// `hmac_sha256(key: var, msg: rest)`.
    pub const HMAC_SHA256: u8 = 2;
    /// `hmac_sha512(key: var, msg: rest)`.
    pub const HMAC_SHA512: u8 = 3;
    /// `hkdf_sha256(salt: var, ikm: var, info: var, len: u16 sel, u16)`.
    pub const HKDF_SHA256: u8 = 4;
    /// `hkdf_sha512(...)`, same fields.
    pub const HKDF_SHA512: u8 = 5;
    /// extract then expand, SHA-256, same fields.
    pub const HKDF_SPLIT_SHA256: u8 = 6;
    /// extract then expand, SHA-512, same fields.
    pub const HKDF_SPLIT_SHA512: u8 = 7;
    /// `seal(key: 32, nonce: 12, aad: var, msg: rest)`.
    pub const AEAD_SEAL: u8 = 8;
    /// `open(key: 32, nonce: 12, aad: var, ct: rest)`.
    pub const AEAD_OPEN: u8 = 9;
    /// seal, mutate (`mode: u8, pos: u32, mask: u8`), open:
    /// `key: 32, nonce: 12, aad: var, mode, pos, mask, msg: rest`.
    pub const AEAD_ROUNDTRIP: u8 = 10;
    /// `xseal(key: 32, nonce: 24, aad: var, msg: rest)`.
    pub const XAEAD_SEAL: u8 = 11;
    /// `xopen(key: 32, nonce: 24, aad: var, ct: rest)`.
    pub const XAEAD_OPEN: u8 = 12;
    /// xseal, mutate, xopen (as [`AEAD_ROUNDTRIP`] with a 24-byte nonce).
    pub const XAEAD_ROUNDTRIP: u8 = 13;
    /// `x25519(scalar: 32, u: 32)`, the checked DH and the public key.
    pub const X25519: u8 = 14;
    /// `public_key(seed: 32)`, `sign(seed, msg: rest)`, verify it.
    pub const ED25519_SIGN: u8 = 15;
    /// `verify(public: 32, sig: 64, msg: rest)`.
    pub const ED25519_VERIFY: u8 = 16;
    /// sign, mutate (`mode, pos, mask` over `public || sig`), verify:
    /// `seed: 32, mode, pos, mask, msg: rest`.
    pub const ED25519_MUTATE: u8 = 17;
    /// `keygen(d: 32, z: 32)`.
    pub const MLKEM_KEYGEN: u8 = 18;
    /// `encaps(ek: var, m: 32)` and the key check, any length.
    pub const MLKEM_ENCAPS: u8 = 19;
    /// `decaps(dk: var, ct: rest)`, any lengths.
    pub const MLKEM_DECAPS: u8 = 20;
    /// keygen(d, z), encaps(m) to it, mutate the ciphertext or the keys,
    /// decaps: `d: 32, z: 32, m: 32, target: u8, mode, pos, mask`.
    pub const MLKEM_ROUNDTRIP: u8 = 21;
}

/// An HKDF output length around the edges: a `u16` selector then a `u16`:
/// `sel % 4 == 0` gives `255 * hash_len - 4 + (x % 9)` (the limit and one
/// past it), `1` gives `255 * hash_len + x` (past the limit, up to 64 KiB
/// more), `2` gives `x` itself, `3` gives `x % (4 * hash_len)`.
pub fn hkdf_len(sel: u16, x: u16, hash_len: usize) -> usize {
    let max = 255 * hash_len;
    match sel % 4 {
        0 => max - 4 + (x as usize % 9),
        1 => max + x as usize,
        2 => x as usize,
        _ => x as usize % (4 * hash_len),
    }
}

/// The `(sel, x)` that [`hkdf_len`] maps to `len` (the seeds).
pub fn hkdf_len_fields(len: usize, hash_len: usize) -> (u16, u16) {
    let max = 255 * hash_len;
    if len + 4 >= max && len <= max + 4 {
        (0, (len + 4 - max) as u16)
    } else if let Ok(x) = u16::try_from(len) {
        (2, x)
    } else {
        (1, u16::try_from(len - max).unwrap_or(u16::MAX))
    }
}

/// The target.
pub fn run(data: &[u8]) {
    let mut i = Input::new(data);
    match i.u8() % OPS {
        op::SHA256 => {
            let m = i.rest();
            same("sha256", &spec::sha2::sha256(m), &hash::sha256(m));
        }
        op::SHA512 => {
            let m = i.rest();
            same("sha512", &spec::sha2::sha512(m), &hash::sha512(m));
        }
        op::HMAC_SHA256 => {
            let (k, m) = (i.var(), i.rest());
            same(
                "hmac_sha256",
                &spec::hmac::hmac_sha256(k, m),
                &hash::hmac_sha256(k, m),
            );
        }
        op::HMAC_SHA512 => {
            let (k, m) = (i.var(), i.rest());
            same(
                "hmac_sha512",
                &spec::hmac::hmac_sha512(k, m).to_vec(),
                &hash::hmac_sha512(k, m).to_vec(),
            );
        }
        o @ (op::HKDF_SHA256 | op::HKDF_SHA512 | op::HKDF_SPLIT_SHA256 | op::HKDF_SPLIT_SHA512) => {
            hkdf(o, &mut i)
        }
        op::AEAD_SEAL => {
            let (k, n, a, m) = (i.array(), i.array(), i.var(), i.rest());
            same(
                "chacha20poly1305 seal",
                &spec::chacha20poly1305::seal(&k, &n, a, m),
                &aead::seal(&k, &n, a, m),
            );
        }
        op::AEAD_OPEN => {
            let (k, n, a, c) = (i.array(), i.array(), i.var(), i.rest());
            open_both(&k, &n, a, c);
        }
        op::AEAD_ROUNDTRIP => {
            let (k, n, a) = (i.array(), i.array(), i.var());
            let (mode, pos, mask) = (i.u8(), i.u32(), i.u8());
            let m = i.rest();
            let mut c = aead::seal(&k, &n, a, m);
            same(
                "chacha20poly1305 seal",
                &spec::chacha20poly1305::seal(&k, &n, a, m),
                &c,
            );
            mutate(&mut c, mode, pos, mask);
            open_both(&k, &n, a, &c);
        }
        op::XAEAD_SEAL => {
            let (k, n, a, m) = (i.array(), i.array(), i.var(), i.rest());
            same(
                "xchacha20poly1305 seal",
                &spec::xchacha20poly1305::seal(&k, &n, a, m),
                &aead::xseal(&k, &n, a, m),
            );
        }
        op::XAEAD_OPEN => {
            let (k, n, a, c) = (i.array(), i.array(), i.var(), i.rest());
            xopen_both(&k, &n, a, c);
        }
        op::XAEAD_ROUNDTRIP => {
            let (k, n, a) = (i.array(), i.array(), i.var());
            let (mode, pos, mask) = (i.u8(), i.u32(), i.u8());
            let m = i.rest();
            let mut c = aead::xseal(&k, &n, a, m);
            same(
                "xchacha20poly1305 seal",
                &spec::xchacha20poly1305::seal(&k, &n, a, m),
                &c,
            );
            mutate(&mut c, mode, pos, mask);
            xopen_both(&k, &n, a, &c);
        }
        op::X25519 => {
            let (s, u) = (i.array(), i.array());
            same(
                "x25519",
                &spec::x25519::x25519(&s, &u),
                &x25519::x25519(&s, &u),
            );
            same(
                "x25519 public key",
                &spec::suite::public_key(&s),
                &x25519::public_key(&s),
            );
            same(
                "x25519 base point",
                &spec::x25519::x25519_base(&s),
                &x25519::public_key(&s),
            );
            same_result(
                "checked dh",
                sp(spec::suite::dh(&s, &u)),
                imp(x25519::dh(&s, &u)),
                |a| a.to_vec(),
                |b| b.to_vec(),
            );
        }
        op::ED25519_SIGN => {
            let (seed, m) = (i.array(), i.rest());
            let public = ed25519::public_key(&seed);
            same(
                "ed25519 public key",
                &spec::ed25519::public_key(&seed),
                &public,
            );
            let sig = ed25519::sign(&seed, m);
            same(
                "ed25519 sign",
                &spec::ed25519::sign(&seed, m).to_vec(),
                &sig.to_vec(),
            );
            verify_both(&public, m, &sig);
        }
        op::ED25519_VERIFY => {
            let (public, sig, m) = (i.array(), i.array(), i.rest());
            verify_both(&public, m, &sig);
        }
        op::ED25519_MUTATE => {
            let seed = i.array();
            let (mode, pos, mask) = (i.u8(), i.u32(), i.u8());
            let m = i.rest();
            let mut both = ed25519::public_key(&seed).to_vec();
            both.extend_from_slice(&ed25519::sign(&seed, m));
            // Flips only: public key and signature keep their sizes.
            if mode % 2 == 1 {
                crate::check::flip(&mut both, pos, mask);
            }
            let mut public = [0u8; 32];
            let mut sig = [0u8; 64];
            public.copy_from_slice(&both[..32]);
            sig.copy_from_slice(&both[32..]);
            verify_both(&public, m, &sig);
        }
        op::MLKEM_KEYGEN => {
            let (d, z) = (i.array(), i.array());
            let (ek, dk) = ml_kem::keygen(&d, &z);
            same(
                "ml-kem keygen",
                &spec::ml_kem::keygen_internal(&d, &z),
                &(ek, dk.to_vec()),
            );
        }
        op::MLKEM_ENCAPS => {
            let (ek, m) = (i.var(), i.array());
            encaps_both(ek, &m);
        }
        op::MLKEM_DECAPS => {
            let (dk, ct) = (i.var(), i.rest());
            decaps_both(dk, ct);
        }
        op::MLKEM_ROUNDTRIP => {
            let (d, z, m) = (i.array(), i.array(), i.array());
            let (target, mode, pos, mask) = (i.u8(), i.u8(), i.u32(), i.u8());
            let (mut ek, dk) = ml_kem::keygen(&d, &z);
            let mut dk = dk.to_vec();
            if target % 3 == 0 {
                mutate(&mut ek, mode, pos, mask);
            }
            let ct = encaps_both(&ek, &m);
            let mut ct = ct.unwrap_or_else(|| vec![0u8; ml_kem::CT_LEN]);
            match target % 3 {
                1 => mutate(&mut ct, mode, pos, mask),
                2 => mutate(&mut dk, mode, pos, mask),
                _ => {}
            }
            decaps_both(&dk, &ct);
        }
        _ => {}
    }
}

fn hkdf(o: u8, i: &mut Input<'_>) {
    let (salt, ikm, info) = (i.var(), i.var(), i.var());
    let (sel, x) = (i.u16(), i.u16());
    let wide = o == op::HKDF_SHA512 || o == op::HKDF_SPLIT_SHA512;
    let len = hkdf_len(sel, x, if wide { 64 } else { 32 });
    let mut okm = vec![0u8; len];
    match o {
        op::HKDF_SHA256 => {
            let r = imp(hash::hkdf_sha256(salt, ikm, info, &mut okm)).map(|()| okm);
            same(
                "hkdf_sha256",
                &sp(spec::hkdf::hkdf_sha256(salt, ikm, info, len)),
                &r,
            );
        }
        op::HKDF_SHA512 => {
            let r = imp(hash::hkdf_sha512(salt, ikm, info, &mut okm)).map(|()| okm);
            same(
                "hkdf_sha512",
                &sp(spec::hkdf::hkdf_sha512(salt, ikm, info, len)),
                &r,
            );
        }
        op::HKDF_SPLIT_SHA256 => {
            let prk = hash::hkdf_sha256_extract(salt, ikm);
            same(
                "hkdf_sha256 extract",
                &spec::hkdf::hkdf_sha256_extract(salt, ikm),
                &*prk,
            );
            let r = imp(hash::hkdf_sha256_expand(&prk, info, &mut okm)).map(|()| okm);
            same(
                "hkdf_sha256 expand",
                &sp(spec::hkdf::hkdf_sha256_expand(&*prk, info, len)),
                &r,
            );
        }
        _ => {
            let prk = hash::hkdf_sha512_extract(salt, ikm);
            same(
                "hkdf_sha512 extract",
                &spec::hkdf::hkdf_sha512_extract(salt, ikm).to_vec(),
                &prk.to_vec(),
            );
            let r = imp(hash::hkdf_sha512_expand(&prk, info, &mut okm)).map(|()| okm);
            same(
                "hkdf_sha512 expand",
                &sp(spec::hkdf::hkdf_sha512_expand(&*prk, info, len)),
                &r,
            );
        }
    }
}

fn open_both(k: &[u8; 32], n: &[u8; 12], a: &[u8], c: &[u8]) {
    same(
        "chacha20poly1305 open",
        &sp(spec::chacha20poly1305::open(k, n, a, c)),
        &imp(aead::open(k, n, a, c)),
    );
}

fn xopen_both(k: &[u8; 32], n: &[u8; 24], a: &[u8], c: &[u8]) {
    same(
        "xchacha20poly1305 open",
        &sp(spec::xchacha20poly1305::open(k, n, a, c)),
        &imp(aead::xopen(k, n, a, c)),
    );
}

fn verify_both(public: &[u8; 32], m: &[u8], sig: &[u8; 64]) {
    same(
        "ed25519 verify",
        &sp(spec::ed25519::verify(public, m, sig)),
        &imp(ed25519::verify(public, m, sig)),
    );
}

/// Encapsulates on both sides; the ciphertext if both accepted.
fn encaps_both(ek: &[u8], m: &[u8; 32]) -> Option<Vec<u8>> {
    same(
        "ml-kem encapsulation key check",
        &sp(spec::ml_kem::check_encapsulation_key(ek)),
        &imp(ml_kem::check_encapsulation_key(ek)),
    );
    same_result(
        "ml-kem encaps",
        sp(spec::ml_kem::encaps_internal(ek, m)),
        imp(ml_kem::encaps(ek, m)),
        |(ss, ct)| (ss.to_vec(), ct.clone()),
        |(ss, ct)| (ss.to_vec(), ct.clone()),
    )
    .map(|(_, (_, ct))| ct)
}

fn decaps_both(dk: &[u8], ct: &[u8]) {
    same(
        "ml-kem decapsulation input check",
        &sp(spec::ml_kem::check_decapsulation_inputs(dk, ct)).is_ok(),
        &(imp(ml_kem::check_decapsulation_key(dk)).is_ok() && ct.len() == ml_kem::CT_LEN),
    );
    same_result(
        "ml-kem decaps",
        sp(spec::ml_kem::decaps_internal(dk, ct)),
        imp(ml_kem::decaps(dk, ct)),
        |ss| ss.to_vec(),
        |ss| ss.to_vec(),
    );
}
