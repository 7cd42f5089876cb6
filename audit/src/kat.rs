//! The Wycheproof files of `vectors/external/wycheproof` re-run through the
//! spec in the bundle job (the test command runs every external file; this
//! re-run makes the bundle's pass/fail figures its own). Policies are those
//! of the spec's tests: `valid` and `acceptable` X25519 cases must give
//! `shared`; Ed25519 is strict (only `valid` verifies); AEAD and MAC
//! `invalid` cases must be rejected. Groups whose parameters the protocol's
//! primitives do not take (AES-192, IV or tag sizes other than the suite's)
//! are counted as skipped. The NIST CAVP response files of SHA-2, SHA-3 and
//! SHAKE (`Len`/`Msg`/`MD` or `Output` records, byte-oriented), of AES ECB
//! and AES-GCM (96-bit IV, 128-bit tag excerpt, `FAIL` records must be
//! rejected), the SUPERCOP Ed25519 signatures (pyca's `sign.input`) and the
//! NIST ACVP ML-KEM-768 keyGen and encapDecap files, the CCTV Ed25519 edge
//! cases and the Wycheproof ML-KEM-768 keygen, encaps and semi-expanded
//! decaps files are re-run too (other parameter sets are skipped).

use std::collections::BTreeMap;

use serde_json::Value;

use xchat_spec::{
    aes, aes_gcm, chacha20poly1305, ed25519, hkdf, hmac, ml_kem, sha2, sha3, x25519,
    xchacha20poly1305,
};

/// The outcome of re-running one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KatResult {
    pub primitive: String,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

fn unhex(v: &Value, key: &str) -> Option<Vec<u8>> {
    let s = v.get(key)?.as_str()?;
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn arr<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
    b.try_into().ok()
}

/// `Some(true)` pass, `Some(false)` fail, `None` skipped.
type Case = fn(&Value, &Value, &str) -> Option<bool>;

fn mac(g: &Value, t: &Value, result: &str, wide: bool) -> Option<bool> {
    let key = unhex(t, "key")?;
    let msg = unhex(t, "msg")?;
    let tag = unhex(t, "tag")?;
    let bits = g.get("tagSize")?.as_u64()? as usize;
    let full = if wide {
        hmac::hmac_sha512(&key, &msg).to_vec()
    } else {
        hmac::hmac_sha256(&key, &msg).to_vec()
    };
    let same = bits / 8 <= full.len() && full[..bits / 8] == tag[..];
    Some(same == (result == "valid"))
}

fn hkdf_case(t: &Value, result: &str, wide: bool) -> Option<bool> {
    let (ikm, salt, info) = (unhex(t, "ikm")?, unhex(t, "salt")?, unhex(t, "info")?);
    let size = t.get("size")?.as_u64()? as usize;
    let out = if wide {
        hkdf::hkdf_sha512(&salt, &ikm, &info, size)
    } else {
        hkdf::hkdf_sha256(&salt, &ikm, &info, size)
    };
    Some(match (out, result) {
        (Ok(o), "valid") => Some(o) == unhex(t, "okm"),
        (Err(_), "invalid") => true,
        _ => false,
    })
}

fn aead(g: &Value, t: &Value, result: &str, which: u8) -> Option<bool> {
    let (key, iv, aad, msg, ct, tag) = (
        unhex(t, "key")?,
        unhex(t, "iv")?,
        unhex(t, "aad")?,
        unhex(t, "msg")?,
        unhex(t, "ct")?,
        unhex(t, "tag")?,
    );
    let mut sealed = ct.clone();
    sealed.extend_from_slice(&tag);
    if g.get("tagSize")?.as_u64()? != 128 {
        return None;
    }
    let (seal, open) = match which {
        0 => {
            let (k, n) = (arr::<32>(&key), arr::<12>(&iv));
            match (k, n) {
                (Some(k), Some(n)) => (
                    Some(chacha20poly1305::seal(&k, &n, &aad, &msg)),
                    chacha20poly1305::open(&k, &n, &aad, &sealed),
                ),
                _ => {
                    return if result == "invalid" {
                        Some(true)
                    } else {
                        None
                    }
                }
            }
        }
        1 => {
            let (k, n) = (arr::<32>(&key), arr::<24>(&iv));
            match (k, n) {
                (Some(k), Some(n)) => (
                    Some(xchacha20poly1305::seal(&k, &n, &aad, &msg)),
                    xchacha20poly1305::open(&k, &n, &aad, &sealed),
                ),
                _ => {
                    return if result == "invalid" {
                        Some(true)
                    } else {
                        None
                    }
                }
            }
        }
        _ => {
            if key.len() != 16 && key.len() != 32 {
                return None;
            }
            (
                aes_gcm::seal(&key, &iv, &aad, &msg).ok(),
                aes_gcm::open(&key, &iv, &aad, &sealed),
            )
        }
    };
    Some(match result {
        "valid" => seal.as_deref() == Some(&sealed[..]) && open.ok().as_deref() == Some(&msg[..]),
        "invalid" => open.is_err(),
        _ => return None,
    })
}

