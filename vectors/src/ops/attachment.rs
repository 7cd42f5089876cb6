//! Attachments (SPEC.md section 13).

use serde_json::json;

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};

wire! {
    /// The input of `attachment_ciphertext_len`.
    pub struct CiphertextLenIn {
        length: u64 = "int (u64)",
    }
}

wire! {
    /// The output of `attachment_ciphertext_len`.
    pub struct CiphertextLenOut {
        ciphertext_len: u64 = "int",
    }
}

wire! {
    /// The input of `attachment_keys`.
    pub struct KeysIn {
        key: Hex = "hex, 32: the pointer key K",
    }
}

wire! {
    /// The keys derived from K.
    pub struct KeysOut {
        enc_key: Hex = "hex, 32: the chunk key",
        commitment: Hex = "hex, 32: the first 32 bytes of the ciphertext",
    }
}

wire! {
    /// The input of `attachment_seal_chunk`.
    pub struct SealChunkIn {
        enc_key: Hex = "hex, 32: the chunk key (attachment_keys), not K",
        index: u64 = "int (u64)",
        last: bool = "bool",
        chunk: Hex = "hex",
    }
}

wire! {
    /// A sealed chunk.
    pub struct SealChunkOut {
        sealed: Hex = "hex",
    }
}

wire! {
    /// The input of `attachment_open_chunk`.
    pub struct OpenChunkIn {
        enc_key: Hex = "hex, 32: the chunk key (attachment_keys), not K",
        index: u64 = "int",
        last: bool = "bool",
        sealed: Hex = "hex",
    }
}

wire! {
    /// An opened chunk.
    pub struct OpenChunkOut {
        chunk: Hex = "hex",
    }
}

wire! {
    /// The input of `attachment_seal`.
    pub struct SealIn {
        key: Hex = "hex, 32: K",
        file: Hex = "hex",
    }
}

wire! {
    /// A sealed attachment.
    pub struct SealOut {
        ciphertext: Hex = "hex: commitment (32) || sealed chunks, 32 + P + 16 n bytes",
    }
}

wire! {
    /// The input of `attachment_open`.
    pub struct OpenIn {
        key: Hex = "hex, 32: the pointer's K",
        length: u64 = "int (u64): the pointer's length",
        ciphertext: Hex = "hex",
    }
}

wire! {
    /// An opened attachment.
    pub struct OpenOut {
        file: Hex = "hex",
    }
}

pub const ATTACHMENT_CIPHERTEXT_LEN: Meta = Meta {
    section: "SPEC.md section 13",
    reqs: &["REQ-ATT-001"],
    summary: "32 + padme(length) + 16 * max(1, ceil(padme(length) / 65536))",
    errors: &[(ErrorKind::Malformed, "`length` > 2^63")],
    cases,
};

pub const ATTACHMENT_KEYS: Meta = Meta {
    section: "SPEC.md section 13 step 1",
    reqs: &["REQ-ATT-003"],
    summary: "OKM = HKDF(zeros(32), K, \"XCHAT-1 attachment key\", 64); enc_key = OKM[0..32], commitment = OKM[32..64]",
    errors: &[],
    cases,
};

pub const ATTACHMENT_SEAL_CHUNK: Meta = Meta {
    section: "SPEC.md section 13 step 4",
    reqs: &["REQ-ATT-001"],
    summary:
        "AEAD(enc_key, zeros(3) || u64(index) || u8(last), \"XCHAT-1 attachment chunk\", chunk)",
    errors: &[(
        ErrorKind::Malformed,
        "a chunk that is not last is not 65536 bytes, or a last chunk is longer",
    )],
    cases,
};

pub const ATTACHMENT_OPEN_CHUNK: Meta = Meta {
    section: "SPEC.md section 13",
    reqs: &["REQ-ATT-001"],
    summary: "open one sealed chunk under the chunk key with its index and last flag",
    errors: &[
        (
            ErrorKind::Malformed,
            "not last and not 65552 bytes, or last and not 16-65552 bytes",
        ),
        (ErrorKind::AuthenticationFailed, "the tag does not verify"),
    ],
    cases,
};

pub const ATTACHMENT_SEAL: Meta = Meta {
    section: "SPEC.md section 13",
    reqs: &["REQ-ATT-001", "REQ-ATT-003"],
    summary: "derive enc_key and commitment from K; pad to padme(len), cut into 65536-byte chunks, seal each under enc_key (STREAM); the pointer is K and len(file)",
    errors: &[],
    cases,
};

pub const ATTACHMENT_OPEN: Meta = Meta {
    section: "SPEC.md section 13",
    reqs: &["REQ-ATT-002", "REQ-ATT-003"],
    summary: "check length, key commitment, every chunk, zero fill (in that order)",
    errors: &[
        (ErrorKind::Malformed, "ciphertext length is not ciphertext_len(length), or the fill is not zero"),
        (ErrorKind::AuthenticationFailed, "the first 32 bytes are not K's commitment (e.g. sealed under another key; no chunk is opened), or a chunk does not open at its index and flag"),
    ],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "attachment_ciphertext_len" => {
            for n in [0u64, 1, 9, 65535, 65536, 65537, 1 << 20, 1 << 32, 1 << 63] {
                c.add(format!("length-{n}"), json!({"length": n}));
            }
            c.add("length-2^63+1", json!({"length": (1u64 << 63) + 1}));
        }
        "attachment_keys"
        | "attachment_seal_chunk"
        | "attachment_open_chunk"
        | "attachment_seal"
        | "attachment_open" => attachments(c, op, g),
        _ => {}
    }
    cases.0
}

