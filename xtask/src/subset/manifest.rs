//! The dependency rule on `spec/Cargo.toml`.

use super::{rule, violation, Violation};

/// Checks the spec crate's `Cargo.toml`: `[dependencies]` empty, no
/// `[build-dependencies]`, no target tables but `[target.'cfg(hax)'.dependencies]`
/// holding only `hax-lib`. `[dev-dependencies]` (tests only) are allowed.
pub fn check_manifest(file_name: &str, src: &str) -> Vec<Violation> {
    let table: toml::Table = match src.parse() {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map_or(1, |s| src[..s.start].lines().count().max(1));
            let msg = format!("cannot parse manifest: {}", e.message());
            return vec![violation(file_name, line, rule::PARSE, msg)];
        }
    };
    let mut out = Vec::new();
    let mut push = |line, rule, msg| out.push(violation(file_name, line, rule, msg));
    for (key, value) in &table {
        match key.replace('_', "-").as_str() {
            "dependencies" => {
                let header = find_header(src, &["[dependencies", "dependencies"]);
                let names = value.as_table().map_or(vec![key], |t| t.keys().collect());
                for name in names {
                    let msg = format!("dependency `{name}` is forbidden: the spec has none");
                    push(find_key(src, header, name), rule::DEPS, msg);
                }
            }
            "build-dependencies" => {
                let msg = format!("`[{key}]` is forbidden: the spec has no build step");
                push(find_header(src, &[&format!("[{key}"), key]), rule::BUILD_DEPS, msg);
            }
            "target" => {
                for (cfg, spec) in value.as_table().into_iter().flatten() {
                    for (kind, deps) in spec.as_table().into_iter().flatten() {
                        let starts = [
                            &format!("[target.'{cfg}'.{kind}"),
                            &format!("[target.\"{cfg}\".{kind}"),
                        ];
                        let header = find_header(src, &starts.map(String::as_str));
                        if cfg != "cfg(hax)" || kind != "dependencies" {
                            let msg = format!("`[target.'{cfg}'.{kind}]` is forbidden: only `[target.'cfg(hax)'.dependencies]` (with `hax-lib`) is allowed");
                            push(header, rule::TARGET_DEPS, msg);
                            continue;
                        }
                        for (name, dep) in deps.as_table().into_iter().flatten() {
                            let package = dep.get("package").and_then(toml::Value::as_str);
                            if name != "hax-lib" || package.is_some_and(|p| p != "hax-lib") {
                                let msg = format!("dependency `{name}` is forbidden: `cfg(hax)` dependencies are `hax-lib` only");
                                push(find_key(src, header, name), rule::TARGET_DEPS, msg);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}

/// First line (1-based) that, without whitespace, starts with one of `starts`.
fn find_header(src: &str, starts: &[&str]) -> usize {
    let found = src.lines().position(|l| {
        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        starts.iter().any(|s| l.starts_with(&s.replace(' ', "")))
    });
    found.map_or(1, |i| i + 1)
}

/// Line of key `name` at or after line `from` (its table header), else `from`.
fn find_key(src: &str, from: usize, name: &str) -> usize {
    let is_key = |l: &str| {
        let rest = l.trim_start().trim_start_matches('"').strip_prefix(name);
        rest.is_some_and(|r| r.trim_start().starts_with(['=', '.', '"']))
            || l.contains(&format!(".{name}]"))
    };
    let found = src.lines().enumerate().skip(from - 1).find(|(_, l)| is_key(l));
    found.map_or(from, |(i, _)| i + 1)
}
