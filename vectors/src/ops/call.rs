//! Calls (SPEC.md section 20): a scripted op, `call_run`, that drives two
//! parties' call states (alice and bob) through call signals and SFrame
//! frames, and the replay window alone, `call_replay_window`. The call
//! signal encodings themselves are `content_encode` / `content_decode`
//! cases (type `call`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::build::*;
use super::Meta;
use crate::gen::Gen;
use crate::wire::{Error, Hex};

/// A call party on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Alice,
    Bob,
}

impl Side {
    /// 0 for alice, 1 for bob.
    pub fn index(self) -> usize {
        match self {
            Side::Alice => 0,
            Side::Bob => 1,
        }
    }
}

/// The parties' handles, by [`Side::index`].
pub const HANDLES: [&str; 2] = ["alice", "bob"];

/// One step of a `call_run` script. Signals and frames are numbered in the
/// order they were made (`index`); a delivered signal or frame goes to the
/// other party than the one that made it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CallStep {
    Start {
        side: Side,
        call_id: Hex,
        base_key: Hex,
        params: Hex,
    },
    Answer {
        side: Side,
        call_id: Hex,
        base_key: Hex,
        params: Hex,
    },
    Reject {
        side: Side,
        call_id: Hex,
    },
    HangUp {
        side: Side,
        call_id: Hex,
    },
    Rekey {
        side: Side,
        call_id: Hex,
        base_key: Hex,
    },
    Deliver {
        index: usize,
    },
    Encrypt {
        side: Side,
        call_id: Hex,
        metadata: Hex,
        frame: Hex,
    },
    Decrypt {
        index: usize,
        metadata: Hex,
        /// XOR this byte of the frame with `0x01` first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flip: Option<usize>,
        /// Cut the frame to this many bytes first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cut: Option<usize>,
    },
}

/// The result of one step: `output` (hex) or `error` (a kind).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Hex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

impl StepResult {
    /// The result of an operation: its bytes or its error kind.
    pub fn of(r: Result<Vec<u8>, Error>) -> StepResult {
        match r {
            Ok(b) => StepResult {
                output: Some(b.into()),
                error: None,
            },
            Err(e) => StepResult {
                output: None,
                error: Some(e),
            },
        }
    }
}

/// A frame a step encrypted: its maker, call id and bytes.
#[derive(Clone, Debug)]
pub struct Made {
    pub side: usize,
    pub call_id: [u8; 16],
    pub bytes: Vec<u8>,
}

/// A frame to decrypt after `flip` and `cut` (`BadRequest` for an index or
/// byte out of range).
pub fn frame_to_open(
    frames: &[Made],
    index: usize,
    flip: Option<usize>,
    cut: Option<usize>,
) -> Result<Made, Error> {
    let bad = || Error::bad_request("frame index or byte out of range".to_string());
    let mut f = frames.get(index).ok_or_else(bad)?.clone();
    if let Some(at) = flip {
        *f.bytes.get_mut(at).ok_or_else(bad)? ^= 0x01;
    }
    if let Some(n) = cut {
        if n > f.bytes.len() {
            return Err(bad());
        }
        f.bytes.truncate(n);
    }
    Ok(f)
}

wire! {
    /// The input of `call_run`.
    pub struct RunIn {
        steps: Vec<CallStep> = "list of `{action: start|answer, side, call_id, base_key, params}`, `{action: reject|hang_up, side, call_id}`, `{action: rekey, side, call_id, base_key}`, `{action: encrypt, side, call_id, metadata, frame}`, `{action: deliver, index}` (the index-th signal made, to the other side), `{action: decrypt, index, metadata, flip?, cut?}` (the index-th frame made, to the other side, for its call, after XOR 0x01 at byte `flip` and cutting to `cut` bytes); sides `alice`, `bob`; hex fields: call_id 16 bytes, base_key 32",
    }
}

wire! {
    /// The output of `call_run`.
    pub struct RunOut {
        results: Vec<StepResult> = "list, one per step: `{output}` (hex: the encoded call signal content for start/answer/reject/hang_up/rekey, empty for deliver, the SFrame frame for encrypt, the plaintext for decrypt) or `{error}` (the step changed nothing)",
    }
}

wire! {
    /// The input of `call_replay_window`.
    pub struct WindowIn {
        ctrs: Vec<u64> = "list of int (u64): the CTRs of authenticated frames under one key, in arrival order",
    }
}

wire! {
    /// The output of `call_replay_window`.
    pub struct WindowOut {
        accepted: Vec<bool> = "list of bool, one per CTR: accepted (and marked) or rejected as `Replay`",
    }
}

