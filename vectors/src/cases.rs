//! The inputs of every vector, op by op. Every random value comes from the
//! labelled derivation of [`crate::gen`]; the expected outputs are computed
//! afterwards by the spec ([`crate::spec_ops`]). `run --random` calls the
//! same builders with a fresh seed, so random cases have the same shapes
//! (edge lengths, each kind of invalid input) with fresh values.

use serde_json::{json, Value};
use xchat_spec::bundle::{self, Bundle, PqKind};
use xchat_spec::envelope;
use xchat_spec::handle::parse_handle;
use xchat_spec::identity::{self, IdentityPublic};
use xchat_spec::scenario::{self, Event, Party, Setup};
use xchat_spec::suite::public_key;
use xchat_spec::{chacha20poly1305, ed25519, ml_kem, padding, ratchet, x25519, xchacha20poly1305};

use crate::gen::Gen;
use crate::spec_ops::{self, party_name};
use crate::value::{hx, Answer, Fields, Obj};

/// One vector's id and input.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub input: Obj,
}

struct Cases(Vec<Case>);

impl Cases {
    fn add(&mut self, id: impl Into<String>, input: Value) {
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

/// The spec's output for `op` on `input` (used to build dependent inputs).
fn out(op: &str, input: &Value) -> Obj {
    match spec_ops::call(op, input.as_object().expect("object input")) {
        Answer::Output(o) => o,
        other => panic!("building {op}: the spec answered {other:?}"),
    }
}

fn with(input: &Value, field: &str, v: Value) -> Value {
    let mut o = input.clone();
    o[field] = v;
    o
}

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at] ^= 0x01;
    b
}

const P_HEX: &str = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
/// A point of order 8 on curve25519 (u-coordinate).
const ORDER8_HEX: &str = "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800";

fn h32(s: &str) -> [u8; 32] {
    crate::value::from_hex(s)
        .expect("hex")
        .try_into()
        .expect("32 bytes")
}

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut c = Cases(Vec::new());
    match op {
        "sha256" | "sha512" | "sha3_256" | "sha3_512" => {
            c.add("abc", json!({"msg": hx(b"abc")}));
            for n in [
                0usize, 1, 55, 56, 63, 64, 65, 71, 72, 73, 111, 112, 127, 128, 129, 135, 136, 137,
                1000,
            ] {
                c.add(
                    format!("len-{n}"),
                    json!({"msg": hx(&g.bytes(&format!("msg{n}"), n))}),
                );
            }
        }
        "shake128" | "shake256" => {
            for (n, len) in [
                (0usize, 0u64),
                (0, 32),
                (3, 1),
                (135, 64),
                (136, 136),
                (137, 168),
                (167, 169),
                (168, 200),
                (169, 500),
                (1000, 32),
            ] {
                c.add(
                    format!("msg-{n}-out-{len}"),
                    json!({"msg": hx(&g.bytes(&format!("msg{n}"), n)), "len": len}),
                );
            }
        }
        "hmac_sha256" | "hmac_sha512" => {
            for (k, m) in [
                (0usize, 0usize),
                (1, 10),
                (20, 8),
                (32, 50),
                (63, 3),
                (64, 64),
                (65, 100),
                (127, 1),
                (128, 128),
                (129, 200),
                (200, 1000),
            ] {
                c.add(
                    format!("key-{k}-msg-{m}"),
                    json!({"key": hx(&g.bytes(&format!("key{k}"), k)), "msg": hx(&g.bytes(&format!("msg{m}"), m))}),
                );
            }
        }
        "hkdf_sha256" | "hkdf_sha512" => {
            let h = if op == "hkdf_sha256" { 32u64 } else { 64 };
            for (s, ikm, info, len) in [
                (0usize, 22usize, 0usize, 42u64),
                (13, 22, 10, 42),
                (32, 32, 30, 32),
                (80, 80, 80, 82),
                (64, 1, 5, 0),
                (16, 0, 0, 1),
                (32, 32, 17, h + 1),
                (10, 10, 10, 255 * h),
            ] {
                c.add(
                    format!("salt-{s}-ikm-{ikm}-info-{info}-len-{len}"),
                    json!({"salt": hx(&g.bytes(&format!("salt{s}"), s)), "ikm": hx(&g.bytes(&format!("ikm{ikm}"), ikm)), "info": hx(&g.bytes(&format!("info{info}"), info)), "len": len}),
                );
            }
            c.add(
                "len-too-long",
                json!({"salt": "", "ikm": hx(&g.bytes("ikm", 32)), "info": "", "len": 255 * h + 1}),
            );
        }
        "chacha20poly1305_seal"
        | "xchacha20poly1305_seal"
        | "chacha20poly1305_open"
        | "xchacha20poly1305_open" => aead(&mut c, op, g),
        "x25519" => {
            for i in 0..4 {
                c.add(format!("random-{i}"), json!({"scalar": hx(&g.bytes(&format!("s{i}"), 32)), "u": hx(&g.bytes(&format!("u{i}"), 32))}));
            }
            let s = g.bytes("scalar", 32);
            let mut u = public_key(&g.arr("peer"));
            c.add("public-key", json!({"scalar": hx(&s), "u": hx(&u)}));
            u[31] |= 0x80;
            c.add(
                "u-bit-255-set-is-masked",
                json!({"scalar": hx(&s), "u": hx(&u)}),
            );
            c.add(
                "base-point",
                json!({"scalar": hx(&s), "u": hx(&x25519::BASE_POINT)}),
            );
            c.add(
                "scalar-zero-is-clamped",
                json!({"scalar": hx(&[0u8; 32]), "u": hx(&x25519::BASE_POINT)}),
            );
            c.add(
                "scalar-ones-is-clamped",
                json!({"scalar": hx(&[0xffu8; 32]), "u": hx(&x25519::BASE_POINT)}),
            );
            c.add(
                "u-zero-gives-zero",
                json!({"scalar": hx(&s), "u": hx(&[0u8; 32])}),
            );
            c.add(
                "u-order-8-gives-zero",
                json!({"scalar": hx(&s), "u": ORDER8_HEX}),
            );
            c.add(
                "u-equals-p-non-canonical",
                json!({"scalar": hx(&s), "u": P_HEX}),
            );
            c.add(
                "u-on-twist",
                json!({"scalar": hx(&s), "u": hx(&{ let mut t = [0u8; 32]; t[0] = 2; t })}),
            );
            c.add(
                "scalar-31-bytes",
                json!({"scalar": hx(&s[..31]), "u": hx(&x25519::BASE_POINT)}),
            );
            c.add("u-33-bytes", json!({"scalar": hx(&s), "u": hx(&[9u8; 33])}));
        }
        "ed25519_public" => {
            for i in 0..4 {
                c.add(
                    format!("random-{i}"),
                    json!({"seed": hx(&g.bytes(&format!("seed{i}"), 32))}),
                );
            }
            c.add("seed-zero", json!({"seed": hx(&[0u8; 32])}));
            c.add("seed-ones", json!({"seed": hx(&[0xffu8; 32])}));
            c.add("seed-31-bytes", json!({"seed": hx(&g.bytes("short", 31))}));
        }
        "ed25519_sign" => {
            for n in [0usize, 1, 32, 64, 200, 1023] {
                c.add(format!("msg-{n}"), json!({"seed": hx(&g.bytes(&format!("seed{n}"), 32)), "msg": hx(&g.bytes(&format!("msg{n}"), n))}));
            }
            c.add(
                "seed-33-bytes",
                json!({"seed": hx(&g.bytes("long", 33)), "msg": ""}),
            );
        }
        "ed25519_verify" => ed25519_verify(&mut c, g),
        "mlkem768_keygen" => {
            for i in 0..3 {
                c.add(format!("random-{i}"), json!({"d": hx(&g.bytes(&format!("d{i}"), 32)), "z": hx(&g.bytes(&format!("z{i}"), 32))}));
            }
            c.add(
                "d-31-bytes",
                json!({"d": hx(&g.bytes("d", 31)), "z": hx(&g.bytes("z", 32))}),
            );
        }
        "mlkem768_encaps" | "mlkem768_decaps" => mlkem(&mut c, op, g),
        _ => protocol(&mut c, op, g),
    }
    c.0
}

