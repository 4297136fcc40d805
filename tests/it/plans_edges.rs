//! Plans, tasks and waves at their edges: what a hostile or careless user does — a task
//! done out of turn, someone else's task, a rollback with an untracked file in the way,
//! the plan's settings, the JSON scripts rely on.

use crate::common::TestEnv;

const PLAN: &str = r#"version = 1

[settings]
lock_ttl = "2h"

[[agent]]
id = "a"
branch = "feature/a"

[[agent]]
id = "b"
branch = "feature/b"

[[task]]
id = "t1"
title = "First"
assign = "a"
wave = "W0"
checks = ["slow"]

[[task]]
id = "t2"
title = "Second"
assign = "b"
after = ["t1"]
wave = "W1"

[[wave]]
id = "W0"

[[wave]]
id = "W1"

[[check]]
id = "slow"
run = "echo ran >> check-ran.txt; exit 1"
"#;

fn planned() -> TestEnv {
    let env = TestEnv::new();
    env.write("f.txt", "kept\n");
    env.git(&["add", "f.txt"]).ok();
    env.git(&["commit", "-qm", "f"]).ok();
    env.git(&["branch", "feature/a"]).ok();
    env.git(&["branch", "feature/b"]).ok();
    env.write("plan.toml", PLAN);
    env.gc(&["init", "--plan", "plan.toml"]).ok();
    env
}

#[test]
fn done_out_of_turn_or_on_anothers_task_is_refused_before_any_check_runs() {
    let env = planned();
    let run = env.gc(&["--agent", "b", "task", "done", "t2"]);
    run.code(1);
    assert!(run.stderr.contains("task t1 is claimed"), "{}", run.stderr);
    let run = env.gc(&["--agent", "b", "task", "done", "t1"]);
    run.code(1);
    assert!(run.stderr.contains("task 't1' is a's"), "{}", run.stderr);
    assert!(
        !env.repo.join("check-ran.txt").exists(),
        "no check runs for a refused task"
    );
    // The assignee's own attempt runs the check (which fails).
    env.gc(&["--agent", "a", "task", "done", "t1"]).code(1);
    assert!(env.repo.join("check-ran.txt").exists());
}

#[test]
fn task_list_json_has_every_key_and_lock_takes_the_plans_ttl() {
    let env = planned();
    let tasks = env.json(&["task", "list"]);
    for key in [
        "id",
        "title",
        "status",
        "assignee",
        "after",
        "wave",
        "priority",
        "deliverables",
    ] {
        assert!(tasks[1].get(key).is_some(), "{key} missing: {}", tasks[1]);
    }
    assert_eq!(tasks[1]["priority"], serde_json::Value::Null);
    assert_eq!(tasks[0]["deliverables"], serde_json::json!([]));
    env.gc_at("2026-01-01T10:00:00Z", &["--agent", "a", "lock", "f.txt"])
        .ok();
    let run = env.gc_at("2026-01-01T10:01:00Z", &["--json", "locks"]);
    let locks = crate::common::parse_json(run.ok());
    let expires = locks[0]["expires"].as_str().expect("expires");
    assert!(expires.starts_with("2026-01-01T12:00:00"), "{locks}");
}

#[test]
fn rollback_with_an_untracked_file_in_the_way_moves_nothing() {
    let env = planned();
    let wt = env.worktree_on("wa", "feature/a");
    env.git_in(&wt, &["rm", "-q", "f.txt"]).ok();
    env.git_in(&wt, &["commit", "-qm", "drop f"]).ok();
    crate::common::write_in(&wt, "f.txt", "untracked, in the way\n");
    let b = env.git(&["rev-parse", "feature/b"]).ok().trim().to_owned();
    env.git(&["commit", "-q", "--allow-empty", "-m", "main moves"])
        .ok();
    let main = env.git(&["rev-parse", "main"]).ok().trim().to_owned();
    let a = env.git(&["rev-parse", "feature/a"]).ok().trim().to_owned();
    let run = env.gc(&["rollback", "W0", "--yes"]);
    run.code(1);
    assert!(run.stderr.contains("f.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was moved"), "{}", run.stderr);
    assert_eq!(env.git(&["rev-parse", "feature/a"]).ok().trim(), a);
    assert_eq!(env.git(&["rev-parse", "feature/b"]).ok().trim(), b);
    assert_eq!(env.git(&["rev-parse", "main"]).ok().trim(), main);
    std::fs::remove_file(wt.join("f.txt")).expect("remove the untracked file");
    env.gc(&["rollback", "W0", "--yes"]).ok();
    assert_ne!(env.git(&["rev-parse", "feature/a"]).ok().trim(), a);
    assert_eq!(
        std::fs::read_to_string(wt.join("f.txt")).expect("restored"),
        "kept\n"
    );
}

#[test]
fn verify_is_a_checklist_of_the_plans_checks() {
    let env = planned();
    let run = env.gc(&["verify"]);
    run.code(1);
    assert!(run.stdout.contains("✗ slow: `echo ran"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1 of 1 check(s) fail"),
        "{}",
        run.stdout
    );
    let run = env.gc(&["--json", "verify", "slow"]);
    run.code(1);
    let v = crate::common::parse_json(&run.stdout);
    assert_eq!(v["ok"], false);
    assert_eq!(v["checks"][0]["id"], "slow");
    let run = env.gc(&["verify", "nosuch"]);
    run.code(2);
    assert!(
        run.stderr.contains("the plan has no check 'nosuch'"),
        "{}",
        run.stderr
    );
    let bare = TestEnv::new();
    bare.gc(&["init", "--no-hooks"]).ok();
    bare.gc(&["verify"]).code(2);
}
