//! Integrity of `vectors/external/`: every file is listed in MANIFEST.md with
//! its source and license, and its bytes hash to the recorded SHA-256. A
//! vector file edited by hand (or by a tool that "fixed" line endings) fails
//! here before any known-answer test can be fooled by it.

mod common;

use common::{external, read_text, to_hex, Tally};
use std::collections::BTreeMap;
use std::path::Path;

/// The (file, sha256) pairs of MANIFEST.md's table, whose rows look like
/// ``| `path` | `sha256` | source | version | `path at source` | license |``.
fn manifest_entries() -> BTreeMap<String, String> {
    let mut entries = BTreeMap::new();
    for line in read_text("MANIFEST.md").lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // A data row: leading empty cell, 6 columns, trailing empty cell.
        if cells.len() != 8 || !cells[1].starts_with('`') {
            continue;
        }
        let file = cells[1].trim_matches('`').to_string();
        let digest = cells[2].trim_matches('`').to_string();
        assert_eq!(digest.len(), 64, "bad digest for {file}");
        for (i, col) in ["source", "version", "path at source", "license"]
            .iter()
            .enumerate()
        {
            assert!(!cells[3 + i].is_empty(), "{file}: empty {col} column");
        }
        assert!(
            entries.insert(file.clone(), digest).is_none(),
            "{file} listed twice"
        );
    }
    entries
}

fn files_under(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("dir entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type().expect("file type").is_dir() {
            files_under(&entry.path(), &rel, out);
        } else if rel != "MANIFEST.md" {
            out.push(rel);
        }
    }
}

#[test]
fn every_external_file_is_listed_and_matches_its_sha256() {
    let entries = manifest_entries();
    let mut on_disk = Vec::new();
    files_under(&external(""), "", &mut on_disk);
    on_disk.sort();
    let listed: Vec<String> = entries.keys().cloned().collect();
    assert_eq!(on_disk, listed, "files on disk and MANIFEST.md rows differ");

    let mut tally = Tally::new("vectors/external MANIFEST.md sha256");
    for (file, digest) in &entries {
        let bytes = std::fs::read(external(file)).expect("read vector file");
        assert_eq!(
            &to_hex(&xchat_spec::sha2::sha256(&bytes)),
            digest,
            "{file}: SHA-256 differs from MANIFEST.md"
        );
        tally.check();
    }
    tally.finish(30);
}
