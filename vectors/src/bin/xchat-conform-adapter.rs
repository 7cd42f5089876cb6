//! `xchat-conform-adapter`: exposes the optimized implementation (`xchat`)
//! over the JSON-lines conformance interface, so that
//! `xchat-conform run --impl '<this binary>'` exercises the external path
//! end to end. With `--spec` it exposes the executable specification instead.
//!
//! One request per line on stdin, one answer per line on stdout; it exits
//! when stdin closes.

use std::io::{BufRead, Write};

use serde_json::{json, Value};
use xchat_vectors::adapters::{imp::Impl, spec::Spec};
use xchat_vectors::conformance::{dispatch, Conformance};
use xchat_vectors::wire::{Error, Obj};

fn main() {
    let mut backend: Box<dyn Conformance> = if std::env::args().any(|a| a == "--spec") {
        Box::new(Spec)
    } else {
        Box::new(Impl)
    };
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
            Err(Error::BadRequest(String::new()))
        } else {
            dispatch(backend.as_mut(), op, &input)
        };
        let out = match answer {
            Ok(o) => json!({"id": id, "output": o}),
            Err(Error::Unsupported) => json!({"id": id, "unsupported": true}),
            Err(e) => json!({"id": id, "error": e.wire()}),
        };
        if writeln!(stdout, "{out}")
            .and_then(|_| stdout.flush())
            .is_err()
        {
            break;
        }
    }
}
