//! The double ratchet with header encryption (SPEC.md section 9): its
//! KDFs, header and message encryption, and scripted two-party sessions.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{Answer, Error, Hex};
use xchat_spec::{ratchet, xchacha20poly1305};

wire! {
    /// The input of `ratchet_kdf_rk`.
    pub struct KdfRkIn {
        rk: Hex = "hex, 32",
        dh_out: Hex = "hex, 32",
    }
}

wire! {
    /// The output of `ratchet_kdf_rk`.
    pub struct KdfRkOut {
        root_key: Hex = "hex, 32",
        chain_key: Hex = "hex, 32",
        next_header_key: Hex = "hex, 32",
    }
}

wire! {
    /// The input of `ratchet_kdf_ck`.
    pub struct KdfCkIn {
        ck: Hex = "hex, 32",
    }
}

wire! {
    /// The output of `ratchet_kdf_ck`.
    pub struct KdfCkOut {
        chain_key: Hex = "hex, 32: ck'",
        message_key: Hex = "hex, 32: mk",
    }
}

wire! {
    /// The input of `ratchet_hencrypt`.
    pub struct HencryptIn {
        hk: Hex = "hex, 32",
        dh: Hex = "hex, 32",
        pn: u32 = "int (u32)",
        n: u32 = "int (u32)",
        nonce: Hex = "hex, 24: the header nonce",
    }
}

wire! {
    /// An encrypted header.
    pub struct HencryptOut {
        enc_header: Hex = "hex, 81",
    }
}

wire! {
    /// The input of `ratchet_hdecrypt`.
    pub struct HdecryptIn {
        hk: Hex = "hex, 32",
        enc_header: Hex = "hex",
    }
}

wire! {
    /// A decrypted header, if found.
    pub struct HdecryptOut {
        found: bool = "bool",
        #[optional]
        dh: Option<Hex> = "hex, 32, iff found",
        #[optional]
        pn: Option<u32> = "int, iff found",
        #[optional]
        n: Option<u32> = "int, iff found",
    }
}

wire! {
    /// The input of `ratchet_hedge_nonce`.
    pub struct HedgeNonceIn {
        mk: Hex = "hex, 32",
        r: Hex = "hex, 24: the sender's randomness",
        plaintext: Hex = "hex: the padded plaintext",
    }
}

wire! {
    /// A hedged header nonce.
    pub struct HedgeNonceOut {
        nonce: Hex = "hex, 24: the header nonce",
    }
}

wire! {
    /// The input of `ratchet_encrypt_mk`.
    pub struct EncryptMkIn {
        mk: Hex = "hex, 32",
        nonce: Hex = "hex, 24: the message's header nonce",
        plaintext: Hex = "hex",
        aad: Hex = "hex",
    }
}

wire! {
    /// An encrypted message body.
    pub struct EncryptMkOut {
        ciphertext: Hex = "hex",
    }
}

wire! {
    /// The input of `ratchet_decrypt_mk`.
    pub struct DecryptMkIn {
        mk: Hex = "hex, 32",
        nonce: Hex = "hex, 24: the header nonce, enc_header[0..24]",
        ciphertext: Hex = "hex",
        aad: Hex = "hex",
    }
}

wire! {
    /// A decrypted message body.
    pub struct DecryptMkOut {
        plaintext: Hex = "hex",
    }
}

impl HdecryptOut {
    /// The output for a header found (`dh`, `pn`, `n`) or not.
    pub fn of(header: Option<(&[u8; 32], u32, u32)>) -> HdecryptOut {
        HdecryptOut {
            found: header.is_some(),
            dh: header.map(|h| h.0.into()),
            pn: header.map(|h| h.1),
            n: header.map(|h| h.2),
        }
    }
}

/// A party of a ratchet session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Alice,
    Bob,
}

impl Side {
    /// The index of the party's state: Alice 0, Bob 1.
    pub fn index(self) -> usize {
        match self {
            Side::Alice => 0,
            Side::Bob => 1,
        }
    }
}

/// One step of a ratchet session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    /// RatchetEncrypt of `plaintext` with randomness `r`.
    Send { from: Side, plaintext: Hex, r: Hex },
    /// `count` empty messages encrypted and lost.
    Lose { from: Side, count: u64 },
    /// RatchetDecrypt of `message` with the fresh secret `secret`.
    Receive { to: Side, message: Hex, secret: Hex },
}

/// The result of one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StepResult {
    /// A sent message.
    Sent { message: Hex },
    /// A received plaintext.
    Received { plaintext: Hex },
    /// The step failed and changed nothing.
    Failed { error: Error },
    /// Messages were lost.
    Lost {},
}

wire! {
    /// The input of `ratchet_session`.
    pub struct SessionIn {
        sk: Hex = "hex, 32",
        hka: Hex = "hex, 32",
        nhkb: Hex = "hex, 32",
        ad: Hex = "hex, 32",
        alice_secret: Hex = "hex, 32: Alice's first ratchet secret",
        bob_secret: Hex = "hex, 32: Bob's ratchet secret (his signed prekey)",
        steps: Vec<Step> = "list of `{action: send, from, plaintext, r}` (RatchetEncrypt with randomness `r`, 24 bytes), `{action: lose, from, count}` (`count` messages of empty plaintext with `r` = zeros(24) are encrypted and lost), `{action: receive, to, message, secret}` (RatchetDecrypt of `message` with the fresh secret `secret`); from/to: `alice` or `bob`",
    }
}

wire! {
    /// The output of `ratchet_session`.
    pub struct SessionOut {
        results: Vec<StepResult> = "list, one per step: send `{message}`, lose `{}`, receive `{plaintext}`, or `{error}`: NoSendingChain, Replay, TooManySkipped, AuthenticationFailed, Malformed, UnsupportedVersion (NonContributory and ChainExhausted cannot be reached by these steps)",
    }
}

