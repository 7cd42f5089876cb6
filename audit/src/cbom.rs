//! Artefact 8, the cryptographic inventory: a CycloneDX 1.6 CBOM
//! (`cryptographic-asset` components with `algorithmProperties`, and the
//! protocol with its suite) and a crypto-policy table against BSI
//! TR-02102-1 and NIST. The list of primitives is read from SPEC.md's
//! cipher-suite table (section 3) and section 3.3, so a primitive added to
//! the protocol without an entry here fails the job. The per-algorithm
//! properties and the policy statuses below are the one hand-entered
//! mapping of the bundle: they cite the document and version, and say
//! "not listed" where the document does not cover the algorithm.

use std::path::Path;

use serde_json::{json, Value};

use crate::util::{esc, json_artefact, table};
use crate::{AuditError, Claim, Part, Result, Section};

/// The versions of the policy documents cited.
pub const BSI: &str =
    "BSI TR-02102-1 \"Cryptographic Mechanisms: Recommendations and Key Lengths\", Version 2025-01";
/// See [`BSI`].
pub const NIST: &str = "NIST FIPS 180-4 (2015), FIPS 186-5 (2023), FIPS 197 (2001, updated 2023), FIPS 198-1 (2008), FIPS 202 (2015), FIPS 203 (2024), SP 800-38A (2001), SP 800-38D (2007), SP 800-56A Rev. 3 (2018), SP 800-56C Rev. 2 (2020), SP 800-186 (2023)";

/// One algorithm of the inventory.
pub struct Algorithm {
    /// The name as SPEC.md's suite table writes it (matched by prefix).
    pub name: &'static str,
    pub role: &'static str,
    pub primitive: &'static str,
    pub parameter_set: &'static str,
    pub functions: &'static [&'static str],
    pub classical_bits: u32,
    /// CycloneDX `nistQuantumSecurityLevel` where NIST defines one (0 =
    /// broken by a quantum computer), `None` where it does not.
    pub quantum_level: Option<u32>,
    pub oid: Option<&'static str>,
    pub standard: &'static str,
    pub bsi: &'static str,
    pub nist: &'static str,
    /// Path prefixes under `vectors/external` with its known answers.
    pub kat: &'static [&'static str],
}

