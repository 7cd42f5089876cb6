//! `xchat-audit`: the XCHAT-1 audit bundle (issue 12).
//!
//! `xchat-audit bundle --out DIR` computes every claim of the bundle in the
//! run, from the executable specification (`xchat-spec`), the conformance
//! vectors and runner (`xchat-vectors`), the traceability check
//! (`xtask::trace`) and the repository's files, and writes one JSON file per
//! artefact, a manifest and one self-contained HTML report. Nothing in the
//! bundle is written by hand except the data inventory (`audit/inventory.yaml`)
//! and the scope notes' citations, which the job checks against the
//! computed exposure map. See `audit/README.md` for the schema of every
//! file and how to check each claim independently.
//!
//! The bundle is a pure function of the commit: no timestamps, no
//! randomness, no absolute paths; `tests/determinism.rs` builds it twice
//! and compares the bytes.

pub mod canary;
pub mod cbom;
pub mod conform;
pub mod fixture;
pub mod fspcs;
pub mod html;
pub mod inventory;
pub mod kat;
pub mod layout;
pub mod length;
pub mod manifest;
pub mod results;
pub mod sbom;
pub mod scope;
pub mod tamper;
pub mod trace;
pub mod util;

use std::fmt;
use std::path::{Path, PathBuf};

/// Why the bundle could not be built (as opposed to a claim that failed,
/// which is a [`Claim`] with `passed: false`).
#[derive(Debug)]
pub enum AuditError {
    /// A protocol operation of the spec failed where the fixture needs it
    /// to succeed (context, error).
    Spec(String, xchat_spec::Error),
    /// A file could not be read or written (path, reason).
    Io(String, String),
    /// A repository input is not in the expected form (what, reason).
    Input(String, String),
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditError::Spec(what, e) => write!(f, "spec operation failed: {what}: {e:?}"),
            AuditError::Io(path, e) => write!(f, "{path}: {e}"),
            AuditError::Input(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

impl std::error::Error for AuditError {}

/// `Result` with [`AuditError`].
pub type Result<T> = std::result::Result<T, AuditError>;

/// Maps a spec error to an [`AuditError`] naming what failed.
pub fn spec<T>(what: &str, r: std::result::Result<T, xchat_spec::Error>) -> Result<T> {
    r.map_err(|e| AuditError::Spec(what.to_string(), e))
}

/// One claim of the report: computed, with its verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// Stable id, e.g. `canary.no-unexpected-hit`.
    pub id: String,
    /// What is claimed, in one sentence.
    pub title: String,
    /// The report section (HTML anchor) with the evidence.
    pub section: String,
    /// Whether the claim holds in this run.
    pub passed: bool,
    /// The computed figures behind the verdict.
    pub detail: String,
}

impl Claim {
    /// A claim of section `section`.
    pub fn new(id: &str, section: &str, title: &str, passed: bool, detail: String) -> Claim {
        Claim {
            id: id.to_string(),
            title: title.to_string(),
            section: section.to_string(),
            passed,
            detail,
        }
    }
}

/// One file of the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artefact {
    /// File name inside the bundle directory.
    pub file: String,
    /// Its exact bytes.
    pub bytes: Vec<u8>,
}

/// One section of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// HTML anchor.
    pub id: String,
    /// Heading.
    pub title: String,
    /// The section's body (HTML, escaped by its producer).
    pub html: String,
}

/// What one artefact step produced.
#[derive(Clone, Debug, Default)]
pub struct Part {
    pub artefacts: Vec<Artefact>,
    pub claims: Vec<Claim>,
    pub sections: Vec<Section>,
}

/// The whole bundle, ready to be written.
#[derive(Clone, Debug)]
pub struct Bundle {
    /// Every file, the report and the manifest included, in write order.
    pub files: Vec<Artefact>,
    /// Every claim, in report order.
    pub claims: Vec<Claim>,
}

impl Bundle {
    /// Whether every claim holds.
    pub fn passed(&self) -> bool {
        self.claims.iter().all(|c| c.passed)
    }
}