fn x25519_case(t: &Value, result: &str) -> Option<bool> {
    let (public, private, shared) = (
        unhex(t, "public")?,
        unhex(t, "private")?,
        unhex(t, "shared")?,
    );
    match (arr::<32>(&private), arr::<32>(&public)) {
        (Some(k), Some(u)) => {
            let same = x25519::x25519(&k, &u).to_vec() == shared;
            Some(if result == "invalid" { !same } else { same })
        }
        _ => Some(result == "invalid"),
    }
}

fn ed25519_case(g: &Value, t: &Value, result: &str) -> Option<bool> {
    let pk = unhex(g.get("publicKey")?, "pk")?;
    let (msg, sig) = (unhex(t, "msg")?, unhex(t, "sig")?);
    let ok = match (arr::<32>(&pk), arr::<64>(&sig)) {
        (Some(p), Some(s)) => ed25519::verify(&p, &msg, &s).is_ok(),
        _ => false,
    };
    Some(ok == (result == "valid"))
}

fn hex_str(s: &str) -> Option<Vec<u8>> {
    unhex(&serde_json::json!({ "v": s.trim() }), "v")
}

/// The records of a NIST response file: `key = value` lines separated by
/// blank lines, keys upper-cased; a bare `FAIL` line sets `FAIL`.
fn rsp_records(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut r = BTreeMap::new();
        for line in block.lines() {
            let line = line.trim();
            if line == "FAIL" {
                r.insert("FAIL".to_string(), String::new());
            } else if line.starts_with('[') || line.starts_with('#') {
                continue;
            } else if let Some((k, v)) = line.split_once(" = ") {
                r.insert(k.trim().to_uppercase(), v.trim().to_string());
            } else if let Some(k) = line.strip_suffix(" =") {
                r.insert(k.trim().to_uppercase(), String::new());
            }
        }
        if !r.is_empty() {
            out.push(r);
        }
    }
    out
}

fn tally(out: &mut KatResult, v: Option<bool>) {
    match v {
        Some(true) => out.passed += 1,
        Some(false) => out.failed += 1,
        None => out.skipped += 1,
    }
}

fn new_result(primitive: &str) -> KatResult {
    KatResult {
        primitive: primitive.to_string(),
        passed: 0,
        failed: 0,
        skipped: 0,
    }
}

/// AES ECB known answers: `CIPHERTEXT = AES(KEY, PLAINTEXT)` in both the
/// encrypt and the decrypt sections (the spec has the forward cipher only).
fn rerun_aes_ecb(text: &str) -> KatResult {
    let mut out = new_result("AES (ECB, forward cipher)");
    for r in rsp_records(text) {
        let field = |k: &str| r.get(k).and_then(|v| hex_str(v));
        let (Some(k), Some(p), Some(c)) = (field("KEY"), field("PLAINTEXT"), field("CIPHERTEXT"))
        else {
            continue;
        };
        // ECB: every 16-byte block on its own (the MMT records have several).
        let v = if p.is_empty() || p.len() % 16 != 0 || p.len() != c.len() {
            None
        } else {
            let mut all = Some(true);
            for (pb, cb) in p.chunks(16).zip(c.chunks(16)) {
                let one =
                    match (arr::<16>(pb), k.len()) {
                        (Some(block), 16) => arr::<16>(&k)
                            .map(|key| aes::aes128_encrypt_block(&key, &block)[..] == *cb),
                        (Some(block), 32) => arr::<32>(&k)
                            .map(|key| aes::aes256_encrypt_block(&key, &block)[..] == *cb),
                        _ => None,
                    };
                all = match (all, one) {
                    (Some(a), Some(o)) => Some(a && o),
                    _ => None,
                };
            }
            all
        };
        tally(&mut out, v);
    }
    out
}