/// Every algorithm the protocol and its call primitives use.
pub const ALGORITHMS: &[Algorithm] = &[
    Algorithm { name: "X25519", role: "DH", primitive: "key-agree", parameter_set: "Curve25519", functions: &["keygen", "keyderive"], classical_bits: 128, quantum_level: Some(0), oid: Some("1.3.101.110"), standard: "RFC 7748", bsi: "not listed (ECDH is recommended over Brainpool and NIST P-curves)", nist: "curve specified in SP 800-186; X25519 key agreement not in SP 800-56A Rev. 3, so not approved for key establishment", kat: &["rfc/", "wycheproof/x25519"] },
    Algorithm { name: "ML-KEM-768", role: "KEM", primitive: "kem", parameter_set: "ML-KEM-768", functions: &["keygen", "encapsulate", "decapsulate"], classical_bits: 192, quantum_level: Some(3), oid: Some("2.16.840.1.101.3.4.4.2"), standard: "FIPS 203", bsi: "recommended, in a hybrid combination with a classical key agreement", nist: "approved (FIPS 203), security category 3", kat: &["mlkem/", "wycheproof/mlkem_768"] },
    Algorithm { name: "Ed25519", role: "signature", primitive: "signature", parameter_set: "Ed25519 (strict verification, SPEC.md 3.1)", functions: &["keygen", "sign", "verify"], classical_bits: 128, quantum_level: Some(0), oid: Some("1.3.101.112"), standard: "RFC 8032", bsi: "not listed", nist: "approved (FIPS 186-5, EdDSA)", kat: &["cctv-ed25519/", "pyca/ed25519", "wycheproof/ed25519"] },
    Algorithm { name: "SHA-256", role: "hash", primitive: "hash", parameter_set: "256", functions: &["digest"], classical_bits: 128, quantum_level: Some(2), oid: Some("2.16.840.1.101.3.4.2.1"), standard: "FIPS 180-4", bsi: "recommended", nist: "approved (FIPS 180-4)", kat: &["nist-cavp/sha2/SHA256"] },
    Algorithm { name: "SHA-512", role: "hash (inside Ed25519 only)", primitive: "hash", parameter_set: "512", functions: &["digest"], classical_bits: 256, quantum_level: None, oid: Some("2.16.840.1.101.3.4.2.3"), standard: "FIPS 180-4", bsi: "recommended", nist: "approved (FIPS 180-4)", kat: &["nist-cavp/sha2/SHA512"] },
    Algorithm { name: "HMAC-SHA-256", role: "MAC", primitive: "mac", parameter_set: "SHA-256, 256-bit key", functions: &["tag"], classical_bits: 256, quantum_level: None, oid: Some("1.2.840.113549.2.9"), standard: "RFC 2104", bsi: "recommended", nist: "approved (FIPS 198-1)", kat: &["rfc/", "wycheproof/hmac_sha256"] },
    Algorithm { name: "HKDF-SHA-256", role: "KDF", primitive: "kdf", parameter_set: "SHA-256", functions: &["keyderive"], classical_bits: 256, quantum_level: None, oid: Some("1.2.840.113549.1.9.16.3.28"), standard: "RFC 5869", bsi: "to be confirmed by the auditor against section 3 (key derivation) of the document", nist: "approved as the HMAC-based extract-then-expand KDF of SP 800-56C Rev. 2", kat: &["rfc/", "wycheproof/hkdf_sha256"] },
    Algorithm { name: "ChaCha20-Poly1305", role: "message and envelope AEAD", primitive: "ae", parameter_set: "256-bit key, 96-bit nonce, 128-bit tag", functions: &["encrypt", "decrypt", "tag"], classical_bits: 256, quantum_level: None, oid: Some("1.2.840.113549.1.9.16.3.18"), standard: "RFC 8439", bsi: "not listed", nist: "not listed", kat: &["rfc/", "wycheproof/chacha20_poly1305"] },
    Algorithm { name: "XChaCha20-Poly1305", role: "header AEAD", primitive: "ae", parameter_set: "256-bit key, 192-bit nonce, 128-bit tag", functions: &["encrypt", "decrypt", "tag"], classical_bits: 256, quantum_level: None, oid: None, standard: "draft-irtf-cfrg-xchacha-03", bsi: "not listed", nist: "not listed", kat: &["wycheproof/xchacha20_poly1305"] },
    Algorithm { name: "AES-128", role: "calls (SPEC.md 3.3): block cipher", primitive: "block-cipher", parameter_set: "128", functions: &["encrypt"], classical_bits: 128, quantum_level: Some(1), oid: None, standard: "FIPS 197", bsi: "recommended", nist: "approved (FIPS 197)", kat: &["nist-cavp/aes/ECB"] },
    Algorithm { name: "AES-256", role: "calls (SPEC.md 3.3): block cipher", primitive: "block-cipher", parameter_set: "256", functions: &["encrypt"], classical_bits: 256, quantum_level: Some(5), oid: None, standard: "FIPS 197", bsi: "recommended", nist: "approved (FIPS 197)", kat: &["nist-cavp/aes/ECB"] },
    Algorithm { name: "AES-CTR", role: "calls (SPEC.md 3.3): SFrame AES-CTR + HMAC suites", primitive: "stream-cipher", parameter_set: "AES-128/256, 32-bit counter", functions: &["encrypt", "decrypt"], classical_bits: 128, quantum_level: None, oid: None, standard: "SP 800-38A", bsi: "recommended mode (with a MAC)", nist: "approved mode (SP 800-38A)", kat: &["nist-cavp/aes/aes-", "sframe/"] },
    Algorithm { name: "AES-GCM", role: "calls (SPEC.md 3.3): SFrame AES-GCM suites", primitive: "ae", parameter_set: "AES-128/256, 96-bit IV, 128-bit tag", functions: &["encrypt", "decrypt", "tag"], classical_bits: 128, quantum_level: None, oid: Some("2.16.840.1.101.3.4.1.46"), standard: "SP 800-38D", bsi: "recommended", nist: "approved (SP 800-38D)", kat: &["nist-cavp/aes-gcm/", "wycheproof/aes_gcm"] },
    Algorithm { name: "SHA3-256", role: "inside ML-KEM (FIPS 203)", primitive: "hash", parameter_set: "256", functions: &["digest"], classical_bits: 128, quantum_level: None, oid: Some("2.16.840.1.101.3.4.2.8"), standard: "FIPS 202", bsi: "recommended", nist: "approved (FIPS 202)", kat: &["nist-cavp/sha3/SHA3_256"] },
    Algorithm { name: "SHA3-512", role: "inside ML-KEM (FIPS 203)", primitive: "hash", parameter_set: "512", functions: &["digest"], classical_bits: 256, quantum_level: None, oid: Some("2.16.840.1.101.3.4.2.10"), standard: "FIPS 202", bsi: "recommended", nist: "approved (FIPS 202)", kat: &["nist-cavp/sha3/SHA3_512"] },
    Algorithm { name: "SHAKE128", role: "inside ML-KEM (FIPS 203)", primitive: "xof", parameter_set: "128", functions: &["digest"], classical_bits: 128, quantum_level: None, oid: Some("2.16.840.1.101.3.4.2.11"), standard: "FIPS 202", bsi: "recommended", nist: "approved (FIPS 202)", kat: &["nist-cavp/shake/SHAKE128"] },
    Algorithm { name: "SHAKE256", role: "inside ML-KEM (FIPS 203)", primitive: "xof", parameter_set: "256", functions: &["digest"], classical_bits: 256, quantum_level: None, oid: Some("2.16.840.1.101.3.4.2.12"), standard: "FIPS 202", bsi: "recommended", nist: "approved (FIPS 202)", kat: &["nist-cavp/shake/SHAKE256"] },
];

