//! Table tests of halt, lock and boundary checks.

use super::*;
use crate::model::{Agent, Halt, Lock};

fn at(min: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + min * 60).expect("valid test time")
}

fn agent(id: &str) -> Actor {
    Actor::Agent { id: id.into() }
}

fn state() -> State {
    let mut s = State::new(at(0));
    let add = |s: &mut State, id: &str, owns: &[&str], deny: &[&str], allow: &[&str]| {
        let v = |x: &[&str]| x.iter().map(|g| (*g).to_owned()).collect();
        s.agents.insert(
            id.into(),
            Agent {
                branch: format!("feature/{id}"),
                owns: v(owns),
                deny: v(deny),
                allow: v(allow),
                added: at(0),
                ..Agent::default()
            },
        );
    };
    add(&mut s, "sec", &["config/**"], &[], &[]);
    add(&mut s, "org", &[], &["config/**", "db/**"], &[]);
    add(&mut s, "db", &["db/**"], &[], &["db/**", "tests/db/**"]);
    s.locks.push(Lock {
        pattern: "src/app/**".into(),
        holder: "org".into(),
        reason: Some("moving imports".into()),
        acquired: at(0),
        expires: at(30),
    });
    s
}

#[test]
fn boundaries_table() {
    let s = state();
    let p = Policy::new(&s, at(1));
    let table = [
        ("sec", "config/app.toml", None),
        ("org", "config/app.toml", Some("boundary-deny")),
        ("org", "db/schema.sql", Some("boundary-deny")),
        ("db", "config/app.toml", Some("boundary-owned")),
        ("db", "db/schema.sql", None),
        ("db", "tests/db/t.py", None),
        ("db", "src/x.py", Some("boundary-allow")),
        ("sec", "db/schema.sql", Some("boundary-owned")),
        ("org", "src/lib.rs", None),
    ];
    for (who, path, want) in table {
        let got = p.boundary(&agent(who), path).map(|v| v.rule);
        assert_eq!(got.as_deref(), want, "{who} {path}");
    }
    let user = Actor::User {
        name: "lead".into(),
    };
    assert!(
        p.boundary(&user, "db/schema.sql").is_none(),
        "users have no boundaries"
    );
}

#[test]
fn locks_and_halt() {
    let mut s = state();
    let p = Policy::new(&s, at(1));
    let v = p
        .lock(&agent("sec"), "src/app/main.rs")
        .expect("locked by org");
    assert_eq!(v.holder.as_deref(), Some("org"));
    assert!(v.message.contains("moving imports"), "{}", v.message);
    assert!(
        p.lock(&agent("org"), "src/app/main.rs").is_none(),
        "own lock"
    );
    assert!(p.lock(&agent("sec"), "src/other.rs").is_none());
    let late = Policy::new(&s, at(31));
    assert!(
        late.lock(&agent("sec"), "src/app/main.rs").is_none(),
        "expired"
    );
    assert!(p.halt().is_none());
    s.halt = Some(Halt {
        reason: "incident".into(),
        by: "user:lead".into(),
        at: at(0),
    });
    let p = Policy::new(&s, at(1));
    let all = p.check_paths(&agent("sec"), ["src/app/a.rs", "db/x"], &[]);
    let rules: Vec<_> = all.iter().map(|v| v.rule.as_str()).collect();
    assert_eq!(rules, ["halt", "lock", "boundary-owned"]);
    let skipped = p.check_paths(
        &agent("sec"),
        ["src/app/a.rs"],
        &[CheckKind::Locks, CheckKind::Halt],
    );
    assert!(skipped.is_empty());
}

#[test]
fn skip_lists() {
    let (known, unknown) = CheckKind::parse_list("secrets, locks,bogus");
    assert_eq!(known, [CheckKind::Secrets, CheckKind::Locks]);
    assert_eq!(unknown, ["bogus"]);
}