fn aead(c: &mut Cases, op: &str, g: &Gen) {
    let x = op.starts_with('x');
    let nlen = if x { 24 } else { 12 };
    let seal = |k: &[u8], n: &[u8], a: &[u8], m: &[u8]| -> Vec<u8> {
        if x {
            xchacha20poly1305::seal(&k.try_into().unwrap(), &n.try_into().unwrap(), a, m)
        } else {
            chacha20poly1305::seal(&k.try_into().unwrap(), &n.try_into().unwrap(), a, m)
        }
    };
    let sizes = [
        (0usize, 0usize),
        (0, 1),
        (12, 63),
        (0, 64),
        (5, 65),
        (32, 129),
        (100, 300),
    ];
    if op.ends_with("seal") {
        for (a, m) in sizes {
            c.add(
                format!("aad-{a}-msg-{m}"),
                json!({"key": hx(&g.bytes(&format!("k{a}-{m}"), 32)), "nonce": hx(&g.bytes(&format!("n{a}-{m}"), nlen)), "aad": hx(&g.bytes(&format!("a{a}"), a)), "msg": hx(&g.bytes(&format!("m{m}"), m))}),
            );
        }
        c.add("key-31-bytes", json!({"key": hx(&g.bytes("k", 31)), "nonce": hx(&g.bytes("n", nlen)), "aad": "", "msg": "00"}));
        c.add("nonce-wrong-length", json!({"key": hx(&g.bytes("k", 32)), "nonce": hx(&g.bytes("n", nlen - 1)), "aad": "", "msg": "00"}));
        return;
    }
    let (k, n) = (g.bytes("key", 32), g.bytes("nonce", nlen));
    for (a, m) in sizes {
        let (aad, msg) = (g.bytes(&format!("a{a}"), a), g.bytes(&format!("m{m}"), m));
        c.add(format!("aad-{a}-msg-{m}"), json!({"key": hx(&k), "nonce": hx(&n), "aad": hx(&aad), "ct": hx(&seal(&k, &n, &aad, &msg))}));
    }
    let (aad, msg) = (g.bytes("aad", 9), g.bytes("msg", 40));
    let ct = seal(&k, &n, &aad, &msg);
    let base = json!({"key": hx(&k), "nonce": hx(&n), "aad": hx(&aad), "ct": hx(&ct)});
    c.add("valid", base.clone());
    c.add(
        "tag-flipped",
        with(&base, "ct", hx(&flip(&ct, ct.len() - 1))),
    );
    c.add("ciphertext-flipped", with(&base, "ct", hx(&flip(&ct, 0))));
    c.add("aad-flipped", with(&base, "aad", hx(&flip(&aad, 0))));
    c.add("nonce-flipped", with(&base, "nonce", hx(&flip(&n, 0))));
    c.add(
        "wrong-key",
        with(&base, "key", hx(&g.bytes("other key", 32))),
    );
    c.add("truncated", with(&base, "ct", hx(&ct[..ct.len() - 1])));
    c.add("ct-15-bytes", with(&base, "ct", hx(&ct[..15])));
    c.add("ct-empty", with(&base, "ct", json!("")));
    c.add("key-33-bytes", with(&base, "key", hx(&g.bytes("k33", 33))));
}

fn ed25519_verify(c: &mut Cases, g: &Gen) {
    let seed: [u8; 32] = g.arr("seed");
    let public = ed25519::public_key(&seed);
    let msg = g.bytes("msg", 50);
    let sig = ed25519::sign(&seed, &msg);
    let base = json!({"public": hx(&public), "msg": hx(&msg), "sig": hx(&sig)});
    c.add("valid", base.clone());
    c.add(
        "valid-empty-msg",
        json!({"public": hx(&public), "msg": "", "sig": hx(&ed25519::sign(&seed, &[]))}),
    );
    c.add("msg-changed", with(&base, "msg", hx(&flip(&msg, 0))));
    c.add("r-changed", with(&base, "sig", hx(&flip(&sig, 0))));
    c.add("s-changed", with(&base, "sig", hx(&flip(&sig, 32))));
    c.add(
        "other-public-key",
        with(&base, "public", hx(&ed25519::public_key(&g.arr("other")))),
    );
    // S + L: the same equation holds mod L, rejected by rule 1 (S < L).
    let mut s_plus_l = sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s_plus_l[32 + i]) + u16::from(xchat_spec::edwards25519::L[i]) + carry;
        s_plus_l[32 + i] = v as u8;
        carry = v >> 8;
    }
    c.add("s-plus-l-non-canonical", with(&base, "sig", hx(&s_plus_l)));
    // The identity point as public key (small order, rule 3) with S = 0 and
    // R = identity: the cofactorless equation holds, the policy rejects it.
    let mut identity_point = [0u8; 32];
    identity_point[0] = 1;
    let mut trivial = [0u8; 64];
    trivial[0] = 1;
    c.add(
        "small-order-a-and-r",
        json!({"public": hx(&identity_point), "msg": hx(&msg), "sig": hx(&trivial)}),
    );
    // y = p (non-canonical encoding of y = 0), rule 2.
    c.add("non-canonical-a", with(&base, "public", P_HEX.into()));
    let mut r_noncanon = sig;
    r_noncanon[..32].copy_from_slice(&h32(P_HEX));
    c.add("non-canonical-r", with(&base, "sig", hx(&r_noncanon)));
    c.add("sig-63-bytes", with(&base, "sig", hx(&sig[..63])));
    c.add("public-31-bytes", with(&base, "public", hx(&public[..31])));
}

fn mlkem(c: &mut Cases, op: &str, g: &Gen) {
    let (ek, dk) = ml_kem::keygen_internal(&g.arr("d"), &g.arr("z"));
    let m: [u8; 32] = g.arr("m");
    if op == "mlkem768_encaps" {
        c.add("valid", json!({"ek": hx(&ek), "m": hx(&m)}));
        let (ek2, _) = ml_kem::keygen_internal(&g.arr("d2"), &g.arr("z2"));
        c.add(
            "valid-2",
            json!({"ek": hx(&ek2), "m": hx(&g.bytes("m2", 32))}),
        );
        let mut bad = ek.clone();
        bad[0] = 0xff;
        bad[1] |= 0x0f;
        c.add(
            "coefficient-4095-fails-modulus-check",
            json!({"ek": hx(&bad), "m": hx(&m)}),
        );
        let mut q = ek.clone();
        // The last coefficient of the first polynomial is q = 3329 = 0xd01.
        q[382] = (q[382] & 0x0f) | 0x10;
        q[383] = 0xd0;
        c.add(
            "coefficient-q-fails-modulus-check",
            json!({"ek": hx(&q), "m": hx(&m)}),
        );
        c.add("ek-1183-bytes", json!({"ek": hx(&ek[..1183]), "m": hx(&m)}));
        c.add("m-31-bytes", json!({"ek": hx(&ek), "m": hx(&m[..31])}));
        return;
    }
    let (_, ct) = ml_kem::encaps_internal(&ek, &m).expect("valid key");
    c.add("valid", json!({"dk": hx(&dk), "ct": hx(&ct)}));
    c.add(
        "implicit-rejection",
        json!({"dk": hx(&dk), "ct": hx(&flip(&ct, 100))}),
    );
    c.add(
        "ct-1087-bytes",
        json!({"dk": hx(&dk), "ct": hx(&ct[..1087])}),
    );
    c.add(
        "dk-2399-bytes",
        json!({"dk": hx(&dk[..2399]), "ct": hx(&ct)}),
    );
    c.add(
        "dk-hash-check-fails",
        json!({"dk": hx(&flip(&dk, 768 * 3 + 40)), "ct": hx(&ct)}),
    );
}

// ---- protocol -----------------------------------------------------------

fn ident(g: &Gen, handle: &[u8], label: &str) -> (Vec<u8>, Vec<u8>) {
    let r = g.bytes(label, 64);
    let id = out(
        "identity_generate",
        &json!({"handle": hx(handle), "randomness": hx(&r)}),
    );
    (r, id.bytes("identity").expect("identity"))
}

