//! Known-answer tests for `xchat_spec::hkdf`: RFC 5869 appendix A.1-A.3
//! (transcribed in `rfc/rfc-vectors.yaml`, with their PRKs) and Wycheproof
//! `hkdf_sha256_test.json` / `hkdf_sha512_test.json`.

mod common;

use common::{hex, to_hex, wycheproof_hkdf, yaml, ystr, Tally, Verdict};
use xchat_spec::hkdf::{
    hkdf_sha256, hkdf_sha256_expand, hkdf_sha256_extract, hkdf_sha512, hkdf_sha512_expand,
    hkdf_sha512_extract,
};
use xchat_spec::Error;

#[test]
fn rfc5869_appendix_a() {
    let doc = yaml("rfc/rfc-vectors.yaml");
    let rfc = &doc["rfc5869"];
    let mut t = Tally::new("rfc5869 appendix A (sha256)");
    for n in 1..=3 {
        let tc = rfc
            .get(format!("test_case_{n}_sha256"))
            .unwrap_or_else(|| panic!("rfc5869 test_case_{n}_sha256 missing"));
        assert_eq!(ystr(tc, "hash"), "SHA-256");
        let section = ystr(tc, "section");
        let ikm = hex(ystr(tc, "ikm"));
        let salt = hex(ystr(tc, "salt"));
        let info = hex(ystr(tc, "info"));
        let len = usize::try_from(tc["L"].as_u64().expect("L")).expect("L fits");
        let prk = hex(ystr(tc, "prk"));
        let okm = hex(ystr(tc, "okm"));
        assert_eq!(okm.len(), len, "{section}");
        assert_eq!(
            to_hex(&hkdf_sha256_extract(&salt, &ikm)),
            to_hex(&prk),
            "{section} PRK"
        );
        assert_eq!(
            to_hex(&hkdf_sha256_expand(&prk, &info, len).expect("expand")),
            to_hex(&okm),
            "{section} expand"
        );
        assert_eq!(
            to_hex(&hkdf_sha256(&salt, &ikm, &info, len).expect("hkdf")),
            to_hex(&okm),
            "{section} OKM"
        );
        t.check();
    }
    t.finish(3);
}

/// The hash of a Wycheproof HKDF file, with the RFC 5869 section 2.3 limit
/// on the output length (255 * HashLen).
#[derive(Clone, Copy)]
enum Alg {
    Sha256,
    Sha512,
}

impl Alg {
    fn max_len(self) -> usize {
        match self {
            Alg::Sha256 => 255 * 32,
            Alg::Sha512 => 255 * 64,
        }
    }

    fn hkdf(self, salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<Vec<u8>, Error> {
        match self {
            Alg::Sha256 => hkdf_sha256(salt, ikm, info, len),
            Alg::Sha512 => hkdf_sha512(salt, ikm, info, len),
        }
    }

    /// Extract then Expand through the separate public functions.
    fn extract_expand(
        self,
        salt: &[u8],
        ikm: &[u8],
        info: &[u8],
        len: usize,
    ) -> Result<Vec<u8>, Error> {
        match self {
            Alg::Sha256 => hkdf_sha256_expand(&hkdf_sha256_extract(salt, ikm), info, len),
            Alg::Sha512 => hkdf_sha512_expand(&hkdf_sha512_extract(salt, ikm), info, len),
        }
    }
}

fn wycheproof(file: &str, alg: Alg, min: usize) {
    let mut t = Tally::new(file);
    for c in wycheproof_hkdf(file) {
        let (id, ikm, salt, info, size, okm) = (&c.id, &c.ikm, &c.salt, &c.info, c.size, &c.okm);
        assert_eq!(ikm.len() as u64 * 8, c.key_bits, "{id}");
        match c.verdict {
            Verdict::Valid => {
                assert_eq!(okm.len(), size, "{id}");
                let ours = alg.hkdf(salt, ikm, info, size).expect("valid case");
                assert_eq!(to_hex(&ours), to_hex(okm), "{id}");
                let split = alg
                    .extract_expand(salt, ikm, info, size)
                    .expect("valid case");
                assert_eq!(to_hex(&split), to_hex(okm), "{id} (split)");
            }
            // The only invalid cases ask for more than 255 * HashLen bytes.
            Verdict::Invalid => {
                assert!(
                    c.flags.iter().any(|f| f == "SizeTooLarge"),
                    "unexpected invalid case {id}"
                );
                assert!(size > alg.max_len(), "{id}");
                assert_eq!(
                    alg.hkdf(salt, ikm, info, size).map(|okm| okm.len()),
                    Err(Error::InvalidLength),
                    "{id}"
                );
                assert_eq!(
                    alg.extract_expand(salt, ikm, info, size)
                        .map(|okm| okm.len()),
                    Err(Error::InvalidLength),
                    "{id} (split)"
                );
            }
            Verdict::Acceptable => panic!("no acceptable HKDF cases expected: {id}"),
        }
        t.check();
    }
    t.finish(min);
}

#[test]
fn wycheproof_hkdf_sha256() {
    wycheproof("wycheproof/hkdf_sha256_test.json", Alg::Sha256, 86);
}

#[test]
fn wycheproof_hkdf_sha512() {
    wycheproof("wycheproof/hkdf_sha512_test.json", Alg::Sha512, 83);
}
