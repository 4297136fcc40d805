//! Sync's conversation with the remote, all through the real `git`: what is configured,
//! fetching the remote's state and snapshots, pushing the state never forced, and the
//! merge base and counts between two state commits. What to do with the answers is
//! `sync.rs`'s.

use std::time::Duration;

use gix::ObjectId;
use gix::refs::Target;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::super::Repo;
use super::super::command::{self, git};
use super::super::snapshots::SNAPSHOTS;
use super::super::store::STATE_REF;
use super::{Error, tracking_ref};

/// Every wave snapshot, pushed to the same name (never forced).
const SNAPSHOTS_SPEC: &str = "refs/gitcoord/snapshots/*:refs/gitcoord/snapshots/*";

pub(super) fn tracking_snapshots(remote: &str) -> String {
    format!("refs/gitcoord/remotes/{remote}/snapshots")
}

/// The result of one push of the state.
pub(super) enum Pushed {
    Done,
    /// The remote moved since the fetch.
    Stale,
}

impl Repo {
    /// Whether `name` is a configured remote.
    pub fn has_remote(&self, name: &str) -> bool {
        self.inner.find_remote(name).is_ok()
    }

    /// The remote's state as last fetched, if any.
    pub fn tracked_state(&self, remote: &str) -> Option<crate::model::ObjectId> {
        self.ref_commit(&tracking_ref(remote))
    }

    /// How many state commits the local state has that `remote`'s last-fetched state has
    /// not (ahead), and the other way (behind); `None` before the first fetch. No network.
    pub fn ahead_behind(&self, remote: &str) -> Result<Option<(usize, usize)>, Error> {
        let Some(there) = self.tracked_state(remote) else {
            return Ok(None);
        };
        let Some(here) = self.state_head()? else {
            let behind = self.count_between(there.into(), None)?;
            return Ok(Some((0, behind)));
        };
        let mut cmd = git(self.workdir());
        cmd.args([
            "rev-list",
            "--count",
            "--left-right",
            &format!("{here}...{there}"),
        ]);
        let text = command::output(cmd)?;
        let mut counts = text.split_whitespace().map(|n| n.parse().unwrap_or(0));
        Ok(Some((
            counts.next().unwrap_or(0),
            counts.next().unwrap_or(0),
        )))
    }

    /// Fetches the remote's state ref and wave snapshots into `refs/gitcoord/remotes/NAME/`,
    /// within `budget` when given. Returns the remote's state commit (`None`: it has none).
    pub fn fetch_remote_state(
        &self,
        remote: &str,
        budget: Option<Duration>,
    ) -> Result<Option<ObjectId>, Error> {
        if !self.has_remote(remote) {
            return Err(Error::NoRemote(remote.to_owned()));
        }
        // A pattern, so that a remote without the ref is no error: `state*` matches it alone.
        let state = format!("+{STATE_REF}*:{}*", tracking_ref(remote));
        let snapshots = format!("+{SNAPSHOTS}/*:{}/*", tracking_snapshots(remote));
        let mut cmd = git(self.workdir());
        cmd.args([
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            // A ref the remote no longer has is no longer tracked either.
            "--prune",
            "--no-recurse-submodules",
            remote,
            &state,
            &snapshots,
        ]);
        let fetched = match budget {
            Some(budget) => command::output_within(cmd, budget),
            None => command::output(cmd),
        };
        fetched.map_err(|e| unreachable(remote, e))?;
        Ok(self.ref_commit(&tracking_ref(remote)).map(ObjectId::from))
    }

    /// Pushes `commit` as the remote's state, never forced, with the local wave snapshots.
    pub(super) fn push_state(&self, remote: &str, commit: ObjectId) -> Result<Pushed, Error> {
        let state = format!("{commit}:{STATE_REF}");
        let out = self
            .push_command(remote, &[&state, SNAPSHOTS_SPEC])
            .output()
            .map_err(command::Error::Spawn)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        let line = stdout
            .lines()
            .find(|l| l.split('\t').nth(1).is_some_and(|r| r.ends_with(STATE_REF)));
        match line {
            Some(line) if !line.starts_with('!') => {
                self.set_tracking(remote, commit);
                Ok(Pushed::Done)
            }
            Some(line) if line.contains("[rejected]") => Ok(Pushed::Stale),
            // Two pushes checked against the same old value: the remote's own compare-and-swap
            // lets one in and refuses the other as a failed ref update. Only a fetch tells that
            // lost race from a refusal for good (a hook, permissions).
            Some(line)
                if line.contains("[remote rejected]") && self.overtaken(remote, commit)? =>
            {
                Ok(Pushed::Stale)
            }
            Some(line) => Err(Error::Refused {
                remote: remote.to_owned(),
                said: line.split('\t').nth(2).unwrap_or(line).to_owned() + "; " + &stderr,
            }),
            None => Err(Error::Unreachable {
                remote: remote.to_owned(),
                said: stderr,
            }),
        }
    }

