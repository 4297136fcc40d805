//! The state across machines, through any git remote: the real `git` fetches and pushes
//! (the user's credentials, transports and `insteadOf` apply), and a push that must
//! fast-forward is the remote compare-and-swap. No server of gitcoord's own.
//!
//! `sync` fetches the remote's state into [`tracking_ref`], then fast-forwards whichever
//! side is behind; when both moved, the local operations since the two last agreed are
//! replayed (`model::replay`) on top of the remote state, re-validated there, and the
//! result is pushed, again from the fetch while the remote keeps moving. The local ref
//! moves (by compare-and-swap) to the replayed chain before the push, so a process killed
//! between the two leaves a local state that already holds the remote's operations, and the
//! next sync simply pushes it.
//!
//! A strict update ([`Repo::update_strict`]) is published before it counts: it is applied on
//! top of the remote state and pushed, and only a push that succeeded moves the local ref.

use std::time::Duration;

use gix::ObjectId;
use serde::Serialize;

mod remote;

use super::command;
use super::history::Entry;
use super::store::{self, Snapshot};
use super::{Repo, state_cache};
use crate::model::replay::{Dropped, Renamed, Replaced, Replayer, Step};
use crate::model::shard::Scope;
use crate::model::state::FORMAT_VERSION;
use crate::model::{self, Applied, Record};
use remote::Pushed;

/// How many times a sync starts again from the fetch when the remote moved during it.
const MAX_ROUNDS: u32 = 12;

/// Where the remote `remote`'s state, as last fetched, is kept.
pub fn tracking_ref(remote: &str) -> String {
    format!("refs/gitcoord/remotes/{remote}/state")
}

/// What a sync did.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// Both sides held the same state.
    UpToDate,
    /// The local state fast-forwarded to the remote's.
    Pulled,
    /// The remote fast-forwarded to the local state (or got the ref).
    Pushed,
    /// Both had moved: the local operations were replayed on the remote's and pushed.
    Replayed,
}

/// What `sync` did, for people and scripts.
#[derive(Serialize, Clone, Debug)]
pub struct Report {
    /// The remote's name.
    pub remote: String,
    /// How the two sides were brought together.
    pub how: How,
    /// The state commit both sides hold now.
    pub state: String,
    /// Local operations that reached the remote.
    pub pushed: usize,
    /// Remote operations that reached this repository.
    pub pulled: usize,
    /// Local operations the remote state refused (a lock another machine took first).
    pub dropped: Vec<Dropped>,
    /// Message and decision ids given on both machines: the local one's new id.
    pub renamed: Vec<Renamed>,
    /// Memory keys written on both machines: the local write came later and won.
    pub replaced: Vec<Replaced>,
    /// How many times the remote moved during the sync and it started again.
    pub retries: u32,
    /// The site this clone joined the state as, on its first sync.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub joined: Option<String>,
}

impl Report {
    fn end(mut self, how: How, state: ObjectId, pushed: usize, pulled: usize) -> Report {
        self.how = how;
        self.state = state.to_string();
        self.pushed = pushed;
        self.pulled = pulled;
        self
    }
}

/// Why the state could not be synced. The local state is intact whatever the error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such remote is configured.
    #[error("no remote '{0}' is configured")]
    NoRemote(String),
    /// Fetching or pushing failed: the remote is unreachable, or refused the connection.
    #[error("cannot reach remote '{remote}': {said}")]
    Unreachable {
        /// The remote.
        remote: String,
        /// What git said.
        said: String,
    },
    /// The remote refused the push for another reason than a race (a hook, permissions).
    #[error("remote '{remote}' refused the state: {said}")]
    Refused {
        /// The remote.
        remote: String,
        /// What git said.
        said: String,
    },
    /// Neither side has a state.
    #[error("neither this repository nor remote '{0}' has a gitcoord state")]
    Nothing(String),
    /// The remote kept moving.
    #[error("the state on remote '{remote}' kept changing during the sync ({rounds} rounds)")]
    Contended {
        /// The remote.
        remote: String,
        /// Rounds tried.
        rounds: u32,
    },
    /// The remote's state does not read here; the local state was left as it was.
    #[error("the state on remote '{remote}' cannot be used: {source}")]
    RemoteState {
        /// The remote.
        remote: String,
        /// Why it does not read.
        source: store::Error,
    },
    /// The local state could not be read or written.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// `git` could not be run.
    #[error(transparent)]
    Command(#[from] command::Error),
}