/// AES-GCM known answers: encryption records must seal to `CT || Tag`,
/// decryption records must open to `PT`, or fail where marked `FAIL`.
fn rerun_gcm(text: &str) -> KatResult {
    let mut out = new_result("AES-GCM");
    for r in rsp_records(text) {
        let field = |k: &str| r.get(k).and_then(|v| hex_str(v));
        let (Some(key), Some(iv), Some(ct), Some(aad), Some(tag)) = (
            field("KEY"),
            field("IV"),
            field("CT"),
            field("AAD"),
            field("TAG"),
        ) else {
            continue;
        };
        let mut sealed = ct.clone();
        sealed.extend_from_slice(&tag);
        let opened = aes_gcm::open(&key, &iv, &aad, &sealed);
        let v = if r.contains_key("FAIL") {
            Some(opened.is_err())
        } else {
            field("PT").map(|pt| {
                opened.ok().as_deref() == Some(&pt[..])
                    && aes_gcm::seal(&key, &iv, &aad, &pt).ok().as_deref() == Some(&sealed[..])
            })
        };
        tally(&mut out, v);
    }
    out
}

/// One line of SUPERCOP's `sign.input`, `sk||pk : pk : msg : sig||msg :`:
/// whether the public key and the signature match (`None` if malformed).
fn ed25519_sign_line(line: &str) -> Option<bool> {
    let f: Vec<&str> = line.split(':').collect();
    let sk = hex_str(f.first()?)?;
    let pk = hex_str(f.get(1)?)?;
    let msg = hex_str(f.get(2)?)?;
    let sm = hex_str(f.get(3)?)?;
    let seed = arr::<32>(sk.get(..32)?)?;
    Some(
        ed25519::public_key(&seed).to_vec() == pk
            && ed25519::sign(&seed, &msg).to_vec() == sm.get(..64)?,
    )
}

/// SUPERCOP Ed25519 signatures (pyca's `sign.input`).
fn rerun_ed25519_sign(text: &str) -> KatResult {
    let mut out = new_result("Ed25519 (sign)");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        tally(&mut out, ed25519_sign_line(line).or(Some(false)));
    }
    out
}

fn acvp_encaps(t: &Value) -> Option<bool> {
    let (ek, m, c, k) = (
        unhex(t, "ek")?,
        arr::<32>(&unhex(t, "m")?)?,
        unhex(t, "c")?,
        unhex(t, "k")?,
    );
    let (ss, ct) = ml_kem::encaps_internal(&ek, &m).ok()?;
    Some(ss.to_vec() == k && ct == c)
}

fn acvp_decaps(g: &Value, t: &Value) -> Option<bool> {
    let (dk, c, k) = (unhex(g, "dk")?, unhex(t, "c")?, unhex(t, "k")?);
    Some(ml_kem::decaps_internal(&dk, &c).ok()?.to_vec() == k)
}

fn acvp_keygen(t: &Value) -> Option<bool> {
    let (d, z) = (arr::<32>(&unhex(t, "d")?)?, arr::<32>(&unhex(t, "z")?)?);
    let (ek, dk) = ml_kem::keygen_internal(&d, &z);
    Some(Some(ek) == unhex(t, "ek") && Some(dk) == unhex(t, "dk"))
}

/// NIST ACVP ML-KEM keyGen and encapDecap (internal projection): the
/// ML-KEM-768 groups; other parameter sets are skipped.
fn rerun_acvp(v: &Value) -> Option<KatResult> {
    let mut out = new_result("ML-KEM-768 (ACVP)");
    for g in v.get("testGroups")?.as_array()? {
        let is_768 = g.get("parameterSet").and_then(Value::as_str) == Some("ML-KEM-768");
        let function = g
            .get("function")
            .and_then(Value::as_str)
            .unwrap_or("keyGen");
        for t in g
            .get("tests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !is_768 {
                out.skipped += 1;
                continue;
            }
            let r = match function {
                "encapsulation" => acvp_encaps(t),
                "decapsulation" => acvp_decaps(g, t),
                _ => acvp_keygen(t),
            };
            tally(&mut out, r.or(Some(false)));
        }
    }
    Some(out)
}

