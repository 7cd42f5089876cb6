//! Artefact 13, the manifest: the SHA-256 of every file of the bundle, the
//! commit, the toolchain and the Cargo.lock hash. Nothing in the bundle
//! depends on the time, the machine or the output directory, so two runs
//! on one commit give identical bytes (`tests/determinism.rs`).

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::util::{esc, table};
use crate::util::{json_artefact, sha256_hex};
use crate::{Artefact, Claim, Section};

/// What the bundle records about the repository it was built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoInfo {
    /// `git rev-parse HEAD`, or read from `.git`, or `unknown`.
    pub commit: String,
    /// Whether tracked files differ from the commit (`git status
    /// --porcelain --untracked-files=no`); `None` without git.
    pub dirty: Option<bool>,
    /// `workspace.package.repository` of the root Cargo.toml.
    pub repository: String,
    /// `rustc --version` run in the workspace (the pinned toolchain), or
    /// the channel of rust-toolchain.toml.
    pub toolchain: String,
    /// SHA-256 of Cargo.lock.
    pub cargo_lock_sha256: String,
}

fn run(root: &Path, program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The commit from `.git` without git: HEAD, a ref it names, through a
/// worktree's `gitdir:` file and `commondir`, or packed-refs.
fn commit_from_dotgit(root: &Path) -> Option<String> {
    let dotgit = root.join(".git");
    let gitdir = if dotgit.is_file() {
        let text = std::fs::read_to_string(&dotgit).ok()?;
        let p = text.trim().strip_prefix("gitdir: ")?.to_string();
        root.join(p)
    } else {
        dotgit
    };
    let head = std::fs::read_to_string(gitdir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(r) = head.strip_prefix("ref: ") else {
        return Some(head.to_string());
    };
    let common = match std::fs::read_to_string(gitdir.join("commondir")) {
        Ok(c) => gitdir.join(c.trim()),
        Err(_) => gitdir.clone(),
    };
    for dir in [&gitdir, &common] {
        if let Ok(c) = std::fs::read_to_string(dir.join(r)) {
            return Some(c.trim().to_string());
        }
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed
        .lines()
        .find_map(|l| l.strip_suffix(r).map(|h| h.trim().to_string()))
}

/// Reads the repository facts of the workspace at `root`.
pub fn repo_info(root: &Path) -> RepoInfo {
    let commit = run(root, "git", &["rev-parse", "HEAD"])
        .or_else(|| commit_from_dotgit(root))
        .unwrap_or_else(|| "unknown".into());
    let dirty = run(
        root,
        "git",
        &["status", "--porcelain", "--untracked-files=no"],
    )
    .map(|s| !s.is_empty());
    let cargo_toml = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    let repository = cargo_toml
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("repository = \"")
                .and_then(|r| r.strip_suffix('"'))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "unknown".into());
    let toolchain = run(root, "rustc", &["--version"]).unwrap_or_else(|| {
        std::fs::read_to_string(root.join("rust-toolchain.toml"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("channel = \"")
                    .and_then(|r| r.strip_suffix('"'))
                    .map(|c| format!("rust-toolchain.toml channel {c}"))
            })
            .unwrap_or_else(|| "unknown".into())
    });
    let cargo_lock_sha256 = std::fs::read(root.join("Cargo.lock"))
        .map(|b| sha256_hex(&b))
        .unwrap_or_else(|_| "unknown".into());
    RepoInfo {
        commit,
        dirty,
        repository,
        toolchain,
        cargo_lock_sha256,
    }
}

/// The claim that the bundle is portable: no file names the absolute
/// path of the workspace (so it cannot depend on where it was built).
pub fn claim(files: &[Artefact], root: &Path) -> Claim {
    let needle = root.display().to_string();
    let offending: Vec<&str> = files
        .iter()
        .filter(|f| {
            needle.len() > 1 && !crate::util::find_all(&f.bytes, needle.as_bytes()).is_empty()
        })
        .map(|f| f.file.as_str())
        .collect();
    Claim::new(
        "manifest.portable",
        "manifest",
        "No artefact contains the build machine's workspace path (the bundle depends only on the commit)",
        offending.is_empty(),
        if offending.is_empty() { format!("{} files checked", files.len()) } else { offending.join(", ") },
    )
}

/// `manifest.json`: every file but itself, with its SHA-256 and size.
pub fn manifest(files: &[Artefact], claims: &[Claim], info: &RepoInfo) -> Artefact {
    let failed: Vec<&str> = claims
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.id.as_str())
        .collect();
    json_artefact(
        "manifest.json",
        &json!({
            "schema": "xchat-audit/manifest/v1",
            "commit": info.commit,
            "tracked_files_modified": info.dirty,
            "repository": info.repository,
            "toolchain": info.toolchain,
            "cargo_lock_sha256": info.cargo_lock_sha256,
            "claims": {"total": claims.len(), "failed": failed},
            "files": files.iter().map(|f| json!({"file": f.file, "bytes": f.bytes.len(), "sha256": sha256_hex(&f.bytes)})).collect::<Vec<_>>(),
        }),
    )
}

/// The report's manifest section: the files written before the report,
/// with their SHA-256 (`manifest.json` also hashes the report itself).
pub fn section(files: &[Artefact], info: &RepoInfo) -> Section {
    let rows: Vec<Vec<String>> = files
        .iter()
        .map(|f| {
            vec![
                format!("<code>{}</code>", esc(&f.file)),
                f.bytes.len().to_string(),
                format!("<code>{}</code>", sha256_hex(&f.bytes)),
            ]
        })
        .collect();
    let mut html = format!(
        "<p>commit <code>{}</code>, toolchain {}, Cargo.lock SHA-256 <code>{}</code>. \
         <code>manifest.json</code> lists every file of the bundle with its SHA-256, this report included; \
         check with <code>sha256sum</code>. No file contains a timestamp or a path of the build machine: \
         two runs on one commit give identical bytes (<code>audit/tests/determinism.rs</code>).</p>",
        esc(&info.commit),
        esc(&info.toolchain),
        esc(&info.cargo_lock_sha256)
    );
    html.push_str(&table(&["file", "bytes", "sha256"], &rows));
    Section {
        id: "manifest".into(),
        title: "13. Manifest".into(),
        html,
    }
}
