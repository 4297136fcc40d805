//! Reading one state commit's tree: its entries, the text of its files, the lock files of a
//! scope, format 1, and errors that name the commit.

use std::collections::BTreeMap;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::Repo;
use super::store::{Error, git_err};
use crate::model::shard::{self, Scope};
use crate::model::{State, files};

/// One entry of a state tree.
pub(super) struct Entry {
    pub(super) is_blob: bool,
    pub(super) oid: ObjectId,
}

/// Reads the files of one state commit's tree, naming that commit in its errors.
pub(super) struct TreeReader<'r> {
    pub(super) repo: &'r Repo,
    /// The short commit id.
    pub(super) commit: String,
}

impl TreeReader<'_> {
    pub(super) fn entries(&self, tree: ObjectId) -> Result<BTreeMap<String, Entry>, Error> {
        let tree = self.repo.inner.find_tree(tree).map_err(git_err)?;
        let mut out = BTreeMap::new();
        for entry in tree.iter() {
            let entry = entry.map_err(git_err)?;
            let name = entry.filename().to_str_lossy().into_owned();
            let is_blob = entry.mode().is_blob();
            if !is_blob && !entry.mode().is_tree() {
                return Err(self.foreign(&name));
            }
            out.insert(
                name,
                Entry {
                    is_blob,
                    oid: entry.oid().to_owned(),
                },
            );
        }
        Ok(out)
    }

    pub(super) fn text(&self, path: &str, blob: ObjectId) -> Result<String, Error> {
        let blob = self.repo.inner.find_blob(blob).map_err(git_err)?;
        String::from_utf8(blob.data.clone()).map_err(|_| {
            self.corrupt(files::Error::Malformed {
                file: path.to_owned(),
                message: "it is not UTF-8 text".into(),
            })
        })
    }

    pub(super) fn corrupt(&self, source: files::Error) -> Error {
        Error::Corrupt {
            commit: self.commit.clone(),
            source,
        }
    }

    pub(super) fn classify(&self, source: files::Error) -> Error {
        match source {
            files::Error::TooNew { .. } => Error::TooNew(source),
            source => self.corrupt(source),
        }
    }

    pub(super) fn foreign(&self, name: &str) -> Error {
        Error::Foreign {
            commit: self.commit.clone(),
            name: name.to_owned(),
        }
    }

    /// A format-1 state: TOML files only, all read.
    pub(super) fn format_1(
        &self,
        root: &BTreeMap<String, Entry>,
        meta: String,
    ) -> Result<State, Error> {
        let mut texts = BTreeMap::new();
        for (name, entry) in root {
            if !entry.is_blob || !name.ends_with(".toml") {
                return Err(self.foreign(name));
            }
            if name != files::META_FILE {
                texts.insert(name.clone(), self.text(name, entry.oid)?);
            }
        }
        texts.insert(files::META_FILE.to_owned(), meta);
        files::from_files(&texts).map_err(|e| self.classify(e))
    }

    /// Every `.toml` file under the tree `dir`, and (with `subdirs`) one level below it.
    pub(super) fn all_files(
        &self,
        dir: &str,
        tree: ObjectId,
        subdirs: bool,
        out: &mut BTreeMap<String, String>,
    ) -> Result<(), Error> {
        for (name, entry) in self.entries(tree)? {
            let path = format!("{dir}/{name}");
            if entry.is_blob && name.ends_with(".toml") {
                let text = self.text(&path, entry.oid)?;
                out.insert(path, text);
            } else if !entry.is_blob && subdirs {
                self.all_files(&path, entry.oid, false, out)?;
            } else {
                return Err(self.foreign(&path));
            }
        }
        Ok(())
    }

    /// The lock files of `scope` from the tree `locks`.
    pub(super) fn lock_files(
        &self,
        locks: ObjectId,
        scope: &Scope,
        out: &mut BTreeMap<String, String>,
    ) -> Result<(), Error> {
        let dir = shard::LOCKS_DIR;
        let (exact, under) = match &scope.locks {
            shard::Locks::All => return self.all_files(dir, locks, true, out),
            shard::Locks::Keys { exact, under } => (exact, under),
        };
        if exact.is_empty() && under.is_empty() {
            return Ok(());
        }
        let top = self.entries(locks)?;
        let mut subtrees: BTreeMap<String, BTreeMap<String, Entry>> = BTreeMap::new();
        for first in under {
            let name = shard::escape(first);
            if let Some(entry) = top.get(&name).filter(|e| !e.is_blob) {
                self.all_files(&format!("{dir}/{name}"), entry.oid, false, out)?;
            }
        }
        for key in exact {
            let path = shard::lock_file(key);
            let inside = &path[dir.len() + 1..];
            let entry = match inside.split_once('/') {
                None => top.get(inside),
                Some((first, file)) => {
                    if !subtrees.contains_key(first) {
                        let entries = match top.get(first).filter(|e| !e.is_blob) {
                            Some(tree) => self.entries(tree.oid)?,
                            None => BTreeMap::new(),
                        };
                        subtrees.insert(first.to_owned(), entries);
                    }
                    subtrees.get(first).and_then(|entries| entries.get(file))
                }
            };
            if let Some(entry) = entry {
                if !entry.is_blob {
                    return Err(self.foreign(&path));
                }
                let text = self.text(&path, entry.oid)?;
                out.insert(path, text);
            }
        }
        Ok(())
    }
}
