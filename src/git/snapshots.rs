//! Snapshot refs of waves: as a wave opens, every agent's branch tip and the integration
//! branch's are kept as `refs/gitcoord/snapshots/<wave>/<agent id>` and
//! `.../<wave>/integration`, so a wave can be rolled back to where it started.

use crate::model::ObjectId;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

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

    /// Records the snapshots of `wave` (`(name, commit)`: an agent id or `integration`, and
    /// its branch tip) in one reference transaction, each only when missing: snapshots are
    /// taken once, and a snapshot left incomplete by a killed process is completed, never
    /// moved. Returns the refs written.
    pub fn write_snapshots(
        &self,
        wave: &str,
        tips: &[(String, ObjectId)],
    ) -> Result<Vec<String>, Error> {
        let mut edits = Vec::new();
        let mut names = Vec::new();
        for (name, id) in tips {
            let full = format!("{SNAPSHOTS}/{wave}/{name}");
            let Ok(refname) = gix::refs::FullName::try_from(full.as_str()) else {
                return Err(Error {
                    name: full,
                    source: "not a valid ref name".into(),
                });
            };
            edits.push(RefEdit {
                change: Change::Update {
                    log: LogChange {
                        mode: RefLog::AndReference,
                        force_create_reflog: false,
                        message: format!("gitcoord: snapshot of {name} as wave {wave} opens")
                            .into(),
                    },
                    expected: PreviousValue::MustNotExist,
                    new: gix::refs::Target::Object((*id).into()),
                },
                name: refname,
                deref: false,
            });
            names.push(full);
        }
        if edits.is_empty() {
            return Ok(names);
        }
        self.inner.edit_references(edits).map_err(|e| Error {
            name: names.join(", "),
            source: e.into(),
        })?;
        Ok(names)
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
        let Ok(tree) = self
            .inner
            .find_commit(gix::ObjectId::from(commit))
            .and_then(|c| c.tree())
        else {
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
            .find_commit(gix::ObjectId::from(commit))
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
