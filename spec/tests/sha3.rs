//! Known-answer tests for `xchat_spec::sha3` (FIPS 202): the NIST CAVP
//! SHA3VS/SHAKEVS byte-oriented response files and the FIPS 202 examples of
//! `rfc/rfc-vectors.yaml`, plus the incremental SHAKE128 squeeze checked
//! against the same NIST outputs read in pieces.
mod common;

use common::{hex, rsp, to_hex, yaml, ystr, RspRecord, Tally};
use xchat_spec::sha3::{
    pre_sponge, pre_squeeze, sha3_256, sha3_512, shake128, shake256, Shake128, SHAKE128_RATE,
};

/// The message of a CAVP record: `Len` is in bits and `Len = 0` comes with
/// a placeholder `Msg = 00` that stands for the empty string.
fn message(r: &RspRecord) -> Vec<u8> {
    let bits: usize = r["Len"].parse().expect("Len");
    assert_eq!(bits % 8, 0, "byte-oriented files only");
    let msg = hex(&r["Msg"]);
    if bits == 0 {
        Vec::new()
    } else {
        assert_eq!(msg.len() * 8, bits, "Len matches Msg");
        msg
    }
}

fn cavp_sha3(file: &str, hash: fn(&[u8]) -> Vec<u8>, min: usize) {
    let mut t = Tally::new(file);
    for r in rsp(&format!("nist-cavp/sha3/{file}")) {
        assert_eq!(
            to_hex(&hash(&message(&r))),
            to_hex(&hex(&r["MD"])),
            "{file} Len = {}",
            r["Len"]
        );
        t.check();
    }
    t.finish(min);
}

fn h256(m: &[u8]) -> Vec<u8> {
    sha3_256(m).to_vec()
}

fn h512(m: &[u8]) -> Vec<u8> {
    sha3_512(m).to_vec()
}

#[test]
fn cavp_sha3_256_short_msg() {
    cavp_sha3("SHA3_256ShortMsg.rsp", h256, 137);
}

#[test]
fn cavp_sha3_256_long_msg() {
    cavp_sha3("SHA3_256LongMsg.rsp", h256, 100);
}

#[test]
fn cavp_sha3_512_short_msg() {
    cavp_sha3("SHA3_512ShortMsg.rsp", h512, 73);
}

#[test]
fn cavp_sha3_512_long_msg() {
    cavp_sha3("SHA3_512LongMsg.rsp", h512, 100);
}

/// Short/LongMsg SHAKE files: the output length (bits) is the `[Outputlen]`
/// section header.
fn cavp_shake_fixed(file: &str, xof: fn(&[u8], usize) -> Vec<u8>, min: usize) {
    let mut t = Tally::new(file);
    for r in rsp(&format!("nist-cavp/shake/{file}")) {
        let section = &r["[section]"];
        let bits: usize = section
            .strip_prefix("Outputlen = ")
            .unwrap_or_else(|| panic!("unexpected section {section:?}"))
            .parse()
            .expect("Outputlen");
        assert_eq!(bits % 8, 0);
        let expected = hex(&r["Output"]);
        assert_eq!(expected.len() * 8, bits);
        assert_eq!(
            to_hex(&xof(&message(&r), bits / 8)),
            to_hex(&expected),
            "{file} Len = {}",
            r["Len"]
        );
        t.check();
    }
    t.finish(min);
}

#[test]
fn cavp_shake128_short_msg() {
    cavp_shake_fixed("SHAKE128ShortMsg.rsp", shake128, 337);
}

#[test]
fn cavp_shake128_long_msg() {
    cavp_shake_fixed("SHAKE128LongMsg.rsp", shake128, 100);
}

#[test]
fn cavp_shake256_short_msg() {
    cavp_shake_fixed("SHAKE256ShortMsg.rsp", shake256, 273);
}

#[test]
fn cavp_shake256_long_msg() {
    cavp_shake_fixed("SHAKE256LongMsg.rsp", shake256, 100);
}

/// The VariableOut records: (message, output length in bytes, output).
/// Every record in these files has a whole number of output bytes.
fn variable_out(file: &str) -> Vec<(Vec<u8>, usize, Vec<u8>)> {
    rsp(&format!("nist-cavp/shake/{file}"))
        .into_iter()
        .filter(|r| r.contains_key("COUNT"))
        .map(|r| {
            let bits: usize = r["Outputlen"].parse().expect("Outputlen");
            assert_eq!(bits % 8, 0, "{file} COUNT = {}", r["COUNT"]);
            let out = hex(&r["Output"]);
            assert_eq!(out.len() * 8, bits);
            (hex(&r["Msg"]), bits / 8, out)
        })
        .collect()
}

#[test]
fn cavp_shake128_variable_out() {
    let mut t = Tally::new("SHAKE128VariableOut.rsp");
    for (msg, n, out) in variable_out("SHAKE128VariableOut.rsp") {
        assert_eq!(to_hex(&shake128(&msg, n)), to_hex(&out));
        t.check();
    }
    t.finish(1126);
}

