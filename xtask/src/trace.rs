//! `cargo xtask trace`: the traceability check between SPEC.md, the spec
//! code and the tests.
//!
//! SPEC.md defines each numbered requirement on a line of its own that starts
//! with `- **REQ-AREA-NNN**`. Every such id must be cited by at least one
//! file under `spec/src` (the function that implements it says so in its doc
//! comment) and by at least one file under `spec/tests` (the test that checks
//! it). An id cited in code or tests but not defined in SPEC.md is reported
//! too: it is a typo or a requirement that was dropped without its code.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// A place where a requirement id occurs: file and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What the check found.
#[derive(Debug, Default)]
pub struct Report {
    /// Requirement ids defined in SPEC.md, in document order, with their line.
    pub defined: Vec<(String, usize)>,
    /// Where each id is cited in the spec sources.
    pub implemented_at: BTreeMap<String, Vec<Site>>,
    /// Where each id is cited in the tests.
    pub tested_at: BTreeMap<String, Vec<Site>>,
    /// Ids defined twice in SPEC.md.
    pub duplicates: Vec<String>,
    /// Ids cited in code or tests that SPEC.md does not define.
    pub undefined: Vec<(String, Site)>,
}

impl Report {
    /// Defined ids that no spec source cites.
    pub fn missing_impl(&self) -> Vec<&str> {
        self.missing(&self.implemented_at)
    }

    /// Defined ids that no test cites.
    pub fn missing_test(&self) -> Vec<&str> {
        self.missing(&self.tested_at)
    }

    fn missing(&self, at: &BTreeMap<String, Vec<Site>>) -> Vec<&str> {
        self.defined
            .iter()
            .filter(|(id, _)| !at.contains_key(id))
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// Whether the check passes.
    pub fn ok(&self) -> bool {
        !self.defined.is_empty()
            && self.missing_impl().is_empty()
            && self.missing_test().is_empty()
            && self.duplicates.is_empty()
            && self.undefined.is_empty()
    }
}

/// Every requirement id occurring in `line`: `REQ-` followed by an area of
/// ASCII capitals and digits, a dash, and three digits.
pub fn ids_in(line: &str) -> Vec<String> {
    let bytes = line.as_bytes();
    let mut ids = Vec::new();
    let mut i = 0;
    while let Some(off) = line[i..].find("REQ-") {
        let start = i + off;
        let mut j = start + 4;
        let area_start = j;
        while j < bytes.len() && (bytes[j].is_ascii_uppercase() || bytes[j].is_ascii_digit()) {
            j += 1;
        }
        let has_area = j > area_start;
        let has_dash = j < bytes.len() && bytes[j] == b'-';
        let digits = bytes.get(j + 1..j + 4).unwrap_or(&[]);
        let three_digits = digits.len() == 3 && digits.iter().all(u8::is_ascii_digit);
        let fourth_is_digit = bytes.get(j + 4).is_some_and(u8::is_ascii_digit);
        if has_area && has_dash && three_digits && !fourth_is_digit {
            ids.push(line[start..j + 4].to_string());
            i = j + 4;
        } else {
            i = start + 4;
        }
    }
    ids
}

/// The requirement ids SPEC.md defines (lines starting `- **REQ-...**`),
/// with their 1-based line numbers.
pub fn defined_ids(spec_md: &str) -> Vec<(String, usize)> {
    spec_md
        .lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let rest = line.trim_start().strip_prefix("- **")?;
            let id = ids_in(rest).into_iter().next()?;
            rest.starts_with(&format!("{id}**")).then_some((id, n + 1))
        })
        .collect()
}

fn cite_sites(files: &[(String, String)]) -> BTreeMap<String, Vec<Site>> {
    let mut at: BTreeMap<String, Vec<Site>> = BTreeMap::new();
    for (file, text) in files {
        for (n, line) in text.lines().enumerate() {
            for id in ids_in(line) {
                at.entry(id).or_default().push(Site { file: file.clone(), line: n + 1 });
            }
        }
    }
    at
}

/// Runs the check over SPEC.md's text and the (name, text) pairs of the
/// spec sources and the tests.
pub fn check(spec_md: &str, sources: &[(String, String)], tests: &[(String, String)]) -> Report {
    let defined = defined_ids(spec_md);
    let mut seen = BTreeSet::new();
    let duplicates = defined
        .iter()
        .filter(|(id, _)| !seen.insert(id.clone()))
        .map(|(id, _)| id.clone())
        .collect();
    let implemented_at = cite_sites(sources);
    let tested_at = cite_sites(tests);
    let mut undefined = Vec::new();
    for at in [&implemented_at, &tested_at] {
        for (id, sites) in at {
            if !seen.contains(id) {
                undefined.push((id.clone(), sites[0].clone()));
            }
        }
    }
    Report { defined, implemented_at, tested_at, duplicates, undefined }
}

/// `(path relative to `root`, text)` of every `.rs` file under `root/rel`,
/// sorted by path.
pub fn rust_files(root: &Path, rel: &str) -> std::io::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut stack = vec![rel.to_string()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(root.join(&dir))? {
            let entry = entry?;
            let name = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if entry.file_type()?.is_dir() {
                stack.push(name);
            } else if name.ends_with(".rs") {
                out.push((name.clone(), std::fs::read_to_string(entry.path())?));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// SPEC.md's text and the sources and tests of the spec crate, read from the
/// workspace at `root`: the inputs of [`check`].
#[allow(clippy::type_complexity)]
pub fn load(
    root: &Path,
) -> std::io::Result<(String, Vec<(String, String)>, Vec<(String, String)>)> {
    let spec_md = std::fs::read_to_string(root.join("SPEC.md"))?;
    Ok((spec_md, rust_files(root, "spec/src")?, rust_files(root, "spec/tests")?))
}