fn attachments(c: &mut Cases, op: &str, g: &Gen) {
    use xchat_spec::attachment::{attachment_keys, seal, seal_chunk};
    use xchat_spec::content::MediaKind;
    let key: [u8; 32] = g.arr("key");
    let (enc_key, commitment) = attachment_keys(&key);
    match op {
        "attachment_keys" => {
            c.add("random", json!({"key": hx(&key)}));
            c.add("zero", json!({"key": hx(&[0u8; 32])}));
            c.add("ones", json!({"key": hx(&[0xFFu8; 32])}));
        }
        "attachment_seal_chunk" => {
            let input = |idx: u64, last: bool, chunk: &[u8]| json!({"enc_key": hx(&enc_key), "index": idx, "last": last, "chunk": hx(chunk)});
            c.add("last-empty", input(0, true, &[]));
            c.add("last-short", input(3, true, &g.bytes("c", 100)));
            c.add("not-last-full", input(0, false, &g.bytes("full", 65536)));
            c.add("index-max", input(u64::MAX, true, &[0]));
            c.add("not-last-short", input(0, false, &g.bytes("c", 100)));
            c.add("last-65537", input(0, true, &vec![0u8; 65537]));
        }
        "attachment_open_chunk" => {
            let chunk = g.bytes("c", 100);
            let sealed = seal_chunk(&enc_key, 3, true, &chunk);
            let input = |k: &[u8; 32], idx: u64, last: bool, s: &[u8]| json!({"enc_key": hx(k), "index": idx, "last": last, "sealed": hx(s)});
            c.add("valid", input(&enc_key, 3, true, &sealed));
            c.add(
                "valid-empty",
                input(&enc_key, 0, true, &seal_chunk(&enc_key, 0, true, &[])),
            );
            c.add("wrong-index", input(&enc_key, 4, true, &sealed));
            c.add("tag-flipped", input(&enc_key, 3, true, &flip(&sealed, 115)));
            c.add("not-last-but-short", input(&enc_key, 3, false, &sealed));
            c.add("shorter-than-tag", input(&enc_key, 3, true, &sealed[..15]));
            // Chunks are sealed under enc_key, never under the pointer key.
            c.add(
                "pointer-key-instead-of-enc-key",
                input(&key, 3, true, &sealed),
            );
        }
        "attachment_seal" => {
            for n in [0usize, 1, 9, 100, 1000, 65537] {
                c.add(
                    format!("len-{n}"),
                    json!({"key": hx(&key), "file": hx(&g.bytes(&format!("f{n}"), n))}),
                );
            }
        }
        _ => {
            let open_with = |k: &[u8; 32], length: u64, ct: &[u8]| json!({"key": hx(k), "length": length, "ciphertext": hx(ct)});
            let open = |length: u64, ct: &[u8]| open_with(&key, length, ct);
            // `commitment || chunks` under `key`.
            let join = |chunks: &[Vec<u8>]| [commitment.to_vec(), chunks.concat()].concat();
            for n in [0usize, 1, 100, 65537] {
                let (_, ct) = seal(MediaKind::File, &key, &g.bytes(&format!("f{n}"), n));
                c.add(format!("len-{n}"), open(n as u64, &ct));
                if n == 100 {
                    c.add("length-mismatch", open(99, &ct));
                    c.add("cut-by-one", open(100, &ct[..ct.len() - 1]));
                    c.add("commitment-flipped", open(100, &flip(&ct, 5)));
                    c.add("chunk-tampered", open(100, &flip(&ct, 40)));
                    c.add("wrong-key", open_with(&g.arr("other"), 100, &ct));
                    // The two-key attack: a ciphertext sealed under K1 opened
                    // with a pointer carrying K2 fails at the commitment,
                    // before any chunk, whatever the chunks are.
                    let k2: [u8; 32] = g.arr("k2");
                    c.add("two-key-attack-k2", open_with(&k2, 100, &ct));
                    let mut garbage = ct.clone();
                    garbage[32..].fill(0xA5);
                    c.add(
                        "two-key-attack-k2-garbage-chunks",
                        open_with(&k2, 100, &garbage),
                    );
                    // K2's own commitment in front of K1's chunks: the
                    // commitment passes, the chunks fail under K2's chunk key.
                    let mut relabelled = ct.clone();
                    relabelled[..32].copy_from_slice(&attachment_keys(&k2).1);
                    c.add(
                        "two-key-attack-k2-commitment",
                        open_with(&k2, 100, &relabelled),
                    );
                    // A wrong commitment on a ciphertext of the wrong length:
                    // the length (check 1) is reported first.
                    c.add(
                        "two-key-attack-and-cut",
                        open_with(&k2, 100, &ct[..ct.len() - 1]),
                    );
                }
                if n == 65537 {
                    let split = 32 + 65536 + 16;
                    let swapped = join(&[ct[split..].to_vec(), ct[32..split].to_vec()]);
                    c.add("chunks-swapped", open(n as u64, &swapped));
                    // Cut at the chunk boundary, claimed as a 65536-byte file: the
                    // length and commitment match, chunk 0 is not flagged last.
                    c.add("stream-cut-at-chunk-boundary", open(65536, &ct[..split]));
                }
            }
            // padme(9) = 10: a 10-byte file with a non-zero last byte, claimed as 9 bytes.
            let mut ten = g.bytes("ten", 10);
            ten[9] = 0xaa;
            let (_, ct) = seal(MediaKind::File, &key, &ten);
            c.add("non-zero-fill", open(9, &ct));
        }
    }
}