/// The `primitive` column of SPEC.md's section 3 suite table.
pub fn suite_primitives(spec_md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in spec_md.lines() {
        if line.starts_with("## 3.") {
            inside = true;
            continue;
        }
        if inside && line.starts_with("## ") {
            break;
        }
        if inside
            && line.starts_with("| ")
            && !line.starts_with("| role")
            && !line.starts_with("|---")
        {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            if cells.len() >= 3 {
                out.push(cells[1].to_string());
            }
        }
    }
    out
}

fn bom_ref(a: &Algorithm) -> String {
    format!("crypto/algorithm/{}", a.name.to_lowercase())
}

/// The CBOM artefacts, claims and section.
pub fn run(root: &Path) -> Result<Part> {
    let spec_md = std::fs::read_to_string(root.join("SPEC.md"))
        .map_err(|e| AuditError::Io("SPEC.md".into(), e.to_string()))?;
    let suite = suite_primitives(&spec_md);
    let unmapped: Vec<&String> = suite
        .iter()
        .filter(|p| !ALGORITHMS.iter().any(|a| p.starts_with(a.name)))
        .collect();
    let section_33 = spec_md.contains("### 3.3 AES and SFrame");
    let manifest =
        std::fs::read_to_string(root.join("vectors/external/MANIFEST.md")).unwrap_or_default();
    let files: Vec<String> = manifest
        .lines()
        .filter_map(|l| {
            l.strip_prefix("| `")
                .and_then(|r| r.split('`').next())
                .map(str::to_string)
        })
        .collect();
    let without_kat: Vec<&str> = ALGORITHMS
        .iter()
        .filter(|a| !a.kat.iter().any(|k| files.iter().any(|f| f.starts_with(k))))
        .map(|a| a.name)
        .collect();
    let components: Vec<Value> = ALGORITHMS
        .iter()
        .map(|a| {
            let mut props = json!({
                "primitive": a.primitive,
                "parameterSetIdentifier": a.parameter_set,
                "executionEnvironment": "software-plain-ram",
                "implementationPlatform": "generic",
                "certificationLevel": ["none"],
                "cryptoFunctions": a.functions,
                "classicalSecurityLevel": a.classical_bits,
            });
            if let Some(q) = a.quantum_level {
                props["nistQuantumSecurityLevel"] = json!(q);
            }
            let mut crypto = json!({"assetType": "algorithm", "algorithmProperties": props});
            if let Some(oid) = a.oid {
                crypto["oid"] = json!(oid);
            }
            json!({
                "type": "cryptographic-asset",
                "bom-ref": bom_ref(a),
                "name": a.name,
                "description": format!("{} ({})", a.role, a.standard),
                "cryptoProperties": crypto,
            })
        })
        .collect();
    let suite_refs: Vec<String> = ALGORITHMS
        .iter()
        .filter(|a| suite.iter().any(|p| p.starts_with(a.name)))
        .map(bom_ref)
        .collect();
    let mut all = components.clone();
    all.push(json!({
        "type": "cryptographic-asset",
        "bom-ref": "crypto/protocol/xchat-1",
        "name": "XCHAT-1",
        "version": "1",
        "description": "The XCHAT-1 messenger protocol (SPEC.md): one cipher suite, no negotiation, named by the version byte 0x01",
        "cryptoProperties": {
            "assetType": "protocol",
            "protocolProperties": {
                "type": "other",
                "version": "1",
                "cipherSuites": [{"name": "XCHAT-1", "algorithms": suite_refs, "identifiers": ["0x01"]}],
            },
        },
    }));
    let cbom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "component": {"type": "library", "bom-ref": "pkg:cargo/xchat-spec", "name": "xchat-spec", "description": "executable specification of XCHAT-1"},
        },
        "components": all,
        "dependencies": [{"ref": "crypto/protocol/xchat-1", "dependsOn": suite_refs}],
    });
    let policy = json!({
        "schema": "xchat-audit/crypto-policy/v1",
        "documents": {"bsi": BSI, "nist": NIST},
        "note": "UNVERIFIED: the BSI and NIST columns are the maintainers' reading of the cited documents, entered by hand and not checked against the document text by this job or by anyone yet (the only hand-entered mapping of the bundle besides audit/inventory.yaml). BSI TR-02102-1 Version 2026-01 (January 2026) has been published since the version cited; the column has not been re-read against it. \"not listed\" is the maintainers' reading that the document does not cover the algorithm. An auditor checks every cell against the documents before relying on it.",
        "verified": false,
        "suite_from_spec_md": suite,
        "algorithms": ALGORITHMS.iter().map(|a| json!({
            "algorithm": a.name, "role": a.role, "standard": a.standard,
            "classical_security_bits": a.classical_bits,
            "nist_quantum_security_level": a.quantum_level,
            "bsi_tr_02102_1": a.bsi, "nist": a.nist,
            "known_answers": a.kat,
        })).collect::<Vec<_>>(),
    });
    let rows: Vec<Vec<String>> = ALGORITHMS
        .iter()
        .map(|a| {
            vec![
                esc(a.name),
                esc(a.role),
                esc(a.standard),
                a.classical_bits.to_string(),
                a.quantum_level
                    .map_or("not defined".into(), |q| q.to_string()),
                esc(a.bsi),
                esc(a.nist),
            ]
        })
        .collect();
    let mut html = format!(
        "<p>CycloneDX 1.6 CBOM: <code>cbom.cdx.json</code> ({} algorithms and the protocol). The suite is read from SPEC.md \
         section 3 ({} primitives: {}); section 3.3's call primitives are listed too. Policy documents: {}; {}. \
         <strong>Unverified:</strong> the BSI and NIST columns are the maintainers' reading of those documents, entered by hand \
         and not checked against their text by this job or by anyone yet; BSI TR-02102-1 Version 2026-01 has been published \
         since the version cited and the column has not been re-read against it. \"not listed\" is the maintainers' reading \
         that a document does not cover the algorithm. Check every cell against the documents before relying on it.</p>",
        ALGORITHMS.len(),
        suite.len(),
        esc(&suite.join(", ")),
        esc(BSI),
        esc(NIST)
    );
    html.push_str(&table(
        &[
            "algorithm",
            "role",
            "standard",
            "classical bits",
            "NIST quantum level",
            "BSI TR-02102-1",
            "NIST",
        ],
        &rows,
    ));
    let claims = vec![Claim::new(
        "cbom.suite-covered",
        "cbom",
        "Every primitive of SPEC.md's cipher suite has a CBOM entry and a policy row, and every CBOM algorithm has an external known-answer source",
        unmapped.is_empty() && !suite.is_empty() && section_33 && without_kat.is_empty(),
        format!("{} suite primitives, {} unmapped; {} algorithms without known answers {:?}", suite.len(), unmapped.len(), without_kat.len(), without_kat),
    )];
    Ok(Part {
        artefacts: vec![
            json_artefact("cbom.cdx.json", &cbom),
            json_artefact("crypto-policy.json", &policy),
        ],
        claims,
        sections: vec![Section {
            id: "cbom".into(),
            title: "8. Cryptographic inventory (CBOM) and policy".into(),
            html,
        }],
    })
}
