//! Shared support for the known-answer tests: locating and parsing the
//! external vector files in `vectors/external/` (see its MANIFEST.md), hex
//! decoding, the case tally every test reports, typed loaders for the files
//! that several test targets read (also `impl/tests/crypto_diff.rs`), and
//! the protocol tests' fixtures (`fixtures`).
//!
//! Each test file includes this with `mod common;` and uses only what it
//! needs, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

pub mod fixtures;

/// Path of a file under `vectors/external/`.
pub fn external(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("vectors")
        .join("external")
        .join(rel)
}

/// The text of a file under `vectors/external/`.
pub fn read_text(rel: &str) -> String {
    let path = external(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Decodes lowercase or uppercase hex; panics (the test fails) on bad input.
pub fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    assert!(s.len().is_multiple_of(2), "odd-length hex: {s:?}");
    (0..s.len() / 2)
        .map(|i| {
            u8::from_str_radix(&s[2 * i..2 * i + 2], 16)
                .unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
        })
        .collect()
}

/// Decodes hex into a fixed-size array; panics on a length mismatch.
pub fn hex_array<const N: usize>(s: &str) -> [u8; N] {
    let v = hex(s);
    v.as_slice()
        .try_into()
        .unwrap_or_else(|_| panic!("expected {N} bytes, got {}: {s:?}", v.len()))
}

/// Encodes bytes as lowercase hex (for readable assertion messages).
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A parsed JSON file under `vectors/external/`.
pub fn json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&read_text(rel)).unwrap_or_else(|e| panic!("parsing {rel}: {e}"))
}

/// A parsed YAML file under `vectors/external/`.
pub fn yaml(rel: &str) -> serde_norway::Value {
    serde_norway::from_str(&read_text(rel)).unwrap_or_else(|e| panic!("parsing {rel}: {e}"))
}

/// The string at `key` in a YAML mapping; panics if absent.
pub fn ystr<'a>(v: &'a serde_norway::Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(|x| x.as_str())
        .unwrap_or_else(|| panic!("missing string field {key:?} in {v:?}"))
}

/// The string at `key` in a JSON object; panics if absent.
pub fn jstr<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(|x| x.as_str())
        .unwrap_or_else(|| panic!("missing string field {key:?} in {v}"))
}

/// One record of a NIST CAVP `.rsp` file: its `key = value` lines, plus the
/// enclosing `[section]` header (if any) under the key `"[section]"`.
pub type RspRecord = BTreeMap<String, String>;

/// Parses a NIST CAVP/KAT `.rsp` file into records. A record is a run of
/// `key = value` lines ended by a blank line; `#` lines are comments.
pub fn rsp(rel: &str) -> Vec<RspRecord> {
    let text = read_text(rel);
    let mut records = Vec::new();
    let mut section = String::new();
    let mut current = RspRecord::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !current.is_empty() {
                records.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = line[1..line.len() - 1].trim().to_string();
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            if current.is_empty() && !section.is_empty() {
                current.insert("[section]".to_string(), section.clone());
            }
            current.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    if !current.is_empty() {
        records.push(current);
    }
    records
}

/// The expected verdict of a Wycheproof test case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
    /// Either outcome conforms to the primitive's standard; the test must
    /// assert the decision our documented policy makes.
    Acceptable,
}

/// One Wycheproof test case with its group (where keys and sizes live).
pub struct WycheproofCase<'a> {
    pub group: &'a serde_json::Value,
    pub case: &'a serde_json::Value,
    pub tc_id: u64,
    pub verdict: Verdict,
    pub flags: Vec<String>,
}

impl WycheproofCase<'_> {
    /// Hex field of the test case, decoded.
    pub fn hex(&self, key: &str) -> Vec<u8> {
        hex(jstr(self.case, key))
    }

    /// A readable identifier for assertion messages.
    pub fn id(&self) -> String {
        format!(
            "tcId {} ({:?}, {:?})",
            self.tc_id,
            self.case
                .get("comment")
                .and_then(|c| c.as_str())
                .unwrap_or(""),
            self.flags
        )
    }
}

