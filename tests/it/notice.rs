//! `notice --hook` (Claude Code's PostToolUse): what is new for the agent, told once —
//! messages, force-released locks, a lock about to expire, a decision resolved in its area.

use crate::common::{TestEnv, parse_json};

fn notice(env: &TestEnv, now: &str) -> String {
    let run = env.gc_at(now, &["--agent", "a", "notice", "--hook"]);
    let out = run.ok().to_owned();
    if out.is_empty() {
        return out;
    }
    let v = parse_json(&out);
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "PostToolUse");
    v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .expect("context")
        .to_owned()
}

#[test]
fn news_is_told_once() {
    let env = TestEnv::new();
    env.gc(&["init", "--no-hooks"]).ok();
    env.gc(&[
        "agent",
        "add",
        "a",
        "--branch",
        "feature/a",
        "--owns",
        "src/",
    ])
    .ok();
    env.gc(&["agent", "add", "b", "--branch", "feature/b"]).ok();
    let t = |m: u32| format!("2026-03-01T10:{m:02}:00Z");
    env.gc_at(&t(0), &["--agent", "a", "lock", "src/a.rs", "--ttl", "15m"])
        .ok();
    env.gc_at(&t(0), &["--agent", "a", "lock", "src/b.rs", "--ttl", "1h"])
        .ok();
    assert_eq!(
        notice(&env, &t(1)),
        "",
        "the first notice sets the baseline"
    );
    assert_eq!(notice(&env, &t(1)), "", "nothing new");
    env.gc_at(
        &t(2),
        &[
            "--agent",
            "b",
            "msg",
            "send",
            "--to",
            "a",
            "--subject",
            "ping",
        ],
    )
    .ok();
    let told = notice(&env, &t(2));
    assert!(told.contains("- message m1 from b: ping"), "{told}");
    assert_eq!(notice(&env, &t(2)), "", "told once");
    // A lock about to expire, once.
    let told = notice(&env, &t(6));
    assert!(
        told.contains("your lock on src/a.rs expires in 9m"),
        "{told}"
    );
    assert_eq!(notice(&env, &t(7)), "");
    // Force-released by the lead; a decision resolved in its area.
    env.gc_at(&t(8), &["unlock", "src/b.rs", "--force"]).ok();
    env.gc_at(
        &t(8),
        &[
            "decision", "propose", "--title", "tabs?", "--option", "yes", "--option", "no",
            "--area", "src/",
        ],
    )
    .ok();
    env.gc_at(
        &t(8),
        &[
            "decision",
            "resolve",
            "d1",
            "--choice",
            "no",
            "--rationale",
            "spaces",
        ],
    )
    .ok();
    let told = notice(&env, &t(9));
    assert!(
        told.contains("your lock on src/b.rs was released by user:"),
        "{told}"
    );
    assert!(told.contains("decision d1 resolved by user:"), "{told}");
    assert_eq!(notice(&env, &t(9)), "");
    // A user, and a repository without a state: silent.
    assert_eq!(env.gc(&["notice", "--hook"]).ok(), "");
    assert_eq!(TestEnv::new().gc(&["notice", "--hook"]).ok(), "");
}
