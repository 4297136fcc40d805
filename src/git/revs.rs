//! Revisions for push and pull-request checks: git's pre-push stdin lines, the commits a
//! push or a range brings, ancestry, merge-aware commit changes, blobs, the integration
//! branch's default, and fetching the state ref.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::ObjectId;

use super::Repo;
use super::command::{git, output, output_with_input};
use crate::model::Change;

/// Why revisions could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A pre-push stdin line is not `<local ref> <local sha> <remote ref> <remote sha>`.
    #[error("cannot read git's pre-push input line '{0}'")]
    BadLine(String),
    /// A revision does not name a commit.
    #[error("'{rev}' does not name a commit in this repository: {reason}")]
    BadRev {
        /// The revision as given.
        rev: String,
        /// git's answer.
        reason: String,
    },
    /// git (the binary) failed.
    #[error("git could not list the commits")]
    Command(#[from] super::command::Error),
    /// git's answer could not be read, or an object is missing.
    #[error("cannot read the commits from git")]
    Git(#[source] super::Source),
}

/// One ref update git is about to push, as a pre-push hook reads it on stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushUpdate {
    /// The local ref pushed (`(delete)` for a deletion).
    pub local_ref: String,
    /// The local commit, or `None` when the remote ref is deleted.
    pub local: Option<ObjectId>,
    /// The remote ref updated, e.g. `refs/heads/main`.
    pub remote_ref: String,
    /// The remote's current value, or `None` when the remote ref is new.
    pub remote: Option<ObjectId>,
}

impl PushUpdate {
    /// The short branch name of the remote ref, if it is a branch.
    pub fn remote_branch(&self) -> Option<&str> {
        self.remote_ref.strip_prefix("refs/heads/")
    }

    /// The short branch name of the local ref, if it is a branch.
    pub fn local_branch(&self) -> Option<&str> {
        self.local_ref.strip_prefix("refs/heads/")
    }
}

fn parse_sha(text: &str) -> Option<Option<ObjectId>> {
    let id = ObjectId::from_hex(text.as_bytes()).ok()?;
    Some((!id.is_null()).then_some(id))
}

/// Parses git's pre-push stdin: one update per non-empty line.
pub fn parse_push_lines(text: &str) -> Result<Vec<PushUpdate>, Error> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        // Shown as far as it helps: one line, at most 200 characters.
        let bad = || {
            let head: String = line.chars().take(200).collect();
            let more = if head.len() < line.len() { "…" } else { "" };
            Error::BadLine(format!("{}{more}", crate::model::text::one_line(&head)))
        };
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local, remote_ref, remote] = fields[..] else {
            return Err(bad());
        };
        out.push(PushUpdate {
            local_ref: local_ref.to_owned(),
            local: parse_sha(local).ok_or_else(bad)?,
            remote_ref: remote_ref.to_owned(),
            remote: parse_sha(remote).ok_or_else(bad)?,
        });
    }
    Ok(out)
}

fn parse_id(text: &str) -> Result<ObjectId, Error> {
    ObjectId::from_hex(text.as_bytes()).map_err(|e| Error::Git(e.into()))
}

/// A commit with its parents, as `git rev-list --parents` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The commit.
    pub id: ObjectId,
    /// Its parents, first parent first.
    pub parents: Vec<ObjectId>,
}

impl Repo {
    /// Resolves a revision (`main`, `origin/main`, a sha, `HEAD~2`) to a commit.
    pub fn resolve_commit(&self, rev: &str) -> Result<ObjectId, Error> {
        let bad = |reason: String| Error::BadRev {
            rev: rev.to_owned(),
            reason,
        };
        let id = self
            .inner
            .rev_parse_single(rev)
            .map_err(|e| bad(e.to_string()))?;
        let commit = id
            .object()
            .map_err(|e| bad(e.to_string()))?
            .peel_to_commit()
            .map_err(|e| bad(e.to_string()))?;
        Ok(commit.id.into())
    }

    /// Whether the object `id` is in the repository.
    pub fn has_object(&self, id: ObjectId) -> bool {
        self.inner.has_object(gix::ObjectId::from(id))
    }

    /// The commit a full ref name points at, peeled, if the ref exists.
    pub fn ref_commit(&self, name: &str) -> Option<ObjectId> {
        let mut reference = self.inner.try_find_reference(name).ok()??;
        let id = reference.peel_to_id().ok()?.detach();
        let commit = self.inner.find_object(id).ok()?.peel_to_commit().ok()?;
        Some(commit.id.into())
    }

