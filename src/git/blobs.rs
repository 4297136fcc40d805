//! Contents for secret scanning: blob bytes, the commits of a range or of the whole
//! history, the files git does not ignore, and the blobs each commit (or the index) changes.

use super::Repo;
use super::command::{git, output};
use crate::model::{Change, ObjectId, Side};

/// Why git could not give the contents asked for.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An object could not be read.
    #[error("cannot read a git object")]
    Object(#[source] super::Source),
    /// The commits or files to scan could not be listed.
    #[error("cannot list {what}")]
    List {
        /// What was being listed.
        what: String,
        /// git's failure.
        #[source]
        source: super::command::Error,
    },
    /// The changes of the index or a commit could not be read.
    #[error(transparent)]
    Changes(#[from] super::changes::Error),
}

fn err(e: impl Into<super::Source>) -> Error {
    Error::Object(e.into())
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
}

impl Repo {
    /// Opens the repository at `dir` again, with an object cache sized for reading many
    /// blobs (one handle per scanning thread).
    pub fn discover_for_scanning(dir: &std::path::Path) -> Result<Repo, super::repo::Error> {
        let mut repo = Repo::discover(dir)?;
        repo.inner.object_cache_size_if_unset(8 << 20);
        Ok(repo)
    }

    /// The contents of blob `id`.
    pub fn blob_bytes(&self, id: ObjectId) -> Result<Vec<u8>, Error> {
        Ok(self.inner.find_object(id).map_err(err)?.detach().data)
    }

    /// The commits `git rev-list --no-merges ARGS` lists, newest first; an unknown revision is an error.
    pub fn non_merge_commits(&self, args: &[&str]) -> Result<Vec<ObjectId>, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["rev-list", "--no-merges"]).args(args).arg("--");
        let text = output(cmd).map_err(|source| Error::List {
            what: format!("the commits of {}", args.join(" ")),
            source,
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
        let text = output(cmd).map_err(|source| Error::List {
            what: "the files to scan".into(),
            source,
        })?;
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
        let changes = self.staged_changes()?;
        self.load_changes(&changes, None, max_size)
    }

    /// The changes commit `id` made against its first parent, with contents.
    pub fn commit_blobs(
        &self,
        id: ObjectId,
        max_size: u64,
    ) -> Result<(Vec<LoadedChange>, u64), Error> {
        let changes = self.commit_changes(id.into())?;
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
            });
        }
        Ok((out, oversize))
    }
}