/// C2SP/CCTV Ed25519 edge cases under the strict policy of SPEC.md 3.1:
/// a vector with a low-order or non-canonical `A` or `R`, or a low-order
/// residue, must be rejected, every other one accepted; an unknown flag
/// counts as a failure (the policy has no answer for it).
fn rerun_cctv(v: &Value) -> Option<KatResult> {
    let known = [
        "low_order_A",
        "low_order_R",
        "non_canonical_A",
        "non_canonical_R",
        "low_order_component_A",
        "low_order_component_R",
        "low_order_residue",
        "reencoded_k",
    ];
    let rejected = [
        "low_order_A",
        "low_order_R",
        "non_canonical_A",
        "non_canonical_R",
        "low_order_residue",
    ];
    let mut out = new_result("Ed25519 (strict, CCTV edge cases)");
    for c in v.as_array()? {
        let flags: Vec<&str> = c
            .get("flags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let r = (|| {
            if flags.iter().any(|f| !known.contains(f)) {
                return Some(false);
            }
            let expected = !flags.iter().any(|f| rejected.contains(f));
            let (pk, sig) = (arr::<32>(&unhex(c, "key")?)?, arr::<64>(&unhex(c, "sig")?)?);
            let msg = c.get("msg")?.as_str()?.as_bytes();
            Some(ed25519::verify(&pk, msg, &sig).is_ok() == expected)
        })();
        tally(&mut out, r.or(Some(false)));
    }
    Some(out)
}

fn seed_d_z(t: &Value) -> Option<([u8; 32], [u8; 32])> {
    let seed = unhex(t, "seed")?;
    Some((arr::<32>(seed.get(..32)?)?, arr::<32>(seed.get(32..)?)?))
}

/// Wycheproof ML-KEM-768 keygen from seeds, encapsulation (invalid keys
/// must be refused) and semi-expanded decapsulation (invalid inputs must
/// be refused).
fn rerun_wycheproof_mlkem(file: &str, v: &Value) -> Option<KatResult> {
    let mut out = new_result("ML-KEM-768 (Wycheproof)");
    for g in v.get("testGroups")?.as_array()? {
        for t in g
            .get("tests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let valid = t.get("result").and_then(Value::as_str) == Some("valid");
            let r = match file {
                "mlkem_768_keygen_seed_test.json" => (|| {
                    let (d, z) = seed_d_z(t)?;
                    let (ek, dk) = ml_kem::keygen_internal(&d, &z);
                    Some((Some(ek) == unhex(t, "ek") && Some(dk) == unhex(t, "dk")) == valid)
                })(),
                "mlkem_768_encaps_test.json" => (|| {
                    let ek = unhex(t, "ek")?;
                    let Some(m) = unhex(t, "m").and_then(|m| arr::<32>(&m)) else {
                        return Some(!valid);
                    };
                    Some(match ml_kem::encaps_internal(&ek, &m) {
                        Ok((k, c)) => {
                            valid && Some(k.to_vec()) == unhex(t, "K") && Some(c) == unhex(t, "c")
                        }
                        Err(_) => !valid,
                    })
                })(),
                _ => (|| {
                    let (dk, c) = (unhex(t, "dk")?, unhex(t, "c")?);
                    Some(match ml_kem::decaps_internal(&dk, &c) {
                        Ok(k) => valid && Some(k.to_vec()) == unhex(t, "K"),
                        Err(_) => !valid,
                    })
                })(),
            };
            tally(&mut out, r.or(Some(false)));
        }
    }
    Some(out)
}

/// A hash or XOF of the spec: message and output length to digest.
type Digest = fn(&[u8], usize) -> Vec<u8>;

