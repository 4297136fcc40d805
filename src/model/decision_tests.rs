//! Table tests of the decision log: proposing, input, who may resolve, immutability.

use super::*;
use crate::model::op::Op;
use crate::model::{Agent, OpErrorKind};

fn at(min: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + min * 60).expect("valid test time")
}

fn record(actor: Actor) -> Record {
    Record {
        op: Op::Resume,
        actor,
        at: at(0),
        site: None,
    }
}

fn agent(id: &str) -> Actor {
    Actor::Agent { id: id.into() }
}

fn state() -> State {
    let mut s = State::new(at(0));
    for id in ["security", "org", "lead"] {
        s.agents.insert(id.into(), Agent::default());
    }
    s.agents.get_mut("lead").expect("lead").coordinator = true;
    let mut plan = crate::model::plan_state::PlanState::default();
    plan.authority.insert("config/**".into(), "security".into());
    s.plan = Some(plan);
    s
}

fn proposal() -> Proposal {
    Proposal {
        title: "Where do secrets live?".into(),
        options: vec![
            "env: simple; leaks in ps".into(),
            "vault: audited; one more service".into(),
        ],
        input_from: vec!["org".into()],
        area: Some("config/**".into()),
        deadline_secs: Some(3600),
    }
}

#[test]
fn only_the_areas_authority_a_coordinator_or_a_user_resolves() {
    let mut s = state();
    let applied = propose(&mut s, &record(agent("org")), &proposal()).expect("proposed");
    assert_eq!(applied.id.as_deref(), Some("d1"));
    assert_eq!(s.decisions["d1"].deadline, Some(at(60)));
    assert!(s.decisions["d1"].awaits_input_from("org"));
    input(
        &mut s,
        &record(agent("org")),
        "d1",
        "vault, we audit anyway",
    )
    .expect("input");
    assert!(!s.decisions["d1"].awaits_input_from("org"));
    let err = resolve(&mut s, &record(agent("org")), "d1", "vault", "audited").expect_err("org");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    assert!(err.to_string().contains("security, lead"), "{err}");
    let err = resolve(&mut s, &record(agent("security")), "d1", "cloud", "x")
        .expect_err("no such option");
    assert_eq!(err.kind(), OpErrorKind::Invalid);
    resolve(&mut s, &record(agent("security")), "d1", "vault", "audited").expect("authority");
    assert_eq!(
        s.decisions["d1"]
            .resolution
            .as_ref()
            .map(|r| r.choice.as_str()),
        Some("vault")
    );
    // Resolved is final.
    let lead = Actor::User {
        name: "lead".into(),
    };
    let err = resolve(&mut s, &record(lead), "d1", "env", "changed my mind").expect_err("final");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    let err = input(&mut s, &record(agent("org")), "d1", "late").expect_err("final");
    assert_eq!(err.kind(), OpErrorKind::Refused);
    // A coordinator and an unbound user may resolve too.
    propose(&mut s, &record(agent("org")), &proposal()).expect("d2");
    resolve(&mut s, &record(agent("lead")), "d2", "env", "simpler").expect("coordinator");
    propose(&mut s, &record(agent("org")), &proposal()).expect("d3");
    let user = Actor::User {
        name: "boss".into(),
    };
    resolve(
        &mut s,
        &record(user),
        "d3",
        "env: simple; leaks in ps",
        "as written",
    )
    .expect("user");
}

#[test]
fn bad_proposals_are_invalid() {
    type Spoil = fn(&mut Proposal);
    let cases: [(Spoil, &str); 5] = [
        (|p| p.options.truncate(1), "at least two"),
        (|p| p.options[1] = "env: again".into(), "name of its own"),
        (|p| p.title = "a\nb".into(), "a single line of text"),
        (|p| p.input_from = vec!["ghost".into()], "ghost"),
        (|p| p.deadline_secs = Some(0), "positive"),
    ];
    for (spoil, want) in cases {
        let mut p = proposal();
        spoil(&mut p);
        let mut s = state();
        let err = propose(&mut s, &record(agent("org")), &p).expect_err(want);
        assert_eq!(err.kind(), OpErrorKind::Invalid, "{err}");
        assert!(
            format!("{err} {err:?}").contains(want),
            "{err:?} lacks {want}"
        );
        assert!(s.decisions.is_empty());
    }
    let err = input(&mut state(), &record(agent("org")), "d9", "x").expect_err("unknown");
    assert_eq!(err.kind(), OpErrorKind::Invalid);
}