/// A store (the fields of `bundle_make`) under `g`.
fn store(g: &Gen, handle: &[u8], opk: bool, kind: u8) -> Value {
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

fn make_bundle(st: &Value) -> Vec<u8> {
    out("bundle_make", st).bytes("bundle").expect("bundle")
}

/// A bundle re-signed after `edit` changed its fields (for invalid keys
/// with valid signatures).
fn resigned(st: &Value, edit: impl Fn(&mut Bundle)) -> Vec<u8> {
    let o = st.as_object().expect("object");
    let (secret, _) = spec_ops::identity_of(
        &o.bytes("handle").unwrap(),
        &o.arr("identity_randomness").unwrap(),
    )
    .unwrap();
    let mut b = bundle::decode(&make_bundle(st)).expect("bundle");
    edit(&mut b);
    b.spk_sig = bundle::sign_spk(&secret, b.spk_id, &b.spk);
    b.pqpk_sig = bundle::sign_pqpk(&secret, b.pqpk_id, b.pqpk_kind, &b.pqpk);
    bundle::encode(&b)
}

/// An identity with `dh_pub` replaced and the binding re-signed.
fn identity_with_dh(g: &Gen, label: &str, dh_pub: [u8; 32]) -> (Vec<u8>, IdentityPublic) {
    let r: [u8; 64] = g.arr(label);
    let (secret, mut id) = identity::generate(&parse_handle(b"mallory").unwrap(), &r);
    id.dh_pub = dh_pub;
    id.binding = ed25519::sign(
        &secret.sig_seed,
        &identity::binding_message(&id.handle, &id.sig_pub, &id.dh_pub),
    );
    (identity::encode(&id), id)
}

fn protocol(c: &mut Cases, op: &str, g: &Gen) {
    match op {
        "handle_parse" => {
            for h in [
                &b"alice"[..],
                b"Alice_99",
                b"A",
                b"_",
                b"0",
                b"abcdefghijklmno",
                b"ABCDEFGHIJKLMNO",
                b"x_Y_z",
            ] {
                c.add(
                    format!("valid-{}", String::from_utf8_lossy(h)),
                    json!({"handle": hx(h)}),
                );
            }
            for (id, h) in [
                ("empty", &b""[..]),
                ("16-bytes", b"abcdefghijklmnop"),
                ("space", b"al ice"),
                ("at-sign", b"@alice"),
                ("hyphen", b"ali-ce"),
                ("non-ascii", "alicé".as_bytes()),
                ("nul", b"ab\0"),
                ("dot", b"a.b"),
            ] {
                c.add(id, json!({"handle": hx(h)}));
            }
        }
        "handle_decode" => {
            let enc = |h: &[u8]| {
                out("handle_parse", &json!({"handle": hx(h)}))
                    .bytes("encoded")
                    .unwrap()
            };
            let alice = enc(b"alice");
            c.add("valid", json!({"encoded": hx(&alice)}));
            c.add("valid-15", json!({"encoded": hx(&enc(b"abcdefghijklmno"))}));
            c.add("15-bytes", json!({"encoded": hx(&alice[..15])}));
            c.add(
                "17-bytes",
                json!({"encoded": hx(&[alice.clone(), vec![0]].concat())}),
            );
            let mut z = alice.clone();
            z[0] = 0;
            c.add("length-0", json!({"encoded": hx(&z)}));
            c.add("all-zero", json!({"encoded": hx(&[0u8; 16])}));
            z[0] = 16;
            c.add("length-16", json!({"encoded": hx(&z)}));
            let mut p = alice.clone();
            p[15] = b'a';
            c.add("non-zero-padding", json!({"encoded": hx(&p)}));
            let mut u = alice.clone();
            u[1] = b'A';
            c.add("uppercase", json!({"encoded": hx(&u)}));
            u[1] = b'-';
            c.add("hyphen", json!({"encoded": hx(&u)}));
        }
        "identity_generate" => {
            for (i, h) in [&b"alice"[..], b"Bob", b"zed_1"].iter().enumerate() {
                c.add(
                    format!("valid-{i}"),
                    json!({"handle": hx(h), "randomness": hx(&g.bytes(&format!("r{i}"), 64))}),
                );
            }
            c.add(
                "invalid-handle",
                json!({"handle": hx(b"bad handle"), "randomness": hx(&g.bytes("r", 64))}),
            );
        }
        "identity_decode" | "identity_verify" | "fingerprint" => {
            let (_, id) = ident(g, b"alice", "alice");
            let (_, id2) = ident(g, b"bob", "bob");
            let field = "identity";
            c.add("valid", json!({field: hx(&id)}));
            c.add("valid-2", json!({field: hx(&id2)}));
            if op == "identity_verify" {
                c.add("binding-flipped", json!({field: hx(&flip(&id, 146))}));
                c.add("sig-pub-changed", json!({field: hx(&flip(&id, 20))}));
                c.add("dh-pub-changed", json!({field: hx(&flip(&id, 60))}));
                let mut h = id.clone();
                h[2] = b'b';
                c.add("handle-changed", json!({field: hx(&h)}));
            }
            id_decode_errors(c, field, &id);
        }
        "safety_number" => {
            let (_, a) = ident(g, b"alice", "alice");
            let (_, b) = ident(g, b"bob", "bob");
            c.add("alice-bob", json!({"a": hx(&a), "b": hx(&b)}));
            c.add("bob-alice-same-number", json!({"a": hx(&b), "b": hx(&a)}));
            c.add("same-identity", json!({"a": hx(&a), "b": hx(&a)}));
            let (_, a2) = ident(g, b"alice", "alice 2");
            c.add("alice-new-keys", json!({"a": hx(&a2), "b": hx(&b)}));
            c.add("malformed", json!({"a": hx(&a[..146]), "b": hx(&b)}));
            c.add(
                "unsupported-version",
                json!({"a": hx(&a), "b": hx(&[&[2u8][..], &b[1..]].concat())}),
            );
            let mut h = a.clone();
            h[1] = 0;
            c.add("invalid-handle", json!({"a": hx(&h), "b": hx(&b)}));
        }
        "bundle_make" => {
            c.add("with-opk-one-time-pq", store(&g.sub("a"), b"bob", true, 1));
            c.add("no-opk-last-resort", store(&g.sub("b"), b"Bob", false, 2));
            c.add("no-opk-one-time-pq", store(&g.sub("c"), b"b_0", false, 1));
            c.add("invalid-handle", store(&g.sub("d"), b"bob!", false, 1));
            c.add("pq-kind-3", store(&g.sub("e"), b"bob", false, 3));
        }
        "bundle_decode" | "bundle_verify" => bundles(c, op, g),
        "handshake_initiate" => handshake_initiate(c, g),
        "handshake_respond" => handshake_respond(c, g),
        "ratchet_kdf_rk" => {
            for i in 0..4 {
                c.add(format!("random-{i}"), json!({"rk": hx(&g.bytes(&format!("rk{i}"), 32)), "dh_out": hx(&g.bytes(&format!("dh{i}"), 32))}));
            }
        }
        "ratchet_kdf_ck" => {
            for i in 0..4 {
                c.add(
                    format!("random-{i}"),
                    json!({"ck": hx(&g.bytes(&format!("ck{i}"), 32))}),
                );
            }
        }
        "ratchet_hencrypt" => {
            for (i, (pn, n)) in [
                (0u64, 0u64),
                (0, 1),
                (7, 3),
                (1000, 2000),
                (u64::from(u32::MAX), u64::from(u32::MAX) - 1),
                (0, u64::from(u32::MAX)),
            ]
            .iter()
            .enumerate()
            {
                c.add(
                    format!("pn-{pn}-n-{n}"),
                    json!({"hk": hx(&g.bytes(&format!("hk{i}"), 32)), "dh": hx(&g.bytes(&format!("dh{i}"), 32)), "pn": pn, "n": n, "nonce": hx(&g.bytes(&format!("nonce{i}"), 24))}),
                );
            }
        }
        "ratchet_hdecrypt" => {
            let hk: [u8; 32] = g.arr("hk");
            let dh: [u8; 32] = g.arr("dh");
            let nonce: [u8; 24] = g.arr("nonce");
            let enc = ratchet::hencrypt(&hk, &ratchet::header(&dh, 5, 9), &nonce);
            c.add("found", json!({"hk": hx(&hk), "enc_header": hx(&enc)}));
            let max = ratchet::hencrypt(&hk, &ratchet::header(&dh, 0, u32::MAX - 1), &nonce);
            c.add(
                "found-n-max",
                json!({"hk": hx(&hk), "enc_header": hx(&max)}),
            );
            c.add(
                "wrong-key",
                json!({"hk": hx(&g.bytes("other", 32)), "enc_header": hx(&enc)}),
            );
            c.add(
                "tag-flipped",
                json!({"hk": hx(&hk), "enc_header": hx(&flip(&enc, 80))}),
            );
            c.add(
                "nonce-flipped",
                json!({"hk": hx(&hk), "enc_header": hx(&flip(&enc, 0))}),
            );
            c.add(
                "80-bytes",
                json!({"hk": hx(&hk), "enc_header": hx(&enc[..80])}),
            );
            let n_all_ones = ratchet::hencrypt(&hk, &ratchet::header(&dh, 0, u32::MAX), &nonce);
            c.add(
                "n-2^32-1-rejected",
                json!({"hk": hx(&hk), "enc_header": hx(&n_all_ones)}),
            );
            let mut bad_tag = ratchet::header(&dh, 1, 1).to_vec();
            bad_tag[0] = 0x02;
            let sealed = xchacha20poly1305::seal(&hk, &nonce, b"XCHAT-1 header", &bad_tag);
            c.add(
                "key-tag-0x02-rejected",
                json!({"hk": hx(&hk), "enc_header": hx(&[nonce.to_vec(), sealed].concat())}),
            );
        }
        "ratchet_hedge_nonce" => {
            let mk: [u8; 32] = g.arr("mk");
            let r: [u8; 24] = g.arr("r");
            for p in [0usize, 1, 256, 1000] {
                c.add(
                    format!("plaintext-{p}"),
                    json!({"mk": hx(&mk), "r": hx(&r), "plaintext": hx(&g.bytes(&format!("p{p}"), p))}),
                );
            }
            // Same mk and r (a restored state with a repeated draw), another
            // plaintext: another nonce (REQ-RATCHET-009).
            let p256 = g.bytes("p256", 256);
            c.add(
                "same-r-plaintext-flipped",
                json!({"mk": hx(&mk), "r": hx(&r), "plaintext": hx(&flip(&p256, 255))}),
            );
            c.add(
                "same-r-other-mk",
                json!({"mk": hx(&g.bytes("mk2", 32)), "r": hx(&r), "plaintext": hx(&p256)}),
            );
            c.add(
                "r-zero",
                json!({"mk": hx(&mk), "r": hx(&[0u8; 24]), "plaintext": hx(&p256)}),
            );
        }
        "ratchet_encrypt_mk" | "ratchet_decrypt_mk" => {
            let mk: [u8; 32] = g.arr("mk");
            for (p, a) in [(0usize, 32usize), (1, 115), (256, 115), (1000, 0)] {
                let (pt, aad) = (g.bytes(&format!("p{p}"), p), g.bytes(&format!("a{a}"), a));
                let nonce: [u8; 24] = g.arr(&format!("n{p}"));
                if op == "ratchet_encrypt_mk" {
                    c.add(
                        format!("plaintext-{p}-aad-{a}"),
                        json!({"mk": hx(&mk), "nonce": hx(&nonce), "plaintext": hx(&pt), "aad": hx(&aad)}),
                    );
                    if p == 1 {
                        // Only nonce[0..12] reaches the body nonce.
                        c.add("nonce-tail-changed", json!({"mk": hx(&mk), "nonce": hx(&flip(&nonce, 23)), "plaintext": hx(&pt), "aad": hx(&aad)}));
                        c.add("nonce-head-changed", json!({"mk": hx(&mk), "nonce": hx(&flip(&nonce, 0)), "plaintext": hx(&pt), "aad": hx(&aad)}));
                    }
                } else {
                    let ct = ratchet::encrypt_mk(&mk, &nonce, &pt, &aad).unwrap();
                    c.add(
                        format!("plaintext-{p}-aad-{a}"),
                        json!({"mk": hx(&mk), "nonce": hx(&nonce), "ciphertext": hx(&ct), "aad": hx(&aad)}),
                    );
                    if p == 1 {
                        c.add("tag-flipped", json!({"mk": hx(&mk), "nonce": hx(&nonce), "ciphertext": hx(&flip(&ct, ct.len() - 1)), "aad": hx(&aad)}));
                        c.add("aad-flipped", json!({"mk": hx(&mk), "nonce": hx(&nonce), "ciphertext": hx(&ct), "aad": hx(&flip(&aad, 3))}));
                        c.add("nonce-head-flipped", json!({"mk": hx(&mk), "nonce": hx(&flip(&nonce, 11)), "ciphertext": hx(&ct), "aad": hx(&aad)}));
                        c.add("nonce-tail-flipped", json!({"mk": hx(&mk), "nonce": hx(&flip(&nonce, 12)), "ciphertext": hx(&ct), "aad": hx(&aad)}));
                        c.add(
                            "shorter-than-tag",
                            json!({"mk": hx(&mk), "nonce": hx(&nonce), "ciphertext": hx(&ct[..15]), "aad": hx(&aad)}),
                        );
                    }
                }
            }
        }
        "ratchet_session" => ratchet_sessions(c, g),
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
        "content_encode" | "content_decode" => contents(c, op, g),
        "envelope_seal" | "envelope_open" => envelopes(c, op, g),
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
        "session_run" => {
            for (id, setup, events) in scripts(g) {
                c.add(id, session_run_input(&setup, &events));
            }
        }
        "session_receive_responder" | "session_receive_initiator" => passive(c, op, g),
        _ => {}
    }
}

fn id_decode_errors(c: &mut Cases, field: &str, id: &[u8]) {
    c.add("empty", json!({field: ""}));
    c.add("cut-short", json!({field: hx(&id[..146])}));
    c.add(
        "trailing-byte",
        json!({field: hx(&[id.to_vec(), vec![0]].concat())}),
    );
    let mut v = id.to_vec();
    v[0] = 0x02;
    c.add("version-2", json!({field: hx(&v)}));
    let mut t = id.to_vec();
    t[17] = 0x01;
    c.add("sig-pub-tag-wrong", json!({field: hx(&t)}));
    let mut t = id.to_vec();
    t[50] = 0x02;
    c.add("dh-pub-tag-wrong", json!({field: hx(&t)}));
    let mut h = id.to_vec();
    h[2] = b'A';
    c.add("handle-uppercase", json!({field: hx(&h)}));
    let mut h = id.to_vec();
    h[1] = 16;
    c.add("handle-length-16", json!({field: hx(&h)}));
}

fn bundles(c: &mut Cases, op: &str, g: &Gen) {
    let with_opk = store(&g.sub("opk"), b"bob", true, 1);
    let no_opk = store(&g.sub("no-opk"), b"bob", false, 2);
    let b1 = make_bundle(&with_opk);
    let b2 = make_bundle(&no_opk);
    c.add("valid-with-opk", json!({"bundle": hx(&b1)}));
    c.add("valid-without-opk", json!({"bundle": hx(&b2)}));
    // Offsets (SPEC.md 7): 0 version, 1..148 identity, 148 spk_id, 152 EncX(SPK),
    // 185 spk_sig, 249 has_opk, 250 opk_id, 254 EncX(OPK), then pqpk.
    if op == "bundle_verify" {
        c.add("binding-flipped", json!({"bundle": hx(&flip(&b1, 147))}));
        c.add("spk-sig-flipped", json!({"bundle": hx(&flip(&b1, 200))}));
        c.add("spk-changed", json!({"bundle": hx(&flip(&b1, 160))}));
        c.add("spk-id-changed", json!({"bundle": hx(&flip(&b1, 151))}));
        c.add(
            "pqpk-sig-flipped",
            json!({"bundle": hx(&flip(&b1, b1.len() - 1))}),
        );
        c.add(
            "pqpk-kind-changed",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[254] = 1; b })}),
        );
        c.add(
            "opk-changed-is-unsigned",
            json!({"bundle": hx(&flip(&b1, 260))}),
        );
        let bad_key = resigned(&no_opk, |b| {
            b.pqpk[0] = 0xff;
            b.pqpk[1] |= 0x0f;
        });
        c.add("pqpk-fails-modulus-check", json!({"bundle": hx(&bad_key)}));
    } else {
        c.add(
            "pq-kind-3",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[254] = 3; b })}),
        );
        c.add(
            "has-opk-2",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[249] = 2; b })}),
        );
        c.add(
            "has-opk-1-without-opk",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[249] = 1; b })}),
        );
        c.add(
            "spk-tag-wrong",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[152] = 2; b })}),
        );
        c.add(
            "pqpk-tag-wrong",
            json!({"bundle": hx(&{ let mut b = b2.clone(); b[255] = 1; b })}),
        );
    }
    c.add("empty", json!({"bundle": ""}));
    c.add("cut-short", json!({"bundle": hx(&b1[..b1.len() - 1])}));
    c.add(
        "trailing-byte",
        json!({"bundle": hx(&[b2.clone(), vec![0]].concat())}),
    );
    c.add(
        "version-2",
        json!({"bundle": hx(&{ let mut b = b1.clone(); b[0] = 2; b })}),
    );
    c.add(
        "identity-version-2",
        json!({"bundle": hx(&{ let mut b = b1.clone(); b[1] = 2; b })}),
    );
    c.add(
        "handle-uppercase",
        json!({"bundle": hx(&{ let mut b = b1.clone(); b[3] = b'B'; b })}),
    );
}