    /// The commits reachable from `include` but from none of `exclude` (ids or `--remotes=R`
    /// style arguments), oldest first, each with its parents.
    pub fn rev_list(&self, include: &[String], exclude: &[String]) -> Result<Vec<Node>, Error> {
        if include.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = git(self.workdir());
        // The tips on stdin: a push of many refs names more than a command line holds.
        cmd.args([
            "rev-list",
            "--topo-order",
            "--reverse",
            "--parents",
            "--stdin",
        ]);
        if !exclude.is_empty() {
            cmd.arg("--not").args(exclude);
        }
        cmd.arg("--");
        let mut tips = include.join("\n");
        tips.push('\n');
        let text = output_with_input(cmd, tips.into_bytes())?;
        text.lines()
            .map(|line| {
                let mut ids = line.split(' ').map(parse_id);
                let id = ids
                    .next()
                    .ok_or_else(|| Error::Git("git rev-list printed an empty line".into()))??;
                Ok(Node {
                    id,
                    parents: ids.collect::<Result<_, _>>()?,
                })
            })
            .collect()
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor).
    pub fn is_ancestor(&self, ancestor: ObjectId, descendant: ObjectId) -> Result<bool, Error> {
        if ancestor == descendant {
            return Ok(true);
        }
        let mut cmd = git(self.workdir());
        cmd.args(["merge-base", "--is-ancestor"])
            .arg(ancestor.to_string())
            .arg(descendant.to_string());
        let status = cmd.status().map_err(super::command::Error::Spawn)?;
        match status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(Error::Command(super::command::Error::Failed {
                args: format!("merge-base --is-ancestor {ancestor} {descendant}"),
                stderr: format!("exit status {status}"),
            })),
        }
    }

    /// What a commit itself changes: against its parent, or for a merge only the paths
    /// that differ from every parent (conflict resolutions and edits made in the merge),
    /// since the merged commits are checked on their own.
    pub fn own_changes(&self, node: &Node) -> Result<Vec<Change>, Error> {
        let tree = |id: ObjectId| -> Result<gix::ObjectId, Error> {
            let commit = self
                .inner
                .find_commit(gix::ObjectId::from(id))
                .map_err(git_err)?;
            Ok(commit.tree_id().map_err(git_err)?.detach())
        };
        let new = tree(node.id)?;
        let Some((first, others)) = node.parents.split_first() else {
            return self.tree_changes(None, new).map_err(git_err);
        };
        let mut changes = self
            .tree_changes(Some(tree(*first)?), new)
            .map_err(git_err)?;
        for other in others {
            let touched: BTreeSet<String> = self
                .tree_changes(Some(tree(*other)?), new)
                .map_err(git_err)?
                .into_iter()
                .map(|c| c.path)
                .collect();
            changes.retain(|c| touched.contains(&c.path));
        }
        Ok(changes)
    }

    /// The content of a blob, if it exists.
    pub fn blob(&self, id: ObjectId) -> Option<Vec<u8>> {
        let object = self.inner.find_object(id).ok()?;
        (object.kind == gix::object::Kind::Blob).then(|| object.detach().data)
    }

    /// Like [`Repo::blob`], but `None` for a blob over `max` bytes, found from the object's
    /// header without inflating the blob.
    pub fn blob_at_most(&self, id: ObjectId, max: u64) -> Option<Vec<u8>> {
        let header = self.inner.find_header(id).ok()?;
        if header.kind() != gix::object::Kind::Blob || header.size() > max {
            return None;
        }
        let object = self.inner.find_object(id).ok()?;
        Some(object.detach().data)
    }

    /// The remote's default branch (`refs/remotes/REMOTE/HEAD`), else `main`, else `master`
    /// (whichever exists locally or on the remote), else `main`.
    pub fn default_integration_branch(&self, remote: &str) -> (String, &'static str) {
        let head = format!("refs/remotes/{remote}/HEAD");
        let prefix = format!("refs/remotes/{remote}/");
        if let Ok(Some(reference)) = self.inner.try_find_reference(head.as_str()) {
            if let Some(name) = reference.target().try_name() {
                if let Some(short) = name.as_bstr().to_string().strip_prefix(&prefix) {
                    return (short.to_owned(), "the remote's default branch");
                }
            }
        }
        for name in ["main", "master"] {
            let local = format!("refs/heads/{name}");
            let tracking = format!("{prefix}{name}");
            if self.ref_commit(&local).is_some() || self.ref_commit(&tracking).is_some() {
                return (name.to_owned(), "the branch exists");
            }
        }
        ("main".to_owned(), "the fallback")
    }

    /// The tip of `branch`: the local branch, else the remote-tracking one of `remote`.
    pub fn branch_tip(&self, branch: &str, remote: &str) -> Option<ObjectId> {
        self.ref_commit(&format!("refs/heads/{branch}"))
            .or_else(|| self.ref_commit(&format!("refs/remotes/{remote}/{branch}")))
    }

    /// Fetches the state ref from `remote` (`git fetch REMOTE STATE_REF:STATE_REF`).
    pub fn fetch_state(&self, remote: &str) -> Result<(), super::command::Error> {
        let spec = format!("+{0}:{0}", super::STATE_REF);
        let mut cmd = git(self.workdir());
        cmd.args(["fetch", "--quiet", "--no-tags", remote, &spec]);
        output(cmd).map(drop)
    }
}

fn git_err(e: impl Into<super::Source>) -> Error {
    Error::Git(e.into())
}

/// Commits listed by [`Repo::rev_list`], by id, to walk them in process.
pub type Graph<'a> = BTreeMap<ObjectId, &'a Node>;

