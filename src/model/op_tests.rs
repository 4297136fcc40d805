//! Table tests of applying operations to a state.

use super::*;
use crate::model::{Agent, OpErrorKind};

fn at(min: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + min * 60).expect("valid test time")
}

fn agent(id: &str) -> Actor {
    Actor::Agent { id: id.into() }
}

fn run(state: &mut State, actor: Actor, min: i64, op: Op) -> Result<Applied, OpError> {
    apply(
        state,
        &Record {
            op,
            actor,
            at: at(min),
            site: None,
        },
    )
}

fn state_with(ids: &[&str]) -> State {
    let mut s = State::new(at(0));
    for id in ids {
        s.agents.insert(
            (*id).into(),
            Agent {
                branch: format!("feature/{id}"),
                added: at(0),
                ..Agent::default()
            },
        );
    }
    s
}

fn lock_op(p: &str) -> Op {
    Op::Lock {
        patterns: vec![p.into()],
        reason: Some("work".into()),
        ttl_secs: 1800,
        force: false,
    }
}

#[test]
fn first_lock_wins_and_overlap_conflicts() {
    let mut s = state_with(&["a", "b"]);
    run(&mut s, agent("a"), 0, lock_op("backend/**")).expect("a locks");
    let err = run(&mut s, agent("b"), 1, lock_op("backend/models.py")).expect_err("b refused");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    assert!(err.to_string().contains("locked by a"), "{err}");
    run(&mut s, agent("b"), 1, lock_op("frontend/app.ts")).expect("disjoint lock");
    assert_eq!(s.locks.len(), 2);
}

#[test]
fn expired_locks_never_block_and_are_dropped() {
    let mut s = state_with(&["a", "b"]);
    run(&mut s, agent("a"), 0, lock_op("x.rs")).expect("a locks");
    let applied =
        run(&mut s, agent("b"), 31, lock_op("x.rs")).expect("expired lock does not block");
    assert_eq!(s.locks.len(), 1);
    assert_eq!(s.locks[0].holder, "b");
    assert!(applied.notes.iter().any(|n| n.contains("expired")));
}

#[test]
fn relock_and_checkin_renew() {
    let mut s = state_with(&["a"]);
    run(&mut s, agent("a"), 0, lock_op("x.rs")).expect("lock");
    run(&mut s, agent("a"), 20, lock_op("x.rs")).expect("relock");
    assert_eq!(s.locks.len(), 1);
    assert_eq!(s.locks[0].expires, at(50));
    let checkin = Op::Checkin {
        status: Some("busy".into()),
        task: None,
        note: None,
    };
    run(&mut s, agent("a"), 45, checkin).expect("checkin");
    assert_eq!(s.locks[0].expires, at(75));
    assert_eq!(s.agents["a"].status.as_deref(), Some("busy"));
    assert_eq!(s.agents["a"].last_seen, Some(at(45)));
}

#[test]
fn checkin_names_a_known_task_once_there_are_tasks() {
    let checkin = |task: &str| Op::Checkin {
        status: None,
        task: Some(task.into()),
        note: None,
    };
    let mut s = state_with(&["a", "b"]);
    run(&mut s, agent("a"), 0, checkin("anything")).expect("free-form without tasks");
    let mut mine = crate::model::task::Task {
        title: "t".into(),
        assignee: Some("a".into()),
        ..Default::default()
    };
    run(
        &mut s,
        agent("a"),
        1,
        Op::TaskAdd {
            id: "t1".into(),
            task: Box::new(mine.clone()),
        },
    )
    .expect("t1");
    mine.assignee = Some("b".into());
    run(
        &mut s,
        agent("a"),
        1,
        Op::TaskAdd {
            id: "t2".into(),
            task: Box::new(mine),
        },
    )
    .expect("t2");
    let err = run(&mut s, agent("a"), 2, checkin("t9")).expect_err("unknown task");
    assert_eq!(err.kind(), OpErrorKind::Invalid);
    let err = run(&mut s, agent("a"), 2, checkin("t2")).expect_err("b's task");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    let applied = run(&mut s, agent("a"), 2, checkin("t1")).expect("own task");
    assert!(
        applied.notes.iter().any(|n| n.contains("task start t1")),
        "{:?}",
        applied.notes
    );
    assert_eq!(s.agents["a"].task.as_deref(), Some("t1"));
}