pub const CALL_RUN: Meta = Meta {
    section: "SPEC.md section 20 (spec/src/call.rs)",
    reqs: &[
        "REQ-CALL-001",
        "REQ-CALL-002",
        "REQ-CALL-003",
        "REQ-CALL-004",
        "REQ-CALL-005",
        "REQ-CALL-006",
        "REQ-CALL-007",
    ],
    summary: "a scripted call between alice and bob: call signals made, delivered (again, late), frames encrypted and decrypted (replayed, reordered, tampered, cut); each step's output or error kind, a failed step changing nothing",
    errors: &[],
    cases,
};

pub const CALL_REPLAY_WINDOW: Meta = Meta {
    section: "SPEC.md sections 16 and 20.3",
    reqs: &["REQ-CALL-006"],
    summary: "the replay window of one peer key (CALL_REPLAY_WINDOW = 128): which CTRs it accepts",
    errors: &[],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "call_run" => runs(c, g),
        "call_replay_window" => windows(c, g),
        _ => {}
    }
    cases.0
}

fn windows(c: &mut Cases, g: &Gen) {
    let base = g.below("base", 1 << 40);
    c.add(
        "in-order-and-repeats",
        json!({"ctrs": [0, 1, 2, 2, 1, 3, 0]}),
    );
    c.add(
        "reorder-within-window",
        json!({"ctrs": [base + 200, base + 73, base + 72, base + 73, base + 199, base + 200, base + 327, base + 199, base + 200, base + 201]}),
    );
    c.add(
        "jump-beyond-window",
        json!({"ctrs": [base, base + 1000, base + 873, base + 872, base, base + 1001]}),
    );
    c.add(
        "edges-of-u64",
        json!({"ctrs": [u64::MAX - 1, u64::MAX, u64::MAX - 127, u64::MAX - 128, u64::MAX, 0]}),
    );
    let mut random = Vec::new();
    for i in 0..64 {
        random.push(base + g.below(&format!("ctr {i}"), 300));
    }
    c.add("random", json!({ "ctrs": random }));
}

fn start(side: &str, id: &[u8], key: &[u8], params: &[u8]) -> Value {
    json!({"action": "start", "side": side, "call_id": hx(id), "base_key": hx(key), "params": hx(params)})
}

fn answer(side: &str, id: &[u8], key: &[u8], params: &[u8]) -> Value {
    json!({"action": "answer", "side": side, "call_id": hx(id), "base_key": hx(key), "params": hx(params)})
}

fn rekey(side: &str, id: &[u8], key: &[u8]) -> Value {
    json!({"action": "rekey", "side": side, "call_id": hx(id), "base_key": hx(key)})
}

fn simple(action: &str, side: &str, id: &[u8]) -> Value {
    json!({"action": action, "side": side, "call_id": hx(id)})
}

fn deliver(index: usize) -> Value {
    json!({"action": "deliver", "index": index})
}

fn encrypt(side: &str, id: &[u8], frame: &[u8]) -> Value {
    json!({"action": "encrypt", "side": side, "call_id": hx(id), "metadata": hx(b"rtp"), "frame": hx(frame)})
}

fn decrypt(index: usize) -> Value {
    json!({"action": "decrypt", "index": index, "metadata": hx(b"rtp")})
}

/// Alice calls Bob, Bob answers: signals 0 (offer) and 1 (answer).
fn connect(g: &Gen, id: &[u8]) -> Vec<Value> {
    vec![
        start("alice", id, &g.bytes("alice key 0", 32), b"v=0 offer"),
        deliver(0),
        answer("bob", id, &g.bytes("bob key 0", 32), b"v=0 answer"),
        deliver(1),
    ]
}

