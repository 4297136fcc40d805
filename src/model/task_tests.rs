//! Table tests of the task transitions and of `next`, on a state made by applying a plan.

use super::*;
use crate::model::OpErrorKind;
use crate::model::op::{Op, apply};

const PLAN: &str = r#"
version = 1
[[agent]]
id = "a"
branch = "feature/a"
[[agent]]
id = "b"
branch = "feature/b"
[[task]]
id = "t1"
title = "first"
assign = "a"
wave = "W1"
[[task]]
id = "t2"
title = "second"
assign = "b"
after = ["t1"]
wave = "W2"
[[task]]
id = "s1"
title = "suggested to b"
suggest = "b"
priority = 1
[[task]]
id = "s2"
title = "suggested to a"
suggest = "a"
priority = 2
[[wave]]
id = "W1"
[[wave]]
id = "W2"
[[check]]
id = "c"
run = "true"
"#;

fn at(min: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + min * 60).expect("valid test time")
}

fn agent(id: &str) -> Actor {
    Actor::Agent { id: id.into() }
}

fn run(state: &mut State, actor: Actor, op: Op) -> Result<Applied, OpError> {
    apply(
        state,
        &Record {
            op,
            actor,
            at: at(1),
            site: None,
        },
    )
}

fn planned(text: &str) -> State {
    let plan = crate::model::plan_check::check(text).expect("the test plan is valid");
    let mut state = State::new(at(0));
    let lead = Actor::User {
        name: "lead".into(),
    };
    run(
        &mut state,
        lead,
        Op::PlanApply {
            plan: Box::new(plan),
        },
    )
    .expect("the plan applies");
    state
}

#[test]
fn done_is_refused_while_the_task_could_not_start() {
    let mut s = planned(PLAN);
    let err = run(&mut s, agent("b"), Op::TaskDone { id: "t2".into() }).expect_err("t1 not done");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    assert!(err.to_string().contains("task t1 is claimed"), "{err}");
    assert!(err.to_string().contains("wave W2 is pending"), "{err}");
    let lead = Actor::User {
        name: "lead".into(),
    };
    let err = run(&mut s, lead, Op::TaskDone { id: "t2".into() }).expect_err("not even a lead");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    run(&mut s, agent("a"), Op::TaskDone { id: "t1".into() }).expect("t1 may be done");
}

#[test]
fn declining_clears_the_agents_current_task() {
    let mut s = planned(PLAN);
    run(&mut s, agent("a"), Op::TaskStart { id: "t1".into() }).expect("start");
    assert_eq!(s.agents["a"].task.as_deref(), Some("t1"));
    let decline = Op::TaskDecline {
        id: "t1".into(),
        reason: "later".into(),
    };
    run(&mut s, agent("a"), decline).expect("decline");
    assert_eq!(s.agents["a"].task, None);
    assert_eq!(s.tasks["t1"].assignee, None);
}

#[test]
fn next_offers_an_agents_own_suggestions_first() {
    let mut s = planned(PLAN);
    run(&mut s, agent("a"), Op::TaskDone { id: "t1".into() }).expect("t1 done");
    let next_a = crate::model::next::next(&s, "a");
    assert_eq!(next_a.task.as_deref(), Some("s2"), "{next_a:?}");
    // b's own task waits on wave W2; of the free tasks, its suggestion comes first.
    assert_eq!(
        crate::model::next::next(&s, "b").task.as_deref(),
        Some("s1")
    );
}

#[test]
fn task_add_refuses_what_a_plan_check_refuses() {
    let s = planned(PLAN);
    let add = |task: Task| Op::TaskAdd {
        id: "new".into(),
        task: Box::new(task),
    };
    let base = Task {
        title: "new task".into(),
        ..Task::default()
    };
    let cases = [
        (
            Task {
                title: " ".into(),
                ..base.clone()
            },
            "title is empty",
        ),
        (
            Task {
                priority: Some(0),
                ..base.clone()
            },
            "priority 0",
        ),
        (
            Task {
                checks: vec!["nope".into()],
                ..base.clone()
            },
            "no check 'nope'",
        ),
        (
            Task {
                wave: Some("W1".into()),
                after: vec!["t2".into()],
                ..base.clone()
            },
            "later wave W2",
        ),
    ];
    for (task, expected) in cases {
        let mut s = s.clone();
        let err = run(&mut s, agent("a"), add(task)).expect_err(expected);
        assert_eq!(err.kind(), OpErrorKind::Invalid, "{err}");
        assert!(err.to_string().contains(expected), "{err} lacks {expected}");
        assert!(!s.tasks.contains_key("new"));
    }
    let mut s = s.clone();
    let ok = Task {
        checks: vec!["c".into()],
        wave: Some("W2".into()),
        after: vec!["t1".into()],
        priority: Some(1),
        ..base
    };
    run(&mut s, agent("a"), add(ok)).expect("a good task");
}

#[test]
fn a_plan_applied_again_may_not_strand_waves_or_tasks() {
    let mut s = planned(PLAN);
    let lead = || Actor::User {
        name: "lead".into(),
    };
    let apply_text = |s: &mut State, text: &str| {
        let plan = crate::model::plan_check::check(text).expect("valid plan");
        run(
            s,
            lead(),
            Op::PlanApply {
                plan: Box::new(plan),
            },
        )
    };
    // A wave inserted before the open one would never open.
    let before_w1 = PLAN.replacen(
        "[[wave]]\nid = \"W1\"",
        "[[wave]]\nid = \"W0\"\n[[wave]]\nid = \"W1\"",
        1,
    );
    let err = apply_text(&mut s, &before_w1).expect_err("W0 before the open W1");
    assert!(
        err.to_string()
            .contains("wave W0 would come before wave W1"),
        "{err}"
    );
    // A wave added after the open one is fine.
    let after = format!("{PLAN}[[wave]]\nid = \"W3\"\n");
    apply_text(&mut s, &after).expect("W3 after W2");
    // A task the plan no longer names, left in a wave the plan drops: refused.
    let mut s = planned(PLAN);
    let no_t2 = PLAN.replace(
        "[[task]]\nid = \"t2\"\ntitle = \"second\"\nassign = \"b\"\nafter = [\"t1\"]\nwave = \"W2\"\n",
        "",
    );
    let dropped = no_t2.replace("[[wave]]\nid = \"W2\"\n", "");
    assert_ne!(dropped, PLAN);
    let err = apply_text(&mut s, &dropped).expect_err("t2 stranded in W2");
    assert!(
        err.to_string().contains("task t2 (claimed) is in wave W2"),
        "{err}"
    );
    assert!(
        s.plan.as_ref().is_some_and(|p| p.waves.len() == 2),
        "nothing applied"
    );
}