#[test]
fn unlock_rules() {
    let mut s = state_with(&["a", "b", "lead"]);
    s.agents.get_mut("lead").expect("lead").coordinator = true;
    run(&mut s, agent("a"), 0, lock_op("x.rs")).expect("lock");
    let unlock = |force| Op::Unlock {
        patterns: vec!["x.rs".into()],
        force,
    };
    let err = run(&mut s, agent("b"), 1, unlock(false)).expect_err("not b's");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    let err = run(&mut s, agent("b"), 1, unlock(true)).expect_err("b is no coordinator");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    let applied = run(&mut s, agent("lead"), 1, unlock(true)).expect("coordinator may");
    assert!(applied.summary.contains("forced"));
    assert!(s.locks.is_empty());
    let err = run(&mut s, agent("a"), 2, unlock(false)).expect_err("nothing to unlock");
    assert_eq!(err.kind(), OpErrorKind::Invalid);
    run(&mut s, agent("a"), 3, lock_op("x.rs")).expect("lock");
    let user = Actor::User {
        name: "lead".into(),
    };
    run(&mut s, user, 4, unlock(true)).expect("unbound user may force");
}

#[test]
fn agents_and_halt() {
    let mut s = state_with(&["a"]);
    let add = |after: Vec<String>| Op::AgentAdd {
        id: "b".into(),
        agent: Box::new(Agent {
            branch: "feature/b".into(),
            after,
            added: at(0),
            ..Agent::default()
        }),
    };
    let err = run(&mut s, agent("a"), 0, add(vec!["ghost".into()])).expect_err("unknown after");
    assert_eq!(err.kind(), OpErrorKind::Invalid);
    run(&mut s, agent("a"), 0, add(vec!["a".into()])).expect("add b");
    assert!(
        run(&mut s, agent("a"), 0, add(vec![])).is_err(),
        "duplicate"
    );
    assert!(
        run(
            &mut s,
            agent("a"),
            1,
            Op::AgentRemove {
                id: "a".into(),
                force: true
            }
        )
        .is_err(),
        "b waits on a"
    );
    run(
        &mut s,
        agent("a"),
        1,
        Op::Halt {
            reason: "broken".into(),
        },
    )
    .expect("halt");
    assert_eq!(s.halt.as_ref().map(|h| h.by.as_str()), Some("a"));
    run(&mut s, agent("a"), 2, Op::Resume).expect("resume");
    assert!(
        run(&mut s, agent("a"), 3, Op::Resume).is_err(),
        "not halted"
    );
}

#[test]
fn records_round_trip_as_json() {
    let record = Record {
        op: lock_op("a/**"),
        actor: agent("a"),
        at: at(0),
        site: None,
    };
    let json = serde_json::to_string(&record).expect("serialise");
    assert!(json.contains("\"op\":\"lock\""), "{json}");
    let back: Record = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, record);
}

#[test]
fn message_records_round_trip_as_json() {
    for op in [
        Op::MsgSend(crate::model::message::Draft {
            to: "b".into(),
            subject: "release a/x".into(),
            body: Some("please".into()),
            requires_response: true,
            reply_to: Some("m1".into()),
            within_secs: Some(7200),
            handoff: None,
        }),
        Op::MsgAck { id: "m1".into() },
    ] {
        let record = Record {
            op,
            actor: agent("a"),
            at: at(0),
            site: None,
        };
        let json = serde_json::to_string(&record).expect("serialise");
        assert!(json.contains("\"op\":\"msg-"), "{json}");
        let back: Record = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, record);
    }
}

#[test]
fn each_agent_has_a_branch_of_its_own() {
    let mut s = state_with(&["a"]);
    let agent = Agent {
        branch: "feature/a".into(),
        added: at(0),
        ..Agent::default()
    };
    let err = run(
        &mut s,
        agent_actor(),
        1,
        Op::AgentAdd {
            id: "z".into(),
            agent: Box::new(agent),
        },
    )
    .expect_err("one branch, two agents");
    assert_eq!(
        err,
        OpError::BranchTaken {
            branch: "feature/a".into(),
            agent: "a".into()
        }
    );
    assert!(!s.agents.contains_key("z"));
}

fn agent_actor() -> Actor {
    Actor::User {
        name: "lead".into(),
    }
}
