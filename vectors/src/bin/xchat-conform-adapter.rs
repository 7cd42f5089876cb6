//! `xchat-conform-adapter`: exposes the optimized implementation (`xchat`)
//! over the JSON-lines conformance interface, so that
//! `xchat-conform run --impl '<this binary>'` exercises the external path
//! end to end. With `--spec` it exposes the executable specification instead.
//!
//! One request per line on stdin, one answer per line on stdout; it exits
//! when stdin closes.

use std::io::{BufRead, Write};

use serde_json::{json, Value};
use xchat_vectors::value::{Answer, Obj, BAD_REQUEST};

fn main() {
    let spec = std::env::args().any(|a| a == "--spec");
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let request: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let op = request
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let input: Obj = request
            .get("input")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let answer = if request.is_null() {
            Answer::Error(BAD_REQUEST.into())
        } else if spec {
            xchat_vectors::spec_ops::call(op, &input)
        } else {
            xchat_vectors::impl_ops::call(op, &input)
        };
        let out = match answer {
            Answer::Output(o) => json!({"id": id, "output": o}),
            Answer::Error(e) => json!({"id": id, "error": e}),
            Answer::Unsupported => json!({"id": id, "unsupported": true}),
        };
        if writeln!(stdout, "{out}")
            .and_then(|_| stdout.flush())
            .is_err()
        {
            break;
        }
    }
}
