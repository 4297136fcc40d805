//! Forecasting merges with `git merge-tree --write-tree`: what two branches would conflict
//! on, and the merge order played forward onto the integration branch. Nothing is checked
//! out and no ref moves; the only trace is unreferenced objects that `git gc` collects.

use super::Repo;
use super::command::{Error, git, output};

/// A merge that would conflict: the branch merged and the files in conflict.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The branch being merged.
    pub branch: String,
    /// The conflicting files.
    pub files: Vec<String>,
}

/// What merging two commits gives: the merged tree, or the files in conflict.
enum Merged {
    Clean { tree: String },
    Conflicts(Vec<String>),
}

impl Repo {
    /// Merges `theirs` into `ours` in memory (`git merge-tree --write-tree`).
    fn merge_tree(&self, ours: &str, theirs: &str) -> Result<Merged, Error> {
        let mut cmd = git(self.workdir());
        cmd.args([
            "merge-tree",
            "--write-tree",
            "--no-messages",
            "--name-only",
            ours,
            theirs,
        ]);
        let out = cmd.output().map_err(Error::Spawn)?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut lines = text.lines();
        let tree = lines.next().unwrap_or_default().to_owned();
        match out.status.code() {
            Some(0) => Ok(Merged::Clean { tree }),
            Some(1) => Ok(Merged::Conflicts(
                lines
                    .take_while(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            )),
            _ => Err(Error::Failed {
                args: format!("merge-tree --write-tree {ours} {theirs}"),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            }),
        }
    }

    /// The files merging branches `a` and `b` would conflict on (empty: a clean merge).
    pub fn merge_conflicts(&self, a: &str, b: &str) -> Result<Vec<String>, Error> {
        Ok(match self.merge_tree(a, b)? {
            Merged::Clean { .. } => Vec::new(),
            Merged::Conflicts(files) => files,
        })
    }

    /// Whether `a` and `b` both have commits the other lacks (so a merge has work to do).
    pub fn diverged(&self, a: &str, b: &str) -> Result<bool, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["rev-list", "--count", "--left-right", &format!("{a}...{b}")]);
        let counts = output(cmd)?;
        let mut each = counts
            .split_whitespace()
            .map(|n| n.parse::<u64>().unwrap_or(0));
        Ok(each.next().unwrap_or(0) > 0 && each.next().unwrap_or(0) > 0)
    }

    /// Plays `branches` forward onto `base` in order: each merge result becomes a scratch
    /// commit the next merge starts from. Returns the merges that would conflict; a
    /// conflicting branch is left out of what follows.
    pub fn forecast_merges(&self, base: &str, branches: &[&str]) -> Result<Vec<Conflict>, Error> {
        let mut current = {
            let mut cmd = git(self.workdir());
            cmd.args(["rev-parse", "--verify", &format!("{base}^{{commit}}")]);
            output(cmd)?
        };
        let mut conflicts = Vec::new();
        for branch in branches {
            match self.merge_tree(&current, branch)? {
                Merged::Clean { tree } => {
                    let mut commit = git(self.workdir());
                    commit
                        .args(["commit-tree", &tree, "-p", &current, "-p", branch])
                        .args(["-m", "gitcoord merge forecast"])
                        .env("GIT_AUTHOR_NAME", "gitcoord")
                        .env("GIT_AUTHOR_EMAIL", "gitcoord@localhost")
                        .env("GIT_COMMITTER_NAME", "gitcoord")
                        .env("GIT_COMMITTER_EMAIL", "gitcoord@localhost");
                    current = output(commit)?;
                }
                Merged::Conflicts(files) => conflicts.push(Conflict {
                    branch: (*branch).to_owned(),
                    files,
                }),
            }
        }
        Ok(conflicts)
    }
}