/// Re-runs a NIST CAVP hash response file: every record with `Msg` and
/// `MD` or `Output`, the message cut to `Len` bits (whole bytes only).
fn rerun_rsp(name: &str, text: &str) -> Option<KatResult> {
    let base = name.rsplit('/').next()?;
    let (primitive, f): (&str, Digest) = if base.starts_with("SHA256") {
        ("SHA-256", |m, _| sha2::sha256(m).to_vec())
    } else if base.starts_with("SHA512") {
        ("SHA-512", |m, _| sha2::sha512(m).to_vec())
    } else if base.starts_with("SHA3_256") {
        ("SHA3-256", |m, _| sha3::sha3_256(m).to_vec())
    } else if base.starts_with("SHA3_512") {
        ("SHA3-512", |m, _| sha3::sha3_512(m).to_vec())
    } else if base.starts_with("SHAKE128") {
        ("SHAKE128", sha3::shake128)
    } else if base.starts_with("SHAKE256") {
        ("SHAKE256", sha3::shake256)
    } else {
        return None;
    };
    let mut out = KatResult {
        primitive: primitive.to_string(),
        passed: 0,
        failed: 0,
        skipped: 0,
    };
    for record in text.split("\n\n") {
        let mut len_bits: Option<usize> = None;
        let (mut msg, mut expected) = (None, None);
        for line in record.lines() {
            let Some((k, v)) = line.split_once(" = ") else {
                continue;
            };
            match k.trim() {
                "Len" => len_bits = v.trim().parse().ok(),
                "Msg" => msg = hex_str(v),
                "MD" | "Output" => expected = hex_str(v),
                _ => {}
            }
        }
        let (Some(msg), Some(expected)) = (msg, expected) else {
            continue;
        };
        match len_bits {
            Some(bits) if bits % 8 != 0 || bits / 8 > msg.len() => out.skipped += 1,
            _ => {
                let m = &msg[..len_bits.map_or(msg.len(), |b| b / 8)];
                if f(m, expected.len()) == expected {
                    out.passed += 1;
                } else {
                    out.failed += 1;
                }
            }
        }
    }
    Some(out)
}

/// Re-runs `name` (a path under `vectors/external`) if it is one of the
/// files of the module docs; `None` for every other file.
pub fn rerun(name: &str, bytes: &[u8]) -> Option<KatResult> {
    let text = || String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    if name.starts_with("nist-cavp/sha2/")
        || name.starts_with("nist-cavp/sha3/")
        || name.starts_with("nist-cavp/shake/")
    {
        return rerun_rsp(name, &text());
    }
    if name.starts_with("nist-cavp/aes/ECB") {
        return Some(rerun_aes_ecb(&text()));
    }
    if name.starts_with("nist-cavp/aes-gcm/") {
        return Some(rerun_gcm(&text()));
    }
    if name == "pyca/ed25519-sign.input" {
        return Some(rerun_ed25519_sign(&text()));
    }
    if name.starts_with("mlkem/acvp/") {
        return rerun_acvp(&serde_json::from_slice(bytes).ok()?);
    }
    if name == "cctv-ed25519/ed25519vectors.json" {
        return rerun_cctv(&serde_json::from_slice(bytes).ok()?);
    }
    if let Some(
        file @ ("mlkem_768_keygen_seed_test.json"
        | "mlkem_768_encaps_test.json"
        | "mlkem_768_semi_expanded_decaps_test.json"),
    ) = name.strip_prefix("wycheproof/")
    {
        return rerun_wycheproof_mlkem(file, &serde_json::from_slice(bytes).ok()?);
    }
    let file = name.strip_prefix("wycheproof/")?;
    let case: (&str, Case) = match file {
        "hmac_sha256_test.json" => ("HMAC-SHA-256", |g, t, r| mac(g, t, r, false)),
        "hmac_sha512_test.json" => ("HMAC-SHA-512", |g, t, r| mac(g, t, r, true)),
        "hkdf_sha256_test.json" => ("HKDF-SHA-256", |_, t, r| hkdf_case(t, r, false)),
        "hkdf_sha512_test.json" => ("HKDF-SHA-512", |_, t, r| hkdf_case(t, r, true)),
        "chacha20_poly1305_test.json" => ("ChaCha20-Poly1305", |g, t, r| aead(g, t, r, 0)),
        "xchacha20_poly1305_test.json" => ("XChaCha20-Poly1305", |g, t, r| aead(g, t, r, 1)),
        "aes_gcm_test.json" => ("AES-GCM", |g, t, r| aead(g, t, r, 2)),
        "x25519_test.json" => ("X25519", |_, t, r| x25519_case(t, r)),
        "ed25519_test.json" => ("Ed25519 (strict)", ed25519_case),
        _ => return None,
    };
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let mut out = KatResult {
        primitive: case.0.to_string(),
        passed: 0,
        failed: 0,
        skipped: 0,
    };
    for g in v.get("testGroups")?.as_array()? {
        for t in g
            .get("tests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let result = t.get("result").and_then(Value::as_str).unwrap_or("");
            match (case.1)(g, t, result) {
                Some(true) => out.passed += 1,
                Some(false) => out.failed += 1,
                None => out.skipped += 1,
            }
        }
    }
    Some(out)
}
