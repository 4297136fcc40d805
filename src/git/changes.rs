//! What a commit would change: the staged index against HEAD (honouring `GIT_INDEX_FILE`),
//! or one commit's tree against another's. Renames count as a delete plus an add, so both
//! sides of a rename are checked; mode-only changes count too.

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};

use super::Repo;
use crate::model::{Change, Side};

/// Why changes could not be computed.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the changes from git")]
pub struct Error(#[source] super::Source);

fn err(e: impl Into<super::Source>) -> Error {
    Error(e.into())
}

/// The mode git gives a tree entry that is a directory.
pub(super) const TREE_MODE: u32 = 0o040000;

impl Repo {
    /// The commits a merge being committed merges (`MERGE_HEAD`, of this worktree); empty
    /// when no merge is in progress.
    pub fn merge_heads(&self) -> Vec<crate::model::ObjectId> {
        let Ok(text) = std::fs::read_to_string(self.inner.git_dir().join("MERGE_HEAD")) else {
            return Vec::new();
        };
        text.lines()
            .filter_map(|l| ObjectId::from_hex(l.trim().as_bytes()).ok())
            .map(Into::into)
            .collect()
    }

    /// Of `changes` (staged against HEAD), those that also differ from every one of
    /// `merged`: what a merge commit itself changes (conflict resolutions, edits made in the
    /// merge), since what it takes as it is from a merged commit was that commit's change.
    pub fn merge_own_changes(
        &self,
        changes: Vec<Change>,
        merged: &[crate::model::ObjectId],
    ) -> Result<Vec<Change>, Error> {
        let mut trees = Vec::new();
        for id in merged {
            let commit = self.inner.find_commit(ObjectId::from(*id)).map_err(err)?;
            trees.push(commit.tree().map_err(err)?);
        }
        let mut own = Vec::new();
        for change in changes {
            let mut taken = false;
            for tree in &trees {
                let there = tree
                    .lookup_entry_by_path(change.path.as_str())
                    .map_err(err)?
                    .filter(|e| !e.mode().is_tree())
                    .map(|e| Side {
                        id: e.object_id().into(),
                        mode: e.mode().value().into(),
                    });
                if there == change.new {
                    taken = true;
                    break;
                }
            }
            if !taken {
                own.push(change);
            }
        }
        Ok(own)
    }

    /// The changes staged in the index (or the index `GIT_INDEX_FILE` names) against HEAD.
    ///
    /// This runs in every pre-commit hook, so it reads only what differs: directories whose
    /// tree in the index's cache extension equals HEAD's are skipped whole, and the index
    /// checksum is not recomputed (git itself wrote the file a moment ago).
    pub fn staged_changes(&self) -> Result<Vec<Change>, Error> {
        let path = self.inner.index_path();
        let index =
            match gix::index::File::at(&path, self.inner.object_hash(), true, Default::default()) {
                Ok(index) => index,
                Err(_) if !path.exists() => gix::index::File::from_state(
                    gix::index::State::new(self.inner.object_hash()),
                    path,
                ),
                Err(e) => return Err(err(e)),
            };
        let head_tree = self.inner.head_tree_id_or_empty().map_err(err)?.detach();
        let mut head = Vec::new();
        let mut same_dirs = Vec::new();
        self.flatten_tree(
            head_tree,
            index.tree(),
            &mut String::new(),
            &mut head,
            &mut same_dirs,
        )?;
        if same_dirs.iter().any(|d: &String| d.is_empty()) {
            return Ok(Vec::new());
        }
        // As `dir/` keys, sorted like the index.
        let mut same_dirs: Vec<String> = same_dirs.into_iter().map(|d| d + "/").collect();
        same_dirs.sort_unstable();
        head.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let kept = outside_dirs(index.entries(), |e| e.path(&index), &same_dirs);
        let mut staged: Vec<(String, Side)> = kept
            .into_iter()
            .flatten()
            // `git add -N`: a path announced, not staged; the commit will not hold it.
            .filter(|e| !e.flags.contains(gix::index::entry::Flags::INTENT_TO_ADD))
            .map(|e| {
                let side = Side {
                    id: e.id.into(),
                    mode: e.mode.bits(),
                };
                (e.path(&index).to_str_lossy().into_owned(), side)
            })
            .collect();
        // Conflicted entries appear once per stage; one is enough to name the path.
        staged.dedup_by(|a, b| a.0 == b.0);
        Ok(merge_join(head, staged))
    }

    /// The changes from tree `old` (or nothing) to tree `new`, skipping identical subtrees.
    pub fn tree_changes(&self, old: Option<ObjectId>, new: ObjectId) -> Result<Vec<Change>, Error> {
        let mut out = Vec::new();
        self.diff_trees(old, Some(new), &mut String::new(), &mut out)?;
        Ok(out)
    }

    /// The changes a commit made against its first parent (everything, for a root commit).
    pub fn commit_changes(&self, commit: ObjectId) -> Result<Vec<Change>, Error> {
        let c = self.inner.find_commit(commit).map_err(err)?;
        let tree = c.tree_id().map_err(err)?.detach();
        let parent_tree = match c.parent_ids().next() {
            Some(p) => Some(
                self.inner
                    .find_commit(p)
                    .map_err(err)?
                    .tree_id()
                    .map_err(err)?
                    .detach(),
            ),
            None => None,
        };
        self.tree_changes(parent_tree, tree)
    }

    /// The entries of tree `id` (none without one): name, id and mode.
    pub(super) fn tree_entries(&self, id: Option<ObjectId>) -> Result<Vec<(Vec<u8>, Side)>, Error> {
        let Some(id) = id else { return Ok(Vec::new()) };
        let tree = self.inner.find_tree(id).map_err(err)?;
        let decoded = tree.decode().map_err(err)?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| {
                let side = Side {
                    id: e.oid.to_owned().into(),
                    mode: u32::from(e.mode.value()),
                };
                (e.filename.to_vec(), side)
            })
            .collect())
    }

    /// Lists the files of tree `id` under `prefix`, except directories whose cached tree in
    /// the index (`cache`) is valid and equal: those are recorded in `same` instead.
    fn flatten_tree(
        &self,
        id: ObjectId,
        cache: Option<&gix::index::extension::Tree>,
        prefix: &mut String,
        out: &mut Vec<(String, Side)>,
        same: &mut Vec<String>,
    ) -> Result<(), Error> {
        if cache.is_some_and(|c| c.num_entries.is_some() && c.id == id) {
            same.push(prefix.clone());
            return Ok(());
        }
        for (name, side) in self.tree_entries(Some(id))? {
            let len = prefix.len();
            push_path(prefix, name.as_bstr());
            if side.mode == TREE_MODE {
                let child = cache.and_then(|c| {
                    c.children
                        .iter()
                        .find(|t| t.name.as_slice() == name.as_slice())
                });
                self.flatten_tree(side.id.into(), child, prefix, out, same)?;
            } else {
                out.push((prefix.clone(), side));
            }
            prefix.truncate(len);
        }
        Ok(())
    }

    fn diff_trees(
        &self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        prefix: &mut String,
        out: &mut Vec<Change>,
    ) -> Result<(), Error> {
        if old == new {
            return Ok(());
        }
        let mut a = self.tree_entries(old)?;
        let mut b = self.tree_entries(new)?;
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let order = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.0.cmp(&y.0),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (name, before, after) = match order {
                std::cmp::Ordering::Less => (&a[i].0, Some(a[i].1), None),
                std::cmp::Ordering::Greater => (&b[j].0, None, Some(b[j].1)),
                std::cmp::Ordering::Equal => (&a[i].0, Some(a[i].1), Some(b[j].1)),
            };
            i += usize::from(order != std::cmp::Ordering::Greater);
            j += usize::from(order != std::cmp::Ordering::Less);
            if before == after {
                continue;
            }
            let len = prefix.len();
            push_path(prefix, name.as_bstr());
            let tree_of = |s: Option<Side>| {
                s.filter(|s| s.mode == TREE_MODE)
                    .map(|s| gix::ObjectId::from(s.id))
            };
            let blob_of = |s: Option<Side>| s.filter(|s| s.mode != TREE_MODE);
            if tree_of(before).is_some() || tree_of(after).is_some() {
                self.diff_trees(tree_of(before), tree_of(after), prefix, out)?;
            }
            let (old_blob, new_blob) = (blob_of(before), blob_of(after));
            if old_blob.is_some() || new_blob.is_some() {
                out.push(Change {
                    path: prefix.clone(),
                    old: old_blob,
                    new: new_blob,
                });
            }
            prefix.truncate(len);
        }
        Ok(())
    }
}

