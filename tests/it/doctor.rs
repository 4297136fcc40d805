//! `doctor` on real worktrees: healthy, then a linked worktree whose own hooks set-up
//! bypasses the installed hooks, a port clash, an overdue answer and a vanished worktree —
//! each found with its fix, exit 1.

use crate::common::TestEnv;

#[test]
fn doctor_proves_enforcement_and_finds_what_needs_fixing() {
    let env = TestEnv::new();
    env.write(
        "plan.toml",
        "version = 1\n[[agent]]\nid = \"a\"\nbranch = \"feature/a\"\nports = [8000]\n[[agent]]\nid = \"b\"\nbranch = \"feature/b\"\nports = [3000]\n",
    );
    env.gc(&["init", "--plan", "plan.toml"]).ok();
    let b = env.root().join("wt-b");
    env.gc(&[
        "spawn",
        "b",
        "--branch",
        "feature/b",
        "--path",
        b.to_str().expect("utf-8"),
    ])
    .ok();
    let run = env.gc(&["doctor"]);
    let out = run.ok();
    assert!(out.contains("pre-commit runs and judges"), "{out}");
    assert!(out.contains("✓ guard"), "{out}");
    assert!(out.ends_with("healthy\n"), "{out}");

    // wt-b points its hooks elsewhere: commits there would not be checked.
    let empty = env.root().join("no-hooks");
    std::fs::create_dir_all(&empty).expect("dir");
    env.git(&["config", "extensions.worktreeConfig", "true"])
        .ok();
    env.git_in(
        &b,
        &[
            "config",
            "--worktree",
            "core.hooksPath",
            empty.to_str().expect("utf-8"),
        ],
    )
    .ok();
    // A port clash, and a question unanswered past its deadline.
    env.write(
        "plan.toml",
        &std::fs::read_to_string(env.repo.join("plan.toml"))
            .expect("plan")
            .replace("3000", "8000"),
    );
    env.gc(&["plan", "apply", "plan.toml"]).ok();
    env.gc_at(
        "2026-03-01T08:00:00Z",
        &[
            "--agent",
            "a",
            "msg",
            "send",
            "--to",
            "b",
            "--subject",
            "ready?",
            "--requires-response",
            "--within",
            "1h",
        ],
    )
    .ok();
    let run = env.gc(&["doctor"]);
    run.code(1);
    let out = &run.stdout;
    assert!(
        out.contains(&format!(
            "✗ hooks      {}: pre-commit, pre-merge-commit, pre-push not installed",
            b.display()
        )),
        "{out}"
    );
    assert!(out.contains("port 8000 is used by a and b"), "{out}");
    assert!(
        out.contains("m1 from a to b is unanswered past its deadline"),
        "{out}"
    );
    assert!(out.contains("fix: "), "{out}");
    let v = crate::common::parse_json(&env.gc(&["--json", "doctor"]).stdout);
    assert_eq!(v["ok"], false);
    // The worktree of an agent gone.
    std::fs::remove_dir_all(&b).expect("remove wt-b");
    let run = env.gc(&["doctor"]);
    run.code(1);
    assert!(run.stdout.contains("agent b's worktree"), "{}", run.stdout);
}

#[test]
fn doctor_and_status_tell_where_the_state_stands_with_the_remote() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    // No remote: nothing to say about one.
    let out = env.gc(&["doctor"]).stdout;
    assert!(!out.contains("remote"), "{out}");

    env.with_origin();
    let out = env.gc(&["doctor"]).stdout;
    assert!(
        out.contains("✓ remote     origin is reachable and has no gitcoord state yet"),
        "{out}"
    );
    env.gc(&["sync"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    let status = env.json(&["status"]);
    assert_eq!(status["remote"]["ahead"], 1, "{status}");
    assert_eq!(status["remote"]["behind"], 0, "{status}");
    let text = env.gc(&["status"]).ok().to_owned();
    assert!(
        text.contains("state 1 operation(s) ahead of origin as last fetched"),
        "{text}"
    );
    let out = env.gc(&["doctor"]).stdout;
    assert!(out.contains("1 operation(s) ahead, 0 behind"), "{out}");

    // Out of reach: found, with what to do.
    env.git(&["remote", "set-url", "origin", "/nonexistent/origin.git"])
        .ok();
    let run = env.gc(&["doctor"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("✗ remote"), "{}", run.stdout);
    assert!(
        run.stdout.contains("git ls-remote origin"),
        "{}",
        run.stdout
    );
    // Strict sync without a reachable remote is a problem doctor names too.
    env.git(&["config", "gitcoord.sync", "strict"]).ok();
    env.git(&["remote", "remove", "origin"]).ok();
    let run = env.gc(&["doctor"]);
    assert!(
        run.stdout
            .contains("strict sync is on, and there is no remote 'origin'"),
        "{}",
        run.stdout
    );
    env.git(&["config", "gitcoord.sync", "sometimes"]).ok();
    let run = env.gc(&["lock", "x.rs"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("gitcoord.sync is 'sometimes'"),
        "{}",
        run.stderr
    );
}