impl Repo {
    /// Fetches `remote`'s state within `budget` and fast-forwards the local state to it
    /// when the local one is behind (a hook's refresh in strict mode: never a push).
    pub fn refresh_from(&self, remote: &str, budget: Duration) -> Result<(), Error> {
        let Some(there) = self.fetch_remote_state(remote, Some(budget))? else {
            return Ok(());
        };
        let here = self.state_head()?;
        let behind = match here {
            None => true,
            Some(here) => here != there && self.merge_base(here, there)? == Some(here),
        };
        if behind {
            self.check_remote_state(remote, there)?;
            // A lost race means another writer moved it: its state is as new.
            self.compare_and_swap(here, there)?;
        }
        Ok(())
    }

    /// Brings the local state and `remote`'s together (see the module's documentation).
    pub fn sync(&self, remote: &str) -> Result<Report, Error> {
        let mut acc = Report {
            remote: remote.to_owned(),
            how: How::UpToDate,
            state: String::new(),
            pushed: 0,
            pulled: 0,
            dropped: Vec::new(),
            renamed: Vec::new(),
            replaced: Vec::new(),
            retries: 0,
            joined: None,
        };
        for round in 0..MAX_ROUNDS {
            if round > 0 {
                std::thread::sleep(backoff(round));
            }
            let there = self.fetch_remote_state(remote, None)?;
            self.adopt_snapshots(remote);
            // Snapshots taken here and not there go with the state when it is pushed; when
            // the state itself has nothing to push, they go on their own.
            self.publish_snapshots(remote)?;
            let here = self.state_head()?;
            acc.retries = round;
            match (here, there) {
                (None, None) => return Err(Error::Nothing(remote.to_owned())),
                (None, Some(there)) => {
                    self.check_remote_state(remote, there)?;
                    if self.compare_and_swap(None, there)? {
                        let pulled = self.count_between(there, None)?;
                        return Ok(acc.end(How::Pulled, there, 0, pulled));
                    }
                }
                (Some(here), there) if Some(here) == there => {
                    return Ok(acc.end(How::UpToDate, here, 0, 0));
                }
                (Some(here), None) => {
                    if let Pushed::Done = self.push_state(remote, here)? {
                        let pushed = self.count_between(here, None)?;
                        return Ok(acc.end(How::Pushed, here, pushed, 0));
                    }
                }
                (Some(here), Some(there)) => {
                    let base = self.merge_base(here, there)?;
                    if base == Some(there) {
                        if let Pushed::Done = self.push_state(remote, here)? {
                            let pushed = self.count_between(here, Some(there))?;
                            return Ok(acc.end(How::Pushed, here, pushed, 0));
                        }
                    } else if base == Some(here) {
                        self.check_remote_state(remote, there)?;
                        if self.compare_and_swap(Some(here), there)? {
                            let pulled = self.count_between(there, Some(here))?;
                            return Ok(acc.end(How::Pulled, there, 0, pulled));
                        }
                    } else {
                        let replay = self.replay(remote, here, there, base)?;
                        acc.dropped.extend(replay.dropped);
                        acc.renamed.extend(replay.renamed);
                        acc.replaced.extend(replay.replaced);
                        let Some(new) = replay.tip else {
                            continue; // the local state moved meanwhile: again
                        };
                        if let Pushed::Done = self.push_state(remote, new)? {
                            let pulled = self.count_between(there, base)?;
                            return Ok(acc.end(How::Replayed, new, replay.kept, pulled));
                        }
                    }
                }
            }
        }
        Err(Error::Contended {
            remote: remote.to_owned(),
            rounds: MAX_ROUNDS,
        })
    }

    /// Applies `record` on top of `remote`'s state and publishes it there before it counts
    /// here: the local state is first synced, then the operation is pushed (again from the
    /// fetch if another machine moved the remote meanwhile), and only once the push
    /// succeeded does the local ref move. Unreachable: nothing is granted.
    pub fn update_strict(&self, remote: &str, record: &Record) -> Result<(Applied, Report), Error> {
        let scope = record.op.scope();
        let mut retries = 0;
        loop {
            let mut report = self.sync(remote)?;
            report.retries += retries;
            let Some(current) = self.read_state_in(&scope)? else {
                return Err(store::Error::NotInitialized.into());
            };
            let mut state = current.state.clone();
            let applied = model::op::apply(&mut state, record).map_err(store::Error::from)?;
            if applied.unchanged {
                return Ok((applied, report));
            }
            let (commit, tree) = self.write_commit(Some(&current), &state, record, &applied)?;
            match self.push_state(remote, commit)? {
                Pushed::Done => {
                    let _turn = self.writer_turn();
                    if self.compare_and_swap(Some(current.commit), commit)? {
                        state_cache::store(&self.common_dir(), tree, &state);
                    } else {
                        // A local writer moved the state meanwhile: its operations go on
                        // top of the one just published.
                        drop(_turn);
                        self.sync(remote)?;
                    }
                    report.state = commit.to_string();
                    report.pushed += 1;
                    return Ok((applied, report));
                }
                Pushed::Stale => {
                    retries += 1;
                    if retries >= MAX_ROUNDS {
                        return Err(Error::Contended {
                            remote: remote.to_owned(),
                            rounds: MAX_ROUNDS,
                        });
                    }
                    std::thread::sleep(backoff(retries));
                }
            }
        }
    }

