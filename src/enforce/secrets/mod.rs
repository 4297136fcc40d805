//! Runs the secret scanner where the secrets are: files and directories, the staged change,
//! a range of commits or the whole history. Loads the configuration and suppressions once.
//!
//! The hooks run [`Secrets`]: on the staged changes, and as one of the push checks.

mod final_content;
mod fs;
mod history;
mod hook;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::git::Repo;
use crate::git::blobs::{Error as GitError, LoadedChange};
use crate::policy::secrets::diff::ChangedBlob;
use crate::policy::secrets::gitleaks::Layer;
use crate::policy::secrets::suppress::{self, BaselineError, Suppressions};
use crate::policy::secrets::{ConfigError, Finding, ScanStats, Scanner};
use crate::policy::{CheckKind, Violation};

pub use final_content::{Taken, Touched};
pub use fs::{scan_files, scan_paths};
pub use history::{scan_commits, scan_final_files};
pub use hook::{Secrets, staged_violations};

/// gitleaks' configuration file name, used at the repository root when no `--config` is given.
pub const GITLEAKS_CONFIG: &str = ".gitleaks.toml";

/// Why a scan could not run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The gitleaks configuration is invalid.
    #[error("invalid secret-scanning configuration")]
    Config(#[from] ConfigError),
    /// The file an `[extend] path` names could not be read.
    #[error("{file}: cannot read {path}, which its [extend] path names")]
    Extend {
        /// The configuration holding the `[extend]`.
        file: String,
        /// The path as written.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file the scan needs could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The baseline is not a report.
    #[error("the baseline {path} cannot be used")]
    Baseline {
        /// The baseline file.
        path: String,
        /// Why.
        source: BaselineError,
    },
    /// git could not list or read what to scan.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A scanning thread could not open the repository.
    #[error("cannot open the repository to scan it")]
    Open(#[source] crate::git::repo::Error),
}

/// The scanner and the suppressions of one repository or directory.
#[derive(Debug)]
pub struct Setup {
    /// Compiled rules.
    pub scanner: Scanner,
    /// Ignore files and baseline.
    pub suppressions: Suppressions,
    /// For a scan of files named relative to a directory: that directory and the
    /// repository root (both absolute). Fingerprints are taken over repository-relative
    /// paths, so a secret has one fingerprint wherever the scan runs from.
    pub names_from: Option<(PathBuf, PathBuf)>,
}

/// What a scan found, after suppressions.
#[derive(Debug, Default, Serialize)]
pub struct Outcome {
    /// Findings in report order, redacted.
    pub findings: Vec<Finding>,
    /// What was scanned and skipped.
    pub stats: ScanStats,
    /// Findings dropped by the ignore files or the baseline.
    pub suppressed: usize,
    /// Files that could not be read (permissions, vanished while walking).
    pub unreadable: u64,
}

impl Setup {
    /// Loads `config` (else `ROOT/.gitleaks.toml`, else the built-in rules), the ignore files at
    /// `root` (`.gitcoordignore`, `.gitleaksignore`) and `baseline`.
    pub fn load(
        root: &Path,
        config: Option<&Path>,
        baseline: Option<&Path>,
    ) -> Result<Setup, Error> {
        let default_config = root.join(GITLEAKS_CONFIG);
        let config = config
            .map(Path::to_path_buf)
            .or_else(|| default_config.is_file().then_some(default_config));
        let scanner = match config {
            Some(path) => load_config(&path)?,
            None => Scanner::builtin(),
        };
        let mut suppressions = Suppressions::default();
        for name in [suppress::IGNORE_FILE, suppress::GITLEAKS_IGNORE_FILE] {
            let path = root.join(name);
            if path.is_file() {
                suppressions.add_ignore_file(&read(&path)?);
            }
        }
        if let Some(path) = baseline {
            suppressions
                .add_baseline(&read(path)?)
                .map_err(|source| Error::Baseline {
                    path: path.display().to_string(),
                    source,
                })?;
        }
        Ok(Setup {
            scanner,
            suppressions,
            names_from: None,
        })
    }

    /// Applies the suppressions to raw findings.
    pub fn finish(&self, mut findings: Vec<Finding>, stats: ScanStats, unreadable: u64) -> Outcome {
        if let Some((base, root)) = &self.names_from {
            for f in &mut findings {
                let Some(path) = repo_relative(base, root, &f.file) else {
                    continue;
                };
                f.fingerprint =
                    crate::policy::secrets::finding::fingerprint(&f.rule_id, &path, &f.secret_hash);
            }
        }
        let suppressed = self.suppressions.apply(&mut findings);
        let mut stats = stats;
        stats.findings = findings.len() as u64;
        Outcome {
            findings,
            stats,
            suppressed,
            unreadable,
        }
    }
}

/// Reads a gitleaks configuration and the files its `[extend] path` chain names (opened as
/// written, relative to the working directory, as gitleaks opens them), up to gitleaks' depth.
fn load_config(path: &Path) -> Result<Scanner, Error> {
    let top = path.display().to_string();
    let mut layers = vec![Layer::parse(&read(path)?, &top, 0)?];
    while let Some(last) = layers.last() {
        let Some(next) = last.extends().map(str::to_owned) else {
            break;
        };
        let text = std::fs::read_to_string(&next).map_err(|source| Error::Extend {
            file: last_origin(&layers),
            path: next.clone(),
            source,
        })?;
        let origin = format!("{next} (extended by {})", last_origin(&layers));
        layers.push(Layer::parse(&text, &origin, layers.len())?);
    }
    Ok(Scanner::from_gitleaks_layers(layers)?)
}

fn last_origin(layers: &[Layer]) -> String {
    layers
        .last()
        .map(|l| l.origin().to_owned())
        .unwrap_or_default()
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Scans the lines the staged change adds (what `git commit` would record, `GIT_INDEX_FILE` included).
pub fn staged(setup: &Setup, repo: &Repo) -> Result<Outcome, Error> {
    let (changes, oversize) = repo.staged_blobs(setup.scanner.max_file_size())?;
    let blobs: Vec<_> = changes.iter().map(|c| changed_blob(c, None)).collect();
    let (findings, mut stats) = setup.scanner.scan_changes(&blobs);
    stats.skipped_oversize += oversize;
    Ok(setup.finish(findings, stats, 0))
}

/// Scans the lines each commit of `git rev-list ARGS` added (`["A..B"]`, or `["HEAD"]` for
/// history), then the final content of the files they changed, as the range's tip holds
/// them, for secrets no single commit's lines showed (see [`final_content`]).
pub fn commits(setup: &Setup, repo: &Repo, rev_args: &[&str]) -> Result<Outcome, Error> {
    let ids = repo.non_merge_commits(rev_args)?;
    let (mut findings, mut stats, touched) = scan_commits(repo, &ids, &setup.scanner)?;
    let tips = repo.range_tips(rev_args)?;
    let files = final_content::final_files(repo, &tips, &touched, &mut Taken::default())?;
    let (finals, final_stats) = scan_final_files(repo, &files, &setup.scanner)?;
    let reported = findings.iter().map(|f| f.fingerprint.clone()).collect();
    findings.extend(final_content::unreported(finals, &reported));
    crate::policy::secrets::parallel::sort(&mut findings);
    stats.add(&final_stats);
    Ok(setup.finish(findings, stats, 0))
}

/// Scans files and directories (walked, `.git` skipped), naming files relative to `base`.
pub fn paths(setup: &Setup, roots: &[PathBuf], base: &Path) -> Outcome {
    let (findings, stats, unreadable) = scan_paths(&setup.scanner, roots, base);
    setup.finish(findings, stats, unreadable)
}

/// Scans a list of files (such as the ones git does not ignore), naming them relative to `base`.
pub fn files(setup: &Setup, files: Vec<PathBuf>, base: &Path) -> Outcome {
    let (findings, stats, unreadable) = scan_files(&setup.scanner, files, base);
    setup.finish(findings, stats, unreadable)
}

/// A finding as a policy violation; the message carries only the redacted secret.
pub fn violation(f: &Finding) -> Violation {
    Violation {
        check: CheckKind::Secrets,
        rule: f.rule_id.clone(),
        path: Some(f.file.clone()),
        line: Some(f.line),
        column: Some(f.column),
        commit: f.commit.clone(),
        message: format!(
            "{}:{}:{}: {} ({}), fingerprint {}",
            f.file, f.line, f.column, f.description, f.redacted, f.fingerprint
        ),
        holder: None,
        lock: None,
        fingerprint: f.fingerprint.clone(),
    }
}

/// A change with its contents, in the form the scanner takes; `hits` are the keyword hits
/// in the new side when already found.
pub fn changed_blob<'a>(
    c: &'a LoadedChange,
    hits: Option<&'a [(usize, usize)]>,
) -> ChangedBlob<'a> {
    ChangedBlob {
        path: &c.path,
        commit: c.commit.as_deref(),
        old: c.old.as_deref(),
        new: &c.new,
        hits,
    }
}

/// `file` (relative to `base`, or absolute) as a path from `root`, `.` and `..` resolved
/// lexically; `None` outside `root`.
fn repo_relative(base: &Path, root: &Path, file: &str) -> Option<String> {
    let full = crate::model::id::lexical_path(&base.join(file));
    let rel = full.strip_prefix(root).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::repo_relative;

    #[test]
    fn names_become_repository_relative() {
        let root = Path::new("/r");
        for (base, file, want) in [
            ("/r/app", "a.py", Some("app/a.py")),
            ("/r/app/sub", "../lib/a.rs", Some("app/lib/a.rs")),
            ("/r/app", "./x/../y", Some("app/y")),
            ("/r/app", "/r/top.py", Some("top.py")),
            ("/r/app", "../../elsewhere.py", None),
        ] {
            assert_eq!(
                repo_relative(Path::new(base), root, file).as_deref(),
                want,
                "{base} {file}"
            );
        }
    }
}