/// Alice's side of a handshake with Bob's store `st`.
fn alice_input(g: &Gen, bundle: &[u8]) -> Value {
    json!({
        "handle": hx(b"alice"),
        "identity_randomness": hx(&g.bytes("alice identity", 64)),
        "peer": hx(b"bob"),
        "bundle": hx(bundle),
        "ek_secret": hx(&g.bytes("ek", 32)),
        "kem_m": hx(&g.bytes("kem m", 32)),
        "ratchet_secret": hx(&g.bytes("alice ratchet", 32)),
        "header_nonce": hx(&g.bytes("header nonce", 24)),
        "plaintext": hx(&padding::pad(b"\x01\x00\x00\x00\x05hello")),
    })
}

fn handshake_initiate(c: &mut Cases, g: &Gen) {
    let st1 = store(&g.sub("bob 1"), b"bob", true, 1);
    let st2 = store(&g.sub("bob 2"), b"bob", false, 2);
    let b1 = make_bundle(&st1);
    let b2 = make_bundle(&st2);
    c.add("with-opk", alice_input(&g.sub("1"), &b1));
    c.add("without-opk-last-resort", alice_input(&g.sub("2"), &b2));
    let a = alice_input(&g.sub("3"), &b1);
    c.add(
        "peer-uppercase-is-same-handle",
        with(&a, "peer", hx(b"BOB")),
    );
    c.add("peer-mismatch", with(&a, "peer", hx(b"bobby")));
    c.add("peer-unparsable", with(&a, "peer", hx(b"b o b")));
    c.add("bundle-malformed", with(&a, "bundle", hx(&b1[..100])));
    c.add(
        "peer-unparsable-and-bundle-malformed",
        with(&with(&a, "peer", hx(b"b o b")), "bundle", hx(&b1[..100])),
    );
    c.add(
        "bundle-version-2",
        with(
            &a,
            "bundle",
            hx(&{
                let mut b = b1.clone();
                b[0] = 2;
                b
            }),
        ),
    );
    c.add(
        "bundle-spk-sig-flipped",
        with(&a, "bundle", hx(&flip(&b1, 200))),
    );
    let bad_key = resigned(&st2, |b| {
        b.pqpk[0] = 0xff;
        b.pqpk[1] |= 0x0f;
    });
    c.add(
        "bundle-pqpk-fails-modulus-check",
        with(&a, "bundle", hx(&bad_key)),
    );
    let zero_spk = resigned(&st2, |b| b.spk = [0u8; 32]);
    c.add(
        "spk-small-order-dh1-zero",
        with(&a, "bundle", hx(&zero_spk)),
    );
    let zero_opk = resigned(&st1, |b| b.opk = b.opk.map(|(id, _)| (id, h32(ORDER8_HEX))));
    c.add(
        "opk-small-order-dh4-zero",
        with(&a, "bundle", hx(&zero_opk)),
    );
}

/// Bob's input for `handshake_respond` on `message`.
fn bob_input(st: &Value, message: &[u8], secret: &[u8]) -> Value {
    let mut i = st.clone();
    i["message"] = hx(message);
    i["ratchet_secret"] = hx(secret);
    i
}

