//! Contents: texts, attachment pointers, mailbox updates and call signals
//! (SPEC.md sections 11, 12.1 and 20.1).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

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
    /// A call signal (SPEC.md section 20.1).
    Call,
}

wire! {
    /// A content: the input of `content_encode`, the output of
    /// `content_decode`, and every delivered content.
    pub struct ContentFields {
        r#type: ContentType = "text: `text`, `attachment`, `mailbox_update` or `call`",
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
        #[optional]
        signal: Option<u64> = "int, call only: 1 offer, 2 answer, 3 reject, 4 hang-up, 5 key update",
        #[optional]
        call_id: Option<Hex> = "hex, 16 bytes, call only: the call id",
        #[optional]
        kid: Option<u64> = "int (u64), call offer, answer and key update only: the sender's KID",
        #[optional]
        base_key: Option<Hex> = "hex, 32 bytes, call offer, answer and key update only: the sender's base_key",
        #[optional]
        params: Option<Hex> = "hex, call offer and answer only: the transport parameters (at most 16384 bytes)",
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
    /// A call signal's type number and call id, and for the types that
    /// have them, the key and parameters.
    Call {
        signal: u64,
        call_id: &'a Hex,
        key: Option<(u64, &'a Hex)>,
        params: Option<&'a Hex>,
    },
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
            signal: None,
            call_id: None,
            kid: None,
            base_key: None,
            params: None,
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
            signal: None,
            call_id: None,
            kid: None,
            base_key: None,
            params: None,
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
            signal: None,
            call_id: None,
            kid: None,
            base_key: None,
            params: None,
        }
    }

    /// The fields of a call signal: type number, call id, and the key and
    /// parameters for the types that carry them.
    pub fn call(
        signal: u8,
        call_id: &[u8; 16],
        key: Option<(u64, &[u8; 32])>,
        params: Option<&[u8]>,
    ) -> ContentFields {
        ContentFields {
            r#type: ContentType::Call,
            text: None,
            kind: None,
            key: None,
            length: None,
            serial: None,
            mailbox: None,
            signal: Some(u64::from(signal)),
            call_id: Some(call_id.into()),
            kid: key.map(|k| k.0),
            base_key: key.map(|k| k.1.into()),
            params: params.map(Hex::from),
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
            ContentType::Call => {
                let signal = self.signal.ok_or_else(|| missing("signal"))?;
                // Offer, answer and key update carry a key; offer and
                // answer parameters (other numbers: none, and the
                // implementation rejects the number).
                let key = if matches!(signal, 1 | 2 | 5) {
                    Some((
                        self.kid.ok_or_else(|| missing("kid"))?,
                        self.base_key.as_ref().ok_or_else(|| missing("base_key"))?,
                    ))
                } else {
                    None
                };
                let params = if matches!(signal, 1 | 2) {
                    Some(self.params.as_ref().ok_or_else(|| missing("params"))?)
                } else {
                    None
                };
                ContentIn::Call {
                    signal,
                    call_id: self.call_id.as_ref().ok_or_else(|| missing("call_id"))?,
                    key,
                    params,
                }
            }
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
    section: "SPEC.md sections 11 and 20.1",
    reqs: &["REQ-CONTENT-001", "REQ-CALL-001"],
    summary: "encode a text, attachment pointer, mailbox update or call signal",
    errors: &[
        (
            ErrorKind::InvalidLength,
            "a key of other than 32 bytes, a mailbox or call id of other than 16",
        ),
        (
            ErrorKind::Malformed,
            "text not valid UTF-8 (RFC 3629), kind not 1-3, length > 2^63, serial > 2^32 - 1, call signal type not 1-5, or call parameters over 16384 bytes",
        ),
    ],
    cases,
};

pub const CONTENT_DECODE: Meta = Meta {
    section: "SPEC.md sections 11 and 20.1",
    reqs: &["REQ-CONTENT-001", "REQ-CALL-001"],
    summary: "decode a content strictly",
    errors: &[(
        ErrorKind::Malformed,
        "unknown tag, kind or call signal type, invalid UTF-8, text length field mismatch, length > 2^63, call parameters over 16384 bytes, missing or trailing bytes (a mailbox update is exactly 21 bytes)",
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
    let call_id = g.bytes("call id", 16);
    let base_key = g.bytes("base key", 32);
    let kid = g.below("kid", 1 << 20);
    let call = |signal: u64, params: Option<&[u8]>| {
        let mut v = json!({"type": "call", "signal": signal, "call_id": hx(&call_id)});
        if matches!(signal, 1 | 2 | 5) {
            v["kid"] = json!(kid);
            v["base_key"] = hx(&base_key);
        }
        if let Some(p) = params {
            v["params"] = hx(p);
        }
        v
    };
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
        ("call-offer", call(1, Some(&b"v=0"[..]))),
        (
            "call-answer-max-params",
            call(2, Some(&[0x61u8; 16384][..])),
        ),
        ("call-reject", call(3, None)),
        ("call-hang-up", call(4, None)),
        ("call-key-update", call(5, None)),
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
        c.add("call-signal-0", with(&call(3, None), "signal", json!(0)));
        c.add("call-signal-6", with(&call(3, None), "signal", json!(6)));
        c.add("call-params-16385", call(1, Some(&[0x61u8; 16385][..])));
        c.add(
            "call-id-15-bytes",
            with(&call(4, None), "call_id", hx(&call_id[..15])),
        );
        c.add(
            "call-base-key-31-bytes",
            with(&call(5, None), "base_key", hx(&base_key[..31])),
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
    // Call signals (SPEC.md section 20.1, REQ-CALL-001).
    let enc = |v: &Value| out("content_encode", v).bytes("encoded").unwrap();
    let offer = enc(&call(1, Some(&b"v=0"[..])));
    let update = enc(&call(5, None));
    let reject = enc(&call(3, None));
    for ty in [0u8, 6, 0xff] {
        c.add(
            format!("call-type-{ty}"),
            json!({"encoded": hx(&{ let mut v = reject.clone(); v[1] = ty; v })}),
        );
    }
    c.add("call-tag-only", json!({"encoded": "04"}));
    c.add(
        "call-reject-cut-short",
        json!({"encoded": hx(&reject[..17])}),
    );
    c.add(
        "call-reject-trailing-byte",
        json!({"encoded": hx(&[reject.clone(), vec![0]].concat())}),
    );
    c.add(
        "call-key-update-cut-short",
        json!({"encoded": hx(&update[..57])}),
    );
    c.add(
        "call-key-update-trailing-byte",
        json!({"encoded": hx(&[update.clone(), vec![0]].concat())}),
    );
    // A key update's bytes under the offer type: the parameters' length
    // is missing.
    c.add(
        "call-offer-without-params-length",
        json!({"encoded": hx(&{ let mut v = update.clone(); v[1] = 1; v })}),
    );
    c.add(
        "call-offer-params-cut-short",
        json!({"encoded": hx(&offer[..offer.len() - 1])}),
    );
    c.add(
        "call-offer-params-length-too-small",
        json!({"encoded": hx(&{ let mut v = offer.clone(); v[59] = 2; v })}),
    );
    // The length field 16385 with 16385 bytes present.
    let mut over = offer[..58].to_vec();
    over.extend_from_slice(&16385u16.to_be_bytes());
    over.extend_from_slice(&[0x61u8; 16385]);
    c.add("call-params-length-16385", json!({"encoded": hx(&over)}));
}
