//! The state ref `refs/gitcoord/state`: reading the current state (O(current state): one
//! commit, one tree, a few blobs) and writing one commit per operation, moved into place by
//! compare-and-swap and retried against the newer state when another writer won the race.

use std::collections::BTreeMap;
use std::time::Duration;

use gix::ObjectId;
use gix::refs::Target;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::state_tree::TreeReader;
use super::{Repo, state_cache};
use crate::model::shard::{self, Scope};
use crate::model::state::FORMAT_VERSION;
use crate::model::{self, Applied, OpError, Record, State, files};

/// The ref holding the coordination state.
pub const STATE_REF: &str = "refs/gitcoord/state";

/// The trailer carrying the machine-readable operation in each state commit's message.
pub const RECORD_TRAILER: &str = "Gitcoord-Record: ";

const MAX_ATTEMPTS: u32 = 200;

/// How long a writer holding the turn waits for the state ref's lock file to go before it
/// counts as left by a killed writer.
#[cfg(unix)]
const STALE_LOCK_WAIT: Duration = Duration::from_secs(1);

/// The state as of one commit of the state ref, read in a [`Scope`].
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The state commit.
    pub commit: ObjectId,
    /// The parsed state: meta, halt and agents, and the locks and messages of `scope`.
    pub state: State,
    /// What of the state was read.
    pub(super) scope: Scope,
    /// The state tree.
    pub(super) tree: ObjectId,
    /// The format read; an older one is migrated by the next write.
    pub(super) format: u32,
}