fn handshake_respond(c: &mut Cases, g: &Gen) {
    for (id, opk, kind) in [
        ("with-opk-one-time-pq", true, 1u8),
        ("without-opk-last-resort", false, 2),
        ("without-opk-one-time-pq", false, 1),
    ] {
        let gs = g.sub(id);
        let st = store(&gs, b"bob", opk, kind);
        let a = alice_input(&gs, &make_bundle(&st));
        let message = out("handshake_initiate", &a).bytes("message").unwrap();
        c.add(id, bob_input(&st, &message, &gs.bytes("bob ratchet", 32)));
    }
    let gs = g.sub("errors");
    let st = store(&gs, b"bob", true, 1);
    let a = alice_input(&gs, &make_bundle(&st));
    let m = out("handshake_initiate", &a).bytes("message").unwrap();
    let secret = gs.bytes("bob ratchet", 32);
    let edit = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut v = m.clone();
        f(&mut v);
        v
    };
    // Offsets (SPEC.md 8): 0 version, 1 type, 2..149 EncIdentity, 149 spk_id,
    // 153 has_opk, 154 opk_id, 158 pqpk_id, 162 EncX(EK), 195 CT, 1283 body.
    c.add("version-2", bob_input(&st, &edit(&|v| v[0] = 2), &secret));
    c.add("type-2", bob_input(&st, &edit(&|v| v[1] = 2), &secret));
    c.add(
        "identity-version-2",
        bob_input(&st, &edit(&|v| v[2] = 2), &secret),
    );
    c.add(
        "handle-uppercase",
        bob_input(&st, &edit(&|v| v[4] = b'A'), &secret),
    );
    c.add("has-opk-2", bob_input(&st, &edit(&|v| v[153] = 2), &secret));
    c.add(
        "ek-tag-wrong",
        bob_input(&st, &edit(&|v| v[162] = 2), &secret),
    );
    c.add("body-96-bytes", bob_input(&st, &m[..1283 + 96], &secret));
    c.add("cut-in-ct", bob_input(&st, &m[..1000], &secret));
    c.add(
        "binding-flipped",
        bob_input(&st, &edit(&|v| v[148] ^= 1), &secret),
    );
    let mut other = st.clone();
    other["spk_id"] = json!(st["spk_id"].as_u64().unwrap() ^ 1);
    c.add("unknown-spk-id", bob_input(&other, &m, &secret));
    c.add(
        "body-96-bytes-and-unknown-spk-id",
        bob_input(&other, &m[..1283 + 96], &secret),
    );
    c.add("body-97-bytes", bob_input(&st, &m[..1283 + 97], &secret));
    // Alice's 1002nd prekey message arrives first: n = 1001 > MAX_SKIP.
    {
        let r: [u8; 64] = gs.bytes("alice identity", 64).try_into().unwrap();
        let (alice, _) = identity::generate(&parse_handle(b"alice").unwrap(), &r);
        let bundle = bundle::decode(&make_bundle(&st)).unwrap();
        let mut session = xchat_spec::session::start(
            &alice,
            &parse_handle(b"bob").unwrap(),
            &bundle,
            &gs.arr("ek"),
            &gs.arr("kem m"),
            &gs.arr("alice ratchet"),
        )
        .unwrap();
        let padded = padding::pad(b"\x01\x00\x00\x00\x00");
        let mut last = Vec::new();
        for i in 0..=ratchet::MAX_SKIP + 1 {
            let mut r = [0u8; 24];
            r[..4].copy_from_slice(&i.to_be_bytes());
            let (next, message) = xchat_spec::session::encrypt(&session, &padded, &r).unwrap();
            session = next;
            last = message;
        }
        c.add("first-message-number-1001", bob_input(&st, &last, &secret));
    }
    let mut other = st.clone();
    other["opk_id"] = json!(st["opk_id"].as_u64().unwrap() ^ 1);
    c.add("unknown-opk-id", bob_input(&other, &m, &secret));
    let mut other = st.clone();
    other["pqpk_id"] = json!(st["pqpk_id"].as_u64().unwrap() ^ 1);
    c.add("unknown-pqpk-id", bob_input(&other, &m, &secret));
    c.add(
        "ek-small-order",
        bob_input(
            &st,
            &edit(&|v| v[163..195].copy_from_slice(&[0u8; 32])),
            &secret,
        ),
    );
    c.add(
        "ct-flipped-implicit-rejection",
        bob_input(&st, &edit(&|v| v[300] ^= 1), &secret),
    );
    c.add(
        "body-flipped",
        bob_input(&st, &edit(&|v| *v.last_mut().unwrap() ^= 1), &secret),
    );
    c.add(
        "header-flipped",
        bob_input(&st, &edit(&|v| v[1283 + 30] ^= 1), &secret),
    );
}

/// A ratchet session script builder: runs the steps so far with the spec to
/// learn the message of each send.
struct Script {
    base: Value,
    steps: Vec<Value>,
}

