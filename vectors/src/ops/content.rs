//! Contents: texts, attachment pointers and mailbox updates (SPEC.md
//! sections 11 and 12.1).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{Answer, Error, ErrorKind, Hex};

/// The kind of a content on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentType {
    /// A text.
    Text,
    /// An attachment pointer.
    Attachment,
    /// A pairwise mailbox update (SPEC.md section 12.1).
    #[serde(rename = "mailbox_update")]
    MailboxUpdate,
}

wire! {
    /// A content: the input of `content_encode`, the output of
    /// `content_decode`, and every delivered content.
    pub struct ContentFields {
        r#type: ContentType = "text: `text`, `attachment` or `mailbox_update`",
        #[optional]
        text: Option<Hex> = "hex, present iff type is text: the UTF-8 text",
        #[optional]
        kind: Option<u64> = "int, attachment only: 1 photo, 2 GIF, 3 file",
        #[optional]
        key: Option<Hex> = "hex, 32 bytes, attachment only: the attachment key",
        #[optional]
        length: Option<u64> = "int (u64), attachment only: the file length",
        #[optional]
        serial: Option<u64> = "int (u32), mailbox update only: the sender's serial",
        #[optional]
        mailbox: Option<Hex> = "hex, 16 bytes, mailbox update only: the pairwise mailbox",
    }
}

/// A content's fields as read from the wire (before an implementation
/// builds its own content type from them).
pub enum ContentIn<'a> {
    /// A text's bytes (not necessarily UTF-8).
    Text(&'a [u8]),
    /// An attachment pointer's kind number, key and length.
    Attachment {
        kind: u64,
        key: &'a Hex,
        length: u64,
    },
    /// A mailbox update's serial and mailbox.
    MailboxUpdate { serial: u64, mailbox: &'a Hex },
}

impl ContentFields {
    /// The fields of a text.
    pub fn text(text: &[u8]) -> ContentFields {
        ContentFields {
            r#type: ContentType::Text,
            text: Some(text.into()),
            kind: None,
            key: None,
            length: None,
            serial: None,
            mailbox: None,
        }
    }

    /// The fields of an attachment pointer.
    pub fn attachment(kind: u8, key: &[u8; 32], length: u64) -> ContentFields {
        ContentFields {
            r#type: ContentType::Attachment,
            text: None,
            kind: Some(u64::from(kind)),
            key: Some(key.into()),
            length: Some(length),
            serial: None,
            mailbox: None,
        }
    }

    /// The fields of a mailbox update.
    pub fn mailbox_update(serial: u32, mailbox: &[u8; 16]) -> ContentFields {
        ContentFields {
            r#type: ContentType::MailboxUpdate,
            text: None,
            kind: None,
            key: None,
            length: None,
            serial: Some(u64::from(serial)),
            mailbox: Some(mailbox.into()),
        }
    }

    /// The fields its type requires (`BadRequest` if one is missing).
    pub fn read(&self) -> Answer<ContentIn<'_>> {
        let missing = |f: &str| Error::bad_request(format!("missing field `{f}`"));
        Ok(match self.r#type {
            ContentType::Text => {
                ContentIn::Text(self.text.as_deref().ok_or_else(|| missing("text"))?)
            }
            ContentType::Attachment => ContentIn::Attachment {
                kind: self.kind.ok_or_else(|| missing("kind"))?,
                key: self.key.as_ref().ok_or_else(|| missing("key"))?,
                length: self.length.ok_or_else(|| missing("length"))?,
            },
            ContentType::MailboxUpdate => ContentIn::MailboxUpdate {
                serial: self.serial.ok_or_else(|| missing("serial"))?,
                mailbox: self.mailbox.as_ref().ok_or_else(|| missing("mailbox"))?,
            },
        })
    }
}

wire! {
    /// An encoded content.
    pub struct EncodedIn {
        encoded: Hex = "hex",
    }
}

/// The output of `content_encode`.
pub type EncodedOut = EncodedIn;

pub const CONTENT_ENCODE: Meta = Meta {
    section: "SPEC.md section 11",
    reqs: &["REQ-CONTENT-001"],
    summary: "encode a text, attachment pointer or mailbox update",
    errors: &[
        (
            ErrorKind::InvalidLength,
            "a key of other than 32 bytes or a mailbox of other than 16",
        ),
        (
            ErrorKind::Malformed,
            "text not valid UTF-8 (RFC 3629), kind not 1-3, length > 2^63, or serial > 2^32 - 1",
        ),
    ],
    cases,
};

pub const CONTENT_DECODE: Meta = Meta {
    section: "SPEC.md section 11",
    reqs: &["REQ-CONTENT-001"],
    summary: "decode a content strictly",
    errors: &[(
        ErrorKind::Malformed,
        "unknown tag or kind, invalid UTF-8, text length field mismatch, length > 2^63, missing or trailing bytes (a mailbox update is exactly 21 bytes)",
    )],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "content_encode" | "content_decode" => contents(c, op, g),
        _ => {}
    }
    cases.0
}