#[test]
fn cavp_shake256_variable_out() {
    let mut t = Tally::new("SHAKE256VariableOut.rsp");
    for (msg, n, out) in variable_out("SHAKE256VariableOut.rsp") {
        assert_eq!(to_hex(&shake256(&msg, n)), to_hex(&out));
        t.check();
    }
    t.finish(1246);
}

/// The incremental SHAKE128 reads the NIST VariableOut outputs in pieces:
/// every split point of every record (so block boundaries are crossed at
/// every offset), and in 3-byte steps as SampleNTT reads it.
#[test]
fn shake128_incremental_squeeze_matches_cavp() {
    let mut t = Tally::new("SHAKE128VariableOut.rsp read incrementally");
    for (msg, n, out) in variable_out("SHAKE128VariableOut.rsp") {
        for split in 0..=n {
            let (x, a) = Shake128::absorb_final(&msg).squeeze(split);
            let (_, b) = x.squeeze(n - split);
            assert_eq!(to_hex(&[a, b].concat()), to_hex(&out), "split {split}");
        }
        let mut x = Shake128::absorb_final(&msg);
        let mut got = Vec::new();
        while got.len() < n {
            let (next, piece) = x.squeeze(3.min(n - got.len()));
            x = next;
            got.extend_from_slice(&piece);
        }
        assert_eq!(to_hex(&got), to_hex(&out));
        t.check();
    }
    t.finish(1126);
}

/// Squeezing across many blocks: the one-shot output of a long read equals
/// the concatenation of reads of every size 1..=2 * rate + 1, and its first
/// bytes are the NIST SHAKE128 output for the empty message.
#[test]
fn shake128_incremental_long_reads() {
    let records = rsp("nist-cavp/shake/SHAKE128ShortMsg.rsp");
    let empty = records
        .iter()
        .find(|r| r["Len"] == "0")
        .expect("empty-message record");
    let anchor = hex(&empty["Output"]);
    let mut t = Tally::new("SHAKE128 piecewise long reads");
    for step in 1..=2 * SHAKE128_RATE + 1 {
        let total = 5 * SHAKE128_RATE + 7;
        let one_shot = shake128(b"", total);
        assert_eq!(to_hex(&one_shot[..anchor.len()]), to_hex(&anchor));
        let mut x = Shake128::absorb_final(b"");
        let mut got = Vec::new();
        while got.len() < total {
            let (next, piece) = x.squeeze(step.min(total - got.len()));
            x = next;
            got.extend_from_slice(&piece);
        }
        assert_eq!(to_hex(&got), to_hex(&one_shot), "step {step}");
        t.check();
    }
    t.finish(2 * SHAKE128_RATE + 1);
}

#[test]
fn fips202_examples() {
    let doc = yaml("rfc/rfc-vectors.yaml");
    let examples = doc["fips202"]["examples"]
        .as_sequence()
        .expect("fips202.examples");
    let mut t = Tally::new("fips202 examples");
    for ex in examples {
        let desc = ystr(ex, "message_desc");
        let msg = if ex.get("message_hex").is_some() {
            hex(ystr(ex, "message_hex"))
        } else {
            match ystr(ex, "message_rule") {
                "the byte 0x61 (\"a\") repeated 1,000,000 times" => vec![0x61u8; 1_000_000],
                "the byte 0xa3 repeated 200 times" => vec![0xa3u8; 200],
                other => panic!("unknown message rule {other:?}"),
            }
        };
        let expected = hex(ystr(ex, "output"));
        let got = match ystr(ex, "algorithm") {
            "SHA3-256" => sha3_256(&msg).to_vec(),
            "SHA3-512" => sha3_512(&msg).to_vec(),
            "SHAKE128" | "SHAKE256" => {
                let n = ex["output_bytes"].as_u64().expect("output_bytes") as usize;
                assert_eq!(n, expected.len());
                if ystr(ex, "algorithm") == "SHAKE128" {
                    shake128(&msg, n)
                } else {
                    shake256(&msg, n)
                }
            }
            other => panic!("unexpected algorithm {other:?}"),
        };
        assert_eq!(to_hex(&got), to_hex(&expected), "{desc}");
        t.check();
    }
    t.finish(14);
}

#[test]
fn pre_sponge_predicate() {
    assert!(pre_sponge(SHAKE128_RATE));
    assert!(pre_sponge(72));
    assert!(!pre_sponge(0));
    assert!(!pre_sponge(137));
    assert!(!pre_sponge(200));
    assert!(pre_squeeze(SHAKE128_RATE, 0));
    assert!(pre_squeeze(SHAKE128_RATE, SHAKE128_RATE));
    assert!(!pre_squeeze(SHAKE128_RATE, SHAKE128_RATE + 1));
    assert!(!pre_squeeze(137, 0));
}