fn runs(c: &mut Cases, g: &Gen) {
    let id = g.bytes("call id", 16);
    let other = g.bytes("other call id", 16);

    // A short call: frames both ways (an Opus-sized one), hang-up.
    let mut s = connect(g, &id);
    s.push(encrypt("alice", &id, &g.bytes("audio", 100)));
    s.push(encrypt("bob", &id, &g.bytes("video", 1200)));
    s.push(encrypt("alice", &id, b""));
    s.push(decrypt(0));
    s.push(decrypt(1));
    s.push(decrypt(2));
    s.push(simple("hang_up", "bob", &id));
    s.push(deliver(2));
    s.push(encrypt("alice", &id, b"after"));
    c.add("short-call", json!({ "steps": s }));

    // Replay window: frames reordered within the window, repeated, too old.
    let mut s = connect(g, &id);
    for _ in 0..140 {
        s.push(encrypt("alice", &id, b"f"));
    }
    for i in [139usize, 12, 11, 12, 138, 139, 0] {
        s.push(decrypt(i));
    }
    c.add("replay-window", json!({ "steps": s }));

    // Key update with its grace window: old frames open until 256 frames
    // under the new key authenticated; frames under the old key do not
    // count; then the old key is gone. A stale update is Replay.
    let mut s = connect(g, &id);
    for _ in 0..3 {
        s.push(encrypt("alice", &id, b"old"));
    }
    s.push(rekey("alice", &id, &g.bytes("alice key 1", 32)));
    s.push(deliver(2));
    s.push(decrypt(0));
    for _ in 0..256 {
        s.push(encrypt("alice", &id, b"new"));
    }
    for i in 3..258 {
        s.push(decrypt(i));
    }
    s.push(decrypt(1));
    s.push(decrypt(258));
    s.push(decrypt(2));
    s.push(deliver(2));
    s.push(rekey("alice", &id, &g.bytes("alice key 2", 32)));
    s.push(rekey("alice", &id, &g.bytes("alice key 3", 32)));
    s.push(deliver(4));
    s.push(deliver(3));
    c.add("key-update-grace", json!({ "steps": s }));

    // The bound on held calls (MAX_CALLS = 16, SPEC.md section 20.2): at
    // Bob, a flood of offers pushes out the oldest unanswered offers, not
    // the answered call (his frame is made); at Alice, who placed all 18
    // calls and holds no incoming one, the oldest call goes, the answered
    // one (Bob's frame finds no call there).
    let mut s = connect(g, &id);
    for k in 1..=17u8 {
        let other_id = g.bytes(&format!("flood call id {k}"), 16);
        s.push(start("alice", &other_id, &g.bytes("flood key", 32), b""));
        s.push(deliver(1 + usize::from(k)));
    }
    s.push(encrypt("bob", &id, b"still here"));
    s.push(decrypt(0));
    for k in [1u8, 2, 3] {
        let other_id = g.bytes(&format!("flood call id {k}"), 16);
        s.push(answer("bob", &other_id, &g.bytes("bob flood key", 32), b""));
    }
    c.add("call-table-bound", json!({ "steps": s }));

    // Every error kind of the operations and of received signals and
    // frames (SPEC.md REQ-CALL-002..005), each where it is the first
    // failing check.
    let big = vec![0x20u8; 16385];
    let mut s = vec![
        start("alice", &id, &g.bytes("alice key 0", 32), &big),
        start("alice", &id, &g.bytes("alice key 0", 32), &[0x20u8; 16384]),
        start("alice", &id, &g.bytes("alice key x", 32), b""),
        simple("reject", "alice", &id),
        answer("alice", &id, &g.bytes("k", 32), b""),
        encrypt("alice", &id, b"early media"),
        simple("hang_up", "bob", &id),
        deliver(0),
        deliver(0),
        encrypt("bob", &id, b"no key yet"),
        rekey("bob", &id, &g.bytes("k", 32)),
        answer("bob", &id, &g.bytes("bob key 0", 32), &big),
        answer("bob", &other, &g.bytes("bob key 0", 32), b""),
        answer("bob", &id, &g.bytes("bob key 0", 32), b""),
        deliver(1),
        deliver(1),
        decrypt(0),
        decrypt(0),
    ];
    for _ in 0..2 {
        s.push(encrypt("bob", &id, b"to alice"));
    }
    s.push(json!({"action": "decrypt", "index": 1, "metadata": hx(b"other")}));
    s.push(json!({"action": "decrypt", "index": 1, "metadata": hx(b"rtp"), "flip": 3}));
    s.push(json!({"action": "decrypt", "index": 1, "metadata": hx(b"rtp"), "cut": 10}));
    s.push(json!({"action": "decrypt", "index": 1, "metadata": hx(b"rtp"), "cut": 0}));
    // CTR 0 -> 1 in the header: another nonce.
    s.push(json!({"action": "decrypt", "index": 1, "metadata": hx(b"rtp"), "flip": 0}));
    s.push(decrypt(1));
    s.push(decrypt(2));
    s.push(decrypt(1));
    // A frame under a KID whose update has not arrived: no key.
    s.push(rekey("bob", &id, &g.bytes("bob key 1", 32)));
    s.push(encrypt("bob", &id, b"new key"));
    s.push(decrypt(3));
    s.push(deliver(2));
    s.push(deliver(2));
    s.push(decrypt(3));
    s.push(simple("reject", "bob", &id));
    s.push(simple("hang_up", "alice", &other));
    s.push(simple("hang_up", "alice", &id));
    s.push(deliver(3));
    s.push(deliver(3));
    s.push(decrypt(0));
    s.push(encrypt("alice", &id, b"after"));
    c.add("errors", json!({ "steps": s }));
}