impl Script {
    fn new(g: &Gen) -> Script {
        Script {
            base: json!({
                "sk": hx(&g.bytes("sk", 32)), "hka": hx(&g.bytes("hka", 32)), "nhkb": hx(&g.bytes("nhkb", 32)),
                "ad": hx(&g.bytes("ad", 32)), "alice_secret": hx(&g.bytes("alice secret", 32)), "bob_secret": hx(&g.bytes("bob secret", 32)),
            }),
            steps: Vec::new(),
        }
    }
    fn input(&self) -> Value {
        with(&self.base, "steps", Value::Array(self.steps.clone()))
    }
    /// `from` sends; returns the message.
    fn send(&mut self, g: &Gen, from: &str, text: &str) -> Vec<u8> {
        let k = self.steps.len();
        self.steps.push(json!({"action": "send", "from": from, "plaintext": hx(text.as_bytes()), "r": hx(&g.bytes(&format!("nonce {k}"), 24))}));
        let r = out("ratchet_session", &self.input());
        let last = r["results"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_object()
            .unwrap()
            .clone();
        last.bytes("message").unwrap_or_default()
    }
    /// `from` sends with the given randomness `r`; returns the message.
    fn send_with_r(&mut self, from: &str, text: &str, r: &[u8; 24]) -> Vec<u8> {
        self.steps.push(
            json!({"action": "send", "from": from, "plaintext": hx(text.as_bytes()), "r": hx(r)}),
        );
        let r = out("ratchet_session", &self.input());
        let last = r["results"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_object()
            .unwrap()
            .clone();
        last.bytes("message").unwrap_or_default()
    }
    fn lose(&mut self, from: &str, count: u64) {
        self.steps
            .push(json!({"action": "lose", "from": from, "count": count}));
    }
    fn receive(&mut self, g: &Gen, to: &str, message: &[u8]) {
        let k = self.steps.len();
        self.steps.push(json!({"action": "receive", "to": to, "message": hx(message), "secret": hx(&g.bytes(&format!("secret {k}"), 32))}));
    }
}

fn ratchet_sessions(c: &mut Cases, g: &Gen) {
    let gs = g.sub("ping-pong");
    let mut s = Script::new(&gs);
    let m0 = s.send(&gs, "alice", "hello bob");
    s.receive(&gs, "bob", &m0);
    let m1 = s.send(&gs, "bob", "hello alice");
    s.receive(&gs, "alice", &m1);
    let m2 = s.send(&gs, "alice", "second chain");
    let m3 = s.send(&gs, "alice", "second chain, 2");
    s.receive(&gs, "bob", &m2);
    s.receive(&gs, "bob", &m3);
    let m4 = s.send(&gs, "bob", "third chain");
    s.receive(&gs, "alice", &m4);
    c.add("ping-pong", s.input());

    // A repeating RNG on one chain: the same r and the same plaintext twice
    // still give two header nonces under the chain's header key
    // (REQ-RATCHET-009); both decrypt, in either order.
    let gs = g.sub("repeated-r");
    let mut s = Script::new(&gs);
    let a0 = s.send_with_r("alice", "same text", &[0x42; 24]);
    let a1 = s.send_with_r("alice", "same text", &[0x42; 24]);
    let a2 = s.send_with_r("alice", "other text", &[0x42; 24]);
    assert_ne!(a0[2..26], a1[2..26]);
    s.receive(&gs, "bob", &a1);
    s.receive(&gs, "bob", &a0);
    s.receive(&gs, "bob", &a2);
    c.add("repeated-r-one-chain", s.input());

    let gs = g.sub("reorder");
    let mut s = Script::new(&gs);
    let m: Vec<Vec<u8>> = (0..4)
        .map(|i| s.send(&gs, "alice", &format!("message {i}")))
        .collect();
    s.receive(&gs, "bob", &m[2]);
    s.receive(&gs, "bob", &m[0]);
    s.receive(&gs, "bob", &m[0]);
    s.receive(&gs, "bob", &m[2]);
    s.receive(&gs, "bob", &m[3]);
    s.receive(&gs, "bob", &m[1]);
    c.add("reorder-skip-replay", s.input());

    // Bodies at the length bound (SPEC.md 9.4): 96 bytes is `Malformed`, 97
    // (a real header and a bare tag) decodes and fails the AEAD.
    let gs = g.sub("body-bound");
    let mut s = Script::new(&gs);
    let m0 = s.send(&gs, "alice", "hello");
    s.receive(&gs, "bob", &m0[..2 + 96]);
    s.receive(&gs, "bob", &m0[..2 + 97]);
    s.receive(&gs, "bob", &m0);
    c.add("body-at-the-length-bound", s.input());

    let gs = g.sub("new-chain-first");
    let mut s = Script::new(&gs);
    let a0 = s.send(&gs, "alice", "a0");
    let a1 = s.send(&gs, "alice", "a1 (late)");
    s.receive(&gs, "bob", &a0);
    let b0 = s.send(&gs, "bob", "b0");
    s.receive(&gs, "alice", &b0);
    let a2 = s.send(&gs, "alice", "a2, new chain, pn = 2");
    s.receive(&gs, "bob", &a2);
    s.receive(&gs, "bob", &a1);
    s.receive(&gs, "bob", &a1);
    c.add("old-chain-after-new-chain", s.input());

    let gs = g.sub("bob-first");
    let mut s = Script::new(&gs);
    s.send(&gs, "bob", "too early");
    let a0 = s.send(&gs, "alice", "a0");
    s.receive(&gs, "alice", &a0);
    c.add("no-sending-chain-and-wrong-direction", s.input());

    let gs = g.sub("tamper");
    let mut s = Script::new(&gs);
    let a0 = s.send(&gs, "alice", "a0");
    s.receive(&gs, "bob", &flip(&a0, 0));
    s.receive(&gs, "bob", &{
        let mut v = a0.clone();
        v[1] = 1;
        v
    });
    s.receive(&gs, "bob", &a0[..2 + 96]);
    s.receive(&gs, "bob", &flip(&a0, 10));
    s.receive(&gs, "bob", &flip(&a0, a0.len() - 1));
    s.receive(&gs, "bob", &a0);
    c.add("tampered-then-valid", s.input());

    let gs = g.sub("skip-bound");
    let mut s = Script::new(&gs);
    s.lose("alice", 1000);
    let ok = s.send(&gs, "alice", "after 1000 lost");
    s.lose("alice", 1001);
    let far = s.send(&gs, "alice", "after 1001 more lost");
    s.receive(&gs, "bob", &ok);
    s.receive(&gs, "bob", &far);
    c.add("max-skip", s.input());

    let gs = g.sub("eviction");
    let mut s = Script::new(&gs);
    let first = s.send(&gs, "alice", "first, skipped then evicted");
    let second = s.send(&gs, "alice", "second, skipped then evicted");
    s.lose("alice", 998);
    let x = s.send(&gs, "alice", "x");
    s.receive(&gs, "bob", &x);
    s.lose("alice", 1000);
    let y = s.send(&gs, "alice", "y");
    s.receive(&gs, "bob", &y);
    s.receive(&gs, "bob", &second);
    s.lose("alice", 2);
    let z = s.send(&gs, "alice", "z");
    s.receive(&gs, "bob", &z);
    s.receive(&gs, "bob", &first);
    c.add("skipped-keys-evicted-oldest-first", s.input());
    // Skipped keys in two chains (two runs of MKSKIPPED, SPEC.md 9.1): the
    // first skipped message of the second run decrypts, and once its chain
    // is old, a replay of it is `Replay` (found under the second run's
    // header key, SPEC.md 9.5 step 3), not `AuthenticationFailed`; so is a
    // replay found under the first run's key while a second run exists.
    let gs = g.sub("two-runs");
    let mut s = Script::new(&gs);
    let a: Vec<Vec<u8>> = (0..3)
        .map(|i| s.send(&gs, "alice", &format!("a{i}")))
        .collect();
    s.receive(&gs, "bob", &a[2]);
    let b0 = s.send(&gs, "bob", "b0");
    s.receive(&gs, "alice", &b0);
    let cs: Vec<Vec<u8>> = (0..3)
        .map(|i| s.send(&gs, "alice", &format!("c{i}")))
        .collect();
    s.receive(&gs, "bob", &cs[2]);
    s.receive(&gs, "bob", &cs[0]);
    let d0 = s.send(&gs, "bob", "d0");
    s.receive(&gs, "alice", &d0);
    let e0 = s.send(&gs, "alice", "e0");
    s.receive(&gs, "bob", &e0);
    s.receive(&gs, "bob", &cs[0]);
    s.receive(&gs, "bob", &a[0]);
    s.receive(&gs, "bob", &a[0]);
    s.receive(&gs, "bob", &cs[1]);
    c.add("skipped-keys-in-two-chains", s.input());
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
    ];
    if op == "content_encode" {
        for (id, v) in valid {
            c.add(id, v);
        }
        c.add("text-invalid-utf8", json!({"type": "text", "text": "c080"}));
        c.add("kind-4", att(4, 1));
        c.add("length-above-2^63", att(1, (1 << 63) + 1));
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
}

/// Seals `identity_bytes` (147 bytes, possibly invalid) as the sender, as
/// section 12 does, with the sender's DH secret `sender_dh` (for invalid
/// sender identities that `envelope_seal` cannot produce).
fn craft_envelope(
    identity_bytes: &[u8],
    sender_dh: &[u8; 32],
    recipient_dh_pub: &[u8; 32],
    mailbox: &[u8; 16],
    payload: &[u8],
    e: &[u8; 32],
) -> Vec<u8> {
    let e_pub = public_key(e);
    let dh_e = x25519::x25519(e, recipient_dh_pub);
    let (chain, k1) = envelope::ephemeral_keys(&dh_e, mailbox, &e_pub, recipient_dh_pub).unwrap();
    let ad1 = [&[1u8][..], mailbox, &e_pub].concat();
    let c1 = chacha20poly1305::seal(&k1, &[0u8; 12], &ad1, identity_bytes);
    let dh_s = x25519::x25519(sender_dh, recipient_dh_pub);
    let k2 = envelope::static_key(&chain, &dh_s, &c1).unwrap();
    let ad2 = [ad1.clone(), c1.clone()].concat();
    let c2 = chacha20poly1305::seal(&k2, &[0u8; 12], &ad2, payload);
    [ad2, c2].concat()
}

fn envelopes(c: &mut Cases, op: &str, g: &Gen) {
    let sender_r = g.bytes("sender", 64);
    let rec_secret: [u8; 32] = g.arr("recipient");
    let rec_pub = public_key(&rec_secret);
    let mailbox: [u8; 16] = g.arr("mailbox");
    let seal_in = |payload: &[u8], label: &str| json!({"sender_handle": hx(b"alice"), "sender_randomness": hx(&sender_r), "recipient_dh_pub": hx(&rec_pub), "mailbox": hx(&mailbox), "payload": hx(payload), "r": hx(&g.bytes(label, 32))});
    if op == "envelope_seal" {
        c.add("empty-payload", seal_in(b"", "e0"));
        c.add("payload-300", seal_in(&g.bytes("payload", 300), "e1"));
        c.add(
            "recipient-key-zero",
            with(&seal_in(b"x", "e2"), "recipient_dh_pub", hx(&[0u8; 32])),
        );
        c.add(
            "recipient-key-order-8",
            with(&seal_in(b"x", "e3"), "recipient_dh_pub", ORDER8_HEX.into()),
        );
        c.add(
            "sender-handle-invalid-and-recipient-key-zero",
            with(
                &with(&seal_in(b"x", "e4"), "sender_handle", hx(b"al ice")),
                "recipient_dh_pub",
                hx(&[0u8; 32]),
            ),
        );
        return;
    }
    let open_in = |env: &[u8]| json!({"dh_secret": hx(&rec_secret), "mailbox": hx(&mailbox), "envelope": hx(env)});
    let env = out("envelope_seal", &seal_in(&g.bytes("payload", 300), "e1"))
        .bytes("envelope")
        .unwrap();
    let empty = out("envelope_seal", &seal_in(b"", "e0"))
        .bytes("envelope")
        .unwrap();
    c.add("valid", open_in(&env));
    c.add("valid-empty-payload", open_in(&empty));
    c.add("empty", open_in(&[]));
    c.add(
        "version-2",
        open_in(&{
            let mut v = env.clone();
            v[0] = 2;
            v
        }),
    );
    c.add("c2-shorter-than-tag", open_in(&empty[..empty.len() - 1]));
    // Decoding comes before the mailbox check (SPEC.md 12, opening step 1).
    c.add(
        "c2-shorter-than-tag-and-wrong-mailbox",
        open_in(&flip(&empty[..empty.len() - 1], 1)),
    );
    c.add("cut-in-c1", open_in(&env[..100]));
    c.add("wrong-mailbox", open_in(&flip(&env, 1)));
    c.add(
        "e-zero",
        open_in(&{
            let mut v = env.clone();
            v[17..49].copy_from_slice(&[0u8; 32]);
            v
        }),
    );
    c.add("e-changed", open_in(&flip(&env, 20)));
    c.add("c1-flipped", open_in(&flip(&env, 100)));
    c.add("c2-flipped", open_in(&flip(&env, env.len() - 1)));
    c.add(
        "wrong-recipient-key",
        with(&open_in(&env), "dh_secret", hx(&g.bytes("other", 32))),
    );
    let sender_dh: [u8; 32] = g.arr("mallory dh");
    let e: [u8; 32] = g.arr("crafted e");
    let (good_id, _) = identity_with_dh(g, "mallory", public_key(&sender_dh));
    let craft = |id: &[u8], dh: &[u8; 32]| {
        open_in(&craft_envelope(id, dh, &rec_pub, &mailbox, b"payload", &e))
    };
    c.add("crafted-valid", craft(&good_id, &sender_dh));
    c.add(
        "sender-identity-tag-wrong",
        craft(
            &{
                let mut v = good_id.clone();
                v[17] = 1;
                v
            },
            &sender_dh,
        ),
    );
    c.add(
        "sender-identity-version-2",
        craft(
            &{
                let mut v = good_id.clone();
                v[0] = 2;
                v
            },
            &sender_dh,
        ),
    );
    c.add(
        "sender-handle-uppercase",
        craft(
            &{
                let mut v = good_id.clone();
                v[2] = b'M';
                v
            },
            &sender_dh,
        ),
    );
    c.add(
        "sender-binding-invalid",
        craft(&flip(&good_id, 140), &sender_dh),
    );
    let (zero_id, _) = identity_with_dh(g, "mallory", [0u8; 32]);
    c.add("sender-dh-zero", craft(&zero_id, &sender_dh));
    c.add("sender-dh-mismatch", craft(&good_id, &g.arr("not mallory")));
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

// ---- sessions -----------------------------------------------------------

fn send(from: Party, to: Party, text: &str) -> Event {
    Event::Send {
        from,
        to,
        text: text.as_bytes().to_vec(),
    }
}

/// A script's set-up: its seed from `label`.
fn script_setup(g: &Gen, label: &str, with_opk: bool, pq_kind: PqKind) -> Setup {
    Setup {
        seed: g.arr(label),
        with_opk,
        pq_kind,
    }
}

/// Alice starts a session with Bob (the opening of most scripts).
fn alice_starts() -> Event {
    Event::Start {
        from: Party::Alice,
        to: Party::Bob,
    }
}

/// The classic two-party scripts (Alice starts, both talk): the passive
/// vectors are cut from these.
fn two_party_scripts(g: &Gen) -> Vec<(String, Setup, Vec<Event>)> {
    use Event::*;
    use Party::*;
    let setup =
        |label: &str, with_opk: bool, pq_kind: PqKind| script_setup(g, label, with_opk, pq_kind);
    vec![
        (
            "conversation".into(),
            setup("conversation", true, PqKind::OneTime),
            vec![
                alice_starts(),
                send(Alice, Bob, "hi bob"),
                Deliver { index: 0 },
                send(Bob, Alice, "hi alice"),
                Deliver { index: 1 },
                send(Alice, Bob, "how are you?"),
                send(Alice, Bob, "(new chain)"),
                Deliver { index: 3 },
                Deliver { index: 2 },
            ],
        ),
        (
            "drops-reorders-duplicates".into(),
            setup("drops", false, PqKind::LastResort),
            vec![
                alice_starts(),
                send(Alice, Bob, "p0"),
                send(Alice, Bob, "p1"),
                send(Alice, Bob, "p2"),
                Drop { index: 0 },
                Deliver { index: 2 },
                Duplicate { index: 2 },
                Deliver { index: 0 },
                Deliver { index: 1 },
                send(Bob, Alice, "b0"),
                send(Bob, Alice, "b1"),
                Deliver { index: 4 },
                send(Alice, Bob, "after reply"),
                Deliver { index: 3 },
                Deliver { index: 5 },
                Duplicate { index: 1 },
            ],
        ),
        (
            "tampering-and-early-send".into(),
            setup("tamper", true, PqKind::OneTime),
            vec![
                send(Bob, Alice, "before any session"),
                alice_starts(),
                send(Alice, Bob, "first"),
                Tamper {
                    index: 0,
                    byte: 0,
                    mask: 0x02,
                },
                Tamper {
                    index: 0,
                    byte: 1,
                    mask: 0x01,
                },
                Tamper {
                    index: 0,
                    byte: 60,
                    mask: 0x80,
                },
                Tamper {
                    index: 0,
                    byte: 5000,
                    mask: 0x01,
                },
                Deliver { index: 0 },
                Duplicate { index: 0 },
                send(Bob, Alice, "reply"),
                Tamper {
                    index: 1,
                    byte: 100,
                    mask: 0x01,
                },
                Deliver { index: 1 },
                Deliver { index: 7 },
            ],
        ),
        (
            "prekey-phase-repeats".into(),
            setup("prekey phase", false, PqKind::OneTime),
            vec![
                alice_starts(),
                send(Alice, Bob, "one"),
                send(Alice, Bob, "two"),
                Deliver { index: 1 },
                Deliver { index: 0 },
                send(Bob, Alice, "ack"),
                Deliver { index: 2 },
                send(Alice, Bob, "ratchet message"),
                Deliver { index: 3 },
            ],
        ),
    ]
}

/// The scripted sessions: id, set-up and events. Besides the two-party
/// scripts, one script per attack of the revision-2 review (SPEC.md
/// section 15): each expects what revision 1 got wrong.
pub fn scripts(g: &Gen) -> Vec<(String, Setup, Vec<Event>)> {
    use Event::*;
    use Party::*;
    let setup =
        |label: &str, with_opk: bool, pq_kind: PqKind| script_setup(g, label, with_opk, pq_kind);
    let start = |from: Party, to: Party| Start { from, to };
    let mut out = two_party_scripts(g);
    // Finding 1: Mallory claims `alice`; Bob has pinned the real Alice.
    out.push((
        "identity-takeover".into(),
        setup("identity takeover", true, PqKind::LastResort),
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "hi bob"),
            Deliver { index: 0 },
            start(Mallory, Bob),
            send(Mallory, Bob, "i am alice"),
            Deliver { index: 1 },
            send(Alice, Bob, "still me"),
            Deliver { index: 2 },
            send(Bob, Alice, "hi alice"),
            Deliver { index: 3 },
            start(Bob, Mallory),
            AcceptIdentity {
                who: Bob,
                of: Mallory,
            },
            Deliver { index: 1 },
            send(Alice, Bob, "it was not me"),
            Deliver { index: 4 },
            send(Bob, Mallory, "to the new alice"),
            Deliver { index: 5 },
        ],
    ));
    // Finding 2: [A1, A1, B1, A1], then A ages out, then two rotations.
    let mut replay = vec![
        start(Alice, Bob),
        send(Alice, Bob, "A1"),
        Deliver { index: 0 },
        Deliver { index: 0 },
        start(Alice, Bob),
        send(Alice, Bob, "B1"),
        Deliver { index: 1 },
        Deliver { index: 0 },
        send(Bob, Alice, "in B"),
        Deliver { index: 2 },
    ];
    for k in 0..4 {
        replay.extend([
            start(Alice, Bob),
            send(Alice, Bob, &format!("rekey {k}")),
            Deliver { index: 3 + k },
        ]);
    }
    replay.extend([
        Deliver { index: 0 },
        RotatePrekey { who: Bob },
        Deliver { index: 0 },
        RotatePrekey { who: Bob },
        Deliver { index: 0 },
    ]);
    out.push((
        "handshake-replay-after-rekey".into(),
        setup("handshake replay", false, PqKind::LastResort),
        replay,
    ));
    // Finding 3: Carol's handshake between Alice's messages.
    out.push((
        "another-identity-interleaved".into(),
        setup("interleaved", true, PqKind::LastResort),
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "a0"),
            Deliver { index: 0 },
            send(Bob, Alice, "b0"),
            Deliver { index: 1 },
            start(Carol, Bob),
            send(Carol, Bob, "c0"),
            Deliver { index: 2 },
            send(Alice, Bob, "a1"),
            Deliver { index: 3 },
            send(Bob, Carol, "to carol"),
            Deliver { index: 4 },
        ],
    ));
    // Routing inside a contact: after Bob re-keys, a message Alice sent in
    // the old session is still in flight; it decrypts in Bob's previous
    // session, which becomes current again (SPEC.md 15.2 R4-R5).
    out.push((
        "late-message-in-previous-session".into(),
        setup("previous session", true, PqKind::LastResort),
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "a0"),
            Deliver { index: 0 },
            send(Bob, Alice, "b0"),
            Deliver { index: 1 },
            send(Alice, Bob, "old, in flight"),
            start(Bob, Alice),
            send(Bob, Alice, "new session"),
            Deliver { index: 3 },
            Deliver { index: 2 },
            send(Bob, Alice, "back in the old one"),
            Deliver { index: 4 },
            send(Alice, Bob, "a1"),
            Deliver { index: 5 },
            send(Bob, Alice, "b1"),
            Deliver { index: 6 },
        ],
    ));
    // Finding 5: simultaneous initiation, both arrival orders.
    for (name, first, second) in [("alice-first", 0, 1), ("bob-first", 1, 0)] {
        out.push((
            format!("simultaneous-initiation-{name}"),
            setup(&format!("simultaneous {name}"), false, PqKind::LastResort),
            vec![
                start(Alice, Bob),
                start(Bob, Alice),
                send(Alice, Bob, "a0"),
                send(Bob, Alice, "b0"),
                Deliver { index: first },
                Deliver { index: second },
                send(Alice, Bob, "a1"),
                send(Bob, Alice, "b1"),
                Deliver { index: 2 },
                Deliver { index: 3 },
                send(Alice, Bob, "a2"),
                Deliver { index: 4 },
            ],
        ));
    }
    // Finding 6: a restored state sends again with the same randomness.
    out.push((
        "restored-state-resend".into(),
        setup("restored state", true, PqKind::OneTime),
        vec![
            start(Alice, Bob),
            send(Alice, Bob, "m0"),
            Deliver { index: 0 },
            send(Bob, Alice, "ack"),
            Deliver { index: 1 },
            Snapshot { who: Alice },
            send(Alice, Bob, "PAY BOB 10 EUR"),
            Restore { who: Alice },
            send(Alice, Bob, "PAY EVE 9999 EUR"),
            Deliver { index: 3 },
            Deliver { index: 2 },
        ],
    ));
    out
}