/// Whether `path` lies in one of the directories known to be unchanged, given as sorted,
/// disjoint `dir/` keys: a key that prefixes `path` sorts right before it, since any key
/// between the two would be a subdirectory of the first.
/// The runs of path-sorted `entries` that lie outside every directory of `dirs` (sorted
/// `dir/` keys): each directory is one range of the entries, found by binary search.
fn outside_dirs<'e, E>(
    entries: &'e [E],
    path: impl Fn(&'e E) -> &'e [u8],
    dirs: &[String],
) -> Vec<&'e [E]> {
    let mut kept = Vec::with_capacity(dirs.len() + 1);
    let mut from = 0;
    for dir in dirs {
        let dir = dir.as_bytes();
        let start = partition_point(from, entries.len(), |i| path(&entries[i]) < dir);
        let end = partition_point(start, entries.len(), |i| path(&entries[i]).starts_with(dir));
        kept.push(&entries[from..start]);
        from = end;
    }
    kept.push(&entries[from..]);
    kept
}

/// The first index in `lo..hi` for which `before` is false (`before` holds on a prefix).
fn partition_point(mut lo: usize, mut hi: usize, before: impl Fn(usize) -> bool) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Appends a path component to `prefix`, with a `/` unless it is the first.
pub(super) fn push_path(prefix: &mut String, name: &BStr) {
    if !prefix.is_empty() {
        prefix.push('/');
    }
    prefix.push_str(&name.to_str_lossy());
}

