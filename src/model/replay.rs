//! Replaying one machine's operations on top of another's state: what `sync` does when both
//! sides moved since they last agreed.
//!
//! Each local record is applied again, in order, to the remote state, and re-validated
//! there: what the remote took first wins, so a record that no longer applies (a lock
//! another machine took) is dropped and said why. Ids carry the site that gave them out
//! (`model::site`), so a replayed record keeps its id; where one was given twice all the
//! same (two clones with one tag, messages sent before a clone joined), the replayed record
//! gets the next free id and later records naming the old one (an acknowledgement, a
//! reply, an input) are rewritten to the new one. Memory written on both sides under one
//! key keeps the replayed (later) write, and says whose it replaced.

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
        /// The remote state with the record applied.
        state: Box<State>,
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

    /// Applies the next local `record` to a copy of `state` (the remote side), returned when
    /// the record is kept.
    pub fn step(&mut self, state: &State, record: &Record) -> Step {
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
                Step::Kept {
                    record,
                    applied,
                    state: Box::new(next),
                }
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

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::model::message::Draft;
    use crate::model::{Actor, Agent};

    fn at(min: i64) -> Timestamp {
        Timestamp::from_second(1_790_000_000 + min * 60).expect("valid test time")
    }

    fn record(who: &str, min: i64, op: Op) -> Record {
        Record {
            op,
            actor: Actor::Agent { id: who.into() },
            at: at(min),
            site: None,
        }
    }

    fn base() -> State {
        let mut s = State::new(at(0));
        for id in ["a", "b"] {
            s.agents.insert(
                id.into(),
                Agent {
                    branch: format!("feature/{id}"),
                    added: at(0),
                    ..Agent::default()
                },
            );
        }
        s
    }

    fn lock(path: &str) -> Op {
        Op::Lock {
            patterns: vec![path.into()],
            reason: None,
            ttl_secs: 1800,
            force: false,
        }
    }

    fn send(subject: &str, reply_to: Option<&str>) -> Op {
        Op::MsgSend(Draft {
            to: "all".into(),
            subject: subject.into(),
            body: None,
            requires_response: false,
            reply_to: reply_to.map(str::to_owned),
            within_secs: None,
            handoff: None,
        })
    }

    /// One step of the replay, the remote state moving on to what it kept, as `sync` does.
    fn step(replay: &mut Replayer, there: &mut State, r: &Record) -> Step {
        let step = replay.step(there, r);
        if let Step::Kept { state, .. } = &step {
            there.clone_from(state);
        }
        step
    }

    /// Applies `records` to `state` one after another, as the other machine did.
    fn made(mut state: State, records: &[Record]) -> State {
        for r in records {
            op::apply(&mut state, r).expect("the other machine's operation applies");
        }
        state
    }

    #[test]
    fn the_remote_first_lock_wins_and_the_local_one_is_dropped_naming_the_holder() {
        let mut there = made(base(), &[record("b", 1, lock("src/x.rs"))]);
        let mut replay = Replayer::new(base());
        match step(&mut replay, &mut there, &record("a", 2, lock("src/x.rs"))) {
            Step::Dropped { reason, .. } => {
                assert!(reason.contains("locked by b"), "{reason}");
            }
            other => panic!("expected a drop, got {other:?}"),
        }
        assert_eq!(there.locks.len(), 1);
        assert_eq!(there.locks[0].holder, "b");
        let kept = step(&mut replay, &mut there, &record("a", 3, lock("src/y.rs")));
        assert!(matches!(kept, Step::Kept { .. }), "{kept:?}");
        assert_eq!(there.locks.len(), 2);
    }

    #[test]
    fn ids_given_on_both_sides_are_renamed_and_later_records_follow() {
        let mut there = made(base(), &[record("b", 1, send("from b", None))]);
        let mut replay = Replayer::new(base());
        let local = [
            record("a", 2, send("from a", None)),
            record("a", 3, send("a answers itself", Some("m1"))),
            record("b", 4, Op::MsgAck { id: "m1".into() }),
        ];
        for r in &local {
            let step = step(&mut replay, &mut there, r);
            assert!(matches!(step, Step::Kept { .. }), "{step:?}");
        }
        assert_eq!(
            replay.renamed,
            vec![
                Renamed {
                    from: "m1".into(),
                    to: "m2".into()
                },
                Renamed {
                    from: "m2".into(),
                    to: "m3".into()
                }
            ]
        );
        let by_id = |id: &str| there.messages.iter().find(|m| m.id == id).expect(id);
        assert_eq!(by_id("m1").draft.subject, "from b");
        assert_eq!(by_id("m2").draft.subject, "from a");
        assert_eq!(by_id("m3").draft.reply_to.as_deref(), Some("m2"));
        // b acknowledged the message it saw as m1 here: a's, now m2; b's own stays unread.
        assert_eq!(by_id("m2").acked_by, vec!["b".to_owned()]);
        assert!(by_id("m1").acked_by.is_empty());
    }

    #[test]
    fn ids_given_by_sites_never_meet_and_keep_their_id_on_replay() {
        let mut shared = base();
        for who in ["a", "b"] {
            op::apply(&mut shared, &record(who, 0, Op::SiteJoin)).expect("joins");
        }
        assert_eq!(
            shared.meta.sites.keys().collect::<Vec<_>>(),
            ["a", "b"],
            "tags in order"
        );
        let at_site = |who: &str, min: i64, op: Op, site: &str| Record {
            site: Some(site.into()),
            ..record(who, min, op)
        };
        let mut there = made(
            shared.clone(),
            &[at_site("b", 1, send("from b", None), "b")],
        );
        let mut replay = Replayer::new(shared);
        for r in [
            at_site("a", 2, send("from a", None), "a"),
            at_site("a", 3, send("again", Some("m1a")), "a"),
        ] {
            assert!(matches!(
                step(&mut replay, &mut there, &r),
                Step::Kept { .. }
            ));
        }
        assert!(replay.renamed.is_empty(), "{:?}", replay.renamed);
        let ids: Vec<&str> = there.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["m1b", "m1a", "m2a"]);
        assert_eq!(there.messages[2].draft.reply_to.as_deref(), Some("m1a"));
        // A site the state does not know numbers as the state does.
        let stray = at_site("a", 4, send("stray", None), "zz");
        assert!(matches!(
            step(&mut replay, &mut there, &stray),
            Step::Kept { .. }
        ));
        assert_eq!(there.messages[3].id, "m1");
    }

    #[test]
    fn memory_written_on_both_sides_is_reported_and_other_keys_are_not() {
        let set = |key: &str, value: &str| Op::MemorySet {
            key: key.into(),
            value: value.into(),
        };
        let mut there = made(base(), &[record("b", 1, set("api/auth", "jwt"))]);
        let mut replay = Replayer::new(base());
        for r in [
            record("a", 2, set("api/auth", "sessions")),
            record("a", 3, set("api/rate", "100/s")),
        ] {
            assert!(matches!(
                step(&mut replay, &mut there, &r),
                Step::Kept { .. }
            ));
        }
        assert_eq!(
            replay.replaced,
            vec![Replaced {
                key: "api/auth".into(),
                by: Some("b".into())
            }]
        );
        assert_eq!(there.memory["api/auth"].value, "sessions");
        assert_eq!(there.memory["api/rate"].value, "100/s");
    }

    #[test]
    fn creation_and_format_changes_are_not_replayed() {
        let mut there = base();
        let mut replay = Replayer::new(base());
        assert!(matches!(
            step(&mut replay, &mut there, &record("a", 1, Op::Init)),
            Step::Skipped
        ));
        let migrate = Op::Migrate { from: 1, to: 2 };
        assert!(matches!(
            step(&mut replay, &mut there, &record("a", 1, migrate)),
            Step::Skipped
        ));
        assert_eq!(there, base());
    }
}