    /// Whether the remote's state, fetched again, moved to one `commit` does not descend
    /// from: then a push of `commit` lost a race, whatever the remote said.
    pub(super) fn overtaken(&self, remote: &str, commit: ObjectId) -> Result<bool, Error> {
        let Some(there) = self.fetch_remote_state(remote, None)? else {
            return Ok(false);
        };
        Ok(self.merge_base(commit, there)? != Some(there))
    }

    /// `git push` of `refspecs` to `remote`, never forced, answering in git's porcelain
    /// format. The state is not code: the repository's pre-push hook has nothing to judge
    /// in it, and is not run.
    pub(super) fn push_command(&self, remote: &str, refspecs: &[&str]) -> std::process::Command {
        let mut cmd = git(self.workdir());
        cmd.args([
            "push",
            "--porcelain",
            "--no-verify",
            "--no-recurse-submodules",
            remote,
        ]);
        cmd.args(refspecs);
        cmd
    }

    /// Records `commit` as the remote's state, as a fetch would have.
    pub(super) fn set_tracking(&self, remote: &str, commit: ObjectId) {
        let Ok(name) = gix::refs::FullName::try_from(tracking_ref(remote).as_str()) else {
            return;
        };
        let edit = RefEdit {
            change: Change::Update {
                log: LogChange {
                    mode: RefLog::AndReference,
                    force_create_reflog: false,
                    message: "gitcoord sync: pushed".into(),
                },
                expected: PreviousValue::Any,
                new: Target::Object(commit),
            },
            name,
            deref: false,
        };
        // Only a hint for `status`: the next fetch sets it anyway.
        let _ = self.inner.edit_reference(edit);
    }

    /// Pushes the local wave snapshots the remote lacks (as last fetched), never forced: one
    /// the remote took first for the same wave and agent stays the remote's.
    pub(super) fn publish_snapshots(&self, remote: &str) -> Result<(), Error> {
        let theirs = format!("{}/", tracking_snapshots(remote));
        let missing = self
            .refs_under(&format!("{SNAPSHOTS}/"))
            .into_iter()
            .any(|rest| self.ref_commit(&format!("{theirs}{rest}")).is_none());
        if !missing {
            return Ok(());
        }
        // A snapshot refused (another machine's came first) is no failure of the sync.
        self.push_command(remote, &[SNAPSHOTS_SPEC])
            .output()
            .map_err(command::Error::Spawn)?;
        Ok(())
    }

    /// The names under `prefix` of the refs there, with the prefix taken off.
    pub(super) fn refs_under(&self, prefix: &str) -> Vec<String> {
        let Ok(platform) = self.inner.references() else {
            return Vec::new();
        };
        let Ok(refs) = platform.prefixed(prefix) else {
            return Vec::new();
        };
        refs.flatten()
            .filter_map(|r| {
                r.name()
                    .as_bstr()
                    .to_string()
                    .strip_prefix(prefix)
                    .map(str::to_owned)
            })
            .collect()
    }

    /// Creates the local wave snapshots the remote has and this repository lacks (snapshots
    /// are taken once: an existing one is never moved).
    pub(super) fn adopt_snapshots(&self, remote: &str) {
        let prefix = format!("{}/", tracking_snapshots(remote));
        let mut by_wave: std::collections::BTreeMap<String, Vec<(String, crate::model::ObjectId)>> =
            Default::default();
        for rest in self.refs_under(&prefix) {
            let Some((wave, who)) = rest.split_once('/') else {
                continue;
            };
            if self.ref_commit(&format!("{SNAPSHOTS}/{rest}")).is_some() {
                continue;
            }
            if let Some(id) = self.ref_commit(&format!("{prefix}{rest}")) {
                by_wave
                    .entry(wave.to_owned())
                    .or_default()
                    .push((who.to_owned(), id));
            }
        }
        for (wave, tips) in by_wave {
            let _ = self.write_snapshots(&wave, &tips);
        }
    }

    /// The best common ancestor of two state commits (`None`: unrelated histories).
    pub(super) fn merge_base(&self, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["merge-base", &a.to_string(), &b.to_string()]);
        let out = cmd.output().map_err(command::Error::Spawn)?;
        let text = String::from_utf8_lossy(&out.stdout);
        match (
            out.status.code(),
            ObjectId::from_hex(text.trim().as_bytes()),
        ) {
            (Some(0), Ok(id)) => Ok(Some(id)),
            (Some(1), _) => Ok(None),
            _ => Err(command::Error::Failed {
                args: format!("merge-base {a} {b}"),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            }
            .into()),
        }
    }

    /// How many state commits lead from `until` (exclusive; `None`: the root) to `from`.
    pub(super) fn count_between(
        &self,
        from: ObjectId,
        until: Option<ObjectId>,
    ) -> Result<usize, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["rev-list", "--count", "--first-parent", &from.to_string()]);
        if let Some(until) = until {
            cmd.arg(format!("^{until}"));
        }
        let text = command::output(cmd)?;
        Ok(text.trim().parse().unwrap_or(0))
    }
}

pub(super) fn unreachable(remote: &str, e: command::Error) -> Error {
    match e {
        command::Error::Failed { stderr, .. } => Error::Unreachable {
            remote: remote.to_owned(),
            said: stderr,
        },
        e => Error::Command(e),
    }
}