/// One event of a `session_run` script, as on the wire.
fn event_in(e: &Event) -> Value {
    let n = |p: &Party| party_name(*p);
    match e {
        Event::Start { from, to } => json!({"action": "start", "from": n(from), "to": n(to)}),
        Event::Send { from, to, text } => {
            json!({"action": "send", "from": n(from), "to": n(to), "text": hx(text)})
        }
        Event::Deliver { index } => json!({"action": "deliver", "index": index}),
        Event::Drop { index } => json!({"action": "drop", "index": index}),
        Event::Duplicate { index } => json!({"action": "duplicate", "index": index}),
        Event::Tamper { index, byte, mask } => {
            json!({"action": "tamper", "index": index, "byte": byte, "mask": mask})
        }
        Event::AcceptIdentity { who, of } => {
            json!({"action": "accept_identity", "who": n(who), "of": n(of)})
        }
        Event::RotatePrekey { who } => json!({"action": "rotate_prekey", "who": n(who)}),
        Event::Snapshot { who } => json!({"action": "snapshot", "who": n(who)}),
        Event::Restore { who } => json!({"action": "restore", "who": n(who)}),
    }
}

/// The `session_run` request input of a script.
pub fn session_run_input(setup: &Setup, events: &[Event]) -> Value {
    let events: Vec<Value> = events.iter().map(event_in).collect();
    json!({"seed": hx(&setup.seed), "with_opk": setup.with_opk, "pq_kind": bundle::kind_byte(setup.pq_kind), "events": events})
}

