//! Every op of the conformance interface, computed by the optimized
//! implementation (`xchat`): the `impl` implementation of `run`, and what
//! the adapter binary exposes over JSON lines.

use serde_json::json;
use xchat::crypto::{aead, ed25519, hash, ml_kem, x25519};

use crate::value::{hx, obj, Answer, Fields, Obj, BAD_REQUEST};

type R = Result<Obj, String>;

fn kind(e: xchat::Error) -> String {
    e.kind_name().to_string()
}

/// Runs `op` on `input` with the impl.
pub fn call(op: &str, i: &Obj) -> Answer {
    crate::spec_ops::answer(primitive(op, i))
}

fn primitive(op: &str, i: &Obj) -> R {
    match op {
        "sha256" => Ok(obj([("digest", hx(&hash::sha256(&i.bytes("msg")?)))])),
        "sha512" => Ok(obj([("digest", hx(&hash::sha512(&i.bytes("msg")?)))])),
        "hmac_sha256" => Ok(obj([(
            "tag",
            hx(&hash::hmac_sha256(&i.bytes("key")?, &i.bytes("msg")?)),
        )])),
        "hmac_sha512" => Ok(obj([(
            "tag",
            hx(&hash::hmac_sha512(&i.bytes("key")?, &i.bytes("msg")?)),
        )])),
        "hkdf_sha256" | "hkdf_sha512" => {
            let len = usize::try_from(i.u64("len")?).map_err(|_| BAD_REQUEST.to_string())?;
            let (salt, ikm, info) = (i.bytes("salt")?, i.bytes("ikm")?, i.bytes("info")?);
            // The impl refuses an output longer than 255 hash lengths itself
            // (RFC 5869 section 2.3); one byte past that limit is enough to
            // ask it, without allocating `len` bytes for a huge request.
            let limit = if op == "hkdf_sha256" {
                255 * 32
            } else {
                255 * 64
            };
            let mut okm = vec![0u8; len.min(limit + 1)];
            let r = if op == "hkdf_sha256" {
                hash::hkdf_sha256(&salt, &ikm, &info, &mut okm)
            } else {
                hash::hkdf_sha512(&salt, &ikm, &info, &mut okm)
            };
            r.map(|_| obj([("okm", hx(&okm))])).map_err(kind)
        }
        "chacha20poly1305_seal" => Ok(obj([(
            "ct",
            hx(&aead::seal(
                &i.arr("key")?,
                &i.arr("nonce")?,
                &i.bytes("aad")?,
                &i.bytes("msg")?,
            )),
        )])),
        "chacha20poly1305_open" => aead::open(
            &i.arr("key")?,
            &i.arr("nonce")?,
            &i.bytes("aad")?,
            &i.bytes("ct")?,
        )
        .map(|m| obj([("msg", hx(&m))]))
        .map_err(kind),
        "xchacha20poly1305_seal" => Ok(obj([(
            "ct",
            hx(&aead::xseal(
                &i.arr("key")?,
                &i.arr("nonce")?,
                &i.bytes("aad")?,
                &i.bytes("msg")?,
            )),
        )])),
        "xchacha20poly1305_open" => aead::xopen(
            &i.arr("key")?,
            &i.arr("nonce")?,
            &i.bytes("aad")?,
            &i.bytes("ct")?,
        )
        .map(|m| obj([("msg", hx(&m))]))
        .map_err(kind),
        "x25519" => Ok(obj([(
            "shared",
            hx(&x25519::x25519(&i.arr("scalar")?, &i.arr("u")?)),
        )])),
        "ed25519_public" => Ok(obj([("public", hx(&ed25519::public_key(&i.arr("seed")?)))])),
        "ed25519_sign" => Ok(obj([(
            "sig",
            hx(&ed25519::sign(&i.arr("seed")?, &i.bytes("msg")?)),
        )])),
        "ed25519_verify" => {
            let (public, msg, sig) = (i.arr("public")?, i.bytes("msg")?, i.arr("sig")?);
            Ok(obj([(
                "valid",
                json!(ed25519::verify(&public, &msg, &sig).is_ok()),
            )]))
        }
        "mlkem768_keygen" => {
            let (ek, dk) = ml_kem::keygen(&i.arr("d")?, &i.arr("z")?);
            Ok(obj([("ek", hx(&ek)), ("dk", hx(&dk))]))
        }
        "mlkem768_encaps" => {
            let (ek, m) = (i.bytes("ek")?, i.arr("m")?);
            ml_kem::encaps(&ek, &m)
                .map(|(ss, ct)| obj([("ct", hx(&ct)), ("ss", hx(&*ss))]))
                .map_err(kind)
        }
        "mlkem768_decaps" => ml_kem::decaps(&i.bytes("dk")?, &i.bytes("ct")?)
            .map(|ss| obj([("ss", hx(&*ss))]))
            .map_err(kind),
        _ => crate::impl_protocol::call(op, i),
    }
}