/// Joins two path-sorted lists into the changes between them.
fn merge_join(old: Vec<(String, Side)>, new: Vec<(String, Side)>) -> Vec<Change> {
    let mut out = Vec::new();
    let mut a = old.into_iter().peekable();
    let mut b = new.into_iter().peekable();
    loop {
        let order = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.0.as_bytes().cmp(y.0.as_bytes()),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => break,
        };
        match order {
            std::cmp::Ordering::Less => {
                let (path, side) = a.next().expect("peeked");
                out.push(Change {
                    path,
                    old: Some(side),
                    new: None,
                });
            }
            std::cmp::Ordering::Greater => {
                let (path, side) = b.next().expect("peeked");
                out.push(Change {
                    path,
                    old: None,
                    new: Some(side),
                });
            }
            std::cmp::Ordering::Equal => {
                let (path, before) = a.next().expect("peeked");
                let (_, after) = b.next().expect("peeked");
                if before != after {
                    out.push(Change {
                        path,
                        old: Some(before),
                        new: Some(after),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::outside_dirs;

    #[test]
    fn unchanged_directories_are_skipped_as_ranges() {
        let mut dirs: Vec<String> = ["a-b/", "a/", "a0/", "x/y/"]
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        dirs.sort_unstable();
        let mut paths = vec![
            "a", "a-b/c", "a.rs", "a/x", "a/y/z", "a0/q/r", "ab/c", "x/y/z", "x/y0", "x/z",
        ];
        paths.sort_unstable();
        let kept: Vec<&str> = outside_dirs(&paths, |p| p.as_bytes(), &dirs)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        assert_eq!(kept, ["a", "a.rs", "ab/c", "x/y0", "x/z"]);
        assert_eq!(
            outside_dirs(&paths, |p| p.as_bytes(), &[]).concat(),
            paths.as_slice()
        );
    }
}