/// How to run the job.
#[derive(Clone, Debug)]
pub struct Options {
    /// The workspace root (SPEC.md, Cargo.lock, vectors/, ...).
    pub root: PathBuf,
    /// The external conformance adapter command (JSON lines over stdio),
    /// run with `sh -c` from `root`.
    pub adapter: String,
}

impl Options {
    /// The defaults of `xchat-audit bundle`: this workspace, and the
    /// adapter built and run from this workspace by the cargo that runs
    /// the job (`$CARGO`, else `cargo` on the path).
    pub fn workspace() -> Options {
        Options {
            root: workspace_root(),
            adapter: format!(
                "'{}' run --release --quiet -p xchat-vectors --bin xchat-conform-adapter",
                std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
            ),
        }
    }
}

/// The workspace root this crate was built in.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The steps of the job, in order, with their progress labels.
pub const STEPS: [&str; 14] = [
    "exposure map (real messages of the spec)",
    "canary scan (multi-party sessions, attachments)",
    "length leakage",
    "forward secrecy and post-compromise experiments",
    "tamper matrix",
    "vectors: regenerate, check, spec, impl, adapter; KAT provenance",
    "traceability",
    "cryptographic inventory (CBOM, policy table)",
    "SBOM (cargo metadata, Cargo.lock)",
    "DPIA data inventory vs exposure map",
    "fuzzing, mutation, simulation results",
    "scope notes",
    "report",
    "manifest",
];

/// Builds the bundle. `progress(i, label)` is called before step `i` of
/// [`STEPS`].
pub fn build(opts: &Options, progress: &mut dyn FnMut(usize, &str)) -> Result<Bundle> {
    let mut parts: Vec<Part> = Vec::new();
    let mut step = 0usize;
    let mut next = |progress: &mut dyn FnMut(usize, &str)| {
        progress(step, STEPS[step]);
        step += 1;
    };
    next(progress);
    let exposure = layout::exposure_map()?;
    parts.push(layout::part(&exposure)?);
    next(progress);
    parts.push(canary::run(&exposure)?);
    next(progress);
    parts.push(length::run()?);
    next(progress);
    parts.push(fspcs::run()?);
    next(progress);
    parts.push(tamper::run()?);
    next(progress);
    parts.push(conform::run(opts)?);
    next(progress);
    parts.push(trace::run(&opts.root)?);
    next(progress);
    parts.push(cbom::run(&opts.root)?);
    next(progress);
    parts.push(sbom::run(&opts.root)?);
    next(progress);
    parts.push(inventory::run(&opts.root, &exposure)?);
    next(progress);
    let results = results::run(&opts.root);
    next(progress);
    let mut so_far: Vec<Claim> = parts.iter().flat_map(|p| p.claims.clone()).collect();
    so_far.extend(results.claims.clone());
    parts.push(scope::run(&so_far));
    parts.push(results);
    next(progress);
    let mut files: Vec<Artefact> = Vec::new();
    let mut claims: Vec<Claim> = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    for p in parts {
        files.extend(p.artefacts);
        claims.extend(p.claims);
        sections.extend(p.sections);
    }
    let info = manifest::repo_info(&opts.root);
    claims.push(manifest::claim(&files, &opts.root));
    sections.push(manifest::section(&files, &info));
    let report = html::report(&claims, &sections, &info);
    files.push(Artefact {
        file: "report.html".into(),
        bytes: report.into_bytes(),
    });
    next(progress);
    let m = manifest::manifest(&files, &claims, &info);
    files.push(m);
    Ok(Bundle { files, claims })
}

/// Writes the bundle into `dir` (created if absent); files of the bundle
/// are overwritten, other files are left alone.
pub fn write(bundle: &Bundle, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AuditError::Io(dir.display().to_string(), e.to_string()))?;
    for f in &bundle.files {
        let path = dir.join(&f.file);
        std::fs::write(&path, &f.bytes)
            .map_err(|e| AuditError::Io(path.display().to_string(), e.to_string()))?;
    }
    Ok(())
}
