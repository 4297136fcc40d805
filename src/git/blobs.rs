//! Contents for secret scanning: blob bytes, the commits of a range or of the whole
//! history, the files git does not ignore, and the blobs each commit (or the index) changes.

use std::collections::BTreeSet;
use std::ops::Bound;

use gix::bstr::ByteSlice;

use super::Repo;
use super::changes::{TREE_MODE, push_path};
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

/// What one commit changed: every change, and those the scanner reads with their contents.
#[derive(Debug, Default)]
pub struct CommitBlobs {
    /// The changes against the first parent.
    pub changes: Vec<Change>,
    /// The changes to files under the size cap, with contents.
    pub loaded: Vec<LoadedChange>,
    /// How many changed files were over the size cap.
    pub oversize: u64,
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
    /// The blob of the content after, when read from git.
    pub new_id: Option<ObjectId>,
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

    /// The contents of blob `id`, or `None` when it is larger than `max` bytes (known from
    /// its header, without reading it).
    pub fn blob_within(&self, id: ObjectId, max: u64) -> Result<Option<Vec<u8>>, Error> {
        if self.inner.find_header(id).map_err(err)?.size() > max {
            return Ok(None);
        }
        self.blob_bytes(id).map(Some)
    }

    /// The commits `git rev-list --no-merges --topo-order ARGS` lists, newest first (no
    /// commit before one of its descendants); an unknown revision is an error.
    pub fn non_merge_commits(&self, args: &[&str]) -> Result<Vec<ObjectId>, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["rev-list", "--no-merges", "--topo-order"])
            .args(args)
            .arg("--");
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

    /// The changes commit `id` made against its first parent, and those with contents.
    pub fn commit_blobs(&self, id: ObjectId, max_size: u64) -> Result<CommitBlobs, Error> {
        let changes = self.commit_changes(id.into())?;
        let (loaded, oversize) = self.load_changes(&changes, Some(id.to_string()), max_size)?;
        Ok(CommitBlobs {
            changes,
            loaded,
            oversize,
        })
    }

    /// The positive revisions of `git rev-parse ARGS`: the tips a range such as `A..B`
    /// (`B`) or `HEAD` reaches from.
    pub fn range_tips(&self, args: &[&str]) -> Result<Vec<ObjectId>, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["rev-parse", "--revs-only"]).args(args);
        let text = output(cmd).map_err(|source| Error::List {
            what: format!("the tips of {}", args.join(" ")),
            source,
        })?;
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('^'))
            .map(|l| ObjectId::from_hex(l.as_bytes()).map_err(err))
            .collect()
    }

    /// The files (blobs and symbolic links, not submodules) at `paths` in the tree of
    /// `commit`, with their blob ids, in path order; paths the tree does not hold as a file
    /// are left out. Only the directories leading to `paths` are read.
    pub fn files_at(
        &self,
        commit: ObjectId,
        paths: &BTreeSet<String>,
    ) -> Result<Vec<(String, ObjectId)>, Error> {
        let tree = self
            .inner
            .find_commit(gix::ObjectId::from(commit))
            .map_err(err)?
            .tree_id()
            .map_err(err)?
            .detach();
        let mut out = Vec::new();
        self.files_under(tree, &mut String::new(), paths, &mut out)?;
        Ok(out)
    }

    fn files_under(
        &self,
        tree: gix::ObjectId,
        prefix: &mut String,
        paths: &BTreeSet<String>,
        out: &mut Vec<(String, ObjectId)>,
    ) -> Result<(), Error> {
        for (name, side) in self.tree_entries(Some(tree))? {
            let len = prefix.len();
            push_path(prefix, name.as_bstr());
            if side.mode == TREE_MODE {
                prefix.push('/');
                let wanted = paths
                    .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
                    .next()
                    .is_some_and(|p| p.starts_with(prefix.as_str()));
                prefix.pop();
                if wanted {
                    self.files_under(side.id.into(), prefix, paths, out)?;
                }
            } else if !side.is_submodule() && paths.contains(prefix.as_str()) {
                out.push((prefix.clone(), side.id));
            }
            prefix.truncate(len);
        }
        Ok(())
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
                new_id: Some(new.id),
            });
        }
        Ok((out, oversize))
    }
}