    /// Reads the remote's state `there` whole before the local ref moves to it: a state that
    /// does not read (malformed, too new) stays the remote's problem, not this clone's.
    fn check_remote_state(&self, remote: &str, there: ObjectId) -> Result<(), Error> {
        self.read_remote_state(remote, there).map(drop)
    }

    /// The remote's state `there`, read whole; why not, as the remote's problem.
    fn read_remote_state(&self, remote: &str, there: ObjectId) -> Result<Snapshot, Error> {
        match self.read_state_at(there, &Scope::all()) {
            Ok(snapshot) => Ok(snapshot),
            Err(store::Error::Git(e)) => Err(store::Error::Git(e).into()),
            Err(source) => Err(Error::RemoteState {
                remote: remote.to_owned(),
                source,
            }),
        }
    }

    /// Replays the local operations from `base` to `here` on `there`, and moves the local
    /// ref to the result (unless it moved meanwhile: then `tip` is `None`).
    fn replay(
        &self,
        remote: &str,
        here: ObjectId,
        there: ObjectId,
        base: Option<ObjectId>,
    ) -> Result<Replayed, Error> {
        let _turn = self.writer_turn();
        let mut entries: Vec<Entry> = self.history_between(Some(here), base, usize::MAX)?;
        entries.reverse();
        let base_state = match base {
            Some(base) => self.read_state_at(base, &Scope::all())?.state,
            // Unrelated histories (two `init`s): the local records start from nothing.
            None => model::State::new(jiff::Timestamp::UNIX_EPOCH),
        };
        let mut replayer = Replayer::new(base_state);
        let mut parent = self.read_remote_state(remote, there)?;
        let mut out = Replayed::default();
        if parent.format < FORMAT_VERSION {
            if let Some(first) = entries.iter().find_map(|e| e.record.as_ref()) {
                let migrate = Record {
                    op: model::Op::Migrate {
                        from: parent.format,
                        to: FORMAT_VERSION,
                    },
                    actor: first.actor.clone(),
                    at: first.at,
                    site: None,
                };
                let mut state = parent.state.clone();
                let applied = model::op::apply(&mut state, &migrate).map_err(store::Error::from)?;
                parent = self.chain(parent, state, &migrate, &applied)?;
            }
        }
        for entry in entries {
            let Some(record) = entry.record else {
                out.dropped.push(Dropped {
                    summary: entry.summary,
                    record: None,
                    reason: "its state commit carries no operation to replay".to_owned(),
                });
                continue;
            };
            match replayer.step(&parent.state, &record) {
                Step::Kept {
                    record,
                    applied,
                    state,
                } => {
                    out.kept += 1;
                    if !applied.unchanged {
                        parent = self.chain(parent, *state, &record, &applied)?;
                    }
                }
                Step::Dropped { record, reason } => out.dropped.push(Dropped {
                    summary: entry.summary,
                    record: Some(record),
                    reason,
                }),
                Step::Skipped => {}
            }
        }
        out.renamed = replayer.renamed;
        out.replaced = replayer.replaced;
        if self.compare_and_swap(Some(here), parent.commit)? {
            state_cache::store(&self.common_dir(), parent.tree, &parent.state);
            out.tip = Some(parent.commit);
        }
        Ok(out)
    }

    /// Writes the commit of `state`, made by `record` on `parent`, and returns it as the
    /// next parent.
    fn chain(
        &self,
        parent: Snapshot,
        state: model::State,
        record: &Record,
        applied: &Applied,
    ) -> Result<Snapshot, Error> {
        let (commit, tree) = self.write_commit(Some(&parent), &state, record, applied)?;
        Ok(Snapshot {
            commit,
            state,
            scope: Scope::all(),
            tree,
            format: FORMAT_VERSION,
        })
    }
}

/// What a replay made.
#[derive(Default)]
struct Replayed {
    /// The new local state commit, when the local ref moved to it.
    tip: Option<ObjectId>,
    kept: usize,
    dropped: Vec<Dropped>,
    renamed: Vec<Renamed>,
    replaced: Vec<Replaced>,
}

/// Waits between rounds: growing from 20 ms to about 300 ms, with jitter, so machines racing
/// for the remote spread out.
fn backoff(round: u32) -> Duration {
    Duration::from_millis(u64::from(round.min(15)) * 20 + store::jitter(20))
}
