//! Known-answer tests for `xchat_spec::sha2`: the NIST CAVP SHAVS
//! byte-oriented response files (every message length from 0 to one block in
//! the ShortMsg files, multi-block messages in the LongMsg files) and the
//! FIPS 180-4 examples transcribed in `rfc/rfc-vectors.yaml`.

mod common;

use common::{hex, rsp, to_hex, yaml, ystr, Tally};
use xchat_spec::sha2::{sha256, sha512, SHA256_LEN, SHA512_LEN};

/// The hash named by a CAVP file or a FIPS example.
#[derive(Clone, Copy)]
enum Alg {
    Sha256,
    Sha512,
}

fn digest(alg: Alg, msg: &[u8]) -> Vec<u8> {
    match alg {
        Alg::Sha256 => sha256(msg).to_vec(),
        Alg::Sha512 => sha512(msg).to_vec(),
    }
}

/// Checks every record of a CAVP `.rsp` file against `alg`.
fn cavp(file: &str, alg: Alg, digest_len: usize, min: usize) {
    let mut t = Tally::new(&format!("nist-cavp {file}"));
    for r in rsp(&format!("nist-cavp/sha2/{file}")) {
        // The section header is the digest length in bytes ("[L = 32]").
        assert_eq!(r["[section]"], format!("L = {digest_len}"), "{file}: {r:?}");
        let len_bits: usize = r["Len"].parse().expect("Len");
        assert_eq!(len_bits % 8, 0, "{file}: byte-oriented files only");
        // Len = 0 is written `Msg = 00`: the message is empty.
        let msg = if len_bits == 0 {
            Vec::new()
        } else {
            hex(&r["Msg"])
        };
        assert_eq!(msg.len() * 8, len_bits, "{file}: Len = {len_bits}");
        let md = hex(&r["MD"]);
        assert_eq!(md.len(), digest_len);
        assert_eq!(
            to_hex(&digest(alg, &msg)),
            to_hex(&md),
            "{file}: Len = {len_bits}"
        );
        t.check();
    }
    t.finish(min);
}

#[test]
fn cavp_sha256_short_msg() {
    // Len = 0, 8, ..., 512: every byte length up to one block.
    cavp("SHA256ShortMsg.rsp", Alg::Sha256, SHA256_LEN, 65);
}

#[test]
fn cavp_sha256_long_msg() {
    cavp("SHA256LongMsg.rsp", Alg::Sha256, SHA256_LEN, 64);
}

#[test]
fn cavp_sha512_short_msg() {
    // Len = 0, 8, ..., 1024: every byte length up to one block.
    cavp("SHA512ShortMsg.rsp", Alg::Sha512, SHA512_LEN, 129);
}

#[test]
fn cavp_sha512_long_msg() {
    cavp("SHA512LongMsg.rsp", Alg::Sha512, SHA512_LEN, 128);
}

#[test]
fn fips180_4_examples() {
    let doc = yaml("rfc/rfc-vectors.yaml");
    let examples = doc["fips180_4"]["examples"]
        .as_sequence()
        .expect("fips180_4.examples");
    let mut t = Tally::new("fips180_4 examples");
    for ex in examples {
        let desc = ystr(ex, "message_desc");
        let msg = if ex.get("message_hex").is_some() {
            hex(ystr(ex, "message_hex"))
        } else {
            // The one-million-"a" examples give a rule instead of bytes;
            // accept only the rule we know how to build.
            assert_eq!(
                ystr(ex, "message_rule"),
                "the byte 0x61 (\"a\") repeated 1,000,000 times",
                "{desc}"
            );
            vec![0x61u8; 1_000_000]
        };
        let alg = match ystr(ex, "algorithm") {
            "SHA-256" => Alg::Sha256,
            "SHA-512" => Alg::Sha512,
            other => panic!("unexpected algorithm {other:?}"),
        };
        assert_eq!(
            to_hex(&digest(alg, &msg)),
            to_hex(&hex(ystr(ex, "digest"))),
            "{} {desc}",
            ystr(ex, "algorithm")
        );
        t.check();
    }
    t.finish(10);
}
