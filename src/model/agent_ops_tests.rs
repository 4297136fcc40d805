//! Table tests of the registry's operations: edit, remove, bind.

use jiff::Timestamp;

use super::super::agent::AgentEdit;
use super::super::op::{Actor, Op, Record, apply};
use super::super::{Agent, Applied, Lock, OpError, OpErrorKind, State};

fn at(min: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + min * 60).expect("valid test time")
}

fn run(state: &mut State, op: Op) -> Result<Applied, OpError> {
    let record = Record {
        op,
        actor: Actor::User {
            name: "lead".into(),
        },
        at: at(1),
        site: None,
    };
    apply(state, &record)
}

/// Agents `a` (owns `a/**`) and `b` (owns `b/**`, after `a`).
fn two() -> State {
    let mut s = State::new(at(0));
    for (id, after) in [("a", vec![]), ("b", vec!["a".to_owned()])] {
        let agent = Agent {
            branch: format!("feature/{id}"),
            owns: vec![format!("{id}/**")],
            after,
            added: at(0),
            ..Agent::default()
        };
        s.agents.insert(id.into(), agent);
    }
    s
}

fn edit(id: &str, edit: AgentEdit) -> Op {
    Op::AgentEdit {
        id: id.into(),
        edit: Box::new(edit),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn an_edit_sets_adds_and_takes_away_and_says_so() {
    let mut s = two();
    let applied = run(
        &mut s,
        edit(
            "a",
            AgentEdit {
                branch: Some("feature/a2".into()),
                role: Some("api lead".into()),
                owns: strings(&["api/**"]),
                deny: strings(&["b/**"]),
                allow: strings(&["a/**", "api/**"]),
                remove_owns: strings(&["a/**"]),
                coordinator: Some(true),
                ..AgentEdit::default()
            },
        ),
    )
    .expect("edit a");
    let a = &s.agents["a"];
    assert_eq!(a.branch, "feature/a2");
    assert_eq!(a.role.as_deref(), Some("api lead"));
    assert_eq!(a.owns, strings(&["api/**"]));
    assert_eq!(a.deny, strings(&["b/**"]));
    assert!(a.coordinator);
    for part in [
        "branch feature/a -> feature/a2",
        "owns -a/**",
        "owns +api/**",
        "coordinator yes",
    ] {
        assert!(
            applied.summary.contains(part),
            "{part}: {}",
            applied.summary
        );
    }
    let back = run(
        &mut s,
        edit(
            "a",
            AgentEdit {
                role: Some(String::new()),
                remove_allow: strings(&["a/**", "api/**"]),
                coordinator: Some(false),
                ..AgentEdit::default()
            },
        ),
    )
    .expect("take back");
    let a = &s.agents["a"];
    assert_eq!(
        (a.role.as_deref(), a.allow.len(), a.coordinator),
        (None, 0, false)
    );
    assert!(back.summary.contains("role cleared"), "{}", back.summary);
    assert!(
        back.notes.iter().any(|n| n.contains("allow list is empty")),
        "{back:?}"
    );
    let again = run(
        &mut s,
        edit(
            "a",
            AgentEdit {
                deny: strings(&["b/**"]),
                ..AgentEdit::default()
            },
        ),
    )
    .expect("an addition of what is there");
    assert!(again.unchanged, "{again:?}");
    assert_eq!(again.notes, vec!["deny has b/** already".to_owned()]);
}

#[test]
fn a_refused_edit_changes_nothing() {
    let base = two();
    let cases: Vec<(AgentEdit, &str, &str)> = vec![
        (
            AgentEdit {
                role: Some("x".into()),
                owns: strings(&["b/x/**"]),
                ..AgentEdit::default()
            },
            "a",
            "which agent 'b' owns",
        ),
        (
            AgentEdit {
                remove_deny: strings(&["nothing/**"]),
                role: Some("x".into()),
                ..AgentEdit::default()
            },
            "a",
            "has no 'nothing/**' in its deny list",
        ),
        (
            AgentEdit {
                after: strings(&["b"]),
                ..AgentEdit::default()
            },
            "a",
            "cycle: ",
        ),
        (
            AgentEdit {
                after: strings(&["ghost"]),
                ..AgentEdit::default()
            },
            "a",
            "no agent 'ghost'",
        ),
        (
            AgentEdit {
                after: strings(&["a"]),
                ..AgentEdit::default()
            },
            "a",
            "after itself",
        ),
        (
            AgentEdit {
                branch: Some("feature/b".into()),
                ..AgentEdit::default()
            },
            "a",
            "agent 'b'",
        ),
        (
            AgentEdit {
                role: Some("x".into()),
                ..AgentEdit::default()
            },
            "ghost",
            "no agent 'ghost'",
        ),
    ];
    for (change, id, want) in cases {
        let mut s = base.clone();
        let err = run(&mut s, edit(id, change)).expect_err(want);
        assert_eq!(err.kind(), OpErrorKind::Invalid, "{err}");
        assert!(err.to_string().contains(want), "{want}: {err}");
        assert_eq!(s.agents, base.agents, "{want}: nothing changed");
    }
}

#[test]
fn owning_more_of_ones_own_area_is_no_overlap() {
    let mut s = two();
    run(
        &mut s,
        edit(
            "a",
            AgentEdit {
                owns: strings(&["a/x/**"]),
                ..AgentEdit::default()
            },
        ),
    )
    .expect("a's own globs are no other owner's");
}

fn lock(holder: &str, pattern: &str) -> Lock {
    Lock {
        pattern: pattern.into(),
        holder: holder.into(),
        acquired: at(0),
        expires: at(30),
        reason: None,
    }
}

#[test]
fn removal_of_a_busy_agent_is_refused_unless_forced() {
    let mut s = two();
    s.agents.remove("b");
    if let Some(a) = s.agents.get_mut("a") {
        a.worktree = Some("/wt/a".into());
    }
    s.locks = vec![lock("a", "a/x.rs"), lock("user:lead", "c.rs")];
    let base = s.clone();
    let remove = |force| Op::AgentRemove {
        id: "a".into(),
        force,
    };
    let err = run(&mut s, remove(false)).expect_err("busy");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    assert_eq!(
        err.to_string(),
        "agent 'a' is bound to the worktree /wt/a and holds locks on a/x.rs"
    );
    assert_eq!(s, base);
    let applied = run(&mut s, remove(true)).expect("forced");
    assert_eq!(
        applied.summary,
        "remove agent a (released its locks: a/x.rs; dropped its binding to /wt/a)"
    );
    assert_eq!(s.locks, vec![lock("user:lead", "c.rs")]);
    assert_eq!(
        s.meta.removed_bindings.get("/wt/a").map(String::as_str),
        Some("a")
    );
    // Binding the worktree anew ends its being a removed agent's.
    s.agents.insert("c".into(), Agent::default());
    run(
        &mut s,
        Op::AgentBind {
            id: "c".into(),
            worktree: "/wt/a".into(),
        },
    )
    .expect("bind");
    assert!(s.meta.removed_bindings.is_empty());
}

#[test]
fn an_idle_agent_goes_without_force() {
    let mut s = two();
    let err = run(
        &mut s,
        Op::AgentRemove {
            id: "a".into(),
            force: false,
        },
    )
    .expect_err("b is merged after a");
    assert!(matches!(err, OpError::StillAfter { .. }), "{err}");
    let applied = run(
        &mut s,
        Op::AgentRemove {
            id: "b".into(),
            force: false,
        },
    )
    .expect("b is idle");
    assert_eq!(applied.summary, "remove agent b");
}

#[test]
fn a_removal_recorded_before_force_existed_reads_as_forced() {
    let old = r#"{"op":"agent-remove","id":"a","actor":{"kind":"user","name":"lead"},"at":"2026-03-01T12:00:00Z"}"#;
    let record: Record = serde_json::from_str(old).expect("an old record reads");
    assert_eq!(
        record.op,
        Op::AgentRemove {
            id: "a".into(),
            force: true
        }
    );
    let forced = serde_json::to_string(&record).expect("serialise");
    assert_eq!(forced, old, "a forced removal is written as before");
    let edit = r#"{"op":"agent-edit","id":"a","edit":{"owns":["x/**"]},"actor":{"kind":"user","name":"lead"},"at":"2026-03-01T12:00:00Z"}"#;
    let record: Record = serde_json::from_str(edit).expect("an edit reads");
    assert_eq!(serde_json::to_string(&record).expect("serialise"), edit);
}
