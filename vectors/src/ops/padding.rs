//! Padme and the padding of contents (SPEC.md section 10).

use serde_json::json;

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};
use xchat_spec::padding;

wire! {
    /// The input of `padme`.
    pub struct PadmeIn {
        len: u64 = "int (u64)",
    }
}

wire! {
    /// The output of `padme`.
    pub struct PadmeOut {
        padded_len: u64 = "int",
    }
}

wire! {
    /// The input of `padding_pad`.
    pub struct PadIn {
        content: Hex = "hex",
    }
}

wire! {
    /// A padded content.
    pub struct PadOut {
        padded: Hex = "hex",
    }
}

/// The input of `padding_unpad`.
pub type UnpadIn = PadOut;

/// The output of `padding_unpad`.
pub type UnpadOut = PadIn;

pub const PADME: Meta = Meta {
    section: "SPEC.md section 10 (Padme, PETS 2019 Algorithm 1)",
    reqs: &["REQ-PAD-001"],
    summary: "padme(L), for L <= 2^63",
    errors: &[(ErrorKind::Malformed, "`len` > 2^63")],
    cases,
};

pub const PADDING_PAD: Meta = Meta {
    section: "SPEC.md section 10",
    reqs: &["REQ-PAD-001"],
    summary: "u32(len(c)) || c || zeros, to padme(max(len(c) + 4, 256))",
    errors: &[],
    cases,
};

pub const PADDING_UNPAD: Meta = Meta {
    section: "SPEC.md section 10",
    reqs: &["REQ-PAD-002"],
    summary: "strict unpadding",
    errors: &[(
        ErrorKind::Malformed,
        "shorter than 4 bytes, length not padme(max(n + 4, 256)), or non-zero fill",
    )],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "padme" => {
            for n in [
                0u64,
                1,
                2,
                3,
                9,
                100,
                255,
                256,
                257,
                1000,
                65536,
                65537,
                1 << 32,
                (1 << 40) + 1,
                (1 << 63) - 1,
                1 << 63,
            ] {
                c.add(format!("len-{n}"), json!({"len": n}));
            }
            c.add("len-2^63+1", json!({"len": (1u64 << 63) + 1}));
            c.add("len-max", json!({"len": u64::MAX}));
        }
        "padding_pad" => {
            for n in [0usize, 1, 100, 252, 253, 268, 269, 1000, 5000] {
                c.add(
                    format!("len-{n}"),
                    json!({"content": hx(&g.bytes(&format!("c{n}"), n))}),
                );
            }
        }
        "padding_unpad" => {
            for n in [0usize, 1, 252, 253, 1000] {
                c.add(
                    format!("len-{n}"),
                    json!({"padded": hx(&padding::pad(&g.bytes(&format!("c{n}"), n)))}),
                );
            }
            let p = padding::pad(&g.bytes("c", 10));
            c.add("empty", json!({"padded": ""}));
            c.add("3-bytes", json!({"padded": "000000"}));
            c.add("255-bytes", json!({"padded": hx(&p[..255])}));
            c.add(
                "257-bytes",
                json!({"padded": hx(&[p.clone(), vec![0]].concat())}),
            );
            c.add("non-zero-fill", json!({"padded": hx(&flip(&p, 255))}));
            let mut big = p.clone();
            big[..4].copy_from_slice(&300u32.to_be_bytes());
            c.add("length-field-beyond-data", json!({"padded": hx(&big)}));
            let mut max = p.clone();
            max[..4].copy_from_slice(&u32::MAX.to_be_bytes());
            c.add("length-field-max", json!({"padded": hx(&max)}));
        }
        _ => {}
    }
    cases.0
}
