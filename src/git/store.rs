//! The state ref `refs/gitcoord/state`: reading the current state (O(current state): one
//! commit, one tree, a few blobs) and writing one commit per operation, moved into place by
//! compare-and-swap and retried against the newer state when another writer won the race.

use std::collections::BTreeMap;
use std::time::Duration;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::refs::Target;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::{Repo, state_cache};
use crate::model::{self, Applied, OpError, Record, State, files};

/// The ref holding the coordination state.
pub const STATE_REF: &str = "refs/gitcoord/state";

/// The trailer carrying the machine-readable operation in each state commit's message.
pub const RECORD_TRAILER: &str = "Gitcoord-Record: ";

const MAX_ATTEMPTS: u32 = 200;

/// The state as of one commit of the state ref.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The state commit.
    pub commit: ObjectId,
    /// The parsed state.
    pub state: State,
    /// The raw files of the tree, to keep unknown ones and skip rewriting unchanged ones.
    files: BTreeMap<String, (ObjectId, String)>,
}

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// There is no state yet.
    #[error("this repository has no gitcoord state yet")]
    NotInitialized,
    /// A state file is corrupt; nothing is written on top of it.
    #[error("the state at {commit} is corrupt: {source}; nothing was changed")]
    Corrupt {
        /// The short commit id.
        commit: String,
        /// What is wrong.
        source: files::Error,
    },
    /// The state was written by a newer gitcoord; it is not corrupt, just not readable here.
    #[error("{0}; nothing was changed")]
    TooNew(files::Error),
    /// The state tree holds something else than TOML files.
    #[error("the state at {commit} holds '{name}', which is not a TOML file; nothing was changed")]
    Foreign {
        /// The short commit id.
        commit: String,
        /// The entry name.
        name: String,
    },
    /// The operation was refused or is invalid for the current state.
    #[error(transparent)]
    Op(#[from] OpError),
    /// Every attempt lost the race.
    #[error("the state kept changing under this update ({MAX_ATTEMPTS} attempts)")]
    Contended,
    /// A git object or ref could not be read or written.
    #[error("cannot read or write the state's git objects")]
    Git(#[source] super::Source),
}

fn git_err(e: impl Into<super::Source>) -> Error {
    Error::Git(e.into())
}

impl Repo {
    /// The id of the current state commit, if any.
    pub fn state_head(&self) -> Result<Option<ObjectId>, Error> {
        let Some(mut reference) = self.inner.try_find_reference(STATE_REF).map_err(git_err)? else {
            return Ok(None);
        };
        let id = reference.peel_to_id().map_err(git_err)?;
        Ok(Some(id.detach()))
    }

    /// Reads the current state, or `None` when there is none yet.
    pub fn read_state(&self) -> Result<Option<Snapshot>, Error> {
        match self.state_head()? {
            Some(id) => self.read_state_at(id).map(Some),
            None => Ok(None),
        }
    }

    /// Reads the current state, or says to run `gitcoord init`.
    pub fn require_state(&self) -> Result<Snapshot, Error> {
        self.read_state()?.ok_or(Error::NotInitialized)
    }

    /// Reads the state recorded by the state commit `id`.
    pub fn read_state_at(&self, id: ObjectId) -> Result<Snapshot, Error> {
        let short = id.to_hex_with_len(10).to_string();
        let commit = self.inner.find_commit(id).map_err(git_err)?;
        let tree = commit.tree().map_err(git_err)?;
        let mut raw = BTreeMap::new();
        for entry in tree.iter() {
            let entry = entry.map_err(git_err)?;
            let name = entry.filename().to_str_lossy().into_owned();
            if !entry.mode().is_blob() || !name.ends_with(".toml") {
                return Err(Error::Foreign {
                    commit: short,
                    name,
                });
            }
            let blob = self.inner.find_blob(entry.oid()).map_err(git_err)?;
            let text = String::from_utf8(blob.data.clone()).map_err(|_| Error::Corrupt {
                commit: short.clone(),
                source: files::Error::Malformed {
                    file: name.clone(),
                    message: "it is not UTF-8 text".into(),
                },
            })?;
            raw.insert(name, (entry.oid().to_owned(), text));
        }
        let common_dir = self.common_dir();
        let state = match state_cache::load(&common_dir, tree.id) {
            Some(state) => state,
            None => {
                let texts = raw
                    .iter()
                    .map(|(k, (_, t))| (k.clone(), t.clone()))
                    .collect();
                let state = files::from_files(&texts).map_err(|source| match source {
                    files::Error::TooNew { .. } => Error::TooNew(source),
                    source => Error::Corrupt {
                        commit: short,
                        source,
                    },
                })?;
                state_cache::store(&common_dir, tree.id, &state);
                state
            }
        };
        Ok(Snapshot {
            commit: id,
            state,
            files: raw,
        })
    }

    /// Applies `record` to the current state and commits the result, retrying on lost races:
    /// each retry re-reads the state and re-validates the operation against it.
    pub fn update(&self, record: &Record) -> Result<(Applied, ObjectId), Error> {
        self.update_from(self.read_state()?, record)
    }

    /// Like [`Repo::update`], starting from `current`, a state the caller has just read, so
    /// an operation costs one read of the state when no other writer interferes.
    pub fn update_from(
        &self,
        current: Option<Snapshot>,
        record: &Record,
    ) -> Result<(Applied, ObjectId), Error> {
        let _turn = self.writer_turn();
        let mut current = current;
        if self.state_head()? != current.as_ref().map(|s| s.commit) {
            current = self.read_state()?;
        }
        let mut attempt = 0;
        loop {
            let (mut state, expected) = match (&current, &record.op) {
                // A concurrent `init` won the race: the state exists, which is all init asks.
                (Some(snap), model::Op::Init) => {
                    let applied = Applied::new("the coordination state already exists");
                    return Ok((applied, snap.commit));
                }
                (Some(snap), _) => (snap.state.clone(), Some(snap.commit)),
                (None, model::Op::Init) => (State::new(record.at), None),
                (None, _) => return Err(Error::NotInitialized),
            };
            let applied = model::op::apply(&mut state, record)?;
            let (commit, tree) = self.write_commit(current.as_ref(), &state, record, &applied)?;
            if self.compare_and_swap(expected, commit)? {
                // The writer holds the new state parsed already: caching it now spares the
                // next reader (typically a hook) the parse.
                state_cache::store(&self.common_dir(), tree, &state);
                return Ok((applied, commit));
            }
            attempt += 1;
            if attempt >= MAX_ATTEMPTS {
                return Err(Error::Contended);
            }
            std::thread::sleep(backoff(attempt));
            current = self.read_state()?;
        }
    }

    /// Waits for this process's turn to write, among gitcoord writers on this machine: an
    /// advisory lock on a file in the common git dir, released when the returned file is
    /// dropped (or the process dies). Taking turns spares concurrent writers the lost races
    /// and redone work of pure optimism; the compare-and-swap stays the guarantee, against
    /// writers that do not take turns (`git update-ref`, a fetch). `None` when the lock
    /// cannot be had (e.g. a read-only git dir), in which case the CAS alone decides.
    #[cfg(unix)]
    fn writer_turn(&self) -> Option<std::fs::File> {
        let path = self.common_dir().join("gitcoord-writer.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .ok()?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive).ok()?;
        Some(file)
    }

    /// Elsewhere writers rely on the compare-and-swap alone.
    #[cfg(not(unix))]
    fn writer_turn(&self) -> Option<std::fs::File> {
        None
    }

    fn write_commit(
        &self,
        parent: Option<&Snapshot>,
        state: &State,
        record: &Record,
        applied: &Applied,
    ) -> Result<(ObjectId, ObjectId), Error> {
        let mut new_files = files::to_files(state);
        if let Some(parent) = parent {
            // Keep files written by newer versions that this one does not know.
            for (name, (_, text)) in &parent.files {
                if !files::KNOWN.contains(&name.as_str()) {
                    new_files.insert(name.clone(), text.clone());
                }
            }
        }
        let mut entries = Vec::with_capacity(new_files.len());
        for (name, text) in &new_files {
            let unchanged = parent
                .and_then(|p| p.files.get(name))
                .filter(|(_, old)| old == text)
                .map(|(id, _)| *id);
            let oid = match unchanged {
                Some(id) => id,
                None => self
                    .inner
                    .write_blob(text.as_bytes())
                    .map_err(git_err)?
                    .detach(),
            };
            entries.push(gix::objs::tree::Entry {
                mode: gix::objs::tree::EntryKind::Blob.into(),
                filename: name.as_str().into(),
                oid,
            });
        }
        entries.sort();
        let tree = self
            .inner
            .write_object(gix::objs::Tree { entries })
            .map_err(git_err)?
            .detach();
        let signature = gix::actor::Signature {
            name: record.actor.label().into(),
            email: "gitcoord@localhost".into(),
            time: gix::date::Time {
                seconds: record.at.as_second(),
                offset: 0,
            },
        };
        let json = serde_json::to_string(record).expect("records always serialise to JSON");
        let message = format!("{}\n\n{RECORD_TRAILER}{json}\n", applied.summary);
        let commit = gix::objs::Commit {
            tree,
            parents: parent.map(|p| p.commit).into_iter().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        let commit = self.inner.write_object(commit).map_err(git_err)?.detach();
        Ok((commit, tree))
    }

    /// Moves the state ref from `expected` to `new`; false when another writer moved it first.
    fn compare_and_swap(&self, expected: Option<ObjectId>, new: ObjectId) -> Result<bool, Error> {
        let edit = RefEdit {
            change: Change::Update {
                log: LogChange {
                    mode: RefLog::AndReference,
                    force_create_reflog: false,
                    message: "gitcoord".into(),
                },
                expected: match expected {
                    Some(id) => PreviousValue::MustExistAndMatch(Target::Object(id)),
                    None => PreviousValue::MustNotExist,
                },
                new: Target::Object(new),
            },
            name: STATE_REF.try_into().expect("the state ref name is valid"),
            deref: false,
        };
        let mut time = gix::date::parse::TimeBuf::default();
        let signature = gix::actor::Signature {
            name: "gitcoord".into(),
            email: "gitcoord@localhost".into(),
            time: gix::date::Time::now_utc(),
        };
        match self
            .inner
            .edit_references_as(Some(edit), Some(signature.to_ref(&mut time)))
        {
            Ok(_) => Ok(true),
            Err(err) if lost_race(&err) => Ok(false),
            Err(err) => Err(git_err(err)),
        }
    }
}

/// Whether a failed ref update lost a race: the ref moved since it was read (gix classifies
/// that as a conflict) or another writer holds its lock file (retryable). Both mean "read
/// again and retry"; anything else persists and is reported.
fn lost_race(err: &gix::Error) -> bool {
    err.is_conflict() || err.is_retryable()
}

/// Backoff with jitter, growing from about 1 ms to 25 ms, so racing writers spread out.
fn backoff(attempt: u32) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = u64::from((nanos ^ std::process::id().wrapping_mul(2_654_435_761)) % 1000);
    let base = u64::from(attempt.min(25)) * 1000;
    Duration::from_micros(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Actor, Op};

    /// A new repository (made by the real git) with a coordination state.
    fn repo_with_state() -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let status = super::super::command::git(dir.path())
            .args(["init", "-q"])
            .status()
            .expect("git runs");
        assert!(status.success());
        let repo = Repo::discover(dir.path()).expect("the new repository opens");
        let record = Record {
            op: Op::Init,
            actor: Actor::User { name: "t".into() },
            at: jiff::Timestamp::UNIX_EPOCH,
        };
        repo.update(&record).expect("init writes the state");
        (dir, repo)
    }

    #[test]
    fn a_moved_ref_and_a_held_lock_are_lost_races() {
        let (_dir, repo) = repo_with_state();
        let head = repo.state_head().expect("readable").expect("a state");
        // Expecting another value than the ref holds: gix reports a conflict.
        let stale = ObjectId::null(gix::hash::Kind::Sha1);
        assert_eq!(repo.compare_and_swap(Some(stale), head).ok(), Some(false));
        let other = repo.inner.write_blob(b"x").expect("write a blob").detach();
        assert_eq!(repo.compare_and_swap(None, other).ok(), Some(false));
        assert_eq!(repo.state_head().ok(), Some(Some(head)), "nothing moved");
        // Another writer holds the ref's lock file: retryable.
        let lock = repo.common_dir().join("refs/gitcoord/state.lock");
        std::fs::write(&lock, "").expect("write the lock file");
        assert_eq!(repo.compare_and_swap(Some(head), head).ok(), Some(false));
        std::fs::remove_file(&lock).expect("remove the lock file");
        assert_eq!(repo.compare_and_swap(Some(head), head).ok(), Some(true));
    }

    #[test]
    fn the_writer_caches_exactly_what_its_tree_parses_to() {
        let (_dir, repo) = repo_with_state();
        let record = Record {
            op: Op::Lock {
                patterns: vec!["src/ünï code.rs".into(), "docs/**".into()],
                reason: Some("why \"quoted\"\nand a second line".into()),
                ttl_secs: 90,
            },
            actor: Actor::User { name: "t".into() },
            at: "2026-03-01T12:00:00.25Z".parse().expect("a time"),
        };
        repo.update(&record).expect("the lock is taken");
        let head = repo.state_head().expect("readable").expect("a state");
        let tree = repo
            .inner
            .find_commit(head)
            .expect("the state commit")
            .tree_id()
            .expect("its tree")
            .detach();
        let cached = state_cache::load(&repo.common_dir(), tree).expect("the writer cached it");
        std::fs::remove_file(repo.common_dir().join("gitcoord-state-cache.json"))
            .expect("drop the cache");
        let parsed = repo.read_state_at(head).expect("the tree parses").state;
        assert_eq!(cached, parsed);
    }

    #[test]
    fn no_repository_is_classified_as_such() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let e = Repo::discover(dir.path())
            .err()
            .expect("no repository here");
        assert!(
            matches!(e, super::super::repo::Error::NotARepo { .. }),
            "{e:?}"
        );
    }
}