impl Snapshot {
    /// What of the state was read: a state read in a narrower scope than everything holds
    /// only the locks (and messages) of that scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// There is no state yet.
    #[error("this repository has no gitcoord state yet")]
    NotInitialized,
    /// The state ref is not a plain ref to a commit (a symbolic ref, a tag).
    #[error("{STATE_REF} is {what}, not a state commit; nothing was changed")]
    NotACommit {
        /// What it is.
        what: String,
    },
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
    /// A bug: the operation would change a part of the state it did not read.
    #[error("{0}; nothing was changed")]
    Scope(#[from] files::OutOfScope),
    /// Every attempt lost the race.
    #[error("the state kept changing under this update ({MAX_ATTEMPTS} attempts)")]
    Contended,
    /// A git object or ref could not be read or written.
    #[error("cannot read or write the state's git objects")]
    Git(#[source] super::Source),
}

pub(super) fn git_err(e: impl Into<super::Source>) -> Error {
    Error::Git(e.into())
}

impl Repo {
    /// The id of the current state commit, if any.
    pub fn state_head(&self) -> Result<Option<ObjectId>, Error> {
        let Some(reference) = self.inner.try_find_reference(STATE_REF).map_err(git_err)? else {
            return Ok(None);
        };
        // Only a ref pointing straight at a commit is a state: through a symbolic ref, a
        // write (or a recovery by `git update-ref`) would move the ref it names, a branch.
        let Some(id) = reference.target().try_id().map(|id| id.to_owned()) else {
            return Err(Error::NotACommit {
                what: format!(
                    "a symbolic ref to {}",
                    reference
                        .target()
                        .try_name()
                        .map(|n| n.as_bstr().to_string())
                        .unwrap_or_default()
                ),
            });
        };
        let kind = self.inner.find_header(id).map_err(git_err)?.kind();
        if kind != gix::object::Kind::Commit {
            return Err(Error::NotACommit {
                what: format!("a {kind} ({})", id.to_hex_with_len(10)),
            });
        }
        Ok(Some(id))
    }

    /// Reads the whole current state, or `None` when there is none yet.
    pub fn read_state(&self) -> Result<Option<Snapshot>, Error> {
        self.read_state_in(&Scope::all())
    }

    /// Reads the current state in `scope` (see [`Scope`]), or `None` when there is none yet.
    pub fn read_state_in(&self, scope: &Scope) -> Result<Option<Snapshot>, Error> {
        match self.state_head()? {
            Some(id) => self.read_state_at(id, scope).map(Some),
            None => Ok(None),
        }
    }

    /// Reads the whole current state, or says to run `gitcoord init`.
    pub fn require_state(&self) -> Result<Snapshot, Error> {
        self.read_state()?.ok_or(Error::NotInitialized)
    }

    /// Reads the state recorded by the state commit `id`, in `scope`.
    pub fn read_state_at(&self, id: ObjectId, scope: &Scope) -> Result<Snapshot, Error> {
        let reader = TreeReader {
            repo: self,
            commit: id.to_hex_with_len(10).to_string(),
        };
        let commit = self.inner.find_commit(id).map_err(git_err)?;
        let tree = commit.tree_id().map_err(git_err)?.detach();
        let root = reader.entries(tree)?;
        let meta = match root.get(files::META_FILE) {
            Some(entry) if entry.is_blob => reader.text(files::META_FILE, entry.oid)?,
            _ => return Err(reader.corrupt(files::Error::NoMeta)),
        };
        let format = files::format_of(&meta).map_err(|e| reader.classify(e))?;
        if format < 2 {
            let state = reader.format_1(&root, meta)?;
            return Ok(Snapshot {
                commit: id,
                state,
                scope: Scope::all(),
                tree,
                format,
            });
        }
        for (name, entry) in &root {
            let dir = [
                shard::AGENTS_DIR,
                files::TASKS_DIR,
                files::DECISIONS_DIR,
                shard::LOCKS_DIR,
                shard::MESSAGES_DIR,
                shard::MEMORY_DIR,
            ]
            .contains(&name.as_str());
            let file =
                [files::META_FILE, files::HALT_FILE, files::PLAN_FILE].contains(&name.as_str());
            // Unknown directories and TOML files are a newer version's, and kept as they are.
            let unknown_blob = !dir && !file && entry.is_blob && !name.ends_with(".toml");
            if (dir && entry.is_blob) || (file && !entry.is_blob) || unknown_blob {
                return Err(reader.foreign(name));
            }
        }
        let common_dir = self.common_dir();
        let mut state = match state_cache::load(&common_dir, tree) {
            Some(core) => core,
            None => {
                let mut texts = BTreeMap::new();
                texts.insert(files::META_FILE.to_owned(), meta);
                if let Some(halt) = root.get(files::HALT_FILE) {
                    texts.insert(
                        files::HALT_FILE.to_owned(),
                        reader.text(files::HALT_FILE, halt.oid)?,
                    );
                }
                if let Some(plan) = root.get(files::PLAN_FILE) {
                    texts.insert(
                        files::PLAN_FILE.to_owned(),
                        reader.text(files::PLAN_FILE, plan.oid)?,
                    );
                }
                for dir in [shard::AGENTS_DIR, files::TASKS_DIR, files::DECISIONS_DIR] {
                    if let Some(tree) = root.get(dir) {
                        reader.all_files(dir, tree.oid, false, &mut texts)?;
                    }
                }
                let core = files::core_from_files(&texts).map_err(|e| reader.classify(e))?;
                state_cache::store(&common_dir, tree, &core);
                core
            }
        };
        let mut parts = BTreeMap::new();
        if let Some(locks) = root.get(shard::LOCKS_DIR) {
            reader.lock_files(locks.oid, scope, &mut parts)?;
        }
        if let (true, Some(messages)) = (scope.messages, root.get(shard::MESSAGES_DIR)) {
            reader.all_files(shard::MESSAGES_DIR, messages.oid, false, &mut parts)?;
        }
        if let (true, Some(memory)) = (scope.memory, root.get(shard::MEMORY_DIR)) {
            reader.all_files(shard::MEMORY_DIR, memory.oid, true, &mut parts)?;
        }
        files::add_parts(
            &mut state,
            parts.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|e| reader.classify(e))?;
        Ok(Snapshot {
            commit: id,
            state,
            scope: scope.clone(),
            tree,
            format,
        })
    }

    /// Applies `record` to the current state and commits the result, retrying on lost races:
    /// each retry re-reads the state and re-validates the operation against it.
    pub fn update(&self, record: &Record) -> Result<(Applied, ObjectId), Error> {
        self.update_from(self.read_state()?, record)
    }

    /// Like [`Repo::update`], starting from `current`, a state the caller has just read, so
    /// an operation costs one read of the state when no other writer interferes. A state of
    /// an older format is first migrated, as an operation of its own.
    pub fn update_from(
        &self,
        current: Option<Snapshot>,
        record: &Record,
    ) -> Result<(Applied, ObjectId), Error> {
        let _turn = self.writer_turn();
        let scope = record.op.scope();
        let mut current = current;
        let usable = current
            .as_ref()
            .is_none_or(|snap| snap.scope.covers(&scope));
        if !usable || self.state_head()? != current.as_ref().map(|s| s.commit) {
            current = self.read_state_in(&scope)?;
        }
        let mut attempt = 0;
        loop {
            let migration = current
                .as_ref()
                .filter(|snap| snap.format < FORMAT_VERSION)
                .map(|snap| Record {
                    op: model::Op::Migrate {
                        from: snap.format,
                        to: FORMAT_VERSION,
                    },
                    actor: record.actor.clone(),
                    at: record.at,
                    site: None,
                });
            let step = migration.as_ref().unwrap_or(record);
            let (mut state, expected) = match (&current, &step.op) {
                // A concurrent `init` won the race: the state exists, which is all init asks.
                (Some(snap), model::Op::Init) => {
                    let applied = Applied::new("the coordination state already exists");
                    return Ok((applied, snap.commit));
                }
                (Some(snap), _) => (snap.state.clone(), Some(snap.commit)),
                (None, model::Op::Init) => (State::new(record.at), None),
                (None, _) => return Err(Error::NotInitialized),
            };
            let applied = model::op::apply(&mut state, step)?;
            if let (true, Some(commit)) = (applied.unchanged, expected) {
                // Nothing to record: the state stays as it is, with no new commit.
                return Ok((applied, commit));
            }
            let (commit, tree) = self.write_commit(current.as_ref(), &state, step, &applied)?;
            if self.compare_and_swap(expected, commit)? {
                // The writer holds the new state parsed already: caching it now spares the
                // next reader (typically a hook) the parse.
                state_cache::store(&self.common_dir(), tree, &state);
                if migration.is_none() {
                    return Ok((applied, commit));
                }
            } else {
                attempt += 1;
                if attempt >= MAX_ATTEMPTS {
                    return Err(Error::Contended);
                }
                std::thread::sleep(backoff(attempt));
            }
            current = self.read_state_in(&scope)?;
        }
    }

    /// Waits for this process's turn to write, among gitcoord writers on this machine: an
    /// advisory lock on a file in the common git dir, released when the returned file is
    /// dropped (or the process dies). Taking turns spares concurrent writers the lost races
    /// and redone work of pure optimism; the compare-and-swap stays the guarantee, against
    /// writers that do not take turns (`git update-ref`, a fetch). `None` when the lock
    /// cannot be had (e.g. a read-only git dir), in which case the CAS alone decides.
    #[cfg(unix)]
    pub(super) fn writer_turn(&self) -> Option<std::fs::File> {
        let path = self.common_dir().join("gitcoord-writer.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .ok()?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive).ok()?;
        self.clear_stale_ref_lock();
        Some(file)
    }

    /// Removes the state ref's lock file left by a writer killed mid-update. Called with
    /// the writer's turn held, so no gitcoord writer is updating the ref: a lock file that
    /// outlives a short wait (far longer than any ref update of git's takes) is stale, and
    /// would otherwise refuse every later write.
    fn clear_stale_ref_lock(&self) {
        let lock = self.common_dir().join(format!("{STATE_REF}.lock"));
        let deadline = std::time::Instant::now() + STALE_LOCK_WAIT;
        while lock.exists() {
            if std::time::Instant::now() >= deadline {
                let _ = std::fs::remove_file(&lock);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Elsewhere writers rely on the compare-and-swap alone.
    #[cfg(not(unix))]
    pub(super) fn writer_turn(&self) -> Option<std::fs::File> {
        None
    }

    /// Writes the commit of `state`, the result of `record` on `parent`: only the files
    /// that changed get new blobs, and only the trees above them are rewritten.
    pub(super) fn write_commit(
        &self,
        parent: Option<&Snapshot>,
        state: &State,
        record: &Record,
        applied: &Applied,
    ) -> Result<(ObjectId, ObjectId), Error> {
        let (base, changes) = match parent {
            Some(p) if p.format >= 2 => (p.tree, files::changes(&p.state, state, &p.scope)?),
            // A new state, or a migration: every file, in place of format 1's.
            _ => {
                let all = files::to_files(state)
                    .into_iter()
                    .map(|(k, v)| (k, Some(v)));
                let base = parent.map_or(ObjectId::empty_tree(gix::hash::Kind::Sha1), |p| p.tree);
                let old = files::FORMAT_1_FILES
                    .iter()
                    .map(|f| ((*f).to_owned(), None));
                (base, old.chain(all).collect())
            }
        };
        let mut editor = self.inner.edit_tree(base).map_err(git_err)?;
        for (path, text) in &changes {
            match text {
                Some(text) => {
                    let oid = self.inner.write_blob(text.as_bytes()).map_err(git_err)?;
                    editor
                        .upsert(path.as_str(), gix::objs::tree::EntryKind::Blob, oid)
                        .map_err(git_err)?;
                }
                None => {
                    editor.remove(path.as_str()).map_err(git_err)?;
                }
            }
        }
        let tree = editor.write().map_err(git_err)?.detach();
        let signature = gix::actor::Signature {
            name: record.actor.label().into(),
            email: "gitcoord@localhost".into(),
            time: gix::date::Time {
                seconds: record.at.as_second(),
                offset: 0,
            },
        };
        let json = serde_json::to_string(record).expect("records always serialise to JSON");
        // The summary embeds free text (reasons, titles): one line, so it can neither end the
        // subject early nor add a line that reads as a record.
        let summary = crate::model::text::one_line(&applied.summary);
        let message = format!("{summary}\n\n{RECORD_TRAILER}{json}\n");
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
    pub(super) fn compare_and_swap(
        &self,
        expected: Option<ObjectId>,
        new: ObjectId,
    ) -> Result<bool, Error> {
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
    let base = u64::from(attempt.min(25)) * 1000;
    Duration::from_micros(base + jitter(1000))
}

/// A number below `below` that differs between processes and moments (the clock's
/// nanoseconds mixed with the process id): enough to keep racing writers apart.
pub(super) fn jitter(below: u32) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    u64::from((nanos ^ std::process::id().wrapping_mul(2_654_435_761)) % below.max(1))
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