/// Indexes listed commits by id.
pub fn graph(nodes: &[Node]) -> Graph<'_> {
    nodes.iter().map(|n| (n.id, n)).collect()
}

/// The commits of `range` reachable from `from` (itself included) without leaving `range`.
///
/// When `range` is what [`Repo::rev_list`] gave for some tips and exclusions, and `from` is
/// one of its commits, this is exactly `rev_list([from], same exclusions)`, with no git
/// process: a parent outside `range` is reachable from the exclusions, and so are all of
/// its ancestors, so no commit of `range` lies beyond it.
pub fn ancestors_within(range: &Graph, from: ObjectId) -> BTreeSet<ObjectId> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(id) = stack.pop() {
        let Some(node) = range.get(&id) else { continue };
        if seen.insert(id) {
            stack.extend(node.parents.iter().copied());
        }
    }
    seen
}

/// For each commit of `range` (reachable from `tip`), the step of the first-parent chain
/// from `tip` that brings it in: the chain's commits, oldest first, are steps 1..=n, and
/// a commit merged by a chain commit gets that commit's step.
pub fn first_parent_steps(
    by_id: &Graph,
    tip: ObjectId,
) -> (Vec<ObjectId>, BTreeMap<ObjectId, usize>) {
    let mut chain = Vec::new();
    let mut next = Some(tip);
    while let Some(node) = next.and_then(|id| by_id.get(&id)) {
        chain.push(node.id);
        next = node.parents.first().copied();
    }
    chain.reverse();
    let mut steps = BTreeMap::new();
    for (i, id) in chain.iter().enumerate() {
        let step = i + 1;
        steps.insert(*id, step);
        let mut stack: Vec<ObjectId> = by_id[id].parents.iter().skip(1).copied().collect();
        while let Some(c) = stack.pop() {
            let Some(node) = by_id.get(&c) else { continue };
            if steps.contains_key(&c) {
                continue;
            }
            steps.insert(c, step);
            stack.extend(node.parents.iter().copied());
        }
    }
    (chain, steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes([n; 20])
    }

    #[test]
    fn parses_updates_deletions_and_new_refs() {
        let zero = "0".repeat(40);
        let a = "a".repeat(40);
        let text = format!(
            "refs/heads/main {a} refs/heads/main {zero}\n(delete) {zero} refs/heads/old {a}\n\n"
        );
        let ups = parse_push_lines(&text).expect("valid lines");
        assert_eq!(ups.len(), 2);
        assert_eq!(ups[0].remote, None);
        assert_eq!(ups[0].remote_branch(), Some("main"));
        assert_eq!(ups[1].local, None);
        assert!(ups[1].remote.is_some());
        assert!(parse_push_lines("refs/heads/main abc").is_err());
        assert!(parse_push_lines(&format!("a {zero} b zz")).is_err());
    }

    #[test]
    fn a_huge_bad_line_is_shown_short_and_on_one_line() {
        let line = format!("x\u{1b}[2J{}", "y".repeat(26 << 20));
        let Err(Error::BadLine(shown)) = parse_push_lines(&line) else {
            panic!("a bad line");
        };
        assert_eq!(shown.chars().count(), 201, "200 characters and an ellipsis");
        assert!(!shown.contains('\u{1b}'));
    }

    #[test]
    fn ancestors_stay_within_the_range() {
        // 1 <- 2 <- 4 (merge of 2 and 3), 1 <- 3; 1 lies outside the range.
        let nodes = [
            Node {
                id: id(2),
                parents: vec![id(1)],
            },
            Node {
                id: id(3),
                parents: vec![id(1)],
            },
            Node {
                id: id(4),
                parents: vec![id(2), id(3)],
            },
        ];
        let range = graph(&nodes);
        let set = |ids: &[u8]| ids.iter().map(|&n| id(n)).collect::<BTreeSet<_>>();
        assert_eq!(ancestors_within(&range, id(4)), set(&[2, 3, 4]));
        assert_eq!(ancestors_within(&range, id(3)), set(&[3]));
        assert_eq!(
            ancestors_within(&range, id(1)),
            set(&[]),
            "outside the range"
        );
    }

    #[test]
    fn steps_follow_the_first_parent_chain() {
        // 1 - 2 - 4 (merge of 3) - 6 (merge of 5); 3 and 5 are side commits.
        let node = |n: u8, ps: &[u8]| Node {
            id: id(n),
            parents: ps.iter().map(|p| id(*p)).collect(),
        };
        let range = vec![
            node(1, &[9]),
            node(2, &[1]),
            node(3, &[9]),
            node(4, &[2, 3]),
            node(5, &[3]),
            node(6, &[4, 5]),
        ];
        let (chain, steps) = first_parent_steps(&graph(&range), id(6));
        assert_eq!(chain, vec![id(1), id(2), id(4), id(6)]);
        assert_eq!(steps[&id(3)], 3);
        assert_eq!(steps[&id(5)], 4);
        assert_eq!(steps[&id(2)], 2);
        assert!(!steps.contains_key(&id(9)));
    }
}
