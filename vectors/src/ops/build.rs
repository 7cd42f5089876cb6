//! The toolkit of the case builders: every random value comes from the
//! labelled derivation of [`crate::gen`]; dependent inputs (a bundle, a
//! message) are outputs of the spec ([`out`]), and the expected answers are
//! computed afterwards by the spec too. `run --random` calls the same
//! builders with a fresh seed, so random cases have the same shapes (edge
//! lengths, each kind of invalid input) with fresh values.

use serde_json::{json, Value};
use xchat_spec::bundle::{self, Bundle};
use xchat_spec::ed25519;
use xchat_spec::handle::parse_handle;
use xchat_spec::identity::{self, IdentityPublic};

use crate::adapters::spec::Spec;
use crate::conformance::dispatch;
use crate::gen::Gen;
use crate::wire::{from_hex, Hex, Obj};

/// One vector's id and input.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub input: Obj,
}

/// The cases of one op, in order.
#[derive(Default)]
pub struct Cases(pub Vec<Case>);

impl Cases {
    /// Adds the case `id` with `input` (a JSON object).
    pub fn add(&mut self, id: impl Into<String>, input: Value) {
        let input = match input {
            Value::Object(o) => o,
            _ => Obj::new(),
        };
        self.0.push(Case {
            id: id.into(),
            input,
        });
    }
}

/// Byte fields of a spec output, for building dependent inputs.
pub trait Get {
    /// The byte string `name`.
    fn bytes(&self, name: &str) -> Option<Vec<u8>>;
    /// The byte string `name` as an array.
    fn arr<const N: usize>(&self, name: &str) -> Option<[u8; N]>;
}

impl Get for Obj {
    fn bytes(&self, name: &str) -> Option<Vec<u8>> {
        self.get(name).and_then(Value::as_str).and_then(from_hex)
    }
    fn arr<const N: usize>(&self, name: &str) -> Option<[u8; N]> {
        self.bytes(name)?.try_into().ok()
    }
}

/// The spec's output for `op` on `input` (used to build dependent inputs).
pub fn out(op: &str, input: &Value) -> Obj {
    match dispatch(&mut Spec, op, input.as_object().expect("object input")) {
        Ok(o) => o,
        Err(e) => panic!("building {op}: the spec answered {e:?}"),
    }
}

/// `input` with `field` replaced by `v`.
pub fn with(input: &Value, field: &str, v: Value) -> Value {
    let mut o = input.clone();
    o[field] = v;
    o
}

/// `bytes` with the low bit of byte `at` flipped.
pub fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at] ^= 0x01;
    b
}

/// Hex on the wire.
pub fn hx(bytes: &[u8]) -> Value {
    serde_json::to_value(Hex::from(bytes)).expect("hex serializes")
}

/// p = 2^255 - 19, little-endian (a non-canonical field element encoding).
pub const P_HEX: &str = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
/// A point of order 8 on curve25519 (u-coordinate).
pub const ORDER8_HEX: &str = "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800";

/// 32 bytes from hex.
pub fn h32(s: &str) -> [u8; 32] {
    from_hex(s).expect("hex").try_into().expect("32 bytes")
}

// ---- protocol -----------------------------------------------------------

pub fn ident(g: &Gen, handle: &[u8], label: &str) -> (Vec<u8>, Vec<u8>) {
    let r = g.bytes(label, 64);
    let id = out(
        "identity_generate",
        &json!({"handle": hx(handle), "randomness": hx(&r)}),
    );
    (r, id.bytes("identity").expect("identity"))
}

/// A store (the fields of `bundle_make`) under `g`.
pub fn store(g: &Gen, handle: &[u8], opk: bool, kind: u8) -> Value {
    let mut s = json!({
        "handle": hx(handle),
        "identity_randomness": hx(&g.bytes("owner identity", 64)),
        "spk_id": g.below("spk id", 1 << 32),
        "spk_secret": hx(&g.bytes("spk", 32)),
    });
    if opk {
        s["opk_id"] = json!(g.below("opk id", 1 << 32));
        s["opk_secret"] = hx(&g.bytes("opk", 32));
    }
    s["pqpk_id"] = json!(g.below("pqpk id", 1 << 32));
    s["pqpk_kind"] = json!(kind);
    s["pqpk_randomness"] = hx(&g.bytes("pqpk", 64));
    s
}

pub fn make_bundle(st: &Value) -> Vec<u8> {
    out("bundle_make", st).bytes("bundle").expect("bundle")
}

/// A bundle re-signed after `edit` changed its fields (for invalid keys
/// with valid signatures).
pub fn resigned(st: &Value, edit: impl Fn(&mut Bundle)) -> Vec<u8> {
    let o = st.as_object().expect("object");
    let (secret, _) = identity::generate(
        &parse_handle(&o.bytes("handle").unwrap()).unwrap(),
        &o.arr("identity_randomness").unwrap(),
    );
    let mut b = bundle::decode(&make_bundle(st)).expect("bundle");
    edit(&mut b);
    b.spk_sig = bundle::sign_spk(&secret, b.spk_id, &b.spk);
    b.pqpk_sig = bundle::sign_pqpk(&secret, b.pqpk_id, b.pqpk_kind, &b.pqpk);
    bundle::encode(&b)
}

/// An identity with `dh_pub` replaced and the binding re-signed.
pub fn identity_with_dh(g: &Gen, label: &str, dh_pub: [u8; 32]) -> (Vec<u8>, IdentityPublic) {
    let r: [u8; 64] = g.arr(label);
    let (secret, mut id) = identity::generate(&parse_handle(b"mallory").unwrap(), &r);
    id.dh_pub = dh_pub;
    id.binding = ed25519::sign(
        &secret.sig_seed,
        &identity::binding_message(&id.handle, &id.sig_pub, &id.dh_pub),
    );
    (identity::encode(&id), id)
}