/// The two parties of a ratchet session as an implementation holds them.
/// The outer `Answer` is about the request (a secret the implementation
/// cannot be asked); the inner `Result` is the step's own outcome.
pub trait RatchetPair {
    /// RatchetEncrypt of `plaintext` by `from` with randomness `r`.
    fn send(&mut self, from: Side, plaintext: &[u8], r: &Hex) -> Answer<Result<Vec<u8>, Error>>;
    /// RatchetDecrypt of `message` by `to` with the fresh secret `secret`.
    fn receive(&mut self, to: Side, message: &[u8], secret: &Hex)
        -> Answer<Result<Vec<u8>, Error>>;
}

/// Runs `steps` in order: a failed step is its result and changes nothing;
/// `lose` stops at its first failure.
pub fn run_steps(pair: &mut impl RatchetPair, steps: &[Step]) -> Answer<SessionOut> {
    let failed = |error| StepResult::Failed { error };
    let mut results = Vec::new();
    for step in steps {
        results.push(match step {
            Step::Send { from, plaintext, r } => match pair.send(*from, plaintext, r)? {
                Ok(m) => StepResult::Sent { message: m.into() },
                Err(e) => failed(e),
            },
            Step::Lose { from, count } => {
                let mut result = StepResult::Lost {};
                for _ in 0..*count {
                    if let Err(e) = pair.send(*from, &[], &Hex(vec![0; 24]))? {
                        result = failed(e);
                        break;
                    }
                }
                result
            }
            Step::Receive {
                to,
                message,
                secret,
            } => match pair.receive(*to, message, secret)? {
                Ok(p) => StepResult::Received {
                    plaintext: p.into(),
                },
                Err(e) => failed(e),
            },
        });
    }
    Ok(SessionOut { results })
}

pub const RATCHET_KDF_RK: Meta = Meta {
    section: "SPEC.md section 9 (KDF_RK_HE)",
    reqs: &["REQ-RATCHET-001"],
    summary: "HKDF(salt = rk, ikm = dh_out, info = \"XCHAT-1 root ratchet\", 96) split in three",
    errors: &[],
    cases,
};

pub const RATCHET_KDF_CK: Meta = Meta {
    section: "SPEC.md section 9 (KDF_CK)",
    reqs: &["REQ-RATCHET-001"],
    summary: "mk = HMAC(ck, 0x01), ck' = HMAC(ck, 0x02)",
    errors: &[],
    cases,
};

pub const RATCHET_HENCRYPT: Meta = Meta {
    section: "SPEC.md section 9 (HEADER, HENCRYPT)",
    reqs: &["REQ-RATCHET-001"],
    summary: "nonce || XAEAD(hk, nonce, \"XCHAT-1 header\", EncX(dh) || u32(pn) || u32(n)); in a message, `nonce` is `ratchet_hedge_nonce`'s output",
    errors: &[],
    cases,
};

pub const RATCHET_HDECRYPT: Meta = Meta {
    section: "SPEC.md section 9 (HDECRYPT)",
    reqs: &["REQ-RATCHET-001"],
    summary: "the header if `enc_header` is exactly 81 bytes, the XAEAD opens and the header decodes strictly (tag 0x01, n < 2^32 - 1), else nothing (not an error), for any other length too",
    errors: &[],
    cases,
};

pub const RATCHET_HEDGE_NONCE: Meta = Meta {
    section: "SPEC.md section 9 (MSGKEYS, HEDGE), 9.3 step 3",
    reqs: &["REQ-RATCHET-001", "REQ-RATCHET-009"],
    summary: "hedge_key = HKDF(zeros(32), mk, \"XCHAT-1 message key\", 76)[44..76]; nonce = HMAC(hedge_key, r || plaintext)[0..24]",
    errors: &[],
    cases,
};

pub const RATCHET_ENCRYPT_MK: Meta = Meta {
    section: "SPEC.md section 9 (MSGKEYS, ENCRYPT)",
    reqs: &["REQ-RATCHET-001", "REQ-RATCHET-009"],
    summary: "key || nonce_base || hedge_key = HKDF(zeros(32), mk, \"XCHAT-1 message key\", 76); ChaCha20-Poly1305 under key with nonce nonce_base XOR nonce[0..12]",
    errors: &[],
    cases,
};

pub const RATCHET_DECRYPT_MK: Meta = Meta {
    section: "SPEC.md section 9 (DECRYPT)",
    reqs: &["REQ-RATCHET-001"],
    summary: "inverse of `ratchet_encrypt_mk`",
    errors: &[(
        crate::wire::ErrorKind::AuthenticationFailed,
        "any failure (tag, wrong nonce, or shorter than a tag)",
    )],
    cases,
};

pub const RATCHET_SESSION: Meta = Meta {
    section: "SPEC.md section 9 (9.2-9.5), 16",
    reqs: &["REQ-RATCHET-002", "REQ-RATCHET-003", "REQ-RATCHET-004", "REQ-RATCHET-005", "REQ-RATCHET-006", "REQ-RATCHET-008", "REQ-RATCHET-009"],
    summary: "ratchet steps: Alice = RatchetInitAlice(sk, PUB(bob_secret), hka, nhkb, alice_secret), Bob = RatchetInitBob(sk, bob_secret, hka, nhkb); then `steps` run in order on RatchetMessages (0x01 0x02 || body). Per-step errors are results, not op errors; a failed step changes nothing",
    errors: &[],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
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
        _ => {}
    }
    cases.0
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
        self.send_with_r(from, text, &g.arr(&format!("nonce {k}")))
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