fn contents(c: &mut Cases, op: &str, g: &Gen) {
    let key = g.bytes("key", 32);
    let att = |kind: u64, length: u64| json!({"type": "attachment", "kind": kind, "key": hx(&key), "length": length});
    let valid = [
        ("text", json!({"type": "text", "text": hx(b"hello")})),
        ("text-empty", json!({"type": "text", "text": ""})),
        (
            "text-multibyte",
            json!({"type": "text", "text": hx("grüße, 世界 🎉".as_bytes())}),
        ),
        (
            "text-bom-and-max-code-point",
            json!({"type": "text", "text": hx(&[0xef, 0xbb, 0xbf, 0xf4, 0x8f, 0xbf, 0xbf])}),
        ),
        (
            // Each narrowed lead byte of RFC 3629 at its valid edges: E0 A0
            // (U+0800), ED 9F (U+D7FF, below the surrogates), F0 90
            // (U+10000), F1 80 / F3 BF (planes 4 and 15), F4 8F (U+10FFFF).
            "text-lead-byte-edges",
            json!({"type": "text", "text": hx(&[
                0xe0, 0xa0, 0x80, 0xed, 0x9f, 0xbf, 0xf0, 0x90, 0x80, 0x80,
                0xf1, 0x80, 0x80, 0x80, 0xf3, 0xbf, 0xbf, 0xbf, 0xf4, 0x8f, 0xbf, 0xbf,
            ])}),
        ),
        ("photo", att(1, 123456)),
        ("gif", att(2, 0)),
        ("file-max-length", att(3, 1 << 63)),
        (
            "mailbox-update",
            json!({"type": "mailbox_update", "serial": 1, "mailbox": hx(&g.bytes("mailbox", 16))}),
        ),
        (
            "mailbox-update-serial-0",
            json!({"type": "mailbox_update", "serial": 0, "mailbox": hx(&[0u8; 16])}),
        ),
        (
            "mailbox-update-serial-max",
            json!({"type": "mailbox_update", "serial": u32::MAX, "mailbox": hx(&[0xffu8; 16])}),
        ),
    ];
    if op == "content_encode" {
        for (id, v) in valid {
            c.add(id, v);
        }
        c.add("text-invalid-utf8", json!({"type": "text", "text": "c080"}));
        c.add("kind-4", att(4, 1));
        c.add("length-above-2^63", att(1, (1 << 63) + 1));
        c.add(
            "mailbox-update-mailbox-15-bytes",
            json!({"type": "mailbox_update", "serial": 2, "mailbox": hx(&[1u8; 15])}),
        );
        c.add(
            "attachment-key-31-bytes",
            json!({"type": "attachment", "kind": 1, "key": hx(&key[..31]), "length": 5}),
        );
        c.add(
            "mailbox-update-serial-above-u32",
            json!({"type": "mailbox_update", "serial": 1u64 << 32, "mailbox": hx(&[1u8; 16])}),
        );
        return;
    }
    for (id, v) in &valid {
        c.add(*id, json!({"encoded": out("content_encode", v)["encoded"]}));
    }
    let text = |t: &[u8]| {
        [
            vec![1u8],
            (t.len() as u32).to_be_bytes().to_vec(),
            t.to_vec(),
        ]
        .concat()
    };
    for (id, bad) in [
        ("overlong-c0", &[0xc0u8, 0x80][..]),
        ("overlong-e0", &[0xe0, 0x80, 0x80]),
        ("overlong-f0", &[0xf0, 0x80, 0x80, 0x80]),
        ("surrogate", &[0xed, 0xa0, 0x80]),
        ("above-10ffff", &[0xf4, 0x90, 0x80, 0x80]),
        ("byte-f5", &[0xf5, 0x80, 0x80, 0x80]),
        ("stray-continuation", &[0x61, 0x80]),
        ("missing-continuation", &[0xe2, 0x82]),
    ] {
        c.add(format!("utf8-{id}"), json!({"encoded": hx(&text(bad))}));
    }
    let hello = text(b"hello");
    c.add("empty", json!({"encoded": ""}));
    c.add(
        "tag-3",
        json!({"encoded": hx(&{ let mut v = hello.clone(); v[0] = 3; v })}),
    );
    c.add(
        "tag-0",
        json!({"encoded": hx(&{ let mut v = hello.clone(); v[0] = 0; v })}),
    );
    c.add(
        "text-length-too-large",
        json!({"encoded": hx(&{ let mut v = hello.clone(); v[4] = 6; v })}),
    );
    c.add(
        "text-length-too-small",
        json!({"encoded": hx(&{ let mut v = hello.clone(); v[4] = 4; v })}),
    );
    c.add("text-length-cut", json!({"encoded": "010000"}));
    let p = out("content_encode", &att(1, 5)).bytes("encoded").unwrap();
    c.add(
        "pointer-kind-0",
        json!({"encoded": hx(&{ let mut v = p.clone(); v[1] = 0; v })}),
    );
    c.add(
        "pointer-kind-4",
        json!({"encoded": hx(&{ let mut v = p.clone(); v[1] = 4; v })}),
    );
    c.add("pointer-cut-short", json!({"encoded": hx(&p[..41])}));
    c.add(
        "pointer-trailing-byte",
        json!({"encoded": hx(&[p.clone(), vec![0]].concat())}),
    );
    // The 74-byte pointer of earlier drafts (a SHA-256 ciphertext digest
    // after the length) is 32 trailing bytes now.
    c.add(
        "pointer-with-old-digest",
        json!({"encoded": hx(&[p.clone(), g.bytes("old digest", 32)].concat())}),
    );
    let mut big = p.clone();
    big[34..42].copy_from_slice(&((1u64 << 63) + 1).to_be_bytes());
    c.add("pointer-length-above-2^63", json!({"encoded": hx(&big)}));
    // A mailbox update is exactly 21 bytes (SPEC.md section 11).
    let u = out(
        "content_encode",
        &json!({"type": "mailbox_update", "serial": 7, "mailbox": hx(&g.bytes("mailbox", 16))}),
    )
    .bytes("encoded")
    .unwrap();
    c.add("mailbox-update-cut-short", json!({"encoded": hx(&u[..20])}));
    c.add("mailbox-update-tag-only", json!({"encoded": "03"}));
    c.add(
        "mailbox-update-trailing-byte",
        json!({"encoded": hx(&[u.clone(), vec![0]].concat())}),
    );
}