/// All test cases of a parsed Wycheproof file, in file order.
pub fn wycheproof_cases(file: &serde_json::Value) -> Vec<WycheproofCase<'_>> {
    let mut out = Vec::new();
    let groups = file["testGroups"].as_array().expect("testGroups");
    for group in groups {
        for case in group["tests"].as_array().expect("tests") {
            let verdict = match jstr(case, "result") {
                "valid" => Verdict::Valid,
                "invalid" => Verdict::Invalid,
                "acceptable" => Verdict::Acceptable,
                other => panic!("unknown Wycheproof result {other:?}"),
            };
            let flags = case["flags"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|f| f.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            out.push(WycheproofCase {
                group,
                case,
                tc_id: case["tcId"].as_u64().expect("tcId"),
                verdict,
                flags,
            });
        }
    }
    out
}

/// Counts the cases a test checked, prints the count (visible with
/// `--show-output`, which the project's test command passes), and fails the
/// test if a source yielded no case at all: an empty or misparsed vector
/// file must never pass silently.
pub struct Tally {
    name: String,
    checked: usize,
}

impl Tally {
    pub fn new(name: &str) -> Self {
        Tally {
            name: name.to_string(),
            checked: 0,
        }
    }

    /// Records one checked case.
    pub fn check(&mut self) {
        self.checked += 1;
    }

    /// Reports the count and asserts it is non-zero (and at least `min`,
    /// when the source's size is known).
    pub fn finish(self, min: usize) -> usize {
        println!("{}: {} cases checked", self.name, self.checked);
        assert!(self.checked > 0, "{}: zero cases checked", self.name);
        assert!(
            self.checked >= min,
            "{}: only {} cases checked, expected at least {min}",
            self.name,
            self.checked
        );
        self.checked
    }
}

/// The number of cases a property test runs: the environment variable
/// `PROPTEST_CASES` (proptest's own knob) if it is set, `default` if not.
///
/// Every `proptest!` block of the workspace's tests and the impl's counted
/// runner (`impl/tests/harness`) take their case count from here, so that a
/// run that would check nothing fails loudly instead of passing: panics if
/// the count is 0 (proptest would run no case and report success) or if the
/// variable is set but is not a number (it would silently fall back to the
/// default).
pub fn proptest_cases(default: u32) -> u32 {
    let cases = match std::env::var("PROPTEST_CASES") {
        Ok(v) => v.trim().parse::<u32>().unwrap_or_else(|e| {
            panic!("PROPTEST_CASES={v:?} is not a case count ({e}); unset it or give a number >= 1")
        }),
        Err(std::env::VarError::NotPresent) => default,
        Err(e) => panic!("PROPTEST_CASES: {e}"),
    };
    assert!(
        cases > 0,
        "PROPTEST_CASES=0 (or a default of 0): a property test that runs no case checks \
         nothing and would pass vacuously; set PROPTEST_CASES to 1 or more"
    );
    cases
}

/// Parses a KAT `.rsp` file whose records are not separated by blank lines
/// (the pq-crystals style `count = 0`, `z = ..`, ... `count = 1`, ...): a
/// record starts at each `start_key = ..` line. `#` lines are comments and
/// blank lines are ignored.
pub fn rsp_by_start_key(rel: &str, start_key: &str) -> Vec<RspRecord> {
    let text = read_text(rel);
    let mut records = Vec::new();
    let mut current = RspRecord::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let k = k.trim();
            if k == start_key && !current.is_empty() {
                records.push(std::mem::take(&mut current));
            }
            current.insert(k.to_string(), v.trim().to_string());
        }
    }
    if !current.is_empty() {
        records.push(current);
    }
    records
}

// ---------------------------------------------------------------------------
// Typed loaders for the vector files read by more than one test target (the
// spec's known-answer tests and the implementation's differential tests).
// They only parse and decode; every test asserts on its own.
// ---------------------------------------------------------------------------

