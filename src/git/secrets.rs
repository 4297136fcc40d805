//! What secret scanning reads from git: blob contents, the commits of a range or of the whole
//! history, and the blobs each commit (or the index) changes.

use gix::ObjectId;

use super::Repo;
use super::changes::{Change, Side};
use super::run::{git, output};
use crate::policy::secrets::diff::ChangedBlob;
use crate::policy::secrets::{Finding, ScanStats, Scanner, parallel};

/// Why git could not give the scanner what it needs.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Error(String);

fn err(e: impl std::fmt::Display) -> Error {
    Error(e.to_string())
}

/// A changed file with its contents loaded.
#[derive(Debug, Clone, Default)]
pub struct LoadedChange {
    /// Repository-relative path.
    pub path: String,
    /// Commit that made the change (none for staged changes).
    pub commit: Option<String>,
    /// Content before.
    pub old: Option<Vec<u8>>,
    /// Content after.
    pub new: Vec<u8>,
    /// The keyword hits in `new`, when already found.
    pub hits: Option<Vec<(usize, usize)>>,
}

impl LoadedChange {
    /// Borrows the change in the form the scanner takes.
    pub fn as_changed_blob(&self) -> ChangedBlob<'_> {
        ChangedBlob {
            path: &self.path,
            commit: self.commit.as_deref(),
            old: self.old.as_deref(),
            new: &self.new,
            hits: self.hits.as_deref(),
        }
    }
}

impl Repo {
    /// The contents of blob `id`.
    pub fn blob_bytes(&self, id: ObjectId) -> Result<Vec<u8>, Error> {
        Ok(self.inner.find_object(id).map_err(err)?.detach().data)
    }

    /// The commits `git rev-list --no-merges ARGS` lists, newest first; an unknown revision is an error.
    pub fn non_merge_commits(&self, args: &[&str]) -> Result<Vec<ObjectId>, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["rev-list", "--no-merges"]).args(args).arg("--");
        let text = output(cmd).map_err(|e| {
            Error(format!(
                "cannot list the commits of {}: {e}",
                args.join(" ")
            ))
        })?;
        text.lines()
            .map(|l| ObjectId::from_hex(l.trim().as_bytes()).map_err(err))
            .collect()
    }

    /// The files under `roots` that git does not ignore: tracked ones and untracked ones outside
    /// `.gitignore` and `info/exclude` (`git ls-files --cached --others --exclude-standard`).
    pub fn unignored_files(
        &self,
        roots: &[std::path::PathBuf],
    ) -> Result<Vec<std::path::PathBuf>, Error> {
        let mut cmd = git(self.workdir());
        cmd.args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
        ]);
        cmd.args(roots);
        let text = output(cmd).map_err(|e| Error(format!("cannot list the files to scan: {e}")))?;
        let mut files: Vec<_> = text
            .split('\0')
            .filter(|rel| !rel.is_empty())
            .map(|rel| self.workdir().join(rel))
            .filter(|path| path.symlink_metadata().is_ok_and(|m| m.is_file()))
            .collect();
        files.dedup();
        Ok(files)
    }

    /// The staged changes (honouring `GIT_INDEX_FILE`) with contents, and how many blobs were too big.
    pub fn staged_blobs(&self, max_size: u64) -> Result<(Vec<LoadedChange>, u64), Error> {
        let changes = self.staged_changes().map_err(err)?;
        self.load_changes(&changes, None, max_size)
    }

    /// The changes commit `id` made against its first parent, with contents.
    pub fn commit_blobs(
        &self,
        id: ObjectId,
        max_size: u64,
    ) -> Result<(Vec<LoadedChange>, u64), Error> {
        let changes = self.commit_changes(id).map_err(err)?;
        self.load_changes(&changes, Some(id.to_string()), max_size)
    }

    fn load_changes(
        &self,
        changes: &[Change],
        commit: Option<String>,
        max_size: u64,
    ) -> Result<(Vec<LoadedChange>, u64), Error> {
        let mut out = Vec::new();
        let mut oversize = 0;
        for change in changes {
            let Some(new) = change.new.filter(|s| !s.is_submodule()) else {
                continue;
            };
            if self.inner.find_header(new.id).map_err(err)?.size() > max_size {
                oversize += 1;
                continue;
            }
            let old = match change.old.filter(|s: &Side| !s.is_submodule()) {
                Some(side) if self.inner.find_header(side.id).map_err(err)?.size() <= max_size => {
                    Some(self.blob_bytes(side.id)?)
                }
                _ => None,
            };
            out.push(LoadedChange {
                path: change.path.clone(),
                commit: commit.clone(),
                old,
                new: self.blob_bytes(new.id)?,
                hits: None,
            });
        }
        Ok((out, oversize))
    }

    /// Scans the lines each of `commits` added, in parallel (one repository handle per thread).
    pub fn scan_commits(
        &self,
        commits: &[ObjectId],
        scanner: &Scanner,
    ) -> Result<(Vec<Finding>, ScanStats), Error> {
        #[derive(Default)]
        struct Part {
            findings: Vec<Finding>,
            stats: ScanStats,
            error: Option<Error>,
        }
        let workdir = self.workdir().to_path_buf();
        let open = || {
            Repo::discover(&workdir).map(|mut repo| {
                repo.inner.object_cache_size_if_unset(8 << 20);
                repo
            })
        };
        let parts = parallel::run_with(commits, open, |&id, repo, part: &mut Part| {
            if part.error.is_some() {
                return;
            }
            let repo = match repo {
                Ok(repo) => repo,
                Err(e) => return part.error = Some(err(&*e)),
            };
            match repo.commit_blobs(id, scanner.max_file_size()) {
                Ok((changes, oversize)) => {
                    part.stats.skipped_oversize += oversize;
                    for change in &changes {
                        let stats =
                            scanner.scan_change(&change.as_changed_blob(), &mut part.findings);
                        part.stats.add(&stats);
                    }
                }
                Err(e) => part.error = Some(e),
            }
        });
        let mut merged = Vec::new();
        for part in parts {
            if let Some(e) = part.error {
                return Err(e);
            }
            merged.push((part.findings, part.stats));
        }
        Ok(parallel::merge(merged))
    }
}