fn pdraw(seed: &[u8; 32], p: Party, purpose: &[u8], n: u32) -> [u8; 32] {
    scenario::party_draw(seed, p, purpose, n)
}

/// The passive vectors: each two-party script's deliveries to one party,
/// with that party's secrets as the scenario runner derived them and the
/// ratchet secret of each receive (`receive` at the party's draw counter
/// then, read off a run of the script up to that event).
fn passive(c: &mut Cases, op: &str, g: &Gen) {
    let to = if op == "session_receive_responder" {
        Party::Bob
    } else {
        Party::Alice
    };
    let p = scenario::index_of(to);
    for (id, setup, events) in two_party_scripts(g) {
        let t = scenario::run(&setup, &events).expect("script runs");
        let seed = &setup.seed;
        let mut deliveries = Vec::new();
        let mut dropped = vec![false; t.wire.len()];
        for (pos, e) in events.iter().enumerate() {
            if let Event::Drop { index } = e {
                if *index < dropped.len() {
                    dropped[*index] = true;
                }
            }
            let (index, tamper) = match e {
                Event::Deliver { index } | Event::Duplicate { index } => (*index, None),
                Event::Tamper { index, byte, mask } => (*index, Some((*byte, *mask))),
                _ => continue,
            };
            if index >= t.wire.len() || dropped[index] || t.recipients[index] != to {
                continue;
            }
            let mut env = t.wire[index].clone();
            if let Some((byte, mask)) = tamper {
                let at = byte % env.len();
                env[at] ^= if mask == 0 { 1 } else { mask };
            }
            let before = scenario::run(&setup, &events[..pos]).expect("prefix runs");
            let n = before.parties[p].draws;
            deliveries
                .push(json!({"envelope": hx(&env), "secret": hx(&pdraw(seed, to, b"receive", n))}));
        }
        if deliveries.is_empty() {
            continue;
        }
        let mailbox = &pdraw(seed, to, b"mailbox", 0)[..16];
        let identity_randomness = [
            pdraw(seed, to, b"identity", 0),
            pdraw(seed, to, b"identity", 1),
        ]
        .concat();
        let input = if to == Party::Bob {
            let mut i = json!({
                "handle": hx(b"bob"),
                "identity_randomness": hx(&identity_randomness),
                "spk_id": 1,
                "spk_secret": hx(&pdraw(seed, to, b"signed prekey", 0)),
            });
            if setup.with_opk {
                i["opk_id"] = json!(7);
                i["opk_secret"] = hx(&pdraw(seed, to, b"one-time prekey", 0));
            }
            i["pqpk_id"] = json!(3);
            i["pqpk_kind"] = json!(bundle::kind_byte(setup.pq_kind));
            i["pqpk_randomness"] = hx(&[
                pdraw(seed, to, b"pq prekey d", 0),
                pdraw(seed, to, b"pq prekey z", 0),
            ]
            .concat());
            i["mailbox"] = hx(mailbox);
            i["deliveries"] = Value::Array(deliveries);
            i
        } else {
            // Alice's start is her first draw-counting operation in every
            // two-party script (n = 0).
            let bob = scenario::set_up_party(&setup, Party::Bob).expect("set-up");
            let served = scenario::served_bundle(&bob).expect("bundle");
            json!({
                "handle": hx(b"alice"),
                "identity_randomness": hx(&identity_randomness),
                "peer": hx(b"bob"),
                "bundle": hx(&bundle::encode(&served)),
                "ek_secret": hx(&pdraw(seed, to, b"handshake ephemeral", 0)),
                "kem_m": hx(&pdraw(seed, to, b"handshake kem", 0)),
                "ratchet_secret": hx(&pdraw(seed, to, b"handshake ratchet", 0)),
                "mailbox": hx(mailbox),
                "deliveries": Value::Array(deliveries),
            })
        };
        if to == Party::Bob && id == "conversation" {
            c.add(
                "crafted-payloads-from-a-contact",
                crafted_deliveries(&setup, &t.wire[0], &input),
            );
        }
        if to == Party::Bob && setup.with_opk {
            let mut missing = input.clone();
            let o = missing.as_object_mut().unwrap();
            o.remove("opk_id");
            o.remove("opk_secret");
            c.add(format!("{id}-store-without-the-opk"), missing);
        }
        c.add(id, input);
    }
}

/// Bob's passive case for payloads no honest sender makes, each sealed in a
/// valid envelope by Alice after her first message made her a contact
/// (SPEC.md 15.2 R3, R4, P1): 0 and 1 bytes (`Malformed`, R3), ratchet
/// messages of 70 and 98 bytes (`Malformed`, R4's length check comes first)
/// and of 99 bytes (`AuthenticationFailed`: long enough, recognized by no
/// session), and a prekey message whose initiator has Alice's handle and
/// X25519 key but another Ed25519 key (`AuthenticationFailed`: not the same
/// peer as the envelope's sender, REQ-PEER-001).
fn crafted_deliveries(setup: &Setup, first: &[u8], bob_input: &Value) -> Value {
    let alice = scenario::set_up_party(setup, Party::Alice).expect("set-up");
    let bob = scenario::set_up_party(setup, Party::Bob).expect("set-up");
    let mallory = scenario::set_up_party(setup, Party::Mallory).expect("set-up");
    let me = &alice.account.identity;
    let bob_dh = identity::public_of(&bob.account.identity).dh_pub;
    let seal = |payload: &[u8], n: u8| {
        envelope::seal(me, &bob_dh, &bob.mailbox, payload, &[n; 32]).expect("seal")
    };
    let ratchet = |len: usize| {
        let mut m = vec![0x01, 0x02];
        m.resize(len, 0x5a);
        m
    };
    // Alice's handle and DH key, Mallory's signing key: a valid binding.
    let mixed = xchat_spec::identity::IdentitySecret {
        handle: me.handle,
        sig_seed: mallory.account.identity.sig_seed,
        dh_secret: me.dh_secret,
    };
    let served = scenario::served_bundle(&bob).expect("bundle");
    let s = xchat_spec::session::start(
        &mixed,
        &bob.account.identity.handle,
        &served,
        &[1; 32],
        &[2; 32],
        &[3; 32],
    )
    .expect("start");
    let padded = padding::pad(&xchat_spec::content::encode(
        &xchat_spec::content::Content::Text(b"mixed".to_vec()),
    ));
    let (_, mixed_message) = xchat_spec::session::encrypt(&s, &padded, &[4; 24]).expect("encrypt");
    let envelopes = [
        first.to_vec(),
        seal(&[], 10),
        seal(&[0x01], 11),
        seal(&ratchet(70), 12),
        seal(&ratchet(98), 13),
        seal(&ratchet(99), 14),
        seal(&mixed_message, 15),
    ];
    let deliveries: Vec<Value> = envelopes
        .iter()
        .enumerate()
        .map(|(i, e)| json!({"envelope": hx(e), "secret": hx(&[i as u8; 32])}))
        .collect();
    let mut input = bob_input.clone();
    input["deliveries"] = Value::Array(deliveries);
    input
}