/// Maps every case of the Wycheproof file `rel` through `f`, in file order,
/// after checking that the file holds its `numberOfTests` cases (a parsing
/// sanity check).
pub fn wycheproof_typed<T>(rel: &str, f: impl Fn(&WycheproofCase) -> T) -> Vec<T> {
    let file = json(rel);
    let cases = wycheproof_cases(&file);
    assert_eq!(
        Some(cases.len() as u64),
        file["numberOfTests"].as_u64(),
        "{rel}: numberOfTests"
    );
    cases.iter().map(f).collect()
}

/// A Wycheproof (X)ChaCha20-Poly1305 case (`chacha20_poly1305_test.json`,
/// `xchacha20_poly1305_test.json`).
pub struct AeadCase {
    pub id: String,
    pub verdict: Verdict,
    pub flags: Vec<String>,
    pub key: Vec<u8>,
    pub iv: Vec<u8>,
    pub aad: Vec<u8>,
    pub msg: Vec<u8>,
    /// `ct || tag`, the output of seal.
    pub sealed: Vec<u8>,
}

pub fn wycheproof_aead(rel: &str) -> Vec<AeadCase> {
    wycheproof_typed(rel, |c| AeadCase {
        id: c.id(),
        verdict: c.verdict,
        flags: c.flags.clone(),
        key: c.hex("key"),
        iv: c.hex("iv"),
        aad: c.hex("aad"),
        msg: c.hex("msg"),
        sealed: [c.hex("ct"), c.hex("tag")].concat(),
    })
}

/// A Wycheproof HKDF case (`hkdf_sha256_test.json`, `hkdf_sha512_test.json`).
pub struct HkdfCase {
    pub id: String,
    pub verdict: Verdict,
    pub flags: Vec<String>,
    /// The group's `keySize` (of `ikm`), in bits.
    pub key_bits: u64,
    pub ikm: Vec<u8>,
    pub salt: Vec<u8>,
    pub info: Vec<u8>,
    pub size: usize,
    pub okm: Vec<u8>,
}

pub fn wycheproof_hkdf(rel: &str) -> Vec<HkdfCase> {
    wycheproof_typed(rel, |c| HkdfCase {
        id: c.id(),
        verdict: c.verdict,
        flags: c.flags.clone(),
        key_bits: c.group["keySize"].as_u64().expect("keySize"),
        ikm: c.hex("ikm"),
        salt: c.hex("salt"),
        info: c.hex("info"),
        size: usize::try_from(c.case["size"].as_u64().expect("size")).expect("size fits"),
        okm: c.hex("okm"),
    })
}

/// A Wycheproof HMAC case (`hmac_sha256_test.json`, `hmac_sha512_test.json`).
pub struct HmacCase {
    pub id: String,
    pub verdict: Verdict,
    pub flags: Vec<String>,
    /// The group's `keySize` and `tagSize`, in bits.
    pub key_bits: u64,
    pub tag_bits: u64,
    pub key: Vec<u8>,
    pub msg: Vec<u8>,
    /// The expected tag: the full output truncated to `tag_bits`.
    pub tag: Vec<u8>,
}

pub fn wycheproof_hmac(rel: &str) -> Vec<HmacCase> {
    wycheproof_typed(rel, |c| HmacCase {
        id: c.id(),
        verdict: c.verdict,
        flags: c.flags.clone(),
        key_bits: c.group["keySize"].as_u64().expect("keySize"),
        tag_bits: c.group["tagSize"].as_u64().expect("tagSize"),
        key: c.hex("key"),
        msg: c.hex("msg"),
        tag: c.hex("tag"),
    })
}

/// A case of Wycheproof `x25519_test.json`.
pub struct X25519Case {
    pub id: String,
    pub verdict: Verdict,
    /// The group's `curve`.
    pub curve: String,
    pub public: [u8; 32],
    pub private: [u8; 32],
    pub shared: [u8; 32],
}

pub fn wycheproof_x25519() -> Vec<X25519Case> {
    wycheproof_typed("wycheproof/x25519_test.json", |c| X25519Case {
        id: c.id(),
        verdict: c.verdict,
        curve: jstr(c.group, "curve").to_string(),
        public: hex_array(jstr(c.case, "public")),
        private: hex_array(jstr(c.case, "private")),
        shared: hex_array(jstr(c.case, "shared")),
    })
}

