//! Snapshot refs of waves: as a wave opens, every agent's branch tip and the integration
//! branch's are kept as `refs/gitcoord/snapshots/<wave>/<agent id>` and
//! `.../<wave>/integration`, so a wave can be rolled back to where it started.

use gix::ObjectId;
use gix::refs::transaction::PreviousValue;

use super::Repo;

/// Where snapshot refs live.
pub const SNAPSHOTS: &str = "refs/gitcoord/snapshots";

/// A snapshot ref that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the snapshot ref {name}")]
pub struct Error {
    /// The ref.
    pub name: String,
    /// Why.
    #[source]
    pub source: super::Source,
}

impl Repo {
    /// The commit `refs/heads/<branch>` points at, if the branch exists.
    pub fn local_branch_tip(&self, branch: &str) -> Option<ObjectId> {
        self.ref_commit(&format!("refs/heads/{branch}"))
    }

    /// Records `id` as the snapshot `name` (an agent id, or `integration`) of `wave`.
    pub fn write_snapshot(&self, wave: &str, name: &str, id: ObjectId) -> Result<String, Error> {
        let full = format!("{SNAPSHOTS}/{wave}/{name}");
        self.inner
            .reference(
                full.as_str(),
                id,
                PreviousValue::Any,
                format!("gitcoord: snapshot of {name} as wave {wave} opens"),
            )
            .map_err(|e| Error {
                name: full.clone(),
                source: e.into(),
            })?;
        Ok(full)
    }
}

/// A tree that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the tree of {commit}")]
pub struct TreeError {
    /// The commit.
    pub commit: String,
    /// Why.
    #[source]
    pub source: super::Source,
}

impl Repo {
    /// Whether the tree of `commit` holds a file at `path`.
    pub fn has_path(&self, commit: ObjectId, path: &str) -> bool {
        let Ok(tree) = self.inner.find_commit(commit).and_then(|c| c.tree()) else {
            return false;
        };
        tree.lookup_entry_by_path(path)
            .ok()
            .flatten()
            .is_some_and(|e| e.mode().is_blob())
    }

    /// The files (not directories) at the top of the tree of `commit`.
    pub fn root_files(&self, commit: ObjectId) -> Result<Vec<String>, TreeError> {
        let fail = |e: Box<dyn std::error::Error + Send + Sync>| TreeError {
            commit: commit.to_hex_with_len(10).to_string(),
            source: e,
        };
        let tree = self
            .inner
            .find_commit(commit)
            .map_err(|e| fail(e.into()))?
            .tree()
            .map_err(|e| fail(e.into()))?;
        let mut files = Vec::new();
        for entry in tree.iter() {
            let entry = entry.map_err(|e| fail(e.into()))?;
            if !entry.mode().is_tree() {
                files.push(entry.filename().to_string());
            }
        }
        Ok(files)
    }
}
