//! Replaying one machine's operations on top of another's state: what `sync` does when both
//! sides moved since they last agreed.
//!
//! Each local record is applied again, in order, to the remote state, and re-validated
//! there: what the remote took first wins, so a record that no longer applies (a lock
//! another machine took) is dropped and said why. Ids minted from the state's counters
//! (messages `mN`, decisions `dN`) may have been given on the other machine too: the
//! replayed record then gets the next free id there, and later records naming the old id
//! (an acknowledgement, a reply, an input) are rewritten to the new one. Memory written on
//! both sides under one key keeps the replayed (later) write, and says whose it replaced.

use std::collections::BTreeMap;

use serde::Serialize;

use super::op::{self, Applied, Op, Record};
use super::{OpError, State};

/// What became of one replayed record.
#[derive(Debug)]
pub enum Step {
    /// Applied to the remote state; `state` is the result to record.
    Kept {
        /// The record as applied (ids rewritten).
        record: Record,
        /// What it did.
        applied: Applied,
    },
    /// No longer applies to the remote state: not recorded.
    Dropped {
        /// The record (ids rewritten).
        record: Record,
        /// Why, with who holds what now.
        reason: String,
    },
    /// Nothing to replay (the creation of the state, a change of format).
    Skipped,
}

/// A local operation the remote state refused.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// What it did here (its state commit's subject).
    pub summary: String,
    /// The operation, as recorded (`None`: its commit carries no record).
    pub record: Option<Record>,
    /// Why it no longer applies, with who holds what now.
    pub reason: String,
}

/// An id given on both machines: the replayed one now has another.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Renamed {
    /// The id it had on this machine.
    pub from: String,
    /// Its id now.
    pub to: String,
}

/// A memory key written on both machines: the replayed write won, the remote's is replaced.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// The `area/topic` key.
    pub key: String,
    /// Who wrote the value replaced (agent id or `user:NAME`), or `None` if it was removed.
    pub by: Option<String>,
}

/// Replays records onto a state, keeping track of ids renamed on the way.
pub struct Replayer {
    /// The state both sides last agreed on, carried forward with the local records as they
    /// were applied here, so the ids they minted locally are known.
    base: State,
    renames: BTreeMap<String, String>,
    /// Ids renamed so far, in order.
    pub renamed: Vec<Renamed>,
    /// Memory keys written on both sides, in order.
    pub replaced: Vec<Replaced>,
}

impl Replayer {
    /// A replay of records made on top of `base`.
    pub fn new(base: State) -> Replayer {
        Replayer {
            base,
            renames: BTreeMap::new(),
            renamed: Vec::new(),
            replaced: Vec::new(),
        }
    }

    /// Applies the next local `record` to `state` (the remote side, changed only when the
    /// record is kept).
    pub fn step(&mut self, state: &mut State, record: &Record) -> Step {
        if matches!(record.op, Op::Init | Op::Migrate { .. }) {
            return Step::Skipped;
        }
        let memory_key = match &record.op {
            Op::MemorySet { key, .. } | Op::MemoryRm { key } => Some(key.as_str()),
            _ => None,
        };
        // A memory key the other side changed since the fork: its value there differs from
        // the one here just before this record.
        let replaced = memory_key.and_then(|key| {
            let there = state.memory.get(key);
            (there != self.base.memory.get(key)).then(|| Replaced {
                key: key.to_owned(),
                by: there.map(|e| e.by.clone()),
            })
        });
        // The record as it was applied here, for the id it minted locally.
        let local = op::apply(&mut self.base, record).ok();
        let mut record = record.clone();
        self.rewrite(&mut record.op);
        let mut next = state.clone();
        match op::apply(&mut next, &record) {
            Ok(applied) => {
                if let (Some(old), Some(new)) = (
                    local.as_ref().and_then(|a| a.id.clone()),
                    applied.id.clone(),
                ) {
                    if old != new {
                        self.renames.insert(old.clone(), new.clone());
                        self.renamed.push(Renamed { from: old, to: new });
                    }
                }
                self.replaced.extend(replaced);
                *state = next;
                Step::Kept { record, applied }
            }
            Err(error) => Step::Dropped {
                reason: reason(&error),
                record,
            },
        }
    }

    /// Rewrites the ids a record names that were renamed earlier in this replay.
    fn rewrite(&self, op: &mut Op) {
        let rename = |id: &mut String| {
            if let Some(new) = self.renames.get(id.as_str()) {
                id.clone_from(new);
            }
        };
        match op {
            Op::MsgAck { id } | Op::DecisionInput { id, .. } | Op::DecisionResolve { id, .. } => {
                rename(id)
            }
            Op::MsgSend(draft) | Op::Handoff(draft) => {
                if let Some(parent) = draft.reply_to.as_mut() {
                    rename(parent);
                }
            }
            _ => {}
        }
    }
}

/// Why a record was dropped, in one line with the facts (who holds what now).
fn reason(error: &OpError) -> String {
    super::text::one_line(&error.to_string())
}