/// A case of Wycheproof `ed25519_test.json` (the signature as given: some
/// have the wrong length).
pub struct Ed25519Case {
    pub id: String,
    pub verdict: Verdict,
    /// The group's public key.
    pub pk: [u8; 32],
    pub msg: Vec<u8>,
    pub sig: Vec<u8>,
}

pub fn wycheproof_ed25519() -> Vec<Ed25519Case> {
    wycheproof_typed("wycheproof/ed25519_test.json", |c| Ed25519Case {
        id: c.id(),
        verdict: c.verdict,
        pk: hex_array(jstr(&c.group["publicKey"], "pk")),
        msg: c.hex("msg"),
        sig: c.hex("sig"),
    })
}

/// A vector of C2SP/CCTV `ed25519vectors.json` (see its README.md).
pub struct CctvEd25519Case {
    pub number: u64,
    pub pk: [u8; 32],
    pub sig: [u8; 64],
    pub msg: Vec<u8>,
    pub flags: Vec<String>,
}

pub fn cctv_ed25519() -> Vec<CctvEd25519Case> {
    let file = json("cctv-ed25519/ed25519vectors.json");
    file.as_array()
        .expect("array")
        .iter()
        .map(|v| CctvEd25519Case {
            number: v["number"].as_u64().expect("number"),
            pk: hex_array(jstr(v, "key")),
            sig: hex_array(jstr(v, "sig")),
            msg: jstr(v, "msg").as_bytes().to_vec(),
            flags: v["flags"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|f| f.as_str().expect("flag").to_string())
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The cases of the ML-KEM-768 test groups of an ACVP file, with their
/// group.
fn acvp_mlkem_768(file: &serde_json::Value) -> Vec<(&serde_json::Value, &serde_json::Value)> {
    let mut out = Vec::new();
    for group in file["testGroups"].as_array().expect("testGroups") {
        if jstr(group, "parameterSet") == "ML-KEM-768" {
            for case in group["tests"].as_array().expect("tests") {
                out.push((group, case));
            }
        }
    }
    out
}

/// A NIST ACVP ML-KEM-768 keyGen case (FIPS 203 Algorithm 16).
pub struct MlKemKeyGenCase {
    pub tc_id: u64,
    pub d: [u8; 32],
    pub z: [u8; 32],
    pub ek: Vec<u8>,
    pub dk: Vec<u8>,
}

/// The ML-KEM-768 cases of `mlkem/acvp/keyGen/internalProjection.json`.
pub fn mlkem_acvp_keygen() -> Vec<MlKemKeyGenCase> {
    let file = json("mlkem/acvp/keyGen/internalProjection.json");
    acvp_mlkem_768(&file)
        .into_iter()
        .map(|(_, case)| MlKemKeyGenCase {
            tc_id: case["tcId"].as_u64().expect("tcId"),
            d: hex_array(jstr(case, "d")),
            z: hex_array(jstr(case, "z")),
            ek: hex(jstr(case, "ek")),
            dk: hex(jstr(case, "dk")),
        })
        .collect()
}

/// What an ACVP encapDecap case tests, with the inputs of its function.
pub enum MlKemAcvpFunction {
    /// Encaps_internal(ek, m) = (k, c); `dk` is ek's decapsulation key.
    Encapsulation {
        ek: Vec<u8>,
        dk: Vec<u8>,
        m: [u8; 32],
    },
    /// Decaps_internal(dk, c) = k, with the group's `dk`.
    Decapsulation { dk: Vec<u8> },
}

/// A NIST ACVP ML-KEM-768 encapDecap case (FIPS 203 Algorithms 17, 18).
pub struct MlKemEncapDecapCase {
    pub tc_id: u64,
    pub function: MlKemAcvpFunction,
    pub c: Vec<u8>,
    pub k: Vec<u8>,
}

/// The ML-KEM-768 cases of `mlkem/acvp/encapDecap/internalProjection.json`.
pub fn mlkem_acvp_encap_decap() -> Vec<MlKemEncapDecapCase> {
    let file = json("mlkem/acvp/encapDecap/internalProjection.json");
    acvp_mlkem_768(&file)
        .into_iter()
        .map(|(group, case)| {
            let function = match jstr(group, "function") {
                "encapsulation" => MlKemAcvpFunction::Encapsulation {
                    ek: hex(jstr(case, "ek")),
                    dk: hex(jstr(case, "dk")),
                    m: hex_array(jstr(case, "m")),
                },
                "decapsulation" => MlKemAcvpFunction::Decapsulation {
                    dk: hex(jstr(group, "dk")),
                },
                other => panic!("unexpected function {other:?}"),
            };
            MlKemEncapDecapCase {
                tc_id: case["tcId"].as_u64().expect("tcId"),
                function,
                c: hex(jstr(case, "c")),
                k: hex(jstr(case, "k")),
            }
        })
        .collect()
}

/// A record of the pq-crystals ML-KEM-768 KAT: keygen from (d, z), encaps
/// of `msg`, and the implicit-rejection key `ss_n` of the random `ct_n`.
pub struct MlKemKatRecord {
    pub count: String,
    pub d: [u8; 32],
    pub z: [u8; 32],
    pub msg: [u8; 32],
    pub pk: Vec<u8>,
    pub sk: Vec<u8>,
    pub ct: Vec<u8>,
    pub ss: Vec<u8>,
    pub ct_n: Vec<u8>,
    pub ss_n: Vec<u8>,
}

/// `mlkem/pq-kat/kat_MLKEM_768.first50.rsp`.
pub fn mlkem_pq_kat_first50() -> Vec<MlKemKatRecord> {
    rsp_by_start_key("mlkem/pq-kat/kat_MLKEM_768.first50.rsp", "count")
        .iter()
        .map(|r| MlKemKatRecord {
            count: r["count"].clone(),
            d: hex_array(&r["d"]),
            z: hex_array(&r["z"]),
            msg: hex_array(&r["msg"]),
            pk: hex(&r["pk"]),
            sk: hex(&r["sk"]),
            ct: hex(&r["ct"]),
            ss: hex(&r["ss"]),
            ct_n: hex(&r["ct_n"]),
            ss_n: hex(&r["ss_n"]),
        })
        .collect()
}

/// Splits a Wycheproof 64-byte ML-KEM seed into (d, z), FIPS 203 Algorithm
/// 16's inputs; `None` if it has another length (rejected by our array
/// types).
pub fn seed_to_d_z(seed: &[u8]) -> Option<([u8; 32], [u8; 32])> {
    if seed.len() != 64 {
        return None;
    }
    Some((
        seed[..32].try_into().expect("32"),
        seed[32..].try_into().expect("32"),
    ))
}

/// Maps every case of a Wycheproof ML-KEM file through `f`, checking that
/// each group is for ML-KEM-768.
fn wycheproof_mlkem_768<T>(rel: &str, f: impl Fn(&WycheproofCase) -> T) -> Vec<T> {
    wycheproof_typed(rel, |c| {
        assert_eq!(jstr(c.group, "parameterSet"), "ML-KEM-768", "{}", c.id());
        f(c)
    })
}

/// A case of Wycheproof `mlkem_768_test.json`: key generation from `seed`,
/// then decapsulation of `c`.
pub struct MlKemSeedDecapsCase {
    pub id: String,
    pub verdict: Verdict,
    pub seed: Vec<u8>,
    /// The encapsulation key, where the case gives it.
    pub ek: Option<Vec<u8>>,
    pub c: Vec<u8>,
    pub k: Vec<u8>,
}

pub fn wycheproof_mlkem_768_test() -> Vec<MlKemSeedDecapsCase> {
    wycheproof_mlkem_768("wycheproof/mlkem_768_test.json", |c| MlKemSeedDecapsCase {
        id: c.id(),
        verdict: c.verdict,
        seed: c.hex("seed"),
        ek: c.case.get("ek").map(|_| c.hex("ek")),
        c: c.hex("c"),
        k: c.hex("K"),
    })
}

/// A case of Wycheproof `mlkem_768_keygen_seed_test.json`.
pub struct MlKemKeyGenSeedCase {
    pub id: String,
    pub verdict: Verdict,
    pub seed: Vec<u8>,
    pub ek: Vec<u8>,
    pub dk: Vec<u8>,
}

pub fn wycheproof_mlkem_768_keygen_seed() -> Vec<MlKemKeyGenSeedCase> {
    wycheproof_mlkem_768("wycheproof/mlkem_768_keygen_seed_test.json", |c| {
        MlKemKeyGenSeedCase {
            id: c.id(),
            verdict: c.verdict,
            seed: c.hex("seed"),
            ek: c.hex("ek"),
            dk: c.hex("dk"),
        }
    })
}

/// A case of Wycheproof `mlkem_768_encaps_test.json`.
pub struct MlKemEncapsCase {
    pub id: String,
    pub verdict: Verdict,
    pub ek: Vec<u8>,
    pub m: [u8; 32],
    pub c: Vec<u8>,
    pub k: Vec<u8>,
}

pub fn wycheproof_mlkem_768_encaps() -> Vec<MlKemEncapsCase> {
    wycheproof_mlkem_768("wycheproof/mlkem_768_encaps_test.json", |c| {
        MlKemEncapsCase {
            id: c.id(),
            verdict: c.verdict,
            ek: c.hex("ek"),
            m: hex_array(jstr(c.case, "m")),
            c: c.hex("c"),
            k: c.hex("K"),
        }
    })
}

/// A case of Wycheproof `mlkem_768_semi_expanded_decaps_test.json`.
pub struct MlKemDecapsCase {
    pub id: String,
    pub verdict: Verdict,
    pub flags: Vec<String>,
    pub dk: Vec<u8>,
    pub c: Vec<u8>,
    /// The shared key (valid cases only).
    pub k: Option<Vec<u8>>,
}

pub fn wycheproof_mlkem_768_semi_expanded_decaps() -> Vec<MlKemDecapsCase> {
    wycheproof_mlkem_768("wycheproof/mlkem_768_semi_expanded_decaps_test.json", |c| {
        MlKemDecapsCase {
            id: c.id(),
            verdict: c.verdict,
            flags: c.flags.clone(),
            dk: c.hex("dk"),
            c: c.hex("c"),
            k: c.case.get("K").map(|_| c.hex("K")),
        }
    })
}

/// X25519 u-coordinates of small order (RFC 7748 section 6.1's all-zero
/// check; Wycheproof's x25519 "small order" public keys): 0, 1, the two
/// points of order 8, p - 1, and the non-canonical p and p + 1 (aliases of
/// 0 and 1). Every scalar maps them to the all-zero output.
pub const X25519_SMALL_ORDER: [&str; 7] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

// ---------------------------------------------------------------------------
// AES, AES-CTR, AES-GCM and SFrame (read by spec/tests/{aes,aes_gcm,sframe}.rs
// and impl/tests/sframe_diff.rs).
// ---------------------------------------------------------------------------

/// The AESAVS ECB files under `nist-cavp/aes/` (FIPS 197 known answers).
pub const AES_ECB_FILES: [&str; 10] = [
    "ECBGFSbox128.rsp",
    "ECBKeySbox128.rsp",
    "ECBVarKey128.rsp",
    "ECBVarTxt128.rsp",
    "ECBMMT128.rsp",
    "ECBGFSbox256.rsp",
    "ECBKeySbox256.rsp",
    "ECBVarKey256.rsp",
    "ECBVarTxt256.rsp",
    "ECBMMT256.rsp",
];

/// One AESAVS ECB record: `KEY`, `PLAINTEXT`, `CIPHERTEXT` (one or more
/// blocks), from an `[ENCRYPT]` or a `[DECRYPT]` section.
pub struct AesEcbCase {
    pub id: String,
    pub decrypt_section: bool,
    pub key: Vec<u8>,
    pub pt: Vec<u8>,
    pub ct: Vec<u8>,
}

pub fn aes_ecb_cases() -> Vec<AesEcbCase> {
    let mut out = Vec::new();
    for file in AES_ECB_FILES {
        let rel = format!("nist-cavp/aes/{file}");
        let mut section = String::new();
        for r in rsp(&rel) {
            if let Some(s) = r.get("[section]") {
                section = s.clone();
            }
            assert!(
                section == "ENCRYPT" || section == "DECRYPT",
                "{rel}: {section:?}"
            );
            out.push(AesEcbCase {
                id: format!("{rel} [{section}] COUNT {}", r["COUNT"]),
                decrypt_section: section == "DECRYPT",
                key: hex(&r["KEY"]),
                pt: hex(&r["PLAINTEXT"]),
                ct: hex(&r["CIPHERTEXT"]),
            });
        }
    }
    out
}

/// One RFC 3686 AES-CTR vector: `IV` is the whole initial counter block.
pub struct AesCtrCase {
    pub id: String,
    pub key: Vec<u8>,
    pub icb: [u8; 16],
    pub pt: Vec<u8>,
    pub ct: Vec<u8>,
}

pub fn aes_ctr_cases() -> Vec<AesCtrCase> {
    let mut out = Vec::new();
    for file in ["aes-128-ctr.txt", "aes-256-ctr.txt"] {
        let rel = format!("nist-cavp/aes/{file}");
        for r in rsp(&rel) {
            out.push(AesCtrCase {
                id: format!("{rel} COUNT {}", r["COUNT"]),
                key: hex(&r["KEY"]),
                icb: hex_array(&r["IV"]),
                pt: hex(&r["PLAINTEXT"]),
                ct: hex(&r["CIPHERTEXT"]),
            });
        }
    }
    out
}

/// The CAVS GCM excerpts under `nist-cavp/aes-gcm/` (96-bit IVs, 128-bit
/// tags): encryption files, then decryption files.
pub const GCM_FILES: [&str; 4] = [
    "gcmEncryptExtIV128.iv96-tag128.rsp",
    "gcmEncryptExtIV256.iv96-tag128.rsp",
    "gcmDecrypt128.iv96-tag128.rsp",
    "gcmDecrypt256.iv96-tag128.rsp",
];

/// One CAVS GCM record. `pt` is `None` for a decryption `FAIL` entry (the
/// tag must be rejected).
pub struct GcmCase {
    pub id: String,
    pub decrypt_file: bool,
    pub key: Vec<u8>,
    pub iv: Vec<u8>,
    pub aad: Vec<u8>,
    /// `CT || Tag`.
    pub sealed: Vec<u8>,
    pub pt: Option<Vec<u8>>,
}

/// Every record of the GCM excerpts. Checks that the number of records
/// without `PT` equals the number of `FAIL` lines of each file (the `.rsp`
/// parser skips lines without `=`).
pub fn gcm_cases() -> Vec<GcmCase> {
    let mut out = Vec::new();
    for file in GCM_FILES {
        let rel = format!("nist-cavp/aes-gcm/{file}");
        let fails = read_text(&rel)
            .lines()
            .filter(|l| l.trim() == "FAIL")
            .count();
        let mut no_pt = 0;
        for r in rsp(&rel) {
            let pt = r.get("PT").map(|p| hex(p));
            if pt.is_none() {
                no_pt += 1;
            }
            out.push(GcmCase {
                id: format!(
                    "{rel} Count {} ({} bytes of key)",
                    r["Count"],
                    r["Key"].len() / 2
                ),
                decrypt_file: file.starts_with("gcmDecrypt"),
                key: hex(&r["Key"]),
                iv: hex(&r["IV"]),
                aad: hex(&r["AAD"]),
                sealed: [hex(&r["CT"]), hex(&r["Tag"])].concat(),
                pt,
            });
        }
        assert_eq!(no_pt, fails, "{rel}: FAIL entries");
    }
    out
}

/// One `header` entry of the SFrame vectors: KID, CTR and the encoding.
pub struct SframeHeaderCase {
    pub kid: u64,
    pub ctr: u64,
    pub encoded: Vec<u8>,
}

/// One AES-CTR + HMAC AEAD vector (`aes_ctr_hmac`, `aes_256_ctr_hmac`).
pub struct SframeAeadCase {
    pub suite: u16,
    pub key: Vec<u8>,
    pub enc_key: Vec<u8>,
    pub auth_key: Vec<u8>,
    pub nonce: [u8; 12],
    pub aad: Vec<u8>,
    pub pt: Vec<u8>,
    pub ct: Vec<u8>,
}

/// One full SFrame vector (`sframe`, `sframe_aes_256_ctr_hmac`).
pub struct SframeCase {
    pub suite: u16,
    pub kid: u64,
    pub ctr: u64,
    pub base_key: Vec<u8>,
    pub key_label: Vec<u8>,
    pub salt_label: Vec<u8>,
    pub secret: Vec<u8>,
    pub key: Vec<u8>,
    pub salt: [u8; 12],
    pub metadata: Vec<u8>,
    pub nonce: [u8; 12],
    pub aad: Vec<u8>,
    pub pt: Vec<u8>,
    /// `header + ciphertext`.
    pub ct: Vec<u8>,
}

fn ju64(v: &serde_json::Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("missing u64 {key:?} in {v}"))
}

fn jarray<'a>(v: &'a serde_json::Value, key: &str) -> &'a Vec<serde_json::Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("missing array {key:?}"))
}

