//! Known-answer tests for `xchat_spec::hmac`: RFC 4231 section 4 (test
//! cases 1-7, transcribed in `rfc/rfc-vectors.yaml`) and Wycheproof
//! `hmac_sha256_test.json` / `hmac_sha512_test.json`.

mod common;

use common::{hex, to_hex, wycheproof_hmac, yaml, ystr, Tally, Verdict};
use xchat_spec::hmac::{hmac_sha256, hmac_sha512};

#[test]
fn rfc4231_test_cases() {
    let doc = yaml("rfc/rfc-vectors.yaml");
    let rfc = &doc["rfc4231"];
    let mut t = Tally::new("rfc4231 test cases (sha256 + sha512)");
    for n in 1..=7 {
        let tc = rfc
            .get(format!("test_case_{n}"))
            .unwrap_or_else(|| panic!("rfc4231 test_case_{n} missing"));
        let key = hex(ystr(tc, "key"));
        let data = hex(ystr(tc, "data"));
        let ours256 = hmac_sha256(&key, &data);
        let ours512 = hmac_sha512(&key, &data);
        if n == 5 {
            // Test case 5: the output is truncated to its leftmost 128 bits.
            assert_eq!(tc["truncate_bits"].as_u64(), Some(128));
            assert_eq!(
                to_hex(&ours256[..16]),
                ystr(tc, "hmac_sha256_128"),
                "test case 5 sha256"
            );
            assert_eq!(
                to_hex(&ours512[..16]),
                ystr(tc, "hmac_sha512_128"),
                "test case 5 sha512"
            );
        } else {
            assert_eq!(
                to_hex(&ours256),
                ystr(tc, "hmac_sha256"),
                "test case {n} sha256"
            );
            assert_eq!(
                to_hex(&ours512),
                ystr(tc, "hmac_sha512"),
                "test case {n} sha512"
            );
        }
        t.check();
        t.check();
    }
    t.finish(14);
}

/// The hash of a Wycheproof HMAC file.
#[derive(Clone, Copy)]
enum Alg {
    Sha256,
    Sha512,
}

fn wycheproof(file: &str, alg: Alg, min: usize) {
    let mut t = Tally::new(file);
    for c in wycheproof_hmac(file) {
        let (id, key, msg, tag) = (&c.id, &c.key, &c.msg, &c.tag);
        assert_eq!(key.len() as u64 * 8, c.key_bits, "{id}");
        assert_eq!(tag.len() as u64 * 8, c.tag_bits, "{id}");
        let full = match alg {
            Alg::Sha256 => hmac_sha256(key, msg).to_vec(),
            Alg::Sha512 => hmac_sha512(key, msg).to_vec(),
        };
        // The group's tagSize is a truncation of the full output.
        let ours = &full[..tag.len()];
        match c.verdict {
            Verdict::Valid => assert_eq!(to_hex(ours), to_hex(tag), "{id}"),
            // Invalid cases carry a modified tag: ours must differ from it.
            Verdict::Invalid => {
                assert!(
                    c.flags.iter().any(|f| f == "ModifiedTag"),
                    "unexpected invalid case {id}"
                );
                assert_ne!(to_hex(ours), to_hex(tag), "{id}");
            }
            Verdict::Acceptable => panic!("no acceptable HMAC cases expected: {id}"),
        }
        t.check();
    }
    t.finish(min);
}

#[test]
fn wycheproof_hmac_sha256() {
    wycheproof("wycheproof/hmac_sha256_test.json", Alg::Sha256, 174);
}

#[test]
fn wycheproof_hmac_sha512() {
    wycheproof("wycheproof/hmac_sha512_test.json", Alg::Sha512, 174);
}