pub fn sframe_headers() -> Vec<SframeHeaderCase> {
    let file = json("sframe/test-vectors.json");
    jarray(&file, "header")
        .iter()
        .map(|h| SframeHeaderCase {
            kid: ju64(h, "kid"),
            ctr: ju64(h, "ctr"),
            encoded: hex(jstr(h, "encoded")),
        })
        .collect()
}

/// The AEAD vectors of `test-vectors.json` under `key` (`aes_ctr_hmac`
/// or `aes_256_ctr_hmac`).
pub fn sframe_aead_cases(key: &str) -> Vec<SframeAeadCase> {
    let file = json("sframe/test-vectors.json");
    jarray(&file, key)
        .iter()
        .map(|v| SframeAeadCase {
            suite: u16::try_from(ju64(v, "cipher_suite")).expect("suite"),
            key: hex(jstr(v, "key")),
            enc_key: hex(jstr(v, "enc_key")),
            auth_key: hex(jstr(v, "auth_key")),
            nonce: hex_array(jstr(v, "nonce")),
            aad: hex(jstr(v, "aad")),
            pt: hex(jstr(v, "pt")),
            ct: hex(jstr(v, "ct")),
        })
        .collect()
}

/// The full SFrame vectors of file `rel` under `key` (`sframe` in
/// `test-vectors.json`, `sframe_aes_256_ctr_hmac` in
/// `test-vectors-aes256.json`).
pub fn sframe_cases(rel: &str, key: &str) -> Vec<SframeCase> {
    let file = json(rel);
    jarray(&file, key)
        .iter()
        .map(|v| SframeCase {
            suite: u16::try_from(ju64(v, "cipher_suite")).expect("suite"),
            kid: ju64(v, "kid"),
            ctr: ju64(v, "ctr"),
            base_key: hex(jstr(v, "base_key")),
            key_label: hex(jstr(v, "sframe_key_label")),
            salt_label: hex(jstr(v, "sframe_salt_label")),
            secret: hex(jstr(v, "sframe_secret")),
            key: hex(jstr(v, "sframe_key")),
            salt: hex_array(jstr(v, "sframe_salt")),
            metadata: hex(jstr(v, "metadata")),
            nonce: hex_array(jstr(v, "nonce")),
            aad: hex(jstr(v, "aad")),
            pt: hex(jstr(v, "pt")),
            ct: hex(jstr(v, "ct")),
        })
        .collect()
}

/// Every full SFrame vector: the five RFC 9605 suites, then suites 6-8.
pub fn sframe_all_cases() -> Vec<SframeCase> {
    let mut all = sframe_cases("sframe/test-vectors.json", "sframe");
    all.extend(sframe_cases(
        "sframe/test-vectors-aes256.json",
        "sframe_aes_256_ctr_hmac",
    ));
    all
}
